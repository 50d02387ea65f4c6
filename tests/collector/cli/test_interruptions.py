"""Ctrl-C and kill: pending work is cancelled, the run is marked interrupted with what it collected kept, exit
130/143; `summary` says how the last run ended; expected conditions end without a traceback."""

from __future__ import annotations

import io
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from collector.aws import Sessions
from collector.cli import app as cli
from collector.cli import collect as collect_command
from collector.cli import signals
from collector.discovery import Discovery
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import GLOBAL, Account, Record, ScopeKey, ScopeStatus
from collector.permissions import AccessLevel, Feature, FetcherPermissions, Permission
from collector.plan import build_plan
from collector.runner import Prepared
from collector.services.iam.records import User
from collector.settings import RunSettings
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore

ACCOUNTS = tuple(Account(f"{n:012d}", f"arn:aws:iam::{n:012d}:role/Reader") for n in range(1, 6))
STARTED: list[str] = []
HANDLED = threading.Event()  # the CLI's signal handler ran


def _perms() -> FetcherPermissions:
    return FetcherPermissions(
        "fake_users", Feature.IAM, (Permission("iam:ListUsers", "iam:ListUsers", AccessLevel.LIST, "test"),)
    )


def _signal_on_first(signum: int) -> Fetcher:
    """A fetcher whose first scope reads a user and then the process gets ``signum`` (as from a terminal
    or `kill`); every later scope would read one too."""

    def collect(ctx: FetchContext) -> Iterator[Record]:
        STARTED.append(ctx.account.account_id)
        yield User(
            account_id=ctx.account.account_id,
            arn=f"arn:aws:iam::{ctx.account.account_id}:user/u",
            name="u",
            user_id="u",
            path="/",
            create_date="2024-01-01",
        )
        if len(STARTED) == 1:
            signal.pthread_kill(threading.main_thread().ident or 0, signum)  # as a terminal or kill would
            # The main thread handles the signal when it next runs (on a busy machine, maybe seconds later):
            # let it, and let it cancel the queue, before this item ends and the worker would take the next
            # one (an item already started when the signal is handled runs on).
            assert HANDLED.wait(30), "the main thread never handled the signal"
            time.sleep(0.5)

    return Fetcher(_perms(), Placement.GLOBAL, (User,), collect)


def _collect(monkeypatch: pytest.MonkeyPatch, db: Path, signum: int) -> tuple[int, str]:
    STARTED.clear()
    HANDLED.clear()
    handler = signals._raise

    def handled(signum: int, frame: FrameType | None) -> None:
        HANDLED.set()
        handler(signum, frame)

    monkeypatch.setattr(signals, "_raise", handled)
    fetcher = _signal_on_first(signum)

    def prepare(settings: RunSettings, **_: Any) -> Prepared:
        # one worker: the other four accounts' items wait in the queue when the signal comes
        settings = RunSettings(role_arn=ACCOUNTS[0].role_arn, external_id="ab", workers=1)
        plan = build_plan(ACCOUNTS, (fetcher,), regions={})
        sessions = Sessions(external_id="ab", run_id="unused")
        return Prepared("run-1", settings, sessions, (fetcher,), Discovery(ACCOUNTS), plan)

    monkeypatch.setattr(collect_command, "prepare", prepare)
    err = io.StringIO()
    argv = ["collect", "--role-arn", ACCOUNTS[0].role_arn, "--external-id", "ab", "--db", str(db)]
    code = cli.main(argv, out=io.StringIO(), err=err)
    return code, err.getvalue()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_cancels_pending_work_marks_the_run_and_keeps_what_was_collected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, offline_aws: None, signum: int, code: int
) -> None:
    db = tmp_path / "inventory.sqlite"
    exit_code, err = _collect(monkeypatch, db, signum)
    name = signal.Signals(signum).name
    assert exit_code == code
    assert err.strip().splitlines()[-1] == (
        f"interrupted by {name}: run run-1 is marked interrupted; the 1 scopes it collected are kept in {db}"
    )
    assert "Traceback" not in err
    assert [ACCOUNTS[0].account_id] == STARTED  # the four pending items never started
    store = SqliteStore(db, read_only=True)
    (run,) = store.runs()
    assert (run["state"], run["interrupted"], run["complete"]) == ("interrupted", name, 0)
    (scope,) = store.scopes()
    assert (scope["account_id"], scope["status"]) == (ACCOUNTS[0].account_id, "complete")
    assert [r["name"] for r in store.rows("users")] == ["u"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored


def _store_with(db: Path, *, finish: bool, interrupted: str | None = None) -> None:
    with SqliteStore(db) as store:
        store.start_run("run-1", "2026-01-01T00:00:00+00:00", {})
        if finish:
            scope = ScopeKey(ACCOUNTS[0].account_id, GLOBAL, "iam")
            result = ScopeResult(scope, ScopeStatus.COMPLETE, (), 0, "t", "t")
            store.finish_run(RunManifest("run-1", "t0", "t1", {}, (result,), (), interrupted))
        store.flush()


@pytest.mark.parametrize(
    ("finish", "interrupted", "shown"),
    [
        (False, None, "unfinished: it has no end (killed, or still running)"),
        (True, "SIGTERM", "interrupted (SIGTERM): what it collected is kept"),
        (True, None, "complete"),
    ],
)
def test_summary_says_how_the_last_run_ended(
    tmp_path: Path, finish: bool, interrupted: str | None, shown: str
) -> None:
    db = tmp_path / "inventory.sqlite"
    _store_with(db, finish=finish, interrupted=interrupted)
    out = io.StringIO()
    assert cli.main(["summary", "--db", str(db)], out=out, err=io.StringIO()) == 0
    first = out.getvalue().splitlines()[0]
    assert first.startswith(f"last run run-1 (started 2026-01-01T00:00:00+00:00): {shown}")
    out = io.StringIO()
    assert cli.main(["summary", "--json", "--db", str(db)], out=out, err=io.StringIO()) == 0
    assert f'"state": "{shown.split(" ", maxsplit=1)[0].rstrip(":")}"' in out.getvalue()


def test_export_onto_an_existing_file_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    SqliteStore(db).close()
    target = tmp_path / "out.jsonl"
    target.write_text("mine\n")
    err = io.StringIO()
    code = cli.main(["export", "--db", str(db), "--out", str(target)], out=io.StringIO(), err=err)
    assert code == 2
    assert err.getvalue().strip() == (
        f"error: --out: got '{target}'; expected a directory to write into (this is an existing file)"
    )
    assert target.read_text() == "mine\n"


def test_summary_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    with SqliteStore(db) as store:
        store.start_run("run-1", "t0", {})
        for n in range(3000):  # more than a pipe buffer of output
            result = ScopeResult(ScopeKey(f"{n:012d}", GLOBAL, "iam"), ScopeStatus.COMPLETE, (), 0, "t", "t")
            store.write_scope("run-1", ScopeOutcome(result, (), ()))
        store.flush()
    summary = subprocess.Popen(
        [sys.executable, "-m", "collector", "summary", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert summary.stdout is not None and summary.stderr is not None
    summary.stdout.readline()
    summary.stdout.close()  # as `head -1` does
    err = summary.stderr.read().decode()
    assert summary.wait(60) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_ctrl_c_in_another_command_is_exit_130_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "summary", interrupted)
    err = io.StringIO()
    assert cli.main(["summary"], out=io.StringIO(), err=err) == 130
    assert err.getvalue() == "interrupted by SIGINT\n"


def test_the_interrupting_signal_is_stored_with_the_run(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    _store_with(db, finish=True, interrupted="SIGINT")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT interrupted, complete FROM runs").fetchall() == [("SIGINT", 0)]
