"""A trail's log files in S3 -> the same ``cloudtrail_events`` records as LookupEvents. Pure: no boto3.

CloudTrail delivers a gzip'd JSON object ``{"Records": [...]}`` every few minutes per account and region,
under ``[<prefix>/]AWSLogs/[<organization-id>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/``, named
``<account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<unique>.json.gz``. Digest files (``CloudTrail-Digest``)
and Insights files (``CloudTrail-Insight``) live beside that folder; data events share the log files with
management events and are told apart by ``managementEvent`` / ``eventCategory``.

A file is read as a stream (gzip over the response body, JSON decoded one record at a time), so memory stays
flat in the file's size. S3 lists keys in lexicographic order, and the names sort by day and then by time,
so a run lists from the last key it read (``StartAfter``), a little earlier to catch a late delivery.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any, Protocol

from collector.services.cloudtrail import parse
from collector.services.cloudtrail.records import CloudTrailEvent

CHUNK = 64 * 1024  # decompressed bytes decoded at a time
# A record that does not decode within this much text is malformed (CloudTrail's records are far smaller):
# a broken file is never read whole into memory to find that out.
MAX_RECORD_CHARS = 8 * 1024 * 1024
LOG_FILE_RE = re.compile(
    r"^(?P<account>\d{12})_CloudTrail_(?P<region>[a-z0-9-]+)_(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$"
)
_DIGEST_OR_INSIGHT = ("CloudTrail-Digest", "CloudTrail-Insight")
_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class MalformedLogFileError(ValueError):
    """A log file that cannot be read to its end (bad gzip, truncated, not CloudTrail's JSON)."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class TrailLocation:
    """Where a trail delivers: its bucket, key prefix (may be empty) and, for an organization trail, the
    organization ID that CloudTrail puts after ``AWSLogs/``."""

    bucket: str
    prefix: str = ""
    organization_id: str | None = None

    def logs_root(self) -> str:
        """``[<prefix>/]AWSLogs/`` (what a read grant is scoped to)."""
        return f"{self.prefix.strip('/')}/AWSLogs/" if self.prefix.strip("/") else "AWSLogs/"

    def region_prefix(self, account_id: str, region: str) -> str:
        """Where the log files of one account and region are: ``.../<account>/CloudTrail/<region>/``."""
        org = f"{self.organization_id}/" if self.organization_id else ""
        return f"{self.logs_root()}{org}{account_id}/CloudTrail/{region}/"


def file_key(region_prefix: str, account_id: str, region: str, stamp: datetime) -> str:
    """The key a log file delivered at ``stamp`` starts with (without its unique part)."""
    at = stamp.astimezone(UTC)
    return f"{region_prefix}{at:%Y/%m/%d}/{account_id}_CloudTrail_{region}_{at:%Y%m%dT%H%M}Z"


def day_prefix(region_prefix: str, day: date) -> str:
    return f"{region_prefix}{day:%Y/%m/%d}/"


def stamp_of(key: str) -> datetime | None:
    """The delivery time in a log file's name; None for any other object."""
    found = LOG_FILE_RE.match(key.rsplit("/", 1)[-1])
    if found is None:
        return None
    return datetime.strptime(found["stamp"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)


def is_log_file(key: str, region_prefix: str) -> bool:
    """A management-and-data log file of this account and region (not a digest, an Insights file, or
    anything else someone put under the prefix)."""
    if not key.startswith(region_prefix) or any(part in key for part in _DIGEST_OR_INSIGHT):
        return False
    found = LOG_FILE_RE.match(key.rsplit("/", 1)[-1])
    return found is not None and f"/{found['account']}/CloudTrail/{found['region']}/" in f"/{region_prefix}"


def start_after(
    region_prefix: str,
    account_id: str,
    region: str,
    *,
    mark: str | None,
    now: datetime,
    lookback: timedelta,
    overlap: timedelta,
) -> str:
    """Where a run's listing starts (exclusive): the mark's delivery time minus ``overlap`` (a file
    delivered late may sort a little before the last one read), or the first day of ``lookback`` on a first
    run (or when the mark is not a log file's key)."""
    start = listed_from(region_prefix, mark=mark, now=now, lookback=lookback, overlap=overlap)
    if mark_stamp(region_prefix, mark) is None:
        return day_prefix(region_prefix, start.date())
    return file_key(region_prefix, account_id, region, start)


def mark_stamp(region_prefix: str, mark: str | None) -> datetime | None:
    """The delivery time of the mark (the last key read), when it is a log file of this prefix."""
    return stamp_of(mark) if mark and mark.startswith(region_prefix) else None


def listed_from(
    region_prefix: str, *, mark: str | None, now: datetime, lookback: timedelta, overlap: timedelta
) -> datetime:
    """The delivery time a run's listing starts from (``start_after``): every file delivered from then on is
    listed (a file's name sorts by its delivery minute)."""
    stamp = mark_stamp(region_prefix, mark)
    oldest = now - parse.RETENTION
    if stamp is None:
        first = max(now - lookback, oldest).astimezone(UTC)
        return datetime.combine(first.date(), datetime.min.time(), UTC)
    return max(stamp - overlap, oldest)


def in_overlap(key: str, mark: str, overlap: timedelta) -> bool:
    """Whether ``key`` (read by a run whose last key was ``mark``) is one the next run lists again."""
    stamp, last = stamp_of(key), stamp_of(mark)
    return stamp is not None and last is not None and stamp >= last - overlap


# --- the streamed JSON ----------------------------------------------------------------------------------


def _text_chunks(body: IO[bytes], key: str) -> Iterator[str]:
    """The file's JSON text, decompressed and decoded one chunk at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with gzip.GzipFile(fileobj=body, mode="rb") as unzipped:
            while chunk := unzipped.read(CHUNK):
                yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
    except EOFError as exc:
        raise MalformedLogFileError(key, f"truncated gzip ({exc})") from None
    except (OSError, zlib.error) as exc:
        raise MalformedLogFileError(key, f"not a gzip file ({exc})") from None
    except UnicodeDecodeError as exc:
        raise MalformedLogFileError(key, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


class _Cursor:
    """A window over the text chunks: ``text[pos:]`` is what is not consumed yet."""

    def __init__(self, chunks: Iterable[str], key: str) -> None:
        self._chunks = iter(chunks)
        self.key = key
        self.text = ""
        self.pos = 0
        self.ended = False

    def more(self) -> bool:
        """Append the next chunk (dropping what is consumed); False at the end of the file."""
        for chunk in self._chunks:
            self.text = self.text[self.pos :] + chunk
            self.pos = 0
            return True
        self.ended = True
        return False

    def peek(self) -> str:
        """The next character that is not whitespace, or "" at the end of the file."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise self.malformed(f"expected {char!r}, found {found or 'the end of the file'!r}")
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value. One that ends at the end of the text read so far (a number, maybe cut in
        two) or that fails to decode is tried again with more text, until the end of the file."""
        self.peek()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.text) - self.pos > MAX_RECORD_CHARS or not self.more():
                    raise self.malformed(f"invalid JSON ({exc.msg})") from None
                continue
            if end < len(self.text) or not self.more():
                self.pos = end
                return found

    def malformed(self, reason: str) -> MalformedLogFileError:
        return MalformedLogFileError(self.key, reason)


def records(body: IO[bytes], key: str) -> Iterator[Mapping[str, Any]]:
    """The elements of a log file's top-level ``Records`` array, one at a time, from a gzip'd stream.

    Raises MalformedLogFileError (naming ``key``) at the first fault: the records before it were read.
    """
    cursor = _Cursor(_text_chunks(body, key), key)
    cursor.expect("{")
    seen_records = False
    if cursor.peek() == "}":
        cursor.pos += 1
    else:
        while True:
            name = cursor.value()
            if not isinstance(name, str):
                raise cursor.malformed("expected a member name")
            cursor.expect(":")
            if name == "Records":
                seen_records = True
                yield from _array(cursor)
            else:
                cursor.value()  # another member (none in CloudTrail's files): skipped
            if cursor.peek() == ",":
                cursor.pos += 1
                continue
            cursor.expect("}")
            break
    if cursor.peek():
        raise cursor.malformed("text after the end of the JSON object")
    if not seen_records:
        raise cursor.malformed('no "Records" array')


def _array(cursor: _Cursor) -> Iterator[Mapping[str, Any]]:
    cursor.expect("[")
    if cursor.peek() == "]":
        cursor.pos += 1
        return
    index = 0
    while True:
        found = cursor.value()
        if not isinstance(found, dict):
            raise cursor.malformed(f"record {index} is not a JSON object")
        yield found
        index += 1
        if cursor.peek() == ",":
            cursor.pos += 1
            continue
        cursor.expect("]")
        return


# --- records -> events ----------------------------------------------------------------------------------

INSIGHT_EVENT_TYPE = "AwsCloudTrailInsight"
MANAGEMENT = "Management"


def is_management_event(record: Mapping[str, Any]) -> bool:
    """A management event: not a data or network-activity event, not an Insights event. Records older than
    ``managementEvent`` (event version 1.06) and ``eventCategory`` are management events."""
    if record.get("eventType") == INSIGHT_EVENT_TYPE or record.get("managementEvent") is False:
        return False
    category = record.get("eventCategory")
    return category is None or category == MANAGEMENT


def _username(identity: Mapping[str, Any]) -> str | None:
    """What LookupEvents lists as ``Username``: the user's name, the role session's name, or "root"."""
    kind = identity.get("type")
    if kind == "Root":
        return "root"
    if kind == "IAMUser":
        found = identity.get("userName")
        return found if isinstance(found, str) else None
    arn = identity.get("arn")
    if kind in ("AssumedRole", "FederatedUser") and isinstance(arn, str) and "/" in arn:
        return arn.rsplit("/", 1)[1]
    return None


def _resources(record: Mapping[str, Any]) -> list[dict[str, str]]:
    listed = record.get("resources")
    found = []
    for each in listed if isinstance(listed, list) else ():
        if not isinstance(each, dict):
            continue
        name = each.get("ARN") or each.get("resourceName")
        if isinstance(name, str) and isinstance(each.get("type"), str):
            found.append({"ResourceType": each["type"], "ResourceName": name})
    return found


def lookup_item(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as LookupEvents lists it (its ``CloudTrailEvent`` kept as parsed JSON), so that both
    sources give the same record. Raises KeyError for a record without CloudTrail's required fields."""
    identity = record.get("userIdentity")
    identity = identity if isinstance(identity, dict) else {}
    read_only = record.get("readOnly")
    item: dict[str, Any] = {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "EventTime": parse.parse_mark(str(record["eventTime"]).replace("Z", "+00:00")),
        "EventSource": record["eventSource"],
        "Resources": _resources(record),
    }
    if isinstance(read_only, bool):
        item["ReadOnly"] = "true" if read_only else "false"
    if isinstance(identity.get("accessKeyId"), str) and identity["accessKeyId"]:
        item["AccessKeyId"] = identity["accessKeyId"]
    username = _username(identity)
    if username is not None:
        item["Username"] = username
    return item


def event(account_id: str, region: str, record: Mapping[str, Any]) -> CloudTrailEvent:
    """One management event of a log file as the record LookupEvents gives for it."""
    return parse.event_of(account_id, region, lookup_item(record), record)


class EventIds(Protocol):
    """The event IDs already read (a ``set``, or ``RecentEventIds``)."""

    def __contains__(self, event_id: object, /) -> bool: ...

    def add(self, event_id: str, /) -> None: ...


class RecentEventIds:
    """The IDs of the events read from files delivered within ``horizon`` of the file being read.

    Files are read in key order, so in delivery order; an event delivered again (in another file) is
    caught while its first file is within ``horizon``: the same window in which the next run, listing from
    the mark less that overlap, skips the files already read by key. So memory holds the events of that
    window only, never a whole scope's; a copy delivered later than that would be read again within a run as
    it would across runs, and the store keeps one row per event (its key is the event ID).
    """

    def __init__(self, horizon: timedelta) -> None:
        self._horizon = horizon
        self._files: deque[tuple[datetime, list[str]]] = deque()  # per file read, oldest first
        self._ids: set[str] = set()

    def start_file(self, stamp: datetime) -> None:
        """A file delivered at ``stamp`` is read next: forget the events of files older than the horizon."""
        while self._files and self._files[0][0] < stamp - self._horizon:
            self._ids.difference_update(self._files.popleft()[1])
        self._files.append((stamp, []))

    def __contains__(self, event_id: object, /) -> bool:
        return event_id in self._ids

    def add(self, event_id: str, /) -> None:
        if not self._files:
            raise RuntimeError("start_file() before the first event")
        self._ids.add(event_id)
        self._files[-1][1].append(event_id)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass
class FileTally:
    """What reading one file found (for the scope's notes and the benchmark)."""

    management: int = 0
    skipped: int = 0  # data, network-activity and Insights events
    duplicates: int = 0


def events(
    body: IO[bytes],
    key: str,
    *,
    account_id: str,
    region: str,
    seen: EventIds,
    tally: FileTally | None = None,
) -> Iterator[CloudTrailEvent]:
    """The management events of one log file not in ``seen`` (event IDs, updated as they are read).

    Raises MalformedLogFileError for a file that cannot be read to its end or holds a record that is not
    CloudTrail's (the events before the fault were yielded).
    """
    tally = tally if tally is not None else FileTally()
    for index, record in enumerate(records(body, key)):
        if not is_management_event(record):
            tally.skipped += 1
            continue
        try:
            found = event(account_id, region, record)
        except (KeyError, ValueError, TypeError) as exc:
            raise MalformedLogFileError(key, f"record {index} is not a CloudTrail event ({exc!r})") from None
        if found.event_id in seen:
            tally.duplicates += 1
            continue
        seen.add(found.event_id)
        tally.management += 1
        yield found
