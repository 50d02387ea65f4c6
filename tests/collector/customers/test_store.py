"""The customers table: one ExternalId per customer, unique, never regenerated except by rotation."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from collector import store as store_module
from collector.customers.onboarding import instructions_for
from collector.customers.record import Customer, Method
from collector.customers.run_settings import run_settings
from collector.customers.store import CustomerStore
from collector.formats import InvalidSettingError
from collector.store import SqliteStore, StoreError

VENDOR = "arn:aws:iam::999988887777:role/Vendor"


def _builder(name: str, **fields: Any) -> Callable[[str, str], Customer]:
    def build(external_id: str, now: str) -> Customer:
        return Customer(
            name=name,
            method=Method.ACCOUNT,
            external_id=external_id,
            created_at=now,
            external_id_created_at=now,
            trusted_principal=VENDOR,
            **fields,
        )

    return build


def _draws(*values: str) -> Callable[[], str]:
    queue: Iterator[str] = iter(values)
    return lambda: next(queue)


def test_add_get_list_remove(tmp_path: Path) -> None:
    customers = CustomerStore(tmp_path / "db.sqlite")
    added = customers.add(_builder("acme", account_id="111122223333", account_ids=()))
    customers.add(_builder("bigco"))
    assert customers.get("acme") == added
    assert [c.name for c in customers.list()] == ["acme", "bigco"]
    assert customers.remove("acme") == added
    with pytest.raises(InvalidSettingError, match="NAME: got 'acme'; expected a recorded customer"):
        customers.get("acme")


def test_a_second_add_of_a_name_is_refused_and_keeps_the_external_id(tmp_path: Path) -> None:
    customers = CustomerStore(tmp_path / "db.sqlite")
    first = customers.add(_builder("acme"))
    with pytest.raises(InvalidSettingError, match="this one exists"):
        customers.add(_builder("acme"))
    assert customers.get("acme").external_id == first.external_id


def test_an_external_id_held_by_another_customer_is_drawn_again(tmp_path: Path) -> None:
    customers = CustomerStore(tmp_path / "db.sqlite")
    customers.add(_builder("acme"), draw=_draws("Shared-Value-1"))
    bigco = customers.add(_builder("bigco"), draw=_draws("Shared-Value-1", "Fresh-Value-2"))
    assert bigco.external_id == "Fresh-Value-2"
    with pytest.raises(StoreError, match="random source is broken"):
        customers.add(_builder("cargo"), draw=lambda: "Shared-Value-1")


def test_rotation_replaces_the_external_id_and_remembers_the_previous(tmp_path: Path) -> None:
    customers = CustomerStore(tmp_path / "db.sqlite")
    acme = customers.add(_builder("acme"), draw=_draws("First-Value-1"))
    customers.add(_builder("bigco"), draw=_draws("Taken-Value-2"))
    # A draw equal to the current value, or held by another customer, is drawn again.
    rotated = customers.rotate_external_id(
        "acme", draw=_draws("First-Value-1", "Taken-Value-2", "Next-Value-3")
    )
    assert rotated.external_id == "Next-Value-3" and rotated.previous_external_id == "First-Value-1"
    assert customers.get("acme") == rotated
    assert customers.get("acme").created_at == acme.created_at
    assert customers.get("bigco").external_id == "Taken-Value-2"


def test_the_customers_table_is_a_migration_of_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(store_module.MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO runs (run_id, started_at, settings_json) VALUES ('run-1', 't0', '{}')")
    conn.commit()
    conn.close()

    CustomerStore(path).add(_builder("acme"))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
    assert conn.execute("SELECT run_id FROM runs").fetchall() == [("run-1",)]
    conn.close()
    with SqliteStore(path) as inventory:  # the collector opens the same file as before
        assert [r["run_id"] for r in inventory.runs()] == ["run-1"]


def test_customers_recorded_before_secret_readers_existed_read_back_without_them(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(";".join(store_module.MIGRATIONS[:2]) + "; PRAGMA user_version = 2;")
    conn.execute(
        "INSERT INTO customers (name, method, external_id, created_at, external_id_created_at, role_name, "
        "account_ids, organizational_unit_ids, include_identity_center, partition) VALUES "
        "('old', 'legacy', 'Old-Value-1', 't0', 't0', 'R', '[\"111122223333\"]', '[]', 0, 'aws')"
    )
    conn.commit()
    conn.close()

    customers = CustomerStore(path)
    assert customers.get("old").secret_readers == () and customers.get("old").account_ids == ("111122223333",)
    readers = ("arn:aws:iam::111122223333:role/Admin",)
    customers.replace(replace(customers.get("old"), secret_readers=readers))
    assert customers.get("old").secret_readers == readers


KEY = "arn:aws:kms:us-east-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_the_trails_bucket_is_stored_and_reaches_the_run_settings(tmp_path: Path) -> None:
    bucket = "aws-controltower-logs-222233334444-us-east-1"
    store = CustomerStore(tmp_path / "c.sqlite")
    added = store.add(
        lambda external_id, now: Customer(
            name="acme",
            method=Method.ORGANIZATION,
            external_id=external_id,
            created_at=now,
            external_id_created_at=now,
            trusted_principal=VENDOR,
            account_id="111122223333",
            organizational_unit_ids=("r-ab12",),
            cloud_trail_bucket=bucket,
            cloud_trail_kms_key_arn=KEY,
            log_archive_account_id="222233334444",
        )
    )
    found = store.get("acme")
    assert found == added and found.cloud_trail_bucket == bucket
    assert run_settings(found, {}).log_archive_account_id == "222233334444"
    context = dict(instructions_for(found).deploys[0].context)
    assert context["cloudTrailBucket"] == bucket and context["logArchiveAccountId"] == "222233334444"
    assert context["cloudTrailKmsKeyArn"] == KEY
