"""The fetcher protocol and the context a fetcher runs in.

A fetcher is declared once (``Fetcher``) in its service's fetch.py (collector/services/<service>/), whose
catalog.py declares its permissions: its calls (I/O only) feed the service's pure parse functions (parse.py)
that return its records (records.py). It gets its clients,
its scope, the previous run's state of its scope and the run-wide cache through ``FetchContext``; it reports a
fault in one of its sub-parts with ``with ctx.part("name"):``, which records the classified problem and lets
the fetcher go on with the other parts. A fault outside any part ends the scope (the runner classifies it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from collector.errors import classify
from collector.models import GLOBAL, Account, Problem, Record, ScopeKey, ScopeStatus
from collector.permission_types import Feature, FetcherPermissions, Permission
from collector.services.cloudtrail.trails import Source, TrailSource
from collector.services.ec2.refresh import DEFAULT_FULL_REFRESH_DAYS


class Placement(StrEnum):
    """Where a fetcher's scope lives; also the rate-limit unit of the work item that runs it."""

    GLOBAL = "global"  # once per account (IAM, Organizations, Identity Center)
    REGIONAL = "regional"  # once per account and region (EC2, CloudTrail)


class Where(StrEnum):
    """Which accounts a fetcher runs in."""

    EVERY_ACCOUNT = "every_account"
    MANAGEMENT_ACCOUNT = "management_account"  # organization mode only
    IDENTITY_CENTER_ACCOUNT = "identity_center_account"  # the one account discovery picks (see Discovery)


class ClientFactory(Protocol):
    def client(self, service: str, region: str | None = None) -> Any: ...


class RunCache:
    """Run-wide memo shared by every account of a run (e.g. AWS-managed policy documents). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple[str, ...], Any] = {}
        self.hits = 0

    def get(self, key: tuple[str, ...]) -> Any | None:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self.hits += 1
            return found

    def put(self, key: tuple[str, ...], value: Any) -> Any:
        """Store ``value`` unless present; returns the stored one (so equal documents share one object)."""
        with self._lock:
            return self._values.setdefault(key, value)


@dataclass(frozen=True)
class FetchOptions:
    """Run-wide settings that fetchers read; validated where they are built (the CLI)."""

    cloudtrail_lookback_days: int | None = None  # the first run's look-back; None: the fetcher's default
    identity_center_region: str | None = None  # Identity Center's home region; None: found by one call
    cloudtrail_source: Source = Source.AUTO
    # The trail whose log files the run reads (found before the plan runs); None: none usable, and why.
    cloudtrail_trail: TrailSource | None = None
    cloudtrail_trail_problem: str | None = None
    # Daily runs: skip a region's EC2 listings when CloudTrail saw no EC2 write there since the last complete
    # read (collector/services/ec2/refresh.py), reading fully at least every ``ec2_full_refresh_days``.
    skip_unchanged_ec2: bool = False
    ec2_full_refresh_days: int = DEFAULT_FULL_REFRESH_DAYS


# A scope that stopped at its time budget (a Lambda's 15 minutes) records this problem: the scope is partial,
# and the state its fetcher set is a checkpoint the next run continues from.
TIME_BUDGET_PART = "time_budget"
TIME_BUDGET_CODE = "TimeBudgetExhausted"


@dataclass
class FetchContext:
    """Everything one fetcher sees while it collects one scope."""

    account: Account
    region: str  # GLOBAL or a region code
    fetcher: Fetcher
    clients: ClientFactory
    run_id: str
    cache: RunCache
    prior_state: Mapping[str, str] = field(default_factory=dict)
    options: FetchOptions = field(default_factory=FetchOptions)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    deadline: float | None = None  # clock() time by which a long fetcher should stop; None: no budget
    # Clients of another account of the run (e.g. the log-archive account that holds the trail's bucket).
    clients_for: Callable[[Account], ClientFactory] | None = None
    # What the item's earlier scopes that completed published for the later ones (``find``), by key.
    earlier: Mapping[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)
    findings: dict[str, object] = field(default_factory=dict)  # what this scope publishes (``find``)
    reads_skipped: bool = False  # the fetcher read nothing: its stored rows still hold (``unchanged``)

    @property
    def scope(self) -> ScopeKey:
        return ScopeKey(self.account.account_id, self.region, self.fetcher.name)

    def client(self, service: str) -> Any:
        """A client in this scope's region (the partition's global region for a GLOBAL scope)."""
        return self.clients.client(service, None if self.region == GLOBAL else self.region)

    @contextmanager
    def part(self, name: str, permissions: Iterable[Permission] = ()) -> Iterator[None]:
        """Run one sub-part; a fault in it is recorded (classified: a denied call is named from
        ``permissions`` first, then the fetcher's) and the fetcher goes on."""
        try:
            yield
        except Exception as exc:
            known = (*permissions, *self.fetcher.permissions.permissions)
            self.problems.append(classify(exc, part=name, permissions=known))

    def note(self, message: str, *, part: str = "") -> None:
        """A fact worth showing with the scope's outcome that is not a fault (e.g. "no instance here");
        notes never change the scope's status."""
        self.problems.append(Problem(ScopeStatus.COMPLETE, part, message))

    def set_state(self, name: str, value: str) -> None:
        """State for the next run of this scope (e.g. a high-water mark); kept only if the scope completes
        (or stops early at its time budget, see ``stop_early``)."""
        self.state[name] = value

    def find(self, key: str, value: object) -> None:
        """Publish ``value`` to the item's later scopes (their ``earlier``), if this scope completes."""
        self.findings[key] = value

    def unchanged(self, reason: str, *, part: str = "") -> None:
        """The fetcher skipped its reads because nothing changed since its last complete read: its stored
        rows still hold, so the store keeps them (and the run they came from) and writes only the state."""
        self.reads_skipped = True
        self.note(reason, part=part)

    def out_of_time(self) -> bool:
        """Whether the time budget is spent: a fetcher that can resume checks it between pages."""
        return self.deadline is not None and self.clock() >= self.deadline

    def stop_early(self, detail: str) -> None:
        """The fetcher stops at its time budget, its state set so far being a checkpoint: the scope is
        partial, and that state is kept so that the next run continues from it instead of starting over."""
        self.problems.append(Problem(ScopeStatus.PARTIAL, TIME_BUDGET_PART, detail, None, TIME_BUDGET_CODE))

    @property
    def stopped_early(self) -> bool:
        """Only the time budget (no fault) kept the scope from completing."""
        return bool(self.problems) and all(p.error_code == TIME_BUDGET_CODE for p in self.problems)


@dataclass(frozen=True)
class Fetcher:
    """One fetcher: what it needs (permissions), where it runs, what it produces, and how."""

    permissions: FetcherPermissions
    placement: Placement
    kinds: tuple[type[Record], ...]  # every kind it produces
    collect: Callable[[FetchContext], Iterable[Record]]
    where: Where = Where.EVERY_ACCOUNT
    # Kinds read incrementally (a window after the last run's mark): their rows accumulate across runs.
    incremental: tuple[type[Record], ...] = ()
    # Fetchers of the same item whose findings it reads (``FetchContext.earlier``): when the run uses them,
    # the plan runs these first (collector.plan).
    after: tuple[str, ...] = ()

    @property
    def snapshot_kinds(self) -> tuple[type[Record], ...]:
        """The kinds read whole each run: their rows that a complete run no longer saw are stale."""
        return tuple(k for k in self.kinds if k not in self.incremental)

    @property
    def name(self) -> str:
        return self.permissions.fetcher

    @property
    def feature(self) -> Feature:
        return self.permissions.feature
