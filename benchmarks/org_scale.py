"""An organization of N small member accounts on the local AWS, collected by the real CLI through a proxy that
adds AWS's round trip to every request: calls, CPU, memory and wall, projected to 1,000 and 10,000 accounts.

1. Seeds, through the local AWS's own API (fast enough: about 20 ms an account), an organization of
   ``--accounts`` member accounts, each with one IAM user, and the management account's integration role.
2. Starts ``benchmarks.latency_proxy`` on 127.0.0.1 in front of it (``--latency`` seconds a request).
3. Runs ``collect --organization`` with the default fetchers in every enabled region in its own process
   (``benchmarks.guarded_collect``: the CLI with the endpoint guard on), measured with ``wait4``: wall,
   CPU (user + system, its worker processes included) and peak RSS of the collector alone; the local AWS
   and the proxy run in their own processes on the same machine, and their CPU is not the collector's.
4. Beside it, botocore's own floor: a long-lived client per service making the same operations one after
   the other against the local AWS (no proxy), in this process: CPU per call of botocore alone.
5. Projects the run to 1,000 and 10,000 accounts from the measured sustained rate (calls a second after
   discovery, which is per account and scales with it) next to the pipeline benchmark's model
   (benchmarks.pipeline_scale.cli, one process, fed with this run's CPU per item).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ParamValidationError

from benchmarks import pipeline_scale
from collector.services.ec2 import listings
from collector.settings import DEFAULT_WORKERS, one_per_core
from local_aws.emulator.server import LocalAws
from local_aws.seed.concurrency import map_all
from local_aws.seed.sessions import management_session, member_session

EXTERNAL_ID = "Bench-Org-External-1"
READER = "OrgBenchReader"
MEMBER_ROLE = "OrganizationAccountAccessRole"
# Which fetcher a call belongs to, for the per-account table (discovery's calls are named as such).
DISCOVERY_CALLS = {("ec2", "DescribeRegions"), ("sts", "AssumeRole")}
FLOOR_CALLS = 400
# The 17 regions an AWS account has enabled by default (the others are opt-in); moto enables 20. The issue's
# figures are for these; ``--regions all`` collects every region the local AWS enables.
AWS_DEFAULT_REGIONS = (
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)
ONCE_A_RUN = {"sts", "organizations", "sso-admin", "identitystore"}  # no weight in CPU per call


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float
    peak_rss_mib: float
    code: int
    stderr: str


def seed(aws: LocalAws, accounts: int) -> tuple[str, list[str], float]:
    """The organization through the API; returns the reader role, the member account IDs, seconds taken."""
    started = time.perf_counter()
    management = management_session(aws.endpoint_url)
    org = management.client("organizations")
    org.create_organization(FeatureSet="ALL")

    def create(n: int) -> str:
        status = org.create_account(AccountName=f"member-{n:05d}", Email=f"member-{n:05d}@example.com")
        return str(status["CreateAccountStatus"]["AccountId"])

    members = sorted(map_all(create, range(accounts)))

    def user(account_id: str) -> None:
        member_session(management, account_id).client("iam").create_user(UserName="member-user")

    map_all(user, members)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{management.account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = management.client("iam")
    role = iam.create_role(RoleName=READER, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    return str(role), members, time.perf_counter() - started


def start_proxy(upstream: int, latency: float, replay: bool) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-m", "benchmarks.latency_proxy", "--upstream", str(upstream)]
    command += ["--latency", str(latency), *(["--replay"] if replay else [])]
    proxy = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proxy.stdout is not None
    line = proxy.stdout.readline()
    if not line.startswith("LISTENING "):
        proxy.kill()
        raise RuntimeError(f"the latency proxy did not start: {line!r}")
    return proxy, int(line.split()[1])


def cpu_of(pid: int | None) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux /proc)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants now (Linux /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(rss[1]) * 1024 if rss else 0
        pending.extend(int(c) for c in children)
    return total


def collector_environment(aws: LocalAws, proxy_port: int) -> dict[str, str]:
    """The collector's environment: this one without its AWS settings, the local AWS's through the proxy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(aws.environment())
    env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy_port}"
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def collect_command(args: argparse.Namespace, role_arn: str, db: Path) -> list[str]:
    """``collect`` of the whole organization into ``db``, with the benchmark's regions and workers."""
    cli = ["collect", "--role-arn", role_arn, "--external-id", EXTERNAL_ID, "--organization"]
    cli += ["--member-role-name", MEMBER_ROLE, "--db", str(db)]
    if args.regions != ["all"]:
        cli += ["--regions", ",".join(args.regions)]
    for option in ("workers", "processes"):
        if getattr(args, option):
            cli += [f"--{option}", str(getattr(args, option))]
    return cli


def run_collector(env: dict[str, str], argv: list[str]) -> Measured:
    """The CLI in its own process: wall; CPU of it and its worker processes (wait4: they are waited for);
    peak RSS of the whole tree, summed, sampled every 0.2 s."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.guarded_collect", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_rss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stderr is not None
    stderr_tail = child.stderr.read()[-3000:]  # (read while it runs: a full pipe would stop it)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=max(peak[0], usage.ru_maxrss * 1024) / 2**20,
        code=child.returncode,
        stderr=stderr_tail,
    )


def botocore_floor(endpoint: str, operations: Counter[tuple[str, str]], role_arn: str) -> float:
    """CPU seconds a call of botocore alone: one long-lived client per service, FLOOR_CALLS calls in the
    run's mix of operations with the collector's parameters, one after the other, against the local AWS
    without the proxy (each operation called once first, unmeasured: its model is loaded once a process)."""
    session = boto3.Session()
    creds = session.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=role_arn, RoleSessionName="floor"
    )["Credentials"]
    clients: dict[str, Any] = {}
    calls = 0
    busy = 0.0
    mix = Counter({k: n for k, n in operations.items() if k[0] not in ONCE_A_RUN})
    for (service, operation), count in mix.most_common():
        client = clients.get(service)
        if client is None:
            client = session.client(
                service,  # type: ignore[call-overload]
                region_name="us-east-1",
                endpoint_url=endpoint,
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
            clients[service] = client
        method = getattr(client, _snake(operation))
        params = _floor_params(service, operation)
        try:
            with contextlib.suppress(client.exceptions.ClientError):
                method(**params)  # (first: loads the operation's model)
        except ParamValidationError:
            continue  # a call per listed item (its own parameters): left out of the floor
        for _ in range(max(1, round(FLOOR_CALLS * count / mix.total()))):
            cpu = time.process_time()
            with contextlib.suppress(client.exceptions.ClientError):  # (an error costs what an answer does)
                method(**params)
            busy += time.process_time() - cpu
            calls += 1
    return busy / max(1, calls)


def _snake(operation: str) -> str:
    from botocore import xform_name  # noqa: PLC0415 - only here

    return str(xform_name(operation))


# The EC2 listings' own parameters (e.g. Owners=self: without it moto lists every public image).
EC2_PARAMS = {listings.api_name(c.operation): dict(c.params) for c in listings.calls()}


def _floor_params(service: str, operation: str) -> dict[str, Any]:
    if service == "ec2":
        return EC2_PARAMS.get(operation, {})
    if service == "cloudtrail" and operation == "LookupEvents":
        return {"MaxResults": 50}
    if service == "iam" and operation == "GetAccountAuthorizationDetails":
        return {"MaxItems": 1000}
    if service == "iam" and operation == "ListAccessKeys":
        return {"UserName": "member-user"}
    return {}


@dataclass(frozen=True)
class Run:
    calls: Counter[tuple[str, str, str]]  # (account, service, operation) -> calls
    scopes: int
    collecting: float  # seconds from the first work item to the manifest (after discovery)


def read_run(db: Path) -> Run:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT account_id, service, operation, calls FROM api_calls").fetchall()
        scopes = conn.execute("SELECT COUNT(*) FROM scopes").fetchone()[0]
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM scopes GROUP BY status").fetchall())
        started, finished = conn.execute("SELECT started_at, finished_at FROM runs").fetchone()
    if set(statuses) - {"complete", "skipped"}:
        print(f"  (scope statuses: {statuses})")
    collecting = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    return Run(Counter({(a, s, o): c for a, s, o, c in rows}), int(scopes), collecting)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100, help="member accounts to seed")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added to every request")
    parser.add_argument("--workers", type=int, help="the collector's --workers (default: its default)")
    parser.add_argument("--processes", type=int, help="the collector's --processes (default: its default)")
    parser.add_argument(
        "--replay",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the proxy answers a request seen before from memory (default; see benchmarks.latency_proxy)",
    )
    parser.add_argument(
        "--regions",
        nargs="+",
        default=list(AWS_DEFAULT_REGIONS),
        help="the regions to collect (default: the 17 AWS enables by default); all: every enabled one",
    )
    parser.add_argument("--project", type=int, nargs="*", default=[1_000, 10_000], help="accounts to project")
    parser.add_argument(
        "--daily",
        action="store_true",
        help="after the full run, EC2 changes in a few regions, then collect --skip-unchanged-ec2",
    )
    parser.add_argument(
        "--changed", type=float, default=0.05, help="--daily: the share of account-regions changed"
    )
    args = parser.parse_args(argv)
    if args.daily:
        return daily(args)

    with tempfile.TemporaryDirectory() as tmp, LocalAws(record_api_calls=False) as aws:
        for key, value in aws.environment().items():
            os.environ[key] = value
        os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        role_arn, members, seeded = seed(aws, args.accounts)
        replay = "replayed by the proxy when seen before" if args.replay else "every one answered by it"
        print(
            f"Organization of {len(members)} member accounts on the local AWS (seeded through its API in "
            f"{seeded:.1f} s); {args.latency * 1000:.0f} ms added to every request by a proxy on 127.0.0.1, "
            f"{replay}"
        )
        proxy, port = start_proxy(aws.port, args.latency, args.replay)
        try:
            env = collector_environment(aws, port)
            db = Path(tmp) / "org.sqlite"
            cli = collect_command(args, role_arn, db)
            others = cpu_of(aws.pid), cpu_of(proxy.pid)
            measured = run_collector(env, cli)
            others = cpu_of(aws.pid) - others[0], cpu_of(proxy.pid) - others[1]
        finally:
            proxy.terminate()
            stats_line, _ = proxy.communicate()
        if measured.code not in (0, 1):
            print(measured.stderr, file=sys.stderr)
            return measured.code
        run = read_run(db)
        by_operation = Counter[tuple[str, str]]()
        for (_, service, operation), n in run.calls.items():
            by_operation[(service, operation)] += n
        member_role = f"arn:aws:iam::{members[0]}:role/{MEMBER_ROLE}"
        floor = botocore_floor(aws.endpoint_url, by_operation, member_role)
    report(args, members, run, measured, floor)
    stats = json.loads(stats_line.split("STATS ", 1)[1]) if "STATS " in stats_line else {}
    print(
        f"meanwhile, on the same {os.cpu_count()} cores: the local AWS used {others[0]:.1f} s of CPU, "
        f"the proxy {others[1]:.1f} s; the proxy relayed {stats.get('requests', '?')} requests, "
        f"{stats.get('replayed', '?')} of them replayed (load average {os.getloadavg()[0]:.1f})"
    )
    return 0


def report(args: argparse.Namespace, members: list[str], run: Run, measured: Measured, floor: float) -> None:
    total = sum(run.calls.values())
    member = set(members)
    per_fetcher: dict[str, int] = defaultdict(int)
    for (account, service, operation), n in run.calls.items():
        if account in member:
            name = "discovery" if (service, operation) in DISCOVERY_CALLS else service
            per_fetcher[name] += n
    count = len(members)
    print(f"API calls: {total} in all; a member account, by fetcher (mean of {count}):")
    print("  " + ", ".join(f"{k} {v / count:.1f}" for k, v in sorted(per_fetcher.items())))
    per_member = sum(per_fetcher.values()) / count
    discovery_calls = sum(n for (_, s, o), n in run.calls.items() if (s, o) in DISCOVERY_CALLS)
    sustained = (total - discovery_calls) / run.collecting
    before = measured.wall - run.collecting  # start-up and discovery: per account, it grows with them
    print(
        f"collector: wall {measured.wall:.1f} s ({before:.1f} s start-up and discovery, then "
        f"{run.collecting:.0f} s collecting at {sustained:.0f} calls/s); {total / measured.wall:.0f} calls/s"
        " over the whole run"
    )
    print(
        f"  CPU {measured.cpu:.1f} s = {measured.cpu / total * 1000:.2f} ms a call (botocore alone: "
        f"{floor * 1000:.2f} ms a call); peak RSS {measured.peak_rss_mib:.0f} MiB (all its processes "
        f"together); {run.scopes} scopes; exit {measured.code}"
    )
    regions = per_fetcher.get("cloudtrail", 0) / count  # one LookupEvents page a region in these accounts
    items = count * (1 + regions)
    cpu_per_item = measured.cpu / max(1.0, items)
    print(
        f"projected: start-up and discovery scaled by accounts, then {per_member:.0f} calls a member "
        f"account ({regions:.0f} regions) at {sustained:.0f} calls/s; beside it the pipeline benchmark's "
        f"CLI model given this run's CPU per work item ({cpu_per_item * 1000:.0f} ms) over its processes:"
    )
    for accounts in args.project:
        wall = before * accounts / count + accounts * (per_member - 2) / sustained
        global_wall = per_fetcher["iam"] / count * args.latency
        glob = pipeline_scale.ItemProfile(wall=global_wall, cpu=0, calls=0, puts=0)
        per_region = (per_fetcher["ec2"] + per_fetcher["cloudtrail"]) / count / max(1.0, regions)
        regional = pipeline_scale.ItemProfile(wall=per_region * args.latency, cpu=0, calls=0, puts=0)
        workers = (args.workers or DEFAULT_WORKERS) * (args.processes or one_per_core())
        model = pipeline_scale.cli(
            accounts, round(regions), glob, regional, workers, args.latency, cpu_per_item
        )
        print(f"  {accounts:>6} accounts: {wall / 60:6.1f} min   (model: {model.wall / 60:6.1f} min)")


# --- --daily: a full run, EC2 changes in a few regions, then a run that skips the unchanged ones -----------


def daily(args: argparse.Namespace) -> int:
    """The full run, then a security group created in ``--changed`` of the account-regions (chosen at
    random, seeded), then ``collect --skip-unchanged-ec2`` into the same database: calls per member account
    of both runs and how many regions were read again. The local AWS records every mutating call as a
    CloudTrail event here (the main benchmark turns that off), and the proxy replays nothing: a replayed
    answer could be another account's, or the state before the change."""
    with tempfile.TemporaryDirectory() as tmp, LocalAws() as aws:
        for key, value in aws.environment().items():
            os.environ[key] = value
        os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        role_arn, members, seeded = seed(aws, args.accounts)
        print(
            f"Organization of {len(members)} member accounts on the local AWS (seeded in {seeded:.1f} s); "
            f"{args.latency * 1000:.0f} ms added to every request, none replayed"
        )
        proxy, port = start_proxy(aws.port, args.latency, False)
        try:
            env = collector_environment(aws, port)
            db = Path(tmp) / "org.sqlite"
            cli = collect_command(args, role_arn, db)
            full = run_collector(env, cli)
            changed = _change_ec2(aws, db, set(members), args.changed)
            time.sleep(1.1)  # (the next run's CloudTrail window ends at a whole second: after the changes)
            skipping = run_collector(env, [*cli, "--skip-unchanged-ec2"])
        finally:
            proxy.terminate()
            proxy.communicate()
        for measured in (full, skipping):
            if measured.code not in (0, 1):
                print(measured.stderr, file=sys.stderr)
                return measured.code
        _report_daily(db, members, changed, (full, skipping))
    return 0


def _change_ec2(aws: LocalAws, db: Path, members: set[str], share: float) -> set[tuple[str, str]]:
    """A security group in the default VPC of a random ``share`` of the member account-regions collected."""
    with sqlite3.connect(db) as conn:
        pairs = sorted(
            (a, r)
            for a, r in conn.execute(
                "SELECT account_id, region FROM scopes WHERE service = 'ec2' AND status = 'complete'"
            )
        )
    pairs = [p for p in pairs if p[0] in members]
    chosen = random.Random(16).sample(pairs, max(1, round(share * len(pairs))))
    management = management_session(aws.endpoint_url)

    def change(pair: tuple[str, str]) -> None:
        ec2 = member_session(management, pair[0]).client("ec2", pair[1])
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
        ec2.create_security_group(GroupName="daily-change", Description="daily", VpcId=vpcs[0]["VpcId"])

    map_all(change, chosen)
    return set(chosen)


def _report_daily(
    db: Path, members: list[str], changed: set[tuple[str, str]], measured: tuple[Measured, Measured]
) -> None:
    member = set(members)
    with sqlite3.connect(db) as conn:
        first, second = (r[0] for r in conn.execute("SELECT run_id FROM runs ORDER BY started_at, rowid"))
        calls: dict[str, Counter[str]] = {first: Counter(), second: Counter()}
        for run, account, service, n in conn.execute(
            "SELECT run_id, account_id, service, calls FROM api_calls"
        ):
            if account in member:
                calls[run][service] += n
        notes = conn.execute(
            "SELECT account_id, region, detail FROM scope_history WHERE run_id = ? AND service = 'ec2'",
            (second,),
        ).fetchall()
    reread = {(a, r) for a, r, detail in notes if "full read:" in detail}
    skipped = {(a, r) for a, r, detail in notes if "unchanged:" in detail}
    count = len(members)
    for name, run, took in (("full run", first, measured[0]), ("daily run", second, measured[1])):
        per = calls[run]
        print(
            f"{name}: {sum(per.values()) / count:.1f} calls a member account ("
            + ", ".join(f"{k} {v / count:.1f}" for k, v in sorted(per.items()))
            + f"); wall {took.wall:.1f} s, CPU {took.cpu:.1f} s, exit {took.code}"
        )
    ratio = sum(calls[first].values()) / max(1, sum(calls[second].values()))
    print(
        f"daily / full: {ratio:.2f} times fewer calls; EC2 regions read again {len(reread)}, skipped "
        f"{len(skipped)} (changed: {len(changed)}, every one read again: {changed <= reread})"
    )


if __name__ == "__main__":
    sys.exit(main())
