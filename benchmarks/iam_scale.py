"""Collect one synthetic account of N roles through the real collector; print one JSON line of figures.

Run by ``python -m benchmarks`` in a fresh process per size, so that peak memory is this size's own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic_iam import ACCOUNT, Shape, SyntheticIam
from collector.runner import execute, prepare
from collector.settings import RunSettings
from collector.store import SqliteStore


def _offline_environment() -> None:
    # The synthetic account answers in-process: no endpoint, no real credentials, no profile files.
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "AKIDSYNTHETIC",
            "AWS_SECRET_ACCESS_KEY": "synthetic",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(roles: int, latency: float) -> dict[str, object]:
    _offline_environment()
    fake = SyntheticIam(Shape.for_roles(roles), latency=latency)
    # The IAM fetcher only: the synthetic account answers IAM and STS, nothing else (the endpoint guard
    # stops any other call before it leaves the machine).
    settings = RunSettings(
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/Reader",
        external_id="bench-external-id",
        api_rate=1_000_000.0,
        fetchers=("iam",),
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        baseline = _peak_rss_mib()
        started = time.perf_counter()
        with SqliteStore(db) as store:
            prepared = prepare(settings, prepare_session=fake.install)
            manifest = execute(prepared, store, state=store)
            counts = store.counts()
        wall = time.perf_counter() - started
    calls = {f"{c.service}:{c.operation}": c.calls for c in manifest.api_calls if c.service == "iam"}
    assert manifest.complete, [s.detail for s in manifest.scopes]
    assert counts["roles"] == roles and counts["users"] == fake.shape.users
    return {
        "roles": roles,
        "entities": fake.shape.entities,
        "api_calls": sum(calls.values()),
        "minimum_calls": fake.minimum_calls(),
        "per_entity_calls": fake.per_entity_calls(),
        "details_pages": calls["iam:GetAccountAuthorizationDetails"],
        "wall_seconds": round(wall, 3),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "baseline_rss_mib": round(baseline, 1),
        "records": sum(counts.values()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roles", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every IAM call")
    args = parser.parse_args(argv)
    json.dump(run(args.roles, args.latency), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
