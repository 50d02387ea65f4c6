"""LookupEvents as the CloudTrail API reference documents it: request rules, the event store, paging tokens.

Pure (no moto, no HTTP): the WSGI layer in ``local_aws.emulator.cloudtrail.emulation`` parses the JSON body,
calls ``parse_lookup_request`` and ``EventStore.lookup`` and renders ``CloudTrailError`` as the JSON-protocol
error.

Documented rules enforced here:
- MaxResults 1..50, default 50 (InvalidMaxResultsException otherwise);
- at most one LookupAttribute, with one of the documented keys and a value of 1..2000 characters
  (InvalidLookupAttributesException); Insights lookups accept only EventId, EventName and EventSource;
- StartTime after EndTime is InvalidTimeRangeException; events older than 90 days are gone;
- newest first; a NextToken is valid only with the parameters of the call that returned it
  (InvalidNextTokenException), and pins the time window of that first call, so new events never shift pages.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import hmac
import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from local_aws.emulator.cloudtrail.events import ManagementEvent

MAX_RESULTS = 50
RETENTION = timedelta(days=90)
LOOKUP_ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)
INSIGHT_ATTRIBUTE_KEYS = ("EventId", "EventName", "EventSource")
MAX_ATTRIBUTE_VALUE_LENGTH = 2000


class CloudTrailError(Exception):
    """An error LookupEvents answers with (JSON protocol: ``__type`` and ``message``)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class LookupAttribute:
    key: str
    value: str


@dataclass(frozen=True)
class LookupRequest:
    """A validated LookupEvents request."""

    attribute: LookupAttribute | None
    start_time: datetime | None
    end_time: datetime | None
    insight: bool
    max_results: int
    next_token: str | None

    def fingerprint(self, account_id: str, region: str) -> str:
        """What a NextToken is bound to: the caller's account and region and every filtering parameter."""
        canonical = json.dumps(
            [
                account_id,
                region,
                [self.attribute.key, self.attribute.value] if self.attribute else None,
                self.start_time.timestamp() if self.start_time else None,
                self.end_time.timestamp() if self.end_time else None,
                self.insight,
            ]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def _timestamp(body: Mapping[str, Any], key: str) -> datetime | None:
    value = body.get(key)
    if value is None:
        return None
    # The JSON protocol sends timestamps as epoch seconds.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CloudTrailError("SerializationException", f"{key} must be a timestamp in epoch seconds")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise CloudTrailError(
            "InvalidTimeRangeException", f"{key} is outside the range of possible values"
        ) from error


def _attribute(body: Mapping[str, Any], insight: bool) -> LookupAttribute | None:
    attributes = body.get("LookupAttributes")
    if attributes is None or attributes == []:
        return None
    if not isinstance(attributes, list):
        raise CloudTrailError("SerializationException", "LookupAttributes must be a list")
    if len(attributes) > 1:
        raise CloudTrailError(
            "InvalidLookupAttributesException",
            f"You can specify at most one lookup attribute; got {len(attributes)}.",
        )
    raw = attributes[0]
    key = raw.get("AttributeKey") if isinstance(raw, Mapping) else None
    value = raw.get("AttributeValue") if isinstance(raw, Mapping) else None
    allowed = INSIGHT_ATTRIBUTE_KEYS if insight else LOOKUP_ATTRIBUTE_KEYS
    if not isinstance(key, str) or key not in allowed:
        raise CloudTrailError(
            "InvalidLookupAttributesException",
            f"AttributeKey {key!r} is not valid; expected one of {', '.join(allowed)}.",
        )
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ATTRIBUTE_VALUE_LENGTH:
        raise CloudTrailError(
            "InvalidLookupAttributesException",
            f"AttributeValue for {key} must be 1 to {MAX_ATTRIBUTE_VALUE_LENGTH} characters.",
        )
    return LookupAttribute(key, value)


def parse_lookup_request(body: Mapping[str, Any]) -> LookupRequest:
    """Validate a LookupEvents JSON body; raises CloudTrailError with the documented exception."""
    category = body.get("EventCategory")
    if category not in (None, "insight"):
        raise CloudTrailError("InvalidEventCategoryException", f"EventCategory {category!r} is not valid.")
    insight = category == "insight"
    max_results = body.get("MaxResults", MAX_RESULTS)
    if (
        isinstance(max_results, bool)
        or not isinstance(max_results, int)
        or not 1 <= max_results <= MAX_RESULTS
    ):
        raise CloudTrailError(
            "InvalidMaxResultsException", f"MaxResults must be 1 to {MAX_RESULTS}; got {max_results!r}."
        )
    start, end = _timestamp(body, "StartTime"), _timestamp(body, "EndTime")
    if start and end and start > end:
        raise CloudTrailError("InvalidTimeRangeException", "StartTime must not be after EndTime.")
    token = body.get("NextToken")
    if token is not None and (not isinstance(token, str) or not token):
        raise CloudTrailError("InvalidNextTokenException", "NextToken is not valid.")
    return LookupRequest(_attribute(body, insight), start, end, insight, max_results, token)


def matches(event: ManagementEvent, attribute: LookupAttribute | None) -> bool:
    """Whether an event has the looked-up attribute (exact, case-sensitive values, as in CloudTrail)."""
    if attribute is None:
        return True
    key, value = attribute.key, attribute.value
    if key == "ResourceType":
        return any(r.type == value for r in event.resources)
    if key == "ResourceName":
        return any(r.name == value for r in event.resources)
    actual = {
        "EventId": event.event_id,
        "EventName": event.event_name,
        "ReadOnly": "true" if event.read_only else "false",
        "Username": event.username,
        "EventSource": event.event_source,
        "AccessKeyId": event.identity.access_key_id,
    }[key]
    return actual == value


@dataclass(frozen=True)
class _Cursor:
    fingerprint: str
    window_end: datetime  # pinned by the first call of a pagination
    last_time: datetime
    last_id: str


class _TokenCodec:
    """Opaque NextTokens: the cursor, signed with a per-process key so a client cannot forge one."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, cursor: _Cursor) -> str:
        fields = [
            cursor.fingerprint,
            cursor.window_end.isoformat(),
            cursor.last_time.isoformat(),
            cursor.last_id,
        ]
        payload = json.dumps(fields, separators=(",", ":")).encode()
        signature = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(signature + payload).decode()

    def decode(self, token: str) -> _Cursor:
        invalid = CloudTrailError("InvalidNextTokenException", "NextToken is not valid.")
        try:
            raw = base64.urlsafe_b64decode(token.encode())
        except (binascii.Error, ValueError) as error:
            raise invalid from error
        signature, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, hmac.new(self._key, payload, hashlib.sha256).digest()[:16]):
            raise invalid
        fingerprint, window_end, last_time, last_id = json.loads(payload)
        return _Cursor(
            fingerprint, datetime.fromisoformat(window_end), datetime.fromisoformat(last_time), last_id
        )


@dataclass(frozen=True)
class LookupPage:
    events: tuple[ManagementEvent, ...]
    next_token: str | None


class DuplicateEventError(ValueError):
    pass


class EventStore:
    """Every account's and region's events, newest first on lookup; safe to use from several threads."""

    def __init__(self, token_key: bytes) -> None:
        self._lock = threading.Lock()
        self._events: dict[tuple[str, str], list[ManagementEvent]] = defaultdict(list)
        self._keys: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
        self._ids: set[str] = set()
        self._tokens = _TokenCodec(token_key)

    def add(self, events: Iterable[ManagementEvent]) -> tuple[str, ...]:
        """Store events (all or none); an event ID already stored raises DuplicateEventError."""
        batch = list(events)
        with self._lock:
            ids = [e.event_id for e in batch]
            duplicates = (set(ids) & self._ids) | {i for i in ids if ids.count(i) > 1}
            if duplicates:
                raise DuplicateEventError(f"event IDs already stored: {sorted(duplicates)}")
            for event in batch:
                where = (event.account_id, event.region)
                index = bisect.bisect(self._keys[where], event.sort_key)
                self._keys[where].insert(index, event.sort_key)
                self._events[where].insert(index, event)
                self._ids.add(event.event_id)
        return tuple(ids)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._keys.clear()
            self._ids.clear()

    def places(self) -> tuple[tuple[str, str], ...]:
        """Every (account, region) that has events."""
        with self._lock:
            return tuple(k for k, v in self._events.items() if v)

    def events(self, account_id: str, region: str) -> tuple[ManagementEvent, ...]:
        """Every stored event of one account and region, newest first (including expired ones)."""
        with self._lock:
            return tuple(reversed(self._events.get((account_id, region), [])))

    def lookup(self, account_id: str, region: str, request: LookupRequest, now: datetime) -> LookupPage:
        fingerprint = request.fingerprint(account_id, region)
        if request.next_token is not None:
            cursor = self._tokens.decode(request.next_token)
            if cursor.fingerprint != fingerprint:
                raise CloudTrailError(
                    "InvalidNextTokenException",
                    "NextToken is not valid with these parameters; pass the parameters of the call that "
                    "returned it.",
                )
            window_end = cursor.window_end
            upper: tuple[datetime, str] = (cursor.last_time, cursor.last_id)
            inclusive = False
        else:
            window_end = request.end_time or now
            upper = (window_end, "\U0010ffff")  # after any event ID at that instant
            inclusive = True
        if request.insight:  # the emulator holds management events only
            return LookupPage((), None)
        floor = now - RETENTION
        window_start = max(request.start_time, floor) if request.start_time else floor
        found: list[ManagementEvent] = []
        with self._lock:
            keys = self._keys.get((account_id, region), [])
            events = self._events.get((account_id, region), [])
            index = (bisect.bisect_right if inclusive else bisect.bisect_left)(keys, upper) - 1
            while index >= 0 and len(found) <= request.max_results:
                event = events[index]
                if event.event_time < window_start:
                    break
                if event.event_time <= window_end and matches(event, request.attribute):
                    found.append(event)
                index -= 1
        page, more = found[: request.max_results], len(found) > request.max_results
        token = None
        if more:
            last = page[-1]
            token = self._tokens.encode(_Cursor(fingerprint, window_end, last.event_time, last.event_id))
        return LookupPage(tuple(page), token)
