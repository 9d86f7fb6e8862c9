"""Single sign-on with OpenID Connect: authorization code + PKCE (S256), state and nonce.

Authlib's requests client builds the authorization URL and exchanges the code; joserfc (Authlib's
JOSE library) checks the id token: its signature against the provider's JWKS, then `iss`, `aud`,
`exp`, `nonce`, and `email_verified` (or Entra ID's `xms_edov`). Discovery and JWKS are fetched from
the issuer and cached; an id token signed with a key id the cache does not know makes one refetch
(the provider rotated).

`begin` stores the sign-in in flight (`oidc_logins`); `finish` handles the provider's callback
and returns where to send the browser with a one-time code; `redeem` swaps that code (single use,
60 s) for the person. A refusal the person should read is an `OidcRefused` carrying the app's
redirect URI and a short `error` slug; misuse of the API itself (unknown or used state, a
replayed code) is a DomainError (problem+json).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from api.errors import DomainError, NotFound, Unauthorized, Unprocessable
from api.models.oidc_logins import OidcLogin
from api.models.teams import Team, TeamMembership
from api.models.users import User
from api.names import comparable
from api.services import accounts
from api.services.tokens import hash_token

LOGIN_TTL = timedelta(minutes=10)  # from start to the provider's callback
HANDOFF_TTL = timedelta(seconds=60)  # the app's one-time code
METADATA_SECONDS = 3600
HTTP_TIMEOUT = 10
LEEWAY_SECONDS = 60  # clock skew tolerated on exp/iat
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    callback_url: str  # this server's /api/v1/auth/oidc/callback, registered at the provider
    redirect_allowlist: tuple[str, ...]
    allowed_domains: tuple[str, ...] = ()
    teams_claim: str | None = None
    auto_create: bool = False


def config_from(c: dict) -> Config | None:
    """The provider from the app's settings (OIDC_*), or None when single sign-on is off."""
    if not c["OIDC_ISSUER"]:
        return None
    base = c["PUBLIC_BASE_URL"]
    return Config(
        issuer=c["OIDC_ISSUER"], client_id=c["OIDC_CLIENT_ID"], client_secret=c["OIDC_CLIENT_SECRET"],
        scopes=c["OIDC_SCOPES"], callback_url=f"{base}/api/v1/auth/oidc/callback",
        redirect_allowlist=tuple(c["OIDC_REDIRECT_ALLOWLIST"]) or (f"{base}/app/",),
        allowed_domains=tuple(c["OIDC_ALLOWED_DOMAINS"]), teams_claim=c["OIDC_TEAMS_CLAIM"],
        auto_create=c["OIDC_AUTO_CREATE"])


class ProviderUnavailable(DomainError):
    """The provider's discovery document or keys cannot be fetched (down, or misconfigured)."""

    status = 503
    slug = "sso-provider-unavailable"


class OidcRefused(Exception):
    """The sign-in did not work out; the browser goes back to the app with `?error=<slug>`."""

    def __init__(self, redirect_uri: str, error: str, detail: str) -> None:
        super().__init__(detail)
        self.redirect_uri, self.error, self.detail = redirect_uri, error, detail

    @property
    def location(self) -> str:
        return with_query(self.redirect_uri, error=self.error, error_description=self.detail)


def with_query(url: str, **params: str) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)


# --- provider metadata (discovery, JWKS), cached per process ------------------------------------

class ProviderCache:
    """Discovery documents and key sets by URL for METADATA_SECONDS; `clock` is injectable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._store: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def get_json(self, url: str, *, fresh: bool = False) -> dict:
        hit = self._store.get(url)
        if hit and not fresh and hit[0] > self.clock():
            return hit[1]
        r = requests.get(url, timeout=HTTP_TIMEOUT)
        r.raise_for_status()
        data = r.json()
        with self._lock:
            self._store[url] = (self.clock() + METADATA_SECONDS, data)
        return data

    def clear(self) -> None:
        with self._lock:
            self._store.clear()


cache = ProviderCache()


def discovery(cfg: Config) -> dict:
    try:
        meta = cache.get_json(cfg.issuer + "/.well-known/openid-configuration")
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable("The company sign-in service cannot be reached. Try again in a while.") from exc
    if not isinstance(meta, dict) or str(meta.get("issuer", "")).rstrip("/") != cfg.issuer:
        # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
        raise ProviderUnavailable("The company sign-in service is misconfigured (its issuer does not match).")
    return meta


def _key_set(meta: dict, *, fresh: bool = False) -> KeySet:
    return KeySet.import_key_set(cache.get_json(meta["jwks_uri"], fresh=fresh))  # type: ignore[arg-type]


# --- the flow --------------------------------------------------------------------------------------

def allowed_redirect(cfg: Config, redirect_uri: str) -> bool:
    """On the allow-list: equal to an entry, or under an entry ending in `/` (same scheme and host)."""
    if any(c in redirect_uri for c in "\r\n\\") or "#" in redirect_uri:
        return False
    for entry in cfg.redirect_allowlist:
        if redirect_uri == entry or (entry.endswith("/") and redirect_uri.startswith(entry)):
            return True
    return False


def _client(cfg: Config) -> OAuth2Session:
    return OAuth2Session(cfg.client_id, cfg.client_secret, scope=cfg.scopes, redirect_uri=cfg.callback_url,
                         code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")


def begin(session: Session, cfg: Config, redirect_uri: str, now: datetime) -> str:
    """Store a sign-in in flight; the provider's authorization URL to send the browser to."""
    if not allowed_redirect(cfg, redirect_uri):
        raise Unprocessable("redirect_uri is not one of the app addresses this server may return to "
                            "(OIDC_REDIRECT_ALLOWLIST).", slug="redirect-uri-not-allowed",
                            errors={"redirect_uri": ["Not on the allow-list."]})
    meta = discovery(cfg)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    session.add(OidcLogin(state_hash=hash_token(state), nonce=nonce, code_verifier=verifier, redirect_uri=redirect_uri,
                          expires_at=now + LOGIN_TTL))
    url, _state = _client(cfg).create_authorization_url(meta["authorization_endpoint"], state=state, nonce=nonce,
                                                        code_verifier=verifier)
    return url


def finish(session: Session, cfg: Config, state: str, code: str | None, error: str | None, now: datetime,
           clock: Callable[[], int] | None = None) -> str:
    """The provider sent the browser back: the app's URL with a one-time code (or raise OidcRefused)."""
    login = session.scalar(select(OidcLogin).where(OidcLogin.state_hash == hash_token(state)).with_for_update())
    if login is None or login.callback_at is not None or login.expires_at <= now:
        raise NotFound("This sign-in is unknown, already used or expired: start it again from the app.",
                       slug="sso-state-invalid")
    login.callback_at = now
    back = login.redirect_uri
    if error or not code:
        raise OidcRefused(back, "provider-refused", f"The sign-in service said: {error or 'no code'}.")
    try:
        meta = discovery(cfg)
    except ProviderUnavailable as exc:
        raise OidcRefused(back, "provider-unavailable", exc.detail) from exc
    try:
        token = _client(cfg).fetch_token(meta["token_endpoint"], code=code, code_verifier=login.code_verifier,
                                         timeout=HTTP_TIMEOUT)
    except Exception as exc:  # any failure of the exchange (HTTP, OAuth error body) ends the same way
        raise OidcRefused(back, "token-exchange-failed", "The sign-in service did not accept the code.") from exc
    claims = _validated_claims(cfg, meta, token.get("id_token"), login.nonce, back,
                               clock or (lambda: int(now.timestamp())))
    user = _match(session, cfg, claims, back, now)
    handoff = secrets.token_urlsafe(32)
    login.user_id, login.handoff_hash, login.handoff_expires_at = user.id, hash_token(handoff), now + HANDOFF_TTL
    return with_query(back, code=handoff)


def _validated_claims(cfg: Config, meta: dict, id_token: Any, nonce: str, back: str,
                      clock: Callable[[], int]) -> dict:
    if not isinstance(id_token, str):
        raise OidcRefused(back, "id-token-invalid", "The sign-in service sent no id token.")
    try:
        try:
            token = jwt.decode(id_token, _key_set(meta), algorithms=list(ALGORITHMS))
        except (ValueError, JoseError):  # an unknown key id: the provider may have rotated its keys
            token = jwt.decode(id_token, _key_set(meta, fresh=True), algorithms=list(ALGORITHMS))
    except requests.RequestException as exc:
        raise OidcRefused(back, "provider-unavailable", "The sign-in service's keys cannot be fetched.") from exc
    except (BadSignatureError, ValueError, JoseError) as exc:
        raise OidcRefused(back, "id-token-invalid", "The id token's signature is not the provider's.") from exc
    registry = jwt.JWTClaimsRegistry(
        now=clock, leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": cfg.issuer}, aud={"essential": True, "value": cfg.client_id},
        sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce})
    try:
        registry.validate(token.claims)
    except ExpiredTokenError as exc:
        raise OidcRefused(back, "id-token-expired", "The id token has expired.") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        name = getattr(exc, "claim", "") or str(exc)
        slug = {"aud": "id-token-audience", "nonce": "id-token-nonce", "iss": "id-token-issuer"}.get(name,
                                                                                                  "id-token-invalid")
        raise OidcRefused(back, slug, f"The id token's {name} claim is not right.") from exc
    except JoseError as exc:
        raise OidcRefused(back, "id-token-invalid", "The id token is not valid.") from exc
    aud = token.claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and token.claims.get("azp") != cfg.client_id:
        raise OidcRefused(back, "id-token-audience", "The id token was issued to another application.")
    return dict(token.claims)


def email_verified(claims: dict) -> bool:
    """Whether the provider vouches for the email: `email_verified` when it sends one (false refuses,
    whatever else it says); otherwise Microsoft Entra ID's `xms_edov` (the email's domain is verified
    by its owner, the tenant), which Entra sends instead of `email_verified` as an optional claim."""
    stated = claims.get("email_verified")
    if stated is not None:
        return stated in (True, "true")
    return claims.get("xms_edov") in (True, "true", "1")


def _match(session: Session, cfg: Config, claims: dict, back: str, now: datetime) -> User:
    subject = str(claims["sub"])
    email = claims.get("email")
    verified = email_verified(claims)
    user = session.scalar(select(User).where(User.oidc_subject == subject))
    if not isinstance(email, str) or "@" not in email:
        email = None
    if user is None:
        if email is None:
            raise OidcRefused(back, "email-missing", "The sign-in service sent no email address.")
        if not verified:
            raise OidcRefused(back, "email-not-verified", "Your email address is not verified at the sign-in service.")
    if email is not None and cfg.allowed_domains:
        domain = email.rsplit("@", 1)[-1].lower()
        if domain not in cfg.allowed_domains:
            raise OidcRefused(back, "domain-not-allowed", f"Accounts at {domain} may not sign in here.")
    if user is None:
        assert email is not None  # refused above when missing
        user = accounts.find_by_email(session, email)
        if user is not None:
            if user.oidc_subject is not None:  # already linked to another identity at the provider
                raise OidcRefused(back, "account-linked-elsewhere",
                                  "This email's account is linked to another sign-in identity.")
            user.oidc_subject = subject
        elif cfg.auto_create:
            user = _create(session, cfg, claims, subject, email, now)
        else:
            raise OidcRefused(back, "no-account", "There is no account for you yet: ask your admin to invite you.")
    if not user.can_log_in:
        raise OidcRefused(back, "account-inactive", "This account is deactivated. Ask your admin to reactivate it.")
    if user.activated_at is None:
        user.activated_at = now  # an invited person's first sign-in
    user.last_active_at = now
    return user


def _create(session: Session, cfg: Config, claims: dict, subject: str, email: str, now: datetime) -> User:
    name = claims.get("name") or " ".join(x for x in (claims.get("given_name"), claims.get("family_name")) if x)
    user = User(email=accounts.normalise_email(email), display_name=(str(name) or email.split("@")[0])[:80],
                role="staff", is_active=True, activated_at=now, oidc_subject=subject)
    session.add(user)
    session.flush()
    values = claims.get(cfg.teams_claim) if cfg.teams_claim else None
    if isinstance(values, str):
        values = [values]
    keys = {comparable(v) for v in values or () if isinstance(v, str)}
    if keys:
        for team in session.scalars(select(Team).where(Team.name_key.in_(keys))):
            session.add(TeamMembership(team_id=team.id, user_id=user.id))
    return user


def redeem(session: Session, code: str, now: datetime) -> User:
    """The person a one-time code stands for; the code works once, within 60 seconds."""
    login = session.scalar(select(OidcLogin).where(OidcLogin.handoff_hash == hash_token(code)).with_for_update())
    if login is None or login.handoff_used_at is not None or login.handoff_expires_at is None \
            or login.handoff_expires_at <= now or login.user_id is None:
        raise Unauthorized("This sign-in code is unknown, used or expired: sign in again.", slug="sso-code-invalid")
    login.handoff_used_at = now
    user = session.get(User, login.user_id)
    if user is None or not user.can_log_in:
        raise Unauthorized("This account is deactivated. Ask your admin to reactivate it.", slug="account-inactive")
    return user


def purge_finished(session: Session, now: datetime) -> int:
    """Delete sign-ins that can no longer be finished: the state's time is over and so is the
    one-time code's (or none was handed out). Every start adds a row; nothing else removes them."""
    done = delete(OidcLogin).where(OidcLogin.expires_at <= now,
                                   (OidcLogin.handoff_expires_at.is_(None)) | (OidcLogin.handoff_expires_at <= now))
    return cast(CursorResult, session.execute(done)).rowcount or 0
