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
