"""The shared vocabulary of a run: accounts, scopes and their statuses, problems, and the Record base.

Each service declares its entity kinds in collector/services/<service>/records.py: a subclass of ``Record``
with its ``KIND`` (the table and export file name) and ``KEY`` (the fields that identify one entity inside
its account and region). The store derives its table from the fields (see collector/store.py) and
collector.kinds lists every kind; nothing else needs to change. Field types a record may use: ``str``,
``int``, ``bool`` (optionally ``| None``) and ``JsonValue`` (kept as JSON text).

Pure data: no boto3, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

GLOBAL = "global"  # the "region" of global services (IAM, Organizations) in scope keys and records

# A JSON value as json.loads returns it; records keep documents (policies, tags) in this shape.
JsonValue = Any


@dataclass(frozen=True)
class Account:
    """An account to collect, and the role the collector assumes in it."""

    account_id: str
    role_arn: str
    name: str = ""

    def to_json(self) -> dict[str, str]:
        return {"account_id": self.account_id, "role_arn": self.role_arn, "name": self.name}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Account:
        return cls(data["account_id"], data["role_arn"], data.get("name", ""))


@dataclass(frozen=True, order=True)
class ScopeKey:
    """The unit whose completeness is tracked: one fetcher in one account and region (or GLOBAL)."""

    account_id: str
    region: str
    service: str

    def __str__(self) -> str:
        return f"{self.account_id}/{self.region}/{self.service}"


class ScopeStatus(StrEnum):
    COMPLETE = "complete"  # everything was read; stale rows of this scope are removed
    PARTIAL = "partial"  # some sub-part was denied or failed; what was read is kept, nothing is removed
    DENIED = "denied"  # AccessDenied on the scope's main call: names the missing action; old rows are kept
    FAILED = "failed"  # any other fault (throttled out, expired credentials, bug): old rows are kept
    SKIPPED = "skipped"  # nothing to collect there by design (e.g. a region not enabled); old rows are kept

    @property
    def is_ok(self) -> bool:
        """Whether this status lets the run end with exit code 0."""
        return self in (ScopeStatus.COMPLETE, ScopeStatus.SKIPPED)


@dataclass(frozen=True)
class Problem:
    """What went wrong in (part of) a scope, classified once by collector/errors.py."""

    status: ScopeStatus  # DENIED or FAILED; COMPLETE for a note (FetchContext.note), SKIPPED for a skip
    part: str  # which sub-part: "" for the whole scope, e.g. "access_keys"
    message: str
    missing_action: str | None = None  # for DENIED: the IAM action the role lacks, from the catalog
    error_code: str | None = None

    def describe(self) -> str:
        where = f"{self.part}: " if self.part else ""
        if self.missing_action:
            return f"{where}denied {self.missing_action} ({self.message})"
        return f"{where}{self.message}"


@dataclass(frozen=True, order=True)
class ApiCallCount:
    """API calls made in one account, per service and operation (counted by collector.aws, for manifests)."""

    account_id: str
    service: str
    operation: str
    calls: int  # API calls made (each page is one; botocore's retries of a call are not counted again)
    throttled: int  # throttling answers received (each one was retried by botocore)


# --- records ---------------------------------------------------------------------------------------------

_KINDS: dict[str, type[Record]] = {}  # every kind declared so far: a KIND declared twice is an error


@dataclass(frozen=True, kw_only=True)
class Record:
    """One entity as collected. Every record carries its account and region; the store adds the run."""

    KIND: ClassVar[str]
    KEY: ClassVar[tuple[str, ...]]

    account_id: str
    region: str = GLOBAL
    raw: JsonValue = field(default=None, compare=False, repr=False)  # the API's JSON for this entity

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("KIND")
        if kind is None:
            return  # an abstract intermediate class
        if kind in _KINDS and _KINDS[kind].__qualname__ != cls.__qualname__:
            raise TypeError(f"record kind {kind!r} is declared twice ({_KINDS[kind]} and {cls})")
        _KINDS[kind] = cls

    def key(self) -> tuple[Any, ...]:
        return (self.account_id, self.region, *(getattr(self, name) for name in self.KEY))

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The record's own fields (besides account_id, region and raw), in declaration order."""
        return tuple(f.name for f in fields(cls) if f.name not in ("account_id", "region", "raw"))


def json_text(value: JsonValue) -> str:
    """Compact JSON for storage and export; datetimes (botocore's) become ISO 8601 text."""
    return json.dumps(value, separators=(",", ":"), default=_json_default, sort_keys=False)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
