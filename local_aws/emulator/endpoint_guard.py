"""The endpoint guard: in tests and benchmarks, no AWS request may leave this machine.

A test or benchmark that forgot its local endpoint (or its in-process fake) would otherwise reach a real AWS
endpoint with fake keys, fail slowly after retries, or worse, succeed with someone's real credentials.
``install()`` wraps the one place every botocore request goes through on its way to the network
(``URLLib3Session.send``, below every session, client, retry and Stubber or ``before-send`` fake) and
refuses any request whose host, or proxy, is not the loopback interface: it raises ``RealEndpointRefused``
before a connection is opened (even before the name is resolved) and remembers the refusal.

``RealEndpointRefused`` is a ``BaseException`` on purpose: the collector classifies every ``Exception`` of
a scope into its status and goes on, which would turn this mistake into a quiet "failed" row. A
``BaseException`` goes through botocore, the collector and the thread pool up to the test or benchmark.
The tests' autouse fixture also fails any test during which a refusal happened (``take_refusals``), in
case some code swallowed it anyway.
"""

from __future__ import annotations

import ipaddress
import threading
from typing import Any
from urllib.parse import urlsplit

from botocore.httpsession import URLLib3Session

LOCAL_NAMES = frozenset({"localhost"})


class RealEndpointRefused(BaseException):
    """A request was about to leave this machine for a non-local endpoint."""


def is_local(url: str) -> bool:
    """Whether the URL's host is this machine's loopback interface (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_lock = threading.Lock()
_refusals: list[str] = []
_original: dict[str, Any] = {}  # "send": botocore's own, once installed


def _guarded_send(self: URLLib3Session, request: Any) -> Any:
    proxy = self._proxy_config.proxy_url_for(request.url)  # type: ignore[attr-defined]
    for url in (request.url, proxy):
        if url and not is_local(url):
            message = (
                f"refused to send {request.method} {request.url}"
                + (f" through the proxy {proxy}" if proxy else "")
                + ": tests and benchmarks may only reach the local AWS on 127.0.0.1 (set AWS_ENDPOINT_URL, "
                "use the local_aws fixture, or answer the call in-process)"
            )
            with _lock:
                _refusals.append(message)
            raise RealEndpointRefused(message)
    return _original["send"](self, request)


def install() -> None:
    """Refuse every non-local request from now on, in this process (idempotent)."""
    with _lock:
        if "send" not in _original:
            _original["send"] = URLLib3Session.send
            URLLib3Session.send = _guarded_send  # type: ignore[method-assign]


def installed() -> bool:
    return "send" in _original


def take_refusals() -> list[str]:
    """The refusals since the last call (and forget them)."""
    with _lock:
        found = list(_refusals)
        _refusals.clear()
    return found
