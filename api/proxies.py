"""The client's address behind the TLS proxy: X-Forwarded-* believed only from trusted hops.

Behind a proxy every request comes from the proxy's address, so visitor hashing (clicks), the
per-address rate limits and the logs would all see one client. TRUSTED_PROXIES says who may
tell us the real one:

- a number `n`: exactly n proxies stand in front of the app, each appending the address it saw
  to X-Forwarded-For; werkzeug's `ProxyFix` takes the n-th address from the right (anything
  further left is whatever the client wrote, and ignored). Scheme and host come from the
  nearest proxy.
- networks (`10.0.0.0/8,fd00::/8`): only a request whose direct peer is in them has its
  headers read; X-Forwarded-For is walked from the right past every trusted address, and the
  first address that is not a proxy's is the client. A client's own X-Forwarded-For (forged or
  not) sits to the left of that and is never reached.

Unset (the default), the headers are ignored and the direct peer is the client. Everything
downstream reads `request.remote_addr` (and `request.scheme`/`request.host`) and sees the result.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ORIGINAL_REMOTE_ADDR = "stafet.proxies.remote_addr"  # the direct peer, kept for debugging


def _address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[Network]) -> str | None:
    """The client's address for a request from `peer` carrying X-Forwarded-For `forwarded_for`,
    believing only hops in `trusted`; None when the headers may not or cannot change it."""
    networks = tuple(trusted)

    def is_trusted(address: Any) -> bool:
        return address is not None and any(address in network for network in networks)

    if not is_trusted(_address(peer)) or not forwarded_for:
        return None
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return None  # a trusted proxy wrote something that is no address: keep the peer
        if not is_trusted(address):
            return str(address)
    return str(_address(hops[0]))  # every hop is a proxy of ours: the first one is the origin


class TrustedNetworks:
    """WSGI middleware: X-Forwarded-For/-Proto/-Host from peers in `networks` only (see the module)."""

    def __init__(self, app: Callable[..., Any], networks: Iterable[str]) -> None:
        self.app = app
        self.networks = tuple(ipaddress.ip_network(n, strict=False) for n in networks)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = environ.get("REMOTE_ADDR")
        client = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.networks)
        if client is not None:
            environ[ORIGINAL_REMOTE_ADDR] = peer
            environ["REMOTE_ADDR"] = client
            proto = _last(environ.get("HTTP_X_FORWARDED_PROTO"))
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
            host = _last(environ.get("HTTP_X_FORWARDED_HOST"))
            if host:
                environ["HTTP_HOST"] = host
        return self.app(environ, start_response)


def _last(header: str | None) -> str | None:
    """The value the nearest proxy set (each proxy appends)."""
    if not header:
        return None
    return header.split(",")[-1].strip() or None


def init_proxies(app: Flask) -> None:
    trusted = app.config["TRUSTED_PROXIES"]
    if isinstance(trusted, int):
        if trusted > 0:
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=1, x_host=1)  # type: ignore[method-assign]
        return
    app.wsgi_app = TrustedNetworks(app.wsgi_app, trusted)  # type: ignore[method-assign]
