"""Prometheus metrics: request counts and latencies per endpoint (not per raw path)."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("stafet_http_requests_total", "HTTP requests", ["method", "endpoint", "status"], registry=REGISTRY)
LATENCY = Histogram(
    "stafet_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "endpoint"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
JOBS = Counter("stafet_jobs_total", "Background jobs run", ["job", "outcome"], registry=REGISTRY)
# Anyone can send any method name; each new label value is a new series kept forever. Fold the rest.
KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "OTHER"


def may_read(remote_addr: str | None, authorization: str | None, token: str | None,
             allowed: tuple[str, ...]) -> bool:
    """Metrics tell request volumes and error rates: for the scraper only. It shows
    METRICS_TOKEN as a bearer token, or calls from an address in METRICS_ALLOW (loopback by default)."""
    if token and authorization and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(block) for block in allowed)


def render() -> Response:
    # Under gunicorn with several workers, PROMETHEUS_MULTIPROC_DIR aggregates all processes.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)


def init_metrics(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g._started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule else "<unmatched>"
        method = method_label(request.method)
        REQUESTS.labels(method, endpoint, str(response.status_code)).inc()
        started = g.get("_started")
        if started is not None:
            LATENCY.labels(method, endpoint).observe(time.perf_counter() - started)
        return response
