"""Typed, frozen records: accounts, scopes and their statuses, and one record type per entity kind.

Adding an entity kind is declaring a subclass of ``Record`` with its ``KIND`` (the table and export file name)
and ``KEY`` (the fields that identify one entity inside its account and region). The store derives its table
from the fields (see collector/store.py); nothing else needs to change. Field types a record may use:
``str``, ``int``, ``bool`` (optionally ``| None``) and ``JsonValue`` (kept as JSON text).

Pure data: no boto3, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

GLOBAL = "global"  # the "region" of global services (IAM, Organizations) in scope keys and records

# A JSON value as json.loads returns it; records keep documents (policies, tags) in this shape.
JsonValue = Any
JsonObject = Mapping[str, Any]


@dataclass(frozen=True)
class Account:
    """An account to collect, and the role the collector assumes in it."""

    account_id: str
    role_arn: str
    name: str = ""

    def to_json(self) -> dict[str, str]:
        return {"account_id": self.account_id, "role_arn": self.role_arn, "name": self.name}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Account:
        return cls(data["account_id"], data["role_arn"], data.get("name", ""))


@dataclass(frozen=True, order=True)
class ScopeKey:
    """The unit whose completeness is tracked: one fetcher in one account and region (or GLOBAL)."""

    account_id: str
    region: str
    service: str

    def __str__(self) -> str:
        return f"{self.account_id}/{self.region}/{self.service}"


class ScopeStatus(StrEnum):
    COMPLETE = "complete"  # everything was read; stale rows of this scope are removed
    PARTIAL = "partial"  # some sub-part was denied or failed; what was read is kept, nothing is removed
    DENIED = "denied"  # AccessDenied on the scope's main call: names the missing action; old rows are kept
    FAILED = "failed"  # any other fault (throttled out, expired credentials, bug): old rows are kept
    SKIPPED = "skipped"  # nothing to collect there by design (e.g. a region not enabled); old rows are kept

    @property
    def is_ok(self) -> bool:
        """Whether this status lets the run end with exit code 0."""
        return self in (ScopeStatus.COMPLETE, ScopeStatus.SKIPPED)


@dataclass(frozen=True)
class Problem:
    """What went wrong in (part of) a scope, classified once by collector/errors.py."""

    status: ScopeStatus  # DENIED or FAILED; COMPLETE for a note (FetchContext.note), SKIPPED for a skip
    part: str  # which sub-part: "" for the whole scope, e.g. "access_keys"
    message: str
    missing_action: str | None = None  # for DENIED: the IAM action the role lacks, from the catalog
    error_code: str | None = None

    def describe(self) -> str:
        where = f"{self.part}: " if self.part else ""
        if self.missing_action:
            return f"{where}denied {self.missing_action} ({self.message})"
        return f"{where}{self.message}"


# --- records ---------------------------------------------------------------------------------------------

_KINDS: dict[str, type[Record]] = {}


@dataclass(frozen=True, kw_only=True)
class Record:
    """One entity as collected. Every record carries its account and region; the store adds the run."""

    KIND: ClassVar[str]
    KEY: ClassVar[tuple[str, ...]]

    account_id: str
    region: str = GLOBAL
    raw: JsonValue = field(default=None, compare=False, repr=False)  # the API's JSON for this entity

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("KIND")
        if kind is None:
            return  # an abstract intermediate class
        if kind in _KINDS and _KINDS[kind].__qualname__ != cls.__qualname__:
            raise TypeError(f"record kind {kind!r} is declared twice ({_KINDS[kind]} and {cls})")
        _KINDS[kind] = cls

    def key(self) -> tuple[Any, ...]:
        return (self.account_id, self.region, *(getattr(self, name) for name in self.KEY))

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The record's own fields (besides account_id, region and raw), in declaration order."""
        return tuple(f.name for f in fields(cls) if f.name not in ("account_id", "region", "raw"))


def record_types() -> tuple[type[Record], ...]:
    """Every declared entity kind, sorted by KIND."""
    return tuple(_KINDS[k] for k in sorted(_KINDS))


def record_type(kind: str) -> type[Record]:
    return _KINDS[kind]


# --- IAM (collector/fetchers/iam.py) ----------------------------------------------------------------------


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


# --- Organizations (collector/fetchers/organizations.py) --------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Organization(Record):
    KIND = "organizations"
    KEY = ("id",)
    id: str
    arn: str
    management_account_id: str
    feature_set: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrganizationalUnit(Record):
    KIND = "organizational_units"
    KEY = ("id",)
    id: str
    arn: str
    name: str
    parent_id: str
    path: str  # names from the root, e.g. "Root/Workloads/Prod"


@dataclass(frozen=True, kw_only=True)
class OrganizationAccount(Record):
    """An account as the organization lists it (every status, not only the collected ACTIVE ones)."""

    KIND = "organization_accounts"
    KEY = ("id",)
    id: str
    arn: str
    name: str
    email: str
    status: str
    parent_id: str | None = None
    joined_method: str | None = None
    joined_timestamp: str | None = None


@dataclass(frozen=True, kw_only=True)
class ServiceControlPolicy(Record):
    KIND = "service_control_policies"
    KEY = ("id",)
    id: str
    arn: str
    name: str
    description: str
    aws_managed: bool
    document: JsonValue


@dataclass(frozen=True, kw_only=True)
class PolicyTarget(Record):
    """Where a service control policy is attached: the root, an OU or an account."""

    KIND = "service_control_policy_targets"
    KEY = ("policy_id", "target_id")
    policy_id: str
    target_id: str
    target_type: str
    target_name: str


@dataclass(frozen=True, kw_only=True)
class DelegatedAdministrator(Record):
    """A member account that administers some service for the organization (e.g. IAM Identity Center)."""

    KIND = "delegated_administrators"
    KEY = ("delegated_account_id",)
    delegated_account_id: str
    name: str
    status: str | None = None
    delegation_enabled_date: str | None = None


# --- IAM Identity Center (collector/fetchers/identity_center.py) ------------------------------------------
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


def json_text(value: JsonValue) -> str:
    """Compact JSON for storage and export; datetimes (botocore's) become ISO 8601 text."""
    return json.dumps(value, separators=(",", ":"), default=_json_default, sort_keys=False)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
