"""The permission catalog: the single source of truth for every IAM action the integration grants.

Each fetcher module declares, next to the calls it makes, a ``FetcherPermissions`` record; this module only
gathers those declarations. The CDK constructs build the role's policy from ``actions_for(...)`` and the
reviewers' reference (docs/permissions.md) is generated from ``CATALOG``. No other list of granted actions
exists in the project.

This module must not import aws_cdk (the collector runs without it) nor boto3 (it is pure data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Feature(StrEnum):
    """A switchable group of permissions; the role grants the union of the features it is built with."""

    IAM = "iam"
    IDENTITY_CENTER = "identity_center"
    ORGANIZATIONS = "organizations"  # management account (or delegated administrator) only
    EC2 = "ec2"
    CLOUDTRAIL = "cloudtrail"


class AccessLevel(StrEnum):
    """IAM access levels as the Service Authorization Reference names them; only these two are granted."""

    LIST = "List"
    READ = "Read"


@dataclass(frozen=True)
class Permission:
    """One IAM action, the API call that needs it, and why the collector makes that call."""

    action: str  # "iam:GetAccountAuthorizationDetails"
    api: str  # boto3 client name and operation: "iam:GetAccountAuthorizationDetails"
    access_level: AccessLevel
    reason: str

    @property
    def service_prefix(self) -> str:
        return self.action.split(":", 1)[0]

    @property
    def client_name(self) -> str:
        return self.api.split(":", 1)[0]

    @property
    def operation(self) -> str:
        return self.api.split(":", 1)[1]


@dataclass(frozen=True)
class FetcherPermissions:
    """What one fetcher (a module in collector/fetchers) calls, declared next to its code."""

    fetcher: str  # the fetcher's name, e.g. "iam"
    feature: Feature
    permissions: tuple[Permission, ...]


def _gather() -> tuple[FetcherPermissions, ...]:
    # Imported here so that each declaration stays next to the code that makes the calls.
    from collector.fetchers import cloudtrail, ec2, iam, identity_center, organizations  # noqa: PLC0415

    return (
        iam.PERMISSIONS,
        organizations.PERMISSIONS,
        identity_center.PERMISSIONS,
        ec2.PERMISSIONS,
        cloudtrail.PERMISSIONS,
    )


CATALOG: tuple[FetcherPermissions, ...] = _gather()

# The features a member-account role gets unless told otherwise. Identity Center and Organizations are read
# only where they live (management or delegated-administrator account), so they are opt-in.
DEFAULT_FEATURES: frozenset[Feature] = frozenset({Feature.IAM, Feature.EC2, Feature.CLOUDTRAIL})


def permissions_for(features: Iterable[Feature]) -> tuple[Permission, ...]:
    """Every permission of the given features, de-duplicated and sorted by action."""
    wanted = set(features)
    unique = {p.action: p for f in CATALOG if f.feature in wanted for p in f.permissions}
    return tuple(unique[a] for a in sorted(unique))


def actions_for(features: Iterable[Feature]) -> tuple[str, ...]:
    """The sorted IAM actions to grant for the given features."""
    return tuple(p.action for p in permissions_for(features))


def all_permissions() -> tuple[Permission, ...]:
    return permissions_for(Feature)


# Data-plane reads the role must never perform, denied explicitly (defense in depth: an explicit Deny wins
# over any Allow that a customer might attach to the role later, such as SecurityAudit or ReadOnlyAccess).
DATA_PLANE_DENY: tuple[tuple[str, str], ...] = (
    ("s3:GetObject", "object contents"),
    ("s3:GetObjectVersion", "object contents"),
    ("secretsmanager:GetSecretValue", "secret values"),
    ("ssm:GetParameter", "parameter values"),
    ("ssm:GetParameters", "parameter values"),
    ("ssm:GetParametersByPath", "parameter values"),
    ("ssm:GetParameterHistory", "parameter values"),
    ("kms:Decrypt", "decryption of customer data"),
    ("dynamodb:GetItem", "table items"),
    ("dynamodb:BatchGetItem", "table items"),
    ("dynamodb:Query", "table items"),
    ("dynamodb:Scan", "table items"),
    ("lambda:GetFunction", "function code download link"),
    ("logs:GetLogEvents", "log contents"),
    ("logs:FilterLogEvents", "log contents"),
    ("logs:StartQuery", "log contents"),
    ("ec2:GetPasswordData", "Windows administrator password"),
    ("ec2:GetConsoleOutput", "instance console output"),
    ("ec2:GetConsoleScreenshot", "instance console screenshot"),
)


def data_plane_deny_actions() -> tuple[str, ...]:
    return tuple(sorted(a for a, _ in DATA_PLANE_DENY))
