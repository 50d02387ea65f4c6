"""The organization rollout on the local AWS: management stack, StackSet, a role in every account, collected.

The organization (OUs, member accounts) comes from local_aws.seed. The management stack is the app's own
synthesis (``-c integration=organization``, the ``cdk deploy`` synthesizer without the bootstrap rule),
created with CloudFormation. moto skips ``AWS::CloudFormation::StackSet`` resources, so the StackSet is
replayed through the CloudFormation API from the synthesized resource's own properties: the very
TemplateBody, Parameters, Capabilities and DeploymentTargets the construct embeds. moto's stack instances
then create the member role in every targeted account.

What moto cannot show (docs/local-aws.md): cross-account AssumeRole skips the trust policy, so the
ExternalId is proven on each deployed role's trust document instead; moto ignores AccountFilterType and
includes only direct child OUs, and it would deploy to the management account under the root (AWS does not),
so the targets here are OUs, one level deep.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cdk_app.__main__ import main as synth
from cdk_app.build import ORGANIZATION_STACK_ID
from collector.cli.app import main as collector
from collector.external_id import ExternalIdMode, for_account
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for, data_plane_deny_actions
from collector.store import SqliteStore
from constructs_lib.policies import DECRYPT_VIA_SID, DENY_DECRYPT_SID
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSpec,
    OrganizationalUnitSpec,
    OrganizationSpec,
    OrganizationTruth,
    create_organization,
    create_vendor_principal,
    management_session,
    member_session,
)
from local_aws.seed.sessions import AccountSession

pytestmark = [pytest.mark.e2e, pytest.mark.cdk]

EXTERNAL_ID = "Org-Customer-1"
REGION = "us-east-1"
ROLE_NAME = "ReadOnlyIntegration"
SPEC = OrganizationSpec(
    organizational_units=(
        OrganizationalUnitSpec("Workloads"),
        OrganizationalUnitSpec("Production", parent="Workloads"),
        OrganizationalUnitSpec("Sandbox"),
        OrganizationalUnitSpec("Suspended"),
    ),
    accounts=(
        AccountSpec("prod", ou="Production"),
        AccountSpec("dev", ou="Workloads"),
        AccountSpec("sandbox", ou="Sandbox"),
        AccountSpec("parked", ou="Suspended"),
    ),
)
TARGET_OUS = ("Workloads", "Sandbox")  # Production is a child of Workloads; Suspended is not targeted


def _ou(org: OrganizationTruth, name: str) -> str:
    return next(ou.id for ou in org.organizational_units if ou.name == name)


def _account(org: OrganizationTruth, name: str) -> str:
    return next(a.id for a in org.accounts if a.name == name)


def _synthesize(tmp_path: Path, context: dict[str, str]) -> dict[str, Any]:
    outdir = tmp_path / "cdk.out"
    assert synth(context, outdir=str(outdir)) == 0
    template: dict[str, Any] = json.loads((outdir / f"{ORGANIZATION_STACK_ID}.template.json").read_text())
    return template


def _resolve(value: Any, refs: dict[str, str]) -> Any:
    """The resource's properties with Refs to parameters and pseudo parameters replaced by their values."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            return refs[value["Ref"]]
        return {k: _resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, refs) for v in value]
    return value


def _replay_stack_set(cloudformation: Any, template: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    """Create the template's StackSet through the API, from the resource's own properties."""
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudFormation::StackSet"]
    props = _resolve(resource["Properties"], refs)
    cloudformation.create_stack_set(
        StackSetName=props["StackSetName"],
        Description=props["Description"],
        TemplateBody=props["TemplateBody"],
        Parameters=props["Parameters"],
        Capabilities=props["Capabilities"],
        PermissionModel=props["PermissionModel"],
        AutoDeployment=props["AutoDeployment"],
        CallAs=props["CallAs"],
        ManagedExecution=props["ManagedExecution"],
    )
    for group in props["StackInstancesGroup"]:
        cloudformation.create_stack_instances(
            StackSetName=props["StackSetName"],
            DeploymentTargets=group["DeploymentTargets"],
            Regions=group["Regions"],
            OperationPreferences=props["OperationPreferences"],
            CallAs=props["CallAs"],
        )
    return dict(props)


def _role_and_policies(
    session: AccountSession,
) -> tuple[dict[str, Any], set[str], set[str], dict[str, dict[str, Any]]]:
    """The role's trust document, the actions its attached customer-managed policies allow and deny without
    a condition, and its conditional statements by Sid (the decrypt through Identity Center)."""
    iam = session.client("iam")
    role = iam.get_role(RoleName=ROLE_NAME)["Role"]
    allowed: set[str] = set()
    denied: set[str] = set()
    conditional: dict[str, dict[str, Any]] = {}
    for attached in iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
            "PolicyVersion"
        ]["Document"]
        document = json.loads(document) if isinstance(document, str) else document
        for statement in document["Statement"]:
            if "Condition" in statement:
                conditional[statement["Sid"]] = statement
                continue
            found = statement["Action"]
            (allowed if statement["Effect"] == "Allow" else denied).update(
                [found] if isinstance(found, str) else found
            )
    return role["AssumeRolePolicyDocument"], allowed, denied, conditional


def _trust(document: dict[str, Any]) -> tuple[str, str]:
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRole"
    return statement["Principal"]["AWS"], statement["Condition"]["StringEquals"]["sts:ExternalId"]


@pytest.mark.parametrize("mode", list(ExternalIdMode), ids=[m.value for m in ExternalIdMode])
def test_every_account_gets_the_role_and_the_collector_reaches_them(
    local_aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: ExternalIdMode
) -> None:
    management = management_session(local_aws.endpoint_url)
    org = create_organization(management, SPEC)
    vendor = create_vendor_principal(local_aws.endpoint_url)
    identity_center_account = _account(org, "dev")
    template = _synthesize(
        tmp_path,
        {
            "integration": "organization",
            "trustedPrincipal": vendor.user_arn,
            "organizationalUnitIds": ",".join(_ou(org, name) for name in TARGET_OUS),
            "callAs": "SELF",
            "externalIdMode": mode.value,
            "identityCenterRegion": REGION,
            "identityCenterAccountId": identity_center_account,
        },
    )

    # The management stack, as CloudFormation creates it (the StackSet resource is skipped by moto).
    cloudformation = management.client("cloudformation", REGION)
    cloudformation.create_stack(
        StackName=ORGANIZATION_STACK_ID,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "ExternalId", "ParameterValue": EXTERNAL_ID}],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    (stack,) = cloudformation.describe_stacks(StackName=ORGANIZATION_STACK_ID)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}

    # The StackSet, replayed through the API with exactly what the construct embeds.
    props = _replay_stack_set(cloudformation, template, {"ExternalId": EXTERNAL_ID, "AWS::Region": REGION})
    assert props["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    assert props["StackSetName"] == outputs["StackSetName"]
    instances = cloudformation.list_stack_instances(StackSetName=props["StackSetName"])["Summaries"]
    targeted = {_account(org, name) for name in ("prod", "dev", "sandbox")}
    assert {i["Account"] for i in instances} == targeted
    assert {i["Region"] for i in instances} == {REGION}

    member_reads = set(actions_for(DEFAULT_FEATURES))
    identity_center_reads = set(actions_for({Feature.IDENTITY_CENTER}))
    for account_id in targeted:
        trust, allowed, denied, conditional = _role_and_policies(member_session(management, account_id))
        assert _trust(trust) == (vendor.user_arn, for_account(EXTERNAL_ID, account_id, mode))
        extra = identity_center_reads if account_id == identity_center_account else set()
        assert allowed == member_reads | extra, account_id
        if account_id == identity_center_account:
            # Decrypt through Identity Center in its home region only, the Deny narrowed the same way.
            assert set(conditional) == {DECRYPT_VIA_SID, DENY_DECRYPT_SID}
            services = conditional[DECRYPT_VIA_SID]["Condition"]["StringEquals"]["kms:ViaService"]
            assert services == [f"identitystore.{REGION}.amazonaws.com", f"sso.{REGION}.amazonaws.com"]
            assert conditional[DENY_DECRYPT_SID]["Condition"] == {
                "StringNotEquals": {"kms:ViaService": services}
            }
            assert denied == set(data_plane_deny_actions()) - {"kms:Decrypt"}
        else:
            assert conditional == {}
            assert denied == set(data_plane_deny_actions())
        assert outputs["MemberRoleArnPattern"].format(account_id=account_id) == (
            f"arn:aws:iam::{account_id}:role/{ROLE_NAME}"
        )

    # The management account: created by the stack itself, with Organizations and Identity Center reads.
    trust, allowed, denied, conditional = _role_and_policies(management)
    assert conditional == {}  # Identity Center is delegated: the management role decrypts nothing
    assert _trust(trust) == (vendor.user_arn, for_account(EXTERNAL_ID, org.management_account_id, mode))
    assert allowed == member_reads | identity_center_reads | set(actions_for({Feature.ORGANIZATIONS}))
    assert denied == set(data_plane_deny_actions())
    assert outputs["ManagementRoleArn"] == f"arn:aws:iam::{org.management_account_id}:role/{ROLE_NAME}"
    assert outputs["ExternalIdMode"] == mode.value
    assert outputs["IdentityCenterRegion"] == REGION

    # Not targeted: no role.
    parked = member_session(management, _account(org, "parked")).client("iam")
    with pytest.raises(ClientError, match="NoSuchEntity"):
        parked.get_role(RoleName=ROLE_NAME)

    # The collector, with the vendor's own key and the stack's CollectorArguments output, under IAM
    # enforcement: every account's role must allow what the IAM and Organizations fetchers call.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", vendor.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", vendor.secret_access_key)
    local_aws.enforce_iam(True)
    db = tmp_path / "org.sqlite"
    argv = [
        "collect",
        *outputs["CollectorArguments"].split(),
        "--external-id",
        EXTERNAL_ID,
        "--exclude-ou",
        _ou(org, "Suspended"),
        "--fetchers",
        "iam,organizations",
        "--db",
        str(db),
    ]
    out, err = io.StringIO(), io.StringIO()
    code = collector(argv, out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    with SqliteStore(db) as store:
        scopes = {(s["account_id"], s["service"]): s["status"] for s in store.scopes()}
        (run,) = store.runs()
        calls = store.api_calls(run["run_id"])
    assert scopes == {
        (org.management_account_id, "iam"): "complete",
        (org.management_account_id, "organizations"): "complete",
        **{(account_id, "iam"): "complete" for account_id in targeted},
    }
    assumed = {
        account for (account, service, operation) in calls if (service, operation) == ("sts", "AssumeRole")
    }
    assert assumed == targeted | {org.management_account_id}
