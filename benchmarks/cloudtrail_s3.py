"""CloudTrail management events read from the trail's log files in S3, on the local AWS: events a second
with 1, 4 and 16 account-regions in parallel (against LookupEvents' 100 a second per account-region), the
collecting process's peak memory, S3 GET and LIST requests per 10,000 events and their dollar cost.

Each case seeds a fresh account with a multi-region trail, delivers its log files (the emulator's delivery,
500 events a file, SSE-KMS), then runs the real collector (``prepare`` + ``execute``, the SQLite store,
``--cloudtrail-source s3``) in a child process of its own, so that its peak RSS is the collector's alone.
Prints one JSON line per case.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collector.runner import execute, prepare
from collector.services.cloudtrail.trails import Source
from collector.settings import RunSettings
from collector.store import SqliteStore
from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource
from local_aws.emulator.server import LocalAws
from local_aws.seed import account_session

REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ca-central-1",
    "sa-east-1",
)
# S3 Standard and KMS request prices (us-east-1, per request): GET $0.0004 and LIST $0.005 per 1,000;
# kms:Decrypt $0.03 per 10,000 (one per SSE-KMS object read without an S3 Bucket Key).
GET_PRICE, LIST_PRICE, DECRYPT_PRICE = 0.0004 / 1000, 0.005 / 1000, 0.03 / 10_000
LOOKUP_CEILING = 100  # LookupEvents: 2 requests a second x 50 events, per account and region
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["cloudtrail:*", "s3:*", "kms:*"], "Resource": "*"}],
    }
)


def seed(aws: LocalAws, account_id: str, regions: tuple[str, ...], events: int) -> tuple[str, int]:
    """A trail and ``events`` management events per region, delivered; the reader role and files."""
    session = account_session(aws.endpoint_url, account_id)
    iam = session.client("iam")
    role = iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.put_role_policy(RoleName="Reader", PolicyName="read", PolicyDocument=POLICY)
    key = session.client("kms").create_key()["KeyMetadata"]["Arn"]
    bucket = f"trail-{account_id}"
    session.client("s3").create_bucket(Bucket=bucket)
    trail = session.client("cloudtrail")
    trail.create_trail(Name="bench", S3BucketName=bucket, IsMultiRegionTrail=True, KmsKeyId=key)
    trail.put_event_selectors(
        TrailName="bench", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    trail.start_logging(Name="bench")
    now = datetime.now(UTC)
    for region in regions:
        batch = [
            ManagementEvent.create(
                account_id=account_id,
                region=region,
                event_name="RunInstances",
                event_source="ec2.amazonaws.com",
                event_time=now - timedelta(seconds=1 + i * 3_600 / events),
                resources=[Resource("AWS::EC2::Instance", f"i-{i:017x}")],
            )
            for i in range(events)
        ]
        for start in range(0, len(batch), 2000):
            aws.seed_cloudtrail_events(batch[start : start + 2000])
    files = aws.deliver_trail_logs()["logFiles"]
    return str(role), files


def collect(role: str, regions: list[str]) -> dict[str, object]:
    """The collector in this process: --cloudtrail-source s3 over ``regions``; its figures."""
    settings = RunSettings(
        role_arn=role,
        external_id="bench-external-id",
        regions=tuple(regions),
        fetchers=("cloudtrail",),
        cloudtrail_source=Source.S3,
        cloudtrail_lookback_days=1,
        workers=min(len(regions), 16),
    )
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.sqlite") as store:
        prepared = prepare(settings)
        started = time.perf_counter()
        manifest = execute(prepared, store, state=store)
        wall = time.perf_counter() - started
        collected = store.counts()["cloudtrail_events"]
    assert manifest.complete, [s.detail for s in manifest.scopes if not s.status.is_ok]
    calls = {c.operation: c.calls for c in manifest.api_calls if c.service == "s3"}
    return {
        "events": collected,
        "wall_seconds": round(wall, 2),
        "gets": calls.get("GetObject", 0),
        "lists": calls.get("ListObjectsV2", 0),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_case(aws: LocalAws, account_regions: int, events: int, account_id: str) -> dict[str, object]:
    regions = REGIONS[:account_regions]
    role, files = seed(aws, account_id, regions, events)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.cloudtrail_s3", "--collect", role, *regions],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=dict(os.environ),
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    total = int(figures["events"])
    assert total == account_regions * events, (total, account_regions * events)
    per_10k = 10_000 / total
    gets, lists = int(figures["gets"]), int(figures["lists"])
    return {
        "account_regions": account_regions,
        "events": total,
        "log_files": files,
        "wall_seconds": figures["wall_seconds"],
        "events_per_second": round(total / float(figures["wall_seconds"])),
        "lookup_events_ceiling": LOOKUP_CEILING * account_regions,
        "peak_rss_mib": figures["peak_rss_mib"],
        "gets_per_10k": round(gets * per_10k, 1),
        "lists_per_10k": round(lists * per_10k, 2),
        "dollars_per_10k": round((gets * GET_PRICE + lists * LIST_PRICE) * per_10k, 6),
        "dollars_per_10k_with_kms": round(
            (gets * (GET_PRICE + DECRYPT_PRICE) + lists * LIST_PRICE) * per_10k, 6
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5_000, help="events per account-region (default 5000)")
    parser.add_argument("--account-regions", type=int, nargs="*", default=[1, 4, 16])
    parser.add_argument("--collect", nargs="+", metavar=("ROLE", "REGION"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.collect:  # the child process: collect only
        role, *regions = args.collect
        print(json.dumps(collect(role, regions)))
        return
    with LocalAws(record_api_calls=False, cloudtrail_delivery_seconds=None) as aws, aws.environ():
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            os.environ.pop(key, None)
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        for index, count in enumerate(args.account_regions):
            figures = run_case(aws, count, args.events, account_id=f"{310000000000 + index:012d}")
            json.dump(figures, sys.stdout)
            sys.stdout.write("\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
