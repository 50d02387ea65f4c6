"""CloudTrail pacing against the local LookupEvents emulation (2 requests a second per account and region,
50 events a page, ThrottlingException beyond): events a second per region against the 100 a second that
2 requests x 50 events allow, for one region and several in parallel, with the collector's own pacing and,
for contrast, without it (botocore's retries alone).

Each case seeds its own account (so no emulator state carries over), collects it through the real
collector (``prepare`` + ``execute``, the SQLite store), and prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collector import aws as collector_aws
from collector.runner import execute, prepare
from collector.services.cloudtrail import fetch as cloudtrail
from collector.settings import RunSettings
from collector.store import SqliteStore
from local_aws.emulator.cloudtrail.events import ManagementEvent
from local_aws.emulator.server import LocalAws
from local_aws.seed import account_session

CEILING = 2 * cloudtrail.PAGE_SIZE  # events a second per account and region: 2 requests x 50 events
DEFAULT_RATES = dict(collector_aws.KNOWN_API_RATES)
REGIONS = ("eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-2")
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


@dataclass(frozen=True)
class Case:
    regions: int
    events_per_region: int
    rate: float | None = None  # the collector's LookupEvents rate; None: its own (collector.aws)


def _seed(aws: LocalAws, account_id: str, regions: Sequence[str], events: int) -> str:
    """``events`` events a region over the last day in a fresh account; returns the reader role's ARN."""
    now = datetime.now(UTC)
    batch = [
        ManagementEvent.create(
            account_id=account_id,
            region=region,
            event_name="RunInstances",
            event_source="ec2.amazonaws.com",
            event_time=now - timedelta(seconds=1 + i * 86_000 / events),
        )
        for region in regions
        for i in range(events)
    ]
    for start in range(0, len(batch), 1000):
        aws.seed_cloudtrail_events(batch[start : start + 1000])
    iam = account_session(aws.endpoint_url, account_id).client("iam")
    return str(iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"])


def run_case(aws: LocalAws, case: Case, account_id: str) -> dict[str, object]:
    regions = REGIONS[: case.regions]
    role = _seed(aws, account_id, regions, case.events_per_region)
    rates = dict(DEFAULT_RATES)
    if case.rate is not None:
        rates["cloudtrail:LookupEvents"] = case.rate
    collector_aws.KNOWN_API_RATES = rates  # read when the run's CallPacer is created
    settings = RunSettings(
        role_arn=role,
        external_id="bench-external-id",
        regions=regions,
        fetchers=("cloudtrail",),
        cloudtrail_lookback_days=2,
        workers=len(regions),
    )
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.sqlite") as store:
        prepared = prepare(settings)
        started = time.perf_counter()
        manifest = execute(prepared, store, state=store)
        wall = time.perf_counter() - started
        collected = store.counts()["cloudtrail_events"]
    assert manifest.complete, [s.detail for s in manifest.scopes if not s.status.is_ok]
    assert collected == case.regions * case.events_per_region, collected
    (lookups,) = [c for c in manifest.api_calls if c.operation == "LookupEvents"]
    # Regions run in parallel, each in at most the wall time: a per-region rate that never flatters.
    per_region = case.events_per_region / wall
    return {
        "regions": case.regions,
        "client_rate": rates["cloudtrail:LookupEvents"],
        "events_per_region": case.events_per_region,
        "pages_per_region": lookups.calls // case.regions,
        "throttled": lookups.throttled,
        "wall_seconds": round(wall, 2),
        "events_per_second_per_region": round(per_region, 1),
        "requests_per_second_per_region": round(lookups.calls / case.regions / wall, 2),
        "events_per_second_total": round(collected / wall, 1),
        "ceiling_per_region": CEILING,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000, help="events per region (default 1000)")
    parser.add_argument("--regions", type=int, nargs="*", default=[1, 4], help="regions in parallel")
    parser.add_argument(
        "--contrast-rates",
        type=float,
        nargs="*",
        default=[1000.0],
        help="other client rates to run in one region, for contrast (default: 1000, i.e. unpaced)",
    )
    args = parser.parse_args(argv)
    cases = [Case(n, args.events) for n in args.regions]
    cases += [Case(1, args.events, rate) for rate in args.contrast_rates]
    with LocalAws(record_api_calls=False) as aws, aws.environ():
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            os.environ.pop(key, None)
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        for index, case in enumerate(cases):
            figures = run_case(aws, case, account_id=f"{300000000000 + index:012d}")
            json.dump(figures, sys.stdout)
            sys.stdout.write("\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
