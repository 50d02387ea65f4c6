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


# --- EC2 resources and network (collector/fetchers/ec2.py) ------------------------------------------------
# Regional: every record's region is the region it lives in. Lists of IDs and nested structures are JSON.


@dataclass(frozen=True, kw_only=True)
class Ec2Instance(Record):
    """An instance; its profile ARN joins ``instance_profiles.arn`` (IAM), which names the role(s)."""

    KIND = "ec2_instances"
    KEY = ("instance_id",)
    instance_id: str
    arn: str
    state: str
    instance_type: str | None = None
    image_id: str | None = None
    vpc_id: str | None = None
    subnet_id: str | None = None
    private_ip: str | None = None
    public_ip: str | None = None
    instance_profile_arn: str | None = None
    instance_profile_name: str | None = None
    key_name: str | None = None
    launch_time: str | None = None
    security_group_ids: JsonValue = None  # list of group IDs
    network_interface_ids: JsonValue = None  # list of ENI IDs
    metadata_http_tokens: str | None = None  # "required" means IMDSv2 only
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class Vpc(Record):
    KIND = "vpcs"
    KEY = ("vpc_id",)
    vpc_id: str
    owner_id: str | None
    cidr_block: str | None
    cidr_blocks: JsonValue  # every associated IPv4 and IPv6 block
    is_default: bool
    state: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class Subnet(Record):
    KIND = "subnets"
    KEY = ("subnet_id",)
    subnet_id: str
    arn: str | None
    vpc_id: str
    cidr_block: str | None
    availability_zone: str | None
    map_public_ip_on_launch: bool | None
    default_for_az: bool | None
    state: str | None = None
    ipv6_cidr_blocks: JsonValue = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class SecurityGroup(Record):
    """A security group; its rules are SecurityGroupRule records (one per rule, with its own ID)."""

    KIND = "security_groups"
    KEY = ("group_id",)
    group_id: str
    arn: str
    group_name: str
    description: str | None
    vpc_id: str | None
    owner_id: str | None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class SecurityGroupRule(Record):
    """One ingress or egress rule; its peer is one of cidr_ipv4, cidr_ipv6, prefix_list_id or a group."""

    KIND = "security_group_rules"
    KEY = ("rule_id",)
    rule_id: str
    group_id: str
    is_egress: bool
    ip_protocol: str  # "-1" means every protocol
    from_port: int | None
    to_port: int | None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None
    referenced_group_id: str | None = None
    referenced_group_owner_id: str | None = None
    description: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class NetworkInterface(Record):
    KIND = "network_interfaces"
    KEY = ("network_interface_id",)
    network_interface_id: str
    interface_type: str | None
    status: str | None
    vpc_id: str | None
    subnet_id: str | None
    availability_zone: str | None
    private_ip: str | None
    public_ip: str | None
    attached_instance_id: str | None
    requester_managed: bool | None
    security_group_ids: JsonValue  # list of group IDs
    private_ips: JsonValue = None  # every private address, with its public association if any
    description: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class RouteTable(Record):
    KIND = "route_tables"
    KEY = ("route_table_id",)
    route_table_id: str
    vpc_id: str
    is_main: bool  # the VPC's main table: it routes every subnet without an explicit association
    subnet_ids: JsonValue  # explicitly associated subnets
    routes: JsonValue  # destination and target of every route, as the API gives them
    owner_id: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class InternetGateway(Record):
    KIND = "internet_gateways"
    KEY = ("internet_gateway_id",)
    internet_gateway_id: str
    owner_id: str | None
    vpc_ids: JsonValue  # attached VPCs
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class NatGateway(Record):
    KIND = "nat_gateways"
    KEY = ("nat_gateway_id",)
    nat_gateway_id: str
    vpc_id: str | None
    subnet_id: str | None
    state: str | None
    connectivity_type: str | None
    public_ips: JsonValue  # list of public addresses
    private_ips: JsonValue  # list of private addresses
    create_time: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class VpcPeeringConnection(Record):
    """Both regions of a cross-region peering list it; an account keeps it once, in its own side's region."""

    KIND = "vpc_peering_connections"
    KEY = ("vpc_peering_connection_id",)
    vpc_peering_connection_id: str
    status: str | None
    requester_vpc_id: str | None
    requester_owner_id: str | None
    requester_region: str | None
    accepter_vpc_id: str | None
    accepter_owner_id: str | None
    accepter_region: str | None
    tags: JsonValue = None


# --- CloudTrail (collector/fetchers/cloudtrail.py) --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CloudTrailEvent(Record):
    """A management event from LookupEvents. Read incrementally: rows accumulate across runs (never stale).

    ``raw`` is the API's item with its ``CloudTrailEvent`` text parsed into JSON.
    """

    KIND = "cloudtrail_events"
    KEY = ("event_id",)
    event_id: str
    event_time: str
    event_name: str
    event_source: str
    read_only: bool | None
    username: str | None = None
    access_key_id: str | None = None
    identity_type: str | None = None  # userIdentity.type: IAMUser, AssumedRole, Root, AWSService...
    principal_arn: str | None = None  # userIdentity.arn
    session_issuer_arn: str | None = None  # the role behind an assumed-role session
    source_ip: str | None = None
    user_agent: str | None = None
    aws_region: str | None = None  # the region the event was recorded for (us-east-1 for global services)
    error_code: str | None = None
    resources: JsonValue = None  # [{"type": ..., "name": ...}]
