"""A CloudTrail backfill that outlasts its time budget stops between pages and the next run continues from
the checkpoint (the mark plus the gap not read yet), with the real SQLite store keeping that state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collector.fetch import TIME_BUDGET_CODE, TIME_BUDGET_PART
from collector.models import Account, ScopeKey, ScopeStatus
from collector.plan import WorkItem
from collector.runner import ItemEnv, collect_item
from collector.services.cloudtrail import fetch as cloudtrail
from collector.services.cloudtrail import parse
from collector.sink import ScopeResult
from collector.store import SqliteStore
from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT
from tests.collector.stubs import ROLE_ARN, FakeClock, StubbedClients

REGION = "eu-west-1"
T0 = datetime(2026, 5, 6, 12, 0, 0, tzinfo=UTC)
LOOKUP = "lookup_events"
ITEM = WorkItem(Account(ACCOUNT, ROLE_ARN), REGION, ("cloudtrail",))
SCOPE: ScopeKey = ITEM.scopes()[0]


def _page(*events: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"Events": list(events)}
    if token:
        page["NextToken"] = token
    return page


def _params(start: datetime, end: datetime, token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"StartTime": start, "EndTime": end, "MaxResults": cloudtrail.PAGE_SIZE}
    if token:
        params["NextToken"] = token
    return params


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "inv.sqlite") as opened:
        yield opened


def _run(
    store: SqliteStore, clients: StubbedClients, at: datetime, run_id: str, budget: float | None
) -> ScopeResult:
    """One run of the scope; ``budget`` seconds from ``at`` (negative: spent before the first page)."""
    clock = FakeClock(at)
    env = ItemEnv(
        clients_for=lambda account: clients,
        run_id=run_id,
        state=store,
        fetchers={"cloudtrail": cloudtrail.FETCHER},
        sleep=clock.sleep,
        clock=clock.time,
        deadline=None if budget is None else at.timestamp() + budget,
    )
    (result,) = collect_item(ITEM, env, store)
    store.flush()
    return result


def _ids(store: SqliteStore) -> set[str]:
    return {r["event_id"] for r in store.rows("cloudtrail_events")}


def test_a_backfill_stops_at_its_budget_and_the_next_run_reads_the_gap(store: SqliteStore) -> None:
    start = T0 - timedelta(days=cloudtrail.DEFAULT_LOOKBACK_DAYS)
    oldest_read = T0 - timedelta(days=2)
    first = StubbedClients()
    stub = first.stub("cloudtrail")
    stub.add_response(
        LOOKUP,
        _page(c.event("new", T0 - timedelta(hours=1)), c.event("mid", oldest_read), token="t1"),
        _params(start, T0),
    )
    # The budget is spent: the second page is never asked for.
    result = _run(store, first, T0, "run-1", budget=-1)
    first.assert_no_pending()

    assert result.status is ScopeStatus.PARTIAL
    (problem,) = result.problems
    assert (problem.part, problem.error_code) == (TIME_BUDGET_PART, TIME_BUDGET_CODE)
    assert "read by the next run" in problem.message
    assert _ids(store) == {"new", "mid"}  # what was read is kept
    assert store.read_state(SCOPE) == {
        cloudtrail.MARK: T0.isoformat(),
        cloudtrail.GAP_START: start.isoformat(),
        cloudtrail.GAP_END: oldest_read.isoformat(),
    }

    # An hour later, without a budget: its own new window first, then the gap, and the scope completes.
    t1 = T0 + timedelta(hours=1)
    second = StubbedClients()
    stub = second.stub("cloudtrail")
    stub.add_response(
        LOOKUP, _page(c.event("newer", T0 + timedelta(minutes=20))), _params(T0 - cloudtrail.OVERLAP, t1)
    )
    stub.add_response(
        LOOKUP,
        _page(c.event("mid", oldest_read), c.event("old", start + timedelta(hours=1))),
        _params(start, oldest_read),
    )
    result = _run(store, second, t1, "run-2", budget=None)
    second.assert_no_pending()

    assert result.status is ScopeStatus.COMPLETE, result.detail
    assert _ids(store) == {"new", "mid", "newer", "old"}
    assert store.read_state(SCOPE) == {cloudtrail.MARK: t1.isoformat()}  # the gap is closed


def test_a_budget_spent_after_the_new_window_keeps_the_old_gap(store: SqliteStore) -> None:
    gap_end = T0 - timedelta(days=3)
    seed = StubbedClients()  # a run that leaves a checkpoint with the gap [a week ago, gap_end]
    stub = seed.stub("cloudtrail")
    week_ago = T0 - timedelta(days=cloudtrail.DEFAULT_LOOKBACK_DAYS)
    stub.add_response(LOOKUP, _page(c.event("a", gap_end), token="t1"), _params(week_ago, T0))
    assert _run(store, seed, T0, "run-1", budget=-1).status is ScopeStatus.PARTIAL
    assert store.read_state(SCOPE)[cloudtrail.GAP_END] == gap_end.isoformat()

    t1 = T0 + timedelta(hours=1)
    second = StubbedClients()
    second.stub("cloudtrail").add_response(LOOKUP, _page(), _params(T0 - cloudtrail.OVERLAP, t1))
    result = _run(store, second, t1, "run-2", budget=-1)
    second.assert_no_pending()  # the new window is read; the gap waits for a run with time left

    assert result.status is ScopeStatus.PARTIAL
    assert store.read_state(SCOPE) == {
        cloudtrail.MARK: t1.isoformat(),
        cloudtrail.GAP_START: week_ago.isoformat(),
        cloudtrail.GAP_END: gap_end.isoformat(),
    }


def test_a_fault_after_a_checkpoint_keeps_the_checkpoint(store: SqliteStore) -> None:
    week_ago = T0 - timedelta(days=cloudtrail.DEFAULT_LOOKBACK_DAYS)
    first = StubbedClients()
    first.stub("cloudtrail").add_response(
        LOOKUP, _page(c.event("a", T0 - timedelta(days=1)), token="t1"), _params(week_ago, T0)
    )
    _run(store, first, T0, "run-1", budget=-1)
    checkpoint = dict(store.read_state(SCOPE))

    broken = StubbedClients()
    broken.stub("cloudtrail").add_client_error(LOOKUP, "InternalFailure", "boom", 500)
    result = _run(store, broken, T0 + timedelta(hours=1), "run-2", budget=None)
    assert result.status is ScopeStatus.FAILED
    assert store.read_state(SCOPE) == checkpoint


def test_a_gap_older_than_the_retention_is_dropped() -> None:
    now = T0
    assert parse.gap(None, None, now) is None
    too_old = (now - timedelta(days=100)).isoformat(), (now - timedelta(days=95)).isoformat()
    assert parse.gap(*too_old, now) is None
    partly = parse.gap((now - timedelta(days=100)).isoformat(), (now - timedelta(days=10)).isoformat(), now)
    assert partly is not None and partly.start == now - parse.RETENTION
