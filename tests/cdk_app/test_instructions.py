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
from cdk_app.stacks import ACCOUNT_STACK_ID
from collector.customers import Customer, Method, new_external_id
from collector.onboarding import Instructions, instructions_for, parse_context
from collector.permissions import actions_for
from tests.synth import REPO, actions, cfn_lint, policy_statements, the_role

pytestmark = pytest.mark.cdk

VENDOR = "arn:aws:iam::999988887777:role/VendorCollector"
ACCOUNT = "111122223333"


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


def _synth(command: str, outdir: Path) -> dict[str, Any]:
    context = parse_context(command)
    if context["integration"] not in config.INTEGRATIONS:
        pytest.skip(f"-c integration={context['integration']} is not in this cdk_app yet")
    assert main(context, outdir=str(outdir)) == 0
    template: dict[str, Any] = json.loads((outdir / f"{ACCOUNT_STACK_ID}.template.json").read_text())
    return template


def _trust_and_actions(template: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    statement = the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]
    granted = {a for s in policy_statements(template, "Allow") for a in actions(s)}
    return statement, granted


def _principal(statement: dict[str, Any]) -> str:
    """The trusted principal as CloudFormation resolves it in the aws partition."""
    value = statement["Principal"]["AWS"]
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


def _legacy() -> Customer:
    user = f"arn:aws:iam::{ACCOUNT}:user/integration"
    return _customer(Method.LEGACY, trusted_principal=user, account_ids=(ACCOUNT, "444455556666"))


def test_the_legacy_role_command_trusts_the_integration_user(tmp_path: Path) -> None:
    customer = _legacy()
    user_command, role_command = _printed_commands(instructions_for(customer))
    trust, granted = _trust_and_actions(_synth(role_command, tmp_path))
    assert _principal(trust) == customer.trusted_principal
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": customer.external_id}}
    assert granted == set(actions_for(customer.features))
    assert parse_context(user_command) == {
        "integration": "legacy",
        "accountIds": f"{ACCOUNT},444455556666",
        "externalId": customer.external_id,
        "roleName": customer.role_name,
    }


def test_the_organization_command_carries_issue_3s_keys() -> None:
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
        "identityCenterRegion": "eu-west-1",
    }


@pytest.mark.parametrize("method", [Method.ORGANIZATION, Method.LEGACY])
def test_the_organization_and_legacy_user_commands_synthesize(tmp_path: Path, method: Method) -> None:
    customer = (
        _legacy() if method is Method.LEGACY else _customer(method, organizational_unit_ids=("r-ab12",))
    )
    command = _printed_commands(instructions_for(customer))[0]
    _synth(command, tmp_path)  # skipped until issue 3 / issue 4 add their integration to cdk_app


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
