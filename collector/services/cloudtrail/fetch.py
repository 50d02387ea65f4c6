"""CloudTrail management events, read incrementally: through LookupEvents (no trail needed), or from the
trail's log files in S3 (``--cloudtrail-source``; see log_files.py for the files, trails.py for the choice).

LookupEvents:

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

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from collector.activity import ACTIVITY, Activity, Writes
from collector.aws import GLOBAL_REGION, partition_of
from collector.fetch import ClientFactory, FetchContext, Fetcher, Placement
from collector.models import Account, Record
from collector.parsing import iso
from collector.services.cloudtrail import log_files, parse, trails
from collector.services.cloudtrail.catalog import LOG_FILE_PERMISSIONS, PERMISSIONS
from collector.services.cloudtrail.records import CloudTrailEvent
from collector.services.cloudtrail.trails import Source, TrailSource

PAGE_SIZE = 50  # LookupEvents' maximum MaxResults
DEFAULT_LOOKBACK_DAYS = 7
MAX_LOOKBACK_DAYS = 90  # CloudTrail's event history keeps 90 days
# CloudTrail delivers most events within about 5 minutes; the window re-reads 15 to catch late ones.
OVERLAP = timedelta(minutes=15)
MARK = "mark"  # state: the end of the last complete run's window (ISO 8601, UTC)
GAP_START, GAP_END = "gap_start", "gap_end"  # state: a part of an earlier window not read yet
# The trail's files: the last key read, and the keys read within OVERLAP before it (the next run lists
# from OVERLAP before the last key, to catch a late delivery, and skips these).
S3_MARK, S3_RECENT = "s3_mark", "s3_recent"
# The write events (latest time per event source) of the files in S3_RECENT, which the next run skips: its
# Activity (collector.activity) counts them as read.
S3_RECENT_WRITES = "s3_recent_writes"
SOURCE_PART = "source"  # the note that says a scope read the trail's files (none: LookupEvents)
LIST_PAGE_SIZE = 1000  # ListObjectsV2's maximum


class NoTrailError(Exception):
    """No trail delivers every management event to S3 (or its files cannot be read), and why."""


def collect(ctx: FetchContext) -> Iterator[Record]:
    trail = ctx.options.cloudtrail_trail
    source = ctx.options.cloudtrail_source
    if source is not Source.LOOKUP and trail is not None and trail.covers(ctx.account.account_id, ctx.region):
        yield from from_log_files(ctx, trail)
        return
    if source is Source.S3:
        reason = ctx.options.cloudtrail_trail_problem or (
            "the trail does not cover this account and region" if trail else "no trail was found"
        )
        raise NoTrailError(f"--cloudtrail-source s3: {reason}")
    yield from from_lookup_events(ctx)


def from_lookup_events(ctx: FetchContext) -> Iterator[Record]:
    days = ctx.options.cloudtrail_lookback_days or DEFAULT_LOOKBACK_DAYS
    now = datetime.fromtimestamp(ctx.clock(), UTC)
    span = parse.window(now, ctx.prior_state.get(MARK), lookback=timedelta(days=days), overlap=OVERLAP)
    gap = parse.gap(ctx.prior_state.get(GAP_START), ctx.prior_state.get(GAP_END), now)
    windows = [span] if gap is None else [span, gap]
    role_arn = ctx.account.role_arn
    global_region = GLOBAL_REGION.get(partition_of(role_arn) if role_arn else "aws", "us-east-1")
    paginator = ctx.client("cloudtrail").get_paginator("lookup_events")
    seen: set[str] = set()
    writes = Writes()
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
                writes.see(record.event_source, parse.parse_mark(record.event_time), record.read_only)
                if not parse.read_elsewhere(record, global_region):
                    yield record
            if page.get("NextToken") and ctx.out_of_time():
                _stop_early(ctx, span, [parse.Window(window.start, reached), *windows[index + 1 :]])
                return
        if index + 1 < len(windows) and ctx.out_of_time():
            _stop_early(ctx, span, windows[index + 1 :])
            return
    ctx.set_state(MARK, iso(span.end))
    # Every event of the window is read (a gap read as well is older: it does not move the start).
    ctx.find(ACTIVITY, Activity(span.start, span.end - OVERLAP, writes.latest))


def _stop_early(ctx: FetchContext, span: parse.Window, unread: list[parse.Window]) -> None:
    """Checkpoint: this run's window is read down to the unread part, which the next run reads."""
    gap = parse.covering(unread)
    ctx.set_state(MARK, iso(span.end))
    ctx.set_state(GAP_START, iso(gap.start))
    ctx.set_state(GAP_END, iso(gap.end))
    ctx.stop_early(
        f"stopped at the time budget; events from {iso(gap.start)} to {iso(gap.end)} are read by the next run"
    )


# --- the trail's log files ---------------------------------------------------------------------------------


def find_trail(
    clients_for: Callable[[Account], ClientFactory], role_arn: str, reader_role_arn: str, region: str
) -> TrailSource:
    """The trail to read, through ``role_arn``'s account (DescribeTrails with shadow trails, so that an
    organization trail homed elsewhere is listed, and GetEventSelectors in its home region), and a listing
    of its log prefix through ``reader_role_arn`` (which proves the read grant and finds the organization
    ID folder). Raises NoTrailError when no trail qualifies; an AWS fault as it is."""
    account_id = role_arn.split(":")[4]
    clients = clients_for(Account(account_id, role_arn))
    listed = trails.trails(clients.client("cloudtrail", region).describe_trails(includeShadowTrails=True))
    candidates = [
        t
        for t in listed
        if t.bucket
        and trails.delivers_management_events(
            clients.client("cloudtrail", t.home_region).get_event_selectors(TrailName=t.arn)
        )
    ]
    chosen = trails.choose(candidates)
    if chosen is None or chosen.bucket is None:
        names = ", ".join(t.name for t in listed) or "none"
        raise NoTrailError(f"no trail delivers every management event to S3 (trails: {names})")
    location = log_files.TrailLocation(chosen.bucket, chosen.prefix)
    reader = clients_for(Account(reader_role_arn.split(":")[4], reader_role_arn))
    page = reader.client("s3", chosen.home_region).list_objects_v2(
        Bucket=chosen.bucket, Prefix=location.logs_root(), Delimiter="/", MaxKeys=LIST_PAGE_SIZE
    )
    organization_id = None
    if chosen.organization:
        organization_id = trails.organization_id_in(page.get("CommonPrefixes") or [], location.logs_root())
        if organization_id is None:
            raise NoTrailError(
                f"the organization trail {chosen.arn} has delivered no file to "
                f"s3://{chosen.bucket}/{location.logs_root()}<organization-id>/ yet"
            )
    return TrailSource(
        trail_arn=chosen.arn,
        location=log_files.TrailLocation(chosen.bucket, chosen.prefix, organization_id),
        reader_role_arn=reader_role_arn,
        bucket_region=chosen.home_region,
        organization=chosen.organization,
        regions=None if chosen.multi_region else (chosen.home_region,),
    )


def from_log_files(ctx: FetchContext, trail: TrailSource) -> Iterator[Record]:
    """The management events of this account and region's log files delivered since the last run.

    Files are listed in key order from the mark (less the overlap) and read one by one, streamed. A file
    that cannot be read is a problem naming its key (the scope is partial, so its state is not kept and
    the next run lists from the same mark: the mark never passes an unread file); the other files are read.
    """
    if ctx.clients_for is None:
        raise NoTrailError("this run cannot reach the account that holds the trail's bucket")
    account_id, region = ctx.account.account_id, ctx.region
    reader = ctx.clients_for(Account(trail.reader_role_arn.split(":")[4], trail.reader_role_arn))
    s3 = reader.client("s3", trail.bucket_region)
    prefix = trail.location.region_prefix(account_id, region)
    days = ctx.options.cloudtrail_lookback_days or DEFAULT_LOOKBACK_DAYS
    mark = ctx.prior_state.get(S3_MARK)
    recent = set(json.loads(ctx.prior_state.get(S3_RECENT) or "[]"))
    now = datetime.fromtimestamp(ctx.clock(), UTC)
    start = log_files.start_after(
        prefix, account_id, region, mark=mark, now=now, lookback=timedelta(days=days), overlap=OVERLAP
    )
    writes = _FileWrites(_carried_writes(ctx.prior_state))
    role_arn = ctx.account.role_arn
    global_region = GLOBAL_REGION.get(partition_of(role_arn) if role_arn else "aws", "us-east-1")
    # Event IDs of the files within OVERLAP of the one being read (not of the whole scope: memory stays flat).
    seen = log_files.RecentEventIds(OVERLAP)
    read: list[str] = []  # keys read whole, in order
    unread = False  # a file before the end could not be read: the mark stays before it
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=trail.location.bucket,
        Prefix=prefix,
        StartAfter=start,
        PaginationConfig={"PageSize": LIST_PAGE_SIZE},
    )
    files = 0
    for page in pages:
        for item in page.get("Contents") or ():
            key = item["Key"]
            stamp = log_files.stamp_of(key)
            if key in recent or stamp is None or not log_files.is_log_file(key, prefix):
                continue
            files += 1
            seen.start_file(stamp)
            complete = False
            in_file = writes.start_file(key)
            with ctx.part(f"log file {key}", LOG_FILE_PERMISSIONS):
                for record in _read_file(
                    s3, trail.location.bucket, key, account_id=account_id, region=region, seen=seen
                ):
                    in_file.see(record.event_source, parse.parse_mark(record.event_time), record.read_only)
                    if not parse.read_elsewhere(record, global_region):
                        yield record
                complete = True
            if complete and not unread:
                read.append(key)
            unread = unread or not complete
    last = read[-1] if read else mark
    if last is not None:
        ctx.set_state(S3_MARK, last)
        keep = sorted({k for k in (*recent, *read) if log_files.in_overlap(k, last, OVERLAP)})
        ctx.set_state(S3_RECENT, json.dumps(keep))
        ctx.set_state(S3_RECENT_WRITES, json.dumps(writes.of_files(keep)))
    if not unread:
        lookback = timedelta(days=days)
        ctx.find(
            ACTIVITY,
            _s3_activity(prefix, mark=mark, recent=recent, writes=writes, now=now, lookback=lookback),
        )
    ctx.note(f"read {files} log file{'' if files == 1 else 's'} from {trail.describe()}", part=SOURCE_PART)


def _s3_activity(
    prefix: str,
    *,
    mark: str | None,
    recent: set[str],
    writes: _FileWrites,
    now: datetime,
    lookback: timedelta,
) -> Activity:
    """What a run that read every file it listed vouches for: every write from where its listing started
    (the files skipped as read by the last run count with the writes it carried for them) to now less the
    delivery lag (a file delivered by now is listed: S3 lists what was written before the request)."""
    start = log_files.listed_from(prefix, mark=mark, now=now, lookback=lookback, overlap=OVERLAP)
    stamp = log_files.mark_stamp(prefix, mark)
    if writes.carried is None and recent and stamp is not None:
        # The skipped files' writes are not known (an older state): vouch only after them (a file's events
        # are before its delivery minute ends, and the skipped ones were delivered by the mark's).
        start = stamp + timedelta(minutes=1)
    return Activity(start, now - OVERLAP, writes.latest())


class _FileWrites:
    """The write events read from the trail's files (for the Activity), by file for the files the next run
    skips (within OVERLAP of the last one read), with those the last run carried for the files it read."""

    def __init__(self, carried: dict[str, dict[str, str]] | None) -> None:
        self.carried = carried  # None: not known (a state from before S3_RECENT_WRITES)
        self._by_file: dict[str, Writes] = {}
        self._older = Writes()  # of the files read before those

    def start_file(self, key: str) -> Writes:
        for older in [k for k in self._by_file if not log_files.in_overlap(k, key, OVERLAP)]:
            self._older.add(self._by_file.pop(older).latest)
        return self._by_file.setdefault(key, Writes())

    def latest(self) -> dict[str, datetime]:
        """Per event source, the latest write read in this run's files or carried for the skipped ones."""
        every = Writes()
        every.add(self._older.latest)
        for writes in self._by_file.values():
            every.add(writes.latest)
        for carried in (self.carried or {}).values():
            every.add(Writes.from_json(carried))
        return every.latest

    def of_files(self, keys: list[str]) -> dict[str, dict[str, str]]:
        known = {**(self.carried or {}), **{k: w.to_json() for k, w in self._by_file.items() if w.latest}}
        return {k: known[k] for k in keys if k in known}


def _carried_writes(state: Mapping[str, str]) -> dict[str, dict[str, str]] | None:
    """The writes of the last run's recent files (S3_RECENT_WRITES); None when unknown (an older state)."""
    try:
        found = json.loads(state[S3_RECENT_WRITES])
        for writes in found.values():
            Writes.from_json(writes)
    except (KeyError, ValueError, AttributeError):
        return None
    return dict(found)


def _read_file(
    s3: Any, bucket: str, key: str, *, account_id: str, region: str, seen: log_files.EventIds
) -> Iterator[CloudTrailEvent]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        yield from log_files.events(body, key, account_id=account_id, region=region, seen=seen)
    finally:
        body.close()


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.REGIONAL,
    kinds=(CloudTrailEvent,),
    collect=collect,
    incremental=(CloudTrailEvent,),
)
