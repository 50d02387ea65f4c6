"""The services the collector knows, listed once: one folder each (catalog, records, parse, fetch).

Adding a service is its folder plus its name here. collector.permissions derives the catalog from each
service's ``catalog`` module, collector.kinds the record kinds from its ``records`` module, and
collector.registry the fetchers from its ``fetch`` module. Pure: this module imports nothing.
"""

from __future__ import annotations

# Registry order: the order fetchers run in and are listed (--dry-run, summary, docs/permissions.md).
SERVICES: tuple[str, ...] = ("iam", "organizations", "identity_center", "account_access", "ec2", "cloudtrail")


def module_name(service: str, part: str) -> str:
    """The dotted name of one part (``catalog``, ``records``, ``parse``, ``fetch``) of a service."""
    return f"{__name__}.{service}.{part}"
