"""Synthetic CloudTrail history for seeded accounts, and the snapshot of what the emulator holds.

Events are made of the seeded entities (a user or a role session as the actor, a seeded user, role,
instance or security group as the resource), spread over the last days, newest first on lookup. IAM, STS
and sign-in events go to us-east-1 only, as CloudTrail delivers global-service events there.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from local_aws.emulator.client import LocalAwsClient
from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource
from local_aws.emulator.cloudtrail.lookup import RETENTION
from local_aws.seed.specs import CloudTrailSpec
from local_aws.seed.truth import CloudTrailTruth, Ec2RegionTruth, IamTruth

GLOBAL_REGION = "us-east-1"


@dataclass(frozen=True)
class _Template:
    source: str
    name: str
    read_only: bool
    resource: str | None  # "user" | "role" | "instance" | "group" | None
    global_service: bool


_TEMPLATES = (
    _Template("signin.amazonaws.com", "ConsoleLogin", False, None, True),
    _Template("sts.amazonaws.com", "AssumeRole", True, "role", True),
    _Template("iam.amazonaws.com", "CreateAccessKey", False, "user", True),
    _Template("iam.amazonaws.com", "AttachRolePolicy", False, "role", True),
    _Template("iam.amazonaws.com", "PutUserPolicy", False, "user", True),
    _Template("ec2.amazonaws.com", "RunInstances", False, "instance", False),
    _Template("ec2.amazonaws.com", "StopInstances", False, "instance", False),
    _Template("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", False, "group", False),
    _Template("ec2.amazonaws.com", "DescribeInstances", True, None, False),
)


def synthetic_events(
    spec: CloudTrailSpec, iam: IamTruth, ec2: Ec2RegionTruth | None, region: str, now: datetime
) -> list[ManagementEvent]:
    """``spec.events_per_account_region`` recent events and ``spec.expired_events`` older than 90 days."""
    rng = random.Random(f"{spec.seed}/{iam.account_id}/{region}")  # noqa: S311 - test data, not secrets
    templates = [t for t in _TEMPLATES if region == GLOBAL_REGION or not t.global_service]
    resources = {
        "user": [Resource("AWS::IAM::User", u) for u in iam.users],
        "role": [Resource("AWS::IAM::Role", r.name) for r in iam.roles],
        "instance": [Resource("AWS::EC2::Instance", i) for i in (ec2.instances if ec2 else ())],
        "group": [Resource("AWS::EC2::SecurityGroup", g) for g in (ec2.security_groups if ec2 else ())],
    }
    actors = [f"arn:aws:iam::{iam.account_id}:user/{u}" for u in iam.users] + [
        f"arn:aws:sts::{iam.account_id}:assumed-role/{r.name}/{r.name}-session" for r in iam.roles
    ]
    events = []
    ages = [rng.uniform(0, spec.days * 86400) for _ in range(spec.events_per_account_region)]
    ages += [RETENTION.total_seconds() + rng.uniform(86400, 10 * 86400) for _ in range(spec.expired_events)]
    for age in ages:
        template = rng.choice(templates)
        candidates = resources[template.resource] if template.resource else []
        events.append(
            ManagementEvent.create(
                account_id=iam.account_id,
                region=region,
                event_name=template.name,
                event_source=template.source,
                actor_arn=rng.choice(actors) if actors else None,
                event_time=now - timedelta(seconds=age),
                read_only=template.read_only,
                resources=[rng.choice(candidates)] if candidates else [],
            )
        )
    return events


def seed_cloudtrail(
    aws: LocalAwsClient,
    spec: CloudTrailSpec,
    iam: Sequence[IamTruth],
    ec2: Sequence[Ec2RegionTruth],
    regions: Sequence[str],
) -> frozenset[str]:
    """Seed synthetic events for every account in every region; returns their IDs."""
    now = datetime.now(UTC)
    by_region = {(t.account_id, t.region): t for t in ec2}
    events = [
        event
        for account in iam
        for region in regions
        for event in synthetic_events(spec, account, by_region.get((account.account_id, region)), region, now)
    ]
    ids: list[str] = []
    for start in range(0, len(events), 1000):  # keep each request small
        ids += aws.seed_cloudtrail_events(events[start : start + 1000])
    return frozenset(ids)


def cloudtrail_snapshot(
    aws: LocalAwsClient, accounts: Iterable[str], regions: Iterable[str], seeded: frozenset[str]
) -> CloudTrailTruth:
    """What the emulator holds now for every (account, region), and what LookupEvents would return."""
    floor = datetime.now(UTC) - RETENTION
    stored: dict[tuple[str, str], tuple[str, ...]] = {}
    visible: dict[tuple[str, str], tuple[str, ...]] = {}
    for account in accounts:
        for region in sorted({*regions, GLOBAL_REGION}):
            events = aws.cloudtrail_events(account, region)
            stored[(account, region)] = tuple(e.event_id for e in events)
            visible[(account, region)] = tuple(e.event_id for e in events if e.event_time >= floor)
    return CloudTrailTruth(MappingProxyType(stored), MappingProxyType(visible), seeded)
