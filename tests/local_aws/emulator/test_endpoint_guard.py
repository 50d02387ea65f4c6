"""The endpoint guard: a client, or a whole collector run, configured without the local AWS stops before any
request leaves the machine (no name looked up, no connection opened), and loudly."""

from __future__ import annotations

import socket
from typing import Any

import botocore.session
import pytest

from collector.runner import execute, prepare
from collector.settings import RunSettings
from collector.store import SqliteStore
from local_aws.emulator import endpoint_guard
from local_aws.emulator.endpoint_guard import RealEndpointRefused


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Real credentials-looking settings and no endpoint override; records any name look-up or connect."""
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "HTTPS_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDNOTLOCAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-local")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    touched: list[tuple[str, Any]] = []

    def lookup(*args: Any, **kwargs: Any) -> Any:
        touched.append(("getaddrinfo", args[0]))
        raise OSError("the test forbids name look-ups")

    def connect(address: Any, *args: Any, **kwargs: Any) -> Any:
        touched.append(("create_connection", address))
        raise OSError("the test forbids connections")

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket, "create_connection", connect)
    return touched


def test_the_guard_is_on_for_every_test() -> None:
    assert endpoint_guard.installed()


def test_a_client_without_the_local_endpoint_fails_before_sending(no_network: list[tuple[str, Any]]) -> None:
    client: Any = botocore.session.Session().create_client("iam", region_name="us-east-1")
    with pytest.raises(RealEndpointRefused, match=r"https://iam\.amazonaws\.com/.*127\.0\.0\.1"):
        client.list_users()
    assert no_network == []  # refused before the name was looked up
    assert len(endpoint_guard.take_refusals()) == 1  # (taken, so this test itself passes)


def test_a_local_endpoint_through_a_remote_proxy_is_refused(
    no_network: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    client: Any = botocore.session.Session().create_client(
        "iam", region_name="us-east-1", endpoint_url="http://127.0.0.1:1"
    )
    with pytest.raises(RealEndpointRefused, match=r"proxy\.example"):
        client.list_users()
    assert no_network == []
    endpoint_guard.take_refusals()


def test_a_collector_run_without_the_local_aws_stops_loudly(
    no_network: list[tuple[str, Any]], tmp_path: Any
) -> None:
    """Not a quiet 'failed' scope: the refusal goes through the fetcher, the runner and its thread pool."""
    settings = RunSettings(
        role_arn="arn:aws:iam::111122223333:role/Reader", external_id="abc-123", fetchers=("iam",)
    )
    with SqliteStore(tmp_path / "run.sqlite") as store, pytest.raises(RealEndpointRefused, match="sts"):
        execute(prepare(settings), store)
    assert no_network == []
    assert endpoint_guard.take_refusals()


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:5000/", True),
        ("http://127.0.0.2:5000/", True),
        ("http://localhost:4566", True),
        ("http://[::1]:5000/", True),
        ("https://ec2.us-east-1.amazonaws.com/", False),
        ("http://169.254.169.254/latest/api/token", False),  # the instance metadata service
        ("http://10.0.0.1/", False),
        ("https://localhost.example.com/", False),
    ],
)
def test_only_loopback_is_local(url: str, local: bool) -> None:
    assert endpoint_guard.is_local(url) is local
