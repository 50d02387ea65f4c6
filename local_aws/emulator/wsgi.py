"""WSGI helpers shared by the emulations: read a body once, answer JSON, render moto's errors as JSON."""

from __future__ import annotations

import io
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.exceptions import HTTPException

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}

# moto renders its IAM-enforcement errors as XML for every protocol; botocore cannot read those for
# JSON-protocol services (it reports the HTTP status "403" as the error code). AWS answers JSON services with
# these codes (see the "Common Errors" page of each API reference).
JSON_AUTH_ERRORS: Mapping[str, tuple[str, int]] = {
    "AccessDenied": ("AccessDeniedException", 400),
    "InvalidClientTokenId": ("UnrecognizedClientException", 403),
    "SignatureDoesNotMatch": ("InvalidSignatureException", 403),
}


def read_body(environ: Environ) -> bytes:
    """The request body; ``wsgi.input`` is replaced so the application downstream reads it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def json_body(body: bytes) -> dict[str, Any] | None:
    """A JSON-protocol body as a dict; None if it is not a JSON object."""
    try:
        parsed = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return parsed if isinstance(parsed, dict) else None


def respond(
    start_response: StartResponse,
    status: int,
    payload: object,
    content_type: str = JSON_CONTENT_TYPE,
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    data = json.dumps(payload).encode()
    start_response(
        f"{status} {_REASONS.get(status, 'Error')}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(data))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
            *headers,
        ],
    )
    return [data]


def json_error(start_response: StartResponse, status: int, code: str, message: str) -> list[bytes]:
    """A JSON-protocol error: botocore reads ``__type`` as the code."""
    return respond(
        start_response, status, {"__type": code, "message": message}, headers=[("x-amzn-ErrorType", code)]
    )


def parse_xml_error(body: bytes) -> tuple[str, str] | None:
    """(code, message) of moto's XML ``ErrorResponse``; None if the body is not one."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - moto's own response, not remote input
    except ET.ParseError:
        return None
    code, message = root.findtext(".//Error/Code"), root.findtext(".//Error/Message")
    return (code, message or "") if code else None


def json_auth_error(start_response: StartResponse, code: str, message: str, status: int) -> list[bytes]:
    json_code, json_status = JSON_AUTH_ERRORS.get(code, (code, status))
    return json_error(start_response, json_status, json_code, message)


def moto_error_as_json(start_response: StartResponse, error: HTTPException) -> list[bytes]:
    """An error moto raised (its IAM check's, or a service's) for an emulated JSON-protocol operation."""
    code = getattr(error, "error_type", None)  # every moto error class sets error_type and message
    message = str(getattr(error, "message", "") or error.description or "")
    return json_auth_error(start_response, code or "InternalFailure", message, error.code or 500)


def is_json_protocol(environ: Environ) -> bool:
    return bool(environ.get("HTTP_X_AMZ_TARGET")) and "json" in str(environ.get("CONTENT_TYPE", ""))


class JsonProtocolAuthErrors:
    """Rewrites moto's XML IAM-enforcement errors for JSON-protocol requests into AWS's JSON errors.

    Applies to requests with an ``X-Amz-Target`` header and a JSON content type whose response is a 401/403
    with an XML ``ErrorResponse`` body (moto labels it text/html); every other response passes through
    untouched, and only 401/403 responses are buffered.
    """

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not is_json_protocol(environ):
            return self.app(environ, start_response)
        held: list[tuple[str, list[tuple[str, str]]]] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status[:3] in ("401", "403"):
                held.append((status, headers))
                return lambda _data: None
            return start_response(status, headers, exc_info)

        result = self.app(environ, hold)
        if not held:
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        status, headers = held[0]
        parsed = parse_xml_error(body)
        if parsed is None:
            start_response(status, headers)
            return [body]
        return json_auth_error(start_response, parsed[0], parsed[1], int(status[:3]))
