"""The plan's work items over worker processes: the CLI's way past one interpreter's CPU (the GIL).

This process keeps discovery, the plan, the store (its one writer) and the manifest; each worker process
collects a share of the accounts on its own thread pool, with its own clients (collector.aws), and sends
every scope's outcome back here as soon as it is done, where it is written exactly as the in-process path
writes it. So the store, the statuses and the manifest are the same whichever path ran.

- Sharded by account: every item of an account goes to the same worker, so the per-account (and region,
  API) rate limits are kept by one pacer, as in one process. Accounts are dealt out largest first to the
  least loaded worker (by work items).
- A worker gets the run's settings, its items, the state of its scopes (read here: the store stays in this
  process) and the role credentials discovery already assumed (used until they need refreshing, so each
  role is assumed once a run, as in one process).
- A worker that dies (a crash, a kill) loses none of what it sent (parts of a scope's append-only records
  included), and nothing of the others: each of its scopes that never arrived is recorded as failed, naming
  the worker's exit (so its state does not advance).
- Ctrl-C reaches the whole process group: the workers ignore it and this process stops every one of them
  (terminate, then kill) before the interruption goes on up.
- A worker runs its items as gevent greenlets, not OS threads (collector.worker_process says why): it is
  its own program, started with a socket pair to this process, so that gevent patches it before anything
  else is imported.

What differs from one process: the run-wide cache (AWS-managed policy documents) is per worker, so a
document read in two workers is read twice (more calls, the same rows).
"""

from __future__ import annotations

import contextlib
import selectors
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from collector import registry
from collector.aws import CallRecorder
from collector.channel import Channel, ChannelClosedError
from collector.fetch import FetchOptions
from collector.models import ApiCallCount, Problem, Record, ScopeKey, ScopeStatus
from collector.plan import WorkItem
from collector.runner import ItemEnv, Prepared, collect_item, new_sessions, now_iso
from collector.settings import RunSettings
from collector.sink import RunManifest, ScopeOutcome, ScopeResult, StateReader

STOP_SECONDS = 5.0  # how long a terminated worker gets before it is killed
WORKER_EXIT = "WorkerExited"


@dataclass(frozen=True)
class Shard:
    """What one worker process needs: sent to it once, when it starts."""

    index: int
    settings: RunSettings
    run_id: str
    items: tuple[WorkItem, ...]
    states: Mapping[ScopeKey, Mapping[str, str]]
    issued: Mapping[str, Mapping[str, str]]  # role ARN -> credentials already assumed this run
    options: FetchOptions  # the settings' and what discovery found for them (the trail to read)
    prepare_session: Callable[..., None] | None = None  # tests and benchmarks: a fake AWS (picklable)


def split(items: Sequence[WorkItem], processes: int) -> list[tuple[WorkItem, ...]]:
    """Items by account, the accounts dealt out largest first to the least loaded share; plan order kept
    within a share. Never more shares than accounts, never an empty share."""
    by_account: dict[str, list[WorkItem]] = {}
    for item in items:
        by_account.setdefault(item.account.account_id, []).append(item)
    count = max(1, min(processes, len(by_account)))
    shares: list[list[WorkItem]] = [[] for _ in range(count)]
    for account_items in sorted(by_account.values(), key=len, reverse=True):
        min(shares, key=len).extend(account_items)
    order = {id(item): n for n, item in enumerate(items)}
    return [tuple(sorted(share, key=lambda i: order[id(i)])) for share in shares if share]


class _PipeSink:
    """The worker's sink: each scope's outcome (and the calls made so far) goes to the parent at once."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None], total: Callable[[], int]) -> None:
        self._send = send
        self._total = total

    def start_run(self, run_id: str, started_at: str, settings: Mapping[str, Any]) -> None:
        raise NotImplementedError  # the parent starts and finishes the run

    def write_records(self, run_id: str, scope: ScopeKey, part: int, records: Sequence[Record]) -> None:
        self._send(("records", scope, part, tuple(records)))

    def write_scope(self, run_id: str, outcome: ScopeOutcome) -> None:
        self._send(("scope", outcome, self._total()))

    def finish_run(self, manifest: RunManifest) -> None:
        raise NotImplementedError


class _States:
    def __init__(self, states: Mapping[ScopeKey, Mapping[str, str]]) -> None:
        self._states = states

    def read_state(self, scope: ScopeKey) -> Mapping[str, str]:
        return self._states.get(scope, {})


def work(shard: Shard, conn: Channel) -> None:
    """A worker process (collector.worker_process): its items on its pool, every outcome sent as it comes,
    then its calls."""
    sessions = new_sessions(
        shard.settings, shard.run_id, prepare_session=shard.prepare_session, issued=shard.issued
    )
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    env = ItemEnv(
        clients_for=sessions.for_account,
        run_id=shard.run_id,
        state=_States(shard.states),
        fetchers=registry.by_name(),
        options=shard.options,
    )
    sink = _PipeSink(send, sessions.recorder.total)
    with ThreadPoolExecutor(max_workers=max(1, shard.settings.workers), thread_name_prefix="collect") as pool:
        for future in [pool.submit(collect_item, item, env, sink) for item in shard.items]:
            future.result()
    send(("done", sessions.recorder.snapshot()))
    conn.close()


@dataclass
class _Worker:
    shard: Shard
    process: subprocess.Popen[bytes]
    conn: Channel
    received: set[ScopeKey]
    done: bool = False

    @property
    def source(self) -> str:
        return f"worker-{self.shard.index}"

    def join(self, timeout: float) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout)


def start_worker(shard: Shard) -> _Worker:
    """``python -m collector.worker_process`` (a fresh interpreter, safe whatever threads this process
    runs), given its end of a socket pair, then this process's import path and main module, then the shard."""
    ours, theirs = Channel.pair()
    try:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, a module of this package
            [sys.executable, "-m", "collector.worker_process", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()  # the worker holds its end: EOF here when it ends, however it ends
    worker = _Worker(shard, process, ours, set())
    try:
        ours.send((list(sys.path), _main_module()))
        ours.send(shard)
    except BaseException:  # (it died at once, or we were interrupted): not left running, unknown to the run
        _stop([worker])
        ours.close()
        raise
    return worker


def _main_module() -> str | None:
    """The module this process runs as its main one, for the worker to import as multiprocessing's spawn
    does: not a package's ``__main__`` (which runs its program when imported), nor a script."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    name = spec.name if spec is not None else None
    return None if name is None or name == "__main__" or name.endswith(".__main__") else name


class InProcesses:
    """An ``ItemsRunner`` (collector.runner.execute) over ``processes`` worker processes."""

    def __init__(self, processes: int, *, prepare_session: Callable[..., None] | None = None) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, got {processes}")
        self.processes = processes
        self._prepare = prepare_session

    def __call__(
        self,
        prepared: Prepared,
        state: StateReader,
        write: Callable[[ScopeOutcome], None],
        write_records: Callable[[ScopeKey, int, Sequence[Record]], None],
    ) -> None:
        issued = prepared.sessions.issued_credentials()
        workers: list[_Worker] = []
        try:
            for index, items in enumerate(split(prepared.plan.items, self.processes)):
                states = {scope: state.read_state(scope) for item in items for scope in item.scopes()}
                shard = Shard(
                    index,
                    prepared.settings,
                    prepared.run_id,
                    items,
                    {k: dict(v) for k, v in states.items() if v},
                    {arn: issued[arn] for arn in {i.account.role_arn for i in items} if arn in issued},
                    prepared.options,
                    self._prepare,
                )
                workers.append(start_worker(shard))
            self._receive(prepared, workers, write, write_records)
        except BaseException:
            _stop(workers)
            raise
        finally:
            for worker in workers:
                worker.join(STOP_SECONDS)
                worker.conn.close()

    @staticmethod
    def _receive(
        prepared: Prepared,
        workers: list[_Worker],
        write: Callable[[ScopeOutcome], None],
        write_records: Callable[[ScopeKey, int, Sequence[Record]], None],
    ) -> None:
        recorder = prepared.sessions.recorder
        with selectors.DefaultSelector() as selector:
            for each in workers:
                selector.register(each.conn, selectors.EVENT_READ, each)
            while selector.get_map():
                for key, _ in selector.select():
                    InProcesses._take(key.data, selector, recorder, write, write_records)

    @staticmethod
    def _take(
        worker: _Worker,
        selector: selectors.BaseSelector,
        recorder: CallRecorder,
        write: Callable[[ScopeOutcome], None],
        write_records: Callable[[ScopeKey, int, Sequence[Record]], None],
    ) -> None:
        """One message of a worker that has one ready (or its end)."""
        try:
            message = worker.conn.recv()
        except ChannelClosedError:
            selector.unregister(worker.conn)
            if not worker.done:
                worker.join(STOP_SECONDS)
                _lost(worker, write)
            return
        if message[0] == "records":  # a part of a scope still being read (its outcome follows)
            write_records(message[1], message[2], message[3])
        elif message[0] == "scope":
            outcome: ScopeOutcome = message[1]
            worker.received.add(outcome.result.scope)
            recorder.note_elsewhere(worker.source, message[2])
            write(outcome)
        elif message[0] == "done":
            calls: tuple[ApiCallCount, ...] = message[1]
            recorder.add(calls, source=worker.source)
            worker.done = True


def _lost(worker: _Worker, write: Callable[[ScopeOutcome], None]) -> None:
    """The scopes of a worker that ended before sending them: failed, naming how it ended."""
    code = worker.process.poll()
    how = f"exit code {code}" if code is None or code >= 0 else f"signal {signal.Signals(-code).name}"
    message = f"the worker process collecting this scope ended before it was done ({how})"
    problem = Problem(ScopeStatus.FAILED, "", message, None, WORKER_EXIT)
    stamp = now_iso()
    for item in worker.shard.items:
        for scope in item.scopes():
            if scope not in worker.received:
                result = ScopeResult(scope, ScopeStatus.FAILED, (problem,), 0, stamp, stamp)
                write(ScopeOutcome(result, (), ()))


def _stop(workers: list[_Worker]) -> None:
    """Every worker stopped: terminated, and killed if it has not ended after STOP_SECONDS."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.terminate()
    for worker in workers:
        worker.join(STOP_SECONDS)
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()
