"""Shared fixtures. ``local_aws`` is one real moto server process for the whole session.

No test may reach a real AWS endpoint: the endpoint guard refuses any request whose host is not loopback
(installed for the whole session, before any test module is imported), and a test during which a request was
refused fails even if the code under test swallowed the refusal.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_aws.emulator import endpoint_guard
from local_aws.emulator.server import LocalAws
from tests.local_env import point_at

endpoint_guard.install()


@pytest.fixture(autouse=True)
def _no_real_endpoint() -> Iterator[None]:
    endpoint_guard.take_refusals()
    yield
    refused = endpoint_guard.take_refusals()
    if refused:
        pytest.fail("a request was about to leave this machine:\n" + "\n".join(refused), pytrace=False)


@pytest.fixture(scope="session")
def local_aws_server() -> Iterator[LocalAws]:
    with LocalAws() as server:
        yield server


@pytest.fixture
def local_aws(local_aws_server: LocalAws, monkeypatch: pytest.MonkeyPatch) -> LocalAws:
    """A clean local AWS for one test, with the process environment pointed at it."""
    local_aws_server.reset()
    point_at(local_aws_server, monkeypatch)
    return local_aws_server
