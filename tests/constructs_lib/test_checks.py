"""cfn-lint and cdk-nag over every synthesized stack of the option matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import Acknowledgment, App, BootstraplessSynthesizer, Stack, Validations
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks

from constructs_lib.integration_role import NAG_SECURITY_AUDIT, NAG_WILDCARD_RESOURCE
from tests.constructs_lib.cases import CASE_NAMES, Matrix
from tests.synth import cfn_lint

pytestmark = pytest.mark.cdk


@pytest.mark.parametrize("name", CASE_NAMES)
def test_cfn_lint_finds_no_error_and_no_warning(matrix: Matrix, name: str) -> None:
    assert cfn_lint(matrix.templates[name]) == []


def test_cfn_lint_does_report_a_broken_template(matrix: Matrix) -> None:
    # The linter is really running: the same template with an invalid role property fails.
    broken = json.loads(json.dumps(matrix.templates["role-literal"]))
    role = next(r for r in broken["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    role["Properties"]["MaxSessionDuration"] = 60
    assert any("MaxSessionDuration" in finding or "E3034" in finding for finding in cfn_lint(broken))


def test_cdk_nag_passed_on_every_stack(matrix: Matrix) -> None:
    # The matrix fixture synthesized with AwsSolutionsChecks registered: reaching here means no
    # unacknowledged finding; the report in the assembly says the same.
    report = json.loads((matrix.outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == [] or all(
        r["conclusion"] == "success" for r in report["pluginReports"]
    ), report
    assert set(matrix.stacks) == set(CASE_NAMES)


def _acknowledgments(matrix: Matrix) -> dict[str, set[str]]:
    """Acknowledged finding ID -> reasons, over every construct of every stack."""
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    found: dict[str, set[str]] = {}
    for stack in matrix.stacks.values():
        for construct in stack.node.find_all():
            for entry in construct.node.metadata:
                if entry.type == key:
                    for rule, reason in entry.data.items():
                        found.setdefault(rule, set()).add(reason)
    return found


def test_every_acknowledgment_has_a_reason(matrix: Matrix) -> None:
    acknowledged = _acknowledgments(matrix)
    assert acknowledged, "the matrix should acknowledge the wildcard-resource finding"
    for rule, reasons in acknowledged.items():
        assert all(len(reason) >= 40 for reason in reasons), (rule, reasons)


def test_acknowledged_ids_are_the_findings_cdk_nag_raises_without_them(tmp_path: Path) -> None:
    """The same shapes without acknowledgments fail with exactly the IDs the construct acknowledges.

    This proves the acknowledgments are needed and spelled as cdk-nag reports them (a misspelt ID would
    silently acknowledge nothing, and the matrix synth would then have failed).
    """
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Unacknowledged", synthesizer=BootstraplessSynthesizer())
    role = iam.Role(
        stack,
        "Role",
        assumed_by=iam.AccountPrincipal("111122223333"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("SecurityAudit")],
    )
    iam.ManagedPolicy(
        stack,
        "ReadOnly",
        statements=[iam.PolicyStatement(actions=["iam:GetAccountAuthorizationDetails"], resources=["*"])],
        roles=[role],
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    raised = {
        f"{plugin['pluginName']}::{violation['ruleName']}"
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    }
    assert raised == {NAG_WILDCARD_RESOURCE, NAG_SECURITY_AUDIT}


def test_an_acknowledgment_without_the_matching_id_does_not_hide_a_finding(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Mismatch", synthesizer=BootstraplessSynthesizer())
    policy = iam.ManagedPolicy(
        stack, "P", statements=[iam.PolicyStatement(actions=["iam:ListRoles"], resources=["*"])]
    )
    Validations.of(policy).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-IAM4", reason="wrong"))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
