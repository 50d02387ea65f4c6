"""IAM's evaluation of identity policies, for the few elements our policies use: is a request allowed?

A deliberately small, faithful model of AWS's documented logic for one principal's identity-based policies
(no resource policy, SCP or boundary): an explicit Deny in any statement wins; otherwise an Allow in any
statement allows; otherwise the request is implicitly denied. A statement applies when its Action (or
NotAction) matches the action, its Resource (or NotResource) matches the resource, and every condition
holds. Wildcards ``*`` and ``?`` match as in IAM (action names case-insensitively). Conditions:
StringEquals, StringNotEquals, StringLike, StringNotLike; a key the request lacks makes the positive
operators false and the negated ones true, as IAM documents. Anything else fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any


class Decision(StrEnum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


def _matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    wanted = _listed(expected)
    if key not in context:
        if operator in ("StringNotEquals", "StringNotLike"):
            return True
        if operator in ("StringEquals", "StringLike"):
            return False
        raise NotImplementedError(operator)
    actual = context[key]
    if operator == "StringEquals":
        return actual in wanted
    if operator == "StringNotEquals":
        return actual not in wanted
    if operator == "StringLike":
        return any(_matches(w, actual) for w in wanted)
    if operator == "StringNotLike":
        return not any(_matches(w, actual) for w in wanted)
    raise NotImplementedError(operator)


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]) -> bool:
    unknown = set(statement) - {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
    if unknown:
        raise NotImplementedError(unknown)
    if "Action" in statement:
        if not any(_matches(a, action, ignore_case=True) for a in _listed(statement["Action"])):
            return False
    elif any(_matches(a, action, ignore_case=True) for a in _listed(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(_matches(r, resource) for r in _listed(statement["Resource"])):
            return False
    elif any(_matches(r, resource) for r in _listed(statement["NotResource"])):
        return False
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, keys in statement.get("Condition", {}).items()
        for key, expected in keys.items()
    )


def decide(
    documents: Iterable[Mapping[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """The decision for one request over every policy document the principal has."""
    allowed = False
    for document in documents:
        statements: Sequence[Mapping[str, Any]] = _listed_statements(document["Statement"])
        for statement in statements:
            if not _applies(statement, action, resource, context or {}):
                continue
            if statement["Effect"] == "Deny":
                return Decision.EXPLICIT_DENY
            allowed = True
    return Decision.ALLOWED if allowed else Decision.IMPLICIT_DENY


def _listed_statements(value: Any) -> list[Mapping[str, Any]]:
    return [value] if isinstance(value, dict) else list(value)
