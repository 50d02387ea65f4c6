"""What CloudTrail publishes for the item's later fetchers (collector.activity): the window it read and the
latest write per event source, from LookupEvents and from the trail's log files; nothing when it did not
read its whole window."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from collector.activity import ACTIVITY, Activity, published
from collector.models import ScopeStatus
from collector.runner import collect_scope
from collector.services.cloudtrail import fetch as cloudtrail
from tests.collector import canned_ec2 as c
from tests.collector.canned_trail import PREFIX, log_file, management
from tests.collector.services.cloudtrail.test_fetch import LOOKUP, REGION, T0, _page, _params
from tests.collector.services.cloudtrail.test_fetch_log_files import (
    BUCKET,
    FIRST,
    NOW,
    SECOND,
    THIRD,
    _ctx,
    _list_params,
    _listing,
    _object,
)
from tests.collector.stubs import FakeClock, StubbedClients, context

EC2, S3 = "ec2.amazonaws.com", "s3.amazonaws.com"
WEEK = timedelta(days=cloudtrail.DEFAULT_LOOKBACK_DAYS)


def _unmarked(event_id: str, at: Any) -> dict[str, Any]:
    """An event that says neither read-only nor not: it counts as a write."""
    item = c.event(event_id, at, source=S3)
    del item["ReadOnly"]
    detail = json.loads(item["CloudTrailEvent"])
    del detail["readOnly"]
    return {**item, "CloudTrailEvent": json.dumps(detail)}


def test_lookup_events_publish_the_window_and_the_latest_write_per_source() -> None:
    clients = StubbedClients()
    mark = T0 - timedelta(days=1)
    start = mark - cloudtrail.OVERLAP
    write, later_read = T0 - timedelta(hours=3), T0 - timedelta(hours=1)
    events = (
        c.event("r-1", later_read, name="DescribeInstances", read_only=True),
        c.event("w-2", write, name="CreateSecurityGroup"),
        c.event("w-1", write - timedelta(hours=2)),
        _unmarked("u-1", T0 - timedelta(hours=5)),
    )
    clients.stub("cloudtrail").add_response(LOOKUP, _page(*events), _params(start, T0))
    ctx = context(cloudtrail.FETCHER, clients, clock=FakeClock(T0), region=REGION)
    ctx.prior_state = {cloudtrail.MARK: mark.isoformat()}

    outcome = collect_scope(ctx)

    assert outcome.result.status is ScopeStatus.COMPLETE
    assert ctx.findings[ACTIVITY] == Activity(
        start, T0 - cloudtrail.OVERLAP, {EC2: write, S3: T0 - timedelta(hours=5)}
    )
    assert published(ctx.findings) == ctx.findings[ACTIVITY]


def test_a_gap_read_as_well_does_not_move_the_start() -> None:
    clients = StubbedClients()
    stub = clients.stub("cloudtrail")
    mark = T0 - timedelta(hours=1)
    gap_start, gap_end = T0 - timedelta(days=5), T0 - timedelta(days=4)
    stub.add_response(LOOKUP, _page(), _params(mark - cloudtrail.OVERLAP, T0))
    stub.add_response(LOOKUP, _page(c.event("old", gap_start)), _params(gap_start, gap_end))
    ctx = context(cloudtrail.FETCHER, clients, clock=FakeClock(T0), region=REGION)
    ctx.prior_state = {
        cloudtrail.MARK: mark.isoformat(),
        cloudtrail.GAP_START: gap_start.isoformat(),
        cloudtrail.GAP_END: gap_end.isoformat(),
    }
    collect_scope(ctx)
    clients.assert_no_pending()
    found = ctx.findings[ACTIVITY]
    assert isinstance(found, Activity)
    assert found.start == mark - cloudtrail.OVERLAP and found.last_write == {EC2: gap_start}


def test_a_window_stopped_at_the_time_budget_publishes_nothing() -> None:
    clients = StubbedClients()
    clients.stub("cloudtrail").add_response(LOOKUP, _page(c.event("e-1", T0), token="t1"), None)
    clock = FakeClock(T0)
    ctx = context(cloudtrail.FETCHER, clients, clock=clock, region=REGION)
    ctx.deadline = clock.time()  # spent at once: it stops after the first page
    outcome = collect_scope(ctx)
    assert outcome.checkpoint and ACTIVITY not in ctx.findings


def test_log_files_publish_from_the_listing_start_to_now_less_the_delivery_lag() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response("list_objects_v2", _listing(FIRST, SECOND), _list_params(f"{PREFIX}2026/04/29/"))
    created = management("w-1", name="CreateSecurityGroup")
    s3.add_response("get_object", _object(log_file(created)), {"Bucket": BUCKET, "Key": FIRST})
    s3.add_response("get_object", _object(log_file(management("e-2"))), {"Bucket": BUCKET, "Key": SECOND})
    ctx = _ctx(clients)

    outcome = collect_scope(ctx)

    assert outcome.result.status is ScopeStatus.COMPLETE
    found = ctx.findings[ACTIVITY]
    assert isinstance(found, Activity)
    first_day = (NOW - WEEK).replace(hour=0, minute=0)
    assert (found.start, found.through) == (first_day, NOW - cloudtrail.OVERLAP)
    assert set(found.last_write) == {EC2}
    # The files the next run skips (within the overlap of the last one) carry their writes to it.
    carried = json.loads(outcome.state[cloudtrail.S3_RECENT_WRITES])
    assert set(carried) == {FIRST, SECOND} and carried[FIRST] == {
        EC2: created["eventTime"].replace("Z", "+00:00")
    }


def _next_run(prior: dict[str, str]) -> Activity:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response("list_objects_v2", _listing(FIRST, SECOND, THIRD), None)
    s3.add_response("get_object", _object(log_file(management("e-4"))), {"Bucket": BUCKET, "Key": THIRD})
    ctx = _ctx(clients)
    ctx.prior_state = prior
    outcome = collect_scope(ctx)
    clients.assert_no_pending()  # FIRST and SECOND were read by the last run
    assert outcome.result.status is ScopeStatus.COMPLETE
    found = ctx.findings[ACTIVITY]
    assert isinstance(found, Activity)
    return found


def test_the_next_run_counts_the_writes_of_the_files_it_skips() -> None:
    write = (NOW - timedelta(hours=1, minutes=5)).isoformat()
    recent = {cloudtrail.S3_MARK: SECOND, cloudtrail.S3_RECENT: json.dumps([FIRST, SECOND])}
    found = _next_run({**recent, cloudtrail.S3_RECENT_WRITES: json.dumps({SECOND: {S3: write}})})
    mark_stamp = NOW - timedelta(minutes=55)  # SECOND was delivered at 11:05
    assert found.start == mark_stamp - cloudtrail.OVERLAP
    assert found.last_write[S3].isoformat() == write and EC2 in found.last_write  # (e-4 is a RunInstances)
    # A state from before the carried writes: the skipped files' writes are unknown, so the window it
    # vouches for starts after them.
    older = _next_run(recent)
    assert older.start == mark_stamp + timedelta(minutes=1)


def test_an_unread_log_file_publishes_nothing() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response("list_objects_v2", _listing(FIRST, SECOND), None)
    s3.add_response("get_object", _object(b"not gzip"), {"Bucket": BUCKET, "Key": FIRST})
    s3.add_response("get_object", _object(log_file(management("e-2"))), {"Bucket": BUCKET, "Key": SECOND})
    ctx = _ctx(clients)
    assert collect_scope(ctx).result.status is ScopeStatus.PARTIAL
    assert ACTIVITY not in ctx.findings
