"""``deployed_customer``: the demo's organization deployed once per session (the CDK deploy is slow)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.deployed import DeployedCustomer, deploy_customer


@pytest.fixture(scope="session")
def deployed_customer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployedCustomer]:
    yield from deploy_customer(tmp_path_factory.mktemp("deployed"))
