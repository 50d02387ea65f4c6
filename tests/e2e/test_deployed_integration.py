"""The integration as a customer deploys it (CDK CLI + StackSet, under IAM enforcement) and the collector as
the vendor runs it: the deployed policy is exactly what the collector needs, no more, no less."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from botocore.exceptions import ClientError

from cdk_app import build
from collector import registry
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for, all_permissions
from collector.store import SqliteStore, kind_tables
from constructs_lib.policies import DECRYPT_VIA_SID, DENY_DECRYPT_SID
from local_aws.demo import flow
from local_aws.demo.summary import render_summary
from local_aws.deploy import organization as deploy
from local_aws.seed import account_session
from tests.e2e.deployed import DeployedCustomer, collect

pytestmark = [pytest.mark.e2e, pytest.mark.cdk]

MANAGEMENT_FEATURES = DEFAULT_FEATURES | {Feature.ORGANIZATIONS, Feature.IDENTITY_CENTER}


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement.get("Action", [])
    return {action} if isinstance(action, str) else set(action)


def _attached_statements(store: SqliteStore, role_arn: str) -> list[dict[str, Any]]:
    attached = {
        a["policy_arn"]
        for a in store.rows("policy_attachments")
        if a["principal_arn"] == role_arn and a["attachment"] == "attached"
    }
    return [s for p in store.rows("policies") if p["arn"] in attached for s in p["document"]["Statement"]]


def granted(store: SqliteStore, role_arn: str) -> tuple[set[str], set[str]]:
    """(allowed, denied) actions of the unconditional statements of the managed policies attached to the
    role, as the collector read them (the conditional kms:Decrypt pair: ``conditional``)."""
    allowed: set[str] = set()
    denied: set[str] = set()
    for statement in _attached_statements(store, role_arn):
        if "Condition" not in statement:
            (allowed if statement["Effect"] == "Allow" else denied).update(_actions(statement))
    return allowed, denied


def conditional(store: SqliteStore, role_arn: str) -> dict[str, dict[str, Any]]:
    """The role's conditional statements by Sid."""
    return {s["Sid"]: s for s in _attached_statements(store, role_arn) if "Condition" in s}


def _identity_store(deployed: DeployedCustomer) -> Any:
    """The identity store as the customer's administrator (its own key, under IAM enforcement)."""
    key = deployed.customer.administrator.key
    return boto3.client(
        "identitystore",
        region_name=deployed.customer.organization.identity_center.home_region,
        endpoint_url=deployed.aws.endpoint_url,
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret_access_key,
    )


def _hire(deployed: DeployedCustomer, count: int) -> list[str]:
    """The customer adds people to the identity store; returns their user IDs."""
    store_id = deployed.customer.organization.identity_center.identity_store_id
    return [
        _identity_store(deployed).create_user(
            IdentityStoreId=store_id,
            UserName=f"new-hire-{n}",
            DisplayName=f"New Hire {n}",
            Name={"GivenName": "New", "FamilyName": f"Hire {n}"},
        )["UserId"]
        for n in range(count)
    ]


def test_the_deployed_policy_is_exactly_what_the_collector_needs(
    deployed_customer: DeployedCustomer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The vendor's run: every enabled region, every fetcher, the role's credentials only.
    db = tmp_path / "inventory.sqlite"
    run = collect(deployed_customer, monkeypatch, db)
    # Identity Center lists assignments per principal (few people) or per provisioned pair (many): once the
    # customer has as many people as pairs, the next run takes the other listing.
    center = deployed_customer.customer.organization.identity_center
    principals = len(center.users) + len(center.groups)
    hired = _hire(deployed_customer, max(1, len(center.provisioned_roles) - principals))
    try:
        second = collect(deployed_customer, monkeypatch, db, "--fetchers", "identity_center")
    finally:
        for user_id in hired:
            _identity_store(deployed_customer).delete_user(
                IdentityStoreId=center.identity_store_id, UserId=user_id
            )
    responses = run.responses + second.responses

    assert [r for r in responses if r.denied] == []
    for made in (run, second):
        assert made.code == 0, [r for r in made.manifest.scopes if not r.status.is_ok]
        assert set(made.scopes().values()) <= {"complete", "skipped"}
    details = [
        r.detail
        for r in (*run.manifest.scopes, *second.manifest.scopes)
        if r.scope.service == "identity_center"
    ]
    assert any("listed per_principal" in d for d in details) and any(
        "listed per_provisioned_pair" in d for d in details
    )

    # What the customer granted, read back from the inventory itself (the role's own attached policies).
    management = deployed_customer.management_account_id
    roles = {management: deployed_customer.integration.management_role_arn}
    for account in deployed_customer.integration.member_account_ids:
        roles[account] = f"arn:aws:iam::{account}:role/{deployed_customer.integration.member_role_name}"
    with SqliteStore(db) as store:
        grants = {account: granted(store, arn) for account, arn in roles.items()}
        conditions = {account: conditional(store, arn) for account, arn in roles.items()}
    # Only the account that reads Identity Center may decrypt, and only through it, in its home region.
    region = deployed_customer.customer.organization.identity_center.home_region
    services = [f"identitystore.{region}.amazonaws.com", f"sso.{region}.amazonaws.com"]
    assert conditions.pop(management) == {
        DECRYPT_VIA_SID: {
            "Sid": DECRYPT_VIA_SID,
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": services}},
        },
        DENY_DECRYPT_SID: {
            "Sid": DENY_DECRYPT_SID,
            "Effect": "Deny",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"kms:ViaService": services}},
        },
    }
    assert all(not found for found in conditions.values())
    assert set(roles) == set(deployed_customer.customer.organization.organization.account_ids)
    for account, (allowed, never) in grants.items():
        features = MANAGEMENT_FEATURES if account == management else DEFAULT_FEATURES
        assert allowed == set(actions_for(features)), account
        assert never and not (allowed & never)  # the explicit data-plane Deny is attached everywhere

    # Every API of every fetcher was called with success, and nothing else (AssumeRole aside).
    registered = {p for f in registry.FETCHERS for p in f.permissions.permissions}
    succeeded = {r.api for r in responses if r.status < 300}
    # GetEventSelectors: only for a trail that DescribeTrails lists (none here; test_cloudtrail_from_s3.py).
    trail_only = {"cloudtrail:GetEventSelectors"}
    assert succeeded - {"sts:AssumeRole"} == {p.api for p in registered} - trail_only
    # So the grant is exactly sufficient: each granted action was needed by some call. Actions of a
    # feature whose fetcher is not in the registry yet are the only ones granted and not exercised.
    not_registered = {p.action for p in all_permissions()} - {p.action for p in registered}
    allowed_anywhere = set().union(*(allowed for allowed, _ in grants.values()))
    assert allowed_anywhere == {p.action for p in registered} | not_registered


# --- the vendor's runs over time -----------------------------------------------------------------------

REGIONS = "us-east-1,eu-west-1"  # the seeded regions: later runs need not visit every empty one
# The collector's own calls that CloudTrail records (it generates the credential report).
COLLECTOR_SESSION = "aws-readonly-collector@"


@contextmanager
def customer_changes(deployed: DeployedCustomer) -> Iterator[Callable[[str, str], Any]]:
    """Clients in any account for changes the customer makes between two runs. moto's placeholder keys
    reach any account only without enforcement, so it is paused meanwhile."""
    deployed.aws.enforce_iam(False)
    try:
        yield lambda account, service: account_session(deployed.aws.endpoint_url, account).client(service)
    finally:
        deployed.aws.enforce_iam(True)


def rows_by_kind(db: Path) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every stored row, by kind and primary key, without the run that wrote it."""
    found: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    with SqliteStore(db) as store:
        tables = kind_tables()
        for kind, table in tables.items():
            found[kind] = {
                tuple(row[k] for k in table.key): {k: v for k, v in row.items() if k != "run_id"}
                for row in store.rows(kind)
            }
    return found


@pytest.fixture(scope="module")
def baseline(
    deployed_customer: DeployedCustomer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """The demo's step 4: the collector's CLI in its own process with the vendor's key only (2 regions)."""
    db = tmp_path_factory.mktemp("baseline") / "inventory.sqlite"
    code = flow.collect_as_vendor(
        deployed_customer.aws,
        deployed_customer.customer,
        deployed_customer.integration,
        deployed_customer.external_id,
        db,
    )
    assert code == 0
    with SqliteStore(db) as store:
        (run,) = store.runs()
    return db, run["run_id"]


def test_the_demo_run_collects_the_seeded_organization_and_summarizes_it(
    deployed_customer: DeployedCustomer, baseline: tuple[Path, str]
) -> None:
    db, _ = baseline
    truth = deployed_customer.customer.organization
    management = deployed_customer.management_account_id
    administrator = deployed_customer.customer.administrator.iam_truth()
    with SqliteStore(db) as store:
        counts = store.counts()
        users = {(u["account_id"], u["name"]) for u in store.rows("users")}
        keys = {k["access_key_id"] for k in store.rows("access_keys")}
        instances = {i["instance_id"] for i in store.rows("ec2_instances")}
        scopes = store.scopes()
    expected_users = {(t.account_id, u) for t in (*truth.iam, administrator) for u in t.users}
    assert users == expected_users
    assert keys == {k.access_key_id for t in (*truth.iam, administrator) for k in t.access_keys}
    assert instances == {i for t in truth.ec2 for i in t.instances}
    assert counts["organization_accounts"] == len(truth.organization.accounts)
    assert {s["status"] for s in scopes} == {"complete"}

    summary = render_summary(db)
    for account in truth.organization.accounts:
        assert f"{account.id}  {account.name}" in summary
    assert f"{counts['users']} users" in summary
    assert f"{counts['ec2_instances']} instances" in summary
    assert f"{len(scopes)}: {len(scopes)} complete" in summary
    assert management in summary


def test_a_wrong_external_id_is_refused(
    deployed_customer: DeployedCustomer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "inventory.sqlite"
    run = collect(deployed_customer, monkeypatch, db, "--regions", REGIONS, external_id="Wrong-ExternalId")

    assert run.code == 1
    (discovery,) = run.manifest.scopes
    assert discovery.status.value == "denied" and discovery.missing_actions == ("sts:AssumeRole",)
    assert [(r.api, r.error_code) for r in run.responses] == [("sts:AssumeRole", "AccessDenied")]
    with SqliteStore(db) as store:
        assert set(store.counts().values()) == {0}

    # A member account's role (across accounts: the trust policy is evaluated in the role's account).
    member = deployed_customer.integration.member_account_ids[0]
    role = f"arn:aws:iam::{member}:role/{deployed_customer.integration.member_role_name}"
    sts = deployed_customer.customer.vendor.session().client(
        "sts", region_name="us-east-1", endpoint_url=deployed_customer.aws.endpoint_url
    )
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=role, RoleSessionName="vendor", ExternalId="Wrong-ExternalId")
    with pytest.raises(ClientError) as missing:
        sts.assume_role(RoleArn=role, RoleSessionName="vendor")
    assert (
        refused.value.response["Error"]["Code"] == missing.value.response["Error"]["Code"] == "AccessDenied"
    )
    assert sts.assume_role(RoleArn=role, RoleSessionName="vendor", ExternalId=deployed_customer.external_id)


def test_running_again_stores_the_same_inventory(
    deployed_customer: DeployedCustomer,
    baseline: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "inventory.sqlite"
    shutil.copy(baseline[0], db)
    before = rows_by_kind(db)

    run = collect(deployed_customer, monkeypatch, db, "--regions", REGIONS)

    assert run.code == 0
    after = rows_by_kind(db)
    events_before, events_after = before.pop("cloudtrail_events"), after.pop("cloudtrail_events")
    # The only change is the one the first run made: the integration roles were last used by it.
    role_name = deployed_customer.integration.member_role_name
    integration_roles = [k for k in before["roles"] if k[2].endswith(f":role/{role_name}")]
    assert len(integration_roles) == len(deployed_customer.customer.organization.organization.accounts)
    for key in integration_roles:
        first, second = before["roles"].pop(key), after["roles"].pop(key)
        assert second["last_used_date"] > first["last_used_date"]
        volatile = {"last_used_date", "last_used_region", "raw"}
        assert {k: v for k, v in first.items() if k not in volatile} == {
            k: v for k, v in second.items() if k not in volatile
        }
    assert after == before  # the same entities with the same content: no duplicate, nothing lost
    # Events accumulate: the new ones are those the first run itself caused (its credential reports).
    new = [events_after[k] for k in events_after.keys() - events_before.keys()]
    assert set(events_before) <= set(events_after)
    assert {(e["event_name"], e["username"].split("@")[0] + "@") for e in new} <= {
        ("GenerateCredentialReport", COLLECTOR_SESSION)
    }


def test_a_removed_user_leaves_the_inventory(
    deployed_customer: DeployedCustomer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = deployed_customer.integration.member_account_ids[-1]
    db = tmp_path / "inventory.sqlite"
    with customer_changes(deployed_customer) as client:
        iam = client(member, "iam")
        iam.create_user(UserName="contractor")
        iam.add_user_to_group(GroupName="developers", UserName="contractor")
        key = iam.create_access_key(UserName="contractor")["AccessKey"]["AccessKeyId"]
    first = collect(deployed_customer, monkeypatch, db, "--fetchers", "iam")
    with SqliteStore(db) as store:
        assert (member, "contractor") in {(u["account_id"], u["name"]) for u in store.rows("users")}
        users_before = store.counts()["users"]

    with customer_changes(deployed_customer) as client:
        iam = client(member, "iam")
        iam.delete_access_key(UserName="contractor", AccessKeyId=key)
        iam.remove_user_from_group(GroupName="developers", UserName="contractor")
        iam.delete_user(UserName="contractor")
    second = collect(deployed_customer, monkeypatch, db, "--fetchers", "iam")

    assert first.code == second.code == 0
    with SqliteStore(db) as store:
        assert "contractor" not in {u["name"] for u in store.rows("users")}
        assert key not in {k["access_key_id"] for k in store.rows("access_keys")}
        assert "contractor" not in {m["user_name"] for m in store.rows("group_memberships")}
        assert store.counts()["users"] == users_before - 1


def test_a_role_without_one_catalog_action_denies_that_scope_and_keeps_its_data(
    deployed_customer: DeployedCustomer,
    baseline: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "inventory.sqlite"
    shutil.copy(baseline[0], db)
    _, first_run = baseline
    member = deployed_customer.integration.member_account_ids[0]
    missing = "ec2:DescribeInstances"
    role = deployed_customer.integration.member_role_name

    with customer_changes(deployed_customer) as client:
        restore = _remove_action(client(member, "iam"), role, missing)
    try:
        run = collect(deployed_customer, monkeypatch, db, "--regions", REGIONS)
    finally:
        with customer_changes(deployed_customer) as client:
            restore(client(member, "iam"))

    assert run.code == 1
    bad = {scope: status for scope, status in run.scopes().items() if status != "complete"}
    assert bad == {(member, region, "ec2"): "denied" for region in REGIONS.split(",")}
    for result in run.manifest.scopes:
        if result.status.value == "denied":
            assert result.missing_actions == (missing,)
    # Only that call was refused (once per region: botocore does not retry a denial).
    assert [r.api for r in run.responses if r.denied] == ["ec2:DescribeInstances"] * 2
    with SqliteStore(db) as store:
        kept = [i for i in store.rows("ec2_instances") if i["account_id"] == member]
        scopes = {(s["account_id"], s["region"], s["service"]): s for s in store.scopes()}
    assert kept and {i["run_id"] for i in kept} == {first_run}  # the first run's instances, untouched
    for region in REGIONS.split(","):
        assert scopes[(member, region, "ec2")]["data_run_id"] == first_run
        assert scopes[(member, region, "ec2")]["missing_actions"] == [missing]


def _remove_action(iam: Any, role: str, action: str) -> Callable[[Any], None]:
    """The customer edits the role's read-only policy: a new default version without ``action``.
    Returns how to undo it."""
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        document = json.loads(unquote(document)) if isinstance(document, str) else document
        allowing = [s for s in document["Statement"] if s["Effect"] == "Allow" and action in _actions(s)]
        if allowing:
            break
    else:
        raise AssertionError(f"no policy of {role} allows {action}")
    for statement in allowing:
        statement["Action"] = sorted(_actions(statement) - {action})
    narrowed = iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=json.dumps(document), SetAsDefault=True
    )

    def restore(iam_again: Any) -> None:
        iam_again.set_default_policy_version(PolicyArn=arn, VersionId=version)
        iam_again.delete_policy_version(PolicyArn=arn, VersionId=narrowed["PolicyVersion"]["VersionId"])

    return restore


def test_the_deployed_stack_is_the_apps_organization_stack() -> None:
    # local_aws.deploy names it without importing the CDK (the demo process stays free of jsii).
    assert deploy.STACK_NAME == build.ORGANIZATION_STACK_ID
