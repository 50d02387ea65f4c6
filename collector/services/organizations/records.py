"""The AWS Organizations record kinds (typed, frozen; pure data)."""

from __future__ import annotations

from dataclasses import dataclass

from collector.models import JsonValue, Record


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
class OrganizationRoot(Record):
    """The root of the OU tree, with the policy types enabled on it (ListRoots tells, at no extra call)."""

    KIND = "organization_roots"
    KEY = ("id",)
    id: str
    arn: str
    name: str
    enabled_policy_types: JsonValue  # sorted types whose status is ENABLED, e.g. ["RESOURCE_CONTROL_POLICY"]
    policy_types: JsonValue  # every {Type, Status} as listed (PENDING_ENABLE / PENDING_DISABLE included)


@dataclass(frozen=True, kw_only=True)
class _OrganizationPolicyFields(Record):
    KEY = ("id",)
    id: str
    arn: str
    name: str
    description: str
    aws_managed: bool
    document: JsonValue


@dataclass(frozen=True, kw_only=True)
class ServiceControlPolicy(_OrganizationPolicyFields):
    """Bounds what the organization's identities may do (SERVICE_CONTROL_POLICY)."""

    KIND = "service_control_policies"


@dataclass(frozen=True, kw_only=True)
class ResourceControlPolicy(_OrganizationPolicyFields):
    """Bounds what may be done to the organization's resources, whoever asks (RESOURCE_CONTROL_POLICY)."""

    KIND = "resource_control_policies"


@dataclass(frozen=True, kw_only=True)
class _PolicyTargetFields(Record):
    KEY = ("policy_id", "target_id")
    policy_id: str
    target_id: str
    target_type: str
    target_name: str


@dataclass(frozen=True, kw_only=True)
class PolicyTarget(_PolicyTargetFields):
    """Where a service control policy is attached: the root, an OU or an account."""

    KIND = "service_control_policy_targets"


@dataclass(frozen=True, kw_only=True)
class ResourceControlPolicyTarget(_PolicyTargetFields):
    """Where a resource control policy is attached: the root, an OU or an account."""

    KIND = "resource_control_policy_targets"


@dataclass(frozen=True, kw_only=True)
class DelegatedAdministrator(Record):
    """A member account that administers some service for the organization (e.g. IAM Identity Center)."""

    KIND = "delegated_administrators"
    KEY = ("delegated_account_id",)
    delegated_account_id: str
    name: str
    status: str | None = None
    delegation_enabled_date: str | None = None
