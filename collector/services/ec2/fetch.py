"""EC2 resources and network, every enabled region of an account."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError

from collector.activity import published
from collector.aws import partition_of
from collector.errors import error_code
from collector.fetch import FetchContext, Fetcher, Placement
from collector.kinds import declared_in
from collector.models import Record
from collector.services.ec2 import parse, parse_resources, refresh
from collector.services.ec2.catalog import PERMISSIONS
from collector.services.ec2.catalog import SERVICE as EC2
from collector.services.ec2.listings import (
    DETAILED,
    INSTANCES,
    NETWORK,
    RESOURCES,
    Call,
    DetailedListing,
    Item,
    Joined,
    PerItem,
)

# DescribeRegions' OptInStatus values of regions the account can use.
_ENABLED = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True)
class AccountRegions:
    enabled: tuple[str, ...]
    not_enabled: tuple[str, ...]  # opt-in regions the account has not enabled: skipped, and recorded


def parse_regions(
    answer: Mapping[str, Any], partition_of_region: Callable[[str], str] | None = None, partition: str = "aws"
) -> AccountRegions:
    """The enabled and not enabled regions of the account's partition. Regions of another partition are not
    the account's (AWS never lists them; moto's DescribeRegions lists every partition's)."""
    enabled: list[str] = []
    other: list[str] = []
    for region in answer["Regions"]:
        name = region["RegionName"]
        if partition_of_region is not None and partition_of_region(name) != partition:
            continue
        (enabled if region.get("OptInStatus", "opt-in-not-required") in _ENABLED else other).append(name)
    return AccountRegions(tuple(sorted(enabled)), tuple(sorted(other)))


@functools.cache
def _endpoints() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def region_partition(region: str) -> str | None:
    """The partition botocore's endpoint data puts a region in; None for a name it cannot place."""
    try:
        return str(_endpoints().get_partition_for_region(region))
    except BotoCoreError:
        return None


def account_regions(client: Any) -> AccountRegions:
    """The account's regions, enabled and not (one call; any region's endpoint answers for all)."""
    partition = client.meta.partition

    def in_partition(region: str) -> str:
        return region_partition(region) or partition  # an unknown (new) region is kept

    return parse_regions(client.describe_regions(AllRegions=True), in_partition, partition)


# --- the calls ----------------------------------------------------------------------------------------------

# Per-item calls in flight at once in one scope: the pacer, not this, sets their rate.
DETAIL_WORKERS = 4
_NONE: Mapping[str, Any] = MappingProxyType({})


def _items(client: Any, call: Call, params: Mapping[str, Any] = _NONE) -> Iterator[Any]:
    """Every item of a call, page by page to the end (a page may be empty and still go on)."""
    request = {**call.params, **params}
    if call.page_size is None:
        yield from getattr(client, call.operation)(**request).get(call.result_key, ())
        return
    pages = client.get_paginator(call.operation).paginate(
        **request, PaginationConfig={"PageSize": call.page_size}
    )
    for page in pages:
        yield from page.get(call.result_key, ())


@dataclass
class _Details:
    """The details of a listing's items, aligned with them (None: not read), and the first fault."""

    values: list[Sequence[Item] | None]
    fault: BaseException | None = None
    stop: threading.Event = field(default_factory=threading.Event)


def _joined(client: Any, joined: Joined, items: Sequence[Item]) -> _Details:
    try:
        found = list(_items(client, joined.call))
    except Exception as exc:  # recorded by the caller, under the details' part
        return _Details([None] * len(items), exc)
    by_key: dict[Any, list[Item]] = {}
    for detail in found:
        by_key.setdefault(detail.get(joined.key), []).append(detail)
    return _Details([by_key.get(item[joined.key], []) for item in items])


def _per_item(client: Any, per: PerItem, items: Sequence[Item]) -> _Details:
    """One call per item, a few in flight; after the first fault the calls not yet made are not made
    (a denied action would only be denied again), their items left unread."""
    details = _Details([None] * len(items))
    lock = threading.Lock()

    def read(index: int) -> None:
        if details.stop.is_set():
            return
        try:
            details.values[index] = list(_items(client, per.call, per.request(items[index])))
        except Exception as exc:
            if error_code(exc) in per.gone:
                details.values[index] = []  # deleted since it was listed: nothing of it is shared
                return
            details.stop.set()
            with lock:
                details.fault = details.fault or exc

    workers = min(DETAIL_WORKERS, len(items))
    if workers <= 1:
        for index in range(len(items)):
            read(index)
    else:
        # botocore clients are thread-safe; the recorder and pacer wired to this one are too.
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ec2-detail") as pool:
            list(pool.map(read, range(len(items))))
    return details


def _detailed(
    ctx: FetchContext, client: Any, scope: parse.Scope, listing: DetailedListing
) -> Iterator[Record]:
    items: list[Item] = []
    with ctx.part(listing.name):
        items = list(_items(client, listing.call))
    if not items:
        return  # nothing listed (or the listing failed, recorded): no follow-up call
    if isinstance(listing.details, Joined):
        details = _joined(client, listing.details, items)
    else:
        details = _per_item(client, listing.details, items)
    yield from listing.parse(scope, zip(items, details.values, strict=True))
    if details.fault is not None:
        with ctx.part(listing.details.name):
            raise details.fault


def _settings(ctx: FetchContext, client: Any, scope: parse.Scope) -> Record:
    answers: dict[str, Item | None] = {}
    for operation in parse_resources.SETTINGS:
        answers[operation] = None
        with ctx.part("ec2_account_settings"):
            answers[operation] = getattr(client, operation)()
    return parse_resources.account_settings(scope, answers)


REFRESH_PART = "refresh"  # the note that says why a region was read fully, or skipped (--skip-unchanged-ec2)


def collect(ctx: FetchContext) -> Iterator[Record]:
    """One region of one account. Each listing is a sub-part: a fault there is recorded and the others go
    on. The instances (linked to IAM roles through their profiles) are the scope's main listing, read last
    so that a fault in it still keeps every record read before.

    With ``--skip-unchanged-ec2``, nothing is read when CloudTrail (read first in the item) vouches that no
    EC2 write happened here since the last complete read (refresh.py): the stored rows are kept."""
    decision = refresh.decide(
        ctx.prior_state,
        published(ctx.earlier),
        datetime.fromtimestamp(ctx.clock(), UTC),
        timedelta(days=ctx.options.ec2_full_refresh_days),
        enabled=ctx.options.skip_unchanged_ec2,
    )
    for name, value in decision.state.items():
        ctx.set_state(name, value)
    if not decision.read:
        ctx.unchanged(decision.reason, part=REFRESH_PART)
        return
    if decision.reason:
        ctx.note(f"full read: {decision.reason}", part=REFRESH_PART)
    client = ctx.client("ec2")
    role_arn = ctx.account.role_arn
    scope = parse.Scope(ctx.account.account_id, ctx.region, partition_of(role_arn) if role_arn else "aws")
    for listing in (*NETWORK, *RESOURCES):
        with ctx.part(listing.name):
            yield from listing.parse(scope, _items(client, listing.call))
    for detailed in DETAILED:
        yield from _detailed(ctx, client, scope, detailed)
    yield _settings(ctx, client, scope)
    yield from INSTANCES.parse(scope, _items(client, INSTANCES.call))


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.REGIONAL,
    kinds=declared_in(EC2),
    collect=collect,
    after=("cloudtrail",),  # its Activity (collector.activity), with --skip-unchanged-ec2
)
