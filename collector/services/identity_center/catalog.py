"""Every IAM action the identity_center fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "identity_center"  # the fetcher's name in scopes, --fetchers and the catalog

_L, _R = AccessLevel.LIST, AccessLevel.READ


def _sso(operation: str, level: AccessLevel, reason: str) -> Permission:
    """An sso-admin API call, authorized by the ``sso:`` action of the same name."""
    return Permission(f"sso:{operation}", f"sso-admin:{operation}", level, reason)


PERMISSIONS = FetcherPermissions(
    fetcher=SERVICE,
    feature=Feature.IDENTITY_CENTER,
    permissions=(
        Permission(
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganization",
            _R,
            "The management account, which owns the organization instance: any other is an account instance.",
        ),
        Permission(
            "sso:ListInstances",
            "sso-admin:ListInstances",
            _L,
            "Find the Identity Center instance, its home region and its identity store (one call).",
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
            "The accounts a permission set is provisioned to (each holds its AWSReservedSSO_ role).",
        ),
        Permission(
            "sso:ListAccountAssignments",
            "sso-admin:ListAccountAssignments",
            _L,
            "Who holds a permission set in an account (per provisioned pair, when that is cheaper).",
        ),
        Permission(
            "sso:ListAccountAssignmentsForPrincipal",
            "sso-admin:ListAccountAssignmentsForPrincipal",
            _L,
            "Where a user or group holds which permission sets (per principal, when that is cheaper).",
        ),
        _sso(
            "ListApplications",
            _L,
            "Applications people sign in to through Identity Center, with their provider and status.",
        ),
        _sso(
            "GetApplicationAssignmentConfiguration",
            _R,
            "Whether an application admits only the users and groups assigned to it.",
        ),
        _sso("ListApplicationAssignments", _L, "Which users and groups are assigned to each application."),
        _sso(
            "ListTrustedTokenIssuers",
            _L,
            "Outside OIDC issuers whose tokens Identity Center accepts for its users (identity propagation).",
        ),
        _sso(
            "DescribeTrustedTokenIssuer",
            _R,
            "A trusted token issuer's URL and the claim mapped to an identity-store attribute.",
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
