"""Discovery: which accounts to collect (one account, or the organization's) and which regions of each.

The only calls made before the plan exists (and all that ``--dry-run`` makes).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from collector.aws import Sessions, partition_of
from collector.errors import classify
from collector.formats import ROLE_ARN_RE
from collector.models import GLOBAL, Account, Problem, ScopeKey
from collector.services.cloudtrail import fetch as cloudtrail
from collector.services.cloudtrail.catalog import LOG_FILE_PERMISSIONS
from collector.services.cloudtrail.trails import TrailSource
from collector.services.ec2 import fetch as ec2
from collector.services.identity_center.parse import IdentityCenterHome, choose_account
from collector.services.organizations import fetch as organizations
from collector.services.organizations import parse as parse_org

DISCOVERY = "discovery"  # the service name of discovery's own scope status


class DiscoveryError(Exception):
    """Discovery found something that cannot be right; recorded as the discovery scope's failure."""


@dataclass(frozen=True)
class Discovery:
    accounts: tuple[Account, ...]
    organization_account_id: str | None = None  # where the organization is read (organization mode)
    left_out: tuple[tuple[str, str], ...] = ()  # (account id, why) for organization accounts not collected
    regions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_enabled: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: tuple[tuple[ScopeKey, Problem], ...] = ()  # discovery faults, recorded as scope statuses
    identity_center: IdentityCenterHome | None = None  # the one account Identity Center is read in
    # The trail whose log files the cloudtrail fetcher reads; None: none usable (and why), or not asked.
    cloudtrail_trail: TrailSource | None = None
    cloudtrail_trail_problem: str | None = None


def account_of(role_arn: str) -> str:
    match = ROLE_ARN_RE.fullmatch(role_arn)
    if not match:
        raise ValueError(f"not a role ARN: {role_arn}")
    return match["account"]


def member_role_arn(account_id: str, role_name: str, partition: str) -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


def role_name_of(role_arn: str) -> str:
    return role_arn.rsplit("/", 1)[-1]


def organization_accounts(
    sessions: Sessions,
    role_arn: str,
    *,
    member_role_name: str,
    include_ous: Sequence[str] = (),
    exclude_ous: Sequence[str] = (),
) -> tuple[tuple[Account, ...], tuple[tuple[str, str], ...]]:
    """The organization's ACTIVE accounts (after the OU filters), each with the role to assume in it.

    The account whose role reads the organization is collected through that role; the others through the
    member role. The OU tree is walked only when a filter needs it.
    """
    home = Account(account_of(role_arn), role_arn)
    client = sessions.for_account(home).client("organizations")
    listed = organizations.list_accounts(client)
    if not listed:
        # An organization has at least its management account: an empty list is never a real answer.
        raise DiscoveryError(
            f"the organization of {home.account_id} listed no account: is {role_arn} in the management "
            "or a delegated-administrator account, and does the organization exist?"
        )
    tree = organizations.walk_tree(client) if include_ous or exclude_ous else None
    chosen, left_out = parse_org.select_accounts(listed, tree, include_ous, exclude_ous)
    partition = partition_of(role_arn)
    accounts = tuple(
        Account(
            item["Id"],
            role_arn
            if item["Id"] == home.account_id
            else member_role_arn(item["Id"], member_role_name, partition),
            item.get("Name", ""),
        )
        for item in sorted(chosen, key=lambda a: a["Id"])
    )
    return accounts, tuple(left_out)


def account_regions(
    sessions: Sessions, accounts: Sequence[Account], workers: int
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], list[tuple[ScopeKey, Problem]]]:
    """Every account's enabled (and not enabled) regions, in parallel; a fault is recorded per account."""

    def one(account: Account) -> ec2.AccountRegions | Problem:
        try:
            return ec2.account_regions(sessions.for_account(account).client("ec2"))
        except Exception as exc:
            return classify(exc, permissions=ec2.FETCHER.permissions.permissions)

    enabled: dict[str, tuple[str, ...]] = {}
    not_enabled: dict[str, tuple[str, ...]] = {}
    problems: list[tuple[ScopeKey, Problem]] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="regions") as pool:
        for account, found in zip(accounts, pool.map(one, accounts), strict=True):
            if isinstance(found, Problem):
                problems.append((ScopeKey(account.account_id, GLOBAL, DISCOVERY), found))
            else:
                enabled[account.account_id] = found.enabled
                not_enabled[account.account_id] = found.not_enabled
    return enabled, not_enabled, problems


def identity_center_home(
    sessions: Sessions, role_arn: str, accounts: Sequence[Account], organization: bool
) -> IdentityCenterHome | Problem:
    """The one account to read IAM Identity Center in (organization mode asks the organization, through
    the role that reads it); a fault is returned as the problem of the identity_center scope."""
    home = account_of(role_arn)
    if not organization:
        return IdentityCenterHome(home, True, "the collected account")
    try:
        org = sessions.for_account(Account(home, role_arn)).client("organizations")
        admin = organizations.identity_center_administration(org)
    except Exception as exc:
        return classify(exc, permissions=organizations.FETCHER.permissions.permissions)
    return choose_account(admin, (a.account_id for a in accounts))


def trail_source(
    sessions: Sessions,
    role_arn: str,
    accounts: Sequence[Account],
    *,
    log_archive_account_id: str | None,
    member_role_name: str,
    region: str,
) -> TrailSource | str:
    """The trail whose log files can be read, found through ``role_arn``'s account (DescribeTrails,
    GetEventSelectors) and read through the log-archive account's role (or ``role_arn``): a listing of
    its log prefix proves the read grant. Any fault, or no usable trail, is the reason returned."""
    reader = role_arn
    if log_archive_account_id is not None:
        known = {a.account_id: a.role_arn for a in accounts}
        reader = known.get(
            log_archive_account_id,
            member_role_arn(log_archive_account_id, member_role_name, partition_of(role_arn)),
        )
    try:
        return cloudtrail.find_trail(sessions.for_account, role_arn, reader, region)
    except cloudtrail.NoTrailError as exc:
        return str(exc)
    except Exception as exc:
        problem = classify(
            exc, permissions=(*cloudtrail.FETCHER.permissions.permissions, *LOG_FILE_PERMISSIONS)
        )
        return problem.describe()
