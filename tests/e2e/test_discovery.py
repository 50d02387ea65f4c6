"""Region discovery against a moto server: --regions all asks each account for its enabled regions."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from collector.cli.app import main
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import Record
from collector.permissions import Feature, FetcherPermissions
from collector.runner import discover, prepare
from collector.services.iam.records import Group
from collector.settings import RunSettings
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from tests.e2e.iam_seed import TRUST

pytestmark = pytest.mark.e2e


def _nothing(ctx: FetchContext) -> Iterator[Record]:
    return iter(())


REGIONAL = Fetcher(
    FetcherPermissions("regional_fake", Feature.EC2, ()), Placement.REGIONAL, (Group,), _nothing
)


def test_all_regions_come_from_the_account(local_aws: LocalAws) -> None:
    role = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    settings = RunSettings(role_arn=role, external_id="abc", fetchers=("iam",))
    prepared = prepare(settings)  # no regional fetcher selected: no DescribeRegions call
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


def test_organization_mode_without_an_organization_is_a_recorded_discovery_failure(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    role = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    db = tmp_path / "inv.sqlite"
    out = io.StringIO()
    code = main(
        ["collect", "--organization", "--role-arn", role, "--external-id", "abc", "--db", str(db)],
        out=out,
        err=io.StringIO(),
    )
    assert code == 1
    assert "123456789012/global/discovery failed" in out.getvalue()
    with SqliteStore(db) as store:
        (scope,) = store.scopes()
        # AWS answers AWSOrganizationsNotInUseException; moto lists no account, which is never real either.
        assert scope["service"] == "discovery" and scope["status"] == "failed"
        assert "listed no account" in scope["detail"] or "NotInUse" in scope["detail"]
