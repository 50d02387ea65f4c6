"""``make bench``: the collector on synthetic accounts of growing size, one fresh process per size; then
CloudTrail pacing against the local LookupEvents emulation.

Prints, per size: API calls made against the minimum possible (and against a per-entity collector), the
GetAccountAuthorizationDetails pages, wall time and peak memory. Bounded: three sizes, a few seconds each.
For CloudTrail: events a second per region against the 100 that 2 requests x 50 events allow, for one
region and four in parallel, and for contrast a client at exactly 2 requests a second and one unpaced
(about a minute in all). For IAM Identity Center: calls for organizations of 4 to 1,000 users, and the
account-assignment listing picked against the other one's cost (about a minute). Last, the Step Functions
pipeline against the CLI for 1,000 and 5,000 accounts: a measured sample, then projected wall time and cost
(benchmarks.pipeline_scale, about a minute). The report of a synthetic organization of 1,000 accounts and
100,000 roles: its time, memory, page size and load time in headless Chromium (benchmarks.report_scale).

``--only org`` (not in the default set: a few minutes): an organization of ``--accounts`` member accounts on
the local AWS, collected by the CLI through a latency proxy (``--latency``, default 200 ms):
benchmarks.org_scale.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

SIZES = (100, 1_000, 5_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=list(SIZES), help="roles per synthetic account"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every IAM call (org: every request, 0.2)"
    )
    parser.add_argument(
        "--only",
        choices=("iam", "cloudtrail", "cloudtrail-s3", "identity_center", "pipeline", "ec2", "report", "org"),
        help="run one benchmark only (org: not part of the default set, a few minutes)",
    )
    parser.add_argument("--accounts", type=int, default=100, help="org: member accounts to seed")
    # org's own options (--workers, --processes, --regions, --no-replay...): python -m benchmarks.org_scale -h
    args, org_options = parser.parse_known_args(argv)
    if org_options and args.only != "org":
        parser.error(f"unrecognized arguments: {' '.join(org_options)}")
    runs: dict[str, Callable[[], int]] = {
        "iam": lambda: iam_scale(args.sizes, args.latency),
        "cloudtrail": cloudtrail_pacing,
        "cloudtrail-s3": cloudtrail_s3,
        "identity_center": identity_center,
        "pipeline": pipeline_scale,
        "ec2": ec2_regions,
        "report": report_scale,
        "org": lambda: org_scale(args.accounts, args.latency or 0.2, org_options),
    }
    for name, run in runs.items():
        if args.only == name or (args.only is None and name != "org"):
            code = run()
            if code:
                return code
    return 0


def _run_module(module: str, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """One benchmark module in its own process (fresh interpreter, bounded time); its stderr on failure."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
    return done


Row = Callable[[dict[str, Any]], str]


def _table(module: str, args: Sequence[str], title: str, header: str, row: Row, notes: Sequence[str]) -> int:
    """A benchmark module that prints one JSON object a line, shown as a table: its title, the header, a row
    a line, then the notes that say what the columns mean."""
    done = _run_module(module, *args)
    if done.returncode != 0:
        return done.returncode
    print()
    print(title)
    print(header)
    for line in done.stdout.strip().splitlines():
        print(row(json.loads(line)))
    for note in notes:
        print(note)
    return 0


def iam_scale(sizes: list[int], latency: float) -> int:
    print(
        "IAM inventory of one synthetic account (in-process fake IAM with AWS paging; real collector, store)"
    )
    print(
        f"{'roles':>6} {'entities':>8} {'calls':>6} {'minimum':>7} {'per-entity':>10} {'pages':>5} "
        f"{'wall s':>7} {'peak MiB':>8} {'base MiB':>8}"
    )
    for size in sizes:
        args = ("--roles", str(size), "--latency", str(latency))
        done = _run_module("benchmarks.iam_scale", *args, timeout=600)
        if done.returncode != 0:
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


def _pacing_row(r: dict[str, Any]) -> str:
    share = f"{100 * r['events_per_second_per_region'] / r['ceiling_per_region']:.0f}%"
    return (
        f"{r['regions']:>7} {r['client_rate']:>8g} {r['events_per_region']:>6} "
        f"{r['pages_per_region']:>5} {r['throttled']:>9} {r['wall_seconds']:>6} "
        f"{r['events_per_second_per_region']:>11} "
        f"{share:>6} {r['requests_per_second_per_region']:>12} {r['events_per_second_total']:>10}"
    )


PACING_TITLE = (
    "CloudTrail LookupEvents against the local emulation (2 requests/s per account and region, 50 a page)"
)
PACING_NOTES = (
    "events = per region; wall = the whole run (assume role, every region in parallel, the store);",
    "client/s = the collector's LookupEvents pacing (its own first; then exactly 2/s, and unpaced).",
)


def cloudtrail_pacing() -> int:
    return _table(
        "benchmarks.cloudtrail_pacing",
        ("--contrast-rates", "2.0", "1000"),
        PACING_TITLE,
        f"{'regions':>7} {'client/s':>8} {'events':>6} {'pages':>5} {'throttled':>9} {'wall s':>6} "
        f"{'ev/s/region':>11} {'of 100':>6} {'req/s/region':>12} {'ev/s total':>10}",
        _pacing_row,
        PACING_NOTES,
    )


TRAIL_FILES_TITLE = (
    "CloudTrail from the trail's log files in S3 on the local AWS (500 events a file, SSE-KMS)"
)
TRAIL_FILES_NOTES = (
    "Lookup ev/s = LookupEvents' ceiling for as many account-regions (2 requests/s x 50 events each);",
    "peak = the collecting process's RSS; $ = S3 GET/LIST (and kms:Decrypt per object) at list prices.",
)


def cloudtrail_s3() -> int:
    return _table(
        "benchmarks.cloudtrail_s3",
        (),
        TRAIL_FILES_TITLE,
        f"{'acct-regions':>12} {'events':>7} {'files':>5} {'wall s':>6} {'ev/s':>6} {'Lookup ev/s':>11} "
        f"{'peak MiB':>8} {'GET/10k':>7} {'LIST/10k':>8} {'$/10k':>9} {'$/10k KMS':>9}",
        lambda r: (
            f"{r['account_regions']:>12} {r['events']:>7} {r['log_files']:>5} {r['wall_seconds']:>6} "
            f"{r['events_per_second']:>6} {r['lookup_events_ceiling']:>11} {r['peak_rss_mib']:>8} "
            f"{r['gets_per_10k']:>7} {r['lists_per_10k']:>8} {r['dollars_per_10k']:>9.6f} "
            f"{r['dollars_per_10k_with_kms']:>9.6f}"
        ),
        TRAIL_FILES_NOTES,
    )


def _ec2_row(r: dict[str, Any]) -> str:
    shape = r["shape"]
    rate = "default" if r["rate"] == "default" else "unpaced"
    return (
        f"{shape['snapshots']:>9} {shape['images']:>4} {shape['templates']:>9} {shape['services']:>8} "
        f"{shape['gateways']:>4} {rate:>8} {r['calls']:>5} {r['follow_up_calls']:>12} "
        f"{r['wall_seconds']:>6}"
    )


EC2_TITLE = (
    "EC2 calls per account and region (synthetic regions in-process, 50 ms a call, the real collector)"
)
EC2_NOTES = (
    "calls = every EC2 call of the region; an empty region: one per listing and setting (10 before the",
    "EC2 breadth issue); per-resource = shares, allowed principals, template versions, TGW route tables;",
    "default rate = 10 calls/s per operation, account and region, the per-resource calls 4 at a time.",
)


def ec2_regions() -> int:
    return _table(
        "benchmarks.ec2_regions",
        (),
        EC2_TITLE,
        f"{'snapshots':>9} {'AMIs':>4} {'templates':>9} {'services':>8} {'TGWs':>4} {'rate':>8} "
        f"{'calls':>5} {'per-resource':>12} {'wall s':>6}",
        _ec2_row,
        EC2_NOTES,
    )


IDENTITY_CENTER_TITLE = (
    "IAM Identity Center of a seeded organization (4 accounts, 3 permission sets) on the local AWS"
)
IDENTITY_CENTER_NOTES = (
    "pairs = provisioned (permission set, account) pairs; its calls = the assignment listing's calls;",
    "other = the fewest calls the other listing would need; calls = all (discovery included).",
)


def identity_center() -> int:
    return _table(
        "benchmarks.identity_center",
        (),
        IDENTITY_CENTER_TITLE,
        f"{'users':>5} {'groups':>6} {'pairs':>5} {'assignments':>11} {'listing':>20} "
        f"{'its calls':>9} {'other':>5} {'calls':>5} {'wall s':>6}",
        lambda r: (
            f"{r['users']:>5} {r['groups']:>6} {r['pairs']:>5} {r['assignments']:>11} {r['listing']:>20} "
            f"{r['assignment_calls']:>9} {r['other_listing_minimum']:>5} {r['calls']:>5} "
            f"{r['wall_seconds']:>6}"
        ),
        IDENTITY_CENTER_NOTES,
    )


def org_scale(accounts: int, latency: float, options: Sequence[str] = ()) -> int:
    """benchmarks.org_scale in its own process (a few minutes): it prints its own figures as it goes."""
    print()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.org_scale",
            "--accounts",
            str(accounts),
            "--latency",
            str(latency),
            *options,
        ],
        timeout=3600,
        check=False,
    )
    return done.returncode


def pipeline_scale() -> int:
    """benchmarks.pipeline_scale in its own process (about a minute): it prints its own table."""
    done = _run_module("benchmarks.pipeline_scale")
    if done.returncode != 0:
        return done.returncode
    print()
    print(done.stdout, end="")
    return 0


def report_scale() -> int:
    """benchmarks.report_scale: the report of a synthetic organization of 1,000 accounts, 100,000 roles."""
    done = _run_module("benchmarks.report_scale", "--accounts", "1000", "--roles", "100")
    if done.returncode != 0:
        return done.returncode
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print()
    print(
        f"The report of a synthetic organization: {r['accounts']:,} accounts, {r['roles']:,} roles, "
        f"{r['rows']:,} rows"
    )
    print(
        f"  database {r['db_mib']} MiB; `report` in its own process {r['report_seconds']} s, "
        f"peak RSS {r['peak_rss_mib']} MiB"
    )
    print(
        f"  page {r['page_mib']} MiB; headless Chromium to the drawn DOM "
        f"{r.get('browser_wall_seconds', '-')} s"
    )
    print(f"  (of which the page's script {r.get('script_ms', '-')} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
