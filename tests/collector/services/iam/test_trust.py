"""Trust edges from trust policies: every principal form, spelled out case by case (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from collector.services.iam.records import RoleTrustPrincipal
from collector.services.iam.trust import (
    TrustContext,
    principal_account,
    role_trust_principals,
    trust_principals,
)

OWN = "111122223333"
SISTER = "444455556666"  # another account of the collected organization
VENDOR = "999988887777"  # outside the organization
ORG = "o-abc123def4"
ROLE = f"arn:aws:iam::{OWN}:role/target"
OURS = TrustContext(organization_ids=frozenset({ORG}), organization_accounts=frozenset({OWN, SISTER}))
ASSUME = "sts:AssumeRole"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(principal: Any, action: Any = ASSUME, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def _edges(policy: Any, ours: TrustContext = OURS) -> dict[tuple[str, str], RoleTrustPrincipal]:
    return {(e.principal_type, e.principal): e for e in trust_principals(OWN, ROLE, policy, ours)}


def _one(policy: Any, ours: TrustContext = OURS) -> RoleTrustPrincipal:
    (edge,) = _edges(policy, ours).values()
    return edge


EXTERNAL_ID = {"StringEquals": {"sts:ExternalId": "vendor-secret-1"}}


def test_principal_star_string_is_type_star_and_external() -> None:
    edge = _one(_policy(_allow("*")))
    assert (edge.principal_type, edge.principal) == ("*", "*")
    assert edge.principal_account_id is None
    assert edge.external_account is True
    assert edge.external_id_required is False
    assert edge.actions == [ASSUME] and edge.conditions == [None]
    assert edge.role_arn == ROLE and edge.account_id == OWN


def test_aws_star_keeps_its_type_as_written_and_is_external() -> None:
    edge = _one(_policy(_allow({"AWS": "*"})))
    assert (edge.principal_type, edge.principal, edge.external_account) == ("AWS", "*", True)


def test_star_pinned_to_the_collected_organization_is_not_external() -> None:
    pinned = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    assert _one(_policy(_allow("*", Condition=pinned))).external_account is False
    # Condition keys are case-insensitive.
    lower = {"StringEquals": {"aws:principalorgid": [ORG]}}
    assert _one(_policy(_allow({"AWS": "*"}, Condition=lower))).external_account is False


def test_star_pinned_to_another_organization_or_by_a_wildcard_operator_stays_external() -> None:
    other = {"StringEquals": {"aws:PrincipalOrgID": "o-someoneelse"}}
    assert _one(_policy(_allow("*", Condition=other))).external_account is True
    like = {"StringLike": {"aws:PrincipalOrgID": ORG}}
    assert _one(_policy(_allow("*", Condition=like))).external_account is True
    # Without a collected organization, no organization ID is ours.
    pinned = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    assert _one(_policy(_allow("*", Condition=pinned)), TrustContext()).external_account is True


def test_star_pinned_to_known_accounts_is_not_external_unless_one_is_outside() -> None:
    inside = {"StringEquals": {"aws:PrincipalAccount": [OWN, SISTER]}}
    assert _one(_policy(_allow("*", Condition=inside))).external_account is False
    mixed = {"StringEquals": {"aws:PrincipalAccount": [OWN, VENDOR]}}
    assert _one(_policy(_allow("*", Condition=mixed))).external_account is True


def test_star_is_external_if_any_statement_naming_it_is_unpinned() -> None:
    pinned = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    policy = _policy(_allow("*", Condition=pinned), _allow("*", "sts:TagSession"))
    edge = _one(policy)
    assert edge.external_account is True
    assert edge.actions == [ASSUME, "sts:TagSession"] and edge.conditions == [pinned, None]


def test_not_principal_allow_is_everyone_except_those_named() -> None:
    excluded = {"AWS": f"arn:aws:iam::{VENDOR}:root"}
    edge = _one(_policy({"Effect": "Allow", "NotPrincipal": excluded, "Action": ASSUME}))
    assert (edge.principal_type, edge.principal) == ("*", "*")
    assert edge.excluded_principals == [excluded]
    assert edge.external_account is True


def test_deny_statements_make_no_edge_even_with_not_principal() -> None:
    policy = _policy(
        _allow({"AWS": f"arn:aws:iam::{SISTER}:root"}),
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"}, "Action": "sts:*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{SISTER}:root"}, "Action": "sts:*"},
    )
    assert set(_edges(policy)) == {("AWS", f"arn:aws:iam::{SISTER}:root")}


def test_lists_of_principals_and_of_types_give_one_edge_each() -> None:
    policy = _policy(
        _allow(
            {
                "AWS": [f"arn:aws:iam::{SISTER}:root", f"arn:aws:iam::{VENDOR}:role/deployer"],
                "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
            },
            [ASSUME, "sts:TagSession"],
        )
    )
    edges = _edges(policy)
    assert sorted(edges) == [
        ("AWS", f"arn:aws:iam::{SISTER}:root"),
        ("AWS", f"arn:aws:iam::{VENDOR}:role/deployer"),
        ("Service", "ec2.amazonaws.com"),
        ("Service", "lambda.amazonaws.com"),
    ]
    assert all(e.actions == [ASSUME, "sts:TagSession"] for e in edges.values())


def test_a_single_statement_object_and_a_duplicate_principal_count_once() -> None:
    arn = f"arn:aws:iam::{SISTER}:root"
    policy = {"Version": "2012-10-17", "Statement": _allow({"AWS": [arn, arn]})}
    edge = _one(policy)
    assert edge.principal == arn and edge.conditions == [None]


def test_bare_account_id_means_that_accounts_root() -> None:
    edge = _one(_policy(_allow({"AWS": VENDOR})))
    assert edge.principal == VENDOR  # as written
    assert edge.principal_account_id == VENDOR
    assert edge.external_account is True
    own = _one(_policy(_allow({"AWS": OWN})))
    assert own.principal_account_id == OWN and own.external_account is False


@pytest.mark.parametrize(
    ("principal", "account", "external"),
    [
        (f"arn:aws:iam::{OWN}:root", OWN, False),
        (f"arn:aws:iam::{SISTER}:role/ci", SISTER, False),  # an organization account
        (f"arn:aws:iam::{VENDOR}:user/path/alice", VENDOR, True),
        (f"arn:aws:sts::{VENDOR}:assumed-role/vendor/session", VENDOR, True),
        (f"arn:aws-us-gov:iam::{VENDOR}:root", VENDOR, True),  # another partition
        ("AROAEXAMPLEDELETEDROLE", None, None),  # a deleted principal: IAM shows its unique ID
    ],
)
def test_aws_principals_name_their_account(
    principal: str, account: str | None, external: bool | None
) -> None:
    edge = _one(_policy(_allow({"AWS": principal})))
    assert (edge.principal_account_id, edge.external_account) == (account, external)


def test_service_principals_have_no_account() -> None:
    edge = _one(_policy(_allow({"Service": "ec2.amazonaws.com"})))
    assert (edge.principal_type, edge.principal_account_id, edge.external_account) == ("Service", None, None)


@pytest.mark.parametrize(
    ("provider", "action", "account", "external"),
    [
        (f"arn:aws:iam::{OWN}:saml-provider/okta", "sts:AssumeRoleWithSAML", OWN, False),
        (
            f"arn:aws:iam::{OWN}:oidc-provider/token.actions.githubusercontent.com",
            "sts:AssumeRoleWithWebIdentity",
            OWN,
            False,
        ),
        ("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", None, None),
        ("accounts.google.com", "sts:AssumeRoleWithWebIdentity", None, None),
    ],
)
def test_federated_principals(provider: str, action: str, account: str | None, external: bool | None) -> None:
    condition = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    edge = _one(_policy(_allow({"Federated": provider}, action, Condition=condition)))
    assert edge.principal_type == "Federated" and edge.principal == provider
    assert (edge.principal_account_id, edge.external_account) == (account, external)
    assert edge.actions == [action] and edge.conditions == [condition]


def test_canonical_user_has_no_account() -> None:
    canonical = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    edge = _one(_policy(_allow({"CanonicalUser": canonical})))
    assert (edge.principal_type, edge.principal, edge.external_account) == ("CanonicalUser", canonical, None)


def test_external_account_is_relative_to_the_collected_organization() -> None:
    policy = _policy(_allow({"AWS": f"arn:aws:iam::{SISTER}:root"}))
    assert _one(policy).external_account is False
    assert _one(policy, TrustContext()).external_account is True  # no organization collected


# --- external_id_required ---------------------------------------------------------------------------


def test_external_id_with_string_equals_is_required() -> None:
    edge = _one(_policy(_allow({"AWS": VENDOR}, Condition=EXTERNAL_ID)))
    assert edge.external_id_required is True and edge.conditions == [EXTERNAL_ID]


def test_external_id_key_is_case_insensitive_and_may_be_a_list() -> None:
    condition = {"StringEquals": {"STS:EXTERNALID": ["a", "b"]}}
    assert _one(_policy(_allow({"AWS": VENDOR}, Condition=condition))).external_id_required is True


@pytest.mark.parametrize(
    "condition",
    [
        None,
        {"StringLike": {"sts:ExternalId": "vendor-*"}},
        {"StringEqualsIgnoreCase": {"sts:ExternalId": "x"}},
        {"StringEqualsIfExists": {"sts:ExternalId": "x"}},
        {"ForAnyValue:StringEquals": {"sts:ExternalId": "x"}},
        {"StringEquals": {"sts:ExternalId": ""}},
        {"StringEquals": {"sts:ExternalId": []}},
        {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        {"StringNotEquals": {"sts:ExternalId": "x"}},
    ],
)
def test_anything_but_a_non_empty_string_equals_does_not_require_it(condition: Any) -> None:
    statement = _allow({"AWS": VENDOR}, **({"Condition": condition} if condition else {}))
    assert _one(_policy(statement)).external_id_required is False


def test_external_id_is_required_only_if_every_allow_for_that_principal_requires_it() -> None:
    vendor = f"arn:aws:iam::{VENDOR}:root"
    other = f"arn:aws:iam::{VENDOR}:role/other"
    policy = _policy(
        _allow({"AWS": [vendor, other]}, Condition=EXTERNAL_ID),
        _allow({"AWS": vendor}, "sts:TagSession"),  # the same principal, without the condition
    )
    edges = _edges(policy)
    assert edges[("AWS", vendor)].external_id_required is False
    assert edges[("AWS", vendor)].conditions == [EXTERNAL_ID, None]
    assert edges[("AWS", other)].external_id_required is True
    # A Deny statement does not count either way.
    deny = {"Effect": "Deny", "Principal": {"AWS": other}, "Action": ASSUME}
    assert _edges(_policy(_allow({"AWS": other}, Condition=EXTERNAL_ID), deny))[
        ("AWS", other)
    ].external_id_required


def test_actions_are_the_sorted_union_and_not_action_is_marked() -> None:
    policy = _policy(
        _allow({"AWS": VENDOR}, ["sts:SetSourceIdentity", ASSUME]),
        {"Effect": "Allow", "Principal": {"AWS": VENDOR}, "NotAction": "sts:TagSession"},
        _allow({"AWS": VENDOR}, ASSUME),
    )
    assert _one(policy).actions == ["NotAction:sts:TagSession", ASSUME, "sts:SetSourceIdentity"]


@pytest.mark.parametrize("policy", [None, {}, {"Statement": []}, "not a document", {"Statement": ["x"]}])
def test_empty_or_malformed_policies_give_no_edge(policy: Any) -> None:
    assert trust_principals(OWN, ROLE, policy, OURS) == ()


def test_every_role_of_every_account() -> None:
    roles = [
        (OWN, ROLE, _policy(_allow({"AWS": VENDOR}))),
        (SISTER, f"arn:aws:iam::{SISTER}:role/x", _policy(_allow({"AWS": OWN}))),
    ]
    edges = role_trust_principals(roles, OURS)
    assert [(e.account_id, e.principal, e.external_account) for e in edges] == [
        (OWN, VENDOR, True),
        (SISTER, OWN, False),
    ]


def test_principal_account_of_each_form() -> None:
    assert principal_account("AWS", VENDOR) == VENDOR
    assert principal_account("AWS", "12345") is None  # not an account ID
    assert principal_account("Service", VENDOR) is None
    assert principal_account("Federated", f"arn:aws:iam::{OWN}:saml-provider/x") == OWN
    assert principal_account("AWS", "arn:aws:iam::aws:policy/x") is None
