"""Offline clients for fetcher tests: botocore's Stubber, and raw HTTP answers for the retry path."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.stub import Stubber

from collector.fetch import FetchContext, Fetcher, RunCache
from collector.models import GLOBAL, Account
from tests.collector.canned import ACCOUNT

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Reader"


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.Session()  # one for every test: it loads each service model once


def offline_client(service: str, region: str = "us-east-1") -> Any:
    return _session().create_client(
        service,
        region_name=region,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-secret",
        endpoint_url="https://example.invalid",
    )


class StubbedClients:
    """A ClientFactory whose clients answer from a Stubber queue, in order."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.stubs: dict[str, Stubber] = {}

    def stub(self, service: str) -> Stubber:
        if service not in self.stubs:
            client = offline_client(service)
            self.clients[service] = client
            self.stubs[service] = Stubber(client)
            self.stubs[service].activate()
        return self.stubs[service]

    def client(self, service: str, region: str | None = None) -> Any:
        return self.clients[service]

    def assert_no_pending(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


class FakeClock:
    """time.time and time.sleep for a test: sleeping advances the clock, and is recorded."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or datetime.now(UTC)).timestamp()
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def context(
    fetcher: Fetcher,
    clients: Any,
    *,
    clock: FakeClock | None = None,
    region: str = GLOBAL,
    cache: RunCache | None = None,
) -> FetchContext:
    clock = clock or FakeClock()
    return FetchContext(
        account=Account(ACCOUNT, ROLE_ARN),
        region=region,
        fetcher=fetcher,
        clients=clients,
        run_id="run-1",
        cache=cache or RunCache(),
        sleep=clock.sleep,
        clock=clock.time,
    )


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def http_answers(answers: list[tuple[int, str]]) -> Callable[..., AWSResponse]:
    """A 'before-send' handler answering each HTTP request with the next (status, XML body) in turn."""
    queue = list(answers)

    def handler(request: Any, **_: Any) -> AWSResponse:
        status, body = queue.pop(0)
        headers = HTTPHeaders()
        headers["Content-Type"] = "text/xml"
        return AWSResponse(request.url, status, headers, _Raw(body.encode()))

    return handler


def iam_xml(operation: str, result: str) -> str:
    return (
        f'<{operation}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><{operation}Result>{result}'
        f"</{operation}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{operation}Response>"
    )


def error_xml(code: str, message: str = "") -> str:
    return (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>r</RequestId></ErrorResponse>"
    )


def assume_role_xml(expiration: datetime) -> str:
    return (
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
        "<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
        f"<SessionToken>t</SessionToken><Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
        "</Credentials><AssumedRoleUser><AssumedRoleId>AROA:x</AssumedRoleId>"
        f"<Arn>arn:aws:sts::{ACCOUNT}:assumed-role/Reader/x</Arn></AssumedRoleUser></AssumeRoleResult>"
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>"
    )
