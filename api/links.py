"""Links into the staff app, as mails, QR codes and the console give them out.

Pure: no Flask, so services compose links with the base URL they are passed (MailSettings.base_url,
PUBLIC_BASE_URL). The staff app itself is served by api/staff_app.py.
"""

from __future__ import annotations

from urllib.parse import urlencode


def app_url(base_url: str, route: str, **params: str) -> str:
    """A link into the staff app (`app_url(base, "activate", token=t)` →
    `https://stafet.example/app/activate?token=t`)."""
    query = f"?{urlencode(params)}" if params else ""
    return f"{base_url.rstrip('/')}/app/{route}{query}"
