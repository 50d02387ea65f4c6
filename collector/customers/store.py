"""The customers table of the embedded store (schema migrations 2 and 3 in collector/store.py).

Each write is one transaction. The ExternalId column is UNIQUE: ``add`` draws again on the (astronomically
unlikely) collision, so no two customers ever share an ExternalId. Nothing here regenerates an ExternalId
except ``rotate_external_id``, which the operator calls by name.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from collector.customers.record import Customer, Method, new_external_id
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from collector.store import StoreError, connect, open_database

_COLUMNS = (
    "name",
    "method",
    "external_id",
    "previous_external_id",
    "created_at",
    "external_id_created_at",
    "trusted_principal",
    "account_id",
    "role_name",
    "role_arn",
    "account_ids",
    "organizational_unit_ids",
    "identity_center_region",
    "identity_center_account_id",
    "include_identity_center",
    "profile",
    "partition",
    "secret_readers",
    "cloud_trail_bucket",
    "cloud_trail_prefix",
    "cloud_trail_kms_key_arn",
    "log_archive_account_id",
    "external_id_mode",
)
_LISTS = ("account_ids", "organizational_unit_ids", "secret_readers")  # stored as JSON arrays
# Draws before giving up: a collision of 238-bit values means the random source is broken, not bad luck.
_MAX_DRAWS = 5


class CustomerNotFoundError(InvalidSettingError):
    def __init__(self, name: str) -> None:
        super().__init__("NAME", name, "a recorded customer (see `customers list`)")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row(customer: Customer) -> tuple[Any, ...]:
    values = {
        **{c: getattr(customer, c) for c in _COLUMNS if c != "method" and c not in _LISTS},
        "method": customer.method.value,
        "external_id_mode": customer.external_id_mode.value,
        **{c: json.dumps(list(getattr(customer, c))) for c in _LISTS},
        "include_identity_center": int(customer.include_identity_center),
    }
    return tuple(values[c] for c in _COLUMNS)


# Columns a later migration added, and what a database from before it (read, not migrated) holds.
_ADDED_LATER: dict[str, Any] = {"secret_readers": "[]", "external_id_mode": ExternalIdMode.SHARED.value}


def _customer(row: sqlite3.Row) -> Customer:
    present = row.keys()
    data = {c: row[c] if c in present else _ADDED_LATER[c] for c in _COLUMNS}
    data["method"] = Method(data["method"])
    data["external_id_mode"] = ExternalIdMode(data["external_id_mode"])
    for column in _LISTS:
        data[column] = tuple(json.loads(data[column]))
    data["include_identity_center"] = bool(data["include_identity_center"])
    return Customer(**data)


class CustomerStore:
    """The customers of one collector database (the same file ``collect`` writes the inventory to)."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """``read_only`` (list, show, instructions, and the commands that only look a customer up): the
        database must exist and is never created or migrated."""
        self.path = str(path)
        self.read_only = read_only
        open_database(self.path, read_only=read_only)

    def _rows(self, sql: str, *params: str) -> list[sqlite3.Row]:
        with closing(connect(self.path, read_only=self.read_only)) as conn:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'customers'").fetchone() is None:
                return []  # a database from before the customers table, read without migrating it
            return conn.execute(sql, params).fetchall()

    def _write(self, job: Callable[[sqlite3.Connection], None]) -> None:
        with closing(connect(self.path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                job(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def add(
        self, build: Callable[[str, str], Customer], draw: Callable[[], str] = new_external_id
    ) -> Customer:
        """Record a new customer: ``build(external_id, now)`` makes it around a freshly drawn ExternalId.

        Refuses a name that exists (its ExternalId stays as it is: rotation is a separate, explicit command).
        """
        for _ in range(_MAX_DRAWS):
            customer = build(draw(), now_iso())
            try:
                self._write(partial(self._insert, customer=customer))
            except sqlite3.IntegrityError as exc:
                if "customers.name" in str(exc):
                    raise InvalidSettingError(
                        "NAME",
                        customer.name,
                        "a new customer name: this one exists (its ExternalId is kept; "
                        "`customers rotate-external-id` replaces it)",
                    ) from exc
                if "customers.external_id" in str(exc):
                    continue  # another customer holds this value: draw again
                raise
            return customer
        raise StoreError(
            f"{_MAX_DRAWS} ExternalId draws all collided with recorded ones: the random source is broken"
        )

    @staticmethod
    def _insert(conn: sqlite3.Connection, *, customer: Customer) -> None:
        marks = ", ".join("?" for _ in _COLUMNS)
        conn.execute(f"INSERT INTO customers ({', '.join(_COLUMNS)}) VALUES ({marks})", _row(customer))  # noqa: S608

    def get(self, name: str) -> Customer:
        rows = self._rows("SELECT * FROM customers WHERE name = ?", name)
        if not rows:
            raise CustomerNotFoundError(name)
        return _customer(rows[0])

    def list(self) -> list[Customer]:
        return [_customer(r) for r in self._rows("SELECT * FROM customers ORDER BY name")]

    def replace(self, customer: Customer) -> Customer:
        """Store changed details of a recorded customer (the ExternalId columns are written as given)."""

        def job(conn: sqlite3.Connection) -> None:
            assignments = ", ".join(f"{c} = ?" for c in _COLUMNS[1:])
            values = _row(customer)
            cursor = conn.execute(
                f"UPDATE customers SET {assignments} WHERE name = ?",  # noqa: S608 - fixed column names
                (*values[1:], values[0]),
            )
            if cursor.rowcount != 1:
                raise CustomerNotFoundError(customer.name)

        try:
            self._write(job)
        except sqlite3.IntegrityError as exc:
            raise InvalidSettingError("ExternalId", "(hidden)", "a value no other customer holds") from exc
        return customer

    def rotate_external_id(self, name: str, draw: Callable[[], str] = new_external_id) -> Customer:
        """A new ExternalId for ``name``; the previous one is kept (``previous_external_id``) for doctor."""
        current = self.get(name)
        for _ in range(_MAX_DRAWS):
            fresh = draw()
            if fresh in (current.external_id, current.previous_external_id):
                continue
            try:
                return self.replace(current.rotated(fresh, now_iso()))
            except InvalidSettingError:
                continue  # another customer holds this value: draw again
        raise StoreError(
            f"{_MAX_DRAWS} ExternalId draws all collided with recorded ones: the random source is broken"
        )

    def remove(self, name: str) -> Customer:
        removed = self.get(name)

        def job(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM customers WHERE name = ?", (name,))

        self._write(job)
        return removed
