"""The CloudTrail fetcher: a stable window paged to the end, de-duplication by EventId, the high-water mark
across runs (with the real SQLite store), the look-back option, and throttled pages retried, never skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collector.aws import LOOKUP_EVENTS_RATE, CallPacer, Sessions
from collector.fetch import FetchOptions
from collector.models import Account, ScopeStatus
from collector.plan import WorkItem
from collector.runner import ItemEnv, collect_item, collect_scope
from collector.services.cloudtrail import fetch as cloudtrail
from collector.sink import ScopeResult
from collector.store import SqliteStore
from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT
from tests.collector.stubs import ROLE_ARN, FakeClock, StubbedClients, assume_role_xml, context, http_answers

REGION = "eu-west-1"
T0 = datetime(2026, 5, 6, 12, 0, 0, tzinfo=UTC)
LOOKUP = "lookup_events"


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


def test_pages_to_the_end_in_one_stable_window_and_drops_repeated_events() -> None:
    clients = StubbedClients()
    stub = clients.stub("cloudtrail")
    start = T0 - timedelta(days=cloudtrail.DEFAULT_LOOKBACK_DAYS)
    # Each page names the same window; the second page repeats an event of the first; the third is empty.
    stub.add_response(LOOKUP, _page(c.event("e-3", T0), c.event("e-2", T0), token="t1"), _params(start, T0))
    stub.add_response(LOOKUP, _page(c.event("e-2", T0), token="t2"), _params(start, T0, "t1"))
    stub.add_response(LOOKUP, _page(token="t3"), _params(start, T0, "t2"))
    stub.add_response(LOOKUP, _page(c.event("e-1", T0)), _params(start, T0, "t3"))

    ctx = context(cloudtrail.FETCHER, clients, clock=FakeClock(T0), region=REGION)
    outcome = collect_scope(ctx)

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert [r.event_id for r in outcome.records] == ["e-3", "e-2", "e-1"]  # type: ignore[attr-defined]
    assert outcome.state == {cloudtrail.MARK: T0.isoformat()}
    assert outcome.kinds == ()  # an incremental kind: no row is ever removed as stale


def test_the_look_back_option_sets_the_first_window() -> None:
    clients = StubbedClients()
    clients.stub("cloudtrail").add_response(LOOKUP, _page(), _params(T0 - timedelta(days=30), T0))
    ctx = context(cloudtrail.FETCHER, clients, clock=FakeClock(T0), region=REGION)
    ctx.options = FetchOptions(cloudtrail_lookback_days=30)
    assert collect_scope(ctx).result.status is ScopeStatus.COMPLETE
    clients.assert_no_pending()


def test_global_service_events_listed_outside_us_east_1_are_left_to_its_scope() -> None:
    clients = StubbedClients()
    iam_event = c.event("g-1", T0, name="CreateUser", source="iam.amazonaws.com", region="us-east-1")
    clients.stub("cloudtrail").add_response(LOOKUP, _page(iam_event, c.event("r-1", T0)), None)
    outcome = collect_scope(context(cloudtrail.FETCHER, clients, clock=FakeClock(T0), region=REGION))
    assert [r.event_id for r in outcome.records] == ["r-1"]  # type: ignore[attr-defined]

    clients = StubbedClients()
    clients.stub("cloudtrail").add_response(LOOKUP, _page(iam_event), None)
    outcome = collect_scope(context(cloudtrail.FETCHER, clients, clock=FakeClock(T0), region="us-east-1"))
    assert [r.event_id for r in outcome.records] == ["g-1"]  # type: ignore[attr-defined]


class _Run:
    """One run of the cloudtrail scope through collect_item, against the given store."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.count = 0

    def __call__(self, clients: StubbedClients, at: datetime) -> ScopeResult:
        self.count += 1
        clock = FakeClock(at)
        env = ItemEnv(
            clients_for=lambda account: clients,
            run_id=f"run-{self.count}",
            state=self.store,
            fetchers={"cloudtrail": cloudtrail.FETCHER},
            sleep=clock.sleep,
            clock=clock.time,
        )
        (result,) = collect_item(
            WorkItem(Account(ACCOUNT, ROLE_ARN), REGION, ("cloudtrail",)), env, self.store
        )
        self.store.flush()
        return result


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "inv.sqlite") as opened:
        yield opened


def _stored(store: SqliteStore) -> dict[str, str]:
    return {r["event_id"]: r["run_id"] for r in store.rows("cloudtrail_events")}


def test_the_mark_carries_over_the_overlap_is_stored_once_and_a_failed_run_keeps_the_mark(
    store: SqliteStore,
) -> None:
    run = _Run(store)
    scope = WorkItem(Account(ACCOUNT, ROLE_ARN), REGION, ("cloudtrail",)).scopes()[0]

    first = StubbedClients()
    week_ago = T0 - timedelta(days=7)
    late = c.event("e-2", T0 - timedelta(minutes=5))
    first.stub("cloudtrail").add_response(
        LOOKUP, _page(late, c.event("e-1", T0 - timedelta(hours=2))), _params(week_ago, T0)
    )
    assert run(first, T0).status is ScopeStatus.COMPLETE
    assert store.read_state(scope) == {cloudtrail.MARK: T0.isoformat()}

    # An hour later: from the mark minus the overlap, which lists e-2 again.
    t1 = T0 + timedelta(hours=1)
    second = StubbedClients()
    second.stub("cloudtrail").add_response(
        LOOKUP,
        _page(c.event("e-3", T0 + timedelta(minutes=30)), late),
        _params(T0 - cloudtrail.OVERLAP, t1),
    )
    result = run(second, t1)
    second.assert_no_pending()
    assert result.status is ScopeStatus.COMPLETE
    assert _stored(store) == {"e-1": "run-1", "e-2": "run-2", "e-3": "run-2"}  # e-1 kept, e-2 once
    assert store.read_state(scope) == {cloudtrail.MARK: t1.isoformat()}

    # A run that fails on its second page keeps what it read and leaves the mark where it was.
    t2 = t1 + timedelta(hours=1)
    third = StubbedClients()
    stub = third.stub("cloudtrail")
    stub.add_response(LOOKUP, _page(c.event("e-4", t2), token="t1"), _params(t1 - cloudtrail.OVERLAP, t2))
    stub.add_client_error(LOOKUP, "ThrottlingException", "Rate exceeded", 400)
    result = run(third, t2)
    assert result.status is ScopeStatus.FAILED and "still throttled" in result.detail
    assert set(_stored(store)) == {"e-1", "e-2", "e-3", "e-4"}
    assert store.read_state(scope) == {cloudtrail.MARK: t1.isoformat()}
    assert store.counts()["cloudtrail_events"] == 4


def _json_page(*ids: str, token: str | None = None) -> str:
    events = [
        {**c.event(i, T0), "EventTime": T0.timestamp()}  # JSON protocol: epoch seconds
        for i in ids
    ]
    body: dict[str, Any] = {"Events": events}
    if token:
        body["NextToken"] = token
    return json.dumps(body)


THROTTLED = (400, json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}))


def test_a_throttled_page_is_retried_with_the_same_token_never_skipped(offline_aws: None) -> None:
    requests: list[dict[str, Any]] = []
    answer = http_answers(
        [
            (200, _json_page("e-1", "e-2", token="page-2")),
            THROTTLED,
            THROTTLED,
            (200, _json_page("e-3")),
        ]
    )

    def lookup(request: Any, **kwargs: Any) -> Any:
        requests.append(json.loads(request.body))
        return answer(request, **kwargs)

    sts = http_answers([(200, assume_role_xml(datetime.now(UTC) + timedelta(hours=1)))])

    def fake_aws(session: Any) -> None:
        session.register("before-send.sts", sts)
        session.register("before-send.cloudtrail", lookup)

    paced: list[float] = []
    limiter = CallPacer(clock=lambda: 0.0, sleep=paced.append)  # a frozen clock: every wait is recorded
    sessions = Sessions(external_id="Customer-1", run_id="r", limiter=limiter, prepare_session=fake_aws)
    clients = sessions.for_account(Account(ACCOUNT, ROLE_ARN))
    outcome = collect_scope(context(cloudtrail.FETCHER, clients, clock=FakeClock(T0), region=REGION))

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert [r.event_id for r in outcome.records] == ["e-1", "e-2", "e-3"]  # type: ignore[attr-defined]
    assert [r.get("NextToken") for r in requests] == [None, "page-2", "page-2", "page-2"]
    assert len({(r["StartTime"], r["EndTime"]) for r in requests}) == 1  # one window for every page
    (counted,) = [x for x in sessions.recorder.snapshot() if x.service == "cloudtrail"]
    assert (counted.calls, counted.throttled) == (2, 2)
    assert limiter.bucket(ACCOUNT, REGION, "cloudtrail", "LookupEvents").rate == LOOKUP_EVENTS_RATE
    # Four HTTP attempts (retries too) each took a token from the bucket (burst 1.9): three had to wait.
    assert len(paced) == 3 and paced == sorted(paced)
