"""CloudTrail LookupEvents -> records, and the incremental window. Pure: no boto3, no I/O."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from collector.parsing import iso
from collector.services.cloudtrail.records import CloudTrailEvent

# CloudTrail keeps management events for 90 days; LookupEvents reads nothing older.
RETENTION = timedelta(days=90)
# Events of these services are recorded in the partition's global region (us-east-1), and read there only.
GLOBAL_EVENT_SOURCES = frozenset(
    {
        "iam.amazonaws.com",
        "sts.amazonaws.com",
        "signin.amazonaws.com",
        "organizations.amazonaws.com",
        "cloudfront.amazonaws.com",
        "route53.amazonaws.com",
    }
)


@dataclass(frozen=True)
class Window:
    """The time window one run reads, fixed before the first page so that paging is stable."""

    start: datetime
    end: datetime


def parse_mark(value: str) -> datetime:
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def window(now: datetime, mark: str | None, *, lookback: timedelta, overlap: timedelta) -> Window:
    """From the last run's mark minus the overlap (events reach the history minutes late), or ``lookback``
    before now on a first run; never older than the retention, and at least ``overlap`` long (a mark in the
    future, after a clock change, still reads the recent past)."""
    end = now.astimezone(UTC).replace(microsecond=0)
    start = parse_mark(mark) - overlap if mark else end - lookback
    start = max(start, end - RETENTION)
    return Window(min(start, end - overlap), end)


def gap(start: str | None, end: str | None, now: datetime) -> Window | None:
    """The part of an earlier window that a run stopped before reading (at its time budget), as far as
    CloudTrail still keeps it; None when there is none left."""
    if not start or not end:
        return None
    oldest = now.astimezone(UTC).replace(microsecond=0) - RETENTION
    found = Window(max(parse_mark(start), oldest), parse_mark(end))
    return found if found.start < found.end else None


def covering(windows: list[Window]) -> Window:
    """One window over all of ``windows`` (the time between them is read again: harmless, events are
    de-duplicated by EventId, and simpler than keeping a list of gaps)."""
    return Window(min(w.start for w in windows), max(w.end for w in windows))


def _detail(text: Any) -> Mapping[str, Any]:
    """The event's own JSON (``CloudTrailEvent``); an unreadable one leaves only the listing's fields."""
    if not isinstance(text, str):
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _read_only(item: Mapping[str, Any], detail: Mapping[str, Any]) -> bool | None:
    listed = item.get("ReadOnly")  # LookupEvents gives "true" / "false" as text
    if isinstance(listed, str) and listed.lower() in ("true", "false"):
        return listed.lower() == "true"
    found = detail.get("readOnly")
    return found if isinstance(found, bool) else None


def event(account_id: str, region: str, item: Mapping[str, Any]) -> CloudTrailEvent:
    """One element of LookupEvents' ``Events`` as a record."""
    return event_of(account_id, region, item, _detail(item.get("CloudTrailEvent")))


def event_of(
    account_id: str, region: str, item: Mapping[str, Any], detail: Mapping[str, Any]
) -> CloudTrailEvent:
    """The record from LookupEvents' fields (``item``) and the event's own JSON (``detail``, empty when
    unreadable); a trail's log file gives the same two (collector.services.cloudtrail.log_files)."""
    identity: Mapping[str, Any] = detail.get("userIdentity") or {}
    issuer: Mapping[str, Any] = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    raw = {**item, "CloudTrailEvent": detail} if detail else dict(item)
    return CloudTrailEvent(
        account_id=account_id,
        region=region,
        raw=raw,
        event_id=item["EventId"],
        event_time=iso(item["EventTime"]),
        event_name=item["EventName"],
        event_source=item["EventSource"],
        read_only=_read_only(item, detail),
        username=item.get("Username"),
        access_key_id=item.get("AccessKeyId"),
        identity_type=identity.get("type"),
        principal_arn=identity.get("arn"),
        session_issuer_arn=issuer.get("arn"),
        source_ip=detail.get("sourceIPAddress"),
        user_agent=detail.get("userAgent"),
        aws_region=detail.get("awsRegion"),
        error_code=detail.get("errorCode"),
        resources=[
            {"type": r.get("ResourceType"), "name": r.get("ResourceName")}
            for r in item.get("Resources") or ()
        ],
    )


def read_elsewhere(record: CloudTrailEvent, global_region: str) -> bool:
    """Whether a global service's event listed in another region belongs to the global region's scope, which
    reads it too: keeping it here would count it twice. (A regional STS endpoint's event names its own
    region and stays.)"""
    return (
        record.region != global_region
        and record.event_source in GLOBAL_EVENT_SOURCES
        and record.aws_region in (None, global_region)
    )
