"""The Step Functions pipeline against the single-machine CLI for 1,000 and 5,000 accounts: measured on a
sample, then projected, with what each costs.

1. Each kind of work item (an account's global item: IAM; a region's: EC2 and CloudTrail) is collected once
   by the real pipeline step (``steps.collect``, a Lambda's code) against a synthetic account answering at
   botocore's boundary after ``--latency`` seconds (benchmarks.synthetic_account): its wall time, CPU time
   (cold, then warm), API calls and S3 writes.
2. A sample organization is collected for real, with that latency: by the CLI's ``execute`` (8 threads, the
   SQLite store), whose wall time the model below predicts from step 1 (how far the model can be trusted),
   and item by item by the pipeline step (how stable an item's time is; this machine's two cores cannot
   stand in for 40 Lambdas' 40 CPUs).
3. The model projects N accounts x 17 regions (the regions enabled by default): the CLI as W workers that
   share one process (Python's GIL serializes the CPU work: wall >= total CPU), the pipeline as C Lambdas
   (wall = discovery + the items on C slots + per-item orchestration + cold starts + aggregation).

Prices: us-east-1 list prices (2025): Lambda x86 $0.0000166667 per GB-s and $0.20 per million requests;
Step Functions Standard $0.025 per 1,000 state transitions; S3 PUT $0.005 and GET $0.0004 per 1,000;
CloudWatch Logs ingestion $0.50 per GB; X-Ray $5 per million traces; EC2 m7i.large on demand $0.1008/hour
for the CLI's machine (per second while it runs). STS and SSM standard parameters are free.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.iam_scale import _offline_environment as offline_environment
from benchmarks.synthetic_account import SyntheticAccount
from benchmarks.synthetic_iam import Shape
from collector import registry
from collector.discovery import Discovery
from collector.models import GLOBAL, Account
from collector.pipeline import steps
from collector.pipeline.objects import MemoryObjects
from collector.plan import WorkItem, build_plan
from collector.runner import Prepared, execute, new_run_id, new_sessions
from collector.settings import RunSettings
from collector.store import SqliteStore

EXTERNAL_ID = "Bench-External-1"
FETCHERS = ("iam", "ec2", "cloudtrail")
DEFAULT_REGIONS = 17  # regions enabled by default in a commercial account
SAMPLE_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")

# Prices (us-east-1, 2025 list prices; see the module docstring).
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1e6
SFN_TRANSITION = 0.025 / 1000
S3_PUT = 0.005 / 1000
S3_GET = 0.0004 / 1000
LOGS_GB = 0.50
XRAY_TRACE = 5.0 / 1e6
EC2_HOUR = 0.1008  # m7i.large, 2 vCPU, 8 GiB

# Assumptions of the pipeline model (not measurable here), printed with the results.
COLD_START = 1.5  # s: a Python Lambda's first invocation (runtime, boto3 and the collector imported)
ORCHESTRATION = 0.15  # s: a Distributed Map child execution started and its Lambda invoked
S3_LATENCY = 0.02  # s: one small object written or read from a Lambda
TRANSITIONS_PER_ITEM = 2  # a child execution: its start and its one Task state
TRANSITIONS_PER_RUN = 8  # Discover, the Map, Aggregate, Outcome, Done, the Map Run's own
LOG_BYTES_PER_ITEM = 6_000  # the child's execution events (level ALL, no data) and the Lambda's lines
COLLECT_GB, STEP_GB = 0.5, 1.0  # memory of the collect function, and of discover and aggregate


@dataclass(frozen=True)
class ItemProfile:
    wall: float  # seconds, one item alone (latency-bound)
    cpu: float  # seconds of CPU
    calls: int
    puts: int  # objects written to S3


def _role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/ReadOnlyIntegrationRole"


def _account_ids(n: int) -> list[str]:
    return [f"{100000000000 + i:012d}" for i in range(n)]


def _request(regions: Sequence[str], lookback_days: int = 7) -> dict[str, Any]:
    return {
        "customer": "bench",
        "role_arn": _role(_account_ids(1)[0]),
        "organization": True,
        "regions": list(regions),
        "fetchers": list(FETCHERS),
        "cloudtrail_lookback_days": lookback_days,
    }


def _step_env(account: SyntheticAccount, objects: MemoryObjects) -> steps.StepEnv:
    return steps.StepEnv(objects, external_ids=lambda customer: EXTERNAL_ID, prepare_session=account.install)


def profile(item: WorkItem, account: SyntheticAccount) -> ItemProfile:
    """One item through the pipeline's collect step, alone."""
    objects = MemoryObjects()
    run = {"run_id": new_run_id(), "customer": "bench", "request": _request(SAMPLE_REGIONS)}
    started, cpu = time.perf_counter(), time.process_time()
    summary = steps.collect({"item": item.to_json(), "run": run}, _step_env(account, objects))
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    assert set(summary["statuses"]) == {"complete"}, summary
    manifest_key = next(k for k in objects.objects if "/items/" in k)
    calls = sum(c["calls"] for c in json.loads(objects.objects[manifest_key])["api_calls"])
    return ItemProfile(wall, used, calls, objects.puts)


# --- the scheduling model -------------------------------------------------------------------------------


def makespan(durations: Sequence[float], slots: int) -> float:
    """Items taken in order by the first free of ``slots`` workers (a thread pool, a Map's concurrency)."""
    free = [0.0] * min(slots, max(1, len(durations)))
    heapq.heapify(free)
    end = 0.0
    for duration in durations:
        start = heapq.heappop(free)
        end = max(end, start + duration)
        heapq.heappush(free, start + duration)
    return end


@dataclass(frozen=True)
class Projection:
    wall: float
    cost: float


def plan_durations(accounts: int, regions: int, glob: ItemProfile, regional: ItemProfile) -> list[float]:
    """The plan's order: every account's global item, then each account's regions."""
    return [glob.wall] * accounts + [regional.wall] * (accounts * regions)


def discovery_wall(accounts: int, workers: int, latency: float) -> float:
    """ListAccounts (20 a page), then AssumeRole + DescribeRegions per account on ``workers`` threads."""
    return math.ceil(accounts / 20) * latency + math.ceil(accounts / workers) * 2 * latency


def cli(
    accounts: int,
    regions: int,
    glob: ItemProfile,
    regional: ItemProfile,
    workers: int,
    latency: float,
    cpu_per_item: float,
) -> Projection:
    """Items on ``workers`` threads of one process: never faster than its CPU work on one core (the GIL)."""
    durations = plan_durations(accounts, regions, glob, regional)
    cpu = accounts * (1 + regions) * cpu_per_item
    wall = discovery_wall(accounts, workers, latency) + max(makespan(durations, workers), cpu)
    return Projection(wall, wall / 3600 * EC2_HOUR)


def pipeline(
    accounts: int, regions: int, glob: ItemProfile, regional: ItemProfile, concurrency: int, latency: float
) -> Projection:
    items = accounts * (1 + regions)
    # Each Lambda also assumes its account's role and reads the ExternalId (two more round trips).
    per_item = 2 * latency + ORCHESTRATION
    durations = [d + per_item for d in plan_durations(accounts, regions, glob, regional)]
    discover = discovery_wall(accounts, 32, latency) + COLD_START
    aggregate = COLD_START + math.ceil(items / steps.READ_WORKERS) * S3_LATENCY
    wall = discover + makespan(durations, concurrency) + COLD_START + aggregate
    collect_seconds = sum(durations) + concurrency * COLD_START
    lambda_cost = (collect_seconds * COLLECT_GB + (discover + aggregate) * STEP_GB) * LAMBDA_GB_SECOND + (
        items + 2
    ) * LAMBDA_REQUEST
    puts = accounts * glob.puts + accounts * regions * regional.puts
    gets = items + accounts * (1 + 2 * regions)  # aggregation: every item; checkpoints: every scope
    cost = (
        lambda_cost
        + (items * TRANSITIONS_PER_ITEM + TRANSITIONS_PER_RUN) * SFN_TRANSITION
        + puts * S3_PUT
        + gets * S3_GET
        + items * LOG_BYTES_PER_ITEM / 1e9 * LOGS_GB
        + items * XRAY_TRACE
    )
    return Projection(wall, cost)


# --- measured samples -----------------------------------------------------------------------------------


def sample_cli(account: SyntheticAccount, accounts: int, workers: int) -> tuple[float, float]:
    """The CLI's own run (execute: thread pool, SQLite writer thread) of the sample: wall and CPU seconds."""
    ids = _account_ids(accounts)
    settings = RunSettings(
        role_arn=_role(ids[0]), external_id=EXTERNAL_ID, organization=True, workers=workers, fetchers=FETCHERS
    )
    run_id = new_run_id()
    sessions = new_sessions(settings, run_id, prepare_session=account.install)
    fetchers = registry.select(FETCHERS)
    found = tuple(Account(a, _role(a)) for a in ids)
    regions: dict[str, tuple[str, ...]] = {a: SAMPLE_REGIONS for a in ids}
    discovery = Discovery(found, None, (), regions)
    plan = build_plan(found, fetchers, regions=regions)
    prepared = Prepared(run_id, settings, sessions, fetchers, discovery, plan)
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.sqlite") as store:
        started, cpu = time.perf_counter(), time.process_time()
        manifest = execute(prepared, store, state=store)
        wall, used = time.perf_counter() - started, time.process_time() - cpu
    assert manifest.complete, [s for s in manifest.scopes if not s.status.is_ok][:3]
    return wall, used


def sample_pipeline(account: SyntheticAccount, accounts: int) -> tuple[float, float]:
    """The sample's items through the pipeline step one after the other, as warm Lambdas run them (this
    machine cannot give 40 Lambdas 40 CPUs): mean wall of a global item and of a regional one."""
    ids = _account_ids(accounts)
    found = tuple(Account(a, _role(a)) for a in ids)
    plan = build_plan(found, registry.select(FETCHERS), regions={a: SAMPLE_REGIONS for a in ids})
    run = {"run_id": new_run_id(), "customer": "bench", "request": _request(SAMPLE_REGIONS)}
    env = _step_env(account, MemoryObjects())
    walls: dict[bool, list[float]] = {True: [], False: []}
    for item in plan.items:
        started = time.perf_counter()
        summary = steps.collect({"item": item.to_json(), "run": run}, env)
        walls[item.unit == GLOBAL].append(time.perf_counter() - started)
        assert set(summary["statuses"]) == {"complete"}, summary
    return sum(walls[True]) / len(walls[True]), sum(walls[False]) / len(walls[False])


def _hms(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every API call")
    parser.add_argument("--sample-accounts", type=int, default=16, help="accounts of the measured sample")
    parser.add_argument("--accounts", type=int, nargs="*", default=[1_000, 5_000])
    parser.add_argument("--roles", type=int, default=50, help="roles per synthetic account")
    parser.add_argument("--events", type=int, default=100, help="CloudTrail events a region per daily run")
    args = parser.parse_args(argv)
    offline_environment()
    shape = Shape.for_roles(args.roles)
    latency = args.latency

    title = (
        f"API latency {latency * 1000:.0f} ms, {args.roles} roles an account, {args.events} events a region"
    )
    print(f"Collecting at scale, the pipeline against the CLI ({title})")
    daily = SyntheticAccount(shape, events_per_region=args.events, latency=latency)
    backfill = SyntheticAccount(shape, events_per_region=args.events * 7, latency=latency)
    one = Account(_account_ids(1)[0], _role(_account_ids(1)[0]))
    kinds = (
        ("global (IAM)", GLOBAL, ("iam",), daily),
        ("region, daily", "eu-west-1", ("ec2", "cloudtrail"), daily),
        ("region, first run", "eu-west-1", ("ec2", "cloudtrail"), backfill),
    )
    profiles = []
    print("one work item alone through the pipeline's collect step (cold: a new Lambda; warm: the next one):")
    for name, unit, fetchers, account in kinds:
        cold = profile(WorkItem(one, unit, fetchers), account)
        warm = profile(WorkItem(one, unit, fetchers), account)
        profiles.append(warm)
        print(
            f"  {name:<18} wall {warm.wall:5.2f} s  cpu {warm.cpu * 1000:4.0f} ms"
            f" (cold {cold.cpu * 1000:4.0f} ms)  calls {warm.calls:3d}  S3 puts {warm.puts}"
        )
    glob, regional, first_regional = profiles

    n, w = args.sample_accounts, 8
    regions = len(SAMPLE_REGIONS)
    items = n * (1 + regions)
    measured_cli, cli_cpu = sample_cli(daily, n, w)
    cpu_per_item = cli_cpu / items
    predicted_cli = max(makespan(plan_durations(n, regions, glob, regional), w), cli_cpu)
    mean_global, mean_regional = sample_pipeline(daily, n)
    load = os.getloadavg()[0]
    print(f"measured sample: {n} accounts x {regions} regions = {items} items (real code and sleeps)")
    print(
        f"  CLI execute, {w} threads: {measured_cli:5.1f} s, {cli_cpu:4.1f} s CPU "
        f"({cpu_per_item * 1000:.0f} ms an item); model {predicted_cli:5.1f} s with a core to itself "
        f"(load here: {load:.1f})"
    )
    print(
        f"  pipeline step, item by item: global {mean_global:4.2f} s, regional {mean_regional:4.2f} s an item"
        f" (profile {glob.wall:4.2f} s, {regional.wall:4.2f} s)"
    )

    print(f"projected, {DEFAULT_REGIONS} regions per account:")
    columns = ("CLI 8 threads", "CLI 64 threads", "pipeline C=40", "pipeline C=400")
    print(f"  {'accounts':>8} {'run':<6} " + " ".join(f"{c:>18}" for c in columns))
    for accounts in args.accounts:
        for label, reg in (("daily", regional), ("first", first_regional)):
            cells = [
                cli(accounts, DEFAULT_REGIONS, glob, reg, 8, latency, cpu_per_item),
                cli(accounts, DEFAULT_REGIONS, glob, reg, 64, latency, cpu_per_item),
                pipeline(accounts, DEFAULT_REGIONS, glob, reg, 40, latency),
                pipeline(accounts, DEFAULT_REGIONS, glob, reg, 400, latency),
            ]
            text = " ".join(f"{_hms(p.wall):>9} ${p.cost:>7.2f}" for p in cells)
            print(f"  {accounts:>8} {label:<6} {text}")
    print("wall and cost of one run; first = a first run's 7-day CloudTrail backfill. CLI: an m7i.large for")
    print("the run (its CPU work runs on one core, the GIL); pipeline: Lambda, transitions, S3, logs, X-Ray.")
    print(
        f"assumed for the pipeline: a {COLD_START} s cold start per concurrent Lambda, {ORCHESTRATION} s to "
        f"start a child execution, {S3_LATENCY * 1000:.0f} ms an S3 object, "
        f"{TRANSITIONS_PER_ITEM} transitions an item."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
