"""Who may assume a role, read from its trust policy: one edge per (role, principal). Pure.

The rules, spelled out (tests/collector/services/iam/test_trust.py has a case for each):
- Only Allow statements make edges. A Deny narrows what an Allow grants but names no one new; IAM's full
  evaluation is not redone here (the role's ``trust_policy`` keeps every statement).
- ``"Principal": "*"`` is principal type ``*``; ``{"AWS": "*"}`` keeps its type ``AWS`` (as written): both
  mean anyone, so both are external unless a condition pins the caller to the collected organization.
- ``NotPrincipal`` in an Allow means everyone except those named: an edge of type ``*`` whose
  ``excluded_principals`` are the NotPrincipal blocks as written.
- A principal given as a string or a list, in one statement or several, is one edge: its actions are the
  union, its conditions one entry per statement.
- A bare account ID (``"123456789012"``) is that account's root, like ``arn:aws:iam::123456789012:root``; both
  are kept as written, and both name the account. A unique ID (``AROA...``: what IAM shows once the trusted
  role or user is deleted) names no account.
- ``external_account``: the principal's account is neither the role's account nor an account of the collected
  organization. None when the principal has no account (a service, a web identity provider such as
  ``accounts.google.com``, a canonical user, a unique ID). ``*`` is external unless every statement pins it,
  with StringEquals, to the collected organization (``aws:PrincipalOrgID``) or to known accounts
  (``aws:PrincipalAccount``).
- ``external_id_required``: every Allow statement naming the principal has a StringEquals condition on
  ``sts:ExternalId`` with a non-empty value. Any other operator (StringLike, ...IfExists, ForAnyValue:...)
  does not count: only an exact match is the confused-deputy protection it is meant to be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from collector.models import JsonValue
from collector.services.iam.records import RoleTrustPrincipal, TrustPrincipalType

_ACCOUNT_ID = re.compile(r"\d{12}")
_STRING_EQUALS = "StringEquals"
_EXTERNAL_ID = "sts:externalid"  # condition keys are case-insensitive: compared lower-cased
_ORG_ID = "aws:principalorgid"
_PRINCIPAL_ACCOUNT = "aws:principalaccount"


@dataclass(frozen=True)
class TrustContext:
    """What makes an account "ours": the role's account and the collected organization."""

    organization_ids: frozenset[str] = frozenset()
    organization_accounts: frozenset[str] = frozenset()


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _statements(policy: Any) -> list[Mapping[str, Any]]:
    if not isinstance(policy, Mapping):
        return []
    found = policy.get("Statement")
    if isinstance(found, Mapping):
        return [found]
    return [s for s in found or () if isinstance(s, Mapping)]


def principal_account(principal_type: str, principal: str) -> str | None:
    """The account a principal belongs to, or None (a service, ``*``, a web identity provider, an ID)."""
    if principal_type == TrustPrincipalType.AWS and _ACCOUNT_ID.fullmatch(principal):
        return principal
    if principal_type in (TrustPrincipalType.AWS, TrustPrincipalType.FEDERATED) and principal.startswith(
        "arn:"
    ):
        parts = principal.split(":")
        if len(parts) >= 6 and _ACCOUNT_ID.fullmatch(parts[4]):
            return parts[4]
    return None


def _values(condition: Mapping[str, Any] | None, operator: str, key: str) -> list[str] | None:
    """The values of ``operator`` on ``key`` (case-insensitive key), or None if the statement has none."""
    block = (condition or {}).get(operator)
    if not isinstance(block, Mapping):
        return None
    for name, value in block.items():
        if name.lower() == key:
            return _strings(value)
    return None


def requires_external_id(condition: Mapping[str, Any] | None) -> bool:
    values = _values(condition, _STRING_EQUALS, _EXTERNAL_ID)
    return bool(values) and all(values or ())


def _pinned_inside(condition: Mapping[str, Any] | None, ours: TrustContext, own_account: str) -> bool:
    """Whether a condition limits the caller to the collected organization or to known accounts."""
    orgs = _values(condition, _STRING_EQUALS, _ORG_ID)
    if orgs and set(orgs) <= ours.organization_ids:
        return True
    accounts = _values(condition, _STRING_EQUALS, _PRINCIPAL_ACCOUNT)
    return bool(accounts) and set(accounts or ()) <= ours.organization_accounts | {own_account}


@dataclass
class _Edge:
    actions: set[str] = field(default_factory=set)
    conditions: list[JsonValue] = field(default_factory=list)
    external_ids: list[bool] = field(default_factory=list)
    pinned: list[bool] = field(default_factory=list)
    excluded: list[JsonValue] = field(default_factory=list)


def _principals(statement: Mapping[str, Any]) -> tuple[list[tuple[str, str]], JsonValue]:
    """The (type, principal) pairs a statement names, and its NotPrincipal block (None without one)."""
    if "NotPrincipal" in statement:
        return [(TrustPrincipalType.ANYONE.value, "*")], statement["NotPrincipal"]
    written = statement.get("Principal")
    if written == "*":
        return [(TrustPrincipalType.ANYONE.value, "*")], None
    pairs: list[tuple[str, str]] = []
    if isinstance(written, Mapping):
        for principal_type, values in written.items():
            pairs.extend((str(principal_type), value) for value in _strings(values))
    return pairs, None


def trust_principals(
    account_id: str, role_arn: str, trust_policy: Any, ours: TrustContext
) -> tuple[RoleTrustPrincipal, ...]:
    """The edges of one role's trust policy, in (type, principal) order."""
    edges: dict[tuple[str, str], _Edge] = {}
    for statement in _statements(trust_policy):
        if statement.get("Effect") != "Allow":
            continue
        pairs, not_principal = _principals(statement)
        condition = statement.get("Condition")
        actions = _strings(statement.get("Action"))
        actions += [f"NotAction:{a}" for a in _strings(statement.get("NotAction"))]
        for pair in dict.fromkeys(pairs):  # a principal written twice in one statement counts once
            edge = edges.setdefault(pair, _Edge())
            edge.actions.update(actions)
            edge.conditions.append(condition)
            edge.external_ids.append(requires_external_id(condition))
            edge.pinned.append(_pinned_inside(condition, ours, account_id))
            if not_principal is not None:
                edge.excluded.append(not_principal)
    return tuple(_record(account_id, role_arn, key, edge, ours) for key, edge in sorted(edges.items()))


def _external(
    principal_type: str, principal: str, edge: _Edge, account_id: str, ours: TrustContext
) -> bool | None:
    owner = principal_account(principal_type, principal)
    if owner is not None:
        return owner != account_id and owner not in ours.organization_accounts
    if principal == "*" and principal_type in (TrustPrincipalType.ANYONE, TrustPrincipalType.AWS):
        return not all(edge.pinned)
    return None


def _record(
    account_id: str, role_arn: str, key: tuple[str, str], edge: _Edge, ours: TrustContext
) -> RoleTrustPrincipal:
    principal_type, principal = key
    return RoleTrustPrincipal(
        account_id=account_id,
        role_arn=role_arn,
        principal_type=principal_type,
        principal=principal,
        principal_account_id=principal_account(principal_type, principal),
        actions=sorted(edge.actions),
        external_account=_external(principal_type, principal, edge, account_id, ours),
        external_id_required=all(edge.external_ids),
        conditions=edge.conditions,
        excluded_principals=edge.excluded or None,
    )


def role_trust_principals(
    roles: Iterable[tuple[str, str, Any]], ours: TrustContext
) -> tuple[RoleTrustPrincipal, ...]:
    """Every edge of every role: ``roles`` are (account ID, role ARN, trust policy document)."""
    found: list[RoleTrustPrincipal] = []
    for account_id, role_arn, policy in roles:
        found.extend(trust_principals(account_id, role_arn, policy, ours))
    return tuple(found)
