"""The embedded SQLite store: a Sink for collection, and the queries behind `summary` and `export`.

- One writer: collection threads hand scope outcomes to a single writer thread through a bounded queue, and
  each outcome is applied in one transaction. A scope's append-only records (CloudTrail events) may come
  before its outcome in parts of a bounded size (``write_records``), each its own transaction, already turned
  into rows by the collecting thread: the queue's bound (jobs) then bounds the memory they hold.
- The schema is versioned: ``PRAGMA user_version`` counts the ordered migrations applied to the core tables
  (runs, scopes, history, API calls, state; then the vendor's customers, collector/customer_store.py). The
  per-kind tables are derived from the record types (collector.kinds, from each service's records.py):
  created when missing, new columns added when a record gains a field. So a new entity kind needs no SQL.
  (Changing a record's KEY needs a migration.)
- Every kind row carries account_id, region, its parsed columns, raw_json and run_id (the last run that saw
  it). Stale rows are removed only for a scope that completed in this run.
- Derived kinds (collector/links.py: joins across scopes, roles' trust edges) are rebuilt from the stored
  rows at the end of every run, in the run's last transaction.
- The file is the collector's own: created 0600 (collector/private_files.py), stamped with
  ``PRAGMA application_id``; another application's database is refused before anything is written, and the
  read-only commands open it with ``mode=ro`` (never created, migrated or stamped).
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from collector import links, private_files
from collector.kinds import record_types
from collector.models import Record, ScopeKey, ScopeStatus, json_text
from collector.services.cloudtrail.records import DEFAULT_RETENTION_DAYS, CloudTrailEvent
from collector.services.iam import catalog as iam
from collector.services.iam.records import Role, RoleTrustPrincipal
from collector.services.identity_center.records import PermissionSetRole
from collector.services.organizations.records import Organization, OrganizationAccount
from collector.sink import RunManifest, ScopeOutcome

MIGRATIONS: tuple[str, ...] = (
    # 1: the core tables.
    """
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        settings_json TEXT NOT NULL,
        complete INTEGER,
        manifest_json TEXT
    );
    CREATE TABLE scopes (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        service TEXT NOT NULL,
        status TEXT NOT NULL,
        detail TEXT NOT NULL,
        missing_actions TEXT NOT NULL,
        record_count INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        data_run_id TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (account_id, region, service)
    );
    CREATE TABLE scope_history (
        run_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        service TEXT NOT NULL,
        status TEXT NOT NULL,
        detail TEXT NOT NULL,
        missing_actions TEXT NOT NULL,
        record_count INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (run_id, account_id, region, service)
    );
    CREATE TABLE api_calls (
        run_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        service TEXT NOT NULL,
        operation TEXT NOT NULL,
        calls INTEGER NOT NULL,
        throttled INTEGER NOT NULL,
        PRIMARY KEY (run_id, account_id, service, operation)
    );
    CREATE TABLE scope_state (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        service TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        run_id TEXT NOT NULL,
        PRIMARY KEY (account_id, region, service, name)
    );
    """,
    # 2: the vendor's customers and their ExternalIds (collector/customer_store.py).
    """
    CREATE TABLE customers (
        name TEXT PRIMARY KEY,
        method TEXT NOT NULL,
        external_id TEXT NOT NULL UNIQUE,
        previous_external_id TEXT,
        created_at TEXT NOT NULL,
        external_id_created_at TEXT NOT NULL,
        trusted_principal TEXT,
        account_id TEXT,
        role_name TEXT NOT NULL,
        role_arn TEXT,
        account_ids TEXT NOT NULL,
        organizational_unit_ids TEXT NOT NULL,
        identity_center_region TEXT,
        identity_center_account_id TEXT,
        include_identity_center INTEGER NOT NULL,
        profile TEXT,
        partition TEXT NOT NULL
    );
    """,
    # 3: legacy customers: who may read the integration user's key (cdk_app's secretReaders).
    """
    ALTER TABLE customers ADD COLUMN secret_readers TEXT NOT NULL DEFAULT '[]';
    """,
    # 4: the trail's log files a customer's role may read (cdk_app's cloudTrailBucket, logArchiveAccountId).
    """
    ALTER TABLE customers ADD COLUMN cloud_trail_bucket TEXT;
    ALTER TABLE customers ADD COLUMN cloud_trail_prefix TEXT;
    ALTER TABLE customers ADD COLUMN cloud_trail_kms_key_arn TEXT;
    ALTER TABLE customers ADD COLUMN log_archive_account_id TEXT;
    """,
    # 5: a run stopped by a signal says so (a run with no finished_at was killed, or is still running).
    """
    ALTER TABLE runs ADD COLUMN interrupted TEXT;
    """,
    # 6: a customer's ExternalId mode (per-account: the ExternalId, '-', the account ID).
    """
    ALTER TABLE customers ADD COLUMN external_id_mode TEXT NOT NULL DEFAULT 'shared';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


APPLICATION_ID = 0x41524F43  # PRAGMA application_id of the collector's databases ("AROC")
# The tables of migration 1: with a schema version, they recognise a database written before the stamp.
_CORE_TABLES = frozenset({"runs", "scopes", "scope_history", "api_calls", "scope_state"})
_WAL_ATTEMPTS = 12


class StoreError(Exception):
    """The database cannot be used (newer schema, not a database)."""


class ForeignDatabaseError(StoreError):
    """The file is another application's SQLite database: it is refused and left unchanged."""


# --- kind tables, derived from the record types ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # TEXT or INTEGER
    codec: str  # "text", "int", "bool" or "json": how a value is written and read back


def _column(name: str, annotation: object) -> Column:
    text = str(annotation)
    if "JsonValue" in text:
        return Column(name, "TEXT", "json")
    if text.startswith("bool"):
        return Column(name, "INTEGER", "bool")
    if text.startswith("int"):
        return Column(name, "INTEGER", "int")
    if text.startswith("str"):
        return Column(name, "TEXT", "text")
    raise TypeError(f"record field {name}: unsupported type {text} (use str, int, bool or JsonValue)")


@dataclass(frozen=True)
class KindTable:
    """How one record type maps to its table."""

    record_type: type[Record]
    columns: tuple[Column, ...]  # the record's own fields

    @classmethod
    def of(cls, record_type: type[Record]) -> KindTable:
        declared = {f.name: f.type for f in fields(record_type)}
        own = tuple(_column(name, declared[name]) for name in record_type.columns())
        return cls(record_type, own)

    @property
    def name(self) -> str:
        return self.record_type.KIND

    @property
    def key(self) -> tuple[str, ...]:
        return ("account_id", "region", *self.record_type.KEY)

    @property
    def all_columns(self) -> tuple[str, ...]:
        return ("account_id", "region", *(c.name for c in self.columns), "raw_json", "run_id")

    def create_sql(self) -> str:
        cols = ["account_id TEXT NOT NULL", "region TEXT NOT NULL"]
        cols += [f'"{c.name}" {c.sql_type}' for c in self.columns]
        cols += ["raw_json TEXT", "run_id TEXT NOT NULL", f"PRIMARY KEY ({', '.join(self.key)})"]
        return f'CREATE TABLE IF NOT EXISTS "{self.name}" ({", ".join(cols)})'

    def upsert_sql(self) -> str:
        names = ", ".join(f'"{c}"' for c in self.all_columns)
        marks = ", ".join("?" for _ in self.all_columns)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in self.all_columns if c not in self.key)
        return (
            f'INSERT INTO "{self.name}" ({names}) VALUES ({marks}) '  # noqa: S608 - names from record types
            f"ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {updates}"
        )

    def row(self, record: Record, run_id: str) -> tuple[Any, ...]:
        values: list[Any] = [record.account_id, record.region]
        for column in self.columns:
            value = getattr(record, column.name)
            values.append(json_text(value) if column.codec == "json" else value)
        values.append(None if record.raw is None else json_text(record.raw))
        values.append(run_id)
        return tuple(values)

    def decode(self, row: sqlite3.Row) -> dict[str, Any]:
        """A stored row as JSON-ready data (what export writes)."""
        out: dict[str, Any] = {"account_id": row["account_id"], "region": row["region"]}
        present = row.keys()
        for column in self.columns:
            value = row[column.name] if column.name in present else None  # a column of a newer collector
            if value is not None and column.codec == "json":
                value = json.loads(value)
            elif value is not None and column.codec == "bool":
                value = bool(value)
            out[column.name] = value
        out["run_id"] = row["run_id"]
        out["raw"] = json.loads(row["raw_json"]) if row["raw_json"] is not None else None
        return out


def kind_tables() -> dict[str, KindTable]:
    return {t.KIND: KindTable.of(t) for t in record_types()}


# --- the store ---------------------------------------------------------------------------------------------


def connect(path: str, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to the database at ``path`` (``open_database`` checks and prepares it first).

    Read-only opens with SQLite's ``mode=ro``: nothing can be created, migrated or written through it.
    """
    if read_only:
        uri = f"{Path(path).absolute().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None, check_same_thread=True)
    else:
        conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.row_factory = sqlite3.Row
    return conn


def open_database(path: str, *, read_only: bool = False) -> None:
    """Check that ``path`` is the collector's database; for writing, also create it (0600), migrate it
    and switch it to WAL. A database of another application is refused before anything is changed.

    Read-only: the file must exist and is never created, migrated or stamped.
    """
    try:
        if read_only:
            if not Path(path).is_file():
                raise StoreError(
                    f"--db {path}: the file does not exist (`collect` or `customers add` creates it)"
                )
            with closing(connect(path, read_only=True)) as conn:
                if _identify(conn, path) == _NEW:
                    raise StoreError(f"--db {path}: an empty database, nothing collected yet (run `collect`)")
                _check_version(conn, path)
        else:
            private_files.create_file(path)
            with closing(connect(path)) as conn:
                migrate(conn, path)
                _use_wal(conn, path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"--db {path}: not a usable SQLite database ({exc})") from exc
    private_files.warn_if_shared(*private_files.database_files(path))


_NEW, _OWN, _UNSTAMPED = "new", "own", "unstamped"


def _identify(conn: sqlite3.Connection, path: str) -> str:
    """``_OWN`` (stamped with APPLICATION_ID), ``_UNSTAMPED`` (written by a collector from before the stamp:
    a schema version and the core tables), ``_NEW`` (no schema object at all); else ForeignDatabaseError."""
    application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if application_id == APPLICATION_ID:
        return _OWN
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if application_id == 0 and version == 0 and not names:
        return _NEW
    if application_id == 0 and version > 0 and names >= _CORE_TABLES:
        return _UNSTAMPED
    tables = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
    raise ForeignDatabaseError(
        f"--db {path}: not a collector database (application_id {application_id:#x}, user_version "
        f"{version}, tables: {tables or 'none'}); it is left as it is: give the collector its own file"
    )


def _check_version(conn: sqlite3.Connection, path: str) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"--db {path}: the database has schema version {version}, newer than this collector's "
            f"{SCHEMA_VERSION}: upgrade the collector"
        )
    return version


def _pending(conn: sqlite3.Connection, path: str) -> list[str]:
    """The statements that make the database current: migrations, the stamp, the kind tables' changes."""
    stamped = _identify(conn, path) == _OWN
    version = _check_version(conn, path)
    steps = [
        statement
        for number in range(version, SCHEMA_VERSION)
        for statement in MIGRATIONS[number].split(";")
        if statement.strip()
    ]
    if version != SCHEMA_VERSION:
        steps.append(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if not stamped:
        steps.append(f"PRAGMA application_id = {APPLICATION_ID}")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in kind_tables().values():
        if table.name not in tables:
            steps.append(table.create_sql())
            continue
        present = {r["name"] for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
        steps += [
            f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {column.sql_type}'
            for column in table.columns
            if column.name not in present
        ]
    return steps


def migrate(conn: sqlite3.Connection, path: str = "") -> None:
    """Apply the migrations the database lacks, stamp it as the collector's, reconcile the kind tables with
    the record types: all in one write transaction, decided again inside it (a process opening the same new
    database at the same moment may have done it already). Refuses a database of another application."""
    if not _pending(conn, path):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _pending(conn, path):
            conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _use_wal(conn: sqlite3.Connection, path: str) -> None:
    """Switch to WAL (persistent). The switch needs the database to itself for a moment and does not wait
    for a busy one: retry while another process holds it (a concurrent first open)."""
    for attempt in range(_WAL_ATTEMPTS):
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(min(0.01 * 2**attempt, 0.5))
    raise StoreError(f"--db {path}: still busy after {_WAL_ATTEMPTS} attempts to switch to WAL")


_STOP = object()


class SqliteStore:
    """The collector's database. As a context manager, closing waits for the writer and re-raises errors."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """``read_only`` (summary, export): the database must exist; it is never created or migrated, and
        the kind tables or columns that a newer collector added read as absent."""
        self.path = str(path)
        self.read_only = read_only
        open_database(self.path, read_only=read_only)
        self._tables = kind_tables()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=16)
        self._writer: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- the writer thread --

    def _ensure_writer(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_loop, name="sqlite-writer", daemon=True)
            self._writer.start()

    def _write_loop(self) -> None:
        conn = connect(self.path)
        try:
            while True:
                job = self._queue.get()
                try:
                    if job is _STOP:
                        return
                    if self._error is None:
                        self._transaction(conn, job)
                except BaseException as exc:
                    self._error = exc
                finally:
                    self._queue.task_done()
        finally:
            conn.close()

    @staticmethod
    def _transaction(conn: sqlite3.Connection, job: Callable[[sqlite3.Connection], None]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            job(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _submit(self, job: Callable[[sqlite3.Connection], None]) -> None:
        self._raise_writer_error()
        self._ensure_writer()
        self._queue.put(job)

    def _raise_writer_error(self) -> None:
        if self._error is not None:
            raise StoreError(f"writing to {self.path} failed: {self._error}") from self._error

    def flush(self) -> None:
        """Wait until every submitted outcome is written."""
        if self._writer is not None:
            self._queue.join()
        self._raise_writer_error()

    def close(self) -> None:
        if self._writer is not None:
            self._queue.put(_STOP)
            self._writer.join()
            self._writer = None
        self._raise_writer_error()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- Sink --

    def start_run(self, run_id: str, started_at: str, settings: Mapping[str, Any]) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO runs (run_id, started_at, settings_json) VALUES (?, ?, ?)",
                (run_id, started_at, json_text(dict(settings))),
            )

        self._submit(job)

    def write_records(self, run_id: str, scope: ScopeKey, part: int, records: Sequence[Record]) -> None:
        rows = self._rows(run_id, records)  # here, not in the writer: rows are smaller than records
        self._submit(lambda conn: self._upsert(conn, rows))

    def write_scope(self, run_id: str, outcome: ScopeOutcome) -> None:
        self._submit(lambda conn: self._apply(conn, run_id, outcome))

    def _rows(self, run_id: str, records: Iterable[Record]) -> dict[str, list[tuple[Any, ...]]]:
        by_kind: dict[str, list[tuple[Any, ...]]] = {}
        for record in records:
            by_kind.setdefault(record.KIND, []).append(self._tables[record.KIND].row(record, run_id))
        return by_kind

    def _upsert(self, conn: sqlite3.Connection, rows: Mapping[str, list[tuple[Any, ...]]]) -> None:
        for kind, kind_rows in rows.items():
            conn.executemany(self._tables[kind].upsert_sql(), kind_rows)

    def _apply(self, conn: sqlite3.Connection, run_id: str, outcome: ScopeOutcome) -> None:
        result = outcome.result
        scope = result.scope
        self._upsert(conn, self._rows(run_id, outcome.records))
        complete = result.status is ScopeStatus.COMPLETE
        # A complete scope that read nothing because nothing changed keeps its rows and their run.
        fresh = complete and not outcome.unchanged
        if fresh:
            for produced in outcome.kinds:
                conn.execute(
                    f'DELETE FROM "{produced.KIND}" WHERE account_id = ? AND region = ? AND run_id <> ?',  # noqa: S608
                    (scope.account_id, scope.region, run_id),
                )
        if complete or outcome.checkpoint:
            conn.execute(
                "DELETE FROM scope_state WHERE account_id = ? AND region = ? AND service = ?",
                (scope.account_id, scope.region, scope.service),
            )
            conn.executemany(
                "INSERT INTO scope_state VALUES (?, ?, ?, ?, ?, ?)",
                [(*_scope_tuple(scope), k, v, run_id) for k, v in outcome.state.items()],
            )
        status_row = (
            result.status.value,
            result.detail,
            json.dumps(list(result.missing_actions)),
            result.record_count,
        )
        conn.execute(
            "INSERT INTO scopes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account_id, region, service) DO UPDATE SET status = excluded.status, "
            "detail = excluded.detail, missing_actions = excluded.missing_actions, "
            "record_count = excluded.record_count, run_id = excluded.run_id, "
            "data_run_id = COALESCE(excluded.data_run_id, scopes.data_run_id), "
            "started_at = excluded.started_at, finished_at = excluded.finished_at",
            (
                *_scope_tuple(scope),
                *status_row,
                run_id,
                run_id if fresh else None,
                result.started_at,
                result.finished_at,
            ),
        )
        conn.execute(
            "INSERT OR REPLACE INTO scope_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, *_scope_tuple(scope), *status_row, result.started_at, result.finished_at),
        )

    def finish_run(self, manifest: RunManifest) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO api_calls VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (manifest.run_id, c.account_id, c.service, c.operation, c.calls, c.throttled)
                    for c in manifest.api_calls
                ],
            )
            self._derive(conn, manifest.run_id)
            if manifest.complete:
                self._apply_retention(conn, manifest)
            conn.execute(
                "UPDATE runs SET finished_at = ?, complete = ?, interrupted = ?, manifest_json = ? "
                "WHERE run_id = ?",
                (
                    manifest.finished_at,
                    int(manifest.complete),
                    manifest.interrupted,
                    json_text(manifest.to_json()),
                    manifest.run_id,
                ),
            )

        self._submit(job)
        self.flush()

    def _apply_retention(self, conn: sqlite3.Connection, manifest: RunManifest) -> None:
        """Delete the CloudTrail events older than the run's ``cloudtrail_retention_days`` (default 90, as
        the event history keeps them). Only after a complete run: an incomplete or interrupted one never
        removes anything."""
        days = int(manifest.settings.get("cloudtrail_retention_days", DEFAULT_RETENTION_DAYS))
        cutoff = datetime.now(UTC) - timedelta(days=days)
        conn.execute(
            f'DELETE FROM "{CloudTrailEvent.KIND}" WHERE event_time < ?',  # noqa: S608 - a record type's name
            (cutoff.isoformat(),),
        )

    def _derive(self, conn: sqlite3.Connection, run_id: str) -> None:
        """Rebuild the permission-set-to-role mapping from the stored Identity Center and IAM rows."""
        provisioned = [
            links.Provisioned(*row)
            for row in conn.execute(
                "SELECT p.target_account_id, p.permission_set_arn, p.permission_set_name, p.instance_arn, "
                "i.home_region FROM provisioned_permission_sets p JOIN sso_instances i "
                "ON i.account_id = p.account_id AND i.instance_arn = p.instance_arn"
            )
        ]
        roles = [
            links.StoredRole(*row)
            for row in conn.execute(
                "SELECT account_id, arn, name, path FROM roles WHERE name LIKE ? ESCAPE '\\'",
                (links.SSO_ROLE_PREFIX.replace("_", "\\_") + "%",),
            )
        ]
        # Accounts whose IAM inventory was collected completely at least once: only there does a missing
        # role mean that the role does not exist.
        iam_accounts = [
            row[0]
            for row in conn.execute(
                "SELECT account_id FROM scopes WHERE service = ? AND data_run_id IS NOT NULL",
                (iam.SERVICE,),
            )
        ]
        table = self._tables[PermissionSetRole.KIND]
        conn.execute(f'DELETE FROM "{table.name}"')  # noqa: S608 - the name comes from a record type
        records = links.permission_set_roles(provisioned, roles, iam_accounts)
        conn.executemany(table.upsert_sql(), [table.row(r, run_id) for r in records])
        self._derive_trust(conn, run_id)

    def _derive_trust(self, conn: sqlite3.Connection, run_id: str) -> None:
        """Rebuild every stored role's trust edges against the stored organization."""
        ours = links.TrustContext(
            organization_ids=frozenset(r[0] for r in conn.execute(f'SELECT id FROM "{Organization.KIND}"')),  # noqa: S608
            organization_accounts=frozenset(
                r[0]
                for r in conn.execute(f'SELECT id FROM "{OrganizationAccount.KIND}"')  # noqa: S608
            ),
        )
        roles = (
            (row[0], row[1], json.loads(row[2]))
            for row in conn.execute(f'SELECT account_id, arn, trust_policy FROM "{Role.KIND}"')  # noqa: S608
        )
        table = self._tables[RoleTrustPrincipal.KIND]
        conn.execute(f'DELETE FROM "{table.name}"')  # noqa: S608 - the name comes from a record type
        records = links.role_trust_principals(roles, ours)
        conn.executemany(table.upsert_sql(), [table.row(r, run_id) for r in records])

    # -- StateReader --

    def read_state(self, scope: ScopeKey) -> Mapping[str, str]:
        with closing(connect(self.path)) as conn:
            rows = conn.execute(
                "SELECT name, value FROM scope_state WHERE account_id = ? AND region = ? AND service = ?",
                _scope_tuple(scope),
            ).fetchall()
        return {r["name"]: r["value"] for r in rows}

    # -- queries --

    def _read(self) -> sqlite3.Connection:
        return connect(self.path, read_only=self.read_only)

    @staticmethod
    def _present(conn: sqlite3.Connection) -> set[str]:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def counts(self) -> dict[str, int]:
        with closing(self._read()) as conn:
            present = self._present(conn)
            return {
                kind: int(conn.execute(f'SELECT COUNT(*) FROM "{kind}"').fetchone()[0])  # noqa: S608
                if kind in present
                else 0
                for kind in sorted(self._tables)
            }

    def scopes(self) -> list[dict[str, Any]]:
        with closing(self._read()) as conn:
            rows = conn.execute("SELECT * FROM scopes ORDER BY account_id, region, service").fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["missing_actions"] = json.loads(item["missing_actions"])
            out.append(item)
        return out

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest first (in the order they started, also within one second), with its ``state``:
        complete, incomplete (some scope not complete), interrupted (by a signal), or unfinished (no end
        recorded: killed, or still running)."""
        with closing(self._read()) as conn:
            rows = [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY started_at, rowid")]
        return [
            {
                "run_id": r["run_id"],
                "started_at": r["started_at"],
                "finished_at": r["finished_at"],
                "complete": r["complete"],
                "interrupted": r.get("interrupted"),  # absent in a database read before migration 4
                "state": _run_state(r),
            }
            for r in rows
        ]

    def run_settings(self, run_id: str) -> dict[str, Any]:
        """The settings a run was started with (their JSON form: no secret is in it); {} for no such run."""
        with closing(self._read()) as conn:
            row = conn.execute("SELECT settings_json FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        settings = json.loads(row["settings_json"]) if row else {}
        return settings if isinstance(settings, dict) else {}

    def api_calls(self, run_id: str) -> dict[tuple[str, str, str], int]:
        with closing(self._read()) as conn:
            rows = conn.execute("SELECT * FROM api_calls WHERE run_id = ?", (run_id,)).fetchall()
        return {(r["account_id"], r["service"], r["operation"]): int(r["calls"]) for r in rows}

    def rows(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every stored row of one kind, decoded, in key order."""
        table = self._tables[kind]
        order = ", ".join(table.key)
        with closing(self._read()) as conn:
            if kind not in self._present(conn):
                return
            for row in conn.execute(f'SELECT * FROM "{kind}" ORDER BY {order}'):  # noqa: S608
                yield table.decode(row)

    def export(self, out_dir: str | Path) -> dict[str, int]:
        """JSON Lines, one file per kind (``<kind>.jsonl``) plus ``scopes.jsonl``; returns lines per file.

        A new directory is created 0700 and every file written 0600 (collector.private_files).
        """
        target = Path(out_dir)
        private_files.make_dir(target)
        written: dict[str, int] = {}
        for kind in sorted(self._tables):
            written[kind] = _write_lines(target / f"{kind}.jsonl", self.rows(kind))
        written["scopes"] = _write_lines(target / "scopes.jsonl", iter(self.scopes()))
        return written


def _write_lines(path: Path, items: Iterator[dict[str, Any]]) -> int:
    count = 0
    with private_files.open_for_writing(path) as handle:
        for item in items:
            handle.write(json.dumps(item, sort_keys=True, separators=(",", ":")) + "\n")
            count += 1
    return count


def _run_state(run: Mapping[str, Any]) -> str:
    if run.get("interrupted"):
        return "interrupted"
    if run["finished_at"] is None:
        return "unfinished"
    return "complete" if run["complete"] else "incomplete"


def _scope_tuple(scope: ScopeKey) -> tuple[str, str, str]:
    return (scope.account_id, scope.region, scope.service)
