"""What doctor found: one ``Finding`` per (account, check), a table for terminals and JSON for machines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

ORGANIZATION = "organization"  # the "account" of findings about the organization as a whole


class Outcome(StrEnum):
    OK = "ok"
    NOTE = "note"  # worth knowing, nothing to fix (e.g. a suspended account, an optional feature absent)
    PROBLEM = "problem"  # collection would be incomplete or fail: fix before collecting
    CRITICAL = "critical"  # a security fault: the role is open to the confused deputy

    @property
    def fails(self) -> bool:
        return self in (Outcome.PROBLEM, Outcome.CRITICAL)


@dataclass(frozen=True)
class Finding:
    account_id: str  # or ORGANIZATION
    check: str  # "assume", "no-external-id", "wrong-external-id", "trust-policy", "permissions:iam"...
    outcome: Outcome
    detail: str
    missing_actions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "check": self.check,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "missing_actions": list(self.missing_actions),
        }


@dataclass(frozen=True)
class Report:
    subject: str  # the customer's name, or the role ARN
    findings: tuple[Finding, ...]
    api_calls: int = 0

    @property
    def exit_code(self) -> int:
        """0 all good (notes allowed), 1 some problem or critical finding."""
        return 1 if any(f.outcome.fails for f in self.findings) else 0

    def counts(self) -> dict[str, int]:
        return {o.value: sum(1 for f in self.findings if f.outcome is o) for o in Outcome}

    def missing_actions(self) -> tuple[str, ...]:
        return tuple(sorted({a for f in self.findings for a in f.missing_actions}))

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "ok": self.exit_code == 0,
            "counts": self.counts(),
            "missing_actions": list(self.missing_actions()),
            "api_calls": self.api_calls,
            "findings": [f.to_json() for f in self.findings],
        }

    def table(self, *, color: bool = False) -> str:
        """Aligned columns: account, check, outcome, detail; one line per finding."""
        rows = [("ACCOUNT", "CHECK", "RESULT", "DETAIL")]
        for f in sorted_findings(self.findings):
            rows.append((f.account_id, f.check, f.outcome.value.upper(), f.detail))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = []
        for index, row in enumerate(rows):
            result = f"{row[2]:<{widths[2]}}"
            if color and index:
                result = _paint(result, Outcome(row[2].lower()))
            lines.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {result}  {row[3]}".rstrip())
        counts = self.counts()
        verdict = "all good" if self.exit_code == 0 else "problems found"
        lines.append("")
        lines.append(
            f"{self.subject}: {verdict} ({counts['critical']} critical, {counts['problem']} problems, "
            f"{counts['note']} notes, {counts['ok']} ok; {self.api_calls} API calls)"
        )
        return "\n".join(lines) + "\n"


_COLORS = {Outcome.CRITICAL: "1;31", Outcome.PROBLEM: "31", Outcome.NOTE: "33", Outcome.OK: "32"}


def _paint(text: str, outcome: Outcome) -> str:
    return f"\x1b[{_COLORS[outcome]}m{text}\x1b[0m"


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Organization-wide findings first, then by account; within an account, in the order checked."""
    indexed = list(enumerate(findings))
    indexed.sort(key=lambda pair: (pair[1].account_id != ORGANIZATION, pair[1].account_id, pair[0]))
    return [f for _, f in indexed]
