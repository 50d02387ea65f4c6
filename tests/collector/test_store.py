"""The SQLite store on a temporary file: schema version, derived kind tables, upserts, stale rows, export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from collector import store as store_module
from collector.kinds import record_types
from collector.models import GLOBAL, Problem, ScopeKey, ScopeStatus
from collector.services.iam.records import Group, Policy, Role, User
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import KindTable, SqliteStore, StoreError

A = "111111111111"
KINDS = (User, Group)


def _user(name: str, account: str = A) -> User:
    return User(
        account_id=account,
        arn=f"arn:aws:iam::{account}:user/{name}",
        name=name,
        user_id=f"AIDA{name}",
        path="/",
        create_date="2024-01-01T00:00:00+00:00",
        tags={"k": name},
        raw={"UserName": name},
    )


def _outcome(status: ScopeStatus, *records, account: str = A, state=None) -> ScopeOutcome:
    problems = () if status is ScopeStatus.COMPLETE else (Problem(status, "", "boom", "iam:ListUsers"),)
    result = ScopeResult(ScopeKey(account, GLOBAL, "iam"), status, problems, len(records), "t0", "t1")
    return ScopeOutcome(result, tuple(records), KINDS, state or {})


def _write(db: SqliteStore, run_id: str, *outcomes: ScopeOutcome) -> None:
    db.start_run(run_id, "t0", {"run": run_id})
    for outcome in outcomes:
        db.write_scope(run_id, outcome)
    db.finish_run(RunManifest(run_id, "t0", "t1", {}, tuple(o.result for o in outcomes), ()))


def test_schema_version_and_a_table_per_kind(tmp_path: Path) -> None:
    path = tmp_path / "inv.sqlite"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {t.KIND for t in record_types()} <= tables
    columns = [r[1] for r in conn.execute('PRAGMA table_info("roles")')]
    assert columns[:2] == ["account_id", "region"] and columns[-2:] == ["raw_json", "run_id"]
    assert "trust_policy" in columns and "permissions_boundary_arn" in columns


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "inv.sqlite"
    SqliteStore(path).close()
    sqlite3.connect(path).execute(f"PRAGMA user_version = {store_module.SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "inv.sqlite"
    path.write_text("hello, I am a text file" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        SqliteStore(path)


def test_a_new_record_field_becomes_a_new_column(tmp_path: Path) -> None:
    path = tmp_path / "inv.sqlite"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute('ALTER TABLE "roles" DROP COLUMN "last_used_region"')  # as if created by an older collector
    conn.close()
    SqliteStore(path).close()
    columns = [r[1] for r in sqlite3.connect(path).execute('PRAGMA table_info("roles")')]
    assert "last_used_region" in columns


def test_complete_scopes_replace_their_rows_and_failed_ones_keep_them(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _write(db, "r1", _outcome(ScopeStatus.COMPLETE, _user("a"), _user("b")))
        _write(db, "r2", _outcome(ScopeStatus.DENIED, _user("a")))
        assert sorted(r["name"] for r in db.rows("users")) == ["a", "b"]  # nothing removed
        (scope,) = db.scopes()
        assert (scope["status"], scope["missing_actions"], scope["data_run_id"]) == (
            "denied",
            ["iam:ListUsers"],
            "r1",
        )

        _write(db, "r3", _outcome(ScopeStatus.PARTIAL, _user("a")))
        assert sorted(r["name"] for r in db.rows("users")) == ["a", "b"]

        _write(db, "r4", _outcome(ScopeStatus.COMPLETE, _user("a")))
        (row,) = list(db.rows("users"))
        assert (row["name"], row["run_id"], row["tags"], row["raw"]) == (
            "a",
            "r4",
            {"k": "a"},
            {"UserName": "a"},
        )
        assert db.scopes()[0]["data_run_id"] == "r4"


def test_stale_rows_go_only_in_the_completed_scope(tmp_path: Path) -> None:
    other = "222222222222"
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _write(
            db,
            "r1",
            _outcome(ScopeStatus.COMPLETE, _user("a")),
            _outcome(ScopeStatus.COMPLETE, _user("x", other), account=other),
        )
        _write(db, "r2", _outcome(ScopeStatus.COMPLETE), _outcome(ScopeStatus.FAILED, account=other))
        assert [(r["account_id"], r["name"]) for r in db.rows("users")] == [(other, "x")]
        assert db.counts()["users"] == 1


def test_state_is_kept_only_from_complete_scopes(tmp_path: Path) -> None:
    scope = ScopeKey(A, GLOBAL, "iam")
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _write(db, "r1", _outcome(ScopeStatus.COMPLETE, state={"mark": "2024-01-01"}))
        _write(db, "r2", _outcome(ScopeStatus.FAILED, state={}))
        assert db.read_state(scope) == {"mark": "2024-01-01"}
        _write(db, "r3", _outcome(ScopeStatus.COMPLETE, state={"mark": "2024-02-01"}))
        assert db.read_state(scope) == {"mark": "2024-02-01"}


def test_export_writes_one_json_lines_file_per_kind(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as db:
        _write(db, "r1", _outcome(ScopeStatus.COMPLETE, _user("a"), _user("b")))
        written = db.export(tmp_path / "out")
    assert written["users"] == 2 and written["roles"] == 0 and written["scopes"] == 1
    lines = (tmp_path / "out" / "users.jsonl").read_text().splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["a", "b"]
    assert (tmp_path / "out" / "roles.jsonl").read_text() == ""
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {f"{t.KIND}.jsonl" for t in record_types()}


def test_a_failed_write_is_reported_not_swallowed(tmp_path: Path) -> None:
    db = SqliteStore(tmp_path / "inv.sqlite")
    db.start_run("r1", "t0", {})
    db.start_run("r1", "t0", {})  # the same run twice: a primary key violation in the writer thread
    with pytest.raises(StoreError, match="UNIQUE"):
        db.flush()
    with pytest.raises(StoreError):
        db.close()


def test_kind_tables_derive_columns_and_codecs() -> None:
    table = KindTable.of(Role)
    codecs = {c.name: c.codec for c in table.columns}
    assert codecs["trust_policy"] == "json" and codecs["last_used_date"] == "text"
    policy_codecs = {c.name: c.codec for c in KindTable.of(Policy).columns}
    assert policy_codecs["attachment_count"] == "int" and policy_codecs["backfilled"] == "bool"
    assert table.key == ("account_id", "region", "arn")
    assert "ON CONFLICT (account_id, region, arn)" in table.upsert_sql()
