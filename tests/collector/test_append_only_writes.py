"""A scope's append-only records (CloudTrail events) are written in bounded parts while it is read: the store
ends with exactly the rows that writing the whole scope at its end gives, a fault keeps every part already
written, and the state advances only with the scope's outcome."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from collector.fetch import FetchContext, Fetcher, Placement, RunCache
from collector.models import Account, Record, ScopeKey, ScopeStatus
from collector.permissions import AccessLevel, Feature, FetcherPermissions, Permission
from collector.pipeline import layout
from collector.pipeline.jsonl import JsonLinesSink, ObjectStateReader, read_json_lines
from collector.pipeline.objects import MemoryObjects
from collector.plan import WorkItem
from collector.runner import RECORDS_PER_WRITE, ItemEnv, collect_item, collect_scope
from collector.services.cloudtrail.records import CloudTrailEvent
from collector.services.iam.records import Group
from collector.sink import ScopeOutcome, Sink, StateReader
from collector.store import SqliteStore

A = "111111111111"
REGION = "eu-west-1"
SCOPE = ScopeKey(A, REGION, "fake_trail")
EVENTS = 2 * RECORDS_PER_WRITE + 234  # two full parts and a remainder
Behaviour = Callable[[FetchContext], Iterator[Record]]
BEHAVIOUR: list[Behaviour] = []


def _event(n: int) -> CloudTrailEvent:
    return CloudTrailEvent(
        account_id=A,
        region=REGION,
        event_id=f"e-{n:05d}",
        event_time=f"2026-12-06T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
        event_name="ListUsers",
        event_source="iam.amazonaws.com",
        read_only=True,
        raw={"eventID": f"e-{n:05d}", "n": n},
    )


def _group(name: str) -> Group:
    return Group(
        account_id=A, region=REGION, arn=f"arn:g/{name}", name=name, group_id=name, path="/", create_date="d"
    )


def _dispatch(ctx: FetchContext) -> Iterator[Record]:
    return BEHAVIOUR[-1](ctx)


# CloudTrailEvent is incremental (append-only), Group a snapshot kind: its stale rows go when complete.
FAKE_TRAIL = Fetcher(
    FetcherPermissions(
        "fake_trail",
        Feature.CLOUDTRAIL,
        (Permission("cloudtrail:LookupEvents", "cloudtrail:LookupEvents", AccessLevel.READ, "test"),),
    ),
    Placement.REGIONAL,
    (CloudTrailEvent, Group),
    _dispatch,
    incremental=(CloudTrailEvent,),
)


def events(
    first: int, last: int, *, groups: Sequence[str] = (), mark: str = "", fault: bool = False
) -> Behaviour:
    def run(ctx: FetchContext) -> Iterator[Record]:
        for name in groups:
            yield _group(name)
        for n in range(first, last):
            yield _event(n)
            if n == first + 10:
                yield _group("late")  # snapshot records among the events stay in the outcome
        if mark:
            ctx.set_state("mark", mark)
        if fault:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")

    return run


class Recording:
    """A sink that records the calls it passes on (and how many records each carried)."""

    def __init__(self, inner: Sink) -> None:
        self.inner = inner
        self.calls: list[tuple[str, int, int]] = []  # (method, part, records)

    def start_run(self, *args: Any) -> None:
        self.inner.start_run(*args)

    def finish_run(self, *args: Any) -> None:
        self.inner.finish_run(*args)

    def write_records(self, run_id: str, scope: ScopeKey, part: int, records: Sequence[Record]) -> None:
        assert scope == SCOPE and all(type(r) is CloudTrailEvent for r in records)
        self.calls.append(("write_records", part, len(records)))
        self.inner.write_records(run_id, scope, part, records)

    def write_scope(self, run_id: str, outcome: ScopeOutcome) -> None:
        self.calls.append(("write_scope", 0, len(outcome.records)))
        self.inner.write_scope(run_id, outcome)


def _no_clients(account: Account) -> Any:
    return None  # the fake fetcher calls nothing


def _collect(sink: Sink, state: StateReader, run_id: str, behaviour: Behaviour) -> Any:
    BEHAVIOUR.append(behaviour)
    env = ItemEnv(clients_for=_no_clients, run_id=run_id, state=state, fetchers={"fake_trail": FAKE_TRAIL})
    (result,) = collect_item(
        WorkItem(Account(A, f"arn:aws:iam::{A}:role/R"), REGION, ("fake_trail",)), env, sink
    )
    return result


def _unchunked(store: SqliteStore, run_id: str, behaviour: Behaviour) -> Any:
    """The path before parts: collect_scope without a sink keeps every record in the outcome."""
    BEHAVIOUR.append(behaviour)
    ctx = FetchContext(
        account=Account(A, f"arn:aws:iam::{A}:role/R"),
        region=REGION,
        fetcher=FAKE_TRAIL,
        clients=None,  # type: ignore[arg-type]
        run_id=run_id,
        cache=RunCache(),
        prior_state=store.read_state(SCOPE),
    )
    outcome = collect_scope(ctx)
    store.write_scope(run_id, outcome)
    return outcome.result


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a scope writes (without the scope's timestamps)."""
    with closing(sqlite3.connect(path)) as conn:
        return {
            "events": conn.execute("SELECT * FROM cloudtrail_events ORDER BY event_id").fetchall(),
            "groups": conn.execute("SELECT * FROM groups ORDER BY arn").fetchall(),
            "scopes": conn.execute(
                "SELECT account_id, region, service, status, detail, record_count, run_id, data_run_id "
                "FROM scopes"
            ).fetchall(),
            "state": conn.execute("SELECT * FROM scope_state").fetchall(),
        }


RUNS = (
    ("run-1", events(0, 700, groups=("old", "kept"), mark="m1")),
    ("run-2", events(600, 600 + EVENTS, groups=("kept",), mark="m2")),  # overlaps run-1's events
)


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    BEHAVIOUR.clear()


def test_append_only_records_go_in_parts_and_the_store_ends_with_the_same_rows(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "parts.sqlite") as parts, SqliteStore(tmp_path / "whole.sqlite") as whole:
        recording = Recording(parts)
        for run_id, behaviour in RUNS:
            parts.start_run(run_id, "t0", {})
            whole.start_run(run_id, "t0", {})
            recording.calls.clear()
            chunked = _collect(recording, parts, run_id, behaviour)
            unchunked = _unchunked(whole, run_id, behaviour)
            parts.flush()
            whole.flush()
            assert (chunked.status, chunked.record_count) == (unchunked.status, unchunked.record_count)
        assert chunked.status is ScopeStatus.COMPLETE
        assert chunked.record_count == EVENTS + 2  # exact: the parts' events count too
        # run-2: two full parts while reading, then the outcome with the remainder and the snapshot kind.
        assert recording.calls == [
            ("write_records", 1, RECORDS_PER_WRITE),
            ("write_records", 2, RECORDS_PER_WRITE),
            ("write_scope", 0, EVENTS - 2 * RECORDS_PER_WRITE + 2),
        ]
    stored = _dump(tmp_path / "parts.sqlite")
    assert stored == _dump(tmp_path / "whole.sqlite")
    assert len(stored["events"]) == 600 + EVENTS  # run-1's events stay (append-only), run-2's are upserted
    assert [g[3] for g in stored["groups"]] == ["kept", "late"]  # the stale snapshot row went
    assert [s[3:] for s in stored["state"]] == [("mark", "m2", "run-2")]


def test_a_fault_mid_scope_keeps_the_parts_written_and_does_not_advance_the_state(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        db.start_run("run-1", "t0", {})
        assert _collect(db, db, "run-1", events(0, 10, mark="m1")).status is ScopeStatus.COMPLETE
        db.start_run("run-2", "t0", {})
        recording = Recording(db)
        result = _collect(recording, db, "run-2", events(1000, 1000 + EVENTS, mark="m2", fault=True))
        db.flush()
        assert result.status is ScopeStatus.DENIED and "GetObject" in result.detail
        assert result.record_count == EVENTS + 1
        assert [c[0] for c in recording.calls] == ["write_records", "write_records", "write_scope"]
        stored = {r["event_id"]: r["run_id"] for r in db.rows(CloudTrailEvent.KIND)}
        assert len(stored) == 10 + EVENTS
        assert {stored[f"e-{n:05d}"] for n in range(1000, 1000 + EVENTS)} == {"run-2"}
        assert db.read_state(SCOPE) == {"mark": "m1"}  # the next run reads the window again
        (scope,) = (s for s in db.scopes() if s["service"] == "fake_trail")
        assert (scope["status"], scope["data_run_id"]) == ("denied", "run-1")


def test_a_sink_fault_is_raised_not_taken_for_the_scope_s_problem(tmp_path: Path) -> None:
    class Broken(Recording):
        def write_records(self, run_id: str, scope: ScopeKey, part: int, records: Sequence[Record]) -> None:
            raise OSError("disk full")

    with SqliteStore(tmp_path / "inv.sqlite") as db:
        with pytest.raises(OSError, match="disk full"):
            _collect(Broken(db), db, "run-1", events(0, EVENTS, mark="m1"))
        assert db.read_state(SCOPE) == {}


def test_the_json_lines_sink_writes_parts_then_the_rest_then_the_state() -> None:
    objects = MemoryObjects()
    run = "20261206T120000Z-a1b2c3"
    sink = JsonLinesSink(objects, customer="acme")
    result = _collect(sink, sink_state(objects), run, events(0, EVENTS, mark="m1"))
    assert result.status is ScopeStatus.COMPLETE and result.record_count == EVENTS + 1
    keys = sorted(objects.keys(layout.kind_prefix(run, CloudTrailEvent.KIND)))
    assert keys == sorted(
        [layout.kind_part_key(run, CloudTrailEvent.KIND, SCOPE, n) for n in (1, 2)]
        + [layout.kind_key(run, CloudTrailEvent.KIND, SCOPE)]
    )
    lines = [line for key in keys for line in read_json_lines(objects.get(key) or b"")]
    assert sorted(line["event_id"] for line in lines) == [f"e-{n:05d}" for n in range(EVENTS)]
    assert [len(read_json_lines(objects.get(k) or b"")) for k in keys[:2]] == [RECORDS_PER_WRITE] * 2
    assert sink_state(objects).read_state(SCOPE) == {"mark": "m1"}


def sink_state(objects: MemoryObjects) -> StateReader:
    return ObjectStateReader(objects, customer="acme")
