"""Settings from the environment, validated once at start-up.

Every setting's default is spelled once, in `Settings` (and documented in the README,
"Configuration"); `load_settings` reads the environment over those defaults, and code reads
`app.config["NAME"]` without a fallback of its own. A bad value raises
`ConfigError` with one line naming the variable; the CLI prints that line and exits
instead of showing a traceback.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from api.models._common import NETWORKS
from api.smtp_url import SmtpUrlError, parse_smtp_url

INSTANCE_DIR = Path(os.environ.get("STAFET_INSTANCE_DIR", Path.cwd() / "instance"))


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line naming the variable."""


@dataclass(frozen=True)
class Settings:
    """Every setting with its default. The first three have defaults that depend on where the
    app runs (the instance folder, the port); `load_settings` derives them."""

    database_url: str
    secret_key: str
    public_base_url: str
    redis_url: str | None = None
    jwt_previous_keys: tuple[str, ...] = ()
    fcm_credentials: str | None = None
    port: int = 5000
    org_timezone: str = "UTC"
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    invite_ttl: int = 14 * 24 * 3600
    max_body_bytes: int = 1024 * 1024
    login_limit_per_account: str = "5 per 15 minutes"
    login_limit_per_ip: str = "30 per 15 minutes"
    cors_origins: tuple[str, ...] = ()
    emv_cpm: Decimal = Decimal("10.00")
    emv_currency: str = "EUR"
    follower_cap: int = 50_000
    metrics_token: str | None = None
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    # The proxies in front of the app whose X-Forwarded-* headers are believed (api/proxies.py):
    # a number of hops, or the proxies' networks; none by default (the direct peer is the client).
    trusted_proxies: int | tuple[str, ...] = 0
    follower_caps: dict = field(default_factory=dict)
    analytics_cache_seconds: int = 60
    leaderboard_cache_seconds: int = 10
    feed_cache_seconds: int = 5
    click_flush_seconds: float = 0.2
    challenge_min_hours: int = 24
    log_level: str = "INFO"
    log_json: bool = True
    embedded_jobs: str = "thread"
    # The database pool, set in code rather than the environment (`stafet serve` turns pre-ping off).
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_pre_ping: bool = True
    fcm_web_config: dict | None = None
    default_language: str = "en"
    staff_app_dir: str = str(Path(__file__).resolve().parents[1] / "staff_app" / "dist")
    # Mail: SMTP when SMTP_URL is set, else one .eml file per message in MAIL_DIR (instance/mail).
    smtp_url: str | None = None
    mail_from: str = "Stafet <no-reply@localhost>"
    mail_dir: str = str(INSTANCE_DIR / "mail")
    reset_ttl: int = 3600
    password_reset_limit_per_address: str = "3 per hour"
    password_reset_limit_per_ip: str = "20 per hour"
    # POST /auth/join: every attempt with one code, and wrong/withdrawn codes from one address (guessing).
    join_limit_per_code: str = "100 per hour"
    join_limit_per_ip: str = "20 per 15 minutes"
    # How long the audit log (sign-ins, provisioning, admin changes to people) is kept.
    audit_retention_days: int = 365
    # Single sign-on with OpenID Connect (api/services/oidc.py): on when OIDC_ISSUER is set.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid email profile"
    oidc_allowed_domains: tuple[str, ...] = ()  # email domains that may sign in; none: any
    oidc_teams_claim: str | None = None  # e.g. `groups`: its values name teams for auto-created people
    oidc_auto_create: bool = False
    # App URLs the sign-in may return to (prefixes); none: PUBLIC_BASE_URL/app/.
    oidc_redirect_allowlist: tuple[str, ...] = ()
    oidc_provider_name: str = "your company account"
    # PASSWORD_LOGIN=off: only single sign-on, except BREAK_GLASS_EMAIL (an admin, when the provider is down).
    password_login: bool = True
    break_glass_email: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def queue_mode(self) -> str:
        """`rq` when a Redis URL is configured, otherwise jobs run in this process."""
        return "rq" if self.redis_url else "embedded"

    def as_flask_config(self) -> dict:
        cfg = {f.name.upper(): getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        cfg.update(self.extra)
        return cfg


def _require_url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise ConfigError(f"{name} must be a {' or '.join(schemes)} URL, got {value!r}")
    return value


def _number(env: dict, name: str, default: Any, lo: Any, hi: Any, parse: Callable[[str], Any], what: str) -> Any:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _int(env: dict, name: str, default: int, lo: int, hi: int) -> int:
    return _number(env, name, default, lo, hi, int, "a whole number")


def _float(env: dict, name: str, default: float, lo: float, hi: float) -> float:
    return _number(env, name, default, lo, hi, float, "a number")


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _database_url(env: dict, instance_dir: Path) -> str:
    raw = env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'stafet.db'}"
    _require_url("DATABASE_URL", raw, ("sqlite", "postgresql", "postgresql+psycopg", "postgres"))
    # Users type postgres:// or postgresql://; we always talk psycopg 3.
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql+psycopg://", raw)


def _secret_key(env: dict, instance_dir: Path) -> str:
    """The signing key: from SECRET_KEY, else generated once into instance/ (never committed)."""
    if env.get("SECRET_KEY"):
        key = env["SECRET_KEY"]
        if len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters")
        return key
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with 0600 so the key is never world-readable, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _fcm_credentials(env: dict) -> str | None:
    raw = env.get("FCM_CREDENTIALS")
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise ConfigError(f"FCM_CREDENTIALS points to {raw!r}, which is not a readable file")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        raise ConfigError(f"FCM_CREDENTIALS file {raw!r} is not valid JSON") from None
    if not isinstance(data, dict) or data.get("type") != "service_account":
        raise ConfigError(f"FCM_CREDENTIALS file {raw!r} is not a Firebase service-account JSON")
    return str(path)


def _timezone(env: dict, name: str, default: str) -> str:
    raw = env.get(name) or default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} must be an IANA timezone such as Europe/Oslo, got {raw!r}") from None
    return raw


def _decimal(env: dict, name: str, default: Decimal) -> Decimal:
    raw = env.get(name) or str(default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ConfigError(f"{name} must be a decimal number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw}")
    return value


def _follower_caps(env: dict) -> dict[str, int]:
    """FOLLOWER_CAPS: per-network overrides of FOLLOWER_CAP, e.g. `linkedin=30000,x=100000`."""
    caps: dict[str, int] = {}
    for item in (env.get("FOLLOWER_CAPS") or "").split(","):
        if not item.strip():
            continue
        network, _, raw = item.partition("=")
        network = network.strip()
        if network not in NETWORKS:
            raise ConfigError(f"FOLLOWER_CAPS names an unknown network {network!r} (one of {', '.join(NETWORKS)})")
        if not raw.strip():  # "linkedin=" once meant a cap of 0: counting no followers at all
            raise ConfigError(f"FOLLOWER_CAPS gives {network} no number, got {item.strip()!r}")
        caps[network] = _int({"FOLLOWER_CAPS": raw.strip()}, "FOLLOWER_CAPS", 0, 1, MAX_FOLLOWERS)
    return caps


def _networks(env: dict, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of addresses or CIDR blocks, normalised (`10.0.0.0/8`)."""
    raw = env.get(name)
    if raw is None:
        return default
    out = []
    for item in raw.split(","):
        if item.strip():
            try:
                out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError:
                raise ConfigError(f"{name} must list addresses or CIDR blocks, got {item.strip()!r}") from None
    return tuple(out)


MAX_PROXY_HOPS = 5


def _trusted_proxies(env: dict) -> int | tuple[str, ...]:
    """TRUSTED_PROXIES: `1` (that many proxies in front, each appending to X-Forwarded-For) or
    the proxies' addresses/CIDR blocks, e.g. `10.0.0.0/8,fd00::/8`."""
    raw = (env.get("TRUSTED_PROXIES") or "").strip()
    if not raw:
        return Settings.trusted_proxies
    if raw.isdigit():
        return _int({"TRUSTED_PROXIES": raw}, "TRUSTED_PROXIES", Settings.trusted_proxies, 0, MAX_PROXY_HOPS)
    return _networks(env, "TRUSTED_PROXIES", ())


def _metrics_token(env: dict) -> str | None:
    token = env.get("METRICS_TOKEN") or None
    if token is not None and len(token) < 24:
        raise ConfigError("METRICS_TOKEN must be at least 24 characters")
    return token


LANGUAGES = ("da", "en")
WEB_CONFIG_KEYS = ("apiKey", "projectId", "messagingSenderId", "appId", "vapidKey")


def _fcm_web_config(env: dict) -> dict | None:
    """FCM_WEB_CONFIG: the Firebase web app's config plus its VAPID key, as JSON text or a path to a
    JSON file — public values by design (they are served to every browser), never the service account."""
    raw = (env.get("FCM_WEB_CONFIG") or "").strip()
    if not raw:
        return None
    text = raw if raw.startswith("{") else None
    if text is None:
        path = Path(raw)
        if not path.is_file():
            raise ConfigError(f"FCM_WEB_CONFIG must be JSON or a path to a JSON file, got {raw!r}")
        text = path.read_text()
    try:
        data = json.loads(text)
    except ValueError:
        raise ConfigError("FCM_WEB_CONFIG is not valid JSON") from None
    if not isinstance(data, dict) or data.get("type") == "service_account":
        raise ConfigError("FCM_WEB_CONFIG must be the Firebase *web app* config, not a service account")
    missing = [k for k in WEB_CONFIG_KEYS if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        raise ConfigError(f"FCM_WEB_CONFIG lacks {', '.join(missing)}")
    return {k: v for k, v in data.items() if isinstance(v, str)}


MAX_FOLLOWERS = 10_000_000  # the most a person may declare (schemas/users.py); a cap above it caps nothing


def load_settings(env: dict | None = None, instance_dir: Path | None = None) -> Settings:
    """Read and validate every setting over its default in `Settings`; raise ConfigError on the first bad one."""
    env = dict(os.environ if env is None else env)
    d = Settings  # the defaults: class attributes of the dataclass
    instance_dir = instance_dir or Path(env.get("STAFET_INSTANCE_DIR") or INSTANCE_DIR)
    port = _int(env, "PORT", d.port, 1, 65535)
    redis_url = env.get("REDIS_URL") or d.redis_url
    if redis_url:
        _require_url("REDIS_URL", redis_url, ("redis", "rediss", "unix"))
    public_base_url = _require_url(
        "PUBLIC_BASE_URL", env.get("PUBLIC_BASE_URL") or f"http://localhost:{port}", ("http", "https")
    ).rstrip("/")
    previous = tuple(k for k in (env.get("JWT_PREVIOUS_KEYS") or "").split(",") if k.strip()) or d.jwt_previous_keys
    embedded_jobs = env.get("EMBEDDED_JOBS") or d.embedded_jobs
    if embedded_jobs not in ("thread", "inline"):
        raise ConfigError(f"EMBEDDED_JOBS must be 'thread' or 'inline', got {embedded_jobs!r}")
    log_level = (env.get("LOG_LEVEL") or d.log_level).upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    currency = env.get("EMV_CURRENCY") or d.emv_currency
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigError(f"EMV_CURRENCY must be a three-letter ISO 4217 code, got {currency!r}")
    origins = tuple(o.strip().rstrip("/") for o in (env.get("CORS_ORIGINS") or "").split(",") if o.strip())
    for origin in origins:
        _require_url("CORS_ORIGINS", origin, ("http", "https"))
    return Settings(
        database_url=_database_url(env, instance_dir),
        redis_url=redis_url,
        secret_key=_secret_key(env, instance_dir),
        jwt_previous_keys=previous,
        public_base_url=public_base_url,
        fcm_credentials=_fcm_credentials(env),
        port=port,
        org_timezone=_timezone(env, "ORG_TIMEZONE", d.org_timezone),
        access_token_ttl=_int(env, "ACCESS_TOKEN_TTL", d.access_token_ttl, 60, 24 * 3600),
        refresh_token_ttl=_int(env, "REFRESH_TOKEN_TTL", d.refresh_token_ttl, 3600, 365 * 24 * 3600),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", d.max_body_bytes, 1024, 64 * 1024 * 1024),
        login_limit_per_account=env.get("LOGIN_LIMIT_PER_ACCOUNT") or d.login_limit_per_account,
        login_limit_per_ip=env.get("LOGIN_LIMIT_PER_IP") or d.login_limit_per_ip,
        cors_origins=origins or d.cors_origins,
        emv_cpm=_decimal(env, "EMV_CPM", d.emv_cpm),
        emv_currency=currency,
        follower_cap=_int(env, "FOLLOWER_CAP", d.follower_cap, 1, MAX_FOLLOWERS),
        follower_caps=_follower_caps(env),
        metrics_token=_metrics_token(env),
        metrics_allow=_networks(env, "METRICS_ALLOW", d.metrics_allow),
        trusted_proxies=_trusted_proxies(env),
        analytics_cache_seconds=_int(env, "ANALYTICS_CACHE_SECONDS", d.analytics_cache_seconds, 0, 3600),
        leaderboard_cache_seconds=_int(env, "LEADERBOARD_CACHE_SECONDS", d.leaderboard_cache_seconds, 0, 600),
        feed_cache_seconds=_int(env, "FEED_CACHE_SECONDS", d.feed_cache_seconds, 0, 60),
        click_flush_seconds=_float(env, "CLICK_FLUSH_SECONDS", d.click_flush_seconds, 0, 10),
        # At least an hour, so a challenge cannot open and close around activity already known; at
        # most 30 days, so the setting cannot lock leads out of running challenges at all.
        challenge_min_hours=_int(env, "CHALLENGE_MIN_HOURS", d.challenge_min_hours, 1, 30 * 24),
        audit_retention_days=_int(env, "AUDIT_RETENTION_DAYS", d.audit_retention_days, 1, 10 * 365),
        log_level=log_level,
        log_json=_bool(env, "LOG_JSON", d.log_json),
        embedded_jobs=embedded_jobs,
        fcm_web_config=_fcm_web_config(env),
        default_language=_choice(env, "DEFAULT_LANGUAGE", d.default_language, LANGUAGES),
        staff_app_dir=env.get("STAFF_APP_DIR") or d.staff_app_dir,
        invite_ttl=_int(env, "INVITE_TTL", d.invite_ttl, 3600, 90 * 24 * 3600),
        smtp_url=_smtp_url(env),
        mail_from=_mail_from(env, public_base_url),
        mail_dir=env.get("MAIL_DIR") or str(instance_dir / "mail"),
        reset_ttl=_int(env, "RESET_TTL", d.reset_ttl, 300, 24 * 3600),
        password_reset_limit_per_address=env.get("PASSWORD_RESET_LIMIT_PER_ADDRESS")
        or d.password_reset_limit_per_address,
        password_reset_limit_per_ip=env.get("PASSWORD_RESET_LIMIT_PER_IP") or d.password_reset_limit_per_ip,
        join_limit_per_code=env.get("JOIN_LIMIT_PER_CODE") or d.join_limit_per_code,
        join_limit_per_ip=env.get("JOIN_LIMIT_PER_IP") or d.join_limit_per_ip,
        **_oidc(env),
    )


def _list(env: dict, name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())


def _oidc(env: dict) -> dict[str, Any]:
    """The OIDC_* settings, PASSWORD_LOGIN and BREAK_GLASS_EMAIL; an issuer needs a client id and secret."""
    d = Settings
    issuer = (env.get("OIDC_ISSUER") or "").strip().rstrip("/") or None
    if issuer:
        _require_url("OIDC_ISSUER", issuer, ("https", "http"))
        for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
            if not env.get(name):
                raise ConfigError(f"{name} must be set when OIDC_ISSUER is set")
    scopes = " ".join((env.get("OIDC_SCOPES") or d.oidc_scopes).split())
    if "openid" not in scopes.split():
        raise ConfigError(f"OIDC_SCOPES must include openid, got {scopes!r}")
    allowlist = _list(env, "OIDC_REDIRECT_ALLOWLIST")  # empty: PUBLIC_BASE_URL/app/, derived where used
    for url in allowlist:  # web addresses, or a native app's own scheme (com.example.stafet:/signed-in)
        scheme = urlsplit(url).scheme.lower()
        if not scheme or scheme in ("javascript", "data", "vbscript", "file") or len(url) <= len(scheme) + 1:
            raise ConfigError(f"OIDC_REDIRECT_ALLOWLIST must list app addresses such as https://…/app/, got {url!r}")
    password_login = _bool(env, "PASSWORD_LOGIN", d.password_login)
    break_glass = (env.get("BREAK_GLASS_EMAIL") or "").strip().lower() or None
    if not password_login and not issuer and not break_glass:
        raise ConfigError("PASSWORD_LOGIN=off needs OIDC_ISSUER (or BREAK_GLASS_EMAIL): nobody could sign in")
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": env.get("OIDC_CLIENT_ID") or None,
        "oidc_client_secret": env.get("OIDC_CLIENT_SECRET") or None,
        "oidc_scopes": scopes,
        "oidc_allowed_domains": tuple(x.lower().lstrip("@") for x in _list(env, "OIDC_ALLOWED_DOMAINS")),
        "oidc_teams_claim": (env.get("OIDC_TEAMS_CLAIM") or "").strip() or None,
        "oidc_auto_create": _bool(env, "OIDC_AUTO_CREATE", d.oidc_auto_create),
        "oidc_redirect_allowlist": allowlist,
        "oidc_provider_name": (env.get("OIDC_PROVIDER_NAME") or "").strip() or d.oidc_provider_name,
        "password_login": password_login,
        "break_glass_email": break_glass,
    }


def _choice(env: dict, name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    if raw not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


def _smtp_url(env: dict) -> str | None:
    raw = (env.get("SMTP_URL") or "").strip()
    if not raw:
        return None
    try:
        parse_smtp_url(raw)
    except SmtpUrlError as exc:
        raise ConfigError(str(exc)) from None
    return raw


def _mail_from(env: dict, public_base_url: str) -> str:
    """MAIL_FROM (`Stafet <no-reply@example.com>` or a bare address); by default no-reply at the
    host of PUBLIC_BASE_URL, which an SMTP relay may refuse: set it when SMTP_URL is set."""
    raw = (env.get("MAIL_FROM") or "").strip()
    if not raw:
        host = urlsplit(public_base_url).hostname or "localhost"
        return f"Stafet <no-reply@{host}>"
    _name, address = parseaddr(raw)
    if "@" not in address or any(c in raw for c in "\r\n"):
        raise ConfigError(f"MAIL_FROM must be an address such as 'Stafet <no-reply@example.com>', got {raw!r}")
    return raw
