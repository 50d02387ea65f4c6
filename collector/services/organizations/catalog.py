"""Every IAM action the organizations fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "organizations"  # the fetcher's name in scopes, --fetchers and the catalog

_L, _R = AccessLevel.LIST, AccessLevel.READ

PERMISSIONS = FetcherPermissions(
    fetcher=SERVICE,
    feature=Feature.ORGANIZATIONS,
    permissions=(
        Permission(
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganization",
            _R,
            "The organization ID and management account, to know where the collector runs.",
        ),
        Permission(
            "organizations:ListAccounts",
            "organizations:ListAccounts",
            _L,
            "Every account of the organization and its status (only ACTIVE ones are collected).",
        ),
        Permission(
            "organizations:ListRoots",
            "organizations:ListRoots",
            _L,
            "The root of the OU tree, where the walk of organizational units starts.",
        ),
        Permission(
            "organizations:ListOrganizationalUnitsForParent",
            "organizations:ListOrganizationalUnitsForParent",
            _L,
            "The OU tree, for OU include/exclude filters and each account's place in it.",
        ),
        Permission(
            "organizations:ListAccountsForParent",
            "organizations:ListAccountsForParent",
            _L,
            "Which accounts sit directly in each OU.",
        ),
        Permission(
            "organizations:ListDelegatedAdministrators",
            "organizations:ListDelegatedAdministrators",
            _L,
            "Delegated administrators, and (filtered by sso.amazonaws.com) the account to read IAM Identity "
            "Center in.",
        ),
        Permission(
            "organizations:ListPolicies",
            "organizations:ListPolicies",
            _L,
            "Service control policies, which bound every identity's effective access.",
        ),
        Permission(
            "organizations:DescribePolicy",
            "organizations:DescribePolicy",
            _R,
            "The document of each service control policy.",
        ),
        Permission(
            "organizations:ListTargetsForPolicy",
            "organizations:ListTargetsForPolicy",
            _L,
            "Where each service control policy is attached.",
        ),
    ),
)
