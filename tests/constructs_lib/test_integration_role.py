"""Template assertions for every option combination of the integration role (see conftest.CASES)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from collector.permissions import DATA_PLANE_DENY, actions_for
from constructs_lib.policies import (
    DECRYPT_VIA_SID,
    DENY_DECRYPT_SID,
    MANAGED_POLICIES_PER_ROLE,
    POLICY_SIZE_LIMIT,
)
from tests.constructs_lib.cases import (
    BOUNDARY,
    LITERAL_ID,
    VENDOR_ACCOUNT,
    Case,
    Matrix,
)
from tests.synth import (
    HARD_CODED_PARTITION,
    actions,
    minified_size,
    only_partition_rule,
    policy_statements,
    resources,
    the_role,
    the_role_id,
)

pytestmark = pytest.mark.cdk


def _partition_join(suffix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, suffix]]}


def _expected_principal(case: Case) -> dict[str, Any]:
    return {
        "role": _partition_join(":iam::111122223333:role/Vendor"),
        "user": _partition_join(":iam::111122223333:user/vendor-collector"),
        "account": _partition_join(f":iam::{VENDOR_ACCOUNT}:root"),
    }[case.principal_kind]


def test_trust_is_the_principal_with_the_external_id_condition(matrix: Matrix, case: Case) -> None:
    expected_id = LITERAL_ID if case.external_id else {"Ref": "ExternalId"}
    Template.from_json(matrix.templates[case.name]).has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"AWS": _expected_principal(case)},
                        "Condition": {"StringEquals": {"sts:ExternalId": expected_id}},
                    }
                ],
            }
        },
    )


def test_every_trust_statement_requires_the_external_id(matrix: Matrix, case: Case) -> None:
    # Independent of the exact shape above: no statement of any trust policy goes without the condition.
    for role in resources(matrix.templates[case.name], "AWS::IAM::Role").values():
        statements = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statements
        for statement in statements:
            assert "sts:ExternalId" in statement["Condition"]["StringEquals"], statement


def test_external_id_parameter_exactly_when_no_literal_is_given(matrix: Matrix, case: Case) -> None:
    template = Template.from_json(matrix.templates[case.name])
    if case.external_id is None:
        template.has_parameter(
            "ExternalId",
            {
                "Type": "String",
                "AllowedPattern": "^[\\w+=,.@:/-]+$",
                "MinLength": 2,
                "MaxLength": 1224,
                "Description": Match.string_like_regexp("external ID"),
            },
        )
    else:
        assert "ExternalId" not in matrix.templates[case.name].get("Parameters", {})


def _on_every_resource(statement: dict[str, Any]) -> bool:
    return statement.get("Resource") == "*"


def test_granted_actions_are_exactly_the_catalog_actions_of_the_features(matrix: Matrix, case: Case) -> None:
    allowed = policy_statements(matrix.templates[case.name], "Allow")
    granted = [a for s in allowed if _on_every_resource(s) and "Condition" not in s for a in actions(s)]
    assert sorted(granted) == sorted(actions_for(case.features))  # each once, nothing else
    assert all("*" not in a for s in allowed for a in actions(s))
    for statement in allowed:
        assert "Condition" not in statement or statement["Sid"].startswith(("ReadTrailLogs", DECRYPT_VIA_SID))
    # Anything granted on named resources only is the trail's log files (see test_trail_logs.py).
    scoped = sorted(a for s in allowed if not _on_every_resource(s) for a in actions(s))
    logs = case.options.get("cloud_trail_logs")
    expected = (
        []
        if logs is None
        else ["s3:GetObject", "s3:ListBucket"] + (["kms:Decrypt"] if logs.kms_key_arn else [])
    )
    assert scoped == sorted(expected)
    # The conditional Allow on every resource: kms:Decrypt through Identity Center, where its region is
    # given (tests/constructs_lib/test_identity_center_decrypt.py evaluates it).
    conditional = [(s["Sid"], s["Action"]) for s in allowed if "Condition" in s and _on_every_resource(s)]
    decrypt = [(DECRYPT_VIA_SID, "kms:Decrypt")] if case.options.get("identity_center_region") else []
    assert conditional == decrypt


def test_data_plane_reads_are_denied_in_their_own_policy(matrix: Matrix, case: Case) -> None:
    if case.options.get("cloud_trail_logs"):
        pytest.skip("the narrowed Deny is evaluated in tests/constructs_lib/test_trail_logs.py")
    template = Template.from_json(matrix.templates[case.name])
    narrowed = bool(case.options.get("identity_center_region"))
    statements: list[Any] = [
        {
            "Sid": "DenyDataPlaneReads",
            "Effect": "Deny",
            "Action": sorted(a for a, _ in DATA_PLANE_DENY if not (narrowed and a == "kms:Decrypt")),
            "Resource": "*",
        }
    ]
    if narrowed:  # kms:Decrypt in a Deny of its own, narrowed to Identity Center's services
        statements.append(
            Match.object_like({"Sid": DENY_DECRYPT_SID, "Effect": "Deny", "Action": "kms:Decrypt"})
        )
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": statements,
            },
            "Roles": [{"Ref": the_role_id(matrix.templates[case.name])}],
        },
    )


def test_policies_are_attached_from_the_policy_side(matrix: Matrix, case: Case) -> None:
    template = matrix.templates[case.name]
    role_ref = [{"Ref": the_role_id(template)}]
    policies = resources(template, "AWS::IAM::ManagedPolicy")
    # Today's catalog fits one read-only policy, plus the Deny (and the trail's log files, the decrypt
    # through Identity Center, when given).
    extra = int("cloud_trail_logs" in case.options) + int(bool(case.options.get("identity_center_region")))
    assert len(policies) == 2 + extra
    assert all(p["Properties"]["Roles"] == role_ref for p in policies.values())
    managed_arns = the_role(template).get("ManagedPolicyArns")
    if case.options.get("security_audit"):
        assert managed_arns == [_partition_join(":iam::aws:policy/SecurityAudit")]
    else:
        assert managed_arns is None


def test_read_only_policies_are_attached_only_after_the_deny(matrix: Matrix, case: Case) -> None:
    policies = resources(matrix.templates[case.name], "AWS::IAM::ManagedPolicy")
    deny = [k for k, p in policies.items() if "Deny" in json.dumps(p["Properties"]["PolicyDocument"])]
    assert len(deny) == 1
    for logical_id, policy in policies.items():
        if logical_id not in deny:
            assert policy["DependsOn"] == deny


def test_policies_fit_iam_limits(matrix: Matrix, case: Case) -> None:
    template = matrix.templates[case.name]
    policies = resources(template, "AWS::IAM::ManagedPolicy")
    for policy in policies.values():
        assert minified_size(policy["Properties"]["PolicyDocument"]) <= POLICY_SIZE_LIMIT
    attached = len(policies) + len(the_role(template).get("ManagedPolicyArns", []))
    assert attached <= MANAGED_POLICIES_PER_ROLE


def test_optional_props(matrix: Matrix, case: Case) -> None:
    role = the_role(matrix.templates[case.name])
    options = case.options
    assert role.get("RoleName") == options.get("role_name")
    assert role.get("Path") == options.get("path")
    assert role["MaxSessionDuration"] == (12 * 3600 if "max_session_duration" in options else 3600)
    if "permissions_boundary_arn" in options:
        assert role["PermissionsBoundary"] == _partition_join(":iam::444455556666:policy/VendorBoundary")
        assert BOUNDARY not in json.dumps(matrix.templates[case.name])
    else:
        assert "PermissionsBoundary" not in role
    expected_tags = [{"Key": k, "Value": v} for k, v in sorted(options.get("tags", {}).items())]
    assert sorted(role.get("Tags", []), key=lambda t: t["Key"]) == expected_tags
    assert "features: iam" in role["Description"]


def test_outputs_name_the_role(matrix: Matrix, case: Case) -> None:
    template = Template.from_json(matrix.templates[case.name])
    role_id = the_role_id(matrix.templates[case.name])
    template.has_output("RoleArn", {"Value": {"Fn::GetAtt": [role_id, "Arn"]}})
    template.has_output("RoleName", {"Value": {"Ref": role_id}})


def test_no_hard_coded_partition(matrix: Matrix, case: Case) -> None:
    text = json.dumps(matrix.templates[case.name])
    assert not HARD_CODED_PARTITION.search(text), HARD_CODED_PARTITION.search(text)


def test_bootstrap_free_templates_have_no_bootstrap_rule(matrix: Matrix, case: Case) -> None:
    template = matrix.templates[case.name]
    assert only_partition_rule(template)
    assert "BootstrapVersion" not in template.get("Parameters", {})
    assert not resources(template, "AWS::CDK::Metadata")


def test_construct_ids_are_the_documented_public_api(matrix: Matrix) -> None:
    role = matrix.stacks["management-account"].integration_role
    assert role.node.id == "IntegrationRole"
    assert role.node.default_child is role.role  # "Resource"
    assert [c.node.id for c in role.policies] == ["ReadOnlyPolicy1", "DenyDataPlaneReads"]
    assert role.granted_actions == actions_for(role.features)
