"""The report: exit codes, the terminal table and the JSON."""

from __future__ import annotations

from typing import Any

from collector.doctor.report import ORGANIZATION, Finding, Outcome, Report


def _report(*outcomes: Outcome) -> Report:
    findings = tuple(Finding("111122223333", f"check-{i}", o, f"detail {i}") for i, o in enumerate(outcomes))
    return Report("acme", findings, api_calls=7)


def test_exit_codes() -> None:
    assert _report().exit_code == 0
    assert _report(Outcome.OK, Outcome.NOTE).exit_code == 0
    assert _report(Outcome.OK, Outcome.PROBLEM).exit_code == 1
    assert _report(Outcome.CRITICAL).exit_code == 1


def test_the_table_is_aligned_with_organization_findings_first_and_a_verdict() -> None:
    report = Report(
        "bigco",
        (
            Finding("222233334444", "assume", Outcome.OK, "assumed"),
            Finding(ORGANIZATION, "accounts", Outcome.OK, "3 accounts"),
            Finding(
                "111122223333",
                "permissions:ec2",
                Outcome.PROBLEM,
                "missing ec2:DescribeVpcs",
                ("ec2:DescribeVpcs",),
            ),
            Finding("111122223333", "no-external-id", Outcome.CRITICAL, "assumed without an ExternalId"),
        ),
        api_calls=12,
    )
    lines = report.table().splitlines()
    assert lines[0].split() == ["ACCOUNT", "CHECK", "RESULT", "DETAIL"]
    assert [line.split()[0] for line in lines[1:5]] == [
        ORGANIZATION,
        "111122223333",
        "111122223333",
        "222233334444",
    ]
    assert len({line.index(line.split()[2]) for line in lines[:5]}) == 1  # the RESULT column is aligned
    assert lines[-1] == "bigco: problems found (1 critical, 1 problems, 0 notes, 2 ok; 12 API calls)"
    assert "\x1b[" not in report.table() and "\x1b[1;31mCRITICAL" in report.table(color=True)


def test_the_json_names_missing_actions_and_counts() -> None:
    report = Report(
        "acme",
        (
            Finding("111122223333", "permissions:iam", Outcome.PROBLEM, "m", ("iam:GetPolicy",)),
            Finding(
                "444455556666",
                "permissions:iam",
                Outcome.PROBLEM,
                "m",
                ("iam:GetPolicy", "iam:ListAccessKeys"),
            ),
        ),
    )
    data: dict[str, Any] = report.to_json()
    assert data["ok"] is False and data["missing_actions"] == ["iam:GetPolicy", "iam:ListAccessKeys"]
    assert data["counts"] == {"ok": 0, "note": 0, "problem": 2, "critical": 0}
    assert data["findings"][1] == {
        "account_id": "444455556666",
        "check": "permissions:iam",
        "outcome": "problem",
        "detail": "m",
        "missing_actions": ["iam:GetPolicy", "iam:ListAccessKeys"],
    }
