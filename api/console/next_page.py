"""Where sign-in may send you next: a plain path of this site under /console/, nothing else.

`next` arrives in the query string, so anyone can write it into a link. A control character in it
would end up in the Location header (CR/LF: header injection, and Werkzeug answers 500); a scheme,
a host, `//` or a backslash (browsers read `/\\host` as `//host`) would send a freshly signed-in
admin to another site; `..` (also percent-encoded, which browsers resolve too) leaves /console/.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

PREFIX = "/console/"


def safe_next(target: str | None) -> str | None:
    """`target` when it is a same-site path under /console/, else None (the caller's default)."""
    if not target:
        return None
    decoded = unquote(target)
    for text in (target, decoded):  # judge what we send and what a browser may decode it to
        if not text.isprintable() or "\\" in text or "//" in text:
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(PREFIX):
        return None
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return None
    return target
