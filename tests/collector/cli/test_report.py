"""``report``: a real store in, one HTML file out; the database is read, never changed."""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
from pathlib import Path

from collector.cli import app as cli
from collector.models import GLOBAL, Problem, ScopeKey, ScopeStatus
from collector.services.iam.records import AccessKey, Role, User
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore

A = "111111111111"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def _store(path: Path) -> None:
    user = User(
        account_id=A,
        arn=f"arn:aws:iam::{A}:user/ci",
        name="ci",
        user_id="AIDA1",
        path="/",
        create_date="2025-01-01T00:00:00+00:00",
    )
    role = Role(
        account_id=A,
        arn=f"arn:aws:iam::{A}:role/Reader",
        name="Reader",
        role_id="AROA1",
        path="/",
        create_date="2025-01-01T00:00:00+00:00",
        trust_policy={
            "Statement": [
                {"Effect": "Allow", "Condition": {"StringEquals": {"sts:ExternalId": "Secret-Ext-1"}}}
            ]
        },
    )
    key = AccessKey(
        account_id=A,
        access_key_id=KEY_ID,
        user_name="ci",
        user_arn=user.arn,
        status="Active",
        create_date="2025-01-01T00:00:00+00:00",
    )
    iam = ScopeResult(
        ScopeKey(A, GLOBAL, "iam"), ScopeStatus.COMPLETE, (), 3, "t0", "2026-01-01T00:00:00+00:00"
    )
    ec2 = ScopeResult(
        ScopeKey(A, "us-east-1", "ec2"),
        ScopeStatus.DENIED,
        (Problem(ScopeStatus.DENIED, "", "AccessDenied", "ec2:DescribeInstances"),),
        0,
        "t0",
        "2026-01-01T00:00:00+00:00",
    )
    with SqliteStore(path) as store:
        store.start_run("run-1", "2026-01-01T00:00:00+00:00", {"organization": False})
        store.write_scope("run-1", ScopeOutcome(iam, (user, role, key), (User, Role, AccessKey)))
        store.write_scope("run-1", ScopeOutcome(ec2, (), ()))
        store.finish_run(
            RunManifest("run-1", "2026-01-01T00:00:00+00:00", "2026-01-01T00:01:00+00:00", {}, (iam, ec2), ())
        )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_writes_one_private_html_file_and_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db, out = tmp_path / "inventory.sqlite", tmp_path / "report.html"
    _store(db)
    files_before = sorted(p.name for p in tmp_path.iterdir())
    before = _digest(db)
    code, printed, err = _run("report", "--db", str(db), "--out", str(out))
    assert (code, err) == (0, "")
    assert printed.startswith(f"wrote {out} (")
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "ec2:DescribeInstances" in page
    assert "…MPLE" in page and KEY_ID not in page and "Secret-Ext-1" not in page
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    (data,) = re.findall(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    run = json.loads(data)["run"]
    assert (run["run_id"], run["organization"], run["status_counts"]) == (
        "run-1",
        False,
        {"complete": 1, "denied": 1},
    )
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*files_before, "report.html"])


def test_report_needs_an_existing_database_and_a_writable_place(tmp_path: Path) -> None:
    code, _, err = _run("report", "--db", str(tmp_path / "missing.sqlite"), "--out", str(tmp_path / "r.html"))
    assert code == 2 and "missing.sqlite" in err
    assert not (tmp_path / "missing.sqlite").exists() and not (tmp_path / "r.html").exists()
    db = tmp_path / "inventory.sqlite"
    _store(db)
    code, _, err = _run("report", "--db", str(db), "--out", str(tmp_path / "no" / "such" / "r.html"))
    assert code == 2 and "--out" in err and "existing directory" in err
