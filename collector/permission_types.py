"""The permission vocabulary: features, access levels, one permission, one service's declaration.

Pure data with no collector import, so that every service's catalog.py (and the CDK constructs, through
collector.permissions) can use it without loading any fetch code.
"""

from __future__ import annotations

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
    """What one service's fetcher calls, declared in collector/services/<service>/catalog.py."""

    fetcher: str  # the fetcher's (and service folder's) name, e.g. "iam"
    feature: Feature
    permissions: tuple[Permission, ...]
