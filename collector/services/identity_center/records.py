"""The IAM Identity Center record kinds (typed, frozen; pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from collector.models import JsonValue, Record

# Read once per organization, in the account that administers Identity Center: every record's region is the
# scope's (GLOBAL); ``SsoInstance.home_region`` says where the instance lives.


class InstanceType(StrEnum):
    ORGANIZATION = "organization"  # owned by the organization's management account: permission sets, accounts
    ACCOUNT = "account"  # an account instance: applications only, no permission sets or account assignments


@dataclass(frozen=True, kw_only=True)
class SsoInstance(Record):
    KIND = "sso_instances"
    KEY = ("instance_arn",)
    instance_arn: str
    identity_store_id: str
    home_region: str
    owner_account_id: str | None
    instance_type: str | None  # InstanceType; None when the organization could not be read
    name: str | None = None
    status: str | None = None
    created_date: str | None = None


@dataclass(frozen=True, kw_only=True)
class PermissionSet(Record):
    KIND = "permission_sets"
    KEY = ("permission_set_arn",)
    permission_set_arn: str
    instance_arn: str
    name: str  # names the AWSReservedSSO_<name>_<suffix> role it creates in each account
    description: str | None = None
    session_duration: str | None = None  # ISO 8601, e.g. PT8H
    relay_state: str | None = None
    created_date: str | None = None


class PermissionSetPolicyUsage(StrEnum):
    ATTACHED = "attached"  # AWS-managed or customer-managed, attached to the role it creates
    INLINE = "inline"
    PERMISSIONS_BOUNDARY = "permissions_boundary"


class PermissionSetPolicyType(StrEnum):
    AWS_MANAGED = "aws_managed"
    CUSTOMER_MANAGED = "customer_managed"  # a reference by path and name, resolved in each account
    INLINE = "inline"


@dataclass(frozen=True, kw_only=True)
class PermissionSetPolicy(Record):
    """One policy of a permission set: attached (AWS- or customer-managed), inline, or its boundary."""

    KIND = "permission_set_policies"
    KEY = ("permission_set_arn", "usage", "reference")
    permission_set_arn: str
    permission_set_name: str
    usage: str  # PermissionSetPolicyUsage
    policy_type: str  # PermissionSetPolicyType
    reference: str  # the policy ARN, the customer-managed path + name ("/path/name"), or "inline"
    policy_arn: str | None = None  # AWS-managed only: a customer-managed reference has one ARN per account
    policy_name: str | None = None
    policy_path: str | None = None
    document: JsonValue = None  # the inline policy's document


@dataclass(frozen=True, kw_only=True)
class ProvisionedPermissionSet(Record):
    """A permission set provisioned to an account: Identity Center created its role there."""

    KIND = "provisioned_permission_sets"
    KEY = ("permission_set_arn", "target_account_id")
    permission_set_arn: str
    target_account_id: str
    instance_arn: str
    permission_set_name: str


@dataclass(frozen=True, kw_only=True)
class AccountAssignment(Record):
    """A user or group of the identity store holds a permission set in an account."""

    KIND = "account_assignments"
    KEY = ("permission_set_arn", "target_account_id", "principal_type", "principal_id")
    permission_set_arn: str
    target_account_id: str
    principal_type: str  # USER or GROUP
    principal_id: str  # identity_store_users.user_id or identity_store_groups.group_id
    instance_arn: str


@dataclass(frozen=True, kw_only=True)
class IdentityStoreUser(Record):
    KIND = "identity_store_users"
    KEY = ("identity_store_id", "user_id")
    identity_store_id: str
    user_id: str
    user_name: str | None = None
    display_name: str | None = None
    primary_email: str | None = None
    user_status: str | None = None  # ENABLED or DISABLED, where the API says
    external_ids: JsonValue = None  # [{"Issuer": ..., "Id": ...}] from the external identity provider
    emails: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class IdentityStoreGroup(Record):
    KIND = "identity_store_groups"
    KEY = ("identity_store_id", "group_id")
    identity_store_id: str
    group_id: str
    display_name: str | None = None
    description: str | None = None
    external_ids: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class IdentityStoreMembership(Record):
    KIND = "identity_store_memberships"
    KEY = ("identity_store_id", "membership_id")
    identity_store_id: str
    membership_id: str
    group_id: str
    user_id: str


@dataclass(frozen=True, kw_only=True)
class SsoApplication(Record):
    """An application people sign in to through Identity Center (AWS-managed or customer-managed SAML/OAuth),
    with its provider and whether only assigned users and groups may use it."""

    KIND = "sso_applications"
    KEY = ("application_arn",)
    application_arn: str
    instance_arn: str
    name: str
    provider_arn: str | None = None  # which kind of application (e.g. ...::aws:applicationProvider/custom)
    application_account: str | None = None
    status: str | None = None  # ENABLED or DISABLED
    assignment_required: bool | None = None  # None: not read (GetApplicationAssignmentConfiguration failed)
    description: str | None = None
    created_date: str | None = None
    portal_visibility: str | None = None


@dataclass(frozen=True, kw_only=True)
class SsoApplicationAssignment(Record):
    """A user or group assigned to an application (the identity store's ID)."""

    KIND = "sso_application_assignments"
    KEY = ("application_arn", "principal_type", "principal_id")
    application_arn: str
    instance_arn: str
    principal_type: str  # USER or GROUP
    principal_id: str


@dataclass(frozen=True, kw_only=True)
class TrustedTokenIssuer(Record):
    """An outside OIDC issuer whose tokens Identity Center exchanges for its own (trusted identity
    propagation): who may act as a user of the identity store."""

    KIND = "trusted_token_issuers"
    KEY = ("arn",)
    arn: str
    instance_arn: str
    name: str
    issuer_type: str  # OIDC_JWT
    issuer_url: str | None = None
    claim_attribute_path: str | None = None  # the token claim matched ...
    identity_store_attribute_path: str | None = None  # ... to this identity-store attribute
    jwks_retrieval_option: str | None = None


# Derived, not fetched: collector/links.py joins provisioned permission sets (this service) with the roles of
# each account's IAM inventory. It lives here because it describes a permission set (its KEY is the permission
# set's ARN) and has no meaning without Identity Center; IAM's records know nothing of it.


class RoleMatch(StrEnum):
    MATCHED = "matched"  # exactly one AWSReservedSSO_ role of this permission set in the account
    ROLE_NOT_FOUND = "role_not_found"  # the account's IAM inventory holds no such role
    AMBIGUOUS = "ambiguous"  # several such roles: none is chosen (see candidates)
    IAM_NOT_COLLECTED = "iam_not_collected"  # no IAM inventory of the account is stored


@dataclass(frozen=True, kw_only=True)
class PermissionSetRole(Record):
    """Derived, not fetched: the role a provisioned permission set created in an account, matched by name and
    path in that account's IAM inventory (collector/links.py). ``account_id`` is the role's account."""

    KIND = "permission_set_roles"
    KEY = ("permission_set_arn",)
    permission_set_arn: str
    permission_set_name: str
    instance_arn: str
    match: str  # RoleMatch
    role_arn: str | None = None
    role_name: str | None = None
    candidates: JsonValue = None  # role ARNs when ambiguous
