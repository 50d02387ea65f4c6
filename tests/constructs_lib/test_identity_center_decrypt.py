"""kms:Decrypt through IAM Identity Center only: the synthesized policies, evaluated as IAM would.

An instance encrypted with a customer-managed key needs ``kms:Decrypt`` for its identity-store reads, which
the identity store (and sso) make on the reader's behalf: ``kms:ViaService`` names them. The role gets it
only so, and the Deny of ``kms:Decrypt`` is narrowed by exactly that condition.
"""

from __future__ import annotations

from typing import Any

import pytest

from collector.permissions import DEFAULT_FEATURES
from constructs_lib import TrustedPrincipal
from constructs_lib.organization import IDENTITY_CENTER_CONDITION, member_template
from constructs_lib.policies import DECRYPT_VIA_SID, DENY_DECRYPT_SID
from tests.cfn_intrinsics import evaluate as resolve
from tests.constructs_lib.cases import IDENTITY_CENTER_REGION, Matrix
from tests.policy_evaluation import Decision, evaluate
from tests.synth import resources

pytestmark = pytest.mark.cdk

REGION = IDENTITY_CENTER_REGION
DELEGATED_REGION = "ap-southeast-2"
DECRYPT = "kms:Decrypt"


@pytest.fixture(scope="module")
def org_member_template() -> dict[str, Any]:
    """The member template an organization stack embeds when a member administers Identity Center."""
    return member_template(
        trusted_principal=TrustedPrincipal.role_arn("arn:aws:iam::111122223333:role/Vendor"),
        features=DEFAULT_FEATURES,
        identity_center_region=DELEGATED_REGION,
    )


def _documents(template: dict[str, Any], url_suffix: str = "amazonaws.com") -> list[dict[str, Any]]:
    """Every managed policy attached to the role, its intrinsics resolved as in one partition."""
    return [
        resolve(p["Properties"]["PolicyDocument"], {"AWS::URLSuffix": url_suffix})
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
    ]


def _via(service: str, region: str = REGION, suffix: str = "amazonaws.com") -> dict[str, str]:
    return {"kms:ViaService": f"{service}.{region}.{suffix}"}


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (_via("identitystore"), Decision.ALLOWED),
        (_via("sso"), Decision.ALLOWED),
        ({"KMS:VIASERVICE": f"identitystore.{REGION}.amazonaws.com"}, Decision.ALLOWED),  # keys: any case
        ({}, Decision.EXPLICIT_DENY),  # a direct decrypt carries no kms:ViaService
        (_via("s3"), Decision.EXPLICIT_DENY),
        (_via("secretsmanager"), Decision.EXPLICIT_DENY),
        (_via("ssm"), Decision.EXPLICIT_DENY),
        (_via("identitystore", "us-east-1"), Decision.EXPLICIT_DENY),  # another region's identity store
        (_via("identitystore", REGION, "amazonaws.com.cn"), Decision.EXPLICIT_DENY),
        (
            {"kms:ViaService": f"IDENTITYSTORE.{REGION}.amazonaws.com"},
            Decision.EXPLICIT_DENY,
        ),  # values: exact
    ],
    ids=str,
)
def test_decrypt_only_through_identity_center_in_its_region(
    matrix: Matrix, context: dict[str, str], expected: Decision
) -> None:
    assert evaluate(_documents(matrix.templates["identity-center-cmk"]), DECRYPT, context) is expected


def test_the_other_data_plane_reads_stay_denied_and_the_catalog_reads_allowed(matrix: Matrix) -> None:
    documents = _documents(matrix.templates["identity-center-cmk"])
    for action in ("s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParameter", "dynamodb:Scan"):
        for context in ({}, _via("identitystore")):
            assert evaluate(documents, action, context) is Decision.EXPLICIT_DENY, (action, context)
    for action in ("identitystore:ListUsers", "sso:ListInstances", "iam:GetAccountAuthorizationDetails"):
        assert evaluate(documents, action) is Decision.ALLOWED, action
    assert evaluate(documents, "kms:Encrypt", _via("identitystore")) is Decision.IMPLICIT_DENY


def test_without_the_region_decrypt_is_denied_whatever_the_service(matrix: Matrix) -> None:
    documents = _documents(matrix.templates["identity-center"])
    for context in ({}, _via("identitystore"), _via("sso")):
        assert evaluate(documents, DECRYPT, context) is Decision.EXPLICIT_DENY
    sids = {s["Sid"] for d in documents for s in d["Statement"]}
    assert DECRYPT_VIA_SID not in sids and DENY_DECRYPT_SID not in sids


def test_the_allow_and_the_narrowed_deny_name_exactly_the_same_services(matrix: Matrix) -> None:
    statements = {
        s["Sid"]: s for d in _documents(matrix.templates["identity-center-cmk"]) for s in d["Statement"]
    }
    allow, deny = statements[DECRYPT_VIA_SID], statements[DENY_DECRYPT_SID]
    services = [f"identitystore.{REGION}.amazonaws.com", f"sso.{REGION}.amazonaws.com"]
    assert allow["Condition"] == {"StringEquals": {"kms:ViaService": services}}
    assert deny["Condition"] == {"StringNotEquals": {"kms:ViaService": services}}
    assert allow["Action"] == deny["Action"] == DECRYPT


# --- a member template, where one member account (the delegated administrator) reads Identity Center ------


def _member_documents(template: dict[str, Any], *, identity_center_account: bool) -> list[dict[str, Any]]:
    """The member role's policies in an account where IsIdentityCenterAccount is (or is not) true: a policy
    with a false Condition does not exist there."""
    conditions = {IDENTITY_CENTER_CONDITION: identity_center_account}
    return [
        resolve(p["Properties"]["PolicyDocument"], {"AWS::URLSuffix": "amazonaws.com"}, conditions=conditions)
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if conditions.get(p.get("Condition", ""), True)
    ]


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (_via("identitystore", DELEGATED_REGION), Decision.ALLOWED),
        (_via("sso", DELEGATED_REGION), Decision.ALLOWED),
        ({}, Decision.EXPLICIT_DENY),
        (_via("s3", DELEGATED_REGION), Decision.EXPLICIT_DENY),
        (_via("identitystore", "us-east-1"), Decision.EXPLICIT_DENY),
    ],
    ids=str,
)
def test_the_delegated_administrator_decrypts_only_through_identity_center(
    org_member_template: dict[str, Any], context: dict[str, str], expected: Decision
) -> None:
    documents = _member_documents(org_member_template, identity_center_account=True)
    assert evaluate(documents, DECRYPT, context) is expected


def test_every_other_member_account_may_not_decrypt_at_all(org_member_template: dict[str, Any]) -> None:
    documents = _member_documents(org_member_template, identity_center_account=False)
    for context in ({}, _via("identitystore", DELEGATED_REGION), _via("sso", DELEGATED_REGION)):
        assert evaluate(documents, DECRYPT, context) is Decision.EXPLICIT_DENY
    assert evaluate(documents, "identitystore:ListUsers") is Decision.IMPLICIT_DENY  # no Identity Center here
    assert evaluate(documents, "iam:GetAccountAuthorizationDetails") is Decision.ALLOWED
