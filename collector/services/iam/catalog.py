"""Every IAM action the iam fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "iam"  # the fetcher's name in scopes, --fetchers and the catalog

PERMISSIONS = FetcherPermissions(
    fetcher=SERVICE,
    feature=Feature.IAM,
    permissions=(
        Permission(
            "iam:GetAccountAuthorizationDetails",
            "iam:GetAccountAuthorizationDetails",
            AccessLevel.READ,
            "Users, groups, roles, trust policies, inline and managed policies in few paginated calls.",
        ),
        Permission(
            "iam:GetPolicy",
            "iam:GetPolicy",
            AccessLevel.READ,
            "Backfill a referenced policy absent from the authorization details (e.g. boundary-only).",
        ),
        Permission(
            "iam:GetPolicyVersion",
            "iam:GetPolicyVersion",
            AccessLevel.READ,
            "The default version document of a backfilled policy.",
        ),
        Permission(
            "iam:GenerateCredentialReport",
            "iam:GenerateCredentialReport",
            AccessLevel.READ,
            "Start a credential report when no fresh one exists (for access key last use).",
        ),
        Permission(
            "iam:GetCredentialReport",
            "iam:GetCredentialReport",
            AccessLevel.READ,
            "Password and access key last use for every user in one call.",
        ),
        Permission(
            "iam:ListAccessKeys",
            "iam:ListAccessKeys",
            AccessLevel.LIST,
            "Access key IDs and status, only for users the credential report shows with keys.",
        ),
        Permission(
            "iam:ListAccountAliases",
            "iam:ListAccountAliases",
            AccessLevel.LIST,
            "The account's alias, to name the account in the inventory.",
        ),
        Permission(
            "iam:ListSAMLProviders",
            "iam:ListSAMLProviders",
            AccessLevel.LIST,
            "The account's SAML identity providers (federated sign-in to roles).",
        ),
        Permission(
            "iam:GetSAMLProvider",
            "iam:GetSAMLProvider",
            AccessLevel.READ,
            "A SAML provider's metadata: the IdP's entity ID, SSO URLs and signing certificates' expiry.",
        ),
        Permission(
            "iam:ListOpenIDConnectProviders",
            "iam:ListOpenIDConnectProviders",
            AccessLevel.LIST,
            "The account's OIDC identity providers (web identity federation to roles).",
        ),
        Permission(
            "iam:GetOpenIDConnectProvider",
            "iam:GetOpenIDConnectProvider",
            AccessLevel.READ,
            "An OIDC provider's URL, audiences (client IDs), thumbprints and tags.",
        ),
        Permission(
            "iam:ListVirtualMFADevices",
            "iam:ListVirtualMFADevices",
            AccessLevel.LIST,
            "Virtual MFA devices, assigned or not, with their user and enable date (never their seed).",
        ),
        Permission(
            "iam:GetAccountPasswordPolicy",
            "iam:GetAccountPasswordPolicy",
            AccessLevel.READ,
            "The account's password policy (NoSuchEntity is recorded as 'no policy').",
        ),
        Permission(
            "iam:GetAccountSummary",
            "iam:GetAccountSummary",
            AccessLevel.LIST,
            "Entity counts and quotas, including whether the root user has MFA and access keys.",
        ),
    ),
)
