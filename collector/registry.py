"""Every fetcher the collector knows: one per service of collector.services, in its order.

Each service's ``fetch`` module declares its ``FETCHER``; this module only gathers them. Adding a service
is its folder plus its name in collector.services.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from collector.fetch import Fetcher
from collector.formats import InvalidSettingError
from collector.models import Record
from collector.services import SERVICES, module_name


def fetcher_of(service: str) -> Fetcher:
    """The ``FETCHER`` of ``collector/services/<service>/fetch.py``, checked to be one and to be its own."""
    found = getattr(importlib.import_module(module_name(service, "fetch")), "FETCHER", None)
    if not isinstance(found, Fetcher):
        raise TypeError(f"{module_name(service, 'fetch')}.FETCHER must be a Fetcher: {found!r}")
    if found.name != service:
        raise TypeError(f"{module_name(service, 'fetch')} declares fetcher {found.name!r}, not {service!r}")
    return found


FETCHERS: tuple[Fetcher, ...] = tuple(fetcher_of(name) for name in SERVICES)


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
