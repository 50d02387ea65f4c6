"""The trust-policy analysis: what lets a caller in without the customer's ExternalId."""

from __future__ import annotations

from typing import Any

import pytest

from collector.doctor.trust_analysis import analyse, role_document, summary

VENDOR = "arn:aws:iam::999988887777:role/Vendor"
EXTERNAL_ID = "Customer-Id-1"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(condition: dict[str, Any] | None = None, principal: Any = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": VENDOR} if principal is None else principal,
        "Action": "sts:AssumeRole",
        **extra,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


REQUIRED = {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}


def test_the_constructs_trust_requires_the_external_id() -> None:
    analysis = analyse(_policy(_allow(REQUIRED)), EXTERNAL_ID, VENDOR)
    assert analysis.requires_external_id and not analysis.critical and analysis.findings == ()
    assert "requires the ExternalId" in summary(analysis)
    # condition keys are case-insensitive; an action list and sts:* count as granting AssumeRole
    lower = _allow({"StringEquals": {"sts:externalid": EXTERNAL_ID}}, Action=["sts:TagSession", "sts:*"])
    assert analyse(_policy(lower), EXTERNAL_ID, VENDOR).requires_external_id


@pytest.mark.parametrize(
    ("statement", "text"),
    [
        (_allow(), "lets arn:aws:iam::999988887777:role/Vendor assume the role without the ExternalId"),
        (_allow({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), "without the ExternalId"),
        (
            _allow({"StringEqualsIfExists": {"sts:ExternalId": EXTERNAL_ID}}),
            "StringEqualsIfExists is satisfied when no ExternalId is presented",
        ),
        (
            _allow({"ForAllValues:StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
            "ForAllValues:StringEquals is satisfied when no ExternalId is presented",
        ),
        (
            _allow({"StringLike": {"sts:ExternalId": "Customer-*"}}),
            "StringLike accepts a pattern (Customer-*)",
        ),
        (_allow({"Null": {"sts:ExternalId": "false"}}), "Null does not require one exact ExternalId"),
        (_allow(REQUIRED, principal={"AWS": "*"}), "trusts any AWS principal (*)"),
        (_allow(REQUIRED, principal="*"), "trusts any AWS principal (*)"),
        (
            _allow({"StringEquals": {"sts:ExternalId": [EXTERNAL_ID, "Other-Customer-2"]}}),
            "also accepts 1 other ExternalId value(s)",
        ),
        (
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sts:AssumeRole",
            },
            "uses NotPrincipal",
        ),
        (
            {"Effect": "Allow", "Principal": {"AWS": VENDOR}, "NotAction": "sts:TagSession"},
            "without the ExternalId",
        ),
    ],
)
def test_confused_deputy_openings_are_critical(statement: dict[str, Any], text: str) -> None:
    analysis = analyse(_policy(_allow(REQUIRED), statement), EXTERNAL_ID, VENDOR)
    assert analysis.critical
    assert text in summary(analysis)
    assert "statement 2" in summary(analysis)


def test_another_external_id_is_a_problem_not_an_opening() -> None:
    analysis = analyse(_policy(_allow({"StringEquals": {"sts:ExternalId": "Old-Id-0"}})), EXTERNAL_ID, VENDOR)
    assert not analysis.requires_external_id and not analysis.critical
    assert "expects another ExternalId" in summary(analysis)


def test_what_the_external_id_does_not_concern_is_left_alone() -> None:
    service = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    other_action = {"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:TagSession"}
    analysis = analyse(
        _policy(_allow(REQUIRED, Sid="Vendor"), service, deny, other_action), EXTERNAL_ID, VENDOR
    )
    assert analysis.requires_external_id and analysis.findings == ()


def test_another_principal_with_the_external_id_is_noted() -> None:
    other = _allow(REQUIRED, principal={"AWS": [VENDOR, "arn:aws:iam::444455556666:root"]}, Sid="Shared")
    analysis = analyse(_policy(other), EXTERNAL_ID, VENDOR)
    assert analysis.requires_external_id and not analysis.critical
    assert summary(analysis) == "statement 1 (Shared) also trusts arn:aws:iam::444455556666:root"


def test_no_statement_for_an_aws_principal() -> None:
    analysis = analyse(_policy(), EXTERNAL_ID, VENDOR)
    assert not analysis.requires_external_id and not analysis.critical
    assert summary(analysis) == "no statement lets an AWS principal assume the role"


def test_the_role_document_is_found_by_arn_among_authorization_details() -> None:
    roles = [
        {"Arn": "arn:aws:iam::111122223333:role/Other", "AssumeRolePolicyDocument": {"n": 1}},
        {"Arn": "arn:aws:iam::111122223333:role/Reader", "AssumeRolePolicyDocument": {"n": 2}},
    ]
    assert role_document(roles, "arn:aws:iam::111122223333:role/Reader") == {"n": 2}
    assert role_document(roles, "arn:aws:iam::111122223333:role/Missing") is None
