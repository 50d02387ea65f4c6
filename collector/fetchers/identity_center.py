"""IAM Identity Center and its identity store (home region of the managing account)."""

from __future__ import annotations

from collector.permissions import AccessLevel, Feature, FetcherPermissions, Permission

_L, _R = AccessLevel.LIST, AccessLevel.READ

PERMISSIONS = FetcherPermissions(
    fetcher="identity_center",
    feature=Feature.IDENTITY_CENTER,
    permissions=(
        Permission(
            "sso:ListInstances",
            "sso-admin:ListInstances",
            _L,
            "Find the Identity Center instance and its identity store.",
        ),
        Permission(
            "sso:ListPermissionSets",
            "sso-admin:ListPermissionSets",
            _L,
            "Every permission set of the instance.",
        ),
        Permission(
            "sso:DescribePermissionSet",
            "sso-admin:DescribePermissionSet",
            _R,
            "Name, session duration and relay state: the name maps to the AWSReservedSSO_ role.",
        ),
        Permission(
            "sso:ListManagedPoliciesInPermissionSet",
            "sso-admin:ListManagedPoliciesInPermissionSet",
            _L,
            "AWS-managed policies attached to a permission set.",
        ),
        Permission(
            "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
            "sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet",
            _L,
            "Customer-managed policy references of a permission set.",
        ),
        Permission(
            "sso:GetInlinePolicyForPermissionSet",
            "sso-admin:GetInlinePolicyForPermissionSet",
            _R,
            "The inline policy of a permission set.",
        ),
        Permission(
            "sso:GetPermissionsBoundaryForPermissionSet",
            "sso-admin:GetPermissionsBoundaryForPermissionSet",
            _R,
            "The permissions boundary of a permission set.",
        ),
        Permission(
            "sso:ListAccountsForProvisionedPermissionSet",
            "sso-admin:ListAccountsForProvisionedPermissionSet",
            _L,
            "The accounts a permission set is provisioned to.",
        ),
        Permission(
            "sso:ListAccountAssignments",
            "sso-admin:ListAccountAssignments",
            _L,
            "Which users and groups hold which permission set in which account.",
        ),
        Permission("identitystore:ListUsers", "identitystore:ListUsers", _L, "Identity-store users."),
        Permission("identitystore:ListGroups", "identitystore:ListGroups", _L, "Identity-store groups."),
        Permission(
            "identitystore:ListGroupMemberships",
            "identitystore:ListGroupMemberships",
            _L,
            "Members of each identity-store group.",
        ),
    ),
)
