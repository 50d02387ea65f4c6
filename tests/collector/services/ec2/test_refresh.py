"""When a region's EC2 listings are skipped (``--skip-unchanged-ec2``), and the proof that a change is never
missed: a timeline of runs and EC2 writes, CloudTrail's real window rules and ``decide``."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from collector.activity import Activity, published
from collector.fetch import FetchOptions
from collector.models import ScopeStatus
from collector.runner import collect_scope
from collector.services.cloudtrail import fetch as cloudtrail
from collector.services.cloudtrail import parse
from collector.services.cloudtrail.fetch import OVERLAP
from collector.services.cloudtrail.trails import Source
from collector.services.ec2.refresh import CURRENT_THROUGH, FULL_READ_AT, SETTLE, decide
from tests.collector.canned_trail import PREFIX, REGION, file_key, log_file, management
from tests.collector.services.cloudtrail.test_fetch_log_files import TRAIL
from tests.collector.stubs import FakeClock, context

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
FULL_AT = NOW - timedelta(days=2)
CURRENT = NOW - timedelta(days=1)
PRIOR = {FULL_READ_AT: FULL_AT.isoformat(), CURRENT_THROUGH: CURRENT.isoformat()}
EC2 = "ec2.amazonaws.com"


def _activity(start: datetime = CURRENT, **writes: datetime) -> Activity:
    return Activity(start, NOW - OVERLAP, {k.replace("_", "."): v for k, v in writes.items()})


def _full(now: datetime = NOW) -> dict[str, str]:
    return {FULL_READ_AT: now.isoformat(), CURRENT_THROUGH: (now - SETTLE).isoformat()}


def test_not_enabled_reads_fully_without_a_note_and_still_keeps_the_marks() -> None:
    decision = decide(PRIOR, _activity(), NOW, WEEK, enabled=False)
    assert (decision.read, decision.reason, decision.state) == (True, "", _full())


def test_unchanged_skips_and_moves_the_current_mark_to_what_cloudtrail_vouches_for() -> None:
    decision = decide(PRIOR, _activity(**{"s3_amazonaws_com": NOW}), NOW, WEEK, enabled=True)
    assert not decision.read
    through = NOW - OVERLAP
    assert decision.state == {FULL_READ_AT: FULL_AT.isoformat(), CURRENT_THROUGH: through.isoformat()}
    assert decision.reason == (
        f"unchanged: no EC2 write event in CloudTrail from {CURRENT.isoformat()} to {through.isoformat()}; "
        f"last full read {FULL_AT.isoformat()}, full refresh after 7 days"
    )


@pytest.mark.parametrize(
    ("prior", "activity", "reason"),
    [
        ({}, _activity(), "no earlier full read"),
        ({FULL_READ_AT: FULL_AT.isoformat()}, _activity(), "no earlier full read"),
        ({**PRIOR, CURRENT_THROUGH: "yesterday"}, _activity(), "no earlier full read"),
        (PRIOR, None, "CloudTrail was not read completely in this run"),
        (PRIOR, _activity(start=CURRENT + timedelta(seconds=1)), "CloudTrail read from"),
        (PRIOR, _activity(ec2_amazonaws_com=CURRENT + timedelta(hours=1)), "a write event in CloudTrail at"),
        (PRIOR, _activity(ram_amazonaws_com=NOW), "a write event in CloudTrail at"),
    ],
    ids=["no-state", "half-state", "bad-state", "no-cloudtrail", "gap", "ec2-write", "ram-write"],
)
def test_every_reason_to_read_fully(prior: dict[str, str], activity: Activity | None, reason: str) -> None:
    decision = decide(prior, activity, NOW, WEEK, enabled=True)
    assert decision.read and decision.reason.startswith(reason) and decision.state == _full()


def test_the_boundaries() -> None:
    # A write exactly at the inventory's mark may not be in it: read.
    assert decide(PRIOR, _activity(ec2_amazonaws_com=CURRENT), NOW, WEEK, enabled=True).read
    # ... one second before it is: skip.
    before = CURRENT - timedelta(seconds=1)
    assert not decide(PRIOR, _activity(ec2_amazonaws_com=before), NOW, WEEK, enabled=True).read
    # CloudTrail read from exactly the mark: no gap.
    assert not decide(PRIOR, _activity(start=CURRENT), NOW, WEEK, enabled=True).read
    # A full read exactly the refresh age old is refreshed; a second younger is not.
    aged = decide(PRIOR, _activity(), FULL_AT + WEEK, WEEK, enabled=True)
    assert aged.read and aged.reason == f"last full read {FULL_AT.isoformat()}, full refresh every 7 days"
    young = FULL_AT + WEEK - timedelta(seconds=1)
    assert not decide(PRIOR, Activity(CURRENT, young - OVERLAP), young, WEEK, enabled=True).read


def test_the_mark_never_goes_back() -> None:
    """A CloudTrail window ending before the inventory's mark (a clock change) leaves the mark."""
    early = Activity(CURRENT - timedelta(days=1), CURRENT - timedelta(hours=1))
    assert decide(PRIOR, early, NOW, WEEK, enabled=True).state[CURRENT_THROUGH] == CURRENT.isoformat()


# --- the timeline: a change is never missed ----------------------------------------------------------------


@dataclass
class Region:
    """One account and region over weeks: its EC2 writes (when made, when CloudTrail has them), the
    CloudTrail scope's mark, the EC2 scope's state and what its stored inventory reflects."""

    writes: list[tuple[datetime, datetime]]  # (event time, delivered to LookupEvents)
    mark: str | None = None
    state: dict[str, str] | None = None
    reflected: datetime | None = None  # the inventory reflects every write made before this time


def _run(region: Region, at: datetime, *, cloudtrail_ok: bool, ec2_ok: bool, ec2_takes: timedelta) -> bool:
    """One run's item: CloudTrail first (the real window rules), then EC2 with ``decide``. Returns whether
    EC2 read fully."""
    activity = None
    if cloudtrail_ok:
        span = parse.window(at, region.mark, lookback=WEEK, overlap=OVERLAP)
        seen = [t for t, delivered in region.writes if span.start <= t <= span.end and delivered <= at]
        activity = Activity(span.start, span.end - OVERLAP, {EC2: max(seen)} if seen else {})
        region.mark = span.end.isoformat()
    started = at + timedelta(seconds=30)  # after CloudTrail's pages
    decision = decide(region.state or {}, activity, started, WEEK, enabled=True)
    if ec2_ok:
        region.state = decision.state
        if decision.read:
            # The Describe calls see every write made before the read started, less what is still settling.
            region.reflected = started - timedelta(minutes=1)
    assert ec2_takes  # (the read ends later; changes during it are after the mark it sets)
    return decision.read


@pytest.mark.parametrize("seed", range(60))
def test_a_change_is_never_missed_over_weeks_of_daily_runs(seed: int) -> None:
    """Runs at random times (mostly daily, some hours apart, some scopes failing), EC2 writes at random times
    (half of them within minutes of a run, where the delivery lag and the read's settling matter), each
    reaching CloudTrail up to OVERLAP late. After every run, every write made before the EC2 scope's
    ``current_through`` is reflected by the stored inventory: a change is read fully by the first run whose
    CloudTrail window can vouch for it. Full reads: at least one a week, and far fewer than runs."""
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    runs = [start + timedelta(hours=rng.randrange(0, 24))]
    while runs[-1] < start + timedelta(days=42):
        runs.append(
            runs[-1] + timedelta(hours=rng.choice((24, 24, 24, 24, 6, 30)), minutes=rng.randrange(-30, 31))
        )
    near = [
        rng.choice(runs) + timedelta(seconds=rng.randrange(-1200, 120)) for _ in range(rng.randrange(0, 6))
    ]
    anywhere = [start + timedelta(seconds=rng.randrange(0, 42 * 86400)) for _ in range(rng.randrange(0, 6))]
    lag = int(OVERLAP.total_seconds())
    region = Region([(t, t + timedelta(seconds=rng.randrange(0, lag + 1))) for t in sorted(near + anywhere)])
    full_reads = 0
    for at in runs:
        ec2_ok = rng.random() > 0.05
        full_reads += _run(
            region,
            at,
            cloudtrail_ok=rng.random() > 0.05,
            ec2_ok=ec2_ok,
            ec2_takes=timedelta(seconds=rng.randrange(5, 600)),
        )
        if ec2_ok:  # never older than the refresh age after a run that completed
            assert region.state is not None
            assert at + timedelta(seconds=30) - datetime.fromisoformat(region.state[FULL_READ_AT]) < WEEK
        if region.state:
            current = datetime.fromisoformat(region.state[CURRENT_THROUGH])
            assert region.reflected is not None
            missed = [t for t, _ in region.writes if region.reflected <= t < current]
            assert not missed, (at, missed, region.reflected, current)
    changed_days = len({t.date() for t, _ in region.writes})
    assert full_reads >= 6
    assert full_reads <= 6 + 2 * changed_days + len(runs) // 10 + 2, (full_reads, len(runs), changed_days)


# --- the same with the trail's log files: the real CloudTrail fetcher over a bucket that fills over time --


class Bucket:
    """The trail's bucket as S3 answers at ``now``: the files delivered by then, listed in key order."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[datetime, bytes]] = {}  # key -> (delivered, body)
        self.now = datetime.min.replace(tzinfo=UTC)
        self.broken: str | None = None  # a key whose read fails in this run

    def client(self, service: str, region: str | None = None) -> Bucket:
        return self

    def get_paginator(self, operation: str) -> Bucket:
        return self

    def paginate(self, **request: Any) -> Iterator[Any]:
        files = self.files.items()
        keys = sorted(k for k, (at, _) in files if at <= self.now and k > request["StartAfter"])
        yield {"Contents": [{"Key": k} for k in keys if k.startswith(request["Prefix"])]}

    def get_object(self, **request: Any) -> dict[str, Any]:
        if request["Key"] == self.broken:
            raise OSError("connection reset")
        return {"Body": io.BytesIO(self.files[request["Key"]][1])}


def _deliver(bucket: Bucket, rng: random.Random, n: int, at: datetime, source: str) -> None:
    """One event at ``at`` in its own file, delivered up to OVERLAP later (named by its delivery minute)."""
    delivered = at + timedelta(seconds=rng.randrange(0, int(OVERLAP.total_seconds())))
    record = management(f"e-{n}", at=at, name="CreateSecurityGroup") | {"eventSource": source}
    unique = f"{n:016d}"
    bucket.files[file_key(PREFIX, delivered.strftime("%Y%m%dT%H%MZ"), unique)] = (delivered, log_file(record))


@pytest.mark.parametrize("seed", range(60))
def test_a_change_is_never_missed_reading_the_trail_s_log_files(seed: int) -> None:
    """The real CloudTrail fetcher reads a bucket where every event arrives in a file up to OVERLAP late,
    with other services' events in between (files the next run skips as already read); some runs fail to
    read a file, or fail the EC2 scope after CloudTrail completed (the carried writes matter then)."""
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    runs = [start + timedelta(hours=rng.randrange(0, 24))]
    while runs[-1] < start + timedelta(days=21):
        runs.append(runs[-1] + timedelta(hours=rng.choice((24, 24, 6, 1)), minutes=rng.randrange(-30, 31)))
    bucket = Bucket()
    writes: list[datetime] = []
    for n in range(rng.randrange(40, 100)):
        at = rng.choice(runs) + timedelta(seconds=rng.randrange(-1800, 600))
        ec2_write = rng.random() < 0.2
        _deliver(bucket, rng, n, at, EC2 if ec2_write else "s3.amazonaws.com")
        if ec2_write:
            writes.append(at)
    trail_state: dict[str, str] = {}
    region = Region([(t, t) for t in writes])
    full_reads = 0
    for at in runs:
        bucket.now = at
        listed = sorted(k for k, (when, _) in bucket.files.items() if when <= at)
        bucket.broken = rng.choice(listed) if listed and rng.random() < 0.05 else None
        ctx = context(cloudtrail.FETCHER, bucket, clock=FakeClock(at), region=REGION)
        ctx.options = FetchOptions(cloudtrail_source=Source.S3, cloudtrail_trail=TRAIL)
        ctx.clients_for = lambda account: bucket
        ctx.prior_state = dict(trail_state)
        outcome = collect_scope(ctx)
        activity = None
        if outcome.result.status is ScopeStatus.COMPLETE:
            trail_state = dict(outcome.state)
            activity = published(ctx.findings)
            assert activity is not None
        started = at + timedelta(seconds=30)
        decision = decide(region.state or {}, activity, started, WEEK, enabled=True)
        full_reads += decision.read
        if rng.random() > 0.25:  # the EC2 scope completes
            region.state = decision.state
            if decision.read:
                region.reflected = started - timedelta(minutes=1)
        if region.state:
            current = datetime.fromisoformat(region.state[CURRENT_THROUGH])
            assert region.reflected is not None
            missed = [t for t in writes if region.reflected <= t < current]
            assert not missed, (at, missed, region.reflected, current)
    assert full_reads < len(runs), (full_reads, len(runs))  # (some runs skipped)
