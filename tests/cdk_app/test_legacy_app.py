"""`-c integration=legacy`: the user stack and a role stack per account, in-process and with the CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cdk_app.__main__ import main
from cdk_app.build import ORGANIZATION_STACK_ID
from cdk_app.legacy_build import ROLE_STACK_PREFIX, USER_STACK_ID
from constructs_lib.legacy import DEFAULT_ROLE_NAME
from constructs_lib.legacy_stacks import DEFAULT_USER_NAME
from tests.cfn_intrinsics import evaluate, occurrences
from tests.synth import REPO, cfn_lint, only_partition_rule, resources, the_role

pytestmark = pytest.mark.cdk

A, B = "111122223333", "444455556666"
ADMIN = "arn:aws:iam::111122223333:role/Admin"
CONTEXT = {
    "integration": "legacy",
    "userAccountId": A,
    "accountIds": f"{A},{B}",
    "secretReaders": ADMIN,
    "externalId": "Abc123-example",
}
USER_ARN = f"arn:aws:iam::{A}:user/{DEFAULT_USER_NAME}"


def _template(outdir: Path, stack_id: str) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((outdir / f"{stack_id}.template.json").read_text())
    return template


def _assume_statement(template: dict[str, Any]) -> dict[str, Any]:
    (policy,) = resources(template, "AWS::IAM::Policy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    return dict(statement)


def _environments(outdir: Path) -> dict[str, str]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {
        name: artifact["environment"]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }


def test_user_stack_and_a_role_stack_per_account(tmp_path: Path) -> None:
    assert main(CONTEXT, outdir=str(tmp_path)) == 0
    assert _environments(tmp_path) == {
        USER_STACK_ID: f"aws://{A}/unknown-region",
        f"{ROLE_STACK_PREFIX}{A}": f"aws://{A}/unknown-region",
        f"{ROLE_STACK_PREFIX}{B}": f"aws://{B}/unknown-region",
    }
    user = _template(tmp_path, USER_STACK_ID)
    assert only_partition_rule(user) and "CDKMetadata" not in user["Resources"]
    statement = _assume_statement(user)
    assert sorted(evaluate(statement["Resource"], {})) == [
        f"arn:aws:iam::{A}:role/{DEFAULT_ROLE_NAME}",
        f"arn:aws:iam::{B}:role/{DEFAULT_ROLE_NAME}",
    ]
    (user_resource,) = resources(user, "AWS::IAM::User").values()
    assert user_resource["Properties"]["UserName"] == DEFAULT_USER_NAME
    assert set(user["Outputs"]) == {"UserArn", "SecretArn"}
    (secret_id,) = resources(user, "AWS::SecretsManager::Secret")
    assert all(path[:2] == ("Resources", secret_id) for path in occurrences(user, "SecretAccessKey"))
    for account_id in (A, B):
        role_template = _template(tmp_path, f"{ROLE_STACK_PREFIX}{account_id}")
        role = the_role(role_template)
        assert role["RoleName"] == DEFAULT_ROLE_NAME
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert evaluate(trust["Principal"], {}) == {"AWS": USER_ARN}
        assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "Abc123-example"}}
        assert cfn_lint(role_template) == []
    assert cfn_lint(user) == []


def test_organization_scope_with_the_management_account_role(tmp_path: Path) -> None:
    # The StackSet deploys the member roles; the app deploys the management account's own role.
    context = {**CONTEXT, "organizationId": "o-a1b2c3d4e5", "accountIds": A, "includeOrganizations": "true"}
    assert main(context, outdir=str(tmp_path)) == 0
    assert set(_environments(tmp_path)) == {USER_STACK_ID, f"{ROLE_STACK_PREFIX}{A}"}
    statement = _assume_statement(_template(tmp_path, USER_STACK_ID))
    assert evaluate(statement["Resource"], {}) == f"arn:aws:iam::*:role/{DEFAULT_ROLE_NAME}"
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": "o-a1b2c3d4e5"}}
    assert "organizations:ListAccounts" in json.dumps(_template(tmp_path, f"{ROLE_STACK_PREFIX}{A}"))


def test_rotation_through_the_context(tmp_path: Path) -> None:
    context = {**CONTEXT, "keySerial": "2", "previousKeySerial": "1", "previousKeyActive": "false"}
    assert main(context, outdir=str(tmp_path)) == 0
    keys = resources(_template(tmp_path, USER_STACK_ID), "AWS::IAM::AccessKey").values()
    assert sorted((k["Properties"]["Serial"], k["Properties"]["Status"]) for k in keys) == [
        (1, "Inactive"),
        (2, "Active"),
    ]


def test_bad_context_fails_with_one_line_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = {k: v for k, v in CONTEXT.items() if k != "secretReaders"}
    assert main(context, outdir=str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid CDK context: secretReaders: got None; expected comma-separated")
    assert err.count("\n") == 1
    assert not (tmp_path / f"{USER_STACK_ID}.template.json").exists()


def test_the_real_cdk_cli_synthesizes_the_documented_command(tmp_path: Path) -> None:
    command = [
        "node_modules/.bin/cdk",
        "synth",
        "--all",
        "--output",
        str(tmp_path),
        "--no-notices",
        "--quiet",
    ]
    for key, value in CONTEXT.items():
        command += ["-c", f"{key}={value}"]
    env = {
        **os.environ,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Prefer the role-based methods" in result.stderr  # the construct's warning reaches the user
    assert set(_environments(tmp_path)) == {
        USER_STACK_ID,
        f"{ROLE_STACK_PREFIX}{A}",
        f"{ROLE_STACK_PREFIX}{B}",
    }
    assert set(_template(tmp_path, USER_STACK_ID)["Outputs"]) == {"UserArn", "SecretArn"}


def test_the_organization_rollout_carries_the_legacy_role(tmp_path: Path) -> None:
    """The user scoped to the organization, and the organization integration trusting that user: the
    StackSet's member role and the management role have the name the user's policy names."""
    user_dir, org_dir = tmp_path / "user", tmp_path / "org"
    legacy = {**CONTEXT, "organizationId": "o-a1b2c3d4e5"}
    del legacy["accountIds"]  # the organization stack creates the management account's role
    assert main(legacy, outdir=str(user_dir)) == 0
    organization = {
        "integration": "organization",
        "trustedPrincipal": USER_ARN,
        "roleName": DEFAULT_ROLE_NAME,
        "organizationalUnitIds": "r-ab12",
        "callAs": "SELF",
        "externalId": "Abc123-example",
    }
    assert main(organization, outdir=str(org_dir)) == 0
    assert set(_environments(user_dir)) == {USER_STACK_ID}
    statement = _assume_statement(_template(user_dir, USER_STACK_ID))
    assert evaluate(statement["Resource"], {}) == f"arn:aws:iam::*:role/{DEFAULT_ROLE_NAME}"

    outer = _template(org_dir, ORGANIZATION_STACK_ID)
    (stack_set,) = resources(outer, "AWS::CloudFormation::StackSet").values()
    member = json.loads(stack_set["Properties"]["TemplateBody"])
    for template in (outer, member):  # the management role, and every member account's
        role = the_role(template)
        assert role["RoleName"] == DEFAULT_ROLE_NAME
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert evaluate(trust["Principal"], {}) == {"AWS": USER_ARN}
        assert "sts:ExternalId" in trust["Condition"]["StringEquals"]


def test_per_account_external_id_for_the_legacy_roles(tmp_path: Path) -> None:
    assert main({**CONTEXT, "externalIdMode": "per-account"}, outdir=str(tmp_path)) == 0
    for account_id in (A, B):
        (trust,) = the_role(_template(tmp_path, f"{ROLE_STACK_PREFIX}{account_id}"))[
            "AssumeRolePolicyDocument"
        ]["Statement"]
        expected = evaluate(
            trust["Condition"]["StringEquals"]["sts:ExternalId"],
            {"AWS::AccountId": account_id},
        )
        assert expected == f"Abc123-example-{account_id}"
