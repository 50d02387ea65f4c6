"""Every fetcher the collector knows, in one tuple. Adding a fetcher is adding its FETCHER here."""

from __future__ import annotations

from collections.abc import Iterable

from collector.fetch import Fetcher
from collector.fetchers import cloudtrail, ec2, iam, identity_center, organizations
from collector.formats import InvalidSettingError
from collector.models import Record

FETCHERS: tuple[Fetcher, ...] = (
    iam.FETCHER,
    organizations.FETCHER,
    identity_center.FETCHER,
    ec2.FETCHER,
    cloudtrail.FETCHER,
)


def by_name() -> dict[str, Fetcher]:
    return {f.name: f for f in FETCHERS}


def select(names: Iterable[str], setting: str = "--fetchers") -> tuple[Fetcher, ...]:
    """The named fetchers (all when no name is given), in registry order."""
    wanted = list(names)
    known = by_name()
    for name in wanted:
        if name not in known:
            raise InvalidSettingError(setting, name, f"one of {', '.join(sorted(known))}")
    return tuple(f for f in FETCHERS if not wanted or f.name in wanted)


def produced_kinds() -> tuple[type[Record], ...]:
    return tuple(kind for f in FETCHERS for kind in f.kinds)
