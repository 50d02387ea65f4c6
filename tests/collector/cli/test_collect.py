"""The command line: bad input is a usage error (exit 2) with a clear message, before anything runs."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collector.aws import Sessions
from collector.cli import app as cli
from collector.cli.collect import Progress, settings_from
from collector.customers.record import EXTERNAL_ID_ENV
from collector.discovery import Discovery
from collector.models import GLOBAL, Account, ScopeKey, ScopeStatus
from collector.plan import Plan, WorkItem
from collector.runner import Prepared
from collector.settings import RunSettings
from collector.sink import ScopeResult

ROLE = "arn:aws:iam::111122223333:role/Reader"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["collect", "--role-arn", "arn:aws:iam::1:role/x", "--external-id", "abc"],
            "--role-arn: got 'arn:aws:iam::1:role/x'",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "a b"],
            "--external-id: got 'a b'; expected 2 to 1224",
        ),
        (["collect", "--role-arn", ROLE], "--external-id: got None"),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--external-id-mode", "derived"],
            "--external-id-mode: got 'derived'; expected shared or per-account",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "x" * 1212, "--external-id-mode", "per-account"],
            "expected at most 1211 characters with the per-account ExternalId mode",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--regions", "us-east-1,moon-1"],
            "--regions: got 'moon-1'",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--regions", "us-east-1,us-east-9"],
            "--regions: got 'us-east-9'; expected a region of the role's partition aws: af-south-1, ",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--regions", "cn-north-1"],
            "--regions: got 'cn-north-1'; expected a region of the role's partition aws:",
        ),
        (
            [
                "collect",
                "--role-arn",
                "arn:aws-cn:iam::111122223333:role/Reader",
                "--external-id",
                "abc",
                "--regions",
                "us-east-1",
            ],
            "--regions: got 'us-east-1'; expected a region of the role's partition aws-cn: cn-north-1, "
            "cn-northwest-1",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--member-role-name", "R"],
            "to be used with --organization",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--organization", "--include-ou", "ou-x"],
            "--include-ou: got 'ou-x'",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--fetchers", "s3"],
            "--fetchers: got 's3'; expected one of ",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--cloudtrail-lookback-days", "91"],
            "--cloudtrail-lookback-days: got '91'; expected a whole number of days from 1 to 90",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--cloudtrail-lookback-days", "0"],
            "--cloudtrail-lookback-days: got '0'; expected a whole number of days from 1 to 90",
        ),
        (
            ["collect", "--role-arn", ROLE, "--external-id", "abc", "--cloudtrail-lookback-days", "1.5"],
            "--cloudtrail-lookback-days: got '1.5'; expected a whole number of days from 1 to 90",
        ),
        (["collect", "--role-arn", ROLE, "--external-id", "abc", "--workers", "0"], "--workers: got 0"),
        (["collect", "--external-id", "abc"], "--role-arn: got None; expected the integration role's ARN"),
        (
            ["summary", "--db", "/nonexistent/inventory.sqlite"],
            "--db /nonexistent/inventory.sqlite: the file does not exist",
        ),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_exit_2_with_a_message_naming_the_setting(argv: list[str], message: str) -> None:
    code, out, err = _run(*argv)
    assert code == 2
    assert message in err, err
    assert out == ""


def test_the_external_id_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTERNAL_ID_ENV, "from-env-1")
    args = cli.build_parser().parse_args(["collect", "--role-arn", ROLE])
    settings = settings_from(args)
    assert settings.external_id == "from-env-1"
    assert "external_id" not in settings.to_json()  # never written to the run manifest


def test_the_external_id_mode_reaches_the_settings() -> None:
    argv = ["collect", "--role-arn", ROLE, "--external-id", "abc", "--organization"]
    assert settings_from(cli.build_parser().parse_args(argv)).external_id_mode.value == "shared"
    settings = settings_from(cli.build_parser().parse_args([*argv, "--external-id-mode", "per-account"]))
    assert settings.external_id_mode.value == "per-account"
    assert settings.to_json()["external_id_mode"] == "per-account"


def test_no_base_credentials_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, _, err = _run(
        "collect", "--role-arn", ROLE, "--external-id", "abc", "--db", str(tmp_path / "x.sqlite")
    )
    assert code == 2 and "no AWS credentials found" in err


def test_progress_on_a_terminal_is_one_refreshed_line(offline_aws: None) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    account = Account("111122223333", ROLE)
    plan = Plan(
        (WorkItem(account, GLOBAL, ("iam", "organizations")), WorkItem(account, "eu-west-1", ("ec2",)))
    )
    prepared = Prepared(
        "r",
        RunSettings(role_arn=ROLE, external_id="abc"),
        Sessions(external_id="abc", run_id="r"),
        (),
        Discovery((account,)),
        plan,
    )
    stream = Tty()
    now = [100.0]
    progress = Progress(prepared, stream, clock=lambda: now[0])
    now[0] += 61  # a scope every 61 s: 2 minutes 2 seconds left after the first
    progress(ScopeResult(ScopeKey("111122223333", GLOBAL, "iam"), ScopeStatus.COMPLETE))
    assert stream.getvalue().endswith(
        "scopes 1/3 · accounts 0/1 · API calls 0 · problems 0 · about 2 min 02 s left"
    )
    now[0] += 61
    progress(ScopeResult(ScopeKey("111122223333", GLOBAL, "organizations"), ScopeStatus.DENIED))
    progress(ScopeResult(ScopeKey("111122223333", "eu-west-1", "ec2"), ScopeStatus.COMPLETE))
    progress.close()
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n")
    assert text.endswith("scopes 3/3 · accounts 1/1 · API calls 0 · problems 1\n")  # nothing left


def test_the_installed_command_and_the_module_run() -> None:
    script = Path(sys.executable).parent / "aws-readonly-collector"
    assert script.exists() or shutil.which("aws-readonly-collector")
    for command in ([str(script), "--help"], [sys.executable, "-m", "collector", "--help"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0 and "collect" in done.stdout


def test_repeated_regions_are_collected_once() -> None:
    regions = "eu-west-1,us-east-1,eu-west-1"
    argv = ["collect", "--role-arn", ROLE, "--external-id", "abc", "--regions", regions]
    args = cli.build_parser().parse_args(argv)
    assert settings_from(args).regions == ("eu-west-1", "us-east-1")
