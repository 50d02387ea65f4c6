"""The database and exports are private to their owner; another application's database is left untouched;
a database from before the application ID keeps working; a new database opened by several processes at
once."""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector import store as store_module
from collector.cli import app as cli
from collector.customers.store import CustomerStore
from collector.models import GLOBAL, ScopeKey, ScopeStatus
from collector.services.iam.records import User
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import APPLICATION_ID, SqliteStore, kind_tables

ROLE = "arn:aws:iam::111122223333:role/Reader"
VENDOR = "arn:aws:iam::999999999999:role/Vendor"
A = "111111111111"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    # What most systems have: without care, new files would be 0644 and directories 0755.
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _user(name: str) -> User:
    return User(
        account_id=A,
        arn=f"arn:aws:iam::{A}:user/{name}",
        name=name,
        user_id=f"AIDA{name}",
        path="/",
        create_date="2024-01-01T00:00:00+00:00",
        tags={},
        raw={"UserName": name},
    )


def _collect_into(db: SqliteStore, run_id: str = "r1") -> None:
    """What `collect` writes: a run and a complete scope with records."""
    result = ScopeResult(ScopeKey(A, GLOBAL, "iam"), ScopeStatus.COMPLETE, (), 1, "t0", "t1")
    db.start_run(run_id, "t0", {"run": run_id})
    db.write_scope(run_id, ScopeOutcome(result, (_user("alice"),), (User,), {}))
    db.finish_run(RunManifest(run_id, "t0", "t1", {}, (result,), ()))


def _add_customer(db: Path) -> None:
    code, _, err = _run(
        "customers", "add", "acme", "--method", "account", "--trusted-principal", VENDOR,
        "--account-id", "111122223333", "--db", str(db),
    )  # fmt: skip
    assert code == 0, err


# --- modes ---------------------------------------------------------------------------------------------


def test_collect_creates_the_database_and_its_wal_files_0600(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    with SqliteStore(path) as db:
        _collect_into(db)
        # while the writer's connection is open, SQLite's WAL and shared-memory files exist
        modes = {name: _mode(f"{path}{name}") for name in ("", "-wal", "-shm")}
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_customers_add_creates_the_registry_0600(tmp_path: Path) -> None:
    path = tmp_path / "vendor.sqlite"
    _add_customer(path)
    assert _mode(path) == 0o600
    assert all(_mode(p) == 0o600 for p in tmp_path.iterdir())


def test_export_writes_a_0700_directory_of_0600_files(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    with SqliteStore(path) as db:
        _collect_into(db)
    out = tmp_path / "export" / "today"
    code, _, err = _run("export", "--db", str(path), "--out", str(out))
    assert code == 0, err
    assert _mode(out) == 0o700
    files = list(out.iterdir())
    assert files and {_mode(f) for f in files} == {0o600}


def test_export_over_a_readable_old_file_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    SqliteStore(path).close()
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    (out / "users.jsonl").write_text("old\n")
    os.chmod(out / "users.jsonl", 0o644)
    assert _run("export", "--db", str(path), "--out", str(out))[0] == 0
    assert _mode(out / "users.jsonl") == 0o600


def test_an_existing_readable_database_or_export_directory_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "inventory.sqlite"
    with SqliteStore(path) as db:
        _collect_into(db)
    os.chmod(path, 0o644)
    out = tmp_path / "shared-out"
    out.mkdir(mode=0o755)
    os.chmod(out, 0o755)
    with caplog.at_level(logging.WARNING):
        assert _run("summary", "--db", str(path))[0] == 0
        assert _run("export", "--db", str(path), "--out", str(out))[0] == 0
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"{path}: this file is open to group or others (mode 0644)" in w for w in warned)
    assert any(f"{out}: this directory is open to group or others (mode 0755)" in w for w in warned)
    assert _mode(path) == 0o644  # the owner's choice is warned about, not overridden


def test_a_private_database_is_not_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "inventory.sqlite"
    SqliteStore(path).close()
    with caplog.at_level(logging.WARNING):
        assert _run("summary", "--db", str(path))[0] == 0
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


# --- another application's database --------------------------------------------------------------------


def _foreign(path: Path, user_version: int = 0) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path.read_bytes()


FOREIGN_COMMANDS = [
    ["summary"],
    ["summary", "--json"],
    ["export", "--out", "{out}"],
    ["collect", "--role-arn", ROLE, "--external-id", "abc"],
    ["customers", "list"],
    ["customers", "show", "acme"],
    ["customers", "add", "acme", "--method", "account", "--trusted-principal", VENDOR, "--account-id", A],
]


@pytest.mark.parametrize("user_version", [0, 1])
@pytest.mark.parametrize("argv", FOREIGN_COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_another_applications_database_is_refused_and_left_byte_for_byte(
    tmp_path: Path, argv: list[str], user_version: int
) -> None:
    path = tmp_path / "their.sqlite"
    before = _foreign(path, user_version)
    out = tmp_path / "export"
    code, _, err = _run(*[a.replace("{out}", str(out)) for a in argv], "--db", str(path))
    assert code == 2
    assert f"--db {path}: not a collector database" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["their.sqlite"]  # no -wal/-shm, no export


def test_a_text_file_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 200)
    code, _, err = _run("collect", "--role-arn", ROLE, "--external-id", "abc", "--db", str(path))
    assert code == 2 and "not a usable SQLite database" in err
    assert path.read_text() == "not a database\n" * 200


# --- read-only commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv", [["summary"], ["export", "--out", "x"], ["customers", "list"], ["customers", "show", "acme"]]
)
def test_a_read_only_command_never_creates_the_database(tmp_path: Path, argv: list[str]) -> None:
    path = tmp_path / "typo.sqlite"
    code, _, err = _run(*argv, "--db", str(path))
    assert code == 2 and str(path) in err and "does not exist" in err, err
    assert not path.exists()


def _as_written_before_the_application_id(path: Path, version: int = store_module.SCHEMA_VERSION) -> None:
    """A database as the collector wrote it before it stamped its application ID."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in store_module.MIGRATIONS[:version]:
        conn.executescript(migration)
    for table in kind_tables().values():
        conn.execute(table.create_sql())
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(
        "INSERT INTO scopes VALUES (?, 'global', 'iam', 'complete', '', '[]', 0, 'r0', 'r0', 't', 't')", (A,)
    )
    conn.close()


def _application_id(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA application_id").fetchone()[0])


def test_a_database_from_before_the_stamp_is_read_and_stamped_on_first_write(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    _as_written_before_the_application_id(path)
    before = path.read_bytes()
    code, out, err = _run("summary", "--db", str(path))
    assert code == 0, err
    assert f"{A}/global/iam  complete" in out
    assert path.read_bytes() == before  # read-only: not stamped
    with SqliteStore(path) as db:
        _collect_into(db, "r1")
        assert [s["run_id"] for s in db.scopes()] == ["r1"]
    assert _application_id(path) == APPLICATION_ID


def test_an_older_schema_is_read_without_migrating(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    _as_written_before_the_application_id(path, version=1)  # before the customers table
    before = path.read_bytes()
    assert _run("summary", "--db", str(path))[0] == 0
    code, out, err = _run("customers", "list", "--json", "--db", str(path))
    assert (code, out.strip()) == (0, "[]"), err
    assert path.read_bytes() == before
    CustomerStore(path)  # a writing open migrates
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION


# --- a new database opened by several processes at once ---------------------------------------------------


def _open_when_released(path: str, barrier: multiprocessing.synchronize.Barrier, kind: str) -> None:
    barrier.wait()
    try:
        if kind == "customers":
            CustomerStore(path)
        else:
            with SqliteStore(path) as db:
                _collect_into(db, f"run-{os.getpid()}")
    except BaseException as exc:  # reported through the exit code and stderr
        print(f"{type(exc).__name__}: {exc}", flush=True)
        os._exit(1)
    os._exit(0)


def test_three_processes_opening_one_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    failures = []
    for trial in range(20):
        path = str(tmp_path / f"new-{trial}.sqlite")
        barrier = context.Barrier(3)
        kinds = ("inventory", "customers", "inventory")
        processes = [context.Process(target=_open_when_released, args=(path, barrier, k)) for k in kinds]
        for process in processes:
            process.start()
        for process in processes:
            process.join(120)
        failures += [(trial, p.exitcode) for p in processes if p.exitcode != 0]
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 2
    assert failures == []
