"""Findings between an item's fetchers (only from scopes that completed), the plan order that honours
``Fetcher.after``, and an unchanged scope (``FetchContext.unchanged``): the store keeps its rows, the run they
came from and writes its state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collector import registry
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import Account, Record, ScopeKey, ScopeStatus
from collector.plan import WorkItem, build_plan, ordered
from collector.runner import ItemEnv, collect_item
from collector.services.iam.records import Group
from collector.store import SqliteStore
from tests.collector.test_runner import _group, _perms

A = "111111111111"
ACCOUNT = Account(A, f"arn:aws:iam::{A}:role/Reader")
REGION = "eu-west-1"
SEEN: list[dict[str, object]] = []
MODE: dict[str, str] = {}


def _publisher(ctx: FetchContext) -> Iterator[Record]:
    ctx.find("answer", 42)
    if MODE.get("publisher") == "fail":
        raise RuntimeError("after publishing")
    return iter(())


def _reader(ctx: FetchContext) -> Iterator[Record]:
    SEEN.append(dict(ctx.earlier))
    ctx.set_state("runs", str(int(ctx.prior_state.get("runs", "0")) + 1))
    if MODE.get("reader") == "unchanged":
        ctx.unchanged("nothing changed", part="refresh")
        return
    yield _group(ctx, f"g-{ctx.run_id}")


PUBLISHER = Fetcher(_perms("publisher"), Placement.REGIONAL, (), _publisher)
READER = Fetcher(_perms("reader"), Placement.REGIONAL, (Group,), _reader, after=("publisher",))
FETCHERS = {f.name: f for f in (PUBLISHER, READER)}
ITEM = WorkItem(ACCOUNT, REGION, ("publisher", "reader"))


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    SEEN.clear()
    MODE.clear()
    yield


def _collect(store: SqliteStore, run_id: str) -> dict[str, ScopeStatus]:
    store.start_run(run_id, "2026-12-06T00:00:00+00:00", {})
    env = ItemEnv(clients_for=lambda account: object(), run_id=run_id, state=store, fetchers=FETCHERS)  # type: ignore[arg-type,return-value]
    results = collect_item(ITEM, env, store)
    store.flush()
    return {r.scope.service: r.status for r in results}


def test_a_later_scope_sees_what_an_earlier_complete_one_found(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        _collect(store, "run-1")
        MODE["publisher"] = "fail"
        assert _collect(store, "run-2")["publisher"] is ScopeStatus.FAILED
    assert SEEN == [{"answer": 42}, {}]  # a failed scope's findings never reach the others


def test_an_unchanged_scope_keeps_its_rows_its_data_run_and_writes_its_state(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        _collect(store, "run-1")
        MODE["reader"] = "unchanged"
        assert _collect(store, "run-2")["reader"] is ScopeStatus.COMPLETE
        rows = [(r["name"], r["run_id"]) for r in store.rows(Group.KIND)]
        scope = next(s for s in store.scopes() if s["service"] == "reader")
        state = store.read_state(ScopeKey(A, REGION, "reader"))
        MODE.clear()  # a full read again: the old row is stale and goes, the data run moves
        _collect(store, "run-3")
        after = [(r["name"], r["run_id"]) for r in store.rows(Group.KIND)]
        data_run = next(s for s in store.scopes() if s["service"] == "reader")["data_run_id"]
    assert rows == [("g-run-1", "run-1")]
    assert (scope["run_id"], scope["data_run_id"], scope["status"]) == ("run-2", "run-1", "complete")
    assert scope["detail"] == "refresh: nothing changed" and scope["record_count"] == 0
    assert state == {"runs": "2"}
    assert after == [("g-run-3", "run-3")] and data_run == "run-3"


def test_the_plan_runs_a_fetcher_after_those_it_reads_only_when_findings_are_used() -> None:
    plain = build_plan((ACCOUNT,), (READER, PUBLISHER), regions={A: (REGION,)})
    assert plain.items[0].fetchers == ("reader", "publisher")  # the given (registry) order
    used = build_plan((ACCOUNT,), (READER, PUBLISHER), regions={A: (REGION,)}, findings=True)
    assert used.items[0].fetchers == ("publisher", "reader")
    assert ordered((PUBLISHER, READER)) == (PUBLISHER, READER)  # stable
    loop = Fetcher(_perms("publisher"), Placement.REGIONAL, (), _publisher, after=("reader",))
    with pytest.raises(ValueError, match="wait for each other"):
        ordered((loop, READER))


def test_the_registry_runs_cloudtrail_before_ec2_when_the_skip_is_on() -> None:
    fetchers = registry.select(("ec2", "cloudtrail"))
    assert build_plan((ACCOUNT,), fetchers, regions={A: (REGION,)}).items[0].fetchers == ("ec2", "cloudtrail")
    skip = build_plan((ACCOUNT,), fetchers, regions={A: (REGION,)}, findings=True)
    assert skip.items[0].fetchers == ("cloudtrail", "ec2")


def test_every_fetcher_waits_only_for_fetchers_of_its_own_items() -> None:
    """``after`` names a known fetcher of the same placement (the same work item); the registry orders."""
    known = registry.by_name()
    for fetcher in registry.FETCHERS:
        for name in fetcher.after:
            assert name in known and known[name].placement is fetcher.placement, (fetcher.name, name)
    assert {f.name for f in ordered(registry.FETCHERS)} == set(known)
