"""A small IAM policy evaluator for tests: explicit Deny wins, then any Allow, else implicit deny.

Only what our synthesized identity policies use: ``Action`` (with ``*`` wildcards), ``Resource: "*"`` and
the condition operators StringEquals, StringNotEquals and StringLike, with IAM's semantics for a key the
request does not carry (StringEquals/StringLike: false; StringNotEquals: true). Condition keys compare
case-insensitively, values case-sensitively. Anything else (NotAction, a specific Resource, another
operator) fails loudly rather than being guessed.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class Decision(StrEnum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


class UnsupportedPolicyError(ValueError):
    """The statement uses something this evaluator does not implement."""


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _like(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(operator: str, wanted: list[str], actual: str | None) -> bool:
    if operator == "StringEquals":
        return actual is not None and actual in wanted
    if operator == "StringNotEquals":
        return actual is None or actual not in wanted
    if operator == "StringLike":
        return actual is not None and any(_like(p, actual) for p in wanted)
    raise UnsupportedPolicyError(f"condition operator {operator}")


def _conditions_hold(condition: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    lowered = {k.lower(): v for k, v in context.items()}
    return all(
        _condition_holds(operator, _strings(values), lowered.get(key.lower()))
        for operator, block in condition.items()
        for key, values in block.items()
    )


def _matches(statement: Mapping[str, Any], action: str, context: Mapping[str, str]) -> bool:
    unsupported = {"NotAction", "NotResource", "Principal", "NotPrincipal"} & set(statement)
    if unsupported:
        raise UnsupportedPolicyError(", ".join(sorted(unsupported)))
    if _strings(statement.get("Resource", [])) != ["*"]:
        raise UnsupportedPolicyError(f"Resource {statement.get('Resource')!r}")
    if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _strings(statement["Action"])):
        return False
    return _conditions_hold(statement.get("Condition") or {}, context)


def evaluate(
    documents: Iterable[Mapping[str, Any]], action: str, context: Mapping[str, str] | None = None
) -> Decision:
    """The decision of the identity policies ``documents`` for ``action`` on any resource."""
    statements = [s for d in documents for s in _strings_or_list(d["Statement"])]
    request = context or {}
    matching = [s for s in statements if _matches(s, action, request)]
    if any(s["Effect"] == "Deny" for s in matching):
        return Decision.EXPLICIT_DENY
    if any(s["Effect"] == "Allow" for s in matching):
        return Decision.ALLOWED
    return Decision.IMPLICIT_DENY


def _strings_or_list(value: Any) -> list[Mapping[str, Any]]:
    return [value] if isinstance(value, Mapping) else list(value)
