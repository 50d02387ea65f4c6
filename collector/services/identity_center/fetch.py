"""IAM Identity Center and its identity store: read once per organization, in the instance's home region.

Where: discovery picks one account (``organizations.identity_center_administration``, then ``choose_account``
in parse.py): the delegated administrator for sso.amazonaws.com, else the management account; a
single-account run reads its own account when --fetchers names this fetcher. Which region:
``FetchOptions.identity_center_region`` (``--identity-center-region``), else each instance's PrimaryRegion
from one ``ListInstances(RegionScope=ALL_REGIONS)`` in the partition's global region: never a call per region
or per account.

Outcomes that are not faults: no instance is a complete scope with a note saying so; an account instance is
recorded as such, with its identity store (account instances have no permission sets or account assignments).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from botocore.exceptions import ClientError

from collector.errors import error_code
from collector.fetch import FetchContext, Fetcher, Placement, Where
from collector.models import Record
from collector.services.identity_center import parse
from collector.services.identity_center.catalog import PERMISSIONS
from collector.services.identity_center.parse import AssignmentListing
from collector.services.identity_center.records import (
    AccountAssignment,
    IdentityStoreGroup,
    IdentityStoreMembership,
    IdentityStoreUser,
    InstanceType,
    PermissionSet,
    PermissionSetPolicy,
    ProvisionedPermissionSet,
    SsoApplication,
    SsoApplicationAssignment,
    SsoInstance,
    TrustedTokenIssuer,
)

PAGE_SIZE = 100  # the maximum of every sso-admin and identitystore listing
ALL_REGIONS = "ALL_REGIONS"
NO_ORGANIZATION = "AWSOrganizationsNotInUseException"
NOT_FOUND = "ResourceNotFoundException"
Item = Mapping[str, Any]
T = TypeVar("T")


class InputsMissingError(Exception):
    """A listing cannot run because what it needs was not read (that failure is recorded on its own)."""


def _pages_into(found: list[Item], client: Any, operation: str, key: str, **params: Any) -> None:
    """Append every item of a paginated listing, page by page, at the largest page size (pages may be
    empty and still carry a NextToken): a fault on a later page keeps the earlier ones."""
    pages = client.get_paginator(operation).paginate(**params, PaginationConfig={"PageSize": PAGE_SIZE})
    for page in pages:
        found.extend(page[key])


def _items(client: Any, operation: str, key: str, **params: Any) -> list[Item]:
    found: list[Item] = []
    _pages_into(found, client, operation, key, **params)
    return found


# --- the scope ----------------------------------------------------------------------------------------------


@dataclass
class _Gathered(Generic[T]):
    items: list[T] = field(default_factory=list)
    complete: bool = False  # False: a fault stopped the listing (it is recorded); ``items`` are what was read


def _gather(ctx: FetchContext, part: str, fill: Callable[[list[T]], None]) -> _Gathered[T]:
    """Run ``fill`` as a sub-part: what it appended before a fault is kept, and whether it finished."""
    gathered: _Gathered[T] = _Gathered()
    with ctx.part(part):
        fill(gathered.items)
        gathered.complete = True
    return gathered


def _instances(ctx: FetchContext) -> list[tuple[Item, str, str]]:
    """(instance, home region, region to read it in) for every instance the account sees."""
    region = ctx.options.identity_center_region
    if region:
        items = _items(ctx.clients.client("sso-admin", region), "list_instances", "Instances")
        return [(i, parse.home_region(i, region), region) for i in items]
    sso = ctx.client("sso-admin")  # the partition's global region
    called = str(sso.meta.region_name)
    items = _items(sso, "list_instances", "Instances", RegionScope=ALL_REGIONS)
    return [(i, home, home) for i in items for home in (parse.home_region(i, called),)]


def _management_account(ctx: FetchContext) -> str | None:
    """The organization's management account; None when the account belongs to no organization."""
    try:
        answer = ctx.client("organizations").describe_organization()
    except ClientError as exc:
        if error_code(exc) == NO_ORGANIZATION:
            return None
        raise
    return str(answer["Organization"]["MasterAccountId"])


def collect(ctx: FetchContext) -> Iterator[Record]:
    instances = _instances(ctx)  # the scope's main call: denied here, the whole scope is denied
    if not instances:
        where = ctx.options.identity_center_region or "any region"
        ctx.note(f"no IAM Identity Center instance is visible to this account in {where}")
        return
    known, management = False, None
    with ctx.part("organization"):
        management = _management_account(ctx)
        known = True
    for item, home, region in instances:
        kind = parse.instance_type(item.get("OwnerAccountId"), management) if known else None
        instance = parse.sso_instance(ctx.account.account_id, item, home, kind)
        yield instance
        yield from _instance(
            ctx, instance, region, kind, from_management=known and management == ctx.account.account_id
        )
        yield from _applications(ctx, instance, region)


def _instance(
    ctx: FetchContext, instance: SsoInstance, region: str, kind: InstanceType | None, *, from_management: bool
) -> Iterator[Record]:
    account = ctx.account.account_id
    store = ctx.clients.client("identitystore", region)
    sso = ctx.clients.client("sso-admin", region)
    store_id = instance.identity_store_id

    users: _Gathered[Item] = _gather(
        ctx,
        "identity_store_users",
        lambda out: _pages_into(out, store, "list_users", "Users", IdentityStoreId=store_id),
    )
    yield from (parse.identity_store_user(account, store_id, u) for u in users.items)
    groups: _Gathered[Item] = _gather(
        ctx,
        "identity_store_groups",
        lambda out: _pages_into(out, store, "list_groups", "Groups", IdentityStoreId=store_id),
    )
    yield from (parse.identity_store_group(account, store_id, g) for g in groups.items)
    with ctx.part("identity_store_memberships"):
        for group in groups.items:
            for m in _items(
                store,
                "list_group_memberships",
                "GroupMemberships",
                IdentityStoreId=store_id,
                GroupId=group["GroupId"],
            ):
                yield parse.identity_store_membership(account, store_id, m)

    if kind is InstanceType.ACCOUNT:
        ctx.note(f"{instance.instance_arn} is an account instance: no permission sets or account assignments")
        return
    sets: _Gathered[PermissionSet] = _gather(
        ctx, "permission_sets", lambda out: _permission_sets(out, sso, instance)
    )
    yield from sets.items
    for part, read in _POLICY_READS:
        with ctx.part(part):
            for ps in sets.items:
                yield from read(sso, ps)
    provisioned: _Gathered[ProvisionedPermissionSet] = _gather(
        ctx, "provisioned_accounts", lambda out: _provisioned(out, sso, instance, sets.items)
    )
    yield from provisioned.items
    # A listing's size counts only when it is complete: a strategy built on part of it would miss assignments.
    pairs = len(provisioned.items) if sets.complete and provisioned.complete else None
    principals = len(users.items) + len(groups.items) if users.complete and groups.complete else None
    listing = parse.assignment_listing(pairs, principals, from_management_account=from_management)
    with ctx.part("account_assignments"):
        if listing is None:
            raise InputsMissingError(
                "listing them completely needs every provisioned account (or, from the management account, "
                "every user and group), and those were not read"
            )
        ctx.note(
            f"listed {listing.value}: {pairs} provisioned pairs, {principals} users and groups",
            part="account_assignments",
        )
        if listing is AssignmentListing.PER_PROVISIONED_PAIR:
            yield from _assignments_per_pair(sso, instance, provisioned.items)
        else:
            yield from _assignments_per_principal(sso, instance, users.items, groups.items)


def _applications(ctx: FetchContext, instance: SsoInstance, region: str) -> Iterator[Record]:
    """Applications with their assignment configuration and assignments, then trusted token issuers; every
    instance kind has them. Listed per application (2 calls each, plus pages): applications are few next to
    the users and groups a per-principal listing would walk."""
    account, arn = ctx.account.account_id, instance.instance_arn
    sso = ctx.clients.client("sso-admin", region)
    applications: _Gathered[Item] = _gather(
        ctx,
        "applications",
        lambda out: _pages_into(out, sso, "list_applications", "Applications", InstanceArn=arn),
    )
    required: dict[str, bool] = {}
    with ctx.part("application_assignment_configuration"):
        for app in applications.items:
            required[app["ApplicationArn"]] = _assignment_required(sso, app["ApplicationArn"])
    # A fault above leaves the flag unknown (None), never loses the application.
    yield from (parse.application(account, a, required.get(a["ApplicationArn"])) for a in applications.items)
    with ctx.part("application_assignments"):
        for app in applications.items:
            found = _items(
                sso,
                "list_application_assignments",
                "ApplicationAssignments",
                ApplicationArn=app["ApplicationArn"],
            )
            yield from parse.application_assignments(account, arn, found)
    with ctx.part("trusted_token_issuers"):
        for issuer in _items(sso, "list_trusted_token_issuers", "TrustedTokenIssuers", InstanceArn=arn):
            described = _unless_not_found(
                sso.describe_trusted_token_issuer, TrustedTokenIssuerArn=issuer["TrustedTokenIssuerArn"]
            )
            yield parse.trusted_token_issuer(account, arn, issuer, described)


def _assignment_required(sso: Any, application_arn: str) -> bool:
    answer = sso.get_application_assignment_configuration(ApplicationArn=application_arn)
    return bool(answer["AssignmentRequired"])


def _unless_not_found(call: Callable[..., Item], **params: str) -> Item | None:
    """One Describe; None when the resource was deleted since it was listed."""
    try:
        return call(**params)
    except ClientError as exc:
        if error_code(exc) == NOT_FOUND:
            return None
        raise


def _permission_sets(found: list[PermissionSet], sso: Any, instance: SsoInstance) -> None:
    ids = {"InstanceArn": instance.instance_arn}
    for arn in _items(sso, "list_permission_sets", "PermissionSets", **ids):
        try:
            described = sso.describe_permission_set(**ids, PermissionSetArn=arn)["PermissionSet"]
        except ClientError as exc:
            if error_code(exc) == NOT_FOUND:
                continue  # deleted since it was listed
            raise
        found.append(parse.permission_set(instance.account_id, instance.instance_arn, described))


def _ids(ps: PermissionSet) -> dict[str, str]:
    return {"InstanceArn": ps.instance_arn, "PermissionSetArn": ps.permission_set_arn}


def _aws_managed(sso: Any, ps: PermissionSet) -> tuple[PermissionSetPolicy, ...]:
    items = _items(sso, "list_managed_policies_in_permission_set", "AttachedManagedPolicies", **_ids(ps))
    return parse.aws_managed_policies(ps, items)


def _customer_managed(sso: Any, ps: PermissionSet) -> tuple[PermissionSetPolicy, ...]:
    items = _items(
        sso,
        "list_customer_managed_policy_references_in_permission_set",
        "CustomerManagedPolicyReferences",
        **_ids(ps),
    )
    return parse.customer_managed_policies(ps, items)


def _inline(sso: Any, ps: PermissionSet) -> tuple[PermissionSetPolicy, ...]:
    return parse.inline_policy(ps, sso.get_inline_policy_for_permission_set(**_ids(ps)).get("InlinePolicy"))


def _boundary(sso: Any, ps: PermissionSet) -> tuple[PermissionSetPolicy, ...]:
    try:
        answer = sso.get_permissions_boundary_for_permission_set(**_ids(ps))
    except ClientError as exc:
        if error_code(exc) == NOT_FOUND:  # how the API says "this permission set has no boundary"
            return ()
        raise
    return parse.permissions_boundary(ps, answer.get("PermissionsBoundary"))


# One sub-part per policy kind: a denied action loses that kind only, and the problem names it.
_POLICY_READS: tuple[tuple[str, Callable[[Any, PermissionSet], tuple[PermissionSetPolicy, ...]]], ...] = (
    ("aws_managed_policies", _aws_managed),
    ("customer_managed_policies", _customer_managed),
    ("inline_policies", _inline),
    ("permissions_boundaries", _boundary),
)


def _provisioned(
    found: list[ProvisionedPermissionSet], sso: Any, instance: SsoInstance, sets: list[PermissionSet]
) -> None:
    for ps in sets:
        targets = _items(sso, "list_accounts_for_provisioned_permission_set", "AccountIds", **_ids(ps))
        found.extend(
            parse.provisioned(instance.account_id, instance.instance_arn, ps, (str(t) for t in targets))
        )


def _assignments_per_pair(
    sso: Any, instance: SsoInstance, provisioned: list[ProvisionedPermissionSet]
) -> Iterator[AccountAssignment]:
    for p in provisioned:
        items = _items(
            sso,
            "list_account_assignments",
            "AccountAssignments",
            InstanceArn=instance.instance_arn,
            AccountId=p.target_account_id,
            PermissionSetArn=p.permission_set_arn,
        )
        yield from parse.account_assignments(instance.account_id, instance.instance_arn, items)


def _assignments_per_principal(
    sso: Any, instance: SsoInstance, users: list[Item], groups: list[Item]
) -> Iterator[AccountAssignment]:
    for principal_type, key, listed in (("USER", "UserId", users), ("GROUP", "GroupId", groups)):
        for principal in listed:
            items = _items(
                sso,
                "list_account_assignments_for_principal",
                "AccountAssignments",
                InstanceArn=instance.instance_arn,
                PrincipalType=principal_type,
                PrincipalId=principal[key],
            )
            yield from parse.account_assignments(instance.account_id, instance.instance_arn, items)


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.GLOBAL,
    kinds=(
        SsoInstance,
        PermissionSet,
        PermissionSetPolicy,
        ProvisionedPermissionSet,
        AccountAssignment,
        IdentityStoreUser,
        IdentityStoreGroup,
        IdentityStoreMembership,
        SsoApplication,
        SsoApplicationAssignment,
        TrustedTokenIssuer,
    ),
    collect=collect,
    where=Where.IDENTITY_CENTER_ACCOUNT,
)
