"""Where Identity Center runs (the plan), notes that are not faults, and the permission-set-to-role mapping
the store rebuilds after every run from what the Identity Center and IAM scopes stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from collector import registry
from collector.aws import Sessions
from collector.errors import status_of
from collector.models import GLOBAL, Account, Problem, Record, ScopeKey, ScopeStatus
from collector.plan import build_plan
from collector.runner import discover
from collector.services.cloudtrail.trails import Source
from collector.services.iam.records import Role
from collector.services.identity_center.parse import IdentityCenterHome
from collector.services.identity_center.records import (
    InstanceType,
    PermissionSetRole,
    ProvisionedPermissionSet,
    SsoInstance,
)
from collector.settings import RunSettings
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore

A = Account("111111111111", "arn:aws:iam::111111111111:role/Org", "management")
B = Account("222222222222", "arn:aws:iam::222222222222:role/Member", "identity")
C = Account("333333333333", "arn:aws:iam::333333333333:role/Member", "workload")
INSTANCE = "arn:aws:sso:::instance/ssoins-1111222233334444"
PS = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000001"


def test_identity_center_runs_in_the_one_account_discovery_chose() -> None:
    home = IdentityCenterHome(B.account_id, True, "the delegated administrator for sso.amazonaws.com")
    plan = build_plan(
        (A, B, C), registry.FETCHERS, regions={}, organization_account_id=A.account_id, identity_center=home
    )
    assert [(i.account.account_id, i.fetchers) for i in plan.items] == [
        (A.account_id, ("iam", "organizations")),
        (B.account_id, ("iam", "identity_center", "account_access")),  # both read where Identity Center is
        (C.account_id, ("iam",)),
    ]
    assert plan.skipped == ()


def test_identity_center_in_an_account_left_out_is_a_skipped_scope_that_says_why() -> None:
    home = IdentityCenterHome(
        B.account_id, False, "administered from 222222222222, which this run does not collect"
    )
    plan = build_plan(
        (A, C), registry.FETCHERS, regions={}, organization_account_id=A.account_id, identity_center=home
    )
    assert all("identity_center" not in i.fetchers for i in plan.items)
    assert [s.scope for s in plan.skipped] == [
        ScopeKey(B.account_id, GLOBAL, "identity_center"),
        ScopeKey(B.account_id, GLOBAL, "account_access"),
    ]
    assert all("does not collect" in s.reason for s in plan.skipped)


def _one_region_aws(session: Any) -> None:
    """An account whose only region is us-east-1, answered in-process."""

    def answer(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        assert model.name == "DescribeRegions", model.name
        regions = [{"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"}]
        return AWSResponse("https://ec2.invalid", 200, HTTPHeaders(), None), {"Regions": regions}

    session.register("before-call.ec2", answer)


@pytest.mark.usefixtures("offline_aws")
def test_a_single_account_reads_identity_center_only_when_asked_by_name() -> None:
    # Identity Center is an opt-in feature of the role: by default a single account's role lacks it.
    # Discovery checks the given region with DescribeRegions (answered here); no trail to find.
    sessions = Sessions(external_id="abc-123", run_id="r", prepare_session=_one_region_aws)
    one_region = ("us-east-1",)
    settings = RunSettings(
        role_arn=A.role_arn, external_id="abc-123", regions=one_region, cloudtrail_source=Source.LOOKUP
    )
    default = discover(settings, sessions, registry.FETCHERS)
    assert default.identity_center is None and default.problems == ()
    named = RunSettings(
        role_arn=A.role_arn, external_id="abc-123", regions=one_region, fetchers=("iam", "identity_center")
    )
    found = discover(named, sessions, registry.select(named.fetchers))
    assert found.identity_center == IdentityCenterHome(A.account_id, True, "the collected account")
    plan = build_plan(
        found.accounts, registry.select(named.fetchers), regions={}, identity_center=found.identity_center
    )
    assert [i.fetchers for i in plan.items] == [("iam", "identity_center")]


def test_notes_never_change_a_scope_status() -> None:
    note = Problem(ScopeStatus.COMPLETE, "", "no IAM Identity Center instance")
    denied = Problem(ScopeStatus.DENIED, "users", "ListUsers", "identitystore:ListUsers")
    assert status_of([note]) is ScopeStatus.COMPLETE
    assert status_of([note, denied]) is ScopeStatus.PARTIAL  # the note is not the scope's main-call fault


# --- the mapping the store derives ------------------------------------------------------------------------


def _scope(account: str, service: str, kinds: tuple[type[Record], ...], *records: Record) -> ScopeOutcome:
    result = ScopeResult(
        ScopeKey(account, GLOBAL, service), ScopeStatus.COMPLETE, (), len(records), "t0", "t1"
    )
    return ScopeOutcome(result, records, kinds)


def _role(account: str, name: str) -> Role:
    path = "/aws-reserved/sso.amazonaws.com/"
    return Role(
        account_id=account,
        arn=f"arn:aws:iam::{account}:role{path}{name}",
        name=name,
        role_id=f"AROA{name[-8:]}",
        path=path,
        create_date="2024-01-01T00:00:00+00:00",
        trust_policy={},
    )


def _identity_center(*targets: str) -> ScopeOutcome:
    instance = SsoInstance(
        account_id=B.account_id,
        instance_arn=INSTANCE,
        identity_store_id="d-1234567890",
        home_region="us-east-1",
        owner_account_id=A.account_id,
        instance_type=InstanceType.ORGANIZATION.value,
    )
    provisioned = [
        ProvisionedPermissionSet(
            account_id=B.account_id,
            permission_set_arn=PS,
            target_account_id=t,
            instance_arn=INSTANCE,
            permission_set_name="Admin",
        )
        for t in targets
    ]
    return _scope(
        B.account_id, "identity_center", (SsoInstance, ProvisionedPermissionSet), instance, *provisioned
    )


def _run(db: SqliteStore, run_id: str, *outcomes: ScopeOutcome) -> None:
    db.start_run(run_id, "t0", {})
    for outcome in outcomes:
        db.write_scope(run_id, outcome)
    db.finish_run(RunManifest(run_id, "t0", "t1", {}, tuple(o.result for o in outcomes), ()))


def test_the_store_maps_each_provisioned_permission_set_to_its_role_after_every_run(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _run(
            db,
            "r1",
            _identity_center(A.account_id, C.account_id),
            _scope(
                C.account_id, "iam", (Role,), _role(C.account_id, "AWSReservedSSO_Admin_0123456789abcdef")
            ),
        )
        first = {r["account_id"]: (r["match"], r["role_name"]) for r in db.rows(PermissionSetRole.KIND)}
        assert first == {
            A.account_id: ("iam_not_collected", None),
            C.account_id: ("matched", "AWSReservedSSO_Admin_0123456789abcdef"),
        }
        # A later run that collects only IAM of A rebuilds the mapping from everything stored.
        _run(db, "r2", _scope(A.account_id, "iam", (Role,)))
        second = {r["account_id"]: r["match"] for r in db.rows(PermissionSetRole.KIND)}
        assert second == {A.account_id: "role_not_found", C.account_id: "matched"}
        assert db.counts()[PermissionSetRole.KIND] == 2
