"""Where collected scopes go: the sink interface the CLI's SQLite store and the pipeline's S3 writer share.

A sink receives one ``ScopeOutcome`` per scope (its records, its status, the state it leaves for the next run)
and applies it atomically: records are upserted; stale rows of the scope's kinds are removed only when the
scope is complete; a denied or failed scope keeps what earlier runs had.

Before it, a scope's records of append-only kinds (a fetcher's incremental kinds, never removed as stale:
CloudTrail events) may come in bounded parts (``write_records``) as they are read, so that a big scope is
never held whole; they are upserted like the outcome's and stay written whatever the scope's status. The
state comes only with the outcome, after every part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from collector.models import ApiCallCount, Problem, Record, ScopeKey, ScopeStatus


@dataclass(frozen=True)
class ScopeResult:
    """A scope's outcome without its records: what the manifest, the progress display and summary show."""

    scope: ScopeKey
    status: ScopeStatus
    problems: tuple[Problem, ...] = ()
    record_count: int = 0
    started_at: str = ""
    finished_at: str = ""

    @property
    def detail(self) -> str:
        return "; ".join(p.describe() for p in self.problems)

    @property
    def missing_actions(self) -> tuple[str, ...]:
        return tuple(sorted({p.missing_action for p in self.problems if p.missing_action}))

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.scope.account_id,
            "region": self.scope.region,
            "service": self.scope.service,
            "status": self.status.value,
            "detail": self.detail,
            "missing_actions": list(self.missing_actions),
            "record_count": self.record_count,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


@dataclass(frozen=True)
class ScopeOutcome:
    result: ScopeResult
    records: tuple[Record, ...]
    kinds: tuple[type[Record], ...]  # the kinds whose rows this scope no longer saw go when it completes
    state: Mapping[str, str] = field(default_factory=dict)  # kept only when the scope is complete...
    checkpoint: bool = False  # ...or when it stopped early at its time budget: the state is where to resume
    # A complete scope whose fetcher read nothing because nothing changed: its stored rows (and the run they
    # came from) are kept, only its status and state are written.
    unchanged: bool = False


@dataclass(frozen=True)
class RunManifest:
    run_id: str
    started_at: str
    finished_at: str
    settings: Mapping[str, Any]
    scopes: tuple[ScopeResult, ...]
    api_calls: tuple[ApiCallCount, ...]
    # The signal that stopped the run early (SIGINT, SIGTERM); None: it ran to its end.
    interrupted: str | None = None

    @property
    def complete(self) -> bool:
        return self.interrupted is None and all(s.status.is_ok for s in self.scopes)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "settings": dict(self.settings),
            "complete": self.complete,
            "scopes": [s.to_json() for s in self.scopes],
            "api_calls": [
                {
                    "account_id": c.account_id,
                    "service": c.service,
                    "operation": c.operation,
                    "calls": c.calls,
                    "throttled": c.throttled,
                }
                for c in self.api_calls
            ],
            "total_api_calls": sum(c.calls for c in self.api_calls),
            **({"interrupted": self.interrupted} if self.interrupted else {}),
        }


class Sink(Protocol):
    def start_run(self, run_id: str, started_at: str, settings: Mapping[str, Any]) -> None: ...

    def write_records(self, run_id: str, scope: ScopeKey, part: int, records: Sequence[Record]) -> None:
        """Part ``part`` (1, 2, ... in the scope) of the scope's append-only records, before its outcome."""
        ...

    def write_scope(self, run_id: str, outcome: ScopeOutcome) -> None: ...

    def finish_run(self, manifest: RunManifest) -> None: ...


class StateReader(Protocol):
    def read_state(self, scope: ScopeKey) -> Mapping[str, str]:
        """What the last complete run of this scope left for the next (e.g. a high-water mark)."""
        ...


class NoState:
    """A StateReader for a first run, or for a sink that keeps no state."""

    def read_state(self, scope: ScopeKey) -> Mapping[str, str]:
        return {}
