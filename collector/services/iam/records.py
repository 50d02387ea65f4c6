"""The IAM record kinds (typed, frozen; pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from collector.models import JsonValue, Record


@dataclass(frozen=True, kw_only=True)
class AccountInfo(Record):
    """The account as seen from inside (IAM); organization details are in OrganizationAccount."""

    KIND = "accounts"
    KEY = ("id",)
    id: str
    alias: str | None = None


@dataclass(frozen=True, kw_only=True)
class User(Record):
    KIND = "users"
    KEY = ("arn",)
    arn: str
    name: str
    user_id: str
    path: str
    create_date: str
    permissions_boundary_arn: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class Group(Record):
    KIND = "groups"
    KEY = ("arn",)
    arn: str
    name: str
    group_id: str
    path: str
    create_date: str


@dataclass(frozen=True, kw_only=True)
class GroupMembership(Record):
    KIND = "group_memberships"
    KEY = ("group_arn", "user_arn")
    group_arn: str
    group_name: str
    user_arn: str
    user_name: str


@dataclass(frozen=True, kw_only=True)
class Role(Record):
    KIND = "roles"
    KEY = ("arn",)
    arn: str
    name: str
    role_id: str
    path: str
    create_date: str
    trust_policy: JsonValue
    permissions_boundary_arn: str | None = None
    last_used_date: str | None = None
    last_used_region: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class InstanceProfile(Record):
    """Links EC2 instances to roles: an instance names its profile, the profile names its role(s)."""

    KIND = "instance_profiles"
    KEY = ("arn",)
    arn: str
    name: str
    path: str
    role_arns: JsonValue  # list of role ARNs


@dataclass(frozen=True, kw_only=True)
class _ManagedPolicyFields(Record):
    arn: str
    name: str
    policy_id: str | None
    path: str
    default_version_id: str
    document: JsonValue  # the default version's document
    attachment_count: int | None = None
    permissions_boundary_usage_count: int | None = None
    is_attachable: bool | None = None
    create_date: str | None = None
    update_date: str | None = None
    backfilled: bool = False  # absent from the authorization details, read with GetPolicy/GetPolicyVersion


@dataclass(frozen=True, kw_only=True)
class Policy(_ManagedPolicyFields):
    """A customer-managed ("local") policy."""

    KIND = "policies"
    KEY = ("arn",)


@dataclass(frozen=True, kw_only=True)
class AwsManagedPolicy(_ManagedPolicyFields):
    """An AWS-managed policy in use in the account (or referenced, e.g. as a boundary)."""

    KIND = "aws_managed_policies"
    KEY = ("arn",)


class PrincipalKind(StrEnum):
    USER = "user"
    GROUP = "group"
    ROLE = "role"


@dataclass(frozen=True, kw_only=True)
class InlinePolicy(Record):
    KIND = "inline_policies"
    KEY = ("principal_arn", "name")
    principal_kind: str  # PrincipalKind
    principal_arn: str
    principal_name: str
    name: str
    document: JsonValue


class AttachmentKind(StrEnum):
    ATTACHED = "attached"
    PERMISSIONS_BOUNDARY = "permissions_boundary"


@dataclass(frozen=True, kw_only=True)
class PolicyAttachment(Record):
    """A managed policy attached to a user, group or role, or set as its permissions boundary."""

    KIND = "policy_attachments"
    KEY = ("principal_arn", "policy_arn", "attachment")
    principal_kind: str  # PrincipalKind
    principal_arn: str
    policy_arn: str
    attachment: str  # AttachmentKind


@dataclass(frozen=True, kw_only=True)
class AccessKey(Record):
    KIND = "access_keys"
    KEY = ("access_key_id",)
    access_key_id: str
    user_name: str
    user_arn: str
    status: str
    create_date: str
    last_used_date: str | None = None
    last_used_region: str | None = None
    last_used_service: str | None = None


@dataclass(frozen=True, kw_only=True)
class UserCredentials(Record):
    """A user's password and MFA facts from the credential report (the report carries no key IDs)."""

    KIND = "user_credentials"
    KEY = ("user_arn",)
    user_arn: str
    user_name: str
    password_enabled: bool | None
    password_last_used: str | None
    password_last_changed: str | None
    mfa_active: bool | None
    report_generated: str


# --- federation, MFA and account settings ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SamlProvider(Record):
    """A SAML identity provider, with what its metadata document says (parsed locally, never fetched)."""

    KIND = "saml_providers"
    KEY = ("arn",)
    arn: str
    name: str
    create_date: str | None = None
    valid_until: str | None = None
    entity_id: str | None = None  # the IdP's entityID
    sso_urls: JsonValue = None  # SingleSignOnService locations of the IdP descriptor
    certificate_expiries: JsonValue = None  # notAfter of each signing certificate (ISO 8601), sorted
    earliest_certificate_expiry: str | None = None
    metadata_error: str | None = None  # why the metadata could not be read (the rest is still recorded)
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class OidcProvider(Record):
    KIND = "oidc_providers"
    KEY = ("arn",)
    arn: str
    url: str
    client_ids: JsonValue  # list of audiences
    thumbprints: JsonValue  # list of hex SHA-1 thumbprints
    create_date: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class VirtualMfaDevice(Record):
    """A virtual MFA device, assigned or not. Its seed and QR code are never recorded."""

    KIND = "virtual_mfa_devices"
    KEY = ("serial_number",)
    serial_number: str
    user_arn: str | None = None  # None: unassigned
    user_name: str | None = None
    enable_date: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class PasswordPolicy(Record):
    """The account's password policy; ``exists`` False records that the account has none (NoSuchEntity)."""

    KIND = "password_policies"
    KEY = ("account",)
    account: str  # the account ID (one policy per account)
    exists: bool
    minimum_password_length: int | None = None
    require_symbols: bool | None = None
    require_numbers: bool | None = None
    require_uppercase_characters: bool | None = None
    require_lowercase_characters: bool | None = None
    allow_users_to_change_password: bool | None = None
    expire_passwords: bool | None = None
    max_password_age: int | None = None
    password_reuse_prevention: int | None = None
    hard_expiry: bool | None = None


@dataclass(frozen=True, kw_only=True)
class AccountSummary(Record):
    """GetAccountSummary's counts and quotas; the root user's MFA and access keys called out."""

    KIND = "account_summaries"
    KEY = ("account",)
    account: str
    root_mfa_enabled: bool | None
    root_access_keys_present: bool | None
    root_signing_certificates_present: bool | None
    summary: JsonValue  # the whole SummaryMap (name -> number)


# --- trust edges (derived from the roles' trust policies, collector/links.py) -------------------------------


class TrustPrincipalType(StrEnum):
    AWS = "AWS"
    SERVICE = "Service"
    FEDERATED = "Federated"
    CANONICAL_USER = "CanonicalUser"
    ANYONE = "*"  # ``"Principal": "*"``, or an Allow with NotPrincipal (everyone except the ones named)


@dataclass(frozen=True, kw_only=True)
class RoleTrustPrincipal(Record):
    """Who may assume a role: one record per role and principal its trust policy allows.

    Derived, not fetched: rebuilt after every run from the stored roles' trust policies and the collected
    organization (whether a principal's account is external needs the organization). ``account_id`` is the
    role's account.
    """

    KIND = "role_trust_principals"
    KEY = ("role_arn", "principal_type", "principal")
    role_arn: str
    principal_type: str  # TrustPrincipalType
    principal: str  # as written: an account root ARN or bare ID, a role/user ARN, a service, a provider, "*"
    principal_account_id: str | None  # the account the principal belongs to; None for services, "*", ...
    actions: JsonValue  # sorted union of the Allow statements' actions (e.g. ["sts:AssumeRole"])
    # True: another account outside the collected organization (or anyone); False: the role's own account or
    # an organization account; None: the principal has no account (a service, a web identity provider, an ID).
    external_account: bool | None
    external_id_required: bool  # every Allow statement for it requires sts:ExternalId (StringEquals)
    conditions: JsonValue  # the Allow statements' Condition blocks, one per statement (null: none)
    excluded_principals: JsonValue = None  # for an Allow with NotPrincipal: the principals it excludes
