"""The demo, one function per step:

1. start the local AWS (a moto server process on 127.0.0.1, stopped by its PID at the end, on Ctrl-C and on
   failure too);
2. seed a small, realistic customer organization with an organization trail (into a log-archive member
   account's SSE-KMS bucket), the customer's administrator and the vendor's principal, then switch IAM
   enforcement on: from here every request is checked against the caller's policies;
3. deploy the integration as the customer's administrator: ``cdk bootstrap``, ``cdk deploy`` of the
   project's app in the management account (with the read grant on the trail's log files for the
   log-archive account's role), the member template through the StackSet API; then switch on the evaluation
   of trust policies as AWS does them (``local_aws.emulator.trust_evaluation``); the trail delivers its files;
4. collect as the vendor: the collector's CLI in its own process, with only the vendor principal's access
   key and the ExternalId, in organization mode; CloudTrail events come from the trail's files in S3;
5. print what was collected, where the database is, and write the report page (``report.html``).
"""

from __future__ import annotations

import argparse
import io
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from collector.cli import app as collector_cli
from collector.customers.record import new_external_id
from collector.formats import InvalidSettingError
from local_aws.demo.summary import render_summary
from local_aws.deploy.organization import DeployedIntegration, deploy_organization_integration
from local_aws.emulator.client import isolated_environment
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    OrganizationSpec,
    SeededCustomer,
    TrailTruth,
    management_session,
    seed_customer,
    seed_organization_trail,
)

DEFAULT_OUT = Path(".demo")
MARKER = ".written-by-make-demo"  # in the work directory: the next run may replace it
STEPS = 5
LOG_ARCHIVE_ACCOUNT = "sandbox"  # the demo organization's account that holds the trail's bucket


class Steps:
    """Prints ``[n/5] title`` when a step starts and its wall time when it ends."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._number = 0

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self._number += 1
        print(f"\n[{self._number}/{STEPS}] {title}", flush=True)
        began = time.monotonic()
        yield
        print(f"      done in {time.monotonic() - began:.1f} s", flush=True)

    def total(self) -> float:
        return time.monotonic() - self.started


def start_local_aws(aws: LocalAws) -> None:
    aws.start()
    print(f"      moto server (PID {aws.pid}) at {aws.endpoint_url}, IAM enforcement off while seeding")


def seed(aws: LocalAws) -> tuple[SeededCustomer, TrailTruth]:
    """The demo organization and its trail, its administrator (management account) and the vendor (its own
    account); then IAM enforcement on."""
    customer = seed_customer(aws, OrganizationSpec.demo(), progress=lambda line: print("      " + line))
    archive = next(a.id for a in customer.organization.organization.accounts if a.name == LOG_ARCHIVE_ACCOUNT)
    trail = seed_organization_trail(management_session(aws.endpoint_url), archive)
    aws.enforce_iam(True)
    organization = customer.organization
    counts = organization.counts()
    print(
        f"      organization {organization.organization.organization_id}: "
        f"{counts['accounts']} accounts in {counts['organizational_units']} OUs, "
        f"{counts['users']} IAM users, {counts['roles']} roles, {counts['ec2_instances']} EC2 instances in "
        f"{len(organization.regions)} regions, {counts['identity_store_users']} Identity Center users, "
        f"{counts['cloudtrail_events']} CloudTrail events"
    )
    print(
        f"      organization trail {trail.trail_arn} into s3://{trail.bucket} (account {archive}, "
        "SSE-KMS): the log-archive account"
    )
    print(f"      customer administrator {customer.administrator.user_arn}")
    print(f"      vendor principal {customer.vendor.user_arn} (may only call sts:AssumeRole)")
    print("      IAM enforcement is now on: every request is checked against its caller's policies")
    return customer, trail


def deploy_integration(
    aws: LocalAws, customer: SeededCustomer, trail: TrailTruth, external_id: str, out: Path
) -> DeployedIntegration:
    """As the customer's administrator, with the project's CDK CLI and the StackSet API; then the trail
    delivers its log files."""
    integration = deploy_organization_integration(
        aws.endpoint_url,
        organization=customer.organization.organization,
        vendor_principal_arn=customer.vendor.user_arn,
        external_id=external_id,
        identity_center_region=customer.organization.identity_center.home_region,
        administrator=customer.administrator.key,
        workdir=out / "cdk",
        trail=trail,
    )
    print(f"      cdk deploy: the management account's role {integration.management_role_arn}")
    for account, region, status in integration.member_stacks:
        print(f"      StackSet {integration.stack_set_name}: {account} {region} {status}")
    # Only now: the CDK CLI would otherwise assume its bootstrap roles (they trust the account root), whose
    # resource-scoped policies moto cannot authorize. From here AssumeRole checks trust as AWS does.
    aws.evaluate_trust(True)
    print("      trust policies are now evaluated as AWS does (principal, ExternalId, across accounts)")
    delivered = aws.deliver_trail_logs()
    print(
        f"      the trail delivered {delivered['managementEvents']} management events in "
        f"{delivered['logFiles']} log files (and {delivered['digestFiles']} digest files) to s3://{trail.bucket}"
    )
    return integration


def collector_command(integration: DeployedIntegration, regions: Sequence[str], db: Path) -> list[str]:
    """What the vendor runs: the stack's ``CollectorArguments`` output, the regions to read and the
    database. The ExternalId comes from COLLECTOR_EXTERNAL_ID, so it is not on the command line."""
    return [
        "aws-readonly-collector",
        "collect",
        *shlex.split(integration.collector_arguments),
        "--regions",
        ",".join(regions),
        "--db",
        str(db),
    ]


def collect_as_vendor(
    aws: LocalAws, customer: SeededCustomer, integration: DeployedIntegration, external_id: str, db: Path
) -> int:
    """The collector's CLI in a process of its own whose only credentials are the vendor principal's."""
    command = collector_command(integration, customer.organization.regions, db)
    print("      COLLECTOR_EXTERNAL_ID=... " + " ".join(command))
    env = isolated_environment(aws.endpoint_url, customer.vendor.key, "us-east-1", str(db.parent))
    env["COLLECTOR_EXTERNAL_ID"] = external_id
    argv = [sys.executable, "-m", "collector", *command[1:]]
    return subprocess.run(argv, env=env, check=False).returncode  # noqa: S603 - our own CLI


def write_report(db: Path, page: Path) -> Path:
    """The inventory as one HTML page, by the collector's own ``report`` command (the database read-only)."""
    code = collector_cli.main(["report", "--db", str(db), "--out", str(page)], out=io.StringIO())
    if code != 0:
        raise RuntimeError(f"aws-readonly-collector report exited {code}")
    return page.resolve()


def fresh_work_directory(out: Path) -> None:
    """``out`` emptied for this run: created, or replaced when an earlier demo made it (never another one)."""
    if out.exists():
        if not (out / MARKER).is_file() and (not out.is_dir() or any(out.iterdir())):
            raise InvalidSettingError("--out", str(out), "a new directory, or one an earlier demo wrote")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("written by `make demo`; replaced by the next run\n")


def _collector_script() -> str:
    """How to call the collector from here: the virtual environment's script, else the module."""
    script = Path(sys.executable).parent / "aws-readonly-collector"
    if not script.is_file():
        return f"{sys.executable} -m collector"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def _stop_on_sigterm() -> None:
    def stop(signum: int, _frame: object) -> NoReturn:
        raise SystemExit(128 + signum)  # unwinds like Ctrl-C: the server is stopped on the way out

    signal.signal(signal.SIGTERM, stop)


def run(out: Path) -> int:
    """All five steps; returns the collector's exit code (0: every scope complete)."""
    _stop_on_sigterm()
    fresh_work_directory(out)
    db = (out / "inventory.sqlite").resolve()
    external_id = (
        new_external_id()
    )  # the vendor's unique value for this customer, as `customers add` draws it
    steps = Steps()
    # The AWS-managed policies the demo organization attaches must exist; the server logs into ``out``.
    aws = LocalAws(load_aws_managed_policies=True, log_path=str(out / "local-aws.log"))
    try:  # from before the process exists: a signal during the start still stops it
        with steps.step("Starting the local AWS"):
            start_local_aws(aws)
        with steps.step("Seeding the customer's organization, its administrator and the vendor"):
            customer, trail = seed(aws)
        with steps.step("Deploying the integration as the customer: cdk bootstrap, cdk deploy, StackSet"):
            integration = deploy_integration(aws, customer, trail, external_id, out)
        with steps.step("Collecting as the vendor: only its principal's key and the ExternalId"):
            code = collect_as_vendor(aws, customer, integration, external_id, db)
        with steps.step("What the vendor now knows"):
            print(render_summary(db))
            report = write_report(db, out / "report.html")
    finally:
        aws.stop()
    print(f"\nThe local AWS is stopped; the demo took {steps.total():.0f} s.")
    print(f"The inventory database: {db}")
    print(f"The report, one HTML page (open it in a browser): {report}")
    collector = _collector_script()
    print(f"  {collector} summary --db {db}")
    print(f"  {collector} export --db {db} --out {out / 'export'}")
    print(f"  {collector} report --db {db} --out {report}")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"work directory, replaced on each run (default {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    try:
        return run(args.out)
    except InvalidSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: the local AWS is stopped", file=sys.stderr)
        return 130
