"""The JSON-protocol auth-error rewrite, on a fake WSGI application (no moto)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

import pytest

from local_aws.emulator.wsgi import JsonProtocolAuthErrors, read_body

XML_DENIED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code>'
    b"<Message>User: arn:aws:iam::123456789012:user/u is not authorized to perform: "
    b"sso:ListInstances</Message>"
    b"<Type>Sender</Type></Error></Errors></ErrorResponse>"
)


def app_answering(status: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response(status, [("Content-Type", content_type)])
        return [body]

    return app


def call(app: Any, json_request: bool = True) -> tuple[str, dict[str, str], bytes]:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "wsgi.input": io.BytesIO(b"{}")}
    if json_request:
        environ |= {
            "HTTP_X_AMZ_TARGET": "SWBExternalService.ListInstances",
            "CONTENT_TYPE": "application/x-amz-json-1.1",
        }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, dict(headers)
        return lambda _: None

    body = b"".join(JsonProtocolAuthErrors(app)(environ, start_response))
    return seen["status"], seen["headers"], body


def test_an_xml_access_denied_for_a_json_service_becomes_access_denied_exception() -> None:
    status, headers, body = call(app_answering("403 FORBIDDEN", XML_DENIED))
    error = json.loads(body)
    assert status.startswith("400") and error["__type"] == "AccessDeniedException"
    assert "sso:ListInstances" in error["message"] and headers["x-amzn-ErrorType"] == "AccessDeniedException"


@pytest.mark.parametrize(
    ("status", "body", "json_request"),
    [
        ("403 FORBIDDEN", b'{"__type": "AccessDeniedException", "message": "no"}', True),  # already JSON
        ("200 OK", b'{"Instances": []}', True),
        ("403 FORBIDDEN", XML_DENIED, False),  # Query protocol: botocore reads the XML itself
    ],
)
def test_everything_else_passes_through_unchanged(status: str, body: bytes, json_request: bool) -> None:
    got_status, _, got_body = call(app_answering(status, body), json_request)
    assert (got_status, got_body) == (status, body)


def test_a_body_read_once_can_be_read_again_downstream() -> None:
    environ: dict[str, Any] = {"CONTENT_LENGTH": "7", "wsgi.input": io.BytesIO(b"payload-and-more")}
    assert read_body(environ) == b"payload"
    assert environ["wsgi.input"].read() == b"payload"
