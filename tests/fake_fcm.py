"""A local fake of FCM HTTP v1 (and Google's OAuth token endpoint) for the real firebase-admin SDK.

Tests point the SDK at it (`messaging._MessagingService.FCM_URL` and the service account's
`token_uri`), so every push goes through firebase-admin's real encoding, HTTP and error
mapping. Answers are programmable per token: success, UNREGISTERED, SENDER_ID_MISMATCH,
INVALID_ARGUMENT, QUOTA_EXCEEDED (with Retry-After), UNAVAILABLE, THIRD_PARTY_AUTH_ERROR.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERRORS = {
    "UNREGISTERED": (404, "NOT_FOUND", "Requested entity was not found."),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED", "SenderId mismatch"),
    "INVALID_ARGUMENT": (400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED", "Quota exceeded."),
    "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "Internal error."),
    "THIRD_PARTY_AUTH_ERROR": (401, "UNAUTHENTICATED", "APNs certificate invalid."),
}


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # send_each opens up to 500 connections at once
    daemon_threads = True


class FakeFCM:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []  # every message FCM accepted
        self.requests = 0
        self.answers: dict[str, list[str]] = {}  # token -> answers to give, in order (then "OK")
        self.default = "OK"
        self.retry_after = "120"
        self._lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def answer(self, token: str, *answers: str) -> None:
        self.answers[token] = list(answers)

    def _next(self, token: str) -> str:
        with self._lock:
            queue = self.answers.get(token)
            if queue:
                return queue.pop(0)
            return self.default

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path == "/token":
                    self._reply(200, {"access_token": "fake-" + uuid.uuid4().hex, "expires_in": 3600,
                                      "token_type": "Bearer"})
                    return
                if not self.path.endswith("/messages:send"):
                    self._reply(404, {"error": {"code": 404, "message": "no such path", "status": "NOT_FOUND"}})
                    return
                message = json.loads(raw)["message"]
                with fake._lock:
                    fake.requests += 1
                answer = fake._next(message.get("token", ""))
                if answer == "OK":
                    with fake._lock:
                        fake.received.append(message)
                    self._reply(200, {"name": f"projects/p/messages/{uuid.uuid4().int % 10**12}"})
                    return
                status, code, text = ERRORS[answer]
                headers = {"Retry-After": fake.retry_after} if answer == "QUOTA_EXCEEDED" else None
                self._reply(status, {"error": {"code": status, "message": text, "status": code, "details": [
                    {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": answer}]}},
                    headers)

        return Handler

    def start(self) -> FakeFCM:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def service_account(self) -> dict[str, str]:
        """A service-account JSON with a fresh RSA key whose OAuth endpoint is this server."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        return {"type": "service_account", "project_id": "stafet-test", "private_key_id": uuid.uuid4().hex,
                "private_key": pem, "client_email": "push@stafet-test.iam.gserviceaccount.com",
                "client_id": "1", "token_uri": f"{self.url}/token"}


class FakeFCMClient:
    """The parts of FakeFCM a transport needs, for a fake served by another process."""

    def __init__(self, url: str) -> None:
        self.url = url

    service_account = FakeFCM.service_account


@contextmanager
def firebase_transport(fake: FakeFCM) -> Iterator[Any]:
    """A real FirebaseTransport wired to the fake server (no SDK-internal retries, or each 5xx costs seconds)."""
    import firebase_admin
    import requests
    from firebase_admin import messaging

    from workers.fcm import FirebaseTransport

    original = messaging._MessagingService.FCM_URL
    messaging._MessagingService.FCM_URL = fake.url + "/v1/projects/{0}/messages:send"
    name = f"fake-{uuid.uuid4().hex[:8]}"
    try:
        transport = FirebaseTransport(fake.service_account(), name=name)
        service = messaging._get_messaging_service(transport.app)
        service._client.session.mount("http://", requests.adapters.HTTPAdapter(max_retries=0))
        yield transport
    finally:
        messaging._MessagingService.FCM_URL = original
        try:
            firebase_admin.delete_app(firebase_admin.get_app(name))
        except ValueError:
            pass


@contextmanager
def serving_fcm() -> Iterator[FakeFCM]:
    """A fake FCM server that the workers' pushes (workers.fcm, through firebase-admin) go to for the
    length of the block: the fixture behind every push test."""
    from workers import fcm

    server = FakeFCM().start()
    try:
        with firebase_transport(server) as transport:
            fcm.set_transport(transport)
            yield server
    finally:
        fcm.set_transport(None)
        server.stop()
