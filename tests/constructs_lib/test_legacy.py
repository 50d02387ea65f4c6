"""The legacy method's constructs: the user, its only permission, the key in the secret, rotation, the role.

One App for the module, synthesized once with cdk-nag's AwsSolutions pack: if any stack had an
unacknowledged finding, the fixture's synth would fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, BootstraplessSynthesizer, CfnParameter, Stack, Validations
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks

from collector import formats
from collector.formats import InvalidSettingError
from constructs_lib.legacy import (
    ACCESS_KEY_ID_FIELD,
    DEFAULT_ROLE_NAME,
    SECRET_ACCESS_KEY_FIELD,
    WARNING,
    AccessKeys,
    AssumableRoles,
    LegacyIntegrationUser,
    SecretReaders,
)
from constructs_lib.legacy_stacks import (
    TRUSTED_USER_ARN_PARAMETER,
    LegacyRoleStack,
    LegacyUserStack,
    legacy_role_template,
    legacy_user_arn,
)
from tests.cfn_intrinsics import evaluate, occurrences
from tests.synth import HARD_CODED_PARTITION, cfn_lint, resources, the_role

pytestmark = pytest.mark.cdk

A, B = "111122223333", "444455556666"
ADMIN = "arn:aws:iam::111122223333:role/Admin"
AUDITOR = "arn:aws:iam::111122223333:user/auditor"
KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ORG = "o-a1b2c3d4e5"
USER_ARN = legacy_user_arn(A)
STACKSET_BODY_LIMIT = 51_200

UserProps = dict[str, Any]
USER_CASES: dict[str, Callable[[], UserProps]] = {
    "accounts": lambda: {
        "roles": AssumableRoles.in_accounts([A, B, A]),
        "secret_readers": SecretReaders.arns([ADMIN, AUDITOR]),
        "encryption_key_arn": KMS_KEY,
    },
    "accounts-parameter": lambda: {
        "roles": AssumableRoles.accounts_parameter(),
        "secret_readers": SecretReaders.parameter(),
    },
    "organization": lambda: {
        "roles": AssumableRoles.in_organization(ORG, role_name="VendorLegacy"),
        "secret_readers": SecretReaders.arns([ADMIN]),
        "path": "/vendor/",
        "secret_name": "vendor/integration-key",
        "tags": {"owner": "security"},
    },
    # The rotation: the first deployment, step 1, the optional deactivation, step 2.
    "rotation-0": lambda: {**USER_CASES["accounts"](), "access_keys": AccessKeys.one(1)},
    "rotation-1": lambda: {
        **USER_CASES["accounts"](),
        "access_keys": AccessKeys.rotating(previous=1, current=2),
    },
    "rotation-1b": lambda: {
        **USER_CASES["accounts"](),
        "access_keys": AccessKeys.rotating(previous=1, current=2, previous_active=False),
    },
    "rotation-2": lambda: {**USER_CASES["accounts"](), "access_keys": AccessKeys.one(2)},
}
ROLE_CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "role-parameter": dict,
    "role-literal": lambda: {"user_arn": USER_ARN},
}


@dataclass(frozen=True)
class Synth:
    stacks: dict[str, Stack]
    templates: dict[str, dict[str, Any]]
    outdir: Path


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    outdir = tmp_path_factory.mktemp("legacy")
    app = App(outdir=str(outdir))
    stacks: dict[str, Stack] = {}
    for name, user_props in USER_CASES.items():
        stacks[name] = LegacyUserStack(
            app,
            name,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
            **user_props(),
        )
    for name, role_props in ROLE_CASES.items():
        stacks[name] = LegacyRoleStack(
            app, name, synthesizer=BootstraplessSynthesizer(), analytics_reporting=False, **role_props()
        )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    templates = {name: assembly.get_stack_by_name(name).template for name in stacks}
    return Synth(stacks, templates, outdir)


def one(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    found = resources(template, resource_type)
    assert len(found) == 1, found.keys()
    return next(iter(found.items()))


def access_keys(template: dict[str, Any]) -> dict[int, tuple[str, dict[str, Any]]]:
    keys = resources(template, "AWS::IAM::AccessKey")
    return {resource["Properties"]["Serial"]: (logical_id, resource) for logical_id, resource in keys.items()}


# --- the secret access key: in the secret's value, nowhere else --------------------------------------------


def secret_access_key_paths(template: dict[str, Any]) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    """Every place the synthesized JSON mentions SecretAccessKey, and the secret value's path."""
    secret_id, _ = one(template, "AWS::SecretsManager::Secret")
    return list(occurrences(template, "SecretAccessKey")), (
        "Resources",
        secret_id,
        "Properties",
        "SecretString",
    )


@pytest.mark.parametrize("name", USER_CASES)
def test_the_secret_access_key_is_only_in_the_secret_value(synth: Synth, name: str) -> None:
    found, secret_value = secret_access_key_paths(synth.templates[name])
    assert found, "the secret's value references the key's SecretAccessKey"
    assert all(path[: len(secret_value)] == secret_value for path in found), found
    assert set(synth.templates[name]["Outputs"]) == {"UserArn", "SecretArn"}


def test_the_search_finds_a_key_leaked_into_an_output(synth: Synth) -> None:
    # The check above is really able to fail: the same template with the key in an output is caught.
    leaky = json.loads(json.dumps(synth.templates["accounts"]))
    (key_id, _) = access_keys(leaky)[1]
    leaky["Outputs"]["Key"] = {"Value": {"Fn::GetAtt": [key_id, "SecretAccessKey"]}}
    found, secret_value = secret_access_key_paths(leaky)
    assert [p for p in found if p[: len(secret_value)] != secret_value] == [
        ("Outputs", "Key", "Value", "Fn::GetAtt", 1)
    ]


def test_the_secret_holds_the_current_key_as_json(synth: Synth) -> None:
    template = synth.templates["rotation-1"]
    _, secret = one(template, "AWS::SecretsManager::Secret")
    key_id, _ = access_keys(template)[2]
    value = evaluate(
        secret["Properties"]["SecretString"],
        {},
        ref=lambda logical_id: f"id-of-{logical_id}",
        get_att=lambda logical_id, attribute: f"{attribute}-of-{logical_id}",
    )
    assert json.loads(value) == {
        ACCESS_KEY_ID_FIELD: f"id-of-{key_id}",
        SECRET_ACCESS_KEY_FIELD: f"SecretAccessKey-of-{key_id}",
    }


# --- the user's effective permissions ------------------------------------------------------------------


def user_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement that applies to the user: its own policies and its groups' (inline or managed)."""
    user_id, user = one(template, "AWS::IAM::User")
    properties = user["Properties"]
    assert "LoginProfile" not in properties  # no password: no console access
    assert "ManagedPolicyArns" not in properties and "Policies" not in properties
    assert "PermissionsBoundary" not in properties
    groups = {g["Ref"] for g in properties.get("Groups", [])}
    for addition in resources(template, "AWS::IAM::UserToGroupAddition").values():
        if {"Ref": user_id} in addition["Properties"]["Users"]:
            groups.add(addition["Properties"]["GroupName"]["Ref"])
    statements: list[dict[str, Any]] = []
    for group_id in groups:
        group = template["Resources"][group_id].get("Properties", {})
        assert "ManagedPolicyArns" not in group
        statements += [s for p in group.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in resources(template, kind).values():
            attached = policy["Properties"]
            targets = {r["Ref"] for r in attached.get("Users", []) + attached.get("Groups", [])}
            if targets & (groups | {user_id}):
                statements += attached["PolicyDocument"]["Statement"]
    return statements


def test_the_user_may_only_assume_the_role_in_the_listed_accounts(synth: Synth) -> None:
    (statement,) = user_statements(synth.templates["accounts"])
    assert statement["Effect"] == "Allow" and statement["Action"] == "sts:AssumeRole"
    assert "Condition" not in statement and "NotResource" not in statement
    assert sorted(evaluate(statement["Resource"], {})) == [
        f"arn:aws:iam::{A}:role/{DEFAULT_ROLE_NAME}",  # listed twice, granted once
        f"arn:aws:iam::{B}:role/{DEFAULT_ROLE_NAME}",
    ]
    assert sorted(evaluate(statement["Resource"], {}, partition="aws-cn")) == [
        f"arn:aws-cn:iam::{A}:role/{DEFAULT_ROLE_NAME}",
        f"arn:aws-cn:iam::{B}:role/{DEFAULT_ROLE_NAME}",
    ]


def test_with_the_account_ids_parameter_each_listed_account_gets_its_role_arn(synth: Synth) -> None:
    template = synth.templates["accounts-parameter"]
    (statement,) = user_statements(template)
    assert statement["Action"] == "sts:AssumeRole" and "Condition" not in statement
    assert evaluate(statement["Resource"], {"AccountIds": [A, B]}) == [
        f"arn:*:iam::{A}:role/{DEFAULT_ROLE_NAME}",
        f"arn:*:iam::{B}:role/{DEFAULT_ROLE_NAME}",
    ]
    assert evaluate(statement["Resource"], {"AccountIds": [B]}) == [
        f"arn:*:iam::{B}:role/{DEFAULT_ROLE_NAME}"
    ]
    pattern = re.compile(template["Parameters"]["AccountIds"]["AllowedPattern"])
    assert pattern.fullmatch(A) and not pattern.fullmatch("1234") and not pattern.fullmatch("*")


def test_in_an_organization_the_role_name_in_its_accounts_only(synth: Synth) -> None:
    (statement,) = user_statements(synth.templates["organization"])
    assert statement["Action"] == "sts:AssumeRole"
    assert evaluate(statement["Resource"], {}) == "arn:aws:iam::*:role/VendorLegacy"
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ORG}}


def test_user_statements_sees_a_policy_attached_directly_or_to_another_group(synth: Synth) -> None:
    # The permission check above really inspects every attachment: an extra one shows up.
    widened = json.loads(json.dumps(synth.templates["accounts"]))
    user_id, _ = one(widened, "AWS::IAM::User")
    group_id, _ = one(widened, "AWS::IAM::Group")
    extra = {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}
    widened["Resources"]["Extra"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": [extra]}, "Users": [{"Ref": user_id}]},
    }
    widened["Resources"][group_id]["Properties"] = {"Policies": [{"PolicyDocument": {"Statement": [extra]}}]}
    assert user_statements(widened).count(extra) == 2


# --- the secret's resource policy and key ---------------------------------------------------------------


def test_only_the_named_readers_may_read_the_key(synth: Synth) -> None:
    template = synth.templates["accounts"]
    _, policy = one(template, "AWS::SecretsManager::ResourcePolicy")
    (statement,) = policy["Properties"]["ResourcePolicy"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == {"AWS": "*"}
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    readers = evaluate(statement["Condition"]["StringNotEquals"]["aws:PrincipalArn"], {})
    assert readers == [ADMIN, AUDITOR]
    _, secret = one(template, "AWS::SecretsManager::Secret")
    assert secret["Properties"]["KmsKeyId"] == KMS_KEY
    assert (
        "KmsKeyId" not in one(synth.templates["organization"], "AWS::SecretsManager::Secret")[1]["Properties"]
    )


def test_readers_as_a_parameter(synth: Synth) -> None:
    template = synth.templates["accounts-parameter"]
    _, policy = one(template, "AWS::SecretsManager::ResourcePolicy")
    (statement,) = policy["Properties"]["ResourcePolicy"]["Statement"]
    assert statement["Condition"]["StringNotEquals"]["aws:PrincipalArn"] == {"Ref": "SecretReaderArns"}
    assert set(template["Parameters"]) == {"AccountIds", "SecretReaderArns"}
    pattern = re.compile(template["Parameters"]["SecretReaderArns"]["AllowedPattern"])
    assert pattern.fullmatch(ADMIN) and pattern.fullmatch(AUDITOR)
    assert not pattern.fullmatch("arn:aws:iam::111122223333:role/*") and not pattern.fullmatch(A)


def test_optional_props_reach_the_template(synth: Synth) -> None:
    template = synth.templates["organization"]
    _, user = one(template, "AWS::IAM::User")
    assert user["Properties"]["Path"] == "/vendor/"
    assert {"Key": "owner", "Value": "security"} in user["Properties"]["Tags"]
    _, secret = one(template, "AWS::SecretsManager::Secret")
    assert secret["Properties"]["Name"] == "vendor/integration-key"
    assert {"Key": "owner", "Value": "security"} in secret["Properties"]["Tags"]
    assert secret["DeletionPolicy"] == "Delete"


# --- rotation: both steps synthesized --------------------------------------------------------------------


def test_rotation_step_1_adds_the_new_key_and_leaves_the_old_one_untouched(synth: Synth) -> None:
    before, during = synth.templates["rotation-0"], synth.templates["rotation-1"]
    old_id, old_key = access_keys(before)[1]
    assert access_keys(during)[1] == (old_id, old_key)  # same logical ID, same properties: not replaced
    new_id, new_key = access_keys(during)[2]
    assert new_key["Properties"]["Status"] == "Active" and old_key["Properties"]["Status"] == "Active"
    _, secret = one(during, "AWS::SecretsManager::Secret")
    assert {"Ref": new_id} in secret["Properties"]["SecretString"]["Fn::Join"][1]
    assert {"Ref": old_id} not in secret["Properties"]["SecretString"]["Fn::Join"][1]
    unchanged = {
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::Policy",
        "AWS::SecretsManager::ResourcePolicy",
    }
    for kind in unchanged:
        assert resources(before, kind) == resources(during, kind), kind


def test_rotation_optional_step_deactivates_the_old_key_only(synth: Synth) -> None:
    during, deactivated = synth.templates["rotation-1"], synth.templates["rotation-1b"]
    old_id, old_key = access_keys(deactivated)[1]
    assert old_key["Properties"]["Status"] == "Inactive" and old_id == access_keys(during)[1][0]
    assert access_keys(deactivated)[2] == access_keys(during)[2]
    assert resources(deactivated, "AWS::SecretsManager::Secret") == resources(
        during, "AWS::SecretsManager::Secret"
    )


def test_rotation_step_2_removes_the_old_key_and_keeps_the_new_one_and_the_secret(synth: Synth) -> None:
    during, after = synth.templates["rotation-1"], synth.templates["rotation-2"]
    assert list(access_keys(after)) == [2]
    assert access_keys(after)[2] == access_keys(during)[2]  # the vendor's new key is not replaced
    # The secret already holds key 2: step 2 does not touch it.
    assert resources(after, "AWS::SecretsManager::Secret") == resources(during, "AWS::SecretsManager::Secret")
    assert set(after["Resources"]) == set(during["Resources"]) - {access_keys(during)[1][0]}


@pytest.mark.parametrize(
    ("make", "setting"),
    [
        (lambda: AccessKeys.one(0), "serial"),
        (lambda: AccessKeys.one(True), "serial"),
        (lambda: AccessKeys.rotating(previous=2, current=2), "current"),
        (lambda: AccessKeys.rotating(previous=3, current=2), "current"),
        (lambda: AccessKeys.rotating(previous=0, current=2), "previous"),
        (lambda: AccessKeys.rotating(previous=1, current=2, current_setting="-c keySerial"), None),
    ],
)
def test_access_key_serials_are_checked(make: Callable[[], AccessKeys], setting: str | None) -> None:
    if setting is None:
        assert make().serials == (1, 2)
        return
    with pytest.raises(InvalidSettingError) as error:
        make()
    assert error.value.setting == setting


# --- the warning, the checks --------------------------------------------------------------------------


@pytest.mark.parametrize("name", USER_CASES)
def test_the_construct_warns_to_prefer_the_role_based_methods(synth: Synth, name: str) -> None:
    warnings = Annotations.from_stack(synth.stacks[name]).find_warning(
        "*", Match.string_like_regexp("Prefer")
    )
    assert [w.entry.data for w in warnings] == [f"{WARNING} [ack: aws-readonly-integration:legacy-user]"]
    assert [w.id for w in warnings] == [f"/{name}/LegacyUser"]


@pytest.mark.parametrize("name", [*USER_CASES, *ROLE_CASES])
def test_cfn_lint_finds_nothing(synth: Synth, name: str) -> None:
    assert cfn_lint(synth.templates[name]) == []


@pytest.mark.parametrize("name", [*USER_CASES, *ROLE_CASES])
def test_no_hard_coded_partition(synth: Synth, name: str) -> None:
    template = dict(synth.templates[name])
    # The KMS key, the secret readers and the AllowedPatterns are the deployer's own literal values.
    template.pop("Parameters", None)
    resources_only = (
        json.dumps(template["Resources"]).replace(KMS_KEY, "").replace(ADMIN, "").replace(AUDITOR, "")
    )
    assert not HARD_CODED_PARTITION.search(resources_only)


def test_cdk_nag_acknowledgments_each_match_a_finding(synth: Synth) -> None:
    """Every acknowledgment suppressed a finding cdk-nag really raised, and nothing is left unsuppressed.

    A misspelt ID would acknowledge nothing (and the synth would have failed); an acknowledgment for a
    finding that no longer occurs would be missing from the suppressed list.
    """
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["violations"] == []
    suppressed = {
        (v["ruleName"], c["constructPath"].split("/")[0])
        for v in plugin["suppressedViolations"]
        for c in v["violatingConstructs"]
    }
    acknowledged = set()
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    for name, stack in synth.stacks.items():
        for construct in stack.node.find_all():
            for entry in construct.node.metadata:
                if entry.type == key:
                    for rule, reason in entry.data.items():
                        assert len(reason) >= 80, (rule, reason)
                        acknowledged.add((rule.removeprefix("AwsSolutions::"), name))
    assert acknowledged == suppressed
    rules = {rule.split("[")[0] for rule, _ in suppressed}
    # The secret's automatic rotation (every user stack), and the wildcard where accounts are not literal;
    # the role stacks' wildcard-resource reads are the IntegrationRole's own acknowledgment.
    assert rules == {"AwsSolutions-SMG4", "AwsSolutions-IAM5"}
    assert ("AwsSolutions-SMG4", "accounts") in suppressed
    assert not any(rule.startswith("AwsSolutions-IAM5") for rule, stack in suppressed if stack == "accounts")


# --- the role stack -------------------------------------------------------------------------------------


def test_role_template_trusts_exactly_the_user_parameter_with_the_external_id(synth: Synth) -> None:
    template = synth.templates["role-parameter"]
    assert list(template["Parameters"]) == ["ExternalId", TRUSTED_USER_ARN_PARAMETER]
    role = the_role(template)
    assert role["RoleName"] == DEFAULT_ROLE_NAME
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Ref": TRUSTED_USER_ARN_PARAMETER}}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert set(template["Outputs"]) == {"RoleArn", "RoleName"}
    pattern = re.compile(template["Parameters"][TRUSTED_USER_ARN_PARAMETER]["AllowedPattern"])
    assert pattern.pattern == formats.USER_ARN_PATTERN
    assert pattern.fullmatch(USER_ARN) and pattern.fullmatch("arn:aws-us-gov:iam::111122223333:user/a/b/c")
    assert not pattern.fullmatch("arn:aws:iam::111122223333:role/Vendor")
    assert not pattern.fullmatch("arn:aws:iam::111122223333:root")


def test_role_template_with_a_literal_user(synth: Synth) -> None:
    template = synth.templates["role-literal"]
    assert list(template["Parameters"]) == ["ExternalId"]
    (trust,) = the_role(template)["AssumeRolePolicyDocument"]["Statement"]
    assert evaluate(trust["Principal"], {}) == {"AWS": USER_ARN}


def test_the_role_template_fits_a_stackset_body() -> None:
    body = json.dumps(legacy_role_template(), separators=(",", ":"))
    assert len(body) < STACKSET_BODY_LIMIT
    template = json.loads(body)
    assert {r["Type"] for r in template["Resources"].values()} == {
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
    }
    assert all("Metadata" not in r for r in template["Resources"].values())
    assert set(template) == {"Parameters", "Resources", "Outputs"}


# --- bad props ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "setting", "value"),
    [
        (lambda: AssumableRoles.in_accounts([]), "account_ids", []),
        (lambda: AssumableRoles.in_accounts([A, "1234"]), "account_ids", "1234"),
        (lambda: AssumableRoles.in_accounts([A], role_name="bad/name"), "role_name", "bad/name"),
        (lambda: AssumableRoles.in_organization("o-1"), "organization_id", "o-1"),
        (lambda: SecretReaders.arns([]), "SecretReaders.arns", []),
        (lambda: SecretReaders.arns(["arn:aws:iam::111122223333:role/*"]), "SecretReaders.arns", None),
        (lambda: SecretReaders.arns([A]), "SecretReaders.arns", A),
    ],
)
def test_bad_choices_name_the_setting_and_the_value(
    make: Callable[[], object], setting: str, value: object
) -> None:
    with pytest.raises(InvalidSettingError) as error:
        make()
    assert error.value.setting == setting
    if value is not None:
        assert error.value.value == value


@pytest.mark.parametrize(
    ("props", "setting"),
    [
        ({"user_name": "no spaces"}, "user_name"),
        ({"path": "vendor"}, "path"),
        ({"tags": {"aws:owner": "x"}}, "tags key"),
    ],
)
def test_bad_construct_props(props: dict[str, Any], setting: str) -> None:
    stack = Stack(App(), "Props", synthesizer=BootstraplessSynthesizer())
    with pytest.raises(InvalidSettingError) as error:
        LegacyIntegrationUser(
            stack,
            "User",
            roles=AssumableRoles.in_accounts([A]),
            secret_readers=SecretReaders.arns([ADMIN]),
            **props,
        )
    assert error.value.setting == setting


def test_bad_stack_props() -> None:
    with pytest.raises(InvalidSettingError, match="encryption_key_arn"):
        LegacyUserStack(
            App(),
            "Key",
            roles=AssumableRoles.in_accounts([A]),
            secret_readers=SecretReaders.arns([ADMIN]),
            encryption_key_arn="alias/mine",
        )
    with pytest.raises(InvalidSettingError, match="user_arn"):
        LegacyRoleStack(App(), "Role", user_arn="arn:aws:iam::111122223333:role/NotAUser")
    with pytest.raises(InvalidSettingError, match="trusted_principal"):
        LegacyRoleStack(App(), "Role", trusted_principal=object())
    with pytest.raises(InvalidSettingError, match="user ARN"):
        legacy_user_arn(A, path="no-slashes")


def test_tokens_are_left_to_cloudformation() -> None:
    stack = Stack(App(), "Tokens", synthesizer=BootstraplessSynthesizer())
    accounts = CfnParameter(stack, "Accounts", type="CommaDelimitedList").value_as_list
    org = CfnParameter(stack, "Org").value_as_string
    reader = CfnParameter(stack, "Reader").value_as_string
    roles = AssumableRoles.in_accounts(accounts)
    assert roles.kind == "account-list"
    assert AssumableRoles.in_organization(org).organization_id == org
    user = LegacyIntegrationUser(stack, "User", roles=roles, secret_readers=SecretReaders.arns([reader]))
    (statement,) = stack.resolve(user.policy.document)["Statement"]
    assert evaluate(statement["Resource"], {"Accounts": [A, B]}) == [
        f"arn:*:iam::{A}:role/{DEFAULT_ROLE_NAME}",
        f"arn:*:iam::{B}:role/{DEFAULT_ROLE_NAME}",
    ]
