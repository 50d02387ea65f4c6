"""Every IAM action the cloudtrail fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "cloudtrail"  # the fetcher's name in scopes, --fetchers and the catalog

PERMISSIONS = FetcherPermissions(
    fetcher=SERVICE,
    feature=Feature.CLOUDTRAIL,
    permissions=(
        Permission(
            "cloudtrail:LookupEvents",
            "cloudtrail:LookupEvents",
            AccessLevel.READ,
            "Management events of the last 90 days (who did what), read incrementally.",
        ),
    ),
)
