"""IAM Identity Center and identity-store responses to records, and the choices made from them. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from collector.parsing import document, iso_or_none
from collector.services.iam.parse import is_aws_managed
from collector.services.identity_center.records import (
    AccountAssignment,
    IdentityStoreGroup,
    IdentityStoreMembership,
    IdentityStoreUser,
    InstanceType,
    PermissionSet,
    PermissionSetPolicy,
    PermissionSetPolicyType,
    PermissionSetPolicyUsage,
    ProvisionedPermissionSet,
    SsoApplication,
    SsoApplicationAssignment,
    SsoInstance,
    TrustedTokenIssuer,
)

Item = Mapping[str, Any]
SSO_SERVICE_PRINCIPAL = "sso.amazonaws.com"


# --- where Identity Center is administered ------------------------------------------------------------------


@dataclass(frozen=True)
class Administration:
    """Who administers the organization's Identity Center, as the organization says."""

    management_account_id: str
    delegated_account_id: str | None  # the registered delegated administrator for sso.amazonaws.com
    # False when the organization would not filter by sso.amazonaws.com (moto) and other services have
    # delegated administrators: which of them (if any) administers Identity Center is then unknown.
    delegation_known: bool = True


def delegated_administrator(items: Iterable[Item]) -> str | None:
    """The one delegated administrator a ListDelegatedAdministrators(ServicePrincipal=sso) answer names."""
    ids = sorted(item["Id"] for item in items)
    if len(ids) > 1:  # Identity Center allows one; more would be a new AWS behaviour, not to be guessed
        raise ValueError(f"{SSO_SERVICE_PRINCIPAL} has several delegated administrators: {', '.join(ids)}")
    return ids[0] if ids else None


@dataclass(frozen=True)
class IdentityCenterHome:
    """The one account a run reads Identity Center in, and why (shown by --dry-run)."""

    account_id: str
    collected: bool  # False: the account is left out of this run, so the scope is skipped (and says why)
    reason: str


def choose_account(admin: Administration, collected: Iterable[str]) -> IdentityCenterHome:
    """The delegated administrator when one is registered and collected; otherwise the management account,
    which always administers the organization instance too."""
    accounts = set(collected)
    management = admin.management_account_id
    delegated = admin.delegated_account_id
    if delegated is not None and delegated in accounts:
        return IdentityCenterHome(delegated, True, f"the delegated administrator for {SSO_SERVICE_PRINCIPAL}")
    if management in accounts:
        if delegated is not None:
            why = f"the management account (the delegated administrator {delegated} is not collected)"
        elif not admin.delegation_known:
            why = (
                f"the management account (the organization does not filter delegated administrators by "
                f"{SSO_SERVICE_PRINCIPAL}; the management account administers the organization instance too)"
            )
        else:
            why = f"the management account (no delegated administrator for {SSO_SERVICE_PRINCIPAL})"
        return IdentityCenterHome(management, True, why)
    wanted = delegated or management
    return IdentityCenterHome(
        wanted, False, f"IAM Identity Center is administered from {wanted}, which this run does not collect"
    )


# --- instances ----------------------------------------------------------------------------------------------


def home_region(item: Item, called_region: str) -> str:
    """The instance's home region: its PrimaryRegion, or the region that listed it (an answer without
    PrimaryRegion lists only the instances of the region called)."""
    return str(item.get("PrimaryRegion") or called_region)


def instance_type(owner_account_id: str | None, management_account_id: str | None) -> InstanceType:
    """An organization instance is owned by the management account; any other is an account instance.
    ``management_account_id`` is None for an account outside any organization."""
    if management_account_id is not None and owner_account_id == management_account_id:
        return InstanceType.ORGANIZATION
    return InstanceType.ACCOUNT


def sso_instance(account_id: str, item: Item, region: str, kind: InstanceType | None) -> SsoInstance:
    return SsoInstance(
        account_id=account_id,
        instance_arn=item["InstanceArn"],
        identity_store_id=item["IdentityStoreId"],
        home_region=region,
        owner_account_id=item.get("OwnerAccountId"),
        instance_type=kind.value if kind else None,
        name=item.get("Name"),
        status=item.get("Status"),
        created_date=iso_or_none(item.get("CreatedDate")),
        raw=item,
    )


# --- permission sets ----------------------------------------------------------------------------------------


def permission_set(account_id: str, instance_arn: str, item: Item) -> PermissionSet:
    """From DescribePermissionSet's ``PermissionSet``."""
    return PermissionSet(
        account_id=account_id,
        permission_set_arn=item["PermissionSetArn"],
        instance_arn=instance_arn,
        name=item["Name"],
        description=item.get("Description"),
        session_duration=item.get("SessionDuration"),
        relay_state=item.get("RelayState"),
        created_date=iso_or_none(item.get("CreatedDate")),
        raw=item,
    )


def customer_reference(item: Item) -> str:
    """A customer-managed policy reference as IAM would spell its path and name: "/path/name"."""
    path = item.get("Path") or "/"
    return f"{path}{item['Name']}"


def _managed(
    ps: PermissionSet, usage: PermissionSetPolicyUsage, arn: str, name: str | None, raw: Item
) -> PermissionSetPolicy:
    kind = (
        PermissionSetPolicyType.AWS_MANAGED
        if is_aws_managed(arn)
        else PermissionSetPolicyType.CUSTOMER_MANAGED
    )
    return PermissionSetPolicy(
        account_id=ps.account_id,
        permission_set_arn=ps.permission_set_arn,
        permission_set_name=ps.name,
        usage=usage.value,
        policy_type=kind.value,
        reference=arn,
        policy_arn=arn,
        policy_name=name or arn.rsplit("/", 1)[-1],
        raw=raw,
    )


def _customer(ps: PermissionSet, usage: PermissionSetPolicyUsage, item: Item) -> PermissionSetPolicy:
    return PermissionSetPolicy(
        account_id=ps.account_id,
        permission_set_arn=ps.permission_set_arn,
        permission_set_name=ps.name,
        usage=usage.value,
        policy_type=PermissionSetPolicyType.CUSTOMER_MANAGED.value,
        reference=customer_reference(item),
        policy_name=item["Name"],
        policy_path=item.get("Path") or "/",
        raw=item,
    )


def aws_managed_policies(ps: PermissionSet, items: Iterable[Item]) -> tuple[PermissionSetPolicy, ...]:
    """From ListManagedPoliciesInPermissionSet's ``AttachedManagedPolicies``."""
    return tuple(_managed(ps, PermissionSetPolicyUsage.ATTACHED, i["Arn"], i.get("Name"), i) for i in items)


def customer_managed_policies(ps: PermissionSet, items: Iterable[Item]) -> tuple[PermissionSetPolicy, ...]:
    """From ListCustomerManagedPolicyReferencesInPermissionSet's ``CustomerManagedPolicyReferences``."""
    return tuple(_customer(ps, PermissionSetPolicyUsage.ATTACHED, item) for item in items)


def inline_policy(ps: PermissionSet, text: str | None) -> tuple[PermissionSetPolicy, ...]:
    """From GetInlinePolicyForPermissionSet's ``InlinePolicy`` (empty text: the permission set has none)."""
    if not text:
        return ()
    return (
        PermissionSetPolicy(
            account_id=ps.account_id,
            permission_set_arn=ps.permission_set_arn,
            permission_set_name=ps.name,
            usage=PermissionSetPolicyUsage.INLINE.value,
            policy_type=PermissionSetPolicyType.INLINE.value,
            reference="inline",
            document=document(text),
        ),
    )


def permissions_boundary(ps: PermissionSet, boundary: Item | None) -> tuple[PermissionSetPolicy, ...]:
    """From GetPermissionsBoundaryForPermissionSet's ``PermissionsBoundary`` (None: the set has none)."""
    if not boundary:
        return ()
    usage = PermissionSetPolicyUsage.PERMISSIONS_BOUNDARY
    reference = boundary.get("CustomerManagedPolicyReference")
    if reference:
        return (_customer(ps, usage, reference),)
    return (_managed(ps, usage, boundary["ManagedPolicyArn"], None, boundary),)


def provisioned(
    account_id: str, instance_arn: str, ps: PermissionSet, target_ids: Iterable[str]
) -> tuple[ProvisionedPermissionSet, ...]:
    """From ListAccountsForProvisionedPermissionSet's ``AccountIds``."""
    return tuple(
        ProvisionedPermissionSet(
            account_id=account_id,
            permission_set_arn=ps.permission_set_arn,
            target_account_id=target,
            instance_arn=instance_arn,
            permission_set_name=ps.name,
        )
        for target in sorted(set(target_ids))
    )


def account_assignments(
    account_id: str, instance_arn: str, items: Iterable[Item]
) -> Iterator[AccountAssignment]:
    """From ListAccountAssignments or ListAccountAssignmentsForPrincipal (the same item shape)."""
    for item in items:
        yield AccountAssignment(
            account_id=account_id,
            permission_set_arn=item["PermissionSetArn"],
            target_account_id=item["AccountId"],
            principal_type=item["PrincipalType"],
            principal_id=item["PrincipalId"],
            instance_arn=instance_arn,
            raw=item,
        )


class AssignmentListing(StrEnum):
    PER_PROVISIONED_PAIR = "per_provisioned_pair"  # ListAccountAssignments(account, permission set)
    PER_PRINCIPAL = "per_principal"  # ListAccountAssignmentsForPrincipal(user or group)


def assignment_listing(
    provisioned_pairs: int | None, principals: int | None, *, from_management_account: bool
) -> AssignmentListing | None:
    """The cheaper complete way to list every account assignment, for this organization's shape.

    Both listings cost at least one call per unit (and a page per 100 assignments of it):
    - per provisioned (permission set, account) pair: an assignment always lies on a provisioned pair (it
      is what provisions it), so this sees every one, orphans included. Its input (the provisioned
      accounts of each permission set) is read anyway, for the provisioned records and the role mapping.
    - per principal (every user and group): its input (the identity store) is read anyway too; AWS allows
      it only from the management account, and it can miss assignments of principals deleted from the
      identity store (they grant nothing: nobody can sign in as them).
    Many accounts and few people (a small team with a large landing zone) favour per principal; many
    people favour per pair. A tie goes to per pair, the exhaustive one. ``None`` for an input means its
    listing failed: that strategy cannot be complete.
    """
    by_pair = provisioned_pairs is not None
    by_principal = principals is not None and from_management_account
    if by_pair and by_principal:
        assert provisioned_pairs is not None and principals is not None
        return (
            AssignmentListing.PER_PRINCIPAL
            if principals < provisioned_pairs
            else AssignmentListing.PER_PROVISIONED_PAIR
        )
    if by_pair:
        return AssignmentListing.PER_PROVISIONED_PAIR
    if by_principal:
        return AssignmentListing.PER_PRINCIPAL
    return None


# --- the identity store -------------------------------------------------------------------------------------


def _primary_email(emails: Iterable[Item]) -> str | None:
    listed = list(emails)
    for email in listed:
        if email.get("Primary"):
            return str(email["Value"]) if email.get("Value") else None
    return str(listed[0]["Value"]) if listed and listed[0].get("Value") else None


def identity_store_user(account_id: str, store_id: str, item: Item) -> IdentityStoreUser:
    emails = item.get("Emails") or []
    return IdentityStoreUser(
        account_id=account_id,
        identity_store_id=store_id,
        user_id=item["UserId"],
        user_name=item.get("UserName"),
        display_name=item.get("DisplayName"),
        primary_email=_primary_email(emails),
        user_status=item.get("UserStatus"),
        external_ids=item.get("ExternalIds") or [],
        emails=emails,
        raw=item,
    )


def identity_store_group(account_id: str, store_id: str, item: Item) -> IdentityStoreGroup:
    return IdentityStoreGroup(
        account_id=account_id,
        identity_store_id=store_id,
        group_id=item["GroupId"],
        display_name=item.get("DisplayName"),
        description=item.get("Description"),
        external_ids=item.get("ExternalIds") or [],
        raw=item,
    )


def identity_store_membership(account_id: str, store_id: str, item: Item) -> IdentityStoreMembership:
    return IdentityStoreMembership(
        account_id=account_id,
        identity_store_id=store_id,
        membership_id=item["MembershipId"],
        group_id=item["GroupId"],
        user_id=item["MemberId"]["UserId"],  # the only member type the identity store has
        raw=item,
    )


def application(account_id: str, item: Item, assignment_required: bool | None) -> SsoApplication:
    portal = item.get("PortalOptions") or {}
    return SsoApplication(
        account_id=account_id,
        application_arn=item["ApplicationArn"],
        instance_arn=item["InstanceArn"],
        name=item["Name"],
        provider_arn=item.get("ApplicationProviderArn"),
        application_account=item.get("ApplicationAccount"),
        status=item.get("Status"),
        assignment_required=assignment_required,
        description=item.get("Description"),
        created_date=iso_or_none(item.get("CreatedDate")),
        portal_visibility=portal.get("Visibility"),
        raw=item,
    )


def application_assignments(
    account_id: str, instance_arn: str, items: Iterable[Item]
) -> tuple[SsoApplicationAssignment, ...]:
    return tuple(
        SsoApplicationAssignment(
            account_id=account_id,
            application_arn=item["ApplicationArn"],
            instance_arn=instance_arn,
            principal_type=item["PrincipalType"],
            principal_id=item["PrincipalId"],
            raw=item,
        )
        for item in items
    )


def trusted_token_issuer(
    account_id: str, instance_arn: str, listed: Item, described: Item | None
) -> TrustedTokenIssuer:
    """A listed issuer, with DescribeTrustedTokenIssuer's configuration when it was read."""
    oidc = ((described or {}).get("TrustedTokenIssuerConfiguration") or {}).get("OidcJwtConfiguration") or {}
    return TrustedTokenIssuer(
        account_id=account_id,
        arn=listed["TrustedTokenIssuerArn"],
        instance_arn=instance_arn,
        name=listed["Name"],
        issuer_type=listed["TrustedTokenIssuerType"],
        issuer_url=oidc.get("IssuerUrl"),
        claim_attribute_path=oidc.get("ClaimAttributePath"),
        identity_store_attribute_path=oidc.get("IdentityStoreAttributePath"),
        jwks_retrieval_option=oidc.get("JwksRetrievalOption"),
        raw={k: v for k, v in (described or listed).items() if k != "ResponseMetadata"},
    )
