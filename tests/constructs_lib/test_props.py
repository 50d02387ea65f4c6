"""Props are checked at synth: every bad input fails naming the prop and the value; Tokens are let through."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, BootstraplessSynthesizer, CfnParameter, Duration, Stack
from aws_cdk.assertions import Template

from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for
from constructs_lib import AccountIntegrationStack, ExternalId, IntegrationRole, TrustedPrincipal, policies
from constructs_lib import integration_role as integration_role_module
from tests.synth import actions, minified_size, policy_statements, resources, the_role

pytestmark = pytest.mark.cdk

ROLE = "arn:aws:iam::111122223333:role/Vendor"
USER = "arn:aws:iam::111122223333:user/vendor"


@pytest.fixture
def stack(tmp_path: Path) -> Stack:
    return Stack(App(outdir=str(tmp_path)), "Test", synthesizer=BootstraplessSynthesizer())


def _role(stack: Stack, construct_id: str = "Role", **props: Any) -> IntegrationRole:
    props.setdefault("trusted_principal", TrustedPrincipal.role_arn(ROLE))
    props.setdefault("external_id", ExternalId.literal("Abc123-example"))
    return IntegrationRole(stack, construct_id, **props)


def _template(stack: Stack) -> dict[str, Any]:
    return dict(Template.from_stack(stack).to_json())


BAD_INPUTS: list[tuple[str, Callable[[Stack], object], str, str]] = [
    # (id, what to build, the setting the error must name, the value it must show)
    ("external-id-short", lambda s: ExternalId.literal("a"), "ExternalId.literal", "'a'"),
    ("external-id-space", lambda s: ExternalId.literal("has space"), "ExternalId.literal", "has space"),
    ("role-arn-is-user", lambda s: TrustedPrincipal.role_arn(USER), "TrustedPrincipal.role_arn", USER),
    (
        "role-arn-short-account",
        lambda s: TrustedPrincipal.role_arn("arn:aws:iam::1111:role/Vendor"),
        "TrustedPrincipal.role_arn",
        "1111",
    ),
    ("user-arn-is-role", lambda s: TrustedPrincipal.user_arn(ROLE), "TrustedPrincipal.user_arn", ROLE),
    ("account-short", lambda s: TrustedPrincipal.account("12345"), "TrustedPrincipal.account", "12345"),
    ("principal-kind", lambda s: TrustedPrincipal("group", "Vendors"), "TrustedPrincipal.kind", "group"),
    ("from-string-bad", lambda s: TrustedPrincipal.from_string("vendor"), "trustedPrincipal", "vendor"),
    (
        "from-string-token",
        lambda s: TrustedPrincipal.from_string(CfnParameter(s, "P").value_as_string),
        "trustedPrincipal",
        "Token",
    ),
    ("role-name", lambda s: _role(s, role_name="bad name!"), "role_name", "bad name!"),
    ("role-name-long", lambda s: _role(s, role_name="r" * 65), "role_name", "r" * 65),
    ("path", lambda s: _role(s, path="vendor"), "path", "vendor"),
    (
        "session-short",
        lambda s: _role(s, max_session_duration=Duration.minutes(30)),
        "max_session_duration",
        "30 minutes",
    ),
    (
        "session-long",
        lambda s: _role(s, max_session_duration=Duration.hours(13)),
        "max_session_duration",
        "13 hours",
    ),
    ("tag-key-reserved", lambda s: _role(s, tags={"aws:owner": "x"}), "tags key", "aws:owner"),
    ("tag-key-empty", lambda s: _role(s, tags={"": "x"}), "tags key", "''"),
    ("tag-value-long", lambda s: _role(s, tags={"owner": "v" * 257}), "tags['owner']", "v" * 257),
    ("tag-value-chars", lambda s: _role(s, tags={"owner": "a;b"}), "tags['owner']", "a;b"),
    ("features-empty", lambda s: _role(s, features=[]), "features", "[]"),
    ("features-not-enum", lambda s: _role(s, features=["iam"]), "features", "iam"),
    (
        "boundary-not-policy",
        lambda s: AccountIntegrationStack(
            s,
            "Nested",
            trusted_principal=TrustedPrincipal.account("111122223333"),
            permissions_boundary_arn="arn:aws:s3:::bucket",
        ),
        "permissions_boundary_arn",
        "arn:aws:s3:::bucket",
    ),
    (
        "from-parameter-unconstrained",
        lambda s: ExternalId.from_parameter(CfnParameter(s, "Loose", type="String")),
        "ExternalId.from_parameter",
        "Test/Loose",
    ),
    (
        "parameter-id-taken",
        lambda s: (_role(s, "Existing"), _role(s, "Other", external_id=ExternalId.parameter("Existing"))),
        "ExternalId.parameter",
        "Existing",
    ),
]


@pytest.mark.parametrize(
    ("build", "setting", "shown"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_fails_naming_the_setting_and_the_value(
    stack: Stack, build: Callable[[Stack], object], setting: str, shown: str
) -> None:
    with pytest.raises(InvalidSettingError) as error:
        build(stack)
    assert error.value.setting == setting
    assert shown in str(error.value)
    assert "expected" in str(error.value)


def test_security_audit_fails_when_the_role_would_exceed_ten_policies(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    nine = tuple((policies.Statement(f"Read{i}", "Allow", ("iam:ListRoles",)),) for i in range(9))
    monkeypatch.setattr(integration_role_module, "read_only_documents", lambda features: nine)
    _role(stack, "Fits")  # 9 + the Deny = 10
    with pytest.raises(InvalidSettingError, match="security_audit"):
        _role(stack, "TooMany", security_audit=True)


def test_tokens_are_not_checked_at_synth(stack: Stack) -> None:
    principal = CfnParameter(stack, "VendorRoleArn").value_as_string
    external_id = CfnParameter(stack, "Id").value_as_string
    _role(
        stack,
        trusted_principal=TrustedPrincipal.role_arn(principal),
        external_id=ExternalId.literal(external_id),
        role_name=CfnParameter(stack, "Name").value_as_string,
    )
    trust = the_role(_template(stack))["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"AWS": {"Ref": "VendorRoleArn"}}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "Id"}}}


def test_from_parameter_uses_a_constrained_parameter_of_yours(stack: Stack) -> None:
    parameter = CfnParameter(
        stack,
        "CustomerExternalId",
        type="String",
        allowed_pattern="^[A-Za-z0-9-]+$",
        min_length=8,
        max_length=64,
    )
    _role(stack, external_id=ExternalId.from_parameter(parameter))
    template = _template(stack)
    trust = the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "CustomerExternalId"}}}
    assert set(template["Parameters"]) == {"CustomerExternalId"}


def test_roles_of_one_stack_share_the_external_id_parameter(stack: Stack) -> None:
    _role(stack, "A", external_id=ExternalId.parameter())
    _role(stack, "B", external_id=ExternalId.parameter(), features=frozenset(Feature))
    template = _template(stack)
    assert list(template["Parameters"]) == ["ExternalId"]
    for role in resources(template, "AWS::IAM::Role").values():
        condition = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
        assert condition == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}


def test_actions_beyond_one_policy_are_split_across_attached_policies(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 700
    monkeypatch.setattr(
        integration_role_module,
        "read_only_documents",
        functools.partial(policies.read_only_documents, limit=limit),
    )
    role = _role(stack, features=frozenset(Feature))
    assert [p.node.id for p in role.read_only_policies][:2] == ["ReadOnlyPolicy1", "ReadOnlyPolicy2"]
    template = _template(stack)
    managed = resources(template, "AWS::IAM::ManagedPolicy")
    assert len(managed) == len(role.read_only_policies) + 1 >= 4
    for policy in managed.values():
        assert minified_size(policy["Properties"]["PolicyDocument"]) <= limit or any(
            s["Effect"] == "Deny" for s in policy["Properties"]["PolicyDocument"]["Statement"]
        )
        assert len(policy["Properties"]["Roles"]) == 1
    granted = sorted(a for s in policy_statements(template, "Allow") for a in actions(s))
    assert granted == sorted(actions_for(Feature))


def test_default_features_are_the_catalog_defaults(stack: Stack) -> None:
    role = _role(stack)
    assert role.features == DEFAULT_FEATURES
    assert role.granted_actions == actions_for(DEFAULT_FEATURES)
