"""Push transports behind one interface: firebase-admin (FCM HTTP v1) and a recorder.

`send(messages)` takes up to 500 `PushMessage`s (one FCM call: `messaging.send_each`, which
is what `send_each_for_multicast` does underneath, but lets each message carry its own
`notification_id`) and returns one `Outcome` per message:

- `sent`;
- `invalid_token` — UNREGISTERED, SENDER_ID_MISMATCH, or INVALID_ARGUMENT naming the token:
  the device is deactivated and never used again;
- `retry` — UNAVAILABLE, INTERNAL, QUOTA_EXCEEDED, DEADLINE_EXCEEDED: sent again later with
  exponential backoff, at least `retry_after` seconds (FCM's Retry-After) from now;
- `config_error` — THIRD_PARTY_AUTH_ERROR (APNs/web credentials wrong in the Firebase
  project): logged loudly, not retried in a loop — a person must fix the project;
- `failed` — anything else (e.g. a payload FCM refuses): recorded, not retried.

The app registers FCM *registration tokens* (what the mobile SDKs' getToken() returns) and
sends with `token=`; firebase-admin 7.5+ flags that argument as deprecated in favour of
installation ids, so the warning is silenced here on purpose (see mobile_contract/README.md).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_BATCH = 500
TTL = timedelta(hours=24)
CONTENT_TTL = timedelta(hours=72)
WEB_ICON = "/app/icons/icon-192.png"


@dataclass(frozen=True)
class PushMessage:
    token: str
    category: str
    title: str
    body: str
    data: dict[str, str]  # includes category, notification_id, deep_link
    platform: str = "android"  # android | ios | web
    link: str | None = None  # web: the staff app URL the notification opens


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | invalid_token | retry | config_error | failed
    detail: str = ""
    retry_after: int = 0


class Transport(Protocol):
    def send(self, messages: list[PushMessage]) -> list[Outcome]: ...


@dataclass
class RecordingTransport:
    """What would have been sent, kept in memory and logged (no FCM_CREDENTIALS configured)."""

    sent: list[PushMessage] = field(default_factory=list)
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, messages: list[PushMessage]) -> list[Outcome]:
        with self._lock:
            self.calls += 1
            self.sent.extend(messages)
        for m in messages:
            log.info("push (recorded, not sent): %s %r to device …%s", m.category, m.title, m.token[-6:])
        return [Outcome("sent")] * len(messages)


PERMANENT = {"UnregisteredError": "unregistered", "SenderIdMismatchError": "sender id mismatch"}
TRANSIENT = ("UnavailableError", "InternalError", "QuotaExceededError", "DeadlineExceededError")


def classify(exc: Exception) -> Outcome:
    name = type(exc).__name__
    if name in PERMANENT:
        return Outcome("invalid_token", PERMANENT[name])
    if name == "InvalidArgumentError":
        message = str(exc).lower()
        if "token" in message or "registration" in message:
            return Outcome("invalid_token", "invalid token")
        return Outcome("failed", f"invalid argument: {exc}")
    if name in TRANSIENT:
        return Outcome("retry", name, _retry_after(exc))
    if name == "ThirdPartyAuthError":
        return Outcome("config_error", "third-party auth error (APNs or web push credentials)")
    return Outcome("failed", f"{name}: {exc}")


def _retry_after(exc: Exception) -> int:
    response = getattr(exc, "http_response", None)
    raw = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(0, int(raw)) if raw else 0
    except ValueError:
        return 0


HTTP_TIMEOUT = 30  # seconds per FCM call (the SDK's default is 120); workers.jobs.push leases for longer


class FirebaseTransport:
    """Real FCM through firebase-admin, with the service account from FCM_CREDENTIALS."""

    def __init__(self, credentials: str | dict[str, Any], *, name: str = "stafet") -> None:
        # Imported only when FCM credentials are configured: firebase-admin pulls in google-auth and
        # its HTTP stack, which the recording transport (development, tests) never needs.
        import firebase_admin
        from firebase_admin import credentials as fb_credentials
        from firebase_admin import messaging

        self.messaging = messaging
        info = credentials if isinstance(credentials, dict) else json.load(open(credentials))
        fake_endpoint = os.environ.get("STAFET_TEST_FCM_URL")
        if fake_endpoint:  # test-only: `make faults` points worker processes at its fake FCM server
            messaging._MessagingService.FCM_URL = fake_endpoint
        try:
            self.app = firebase_admin.get_app(name)
        except ValueError:
            self.app = firebase_admin.initialize_app(fb_credentials.Certificate(info), name=name,
                                                     options={"projectId": info.get("project_id"),
                                                              "httpTimeout": HTTP_TIMEOUT})

    def _message(self, m: PushMessage) -> Any:
        messaging = self.messaging
        content = m.category == "new_content"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return messaging.Message(
                token=m.token,
                data=m.data,
                notification=messaging.Notification(title=m.title, body=m.body or None),
                android=messaging.AndroidConfig(
                    priority="normal" if content else "high",
                    ttl=CONTENT_TTL if content else TTL,
                    collapse_key="new_content" if content else None,
                    notification=messaging.AndroidNotification(channel_id=m.category),
                ),
                apns=messaging.APNSConfig(
                    headers={"apns-priority": "5" if content else "10",
                             **({"apns-collapse-id": "new_content"} if content else {})},
                    payload=messaging.APNSPayload(aps=messaging.Aps(thread_id=m.category)),
                ),
                webpush=self._webpush(m, content) if m.platform == "web" else None,
            )

    @staticmethod
    def _webpush(m: PushMessage, content: bool) -> Any:
        """Browsers show the notification themselves; a tap opens the staff app at `m.link`. `tag`
        makes a newer new-content push replace an older one, like the collapse keys above."""
        from firebase_admin import messaging

        ttl = CONTENT_TTL if content else TTL
        return messaging.WebpushConfig(
            headers={"TTL": str(int(ttl.total_seconds())), "Urgency": "normal" if content else "high"},
            notification=messaging.WebpushNotification(
                title=m.title, body=m.body or None, icon=_origin(m.link) + WEB_ICON if m.link else None,
                tag="new_content" if content else m.category),
            fcm_options=messaging.WebpushFCMOptions(link=m.link) if m.link else None,
        )

    def send(self, messages: list[PushMessage]) -> list[Outcome]:
        if not messages:
            return []
        if len(messages) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} messages per FCM call")
        batch = self.messaging.send_each([self._message(m) for m in messages], app=self.app)
        outcomes = []
        for response in batch.responses:
            if response.success:
                outcomes.append(Outcome("sent"))
            else:
                outcome = classify(response.exception)
                if outcome.status == "config_error":
                    log.error("FCM refused with THIRD_PARTY_AUTH_ERROR: fix the APNs/web credentials in the "
                              "Firebase project; pushes are failing, not retried")
                outcomes.append(outcome)
        return outcomes


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


_transport: Transport | None = None
_lock = threading.Lock()


def transport(credentials: str | None) -> Transport:
    """The process's transport: firebase-admin when credentials are configured, else the recorder."""
    global _transport
    with _lock:
        if _transport is None:
            _transport = FirebaseTransport(credentials) if credentials else RecordingTransport()
        return _transport


def set_transport(value: Transport | None) -> None:
    """Tests (and the bench) install their own transport; None resets to the configured one."""
    global _transport
    with _lock:
        _transport = value
