"""The ``cdk deploy`` commands ``customers instructions`` prints synthesize, with that customer's trust."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cdk_app import config
from cdk_app.__main__ import main
from cdk_app.build import ACCOUNT_STACK_ID, ORGANIZATION_STACK_ID
from cdk_app.legacy_build import ROLE_STACK_PREFIX, USER_STACK_ID
from collector.customers.onboarding import Instructions, instructions_for, parse_context
from collector.customers.record import Customer, Method, new_external_id
from collector.external_id import ExternalIdMode
from collector.permissions import actions_for
from tests.synth import REPO, actions, cfn_lint, policy_statements, resources, the_role

pytestmark = pytest.mark.cdk

VENDOR = "arn:aws:iam::999988887777:role/VendorCollector"
ACCOUNT = "111122223333"
MEMBER = "444455556666"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/Admin"


def _customer(method: Method, **fields: Any) -> Customer:
    return Customer(
        name="acme",
        method=method,
        external_id=new_external_id(),
        created_at="t0",
        external_id_created_at="t0",
        **{"trusted_principal": VENDOR, "account_id": ACCOUNT, **fields},
    )


def _printed_commands(guide: Instructions) -> list[str]:
    """The deploy commands as a customer copies them from the rendered text."""
    return [line.strip() for line in guide.render().splitlines() if line.strip().startswith("npx cdk deploy")]


def _synth(command: str, outdir: Path, stack_id: str = ACCOUNT_STACK_ID) -> dict[str, Any]:
    """Synthesize the command's context in-process; the template of ``stack_id``."""
    assert main(parse_context(command), outdir=str(outdir)) == 0
    return _template(outdir, stack_id)


def _template(outdir: Path, stack_id: str) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((outdir / f"{stack_id}.template.json").read_text())
    return template


def _trust_and_actions(template: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    statement = the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]
    granted = {a for s in policy_statements(template, "Allow") for a in actions(s)}
    return statement, granted


def _principal(statement: dict[str, Any]) -> str:
    """The trusted principal as CloudFormation resolves it in the aws partition."""
    return _resolved(statement["Principal"]["AWS"])


def _resolved(value: Any) -> str:
    """An ARN as CloudFormation resolves it in the aws partition."""
    if isinstance(value, dict):  # {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::..."]]}
        return "".join(p if isinstance(p, str) else "aws" for p in value["Fn::Join"][1])
    return str(value)


@pytest.mark.parametrize("identity_center", [False, True], ids=["default", "identity-center"])
def test_the_account_command_synthesizes_the_customers_role(tmp_path: Path, identity_center: bool) -> None:
    customer = _customer(Method.ACCOUNT, include_identity_center=identity_center)
    (command,) = _printed_commands(instructions_for(customer))
    template = _synth(command, tmp_path)
    trust, granted = _trust_and_actions(template)
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": customer.external_id}}
    assert _principal(trust) == VENDOR
    assert the_role(template)["RoleName"] == customer.role_name
    assert granted == set(actions_for(customer.features))
    assert cfn_lint(template) == []


def _legacy(user: str | None) -> Customer:
    return _customer(
        Method.LEGACY, trusted_principal=user, account_ids=(ACCOUNT, MEMBER), secret_readers=(ADMIN,)
    )


@pytest.mark.parametrize(
    ("user", "user_name"),
    [(None, "ReadOnlyIntegrationUser"), (f"arn:aws:iam::{ACCOUNT}:user/integration", "integration")],
    ids=["before-the-user-arn-is-known", "user-arn-recorded"],
)
def test_the_legacy_command_synthesizes_the_user_and_a_role_trusting_it(
    tmp_path: Path, user: str | None, user_name: str
) -> None:
    customer = _legacy(user)
    (command,) = _printed_commands(instructions_for(customer))
    assert command.startswith("npx cdk deploy --all ")  # the app has several stacks: the CLI needs --all
    assert parse_context(command) == {
        "integration": "legacy",
        "userAccountId": ACCOUNT,
        "accountIds": f"{ACCOUNT},{MEMBER}",
        "secretReaders": ADMIN,
        "externalId": customer.external_id,
        "roleName": customer.role_name,
        **({"userName": user_name} if user is not None else {}),
    }
    user_template = _synth(command, tmp_path, USER_STACK_ID)
    (user_resource,) = resources(user_template, "AWS::IAM::User").values()
    assert user_resource["Properties"]["UserName"] == user_name
    (policy,) = resources(user_template, "AWS::IAM::Policy").values()
    (assume,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert assume["Effect"] == "Allow" and actions(assume) == ["sts:AssumeRole"]
    targets = assume["Resource"] if isinstance(assume["Resource"], list) else [assume["Resource"]]
    assert sorted(_resolved(t) for t in targets) == [customer.arn_of(a) for a in customer.account_ids]
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/{user_name}"
    assert user is None or user == user_arn  # the recorded UserArn is the user the command creates
    for account_id in customer.account_ids:
        role_template = _template(tmp_path, f"{ROLE_STACK_PREFIX}{account_id}")
        trust, granted = _trust_and_actions(role_template)
        assert _principal(trust) == user_arn
        assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": customer.external_id}}
        assert the_role(role_template)["RoleName"] == customer.role_name
        assert granted == set(actions_for(customer.features))
        assert cfn_lint(role_template) == []


def test_the_organization_command_carries_the_apps_keys() -> None:
    customer = _customer(
        Method.ORGANIZATION, organizational_unit_ids=("r-ab12",), identity_center_region="eu-west-1"
    )
    (command,) = _printed_commands(instructions_for(customer))
    assert parse_context(command) == {
        "integration": "organization",
        "trustedPrincipal": VENDOR,
        "externalId": customer.external_id,
        "roleName": customer.role_name,
        "organizationalUnitIds": "r-ab12",
        "callAs": "SELF",
        "identityCenterRegion": "eu-west-1",
    }
    assert config.organization_settings(parse_context(command).get).call_as == "SELF"


def test_the_organization_command_synthesizes_the_customers_roles(tmp_path: Path) -> None:
    customer = _customer(
        Method.ORGANIZATION,
        organizational_unit_ids=("r-ab12", "ou-ab12-cdef3456"),
        identity_center_region="eu-west-1",
        identity_center_account_id=MEMBER,
    )
    (command,) = _printed_commands(instructions_for(customer))
    template = _synth(command, tmp_path, ORGANIZATION_STACK_ID)
    trust, _ = _trust_and_actions(template)  # the management account's role
    assert _principal(trust) == VENDOR
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": customer.external_id}}
    assert the_role(template)["RoleName"] == customer.role_name
    (stack_set,) = resources(template, "AWS::CloudFormation::StackSet").values()
    (group,) = stack_set["Properties"]["StackInstancesGroup"]
    assert group["DeploymentTargets"]["OrganizationalUnitIds"] == ["r-ab12", "ou-ab12-cdef3456"]
    assert stack_set["Properties"]["CallAs"] == "SELF"
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack_set["Properties"]["Parameters"]}
    assert parameters["ExternalId"] == customer.external_id
    assert parameters["IdentityCenterAccountId"] == MEMBER
    member = json.loads(stack_set["Properties"]["TemplateBody"])
    (member_trust,) = the_role(member)["AssumeRolePolicyDocument"]["Statement"]
    assert member_trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert the_role(member)["RoleName"] == customer.role_name
    assert cfn_lint(template) == [] and cfn_lint(member) == []


def test_the_real_cdk_cli_runs_the_printed_command(tmp_path: Path) -> None:
    customer = _customer(Method.ACCOUNT)
    (command,) = _printed_commands(instructions_for(customer))
    words = shlex.split(command)
    assert words[:3] == ["npx", "cdk", "deploy"]
    # The same arguments, with synth instead of deploy (no AWS account here).
    argv = [
        "node_modules/.bin/cdk",
        "synth",
        *words[3:],
        "--output",
        str(tmp_path),
        "--no-notices",
        "--quiet",
    ]
    env = {
        **os.environ,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    result = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    template = json.loads((tmp_path / f"{ACCOUNT_STACK_ID}.template.json").read_text())
    trust, _ = _trust_and_actions(template)
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": customer.external_id}}


@pytest.mark.parametrize("method", [Method.ACCOUNT, Method.ORGANIZATION, Method.LEGACY])
def test_a_per_account_customers_commands_carry_the_mode_and_synthesize_it(
    tmp_path: Path, method: Method
) -> None:
    extras: dict[Method, dict[str, Any]] = {
        Method.ACCOUNT: {},
        Method.ORGANIZATION: {"organizational_unit_ids": ("r-ab12",)},
        Method.LEGACY: {"trusted_principal": None, "account_ids": (MEMBER,), "secret_readers": (ADMIN,)},
    }
    extra = extras[method]
    customer = _customer(method, external_id_mode=ExternalIdMode.PER_ACCOUNT, **extra)
    guide = instructions_for(customer)
    (command,) = _printed_commands(guide)
    assert parse_context(command)["externalIdMode"] == "per-account"
    stack = {
        Method.ACCOUNT: ACCOUNT_STACK_ID,
        Method.ORGANIZATION: ORGANIZATION_STACK_ID,
        Method.LEGACY: f"{ROLE_STACK_PREFIX}{MEMBER}",
    }[method]
    trust, _ = _trust_and_actions(_synth(command, tmp_path, stack))
    joined = {"Fn::Join": ["-", [customer.external_id, {"Ref": "AWS::AccountId"}]]}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": joined}}
    if method is Method.ACCOUNT:  # the plain templates take one shared ExternalId: not offered
        assert "aws cloudformation deploy" not in guide.render()
