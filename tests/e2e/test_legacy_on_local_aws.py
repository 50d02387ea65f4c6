"""The legacy method on the local AWS: the user's key, read from its secret, assumes the integration role in
another account with the ExternalId, and the collector runs on it as its base credentials.

How each part gets deployed:

- The role templates (``legacy_role_template``) are created by the local AWS's CloudFormation, per account
  with ``CreateStack`` and to an organizational unit with a service-managed StackSet.
- The user template cannot be: moto's CloudFormation does not know ``AWS::IAM::Group`` (so the group's
  policy fails to create) and silently skips Secrets Manager secrets, and the secret access key of an
  ``AWS::IAM::AccessKey`` it creates is never readable (by design: it only goes into the secret). So
  ``apply_user_template`` below does what CloudFormation would do with the synthesized template, resource by
  resource through the APIs, evaluating its intrinsics: it creates the access key with CreateAccessKey and
  writes the secret's value from the template's own ``SecretString`` expression. The group's policy, the
  membership, the secret's value and its resource policy are therefore exactly the template's.

Known limits of the local AWS (see the shared facts): a cross-account AssumeRole skips the trust policy, so
the ExternalId is proven on the same-account role here and on the template in tests/constructs_lib; the
``aws:ResourceOrgID`` condition and the secret's resource policy are not evaluated by moto either (they are
asserted on the template). The caller's identity policy IS enforced: that is what limits the user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from collector.permissions import DEFAULT_FEATURES, Feature
from collector.store import SqliteStore
from constructs_lib.legacy import (
    ACCESS_KEY_ID_FIELD,
    DEFAULT_ROLE_NAME,
    SECRET_ACCESS_KEY_FIELD,
    AssumableRoles,
    SecretReaders,
)
from constructs_lib.legacy_stacks import legacy_role_template, legacy_user_template
from local_aws.emulator.server import LocalAws
from tests.cfn_intrinsics import evaluate
from tests.synth import REPO

pytestmark = [pytest.mark.e2e, pytest.mark.cdk]

EXTERNAL_ID = "Legacy-Customer-7"
MANAGEMENT = "123456789012"  # the local AWS's default account: the user lives here
MEMBER_ACCESS_ROLE = "OrganizationAccountAccessRole"
DENIED = {"AccessDenied", "AccessDeniedException"}
REGION = "us-east-1"  # the collector's regional fetchers (EC2, CloudTrail) in the local AWS's region


@dataclass(frozen=True)
class AppliedUser:
    outputs: dict[str, str]
    user_name: str


def apply_user_template(template: dict[str, Any], parameters: dict[str, Any], stack: str) -> AppliedUser:
    """Create the user template's resources as CloudFormation would (see the module docstring)."""
    iam, secrets = boto3.client("iam"), boto3.client("secretsmanager")
    physical: dict[str, str] = {}  # what Ref answers
    attributes: dict[tuple[str, str], str] = {}  # what Fn::GetAtt answers

    def value(node: Any) -> Any:
        return evaluate(node, parameters, ref=physical.__getitem__, get_att=lambda r, a: attributes[(r, a)])

    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for logical_id, resource in template["Resources"].items():
        by_type.setdefault(resource["Type"], []).append((logical_id, resource.get("Properties", {})))
    assert set(by_type) == {
        "AWS::IAM::Group",
        "AWS::IAM::User",
        "AWS::IAM::Policy",
        "AWS::IAM::AccessKey",
        "AWS::SecretsManager::Secret",
        "AWS::SecretsManager::ResourcePolicy",
    }
    for logical_id, _ in by_type["AWS::IAM::Group"]:
        physical[logical_id] = iam.create_group(GroupName=f"{stack}-{logical_id}")["Group"]["GroupName"]
    for logical_id, props in by_type["AWS::IAM::User"]:
        user = iam.create_user(
            UserName=props.get("UserName", f"{stack}-{logical_id}"), Path=props.get("Path", "/")
        )
        physical[logical_id] = user["User"]["UserName"]
        attributes[(logical_id, "Arn")] = user["User"]["Arn"]
        for group in value(props["Groups"]):
            iam.add_user_to_group(GroupName=group, UserName=physical[logical_id])
    for _, props in by_type["AWS::IAM::Policy"]:
        for group in value(props["Groups"]):
            iam.put_group_policy(
                GroupName=group,
                PolicyName=props["PolicyName"],
                PolicyDocument=json.dumps(value(props["PolicyDocument"])),
            )
    for logical_id, props in by_type["AWS::IAM::AccessKey"]:
        key = iam.create_access_key(UserName=value(props["UserName"]))["AccessKey"]
        iam.update_access_key(
            UserName=key["UserName"], AccessKeyId=key["AccessKeyId"], Status=props["Status"]
        )
        physical[logical_id] = key["AccessKeyId"]
        attributes[(logical_id, "SecretAccessKey")] = key["SecretAccessKey"]
    for logical_id, props in by_type["AWS::SecretsManager::Secret"]:
        physical[logical_id] = secrets.create_secret(
            Name=props.get("Name", f"{stack}-{logical_id}"), SecretString=value(props["SecretString"])
        )["ARN"]
    for _, props in by_type["AWS::SecretsManager::ResourcePolicy"]:
        secrets.put_resource_policy(
            SecretId=value(props["SecretId"]), ResourcePolicy=json.dumps(value(props["ResourcePolicy"]))
        )
    outputs = {name: value(output["Value"]) for name, output in template["Outputs"].items()}
    (user_id,) = (logical_id for logical_id, _ in by_type["AWS::IAM::User"])
    return AppliedUser(outputs, physical[user_id])


def _session(credentials: Mapping[str, Any]) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials.get("SessionToken"),
    )


def _member(account_id: str) -> boto3.Session:
    """An administrator session in a member account, for seeding and deploying there."""
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{MEMBER_ACCESS_ROLE}", RoleSessionName="seed"
    )["Credentials"]
    return _session(credentials)


def deploy_role(cloudformation: Any, user_arn: str, **props: Any) -> str:
    """CreateStack of the legacy role template; returns the RoleArn output."""
    cloudformation.create_stack(
        StackName="LegacyIntegrationRole",
        TemplateBody=json.dumps(legacy_role_template(**props)),
        Parameters=[
            {"ParameterKey": "TrustedUserArn", "ParameterValue": user_arn},
            {"ParameterKey": "ExternalId", "ParameterValue": EXTERNAL_ID},
        ],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    outputs = cloudformation.describe_stacks(StackName="LegacyIntegrationRole")["Stacks"][0]["Outputs"]
    return str(next(o["OutputValue"] for o in outputs if o["OutputKey"] == "RoleArn"))


def read_key(secret_arn: str) -> dict[str, str]:
    """The access key, from where the construct stores it."""
    value = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    assert set(value) == {ACCESS_KEY_ID_FIELD, SECRET_ACCESS_KEY_FIELD}
    return {"AccessKeyId": value[ACCESS_KEY_ID_FIELD], "SecretAccessKey": value[SECRET_ACCESS_KEY_FIELD]}


def collect(key: dict[str, str], db: Path, *args: str) -> tuple[int, str]:
    """``python -m collector collect`` with the legacy user's key as its base credentials (environment)."""
    env = {k: v for k, v in os.environ.items() if k != "AWS_SESSION_TOKEN"}
    env |= {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    command = [sys.executable, "-m", "collector", "collect", "--external-id", EXTERNAL_ID, "--db", str(db)]
    result = subprocess.run(
        [*command, "--regions", REGION, "--api-rate", "1000", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def _organization() -> tuple[Any, str, str]:
    org = boto3.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    return org, org_id, root


def _account(org: Any, name: str, parent: str, root: str) -> str:
    account_id = str(
        org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
    )
    if parent != root:
        org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
    _member(account_id).client("iam").create_user(UserName=f"{name}-user")
    return account_id


def test_listed_accounts_key_from_the_secret_assumes_the_role_and_collects(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    org, _, root = _organization()
    member = _account(org, "member", root, root)
    other = _account(org, "not-listed", root, root)
    admin = boto3.client("iam").create_role(RoleName="Admin", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    # The plain template customers apply by hand: accounts and readers are its parameters.
    user = apply_user_template(
        legacy_user_template(), {"AccountIds": [MANAGEMENT, member], "SecretReaderArns": [admin]}, "Legacy"
    )
    assert set(user.outputs) == {"UserArn", "SecretArn"}
    user_arn = user.outputs["UserArn"]
    same_account_role = deploy_role(boto3.client("cloudformation"), user_arn)
    member_role = deploy_role(_member(member).client("cloudformation"), user_arn)
    other_role = deploy_role(_member(other).client("cloudformation"), user_arn)  # exists, but is not listed
    assert member_role == f"arn:aws:iam::{member}:role/{DEFAULT_ROLE_NAME}"
    key = read_key(user.outputs["SecretArn"])
    policy = json.loads(
        boto3.client("secretsmanager").get_resource_policy(SecretId=user.outputs["SecretArn"])[
            "ResourcePolicy"
        ]
    )
    assert policy["Statement"][0]["Condition"] == {"StringNotEquals": {"aws:PrincipalArn": [admin]}}

    local_aws.enforce_iam(True)
    sts = _session(key).client("sts")
    with pytest.raises(ClientError) as own_rights:
        _session(key).client("iam").list_users()  # the user itself can read nothing
    assert _code(own_rights) in DENIED
    for not_granted in (other_role, f"arn:aws:iam::{member}:role/{MEMBER_ACCESS_ROLE}"):
        with pytest.raises(ClientError) as error:
            sts.assume_role(RoleArn=not_granted, RoleSessionName="collector", ExternalId=EXTERNAL_ID)
        assert _code(error) in DENIED, not_granted
    with pytest.raises(ClientError) as wrong_id:  # trust enforced by the local AWS in the same account
        sts.assume_role(RoleArn=same_account_role, RoleSessionName="collector", ExternalId="Wrong-id")
    assert _code(wrong_id) in DENIED
    assert sts.assume_role(RoleArn=same_account_role, RoleSessionName="collector", ExternalId=EXTERNAL_ID)

    # The role in the second account, with the ExternalId; its credentials list that account's IAM users
    # the way the collector does (iam:ListUsers is not in the catalog, GetAccountAuthorizationDetails is).
    credentials = sts.assume_role(RoleArn=member_role, RoleSessionName="collector", ExternalId=EXTERNAL_ID)
    assumed = _session(credentials["Credentials"]).client("iam")
    users = assumed.get_account_authorization_details(Filter=["User"])["UserDetailList"]
    assert [u["UserName"] for u in users] == ["member-user"]
    with pytest.raises(ClientError) as undeclared:
        assumed.list_users()
    assert _code(undeclared) in DENIED

    # The collector, with the key as its base credentials, assumes the member role and collects.
    db = tmp_path / "legacy.sqlite"
    code, output = collect(key, db, "--role-arn", member_role)
    assert code == 0, output
    with SqliteStore(db) as store:
        assert {(s["account_id"], s["region"], s["service"], s["status"]) for s in store.scopes()} == {
            (member, "global", "iam", "complete"),
            (member, REGION, "ec2", "complete"),
            (member, REGION, "cloudtrail", "complete"),
        }
        assert {r["name"] for r in store.rows("users")} == {"member-user"}


def test_organization_roles_through_a_stackset_and_the_collector_in_organization_mode(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    org, org_id, root = _organization()
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    members = [_account(org, name, workloads, root) for name in ("app-a", "app-b")]
    admin = boto3.client("iam").create_role(RoleName="Admin", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    user = apply_user_template(
        legacy_user_template(
            roles=AssumableRoles.in_organization(org_id), secret_readers=SecretReaders.arns([admin])
        ),
        {},
        "Legacy",
    )
    user_arn = user.outputs["UserArn"]
    # The management account's role (StackSets never deploy there), with the Organizations and Identity
    # Center reads, as the organization rollout's management role has.
    management_role = deploy_role(
        boto3.client("cloudformation"),
        user_arn,
        features=DEFAULT_FEATURES | {Feature.ORGANIZATIONS, Feature.IDENTITY_CENTER},
    )
    # The member roles: the same plain template as a service-managed StackSet's body, to the OU.
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack_set(
        StackSetName="LegacyIntegrationRoles",
        TemplateBody=json.dumps(legacy_role_template()),
        Parameters=[
            {"ParameterKey": "TrustedUserArn", "ParameterValue": user_arn},
            {"ParameterKey": "ExternalId", "ParameterValue": EXTERNAL_ID},
        ],
        Capabilities=["CAPABILITY_NAMED_IAM"],
        PermissionModel="SERVICE_MANAGED",
        AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
    )
    cloudformation.create_stack_instances(
        StackSetName="LegacyIntegrationRoles",
        DeploymentTargets={"OrganizationalUnitIds": [workloads]},
        Regions=["us-east-1"],
    )
    for account_id in members:
        role = _member(account_id).client("iam").get_role(RoleName=DEFAULT_ROLE_NAME)["Role"]
        trust: Any = role["AssumeRolePolicyDocument"]  # boto3 decodes it; the stubs type it as a string
        assert trust["Statement"][0]["Principal"] == {"AWS": user_arn}
    key = read_key(user.outputs["SecretArn"])

    local_aws.enforce_iam(True)
    db = tmp_path / "organization.sqlite"
    code, output = collect(
        key, db, "--organization", "--role-arn", management_role, "--member-role-name", DEFAULT_ROLE_NAME
    )
    assert code == 0, output
    with SqliteStore(db) as store:
        scopes = {(s["account_id"], s["service"]): s["status"] for s in store.scopes()}
        users = {(r["account_id"], r["name"]) for r in store.rows("users")}
    services = ("iam", "ec2", "cloudtrail")
    assert scopes == {
        (MANAGEMENT, "organizations"): "complete",
        (MANAGEMENT, "identity_center"): "complete",
        (MANAGEMENT, "account_access"): "complete",  # read where Identity Center is
        **{
            (account_id, service): "complete" for account_id in (MANAGEMENT, *members) for service in services
        },
    }
    assert {
        (members[0], "app-a-user"),
        (members[1], "app-b-user"),
        (MANAGEMENT, "ReadOnlyIntegrationUser"),
    } <= users
