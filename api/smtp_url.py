"""SMTP_URL: `smtp://user:pass@host:port` (plain, or `?starttls=true`), `smtps://…` (implicit TLS).

Parsed once when settings load (a bad URL stops start-up with one line) and again by the mail
transport. `redacted()` is the form that may appear in logs and on the console: never the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpUrl:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    def redacted(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}:***@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}" + ("?starttls=true" if self.starttls else "")


def parse_smtp_url(raw: str) -> SmtpUrl:
    parts = urlsplit(raw)
    if parts.scheme not in DEFAULT_PORTS:
        raise SmtpUrlError("SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise SmtpUrlError("SMTP_URL must name a host, e.g. smtp://user:pass@mail.example.com:587?starttls=true")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise SmtpUrlError("SMTP_URL has a port that is not a number between 1 and 65535") from None
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"starttls"})
    if unknown:
        raise SmtpUrlError(f"SMTP_URL has an unknown option {unknown[0]!r} (only starttls=true|false)")
    flag = query.get("starttls", "false").lower()
    if flag not in ("true", "false", "1", "0", "yes", "no"):
        raise SmtpUrlError("SMTP_URL's starttls must be true or false")
    starttls = flag in ("true", "1", "yes")
    if starttls and parts.scheme == "smtps":
        raise SmtpUrlError("SMTP_URL: smtps:// is TLS from the start; starttls=true is for smtp://")
    return SmtpUrl(host=parts.hostname, port=port, implicit_tls=parts.scheme == "smtps", starttls=starttls,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password is not None else None)
