"""The organization rollout: one assertions test per target/option combination, cfn-lint over the outer
template AND the member template as its own file, cdk-nag over both stacks (organization_cases.ORG_CASES)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, BootstraplessSynthesizer, DefaultStackSynthesizer, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from collector.permissions import DEFAULT_FEATURES, Feature, actions_for
from constructs_lib import TrustedPrincipal
from constructs_lib.organization import (
    MemberAccountStack,
    OrganizationIntegrationStack,
    member_template,
)
from constructs_lib.stack_set import TEMPLATE_BODY_LIMIT
from tests.constructs_lib.organization_cases import (
    DEV_OU,
    EXCLUDED,
    IDENTITY_CENTER_ACCOUNT,
    LITERAL_ID,
    ORG_CASE_NAMES,
    ORG_CASES,
    PROD_OU,
    ROOT,
    VENDOR_ROLE,
)
from tests.synth import HARD_CODED_PARTITION, actions, cfn_lint, only_partition_rule, resources

pytestmark = pytest.mark.cdk

Template = dict[str, Any]


@dataclass(frozen=True)
class Synthesized:
    outer: dict[str, Template]  # case -> the organization stack's template
    member: dict[str, Template]  # case -> the member template its StackSet embeds (parsed TemplateBody)
    stacks: dict[str, OrganizationIntegrationStack]
    member_stack: Template  # a MemberAccountStack synthesized in the same (cdk-nag) App
    outdir: Path


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    outdir = tmp_path_factory.mktemp("organization")
    app = App(outdir=str(outdir))
    stacks = {}
    for case in ORG_CASES:
        stacks[case.name] = OrganizationIntegrationStack(
            app,
            case.name,
            integration_props=case.props(),
            synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
            analytics_reporting=False,
            env=Environment(account=case.account) if case.account else None,
        )
    MemberAccountStack(
        app,
        "member",
        trusted_principal=TrustedPrincipal.role_arn(VENDOR_ROLE),
        synthesizer=BootstraplessSynthesizer(),
        analytics_reporting=False,
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    outer = {name: assembly.get_stack_by_name(name).template for name in stacks}
    member = {name: json.loads(_stack_set(t)["TemplateBody"]) for name, t in outer.items()}
    yield Synthesized(outer, member, stacks, assembly.get_stack_by_name("member").template, outdir)


def _stack_set(template: Template) -> dict[str, Any]:
    (found,) = resources(template, "AWS::CloudFormation::StackSet").values()
    properties: dict[str, Any] = found["Properties"]
    return properties


def _roles(template: Template) -> list[dict[str, Any]]:
    return [r["Properties"] for r in resources(template, "AWS::IAM::Role").values()]


def _granted(template: Template, *, conditional: bool | None = None) -> set[str]:
    return {
        action
        for policy in resources(template, "AWS::IAM::ManagedPolicy").values()
        if conditional is None or ("Condition" in policy) == conditional
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        for action in actions(statement)
    }


def _trust_condition(role: dict[str, Any]) -> Any:
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    return statement["Condition"]["StringEquals"]["sts:ExternalId"]


def _derived(base: Any) -> dict[str, Any]:
    return {"Fn::Join": ["-", [base, {"Ref": "AWS::AccountId"}]]}


# --- every case -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ORG_CASE_NAMES)
def test_cfn_lint_accepts_the_outer_and_the_member_template(org: Synthesized, name: str) -> None:
    # cfn-lint does not look inside TemplateBody: the member template is linted as its own template.
    assert cfn_lint(org.outer[name]) == []
    assert cfn_lint(org.member[name]) == []


@pytest.mark.parametrize("name", ORG_CASE_NAMES)
def test_stack_set_defaults_hold_in_every_case(org: Synthesized, name: str) -> None:
    stack_set = _stack_set(org.outer[name])
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED"
    assert stack_set["ManagedExecution"] == {"Active": True}
    assert stack_set["Capabilities"] == ["CAPABILITY_NAMED_IAM"]  # the member role has a fixed name
    (group,) = stack_set["StackInstancesGroup"]
    assert len(group["Regions"]) == 1  # IAM names are global
    assert group["DeploymentTargets"]["AccountFilterType"] in {"NONE", "DIFFERENCE", "INTERSECTION"}
    body = stack_set["TemplateBody"]
    assert len(body.encode()) <= TEMPLATE_BODY_LIMIT
    assert json.loads(body) == org.member[name]
    assert not HARD_CODED_PARTITION.search(json.dumps(org.outer[name]))
    assert not HARD_CODED_PARTITION.search(body)


@pytest.mark.parametrize("name", ORG_CASE_NAMES)
def test_member_template_is_plain_and_is_the_member_template_function(org: Synthesized, name: str) -> None:
    member = org.member[name]
    assert set(member) <= {"Description", "Parameters", "Resources", "Outputs", "Conditions", "Rules"}
    assert "BootstrapVersion" not in member.get("Parameters", {}) and only_partition_rule(member)
    assert all("Metadata" not in r for r in member["Resources"].values())
    assert "CDKMetadata" not in member["Resources"]
    integration = org.stacks[name].integration
    assert integration.member_template == member


def test_the_member_template_is_the_member_stack_cdk_nag_checked(org: Synthesized) -> None:
    # The same stack class, built in the cdk-nag App, gives the template root-self embeds.
    assert org.member_stack == org.member["root-self"]


def test_cdk_nag_passed_on_every_stack(org: Synthesized) -> None:
    report = json.loads((org.outdir / "validation-report.json").read_text())
    assert all(r["conclusion"] == "success" for r in report["pluginReports"]), report
    assert [s.node.id for s in org.stacks.values()] == ORG_CASE_NAMES


# --- one test per target/option combination -----------------------------------------------------------


def test_root_self_defaults(org: Synthesized) -> None:
    template = org.outer["root-self"]
    stack_set = _stack_set(template)
    assert stack_set["StackInstancesGroup"] == [
        {
            "DeploymentTargets": {"AccountFilterType": "NONE", "OrganizationalUnitIds": [ROOT]},
            "Regions": [{"Ref": "AWS::Region"}],
        }
    ]
    assert stack_set["CallAs"] == "SELF"
    assert stack_set["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert stack_set["OperationPreferences"] == {
        "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
        "FailureTolerancePercentage": 10,
        "MaxConcurrentPercentage": 25,
    }
    assert stack_set["StackSetName"] == "root-self-MemberRoles"
    assert stack_set["Parameters"] == [
        {"ParameterKey": "ExternalId", "ParameterValue": {"Ref": "ExternalId"}}
    ]
    # The management role: same name, the members' reads plus Organizations and Identity Center.
    (management,) = _roles(template)
    assert management["RoleName"] == "ReadOnlyIntegration"
    assert _trust_condition(management) == {"Ref": "ExternalId"}
    assert _granted(template) == set(
        actions_for(DEFAULT_FEATURES | {Feature.ORGANIZATIONS, Feature.IDENTITY_CENTER})
    )
    # The member role: same name, the default reads; Identity Center only under its condition.
    member = org.member["root-self"]
    (member_role,) = _roles(member)
    assert member_role["RoleName"] == "ReadOnlyIntegration"
    assert _trust_condition(member_role) == {"Ref": "ExternalId"}
    assert _granted(member, conditional=False) == set(actions_for(DEFAULT_FEATURES))
    assert _granted(member, conditional=True) == set(actions_for({Feature.IDENTITY_CENTER}))
    assert member["Conditions"] == {
        "IsIdentityCenterAccount": {
            "Fn::Equals": [{"Ref": "AWS::AccountId"}, {"Ref": "IdentityCenterAccountId"}]
        }
    }
    assert member["Parameters"]["IdentityCenterAccountId"]["Default"] == ""
    assert set(template["Outputs"]) == {
        "ManagementRoleArn",
        "CollectorArguments",
        "MemberRoleName",
        "MemberRoleArnPattern",
        "StackSetName",
        "StackSetId",
        "ExternalIdMode",
    }
    outputs = {k: v["Value"] for k, v in template["Outputs"].items()}
    assert outputs["ExternalIdMode"] == "shared"
    assert outputs["MemberRoleName"] == "ReadOnlyIntegration"
    assert outputs["StackSetId"] == {"Ref": next(iter(resources(template, "AWS::CloudFormation::StackSet")))}
    arguments = outputs["CollectorArguments"]["Fn::Join"]
    assert arguments[1][-1] == "--member-role-name ReadOnlyIntegration --external-id-mode shared"
    assert outputs["MemberRoleArnPattern"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::{account_id}:role/ReadOnlyIntegration"]]
    }


def test_ous_minus_accounts_is_difference(org: Synthesized) -> None:
    (group,) = _stack_set(org.outer["ous-minus-accounts"])["StackInstancesGroup"]
    assert group["DeploymentTargets"] == {
        "AccountFilterType": "DIFFERENCE",
        "Accounts": list(EXCLUDED),
        "OrganizationalUnitIds": [PROD_OU, DEV_OU],
    }


def test_only_some_accounts_is_intersection_without_auto_deployment(org: Synthesized) -> None:
    stack_set = _stack_set(org.outer["only-some-accounts"])
    (group,) = stack_set["StackInstancesGroup"]
    assert group["DeploymentTargets"] == {
        "AccountFilterType": "INTERSECTION",
        "Accounts": list(EXCLUDED),
        "OrganizationalUnitIds": [PROD_OU],
    }
    assert stack_set["AutoDeployment"] == {"Enabled": False}


def test_delegated_admin_has_no_management_role(org: Synthesized) -> None:
    template = org.outer["delegated-admin"]
    assert _stack_set(template)["CallAs"] == "DELEGATED_ADMIN"
    assert _roles(template) == []
    assert "ManagementRoleArn" not in template["Outputs"] and "CollectorArguments" not in template["Outputs"]
    assert "ExternalId" in template["Parameters"]  # still passed on to the StackSet


def test_management_role_can_be_left_out_with_self(org: Synthesized) -> None:
    template = org.outer["management-role-off"]
    assert _roles(template) == [] and _stack_set(template)["CallAs"] == "SELF"


def test_per_account_literal_derives_the_value_in_every_account(org: Synthesized) -> None:
    template, member = org.outer["per-account-literal"], org.member["per-account-literal"]
    (management,) = _roles(template)
    assert _trust_condition(management) == _derived(LITERAL_ID)
    (member_role,) = _roles(member)
    assert _trust_condition(member_role) == _derived({"Ref": "ExternalId"})
    assert member["Parameters"]["ExternalId"]["MaxLength"] == 1211
    assert _stack_set(template)["Parameters"][0] == {
        "ParameterKey": "ExternalId",
        "ParameterValue": LITERAL_ID,
    }
    assert "Parameters" not in template  # the literal is in the template, no parameter
    assert template["Outputs"]["ExternalIdMode"]["Value"] == "per-account"


def test_per_account_parameter_is_shorter_by_the_account_id(org: Synthesized) -> None:
    template = org.outer["per-account-parameter"]
    assert template["Parameters"]["ExternalId"]["MaxLength"] == 1211
    (management,) = _roles(template)
    assert _trust_condition(management) == _derived({"Ref": "ExternalId"})
    assert _stack_set(template)["Parameters"] == [
        {"ParameterKey": "ExternalId", "ParameterValue": {"Ref": "ExternalId"}}
    ]


def test_identity_center_delegated_to_a_member(org: Synthesized) -> None:
    template = org.outer["identity-center-delegated"]
    assert {"ParameterKey": "IdentityCenterAccountId", "ParameterValue": IDENTITY_CENTER_ACCOUNT} in (
        _stack_set(template)["Parameters"]
    )
    outputs = {k: v["Value"] for k, v in template["Outputs"].items()}
    assert outputs["IdentityCenterRegion"] == "eu-west-1"
    assert outputs["IdentityCenterAccountId"] == IDENTITY_CENTER_ACCOUNT
    # The collector finds the delegated administrator itself; the region saves it a call.
    assert "--identity-center-region eu-west-1" in outputs["CollectorArguments"]["Fn::Join"][1][-1]


def test_identity_center_in_the_management_account(org: Synthesized) -> None:
    template = org.outer["identity-center-management"]
    assert [p["ParameterKey"] for p in _stack_set(template)["Parameters"]] == ["ExternalId"]
    assert template["Outputs"]["IdentityCenterRegion"]["Value"] == "eu-west-1"
    assert "IdentityCenterAccountId" not in template["Outputs"]
    assert "sso:ListInstances" in _granted(template)  # the management role reads it there


def test_members_that_all_read_identity_center_need_no_condition(org: Synthesized) -> None:
    member = org.member["members-read-identity-center"]
    assert "Conditions" not in member and "IdentityCenterAccountId" not in member["Parameters"]
    assert _granted(member) == set(actions_for({Feature.IAM, Feature.IDENTITY_CENTER}))


def test_all_options(org: Synthesized) -> None:
    template, member = org.outer["all-options"], org.member["all-options"]
    stack_set = _stack_set(template)
    assert stack_set["StackSetName"] == "VendorMemberRoles"
    assert stack_set["StackInstancesGroup"][0]["Regions"] == ["eu-central-1"]
    assert stack_set["OperationPreferences"] == {
        "ConcurrencyMode": "STRICT_FAILURE_TOLERANCE",
        "FailureToleranceCount": 2,
        "MaxConcurrentCount": 3,
    }
    for role in (*_roles(template), *_roles(member)):
        assert role["RoleName"] == "VendorReadOnly"
        assert role["MaxSessionDuration"] == 4 * 3600
        assert role["Tags"] == [{"Key": "owner", "Value": "security"}]
        assert any("SecurityAudit" in json.dumps(arn) for arn in role["ManagedPolicyArns"])
    assert template["Outputs"]["MemberRoleName"]["Value"] == "VendorReadOnly"


def test_ou_parameter_makes_one_template_for_every_organization(org: Synthesized) -> None:
    template = org.outer["ou-parameter"]
    assert template["Parameters"]["OrganizationalUnitIds"]["Type"] == "CommaDelimitedList"
    (group,) = _stack_set(template)["StackInstancesGroup"]
    assert group["DeploymentTargets"] == {
        "AccountFilterType": "NONE",
        "OrganizationalUnitIds": {"Ref": "OrganizationalUnitIds"},
    }


def test_member_template_size_leaves_room(org: Synthesized) -> None:
    # The largest member template of the matrix, against CloudFormation's inline limit.
    largest = max(len(_stack_set(t)["TemplateBody"].encode()) for t in org.outer.values())
    assert largest < TEMPLATE_BODY_LIMIT / 5, largest


def test_member_template_function_without_a_stack() -> None:
    template = member_template(trusted_principal=TrustedPrincipal.role_arn(VENDOR_ROLE), role_name="X")
    (role,) = _roles(template)
    assert role["RoleName"] == "X" and _trust_condition(role) == {"Ref": "ExternalId"}
    assert list(template["Parameters"]) == ["ExternalId", "IdentityCenterAccountId"]
