"""`make templates`: plain, bootstrap-free, metadata-free templates that cfn-lint accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_app import templates
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for
from tests.synth import (
    HARD_CODED_PARTITION,
    actions,
    cfn_lint,
    only_partition_rule,
    policy_statements,
    the_role,
)

pytestmark = pytest.mark.cdk

ROLE = "arn:aws:iam::111122223333:role/Vendor"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("templates")
    assert templates.main(["--out", str(out), "--trusted-principal", ROLE]) == 0
    return {p.name: json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}


def test_one_file_per_variant(written: dict[str, dict[str, Any]]) -> None:
    legacy = ["legacy-role.json", "legacy-user.json"]
    expected = [v.file_name for v in templates.VARIANTS] + list(templates.ORGANIZATION_SUMMARIES) + legacy
    assert list(written) == sorted(expected)


def test_organization_outer_and_member_templates(written: dict[str, dict[str, Any]]) -> None:
    outer, member = written[templates.ORGANIZATION_FILE], written[templates.ORGANIZATION_MEMBER_FILE]
    # One outer template for every customer: the external ID and the targets are its parameters.
    assert list(outer["Parameters"]) == ["ExternalId", "OrganizationalUnitIds"]
    assert all("Metadata" not in r for r in outer["Resources"].values())
    (stack_set,) = [r["Properties"] for r in outer["Resources"].values() if "StackSet" in r["Type"]]
    # The member file is exactly the template the StackSet embeds.
    assert json.loads(stack_set["TemplateBody"]) == member
    assert list(member["Parameters"]) == ["ExternalId", "IdentityCenterAccountId"]
    assert the_role(member)["RoleName"] == the_role(outer)["RoleName"]
    assert not HARD_CODED_PARTITION.search(json.dumps(outer))
    # cfn-lint reads no TemplateBody: both files are linted.
    assert cfn_lint(outer) == []
    assert cfn_lint(member) == []


@pytest.mark.parametrize("variant", templates.VARIANTS, ids=lambda v: v.file_name)
def test_plain_template(written: dict[str, dict[str, Any]], variant: templates.Variant) -> None:
    template = written[variant.file_name]
    assert set(template) == {"Description", "Parameters", "Resources", "Outputs", "Rules"}
    assert list(template["Parameters"]) == ["ExternalId"]  # no BootstrapVersion
    assert only_partition_rule(template)  # the trusted principal's partition, nothing else
    assert all("Metadata" not in r for r in template["Resources"].values())
    assert {r["Type"] for r in template["Resources"].values()} == {
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
    }
    assert not HARD_CODED_PARTITION.search(json.dumps(template))
    trust = the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    features = DEFAULT_FEATURES | ({Feature.IDENTITY_CENTER} if variant.include_identity_center else set())
    granted = sorted(a for s in policy_statements(template, "Allow") for a in actions(s))
    assert granted == sorted(actions_for(features))
    assert cfn_lint(template) == []


def test_bad_principal_fails_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert templates.main(["--out", str(tmp_path / "t"), "--trusted-principal", "vendor"]) == 2
    assert "--trusted-principal: got 'vendor'" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_legacy_user_template(written: dict[str, dict[str, Any]]) -> None:
    template = written["legacy-user.json"]
    assert set(template) == {"Description", "Parameters", "Resources", "Outputs"}
    assert list(template["Parameters"]) == ["AccountIds", "SecretReaderArns"]
    assert all("Metadata" not in r for r in template["Resources"].values())
    assert {r["Type"] for r in template["Resources"].values()} == {
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::Policy",
        "AWS::IAM::AccessKey",
        "AWS::SecretsManager::Secret",
        "AWS::SecretsManager::ResourcePolicy",
    }
    assert set(template["Outputs"]) == {"UserArn", "SecretArn"}
    assert not HARD_CODED_PARTITION.search(json.dumps(template["Resources"]))
    assert cfn_lint(template) == []


def test_legacy_role_template(written: dict[str, dict[str, Any]]) -> None:
    template = written["legacy-role.json"]
    assert list(template["Parameters"]) == ["ExternalId", "TrustedUserArn"]
    trust = the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"AWS": {"Ref": "TrustedUserArn"}}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    granted = sorted(a for s in policy_statements(template, "Allow") for a in actions(s))
    assert granted == sorted(actions_for(DEFAULT_FEATURES))
    assert cfn_lint(template) == []


def test_legacy_rotation_step_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--out", str(tmp_path), "--trusted-principal", ROLE, "--key-serial", "2"]
    assert templates.main([*argv, "--previous-key-serial", "1"]) == 0
    user = json.loads((tmp_path / "legacy-user.json").read_text())
    keys = [
        r["Properties"]["Serial"] for r in user["Resources"].values() if r["Type"] == "AWS::IAM::AccessKey"
    ]
    assert sorted(keys) == [1, 2]
    assert templates.main([*argv, "--previous-key-serial", "2"]) == 2
    assert (
        "--key-serial: got 2; expected a serial greater than --previous-key-serial (2)"
        in capsys.readouterr().err
    )
