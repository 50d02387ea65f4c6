"""CloudTrail management events through LookupEvents (no trail or data events needed)."""

from __future__ import annotations

from collector.permissions import AccessLevel, Feature, FetcherPermissions, Permission

PERMISSIONS = FetcherPermissions(
    fetcher="cloudtrail",
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
