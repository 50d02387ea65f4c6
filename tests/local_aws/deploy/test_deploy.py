"""The deployment helpers' pure parts: the CDK context, StackSet properties as CloudFormation resolves them.

The deployment itself runs in tests/e2e/test_deployed_integration.py (real CDK CLI, local AWS)."""

from __future__ import annotations

import pytest

from cdk_app import config
from local_aws.deploy.organization import StackSetError, cdk_context, resolved, stack_sets_of, top_level_ous
from local_aws.seed import OrganizationalUnitTruth, OrganizationTruth

ORGANIZATION = OrganizationTruth(
    organization_id="o-abcd1234",
    management_account_id="123456789012",
    root_id="r-ab12",
    organizational_units=(
        OrganizationalUnitTruth("ou-ab12-11111111", "Workloads", "r-ab12"),
        OrganizationalUnitTruth("ou-ab12-22222222", "Production", "ou-ab12-11111111"),
        OrganizationalUnitTruth("ou-ab12-33333333", "Sandbox", "r-ab12"),
    ),
    accounts=(),
)


def test_the_stack_set_targets_the_top_level_ous() -> None:
    assert top_level_ous(ORGANIZATION) == ("ou-ab12-11111111", "ou-ab12-33333333")


def test_the_cdk_context_is_what_the_app_accepts_for_an_organization() -> None:
    context = cdk_context(
        vendor_principal_arn="arn:aws:iam::999988887777:user/vendor-collector",
        external_id="Demo-External-Id",
        organizational_unit_ids=top_level_ous(ORGANIZATION),
        identity_center_region="us-east-1",
    )
    settings = config.from_context(context.get)
    assert isinstance(settings, config.OrganizationSettings)
    assert settings.call_as == "SELF"
    assert settings.trusted_principal == "arn:aws:iam::999988887777:user/vendor-collector"


def test_refs_are_resolved_and_other_functions_refused() -> None:
    properties = {
        "StackSetName": "S",
        "StackInstancesGroup": [{"Regions": [{"Ref": "AWS::Region"}], "DeploymentTargets": {"A": ["x"]}}],
    }
    assert resolved(properties, {"AWS::Region": "eu-west-1"}) == {
        "StackSetName": "S",
        "StackInstancesGroup": [{"Regions": ["eu-west-1"], "DeploymentTargets": {"A": ["x"]}}],
    }
    with pytest.raises(StackSetError, match="cannot resolve Ref 'ExternalId'"):
        resolved({"P": {"Ref": "ExternalId"}}, {"AWS::Region": "eu-west-1"})
    with pytest.raises(StackSetError, match="cannot resolve Fn::Join"):
        resolved({"P": {"Fn::Join": ["", ["a"]]}}, {})


def test_only_stack_set_resources_are_taken() -> None:
    template = {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "R"}},
            "Members": {"Type": "AWS::CloudFormation::StackSet", "Properties": {"StackSetName": "M"}},
        }
    }
    assert stack_sets_of(template) == [{"StackSetName": "M"}]
    assert stack_sets_of({}) == []
