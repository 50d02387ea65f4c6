"""AWS Account Access Manager: applications and their entitlements, read where Identity Center is read (the
one account discovery picks), in Identity Center's home region.

Per application: GetApplication, then ListEntitlements with an empty principal-role filter (no criterion, so
every entitlement; the API requires a filter). ListEntitlements already carries each entitlement's principal,
role and account, so GetEntitlement (which adds nothing) is not called and not granted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from collector.errors import error_code
from collector.fetch import FetchContext, Fetcher, Placement, Where
from collector.models import Record
from collector.services.account_access import parse
from collector.services.account_access.catalog import PERMISSIONS
from collector.services.account_access.records import AccessManagerApplication, AccessManagerEntitlement
from collector.services.identity_center.parse import home_region

PAGE_SIZE = 100  # the maximum of both listings
ALL_REGIONS = "ALL_REGIONS"
EVERY_ENTITLEMENT: dict[str, Any] = {"principalRole": {}}  # no criterion: all of them


def _regions(ctx: FetchContext) -> list[str]:
    """Identity Center's home region(s): the run's option, else one ListInstances in the global region."""
    if ctx.options.identity_center_region:
        return [ctx.options.identity_center_region]
    sso = ctx.client("sso-admin")
    called = str(sso.meta.region_name)
    pages = sso.get_paginator("list_instances").paginate(
        RegionScope=ALL_REGIONS, PaginationConfig={"PageSize": PAGE_SIZE}
    )
    return sorted({home_region(i, called) for page in pages for i in page["Instances"]})


def _pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[Any]:
    pages = client.get_paginator(operation).paginate(**params, PaginationConfig={"PageSize": PAGE_SIZE})
    for page in pages:
        yield from page[key]


def collect(ctx: FetchContext) -> Iterator[Record]:
    regions = _regions(ctx)
    if not regions:
        ctx.note("no IAM Identity Center instance: Account Access Manager has nothing to draw on")
        return
    account = ctx.account.account_id
    for region in regions:
        client = ctx.clients.client("account-access", region)
        applications = list(_pages(client, "list_applications", "applications"))  # the main call
        for listed in applications:
            arn = listed["applicationArn"]
            detail = None
            with ctx.part("applications"):
                detail = _unless_gone(client, arn)
            yield parse.application(account, listed, detail)
            with ctx.part("entitlements"):
                found = _pages(
                    client, "list_entitlements", "entitlements", applicationArn=arn, filter=EVERY_ENTITLEMENT
                )
                yield from parse.entitlements(account, arn, found)


def _unless_gone(client: Any, arn: str) -> dict[str, Any] | None:
    try:
        answer: dict[str, Any] = client.get_application(applicationArn=arn)
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None  # deleted since listed
        raise
    return answer


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.GLOBAL,
    kinds=(AccessManagerApplication, AccessManagerEntitlement),
    collect=collect,
    where=Where.IDENTITY_CENTER_ACCOUNT,
)
