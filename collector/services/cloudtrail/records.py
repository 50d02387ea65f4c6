"""The CloudTrail record kinds (typed, frozen; pure data)."""

from __future__ import annotations

from dataclasses import dataclass

from collector.models import JsonValue, Record

# How long stored events are kept by default (the store deletes older ones after a complete run): the 90
# days of CloudTrail's own event history.
DEFAULT_RETENTION_DAYS = 90


@dataclass(frozen=True, kw_only=True)
class CloudTrailEvent(Record):
    """A management event from LookupEvents. Read incrementally: rows accumulate across runs (never stale).

    ``raw`` is the API's item with its ``CloudTrailEvent`` text parsed into JSON.
    """

    KIND = "cloudtrail_events"
    KEY = ("event_id",)
    event_id: str
    event_time: str
    event_name: str
    event_source: str
    read_only: bool | None
    username: str | None = None
    access_key_id: str | None = None
    identity_type: str | None = None  # userIdentity.type: IAMUser, AssumedRole, Root, AWSService...
    principal_arn: str | None = None  # userIdentity.arn
    session_issuer_arn: str | None = None  # the role behind an assumed-role session
    source_ip: str | None = None
    user_agent: str | None = None
    aws_region: str | None = None  # the region the event was recorded for (us-east-1 for global services)
    error_code: str | None = None
    resources: JsonValue = None  # [{"type": ..., "name": ...}]
