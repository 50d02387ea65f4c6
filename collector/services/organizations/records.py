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
