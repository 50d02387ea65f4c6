"""``report``: a real store in, one HTML file out; the database is read, never changed."""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
from pathlib import Path

from collector.cli import app as cli
from tests.collector.report.sample import EXTERNAL_ID, KEY_ID, write_small_store


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_writes_one_private_html_file_and_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db, out = tmp_path / "inventory.sqlite", tmp_path / "report.html"
    write_small_store(db)
    files_before = sorted(p.name for p in tmp_path.iterdir())
    before = _digest(db)
    code, printed, err = _run("report", "--db", str(db), "--out", str(out))
    assert (code, err) == (0, "")
    assert printed.startswith(f"wrote {out} (")
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "ec2:DescribeInstances" in page
    assert "…MPLE" in page and KEY_ID not in page and EXTERNAL_ID not in page
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    (data,) = re.findall(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    run = json.loads(data)["run"]
    assert (run["run_id"], run["organization"], run["status_counts"]) == (
        "run-1",
        False,
        {"complete": 1, "denied": 1},
    )
    assert _digest(db) == before
    # Besides the page, only SQLite's shared-memory index of a WAL database opened read-only may appear,
    # and an empty log (nothing was written).
    new = {p.name for p in tmp_path.iterdir()} - set(files_before)
    assert new - {"inventory.sqlite-shm", "inventory.sqlite-wal"} == {"report.html"}
    wal = tmp_path / "inventory.sqlite-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_report_needs_an_existing_database_and_a_writable_place(tmp_path: Path) -> None:
    code, _, err = _run("report", "--db", str(tmp_path / "missing.sqlite"), "--out", str(tmp_path / "r.html"))
    assert code == 2 and "missing.sqlite" in err
    assert not (tmp_path / "missing.sqlite").exists() and not (tmp_path / "r.html").exists()
    db = tmp_path / "inventory.sqlite"
    write_small_store(db)
    code, _, err = _run("report", "--db", str(db), "--out", str(tmp_path / "no" / "such" / "r.html"))
    assert code == 2 and "--out" in err and "existing directory" in err
    code, _, err = _run("report", "--db", str(db), "--out", str(db))
    assert code == 2 and "another file than --db" in err
    assert db.read_bytes().startswith(b"SQLite format 3")
