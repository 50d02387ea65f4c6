"""Running a collection: discovery, the plan, the work items on a thread pool, the manifest.

``collect_item`` is THE code path that collects one work item: the CLI calls it from its thread pool (in this
process, or in each worker process: collector.shards), the pipeline's Lambda calls it once per invocation. A
fault in one scope is classified and recorded there and never stops the other scopes, items, regions or
accounts.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from collector import base_identity, registry
from collector.aws import GLOBAL_REGION, CallPacer, CallRecorder, Sessions, partition_of
from collector.discovery import (
    DISCOVERY,
    Discovery,
    account_of,
    account_regions,
    identity_center_home,
    organization_accounts,
    role_name_of,
    trail_source,
)
from collector.errors import classify, status_of
from collector.fetch import ClientFactory, FetchContext, Fetcher, FetchOptions, Placement, RunCache, Where
from collector.models import GLOBAL, Account, Problem, Record, ScopeKey, ScopeStatus
from collector.plan import Plan, WorkItem, build_plan
from collector.services.cloudtrail import catalog as cloudtrail
from collector.services.cloudtrail.trails import Source, TrailSource
from collector.services.identity_center import fetch as identity_center
from collector.settings import RunSettings
from collector.sink import NoState, RunManifest, ScopeOutcome, ScopeResult, Sink, StateReader


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    """Sortable and unique: the UTC start time and a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass
class ItemEnv:
    """What collect_item needs besides the item: shared by every item of a run (or built per Lambda).

    ``clients_for`` is normally ``Sessions.for_account`` (assumes the item's role, for the calling thread).
    """

    clients_for: Callable[[Account], ClientFactory]
    run_id: str
    state: StateReader = field(default_factory=NoState)
    cache: RunCache = field(default_factory=RunCache)
    fetchers: Mapping[str, Fetcher] = field(default_factory=registry.by_name)
    options: FetchOptions = field(default_factory=FetchOptions)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    deadline: float | None = None  # clock() time by which resumable fetchers stop (a Lambda's budget)


def _check(record: Record, ctx: FetchContext) -> Record:
    """A record must belong to the scope that produced it: anything else is a fetcher bug, failed loudly."""
    if record.account_id != ctx.account.account_id or record.region != ctx.region:
        raise ValueError(
            f"{ctx.fetcher.name} produced a {record.KIND} record for {record.account_id}/"
            f"{record.region} inside scope {ctx.scope}"
        )
    if type(record) not in ctx.fetcher.kinds:
        raise ValueError(f"{ctx.fetcher.name} produced an undeclared kind {record.KIND}")
    return record


# Records of an append-only kind go to the sink in writes of this many as they are read (not all at the end
# of the scope): a scope's memory stays flat in its number of records. About 4.5 MB of CloudTrail events.
RECORDS_PER_WRITE = 500


def _produced(ctx: FetchContext) -> Iterator[Record]:
    """The fetcher's records, checked; a fault ends them and becomes the scope's problem. (A fault of the
    consumer, e.g. the sink's, is raised where it happens, outside this generator: it is not the scope's.)"""
    try:
        for record in ctx.fetcher.collect(ctx):
            yield _check(record, ctx)
    except Exception as exc:
        ctx.problems.append(classify(exc, permissions=ctx.fetcher.permissions.permissions))


def collect_scope(
    ctx: FetchContext, sink: Sink | None = None, *, per_write: int = RECORDS_PER_WRITE
) -> ScopeOutcome:
    """Run one fetcher in one scope; whatever was read before a fault is kept (and written).

    Given the sink, the records of append-only kinds (not the fetcher's snapshot kinds: never removed as
    stale) are written to it every ``per_write`` records as they are read; the outcome keeps the rest (the
    snapshot kinds' records, whose stale rows go only when the whole scope completes, and the last
    append-only ones), for the scope's ``write_scope`` with its status and state. The state is written only
    there, after every record of the scope: it never passes a record that was not written.
    """
    started = now_iso()
    snapshot = ctx.fetcher.snapshot_kinds
    kept: list[Record] = []
    pending: list[Record] = []
    count = parts = 0
    for record in _produced(ctx):
        count += 1
        if sink is None or type(record) in snapshot:
            kept.append(record)
            continue
        pending.append(record)
        if len(pending) >= per_write:
            parts += 1
            sink.write_records(ctx.run_id, ctx.scope, parts, tuple(pending))
            pending.clear()
    status = status_of(ctx.problems)
    result = ScopeResult(ctx.scope, status, tuple(ctx.problems), count, started, now_iso())
    checkpoint = status is not ScopeStatus.COMPLETE and ctx.stopped_early
    state = dict(ctx.state) if status is ScopeStatus.COMPLETE or checkpoint else {}
    unchanged = ctx.reads_skipped and status is ScopeStatus.COMPLETE and not count
    return ScopeOutcome(result, (*kept, *pending), ctx.fetcher.snapshot_kinds, state, checkpoint, unchanged)


def collect_item(item: WorkItem, env: ItemEnv, sink: Sink) -> tuple[ScopeResult, ...]:
    """Collect every scope of one work item and hand each outcome to the sink. What a scope that completed
    found (``FetchContext.find``) is passed to the item's later scopes."""
    results: list[ScopeResult] = []
    earlier: dict[str, object] = {}
    clients = env.clients_for(item.account)
    for name in item.fetchers:
        fetcher = env.fetchers[name]
        scope = ScopeKey(item.account.account_id, item.unit, name)
        ctx = FetchContext(
            account=item.account,
            region=item.unit,
            fetcher=fetcher,
            clients=clients,
            run_id=env.run_id,
            cache=env.cache,
            prior_state=env.state.read_state(scope),
            options=env.options,
            sleep=env.sleep,
            clock=env.clock,
            deadline=env.deadline,
            clients_for=env.clients_for,
            earlier=dict(earlier),
        )
        outcome = collect_scope(ctx, sink)
        if outcome.result.status is ScopeStatus.COMPLETE:
            earlier.update(ctx.findings)
        sink.write_scope(env.run_id, outcome)
        results.append(outcome.result)
    return tuple(results)


# --- the whole run (CLI) ------------------------------------------------------------------------------------


def discover(settings: RunSettings, sessions: Sessions, fetchers: Sequence[Fetcher]) -> Discovery:
    """Accounts (one, or the organization's) and, when a regional fetcher is selected, their regions."""
    home = account_of(settings.role_arn)
    problems: list[tuple[ScopeKey, Problem]] = []
    left_out: tuple[tuple[str, str], ...] = ()
    if settings.organization:
        try:
            accounts, left_out = organization_accounts(
                sessions,
                settings.role_arn,
                member_role_name=settings.member_role_name or role_name_of(settings.role_arn),
                include_ous=settings.include_ous,
                exclude_ous=settings.exclude_ous,
            )
        except Exception as exc:
            problem = classify(exc)
            return Discovery((), home, (), problems=((ScopeKey(home, GLOBAL, DISCOVERY), problem),))
    else:
        accounts = (
            Account(home, settings.role_arn),
            *(Account(account_of(arn), arn) for arn in settings.more_role_arns),
        )
    regions: dict[str, tuple[str, ...]] = {}
    not_enabled: dict[str, tuple[str, ...]] = {}
    if any(f.placement is Placement.REGIONAL for f in fetchers):
        enabled, not_enabled, found = account_regions(sessions, accounts, settings.workers)
        if settings.regions is None:
            regions = enabled
            problems.extend(found)
        else:
            regions, not_enabled = given_regions(settings.regions, accounts, enabled)
    # Identity Center is an opt-in feature of the role: organization mode reads it in the one account that
    # administers it; a single account only when --fetchers names it.
    home_of_identity_center = None
    if any(
        f.where is Where.IDENTITY_CENTER_ACCOUNT and (settings.organization or f.name in settings.fetchers)
        for f in fetchers
    ):
        located = identity_center_home(sessions, settings.role_arn, accounts, settings.organization)
        if isinstance(located, Problem):
            problems.append((ScopeKey(home, GLOBAL, identity_center.FETCHER.name), located))
        else:
            home_of_identity_center = located
    trail: TrailSource | str | None = None
    if settings.cloudtrail_source is not Source.LOOKUP and any(
        f.name == cloudtrail.SERVICE for f in fetchers
    ):
        trail = trail_source(
            sessions,
            settings.role_arn,
            accounts,
            log_archive_account_id=settings.log_archive_account_id,
            member_role_name=settings.member_role_name or role_name_of(settings.role_arn),
            region=(settings.regions or (GLOBAL_REGION.get(partition_of(settings.role_arn), "us-east-1"),))[
                0
            ],
        )
    return Discovery(
        accounts,
        home if settings.organization else None,
        left_out,
        regions,
        not_enabled,
        tuple(problems),
        home_of_identity_center,
        trail if isinstance(trail, TrailSource) else None,
        trail if isinstance(trail, str) else None,
    )


def given_regions(
    given: tuple[str, ...], accounts: Sequence[Account], enabled: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """``--regions`` per account: those the account has enabled are collected, the others get a skipped
    scope ("region not enabled in the account"). Where the account's regions are unknown (its
    DescribeRegions failed), every given region is tried: the fetchers then say what fails."""
    regions: dict[str, tuple[str, ...]] = {}
    not_enabled: dict[str, tuple[str, ...]] = {}
    for account in accounts:
        known = enabled.get(account.account_id)
        if known is None:
            regions[account.account_id] = given
            continue
        regions[account.account_id] = tuple(r for r in given if r in known)
        not_enabled[account.account_id] = tuple(r for r in given if r not in known)
    return regions, not_enabled


def new_sessions(
    settings: RunSettings,
    run_id: str,
    *,
    prepare_session: Callable[..., None] | None = None,
    issued: Mapping[str, Mapping[str, str]] | None = None,
) -> Sessions:
    """The sessions of a run (or of one pipeline Lambda, or one worker process): the ExternalId, pacing and
    call counting; ``issued``: role credentials the run already holds (see Sessions)."""
    return Sessions(
        external_id=settings.external_id,
        external_id_mode=settings.external_id_mode,
        run_id=run_id,
        profile=settings.profile,
        recorder=CallRecorder(),
        limiter=CallPacer(default_rate=settings.api_rate),
        max_pool_connections=max(10, settings.workers),
        prepare_session=prepare_session,
        issued=issued,
    )


@dataclass(frozen=True)
class Prepared:
    run_id: str
    settings: RunSettings
    sessions: Sessions
    fetchers: tuple[Fetcher, ...]
    discovery: Discovery
    plan: Plan

    @property
    def options(self) -> FetchOptions:
        """The settings' fetch options and what discovery found for them (the trail to read)."""
        return dataclasses.replace(
            self.settings.options,
            cloudtrail_trail=self.discovery.cloudtrail_trail,
            cloudtrail_trail_problem=self.discovery.cloudtrail_trail_problem,
        )


def prepare(
    settings: RunSettings,
    *,
    run_id: str | None = None,
    prepare_session: Callable[..., None] | None = None,
    check_base_identity: bool = False,
) -> Prepared:
    """Sessions, discovery and the plan: everything before the first fetcher runs (all --dry-run does).

    ``check_base_identity`` (the CLI): one sts:GetCallerIdentity first, so that refused base credentials
    are a ConfigurationError before any role is assumed (collector.base_identity).
    """
    run_id = run_id or new_run_id()
    fetchers = registry.select(settings.fetchers)
    sessions = new_sessions(settings, run_id, prepare_session=prepare_session)
    if check_base_identity:
        base_identity.check(sessions, partition_of(settings.role_arn))
    discovery = discover(settings, sessions, fetchers)
    plan = build_plan(
        discovery.accounts,
        fetchers,
        regions=discovery.regions,
        not_enabled=discovery.not_enabled,
        organization_account_id=discovery.organization_account_id,
        identity_center=discovery.identity_center,
        findings=settings.skip_unchanged_ec2,
    )
    return Prepared(run_id, settings, sessions, fetchers, discovery, plan)


def record_discovery(prepared: Prepared, sink: Sink, started: str) -> tuple[ScopeResult, ...]:
    """Discovery's faults and the plan's skipped scopes, written as scope statuses (before any item runs)."""
    results: list[ScopeResult] = []
    for scope, problem in prepared.discovery.problems:
        outcome = ScopeOutcome(ScopeResult(scope, problem.status, (problem,), 0, started, now_iso()), (), ())
        sink.write_scope(prepared.run_id, outcome)
        results.append(outcome.result)
    for skipped in prepared.plan.skipped:
        detail = Problem(ScopeStatus.SKIPPED, "", skipped.reason)
        outcome = ScopeOutcome(
            ScopeResult(skipped.scope, ScopeStatus.SKIPPED, (detail,), 0, started, started), (), ()
        )
        sink.write_scope(prepared.run_id, outcome)
        results.append(outcome.result)
    return tuple(results)


class ItemsRunner(Protocol):
    """Runs the plan's items elsewhere (collector.shards: worker processes), handing every scope's outcome
    to ``write`` in this thread (its parts of append-only records first, to ``write_records``: see
    ``collect_scope``), and merging the calls it made into ``prepared.sessions.recorder``."""

    def __call__(
        self,
        prepared: Prepared,
        state: StateReader,
        write: Callable[[ScopeOutcome], None],
        write_records: Callable[[ScopeKey, int, Sequence[Record]], None],
    ) -> None: ...


def execute(
    prepared: Prepared,
    sink: Sink,
    *,
    state: StateReader | None = None,
    on_scope: Callable[[ScopeResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    items_runner: ItemsRunner | None = None,
) -> RunManifest:
    """Run the plan on a bounded thread pool (or ``items_runner``); every scope's outcome goes to the sink;
    returns the manifest."""
    started = now_iso()
    sink.start_run(prepared.run_id, started, prepared.settings.to_json())
    results: list[ScopeResult] = []

    def record(result: ScopeResult) -> None:
        results.append(result)
        if on_scope is not None:
            on_scope(result)

    for result in record_discovery(prepared, sink, started):
        record(result)

    env = ItemEnv(
        clients_for=prepared.sessions.for_account,
        run_id=prepared.run_id,
        state=state or NoState(),
        fetchers={f.name: f for f in prepared.fetchers},
        options=prepared.options,
        sleep=sleep,
    )

    def manifest(interrupted: str | None = None) -> RunManifest:
        return RunManifest(
            run_id=prepared.run_id,
            started_at=started,
            finished_at=now_iso(),
            settings=prepared.settings.to_json(),
            scopes=tuple(sorted(results, key=lambda r: r.scope)),
            api_calls=prepared.sessions.recorder.snapshot(),
            interrupted=interrupted,
        )

    def write(outcome: ScopeOutcome) -> None:
        sink.write_scope(prepared.run_id, outcome)
        record(outcome.result)

    def write_records(scope: ScopeKey, part: int, records: Sequence[Record]) -> None:
        sink.write_records(prepared.run_id, scope, part, records)

    try:
        if items_runner is not None:  # (it stops its workers itself when interrupted)
            items_runner(prepared, state or NoState(), write, write_records)
        else:
            with ThreadPoolExecutor(
                max_workers=max(1, prepared.settings.workers), thread_name_prefix="collect"
            ) as pool:
                futures = {pool.submit(collect_item, item, env, sink): item for item in prepared.plan.items}
                try:
                    for future in _as_completed(futures):
                        for result in future.result():
                            record(result)
                except BaseException:
                    # Interrupted (or a bug): no new item starts; the running ones end and write their scopes.
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    except BaseException as stop:
        # What was collected is kept and the run says it was cut short; the caller decides the exit.
        sink.finish_run(manifest(interrupted_by(stop)))
        raise
    done = manifest()
    sink.finish_run(done)
    return done


Done = Future[tuple[ScopeResult, ...]]


def _as_completed(futures: Iterable[Done]) -> Iterator[Done]:
    """``as_completed``, waking at least every half second: a signal the kernel delivered to a worker thread
    is handled by the main thread only when it runs, which would otherwise sleep until an item ends."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        yield from done


def interrupted_by(stop: BaseException) -> str:
    """How a run was cut short: the signal's name (collector.cli.signals), else the exception's."""
    return str(getattr(stop, "signal_name", None) or type(stop).__name__)


def exit_code(results: Iterable[ScopeResult]) -> int:
    """0 when every scope is complete (or skipped by design), 1 otherwise."""
    return 0 if all(r.status.is_ok for r in results) else 1
