"""Stored CloudTrail events are kept for the retention (default 90 days): older ones go at the end of a
complete run, never after an incomplete or interrupted one."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collector.cli import app as cli
from collector.models import Problem, ScopeKey, ScopeStatus
from collector.services.cloudtrail.records import CloudTrailEvent
from collector.settings import OPTIONS, RunSettings
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore

A = "111111111111"
NOW = datetime.now(UTC)


def _event(days_ago: float) -> CloudTrailEvent:
    return CloudTrailEvent(
        account_id=A,
        region="us-east-1",
        event_id=f"e-{days_ago}",
        event_time=(NOW - timedelta(days=days_ago)).isoformat(),
        event_name="ListUsers",
        event_source="iam.amazonaws.com",
        read_only=True,
    )


def _run(
    db: SqliteStore,
    run_id: str,
    status: ScopeStatus,
    settings: dict[str, object],
    interrupted: str | None = None,
) -> None:
    problems = () if status is ScopeStatus.COMPLETE else (Problem(status, "", "boom"),)
    scope = ScopeKey(A, "us-east-1", "cloudtrail")
    result = ScopeResult(scope, status, problems, 3, "t0", "t1")
    events = (_event(1), _event(89), _event(91), _event(400))
    db.start_run(run_id, "t0", settings)
    db.write_scope(run_id, ScopeOutcome(result, events, ()))  # events accumulate: no stale-row removal
    db.finish_run(RunManifest(run_id, "t0", "t1", settings, (result,), (), interrupted))


def _ages(db: SqliteStore) -> list[str]:
    return sorted(r["event_id"] for r in db.rows(CloudTrailEvent.KIND))


def test_a_complete_run_keeps_90_days_by_default(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _run(db, "r1", ScopeStatus.COMPLETE, {})  # a run from before the setting: 90 days
        assert _ages(db) == ["e-1", "e-89"]


@pytest.mark.parametrize(
    ("status", "interrupted"),
    [(ScopeStatus.FAILED, None), (ScopeStatus.DENIED, None), (ScopeStatus.COMPLETE, "SIGINT")],
)
def test_an_incomplete_or_interrupted_run_removes_nothing(
    tmp_path: Path, status: ScopeStatus, interrupted: str | None
) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _run(db, "r1", status, {"cloudtrail_retention_days": 90}, interrupted)
        assert _ages(db) == ["e-1", "e-400", "e-89", "e-91"]


def test_the_retention_is_a_run_setting(tmp_path: Path) -> None:
    settings = RunSettings.parse(
        {"role_arn": f"arn:aws:iam::{A}:role/R", "external_id": "ab", "cloudtrail_retention_days": "365"},
        OPTIONS,
    )
    assert settings.cloudtrail_retention_days == 365
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _run(db, "r1", ScopeStatus.COMPLETE, settings.to_json())
        assert _ages(db) == ["e-1", "e-89", "e-91"]


@pytest.mark.parametrize("value", ["0", "3651", "ninety"])
def test_a_bad_retention_is_refused_naming_the_option(value: str) -> None:
    err = io.StringIO()
    argv = ["collect", "--role-arn", f"arn:aws:iam::{A}:role/R", "--external-id", "ab"]
    assert cli.main([*argv, "--cloudtrail-retention-days", value], out=io.StringIO(), err=err) == 2
    expected = f"--cloudtrail-retention-days: got '{value}'; expected a whole number of days from 1 to 3650"
    assert expected in err.getvalue()
