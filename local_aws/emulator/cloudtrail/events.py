"""CloudTrail management events: the record the emulator stores and the JSON shapes AWS gives it.

Pure data (no moto, no boto3), shared by the server process (which stores and serves events) and by
clients that seed events (tests, the demo). ``ManagementEvent.to_wire`` / ``from_wire`` is the format of the
seeding endpoint; ``to_lookup_json`` is one element of LookupEvents' ``Events`` list.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from collector import formats

EVENT_VERSION = "1.09"
# What CloudTrail writes instead of a secret request parameter.
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
_SECRET_KEY_RE = re.compile(r"password|secret|privatekey|sessiontoken", re.IGNORECASE)

_USER_ARN_RE = re.compile(r"^arn:(?P<p>[\w-]+):iam::(?P<a>\d{12}):user/(?:.*/)?(?P<name>[^/]+)$")
_SESSION_ARN_RE = re.compile(
    r"^arn:(?P<p>[\w-]+):sts::(?P<a>\d{12}):assumed-role/(?P<role>[^/]+)/(?P<s>[^/]+)$"
)
_ROOT_ARN_RE = re.compile(r"^arn:(?P<p>[\w-]+):iam::(?P<a>\d{12}):root$")


class IdentityType(StrEnum):
    """``userIdentity.type`` values the emulator produces."""

    ROOT = "Root"
    IAM_USER = "IAMUser"
    ASSUMED_ROLE = "AssumedRole"


@dataclass(frozen=True)
class Resource:
    """One element of an event's ``Resources`` (what LookupEvents' ResourceType/ResourceName match)."""

    type: str  # "AWS::IAM::User"
    name: str


@dataclass(frozen=True)
class UserIdentity:
    """Who made the call, as CloudTrail's ``userIdentity`` describes it."""

    type: IdentityType
    account_id: str
    arn: str
    principal_id: str
    access_key_id: str | None = None
    # For an assumed-role session: the role it was issued from.
    session_issuer_arn: str | None = None
    session_issuer_principal_id: str | None = None

    @property
    def user_name(self) -> str:
        """LookupEvents' ``Username``: the user name, the role session name, or "root"."""
        if self.type is IdentityType.ROOT:
            return "root"
        return self.arn.rsplit("/", 1)[1]

    @classmethod
    def from_arn(
        cls, arn: str, *, principal_id: str | None = None, access_key_id: str | None = None
    ) -> UserIdentity:
        """An identity from the caller's ARN: a user, an assumed-role session, or an account's root."""
        if match := _USER_ARN_RE.fullmatch(arn):
            return cls(
                IdentityType.IAM_USER, match["a"], arn, principal_id or _unique_id("AIDA", arn), access_key_id
            )
        if match := _SESSION_ARN_RE.fullmatch(arn):
            role_arn = f"arn:{match['p']}:iam::{match['a']}:role/{match['role']}"
            role_id = (principal_id or _unique_id("AROA", role_arn)).split(":", 1)[0]
            return cls(
                IdentityType.ASSUMED_ROLE,
                match["a"],
                arn,
                f"{role_id}:{match['s']}",
                access_key_id,
                session_issuer_arn=role_arn,
                session_issuer_principal_id=role_id,
            )
        if match := _ROOT_ARN_RE.fullmatch(arn):
            return cls(IdentityType.ROOT, match["a"], arn, match["a"], access_key_id)
        raise formats.InvalidSettingError(
            "userIdentity.arn",
            arn,
            "an IAM user ARN, an assumed-role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) "
            "or an account root ARN (arn:aws:iam::ACCOUNT:root)",
        )

    @classmethod
    def root(cls, account_id: str, partition: str = "aws", access_key_id: str | None = None) -> UserIdentity:
        return cls.from_arn(f"arn:{partition}:iam::{account_id}:root", access_key_id=access_key_id)

    def to_json(self) -> dict[str, Any]:
        """CloudTrail's ``userIdentity`` object."""
        body: dict[str, Any] = {
            "type": self.type.value,
            "principalId": self.principal_id,
            "arn": self.arn,
            "accountId": self.account_id,
        }
        if self.access_key_id:
            body["accessKeyId"] = self.access_key_id
        if self.type is IdentityType.IAM_USER:
            body["userName"] = self.user_name
        if self.type is IdentityType.ASSUMED_ROLE and self.session_issuer_arn:
            body["sessionContext"] = {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.session_issuer_principal_id,
                    "arn": self.session_issuer_arn,
                    "accountId": self.account_id,
                    "userName": self.session_issuer_arn.rsplit("/", 1)[1],
                },
                "attributes": {"mfaAuthenticated": "false"},
            }
        return body


def hide_secrets(parameters: Any) -> Any:
    """Request parameters with every secret-looking value replaced, as CloudTrail does."""
    if isinstance(parameters, Mapping):
        return {
            k: HIDDEN if _SECRET_KEY_RE.search(str(k)) else hide_secrets(v) for k, v in parameters.items()
        }
    if isinstance(parameters, list):
        return [hide_secrets(v) for v in parameters]
    return parameters


def _unique_id(prefix: str, arn: str) -> str:
    """A stable IAM-style unique ID (AIDA..., AROA...) for a principal known only by its ARN."""
    return prefix + hashlib.sha256(arn.encode()).hexdigest()[:17].upper()


def _is_resource(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("ResourceType"), str)
        and isinstance(value.get("ResourceName"), str)
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: object, setting: str) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    raise formats.InvalidSettingError(
        setting, value, "an ISO 8601 time with a zone, such as 2026-01-02T03:04:05Z"
    )


def _required_str(payload: Mapping[str, Any], key: str, setting: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise formats.InvalidSettingError(f"{setting}.{key}", value, "a non-empty string")
    return value


@dataclass(frozen=True)
class ManagementEvent:
    """One management event of one account in one region."""

    event_id: str
    account_id: str
    region: str
    event_time: datetime  # timezone-aware
    event_source: str  # "iam.amazonaws.com"
    event_name: str  # "CreateUser"
    read_only: bool
    identity: UserIdentity
    resources: tuple[Resource, ...] = ()
    request_parameters: str | None = None  # JSON text, secrets already hidden
    source_ip: str = "127.0.0.1"
    user_agent: str = ""

    @classmethod
    def create(
        cls,
        *,
        account_id: str,
        region: str,
        event_name: str,
        event_source: str,
        actor_arn: str | None = None,
        event_time: datetime | None = None,
        read_only: bool = False,
        access_key_id: str | None = None,
        resources: Sequence[Resource] = (),
        request_parameters: Mapping[str, Any] | None = None,
        event_id: str | None = None,
    ) -> ManagementEvent:
        """An event to seed; the actor defaults to the account's root, the time to now."""
        identity = (
            UserIdentity.from_arn(actor_arn, access_key_id=access_key_id)
            if actor_arn
            else UserIdentity.root(account_id, access_key_id=access_key_id)
        )
        return cls(
            event_id=event_id or str(uuid.uuid4()),
            account_id=formats.account_id(account_id),
            region=formats.region(region),
            event_time=(event_time or datetime.now(UTC)).astimezone(UTC),
            event_source=event_source,
            event_name=event_name,
            read_only=read_only,
            identity=identity,
            resources=tuple(resources),
            request_parameters=(
                json.dumps(hide_secrets(request_parameters)) if request_parameters is not None else None
            ),
        )

    @property
    def username(self) -> str:
        return self.identity.user_name

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """LookupEvents lists newest first; the event ID orders events of the same instant."""
        return (self.event_time, self.event_id)

    def cloudtrail_event(self) -> dict[str, Any]:
        """The full record (``CloudTrailEvent`` is this, as a JSON string)."""
        return {
            "eventVersion": EVENT_VERSION,
            "userIdentity": self.identity.to_json(),
            "eventTime": _iso(self.event_time),
            "eventSource": self.event_source,
            "eventName": self.event_name,
            "awsRegion": self.region,
            "sourceIPAddress": self.source_ip,
            "userAgent": self.user_agent,
            "requestParameters": json.loads(self.request_parameters) if self.request_parameters else None,
            "responseElements": None,
            "requestID": self.event_id,
            "eventID": self.event_id,
            "readOnly": self.read_only,
            "resources": [
                {"ARN" if r.name.startswith("arn:") else "resourceName": r.name, "type": r.type}
                for r in self.resources
            ],
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account_id,
            "eventCategory": "Management",
        }

    def to_lookup_json(self) -> dict[str, Any]:
        """One element of LookupEvents' ``Events`` (JSON protocol: EventTime in epoch seconds)."""
        body: dict[str, Any] = {
            "EventId": self.event_id,
            "EventName": self.event_name,
            "ReadOnly": "true" if self.read_only else "false",
            "EventTime": self.event_time.timestamp(),
            "EventSource": self.event_source,
            "Username": self.username,
            "Resources": [{"ResourceType": r.type, "ResourceName": r.name} for r in self.resources],
            "CloudTrailEvent": json.dumps(self.cloudtrail_event()),
        }
        if self.identity.access_key_id:
            body["AccessKeyId"] = self.identity.access_key_id
        return body

    def to_wire(self) -> dict[str, Any]:
        """The seeding endpoint's format for this event."""
        return {
            "eventId": self.event_id,
            "accountId": self.account_id,
            "region": self.region,
            "eventTime": _iso_precise(self.event_time),
            "eventSource": self.event_source,
            "eventName": self.event_name,
            "readOnly": self.read_only,
            "userIdentity": {
                "arn": self.identity.arn,
                "accessKeyId": self.identity.access_key_id,
                "principalId": self.identity.principal_id,
            },
            "resources": [{"ResourceType": r.type, "ResourceName": r.name} for r in self.resources],
            "requestParameters": json.loads(self.request_parameters) if self.request_parameters else None,
            "sourceIPAddress": self.source_ip,
            "userAgent": self.user_agent,
        }

    @classmethod
    def from_wire(cls, payload: object, setting: str = "event") -> ManagementEvent:
        """Parse one seeded event; a bad field raises InvalidSettingError naming it."""
        if not isinstance(payload, Mapping):
            raise formats.InvalidSettingError(setting, payload, "a JSON object")
        identity_json = payload.get("userIdentity") or {}
        if not isinstance(identity_json, Mapping):
            raise formats.InvalidSettingError(f"{setting}.userIdentity", identity_json, "a JSON object")
        account = formats.account_id(payload.get("accountId"), f"{setting}.accountId")
        key = identity_json.get("accessKeyId")
        arn = identity_json.get("arn")
        identity = (
            UserIdentity.from_arn(arn, principal_id=identity_json.get("principalId"), access_key_id=key)
            if arn
            else UserIdentity.root(account, access_key_id=key)
        )
        resources = payload.get("resources") or []
        if not isinstance(resources, list) or not all(_is_resource(r) for r in resources):
            raise formats.InvalidSettingError(
                f"{setting}.resources", resources, "a list of {ResourceType, ResourceName} objects"
            )
        parameters = payload.get("requestParameters")
        read_only = payload.get("readOnly", False)
        if not isinstance(read_only, bool):
            raise formats.InvalidSettingError(f"{setting}.readOnly", read_only, "true or false")
        raw_time = payload.get("eventTime")
        return cls(
            event_id=payload.get("eventId") or str(uuid.uuid4()),
            account_id=account,
            region=formats.region(payload.get("region"), f"{setting}.region"),
            event_time=_parse_time(raw_time, f"{setting}.eventTime") if raw_time else datetime.now(UTC),
            event_source=_required_str(payload, "eventSource", setting),
            event_name=_required_str(payload, "eventName", setting),
            read_only=read_only,
            identity=identity,
            resources=tuple(Resource(r["ResourceType"], r["ResourceName"]) for r in resources),
            request_parameters=json.dumps(hide_secrets(parameters)) if parameters is not None else None,
            source_ip=str(payload.get("sourceIPAddress") or "127.0.0.1"),
            user_agent=str(payload.get("userAgent") or ""),
        )


def _iso_precise(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
