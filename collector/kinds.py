"""Every record kind, from each service's records.py (the services listed in collector.services).

Pure: it imports the records modules only (no fetch code, no botocore), so the SQLite store and the
pipeline's Glue schema (which the CDK constructs render) derive their tables from it without an import
done only for its side effect.
"""

from __future__ import annotations

import functools
import importlib

from collector.models import Record
from collector.services import SERVICES, module_name


def declared_in(service: str) -> tuple[type[Record], ...]:
    """The kinds ``collector/services/<service>/records.py`` declares (fetched or derived), in KIND order."""
    module = importlib.import_module(module_name(service, "records"))
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Record)
        and "KIND" in value.__dict__
        and value.__module__ == module.__name__
    ]
    return tuple(sorted(found, key=lambda k: k.KIND))


@functools.cache
def record_types() -> tuple[type[Record], ...]:
    """Every entity kind of every service, sorted by KIND."""
    return tuple(sorted((k for s in SERVICES for k in declared_in(s)), key=lambda k: k.KIND))


def record_type(kind: str) -> type[Record]:
    """The record type of a KIND; KeyError when no service declares it."""
    return {k.KIND: k for k in record_types()}[kind]
