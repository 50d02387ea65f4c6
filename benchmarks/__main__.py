"""``make bench``: the collector on synthetic accounts of growing size, one fresh process per size.

Prints, per size: API calls made against the minimum possible (and against a per-entity collector), the
GetAccountAuthorizationDetails pages, wall time and peak memory. Bounded: three sizes, a few seconds each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

SIZES = (100, 1_000, 5_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=list(SIZES), help="roles per synthetic account"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every IAM call")
    args = parser.parse_args(argv)
    print(
        "IAM inventory of one synthetic account (in-process fake IAM with AWS paging; real collector, store)"
    )
    print(
        f"{'roles':>6} {'entities':>8} {'calls':>6} {'minimum':>7} {'per-entity':>10} {'pages':>5} "
        f"{'wall s':>7} {'peak MiB':>8} {'base MiB':>8}"
    )
    for size in args.sizes:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.iam_scale",
                "--roles",
                str(size),
                "--latency",
                str(args.latency),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{r['roles']:>6} {r['entities']:>8} {r['api_calls']:>6} {r['minimum_calls']:>7} "
            f"{r['per_entity_calls']:>10} {r['details_pages']:>5} {r['wall_seconds']:>7} "
            f"{r['peak_rss_mib']:>8} {r['baseline_rss_mib']:>8}"
        )
    print("calls = what the collector made; minimum = fewest calls that read the account completely;")
    print("per-entity = a collector that lists then describes each entity; peak/base = process RSS.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
