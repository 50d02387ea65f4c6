"""``make demo`` leaves nothing running: the local AWS is stopped by its PID on failure, Ctrl-C and SIGTERM.

The demo's steps themselves run in tests/e2e (the same seeding, deployment and collector run)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from collector.formats import InvalidSettingError
from local_aws.demo import flow, summary
from local_aws.deploy.organization import DeployedIntegration
from local_aws.emulator.client import AccessKey, isolated_environment
from local_aws.emulator.server import LocalAws
from tests.collector.report.sample import write_small_store


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


@pytest.mark.e2e
def test_a_failing_step_stops_the_local_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    real_start = flow.start_local_aws

    def start(aws: LocalAws) -> None:
        real_start(aws)
        assert aws.pid is not None
        started.append(aws.pid)

    def seed(aws: LocalAws) -> None:
        raise RuntimeError("seeding failed")

    monkeypatch.setattr(flow, "start_local_aws", start)
    monkeypatch.setattr(flow, "seed", seed)
    with pytest.raises(RuntimeError, match="seeding failed"):
        flow.run(tmp_path / "demo")
    (pid,) = started
    assert _wait_gone(pid)


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_demo_stops_the_local_aws(tmp_path: Path, signum: int) -> None:
    demo = subprocess.Popen(
        [sys.executable, "-m", "local_aws.demo", "--out", str(tmp_path / "demo")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    pid = None
    for line in demo.stdout:  # the demo names the server's PID as soon as it runs
        found = re.search(r"moto server \(PID (\d+)\)", line)
        if found:
            pid = int(found.group(1))
            break
    assert pid is not None and _alive(pid)

    demo.send_signal(signum)  # while it seeds
    rest = demo.communicate(timeout=60)[0]

    assert demo.returncode == 128 + signum, rest
    assert _wait_gone(pid), f"the local AWS (PID {pid}) still runs"


def test_the_collector_command_keeps_the_external_id_out_of_the_command_line() -> None:
    arguments = "--organization --role-arn arn:aws:iam::123456789012:role/R --member-role-name R"
    integration = DeployedIntegration({"CollectorArguments": arguments}, "R-MemberRoles", ())
    command = flow.collector_command(integration, ("us-east-1", "eu-west-1"), Path("/tmp/x.sqlite"))
    assert command == [
        "aws-readonly-collector",
        "collect",
        "--organization",
        "--role-arn",
        "arn:aws:iam::123456789012:role/R",
        "--member-role-name",
        "R",
        "--regions",
        "us-east-1,eu-west-1",
        "--db",
        "/tmp/x.sqlite",
    ]


def test_a_child_process_reaches_only_the_local_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/Real")
    monkeypatch.setenv("HOME_IS_KEPT", "yes")

    env = isolated_environment(
        "http://127.0.0.1:5000", AccessKey("AKIALOCAL", "secret"), "eu-west-1", str(tmp_path)
    )

    aws = {k: v for k, v in env.items() if k.startswith("AWS_")}
    assert aws == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "AKIALOCAL",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    assert env["HOME_IS_KEPT"] == "yes"
    assert "secret" not in repr(AccessKey("AKIALOCAL", "secret"))


@pytest.mark.parametrize(
    ("count", "label", "shown"),
    [
        (2, "users", "2 users"),
        (1, "users", "1 user"),
        (1, "SCPs", "1 SCP"),
        (1, "customer-managed policies", "1 customer-managed policy"),
        (0, "customer-managed policies", "0 customer-managed policies"),
        (1, "AWS-managed policies in use", "1 AWS-managed policies in use"),  # a phrase: as it is
        (1, "provisioned (permission set, account) pairs", "1 provisioned (permission set, account) pairs"),
    ],
)
def test_summary_counts_read_naturally(count: int, label: str, shown: str) -> None:
    assert summary.count_of(count, label) == shown


def test_the_work_directory_is_replaced_only_when_a_demo_wrote_it(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    flow.fresh_work_directory(out)  # new
    (out / "inventory.sqlite").write_text("old")
    flow.fresh_work_directory(out)  # an earlier demo's: replaced
    assert sorted(p.name for p in out.iterdir()) == [flow.MARKER]

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(
        InvalidSettingError, match=r"--out: got .*mine.*a new directory, or one an earlier demo"
    ):
        flow.fresh_work_directory(tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert flow.main(["--out", str(tmp_path / "mine")]) == 2


def test_the_summary_says_where_cloudtrail_was_read() -> None:
    note = "source: read 2 log files from s3://logs/AWSLogs/ (trail arn:aws:cloudtrail:us-east-1:1:trail/t)"
    scopes = [
        {"service": "cloudtrail", "detail": note},
        {"service": "cloudtrail", "detail": ""},
        {"service": "iam", "detail": ""},
    ]
    assert summary._cloudtrail_source(scopes) == (
        "  cloudtrail: the trail's log files in s3://logs/AWSLogs/ in 1 of 2 account-regions, "
        "LookupEvents in the others"
    )
    assert summary._cloudtrail_source(scopes[1:]) == "  cloudtrail: LookupEvents in all 1 account-regions"
    assert summary._cloudtrail_source(scopes[2:]) is None


def test_the_demo_writes_the_report_page_with_the_collectors_command(tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    write_small_store(db)
    page = flow.write_report(db, tmp_path / "report.html")
    assert page == (tmp_path / "report.html").resolve()
    assert page.read_text().startswith("<!doctype html>")
    with pytest.raises(RuntimeError, match="report exited 2"):
        flow.write_report(tmp_path / "missing.sqlite", tmp_path / "other.html")
