"""The local AWS itself: server start, seeding speed, and LookupEvents paging at CloudTrail's rate limit.

``python -m benchmarks.local_aws`` prints one line per figure. Seeding is bounded by moto (one Python process,
about 11 ms a call for one client, half that for 2-4 concurrent clients on 2 cores); LookupEvents by the
documented 2 requests a second per account and region, which caps one region at 100 events a second.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, datetime, timedelta

from botocore.config import Config

from local_aws.emulator.cloudtrail.events import ManagementEvent
from local_aws.emulator.server import LocalAws
from local_aws.seed import OrganizationSpec, management_session, seed_organization

PATIENT = Config(retries={"mode": "standard", "max_attempts": 20})


def _lookup_rate(rate: float, events: int) -> tuple[float, int, int]:
    """(events per second, pages, throttled responses) paging ``events`` events of one account and region."""
    with LocalAws(cloudtrail_lookups_per_second=rate, record_api_calls=False) as server:
        now = datetime.now(UTC)
        server.seed_cloudtrail_events(
            ManagementEvent.create(
                account_id="123456789012",
                region="us-east-1",
                event_name="RunInstances",
                event_source="ec2.amazonaws.com",
                event_time=now - timedelta(seconds=i),
            )
            for i in range(events)
        )
        client = management_session(server.endpoint_url).session.client(
            "cloudtrail", region_name="us-east-1", endpoint_url=server.endpoint_url, config=PATIENT
        )
        throttled = 0
        started = time.monotonic()
        pages = seen = 0
        for page in client.get_paginator("lookup_events").paginate():
            pages += 1
            seen += len(page["Events"])
            throttled += page["ResponseMetadata"]["RetryAttempts"]
        elapsed = time.monotonic() - started
        assert seen == events, (seen, events)
        return seen / elapsed, pages, throttled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000, help="events to page through in one region")
    parser.add_argument("--accounts", type=int, default=5, help="member accounts of the sized organization")
    parser.add_argument("--users", type=int, default=200, help="IAM users per member account")
    args = parser.parse_args(argv)

    started = time.monotonic()
    with LocalAws(load_aws_managed_policies=True) as server:
        print(f"server start                      {time.monotonic() - started:7.2f} s")
        started = time.monotonic()
        demo = seed_organization(server, OrganizationSpec.demo())
        seconds = time.monotonic() - started
        accounts = len(demo.organization.accounts)
        print(f"seed demo organization            {seconds:7.2f} s  ({accounts} accounts)")
        server.reset()
        spec = OrganizationSpec.sized(member_accounts=args.accounts, users_per_account=args.users)
        started = time.monotonic()
        sized = seed_organization(server, spec)
        seconds = time.monotonic() - started
        counts = sized.counts()
        print(
            f"seed sized organization           {seconds:7.2f} s  "
            f"({args.accounts} members x {args.users} users: "
            f"{counts['users']} users, {counts['roles']} roles, {counts['access_keys']} keys, "
            f"{counts['ec2_instances']} instances, {counts['cloudtrail_events_stored']} events)"
        )
    for rate in (2.0, math.inf):
        per_second, pages, retries = _lookup_rate(rate, args.events)
        label = "LookupEvents at 2 requests/s" if rate == 2.0 else "LookupEvents, no rate limit"
        print(
            f"{label:<33} {per_second:7.1f} events/s ({args.events} events, {pages} pages, {retries} retries)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
