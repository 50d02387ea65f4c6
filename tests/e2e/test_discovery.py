"""Region discovery against a moto server: --regions all asks each account for its enabled regions."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from collector.fetch import Fetcher, FetchContext, Placement
from collector.models import Group, Record
from collector.permissions import Feature, FetcherPermissions
from collector.runner import RunSettings, discover, prepare
from local_aws.server import LocalAws
from tests.e2e.iam_seed import TRUST

pytestmark = pytest.mark.e2e


def _nothing(ctx: FetchContext) -> Iterator[Record]:
    return iter(())


REGIONAL = Fetcher(
    FetcherPermissions("regional_fake", Feature.EC2, ()), Placement.REGIONAL, (Group,), _nothing
)


def test_all_regions_come_from_the_account(local_aws: LocalAws) -> None:
    role = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    settings = RunSettings(role_arn=role, external_id="abc")
    prepared = prepare(settings)  # no regional fetcher registered yet: no DescribeRegions call
    assert prepared.discovery.regions == {}
    assert not any(c.operation == "DescribeRegions" for c in prepared.sessions.recorder.snapshot())

    found = discover(settings, prepared.sessions, (REGIONAL,))
    regions = found.regions["123456789012"]
    assert "us-east-1" in regions and "eu-west-1" in regions
    assert set(regions).isdisjoint(found.not_enabled["123456789012"])
    assert found.problems == ()

    explicit = discover(
        RunSettings(role_arn=role, external_id="abc", regions=("eu-west-1",)), prepared.sessions, (REGIONAL,)
    )
    assert explicit.regions == {"123456789012": ("eu-west-1",)}
