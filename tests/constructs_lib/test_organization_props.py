"""Bad input to the organization rollout and its StackSet fails at synth, naming the prop and the value.

One failing-input test per validation; and the reusable StackSet's own rules (capabilities, regions, size,
parameters) on small templates.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import (
    App,
    Aws,
    BootstraplessSynthesizer,
    CfnCondition,
    CfnParameter,
    Environment,
    Fn,
    Stack,
)
from aws_cdk.assertions import Template

from collector.formats import InvalidSettingError
from collector.permissions import Feature, actions_for
from constructs_lib import ExternalId, IntegrationRole, TrustedPrincipal
from constructs_lib import integration_role as integration_role_module
from constructs_lib.organization import IdentityCenter, OrganizationIntegration
from constructs_lib.stack_set import (
    TEMPLATE_BODY_LIMIT,
    CallAs,
    Rollout,
    ServiceManagedStackSet,
    Share,
    Targets,
    required_capabilities,
)
from tests.synth import resources

pytestmark = pytest.mark.cdk

ROLE = "arn:aws:iam::111122223333:role/Vendor"
OU = "ou-ab12-11111111"
MANAGEMENT = "123456789012"


@pytest.fixture
def stack(tmp_path: Path) -> Stack:
    return Stack(
        App(outdir=str(tmp_path)),
        "Test",
        synthesizer=BootstraplessSynthesizer(),
        env=Environment(account=MANAGEMENT, region="us-east-1"),
    )


def _org(stack: Stack, **props: Any) -> OrganizationIntegration:
    props.setdefault("trusted_principal", TrustedPrincipal.role_arn(ROLE))
    props.setdefault("targets", Targets.organizational_units([OU]))
    props.setdefault("call_as", CallAs.SELF)
    return OrganizationIntegration(stack, "Org", **props)


def _named_role_template(size: int = 0) -> dict[str, Any]:
    return {
        "Description": "x" * size,
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"RoleName": "R", "AssumeRolePolicyDocument": {}},
            }
        },
    }


def _properties(stack: Stack) -> dict[str, Any]:
    (found,) = resources(Template.from_stack(stack).to_json(), "AWS::CloudFormation::StackSet").values()
    properties: dict[str, Any] = found["Properties"]
    return properties


def _stack_set(stack: Stack, **props: Any) -> ServiceManagedStackSet:
    props.setdefault("template", _named_role_template())
    props.setdefault("targets", Targets.organizational_units([OU]))
    props.setdefault("call_as", CallAs.SELF)
    return ServiceManagedStackSet(stack, "Set", **props)


BAD_INPUTS: list[tuple[str, Callable[[Stack], object], str, str]] = [
    # (id, what to build, the setting the error must name, a part of the value it must show)
    ("ou-id", lambda s: Targets.organizational_units(["ou-1"]), "organizational_unit_ids", "ou-1"),
    ("root-id", lambda s: Targets.organizational_units(["r-A"]), "organizational_unit_ids", "r-A"),
    (
        "account-as-ou",
        lambda s: Targets.organizational_units([MANAGEMENT]),
        "organizational_unit_ids",
        MANAGEMENT,
    ),
    ("no-ou", lambda s: Targets.organizational_units([]), "organizational_unit_ids", "[]"),
    ("ou-string", lambda s: Targets.organizational_units(OU), "organizational_unit_ids", OU),
    ("ou-twice", lambda s: Targets.organizational_units([OU, OU]), "organizational_unit_ids", OU),
    (
        "excluded-account",
        lambda s: Targets.organizational_units([OU], exclude_accounts=["1234"]),
        "exclude_accounts",
        "1234",
    ),
    (
        "excluded-twice",
        lambda s: Targets.organizational_units([OU], exclude_accounts=[MANAGEMENT, MANAGEMENT]),
        "exclude_accounts",
        MANAGEMENT,
    ),
    ("intersection-empty", lambda s: Targets.accounts_in_organizational_units([OU], []), "accounts", "[]"),
    (
        "intersection-with-auto-deployment",
        lambda s: _org(s, targets=Targets.accounts_in_organizational_units([OU], [MANAGEMENT])),
        "auto_deployment",
        "True",
    ),
    (
        "retain-without-auto-deployment",
        lambda s: _stack_set(s, auto_deployment=False, retain_stacks_on_account_removal=True),
        "retain_stacks_on_account_removal",
        "True",
    ),
    ("call-as-string", lambda s: _org(s, call_as="SELF"), "call_as", "SELF"),
    ("stack-set-call-as-string", lambda s: _stack_set(s, call_as="SELF"), "call_as", "SELF"),
    (
        "delegated-admin-with-management-role",
        lambda s: _org(s, call_as=CallAs.DELEGATED_ADMIN, management_role=True),
        "management_role",
        "True",
    ),
    ("region", lambda s: _org(s, region="mars-1"), "regions", "mars-1"),
    (
        "two-regions-named-iam",
        lambda s: _stack_set(s, regions=["us-east-1", "eu-west-1"]),
        "regions",
        "eu-west-1",
    ),
    ("region-twice", lambda s: _stack_set(s, regions=["us-east-1", "us-east-1"]), "regions", "us-east-1"),
    ("regions-string", lambda s: _stack_set(s, regions="us-east-1"), "regions", "us-east-1"),
    (
        "template-too-large",
        lambda s: _stack_set(s, template=_named_role_template(TEMPLATE_BODY_LIMIT)),
        "template",
        "bytes",
    ),
    (
        "parameter-unknown",
        lambda s: _stack_set(s, parameters={"Nope": "x"}),
        "parameters",
        "Nope",
    ),
    (
        "parameter-missing",
        lambda s: _stack_set(s, template={**_named_role_template(), "Parameters": {"P": {"Type": "String"}}}),
        "parameters",
        "'P'",
    ),
    (
        "stack-set-name",
        lambda s: _org(s, stack_set_name="1-starts-with-a-digit"),
        "stack_set_name",
        "1-starts",
    ),
    ("role-name", lambda s: _org(s, role_name="bad name"), "role_name", "bad name"),
    (
        "role-name-token",
        lambda s: _org(s, role_name=CfnParameter(s, "Name").value_as_string),
        "role_name",
        "Token",
    ),
    (
        "principal-token",
        lambda s: _org(s, trusted_principal=TrustedPrincipal.role_arn(CfnParameter(s, "P").value_as_string)),
        "trusted_principal",
        "Token",
    ),
    (
        "per-account-literal-too-long",
        lambda s: ExternalId.per_account(ExternalId.literal("x" * 1212)),
        "ExternalId.per_account",
        "xxx",
    ),
    (
        "per-account-unconstrained-parameter",
        lambda s: ExternalId.per_account(
            ExternalId.from_parameter(
                CfnParameter(s, "Id", allowed_pattern=".+", min_length=2, max_length=1224)
            )
        ),
        "ExternalId.per_account",
        "Test/Id",
    ),
    (
        "per-account-after-shared-parameter",
        lambda s: (
            ExternalId.parameter().bind(s),
            _org(s, external_id=ExternalId.per_account()),
        ),
        "ExternalId.per_account",
        "Test/ExternalId",
    ),
    (
        "identity-center-region",
        lambda s: IdentityCenter.in_management_account("global"),
        "IdentityCenter.home_region",
        "global",
    ),
    (
        "identity-center-account",
        lambda s: IdentityCenter.delegated_to("55556666", "us-east-1"),
        "IdentityCenter.account_id",
        "55556666",
    ),
    (
        "identity-center-delegated-to-the-management-account",
        lambda s: _org(s, identity_center=IdentityCenter.delegated_to(MANAGEMENT, "us-east-1")),
        "identity_center",
        MANAGEMENT,
    ),
    (
        "tolerance-percent",
        lambda s: Rollout(failure_tolerance=Share.percent(101)),
        "Rollout.failure_tolerance",
        "101",
    ),
    (
        "tolerance-count",
        lambda s: Rollout(failure_tolerance=Share.accounts(-1)),
        "Rollout.failure_tolerance",
        "-1",
    ),
    (
        "concurrency-zero",
        lambda s: Rollout(max_concurrency=Share.accounts(0)),
        "Rollout.max_concurrency",
        "0",
    ),
    (
        "concurrency-percent",
        lambda s: Rollout(max_concurrency=Share.percent(0)),
        "Rollout.max_concurrency",
        "0",
    ),
    ("share-both", lambda s: Rollout(max_concurrency=Share(1, 1)), "Rollout.max_concurrency", "Share"),
]


@pytest.mark.parametrize(
    ("build", "setting", "shown"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_names_the_prop_and_the_value(
    stack: Stack, build: Callable[[Stack], object], setting: str, shown: str
) -> None:
    with pytest.raises(InvalidSettingError) as error:
        build(stack)
    assert error.value.setting == setting
    assert shown in str(error.value), str(error.value)
    assert "; expected " in str(error.value)


def test_the_size_error_says_the_limit(stack: Stack) -> None:
    with pytest.raises(InvalidSettingError, match=r"expected at most 51,200 bytes, CloudFormation's inline"):
        _stack_set(stack, template=_named_role_template(TEMPLATE_BODY_LIMIT))


def test_capabilities_follow_the_template() -> None:
    named = _named_role_template()
    unnamed = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {}}}}
    bucket = {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}
    assert required_capabilities(named) == ("CAPABILITY_NAMED_IAM",)
    assert required_capabilities(unnamed) == ("CAPABILITY_IAM",)
    assert required_capabilities(bucket) == ()


def test_a_template_without_named_iam_may_go_to_several_regions(stack: Stack) -> None:
    unnamed = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {}}}}
    _stack_set(stack, template=unnamed, regions=["us-east-1", "eu-west-1"])
    props = _properties(stack)
    assert props["StackInstancesGroup"][0]["Regions"] == ["us-east-1", "eu-west-1"]
    assert props["Capabilities"] == ["CAPABILITY_IAM"]


def test_tokens_are_left_for_cloudformation(stack: Stack) -> None:
    ous = CfnParameter(stack, "Ous", type="CommaDelimitedList").value_as_list
    region = CfnParameter(stack, "Region").value_as_string
    _stack_set(stack, targets=Targets.organizational_units(ous), regions=[region])
    (group,) = _properties(stack)["StackInstancesGroup"]
    assert group == {
        "DeploymentTargets": {"AccountFilterType": "NONE", "OrganizationalUnitIds": {"Ref": "Ous"}},
        "Regions": [{"Ref": "Region"}],
    }


def test_a_just_fitting_template_is_accepted(stack: Stack) -> None:
    # The limit is inclusive and counted in bytes of the minified body.
    probe = _stack_set(stack, template=_named_role_template())
    room = TEMPLATE_BODY_LIMIT - len(probe.template_body.encode())
    fitting = _stack_set(Stack(stack.node.scope, "Other"), template=_named_role_template(room))  # type: ignore[arg-type]
    assert len(fitting.template_body.encode()) == TEMPLATE_BODY_LIMIT


def _plain_role(stack: Stack, **props: Any) -> IntegrationRole:
    return IntegrationRole(
        stack,
        "Role",
        trusted_principal=TrustedPrincipal.role_arn(ROLE),
        external_id=ExternalId.literal("Abc123-example"),
        **props,
    )


def test_conditional_features_add_only_the_missing_actions_under_the_condition(stack: Stack) -> None:
    role = _plain_role(stack, features={Feature.IAM, Feature.IDENTITY_CENTER})
    condition = CfnCondition(stack, "Here", expression=Fn.condition_equals(Aws.ACCOUNT_ID, MANAGEMENT))
    (added,) = role.add_conditional_features(
        "Extra", {Feature.IDENTITY_CENTER, Feature.ORGANIZATIONS}, condition
    )
    assert role.policies[-1] is added
    template = Template.from_stack(stack).to_json()
    (extra,) = [p for p in resources(template, "AWS::IAM::ManagedPolicy").values() if "Condition" in p]
    assert extra["Condition"] == "Here"
    granted = {a for s in extra["Properties"]["PolicyDocument"]["Statement"] for a in s["Action"]}
    already = set(actions_for({Feature.IAM, Feature.IDENTITY_CENTER}))
    assert granted == set(actions_for({Feature.ORGANIZATIONS})) - already
    # The catalog lists organizations:DescribeOrganization under both features: the filter is exercised.
    assert set(actions_for({Feature.ORGANIZATIONS})) & already
    (deny,) = [
        k
        for k, p in resources(template, "AWS::IAM::ManagedPolicy").items()
        if p["Properties"]["PolicyDocument"]["Statement"][0]["Effect"] == "Deny"
    ]
    assert extra["DependsOn"] == [deny]


def test_conditional_features_respect_the_managed_policy_limit(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = _plain_role(stack)
    monkeypatch.setattr(integration_role_module, "MANAGED_POLICIES_PER_ROLE", 2)
    condition = CfnCondition(stack, "Here", expression=Fn.condition_equals(Aws.ACCOUNT_ID, MANAGEMENT))
    with pytest.raises(InvalidSettingError, match="features that fit the role's 2 managed policies"):
        role.add_conditional_features("Extra", {Feature.ORGANIZATIONS}, condition)
