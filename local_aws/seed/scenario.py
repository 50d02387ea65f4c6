"""Seed a whole organization in one call: the demo's small realistic org, or a big one for benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable

from local_aws.emulator.client import LocalAwsClient
from local_aws.seed.account_access import seed_account_access
from local_aws.seed.cloudtrail import cloudtrail_snapshot, seed_cloudtrail
from local_aws.seed.ec2 import peer_vpcs, seed_ec2
from local_aws.seed.ec2_resources import seed_ec2_resources
from local_aws.seed.federation import seed_federation
from local_aws.seed.iam import seed_iam
from local_aws.seed.identity_center import seed_identity_center
from local_aws.seed.organization import create_organization
from local_aws.seed.sessions import (
    ORGANIZATION_ACCESS_ROLE,
    AccountSession,
    management_session,
    member_session,
)
from local_aws.seed.specs import Ec2Spec, OrganizationSpec
from local_aws.seed.truth import (
    Ec2RegionTruth,
    FederationTruth,
    IamTruth,
    OrganizationTruth,
    RoleTruth,
    SeededOrganization,
)

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    return None


class AwsManagedPoliciesMissingError(RuntimeError):
    pass


def _require_aws_managed_policies(management: AccountSession, spec: OrganizationSpec) -> None:
    wanted = [
        *spec.iam.aws_managed_policies,
        *spec.management_iam.aws_managed_policies,
        *(p for ps in spec.identity_center.permission_sets for p in ps.aws_managed_policies),
    ]
    if not wanted:
        return
    iam = management.client("iam")
    try:
        iam.get_policy(PolicyArn=wanted[0])
    except iam.exceptions.NoSuchEntityException as missing:
        raise AwsManagedPoliciesMissingError(
            f"the spec attaches AWS-managed policies ({wanted[0]} ...) but the server has none: start it "
            "with LocalAws(load_aws_managed_policies=True), or seed without them (aws_managed_policies=())"
        ) from missing


def _access_role(account_id: str, management_account_id: str) -> IamTruth:
    """The role Organizations creates in every account it creates."""
    role = RoleTruth(
        ORGANIZATION_ACCESS_ROLE,
        f"arn:aws:iam::{account_id}:role/{ORGANIZATION_ACCESS_ROLE}",
        "/",
        (f"arn:aws:iam::{management_account_id}:root",),
    )
    return IamTruth(account_id=account_id, roles=(role,))


def seed_organization(
    aws: LocalAwsClient, spec: OrganizationSpec | None = None, *, progress: Progress = quiet
) -> SeededOrganization:
    """Seed ``spec`` (default: the demo organization) into a freshly reset local AWS; returns the truth."""
    spec = spec or OrganizationSpec.demo()
    started = time.monotonic()

    def step(message: str) -> None:
        progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    management = management_session(aws.endpoint_url)
    _require_aws_managed_policies(management, spec)
    step("organization, OUs and member accounts")
    organization = create_organization(management, spec)
    members = {a: member_session(management, a) for a in organization.member_account_ids}
    sessions = {organization.management_account_id: management, **members}

    iam: dict[str, IamTruth] = {}
    federation: list[FederationTruth] = []
    for account_id, session in sessions.items():
        step(f"IAM in {account_id}")
        is_management = account_id == organization.management_account_id
        iam[account_id] = seed_iam(session, spec.management_iam if is_management else spec.iam)
        if not is_management:
            iam[account_id] = iam[account_id].plus(
                _access_role(account_id, organization.management_account_id)
            )
            found, roles = seed_federation(session, spec.federation, organization, spec.iam.users)
            iam[account_id] = iam[account_id].plus(roles)
            federation.append(found)

    ec2: list[Ec2RegionTruth] = []
    for account_id, session in sessions.items():
        step(f"EC2 in {account_id}")
        is_management = account_id == organization.management_account_id
        account_spec = Ec2Spec(vpcs=0) if is_management else spec.ec2
        profiles = iam[account_id].instance_profiles
        regional = [
            seed_ec2(
                session,
                region,
                account_spec,
                instance_profile_arn=profiles[0] if profiles else None,
                vpc_offset=index * max(account_spec.vpcs, 1),
            )
            for index, region in enumerate(spec.regions)
        ]
        if (
            spec.ec2_resources
            and not is_management
            and account_spec.vpcs
            and account_spec.instances_per_subnet
        ):
            organization_arn, ou_arn = _sharing_targets(organization, account_id)
            regional = [
                seed_ec2_resources(
                    session,
                    truth,
                    organization_arn=organization_arn,
                    ou_arn=ou_arn,
                    instance_profile_arn=profiles[0] if profiles else None,
                    variant=index,
                )
                for index, truth in enumerate(regional)
            ]
        if len(regional) >= 2 and account_spec.vpcs:
            first, second = regional[0], regional[1]
            peering = peer_vpcs(
                session,
                (first.region, _created_vpc(first)),
                (second.region, _created_vpc(second)),
            )
            regional[0], regional[1] = first.with_peering(peering), second.with_peering(peering)
        ec2 += regional

    step("IAM Identity Center")
    identity_center, sso_iam = seed_identity_center(management, spec.identity_center, members)
    for fragment in sso_iam:
        iam[fragment.account_id] = iam[fragment.account_id].plus(fragment)

    account_access = None
    if spec.identity_center.account_access:
        step("Account Access Manager")
        account_access = seed_account_access(
            management, identity_center, [iam[a] for a in organization.member_account_ids]
        )

    step("CloudTrail events")
    accounts = organization.account_ids
    seeded = seed_cloudtrail(aws, spec.cloudtrail, [iam[a] for a in accounts], ec2, spec.regions)
    cloudtrail = cloudtrail_snapshot(aws, accounts, spec.regions, seeded)
    step("done")
    return SeededOrganization(
        organization=organization,
        regions=spec.regions,
        iam=tuple(iam[a] for a in accounts),
        ec2=tuple(ec2),
        identity_center=identity_center,
        cloudtrail=cloudtrail,
        federation=tuple(federation),
        account_access=account_access,
    )


def _sharing_targets(organization: OrganizationTruth, account_id: str) -> tuple[str, str | None]:
    """The organization's ARN and the account's OU's (None under the root): what AMIs are shared with."""
    prefix = f"arn:aws:organizations::{organization.management_account_id}"
    parent = next(a.parent_id for a in organization.accounts if a.id == account_id)
    ou = f"{prefix}:ou/{organization.organization_id}/{parent}" if parent.startswith("ou-") else None
    return f"{prefix}:organization/{organization.organization_id}", ou


def _created_vpc(truth: Ec2RegionTruth) -> str:
    return sorted(set(truth.vpcs) - {truth.default_vpc_id})[0]
