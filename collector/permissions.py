"""The permission catalog: the single source of truth for every IAM action the integration grants.

Each service declares, next to the calls it makes, a ``FetcherPermissions`` record in
collector/services/<service>/catalog.py; this module only gathers those declarations, for the services
collector.services lists. The CDK constructs build the role's policy from ``actions_for(...)`` and the
reviewers' reference (docs/permissions.md) is generated from ``CATALOG``. No other list of granted actions
exists in the project.

This module must not import aws_cdk (the collector runs without it) nor botocore or any fetch module (it is
pure data: a test imports it in a fresh interpreter and checks).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission
from collector.services import SERVICES, module_name

__all__ = [
    "CATALOG",
    "DATA_PLANE_DENY",
    "DEFAULT_FEATURES",
    "AccessLevel",
    "Feature",
    "FetcherPermissions",
    "Permission",
    "access_level_overrides",
    "actions_for",
    "all_permissions",
    "catalog_of",
    "data_plane_deny_actions",
    "permissions_for",
]


def catalog_of(service: str) -> FetcherPermissions:
    """The declaration in ``collector/services/<service>/catalog.py``, checked to be one and to be its own."""
    found = getattr(importlib.import_module(module_name(service, "catalog")), "PERMISSIONS", None)
    if not isinstance(found, FetcherPermissions):
        raise TypeError(
            f"{module_name(service, 'catalog')}.PERMISSIONS must be a FetcherPermissions: {found!r}"
        )
    if found.fetcher != service:
        raise TypeError(
            f"{module_name(service, 'catalog')} declares fetcher {found.fetcher!r}, not {service!r}"
        )
    return found


CATALOG: tuple[FetcherPermissions, ...] = tuple(catalog_of(name) for name in SERVICES)


def access_level_overrides() -> dict[str, AccessLevel]:
    """Access levels a service's catalog states, with its source, for actions the IAM database used by the
    read-only check does not know yet (``ACCESS_LEVEL_OVERRIDES`` in its catalog.py; few, and cited)."""
    found: dict[str, AccessLevel] = {}
    for name in SERVICES:
        module = importlib.import_module(module_name(name, "catalog"))
        found.update(getattr(module, "ACCESS_LEVEL_OVERRIDES", {}))
    return found


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
    ("ebs:GetSnapshotBlock", "snapshot contents (EBS direct APIs)"),
    ("ebs:ListSnapshotBlocks", "snapshot block map (EBS direct APIs)"),
    ("ebs:ListChangedBlocks", "snapshot block map (EBS direct APIs)"),
)


def data_plane_deny_actions() -> tuple[str, ...]:
    return tuple(sorted(a for a, _ in DATA_PLANE_DENY))
