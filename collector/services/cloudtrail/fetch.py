"""CloudTrail management events through LookupEvents (no trail or data events needed), read incrementally.

Per account and region: a window from the last complete run's high-water mark (minus a small overlap, since
events reach the event history minutes late) to now, fixed before the first page so that paging is stable;
on a first run, a configurable look-back (default 7 days, at most CloudTrail's 90). Events are de-duplicated
by EventId; the store keeps them across runs (an incremental kind), so the overlap is never counted twice.
The mark advances only when the scope completes: a fault leaves it, and the next run reads the window again.
LookupEvents is paced at its documented 2 requests a second per account and region (collector.aws), and
botocore retries a throttled page (the same page, never skipped).

A long backfill can outlast a time budget (a pipeline Lambda's 15 minutes, ``ctx.deadline``). Pages come
newest first, so when the budget is spent between two pages, everything from the oldest event read to the
window's end is read: the mark moves to that end, the part not read yet is kept as a gap (``gap_start``,
``gap_end``), and the scope ends partial with that state as a checkpoint. The next run reads its own new
window first, then the gap, instead of starting over.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from collector.aws import GLOBAL_REGION, partition_of
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import Record
from collector.parsing import iso
from collector.services.cloudtrail import parse
from collector.services.cloudtrail.catalog import PERMISSIONS
from collector.services.cloudtrail.records import CloudTrailEvent

PAGE_SIZE = 50  # LookupEvents' maximum MaxResults
DEFAULT_LOOKBACK_DAYS = 7
MAX_LOOKBACK_DAYS = 90  # CloudTrail's event history keeps 90 days
# CloudTrail delivers most events within about 5 minutes; the window re-reads 15 to catch late ones.
OVERLAP = timedelta(minutes=15)
MARK = "mark"  # state: the end of the last complete run's window (ISO 8601, UTC)
GAP_START, GAP_END = "gap_start", "gap_end"  # state: a part of an earlier window not read yet


def collect(ctx: FetchContext) -> Iterator[Record]:
    days = ctx.options.cloudtrail_lookback_days or DEFAULT_LOOKBACK_DAYS
    now = datetime.fromtimestamp(ctx.clock(), UTC)
    span = parse.window(now, ctx.prior_state.get(MARK), lookback=timedelta(days=days), overlap=OVERLAP)
    gap = parse.gap(ctx.prior_state.get(GAP_START), ctx.prior_state.get(GAP_END), now)
    windows = [span] if gap is None else [span, gap]
    role_arn = ctx.account.role_arn
    global_region = GLOBAL_REGION.get(partition_of(role_arn) if role_arn else "aws", "us-east-1")
    paginator = ctx.client("cloudtrail").get_paginator("lookup_events")
    seen: set[str] = set()
    for index, window in enumerate(windows):
        reached = window.end  # every event from ``reached`` to the window's end has been read
        pages = paginator.paginate(
            StartTime=window.start, EndTime=window.end, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        for page in pages:
            for item in page["Events"]:
                reached = min(reached, parse.parse_mark(iso(item["EventTime"])))
                if item["EventId"] in seen:
                    continue
                seen.add(item["EventId"])
                record = parse.event(ctx.account.account_id, ctx.region, item)
                if not parse.read_elsewhere(record, global_region):
                    yield record
            if page.get("NextToken") and ctx.out_of_time():
                _stop_early(ctx, span, [parse.Window(window.start, reached), *windows[index + 1 :]])
                return
        if index + 1 < len(windows) and ctx.out_of_time():
            _stop_early(ctx, span, windows[index + 1 :])
            return
    ctx.set_state(MARK, iso(span.end))


def _stop_early(ctx: FetchContext, span: parse.Window, unread: list[parse.Window]) -> None:
    """Checkpoint: this run's window is read down to the unread part, which the next run reads."""
    gap = parse.covering(unread)
    ctx.set_state(MARK, iso(span.end))
    ctx.set_state(GAP_START, iso(gap.start))
    ctx.set_state(GAP_END, iso(gap.end))
    ctx.stop_early(
        f"stopped at the time budget; events from {iso(gap.start)} to {iso(gap.end)} are read by the next run"
    )


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.REGIONAL,
    kinds=(CloudTrailEvent,),
    collect=collect,
    incremental=(CloudTrailEvent,),
)
