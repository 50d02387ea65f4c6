"""The ready app: in-process synth for its choices and errors, and the real CDK CLI once."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cdk_app.__main__ import main
from cdk_app.build import ACCOUNT_STACK_ID, ORGANIZATION_STACK_ID
from tests.synth import REPO, cfn_lint, only_partition_rule, resources, the_role

pytestmark = pytest.mark.cdk

ROLE = "arn:aws:iam::111122223333:role/Vendor"


def _template(outdir: Path) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((outdir / f"{ACCOUNT_STACK_ID}.template.json").read_text())
    return template


def test_synth_uses_the_deploy_synthesizer_without_bootstrap_check(tmp_path: Path) -> None:
    assert main({"trustedPrincipal": ROLE, "externalId": "Abc123-example"}, outdir=str(tmp_path)) == 0
    template = _template(tmp_path)
    assert only_partition_rule(template) and "BootstrapVersion" not in template.get("Parameters", {})
    assert "CDKMetadata" not in template["Resources"]
    trust = the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "Abc123-example"}}
    assert cfn_lint(template) == []


def test_context_switches_reach_the_template(tmp_path: Path) -> None:
    context = {
        "trustedPrincipal": "111122223333",
        "includeIdentityCenter": "true",
        "roleName": "VendorReadOnly",
    }
    assert main(context, outdir=str(tmp_path)) == 0
    template = _template(tmp_path)
    role = the_role(template)
    assert role["RoleName"] == "VendorReadOnly"
    assert "ExternalId" in template["Parameters"]
    assert "sso:ListInstances" in json.dumps(template)
    # Identity Center's one organizations action (the management account owns the organization instance),
    # and nothing of the organizations feature.
    assert "organizations:DescribeOrganization" in json.dumps(template)
    assert "organizations:List" not in json.dumps(template)


def test_per_account_external_id_for_one_account(tmp_path: Path) -> None:
    context = {"trustedPrincipal": ROLE, "externalId": "Abc123-example", "externalIdMode": "per-account"}
    assert main(context, outdir=str(tmp_path)) == 0
    trust = the_role(_template(tmp_path))["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {
        "StringEquals": {"sts:ExternalId": {"Fn::Join": ["-", ["Abc123-example", {"Ref": "AWS::AccountId"}]]}}
    }


def test_bad_context_fails_with_one_line_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main({"trustedPrincipal": ROLE, "externalId": "no spaces allowed"}, outdir=str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid CDK context: externalId: got 'no spaces allowed'; expected")
    assert not (tmp_path / f"{ACCOUNT_STACK_ID}.template.json").exists()


def test_the_real_cdk_cli_synthesizes_the_documented_command(tmp_path: Path) -> None:
    # The README's command, as a fresh clone runs it (cdk.json runs .venv/bin/python -m cdk_app).
    command = [
        "node_modules/.bin/cdk",
        "synth",
        "-c",
        f"trustedPrincipal={ROLE}",
        "-c",
        "externalId=Abc123-example",
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
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    # cdk.json carries the feature flags `cdk init` writes for this aws-cdk-lib, so synth has none to report.
    assert "feature flags" not in result.stderr + result.stdout
    template = _template(tmp_path)
    assert the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "Abc123-example"}
    }
    assert set(template["Outputs"]) == {"RoleArn", "RoleName"}
    assert cfn_lint(template) == []


# --- -c integration=organization ----------------------------------------------------------------------

ORGANIZATION_CONTEXT = {
    "integration": "organization",
    "trustedPrincipal": ROLE,
    "externalId": "Abc123-example",
    "organizationalUnitIds": "r-ab12",
    "callAs": "SELF",
}


def _organization_template(outdir: Path) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((outdir / f"{ORGANIZATION_STACK_ID}.template.json").read_text())
    return template


def _stack_set(template: dict[str, Any]) -> dict[str, Any]:
    (found,) = resources(template, "AWS::CloudFormation::StackSet").values()
    properties: dict[str, Any] = found["Properties"]
    return properties


def test_organization_context_reaches_the_stack_set_and_the_member_template(tmp_path: Path) -> None:
    context = {
        **ORGANIZATION_CONTEXT,
        "organizationalUnitIds": "ou-ab12-11111111,ou-ab12-22222222",
        "excludeAccountIds": "444455556666",
        "stackSetRegion": "eu-central-1",
        "identityCenterRegion": "eu-west-1",
        "identityCenterAccountId": "555566667777",
        "externalIdMode": "per-account",
        "roleName": "VendorReadOnly",
    }
    assert main(context, outdir=str(tmp_path)) == 0
    template = _organization_template(tmp_path)
    assert only_partition_rule(template) and "CDKMetadata" not in template["Resources"]
    stack_set = _stack_set(template)
    (group,) = stack_set["StackInstancesGroup"]
    assert group == {
        "DeploymentTargets": {
            "AccountFilterType": "DIFFERENCE",
            "Accounts": ["444455556666"],
            "OrganizationalUnitIds": ["ou-ab12-11111111", "ou-ab12-22222222"],
        },
        "Regions": ["eu-central-1"],
    }
    assert {"ParameterKey": "IdentityCenterAccountId", "ParameterValue": "555566667777"} in stack_set[
        "Parameters"
    ]
    member = json.loads(stack_set["TemplateBody"])
    (statement,) = the_role(member)["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Condition"]["StringEquals"]["sts:ExternalId"] == {
        "Fn::Join": ["-", [{"Ref": "ExternalId"}, {"Ref": "AWS::AccountId"}]]
    }
    assert the_role(member)["RoleName"] == the_role(template)["RoleName"] == "VendorReadOnly"
    assert template["Outputs"]["ExternalIdMode"]["Value"] == "per-account"
    assert cfn_lint(template) == [] and cfn_lint(member) == []


def test_bad_organization_context_fails_with_one_line_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = {**ORGANIZATION_CONTEXT, "stackSetRegion": "us-east-1,eu-west-1"}
    assert main(context, outdir=str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid CDK context: stackSetRegion: got 'us-east-1,eu-west-1'; expected")
    assert err.count("\n") == 1


def test_the_real_cdk_cli_synthesizes_the_organization(tmp_path: Path) -> None:
    # docs/deploy-organization.md's command, as a fresh clone runs it.
    command = ["node_modules/.bin/cdk", "synth", "--output", str(tmp_path), "--no-notices", "--quiet"]
    for key, value in ORGANIZATION_CONTEXT.items():
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
    template = _organization_template(tmp_path)
    assert _stack_set(template)["CallAs"] == "SELF"
    assert the_role(template)["RoleName"] == "ReadOnlyIntegration"
    assert cfn_lint(template) == []


def test_trail_log_context_reaches_the_log_archive_member_only(tmp_path: Path) -> None:
    bucket = "aws-controltower-logs-222233334444-eu-west-1"
    context = {**ORGANIZATION_CONTEXT, "cloudTrailBucket": bucket, "logArchiveAccountId": "222233334444"}
    assert main(context, outdir=str(tmp_path)) == 0
    template = _organization_template(tmp_path)
    assert {"ParameterKey": "LogArchiveAccountId", "ParameterValue": "222233334444"} in _stack_set(template)[
        "Parameters"
    ]
    member = json.loads(_stack_set(template)["TemplateBody"])
    (trail_policy,) = [
        p
        for k, p in resources(member, "AWS::IAM::ManagedPolicy").items()
        if k.startswith("IntegrationRoleReadTrailLogs")
    ]
    assert trail_policy["Condition"] == "IsLogArchiveAccount" and bucket in json.dumps(trail_policy)
    assert bucket not in json.dumps(
        resources(template, "AWS::IAM::ManagedPolicy")
    )  # the management role reads no trail files
    assert cfn_lint(member) == []


def test_bad_trail_log_context_fails_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = {"trustedPrincipal": ROLE, "cloudTrailBucket": "Not_A_Bucket"}
    assert main(context, outdir=str(tmp_path)) == 2
    assert capsys.readouterr().err.startswith(
        "error: invalid CDK context: cloudTrailBucket: got 'Not_A_Bucket'"
    )
