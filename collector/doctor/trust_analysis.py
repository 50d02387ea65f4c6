"""Does a role's trust policy require the customer's ExternalId? Pure analysis of the policy document.

Every ``Allow`` statement that grants ``sts:AssumeRole`` to an AWS principal must carry a condition that
AWS only satisfies when the caller presents exactly the customer's ExternalId:

- ``StringEquals`` (or ``StringLike`` without wildcards) on ``sts:ExternalId``, naming the customer's value;
- not ``...IfExists`` and not ``ForAllValues:`` (both are satisfied when the key is absent: no ExternalId);
- a ``StringLike`` pattern with ``*`` or ``?`` accepts values the vendor never issued.

A statement without such a condition lets anyone it names assume the role without the ExternalId: the
confused deputy the ExternalId exists to prevent (critical). A ``Principal`` of ``*`` (or a ``NotPrincipal``)
lets any AWS identity that knows the ExternalId in (critical). Deny statements are not credited: a role
protected only by a Deny is reported, which errs on the side of looking again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

EXTERNAL_ID_KEY = "sts:externalid"  # condition keys are case-insensitive
_ASSUME_ACTIONS = frozenset({"sts:assumerole", "sts:*", "*"})
_EXACT_OPERATORS = frozenset({"stringequals", "stringlike"})


@dataclass(frozen=True)
class TrustFinding:
    critical: bool
    text: str


@dataclass(frozen=True)
class TrustAnalysis:
    requires_external_id: bool  # every statement letting an AWS principal assume needs the customer's value
    findings: tuple[TrustFinding, ...]

    @property
    def critical(self) -> bool:
        return any(f.critical for f in self.findings)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _name(statement: Mapping[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"statement {index + 1}" + (f" ({sid})" if sid else "")


def _grants_assume(statement: Mapping[str, Any]) -> bool:
    if "NotAction" in statement:
        return "sts:assumerole" not in {str(a).lower() for a in _as_list(statement["NotAction"])}
    return any(str(a).lower() in _ASSUME_ACTIONS for a in _as_list(statement.get("Action")))


def _aws_principals(statement: Mapping[str, Any]) -> list[str] | None:
    """The AWS principals named (``["*"]`` for ``"Principal": "*"``); None when only services/federation."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, Mapping) and "AWS" in principal:
        return [str(p) for p in _as_list(principal["AWS"])]
    return None


def _external_id_values(condition: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(exact values that must be presented, reasons why some other ExternalId test does not count)."""
    exact: list[str] = []
    weak: list[str] = []
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping):
            continue
        for key, values in tests.items():
            if str(key).lower() != EXTERNAL_ID_KEY:
                continue
            qualifier, _, base = str(operator).rpartition(":")
            base_lower = base.lower()
            if base_lower.endswith("ifexists") or qualifier.lower() == "forallvalues":
                weak.append(f"{operator} is satisfied when no ExternalId is presented")
            elif base_lower not in _EXACT_OPERATORS:
                weak.append(f"{operator} does not require one exact ExternalId")
            elif base_lower == "stringlike" and any(c in str(v) for v in _as_list(values) for c in "*?"):
                weak.append(f"{operator} accepts a pattern ({', '.join(map(str, _as_list(values)))})")
            else:
                exact.extend(str(v) for v in _as_list(values))
    return exact, weak


def analyse(
    document: Mapping[str, Any], external_id: str, trusted_principal: str | None = None
) -> TrustAnalysis:
    """The trust policy's verdict for the customer's ExternalId (and, when known, the vendor's principal)."""
    findings: list[TrustFinding] = []
    requires = True
    assume_statements = 0
    for index, statement in enumerate(_as_list(document.get("Statement"))):
        if (
            not isinstance(statement, Mapping)
            or statement.get("Effect") != "Allow"
            or not _grants_assume(statement)
        ):
            continue
        name = _name(statement, index)
        if "NotPrincipal" in statement:
            requires = False
            findings.append(
                TrustFinding(True, f"{name} uses NotPrincipal: almost any AWS identity may assume")
            )
            continue
        principals = _aws_principals(statement)
        if principals is None:
            continue  # a service or a federated provider: not an AssumeRole caller the ExternalId concerns
        assume_statements += 1
        exact, weak = _external_id_values(statement.get("Condition") or {})
        who = ", ".join(principals)
        if "*" in principals:
            findings.append(TrustFinding(True, f"{name} trusts any AWS principal (*)"))
        elif trusted_principal is not None and any(p != trusted_principal for p in principals):
            others = ", ".join(p for p in principals if p != trusted_principal)
            findings.append(TrustFinding(False, f"{name} also trusts {others}"))
        if not exact:
            requires = False
            why = f" ({'; '.join(weak)})" if weak else ""
            findings.append(
                TrustFinding(True, f"{name} lets {who} assume the role without the ExternalId{why}")
            )
        elif external_id not in exact:
            requires = False
            findings.append(TrustFinding(False, f"{name} expects another ExternalId than the customer's"))
        elif len(set(exact)) > 1:
            findings.append(
                TrustFinding(True, f"{name} also accepts {len(set(exact)) - 1} other ExternalId value(s)")
            )
    if assume_statements == 0:
        requires = False
        findings.append(TrustFinding(False, "no statement lets an AWS principal assume the role"))
    return TrustAnalysis(requires, tuple(findings))


def summary(analysis: TrustAnalysis) -> str:
    if not analysis.findings:
        return "every statement that lets the vendor assume requires the ExternalId (StringEquals)"
    return "; ".join(f.text for f in analysis.findings)


def role_document(details_roles: Iterable[Mapping[str, Any]], role_arn: str) -> Any | None:
    """The trust policy of ``role_arn`` among GetAccountAuthorizationDetails' RoleDetailList items."""
    for role in details_roles:
        if role.get("Arn") == role_arn:
            return role.get("AssumeRolePolicyDocument")
    return None
