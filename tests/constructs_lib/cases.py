"""The option combinations of the integration role that the tests synthesize (see conftest.matrix)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import App, Duration

from collector.permissions import DEFAULT_FEATURES, Feature
from constructs_lib import AccountIntegrationStack, CloudTrailLogs, TrustedPrincipal

VENDOR_ROLE = "arn:aws:iam::111122223333:role/Vendor"
VENDOR_USER = "arn:aws:iam::111122223333:user/vendor-collector"
VENDOR_ACCOUNT = "111122223333"
LITERAL_ID = "Abc123-example"
BOUNDARY = "arn:aws:iam::444455556666:policy/VendorBoundary"
TRAIL_BUCKET = "aws-controltower-logs-222233334444-eu-west-1"
TRAIL_PREFIX = "o-a1b2c3d4e5"
TRAIL_KEY = "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab"

ALL_OPTIONS: Mapping[str, Any] = {
    "role_name": "VendorReadOnly",
    "path": "/vendor/",
    "permissions_boundary_arn": BOUNDARY,
    "max_session_duration": Duration.hours(12),
    "tags": {"owner": "security", "vendor": "example"},
    "security_audit": True,
}


IDENTITY_CENTER_REGION = "eu-west-1"


@dataclass(frozen=True)
class Case:
    """One option combination: how the trust is given, which features, which optional props."""

    name: str
    principal_kind: str  # "role" | "user" | "account"
    external_id: str | None  # a literal, or None for the ExternalId parameter
    features: frozenset[Feature] = DEFAULT_FEATURES
    options: Mapping[str, Any] = field(default_factory=dict)
    deploy_synthesizer: bool = False  # the `cdk deploy` synthesizer instead of the bootstrap-free one

    def principal(self) -> TrustedPrincipal:
        if self.principal_kind == "role":
            return TrustedPrincipal.role_arn(VENDOR_ROLE)
        if self.principal_kind == "user":
            return TrustedPrincipal.user_arn(VENDOR_USER)
        return TrustedPrincipal.account(VENDOR_ACCOUNT)


CASES: tuple[Case, ...] = (
    Case("role-parameter", "role", None),
    Case("role-literal", "role", LITERAL_ID),
    Case("user-literal", "user", LITERAL_ID),
    Case("account-parameter", "account", None),
    Case("identity-center", "role", None, DEFAULT_FEATURES | {Feature.IDENTITY_CENTER}),
    # An instance that may be encrypted with a customer-managed key: decrypt through Identity Center only.
    Case(
        "identity-center-cmk",
        "role",
        LITERAL_ID,
        DEFAULT_FEATURES | {Feature.IDENTITY_CENTER},
        {"identity_center_region": IDENTITY_CENTER_REGION},
    ),
    Case("organizations", "role", LITERAL_ID, DEFAULT_FEATURES | {Feature.ORGANIZATIONS}),
    Case("management-account", "role", None, frozenset(Feature)),
    Case("all-options", "role", LITERAL_ID, frozenset(Feature), ALL_OPTIONS),
    Case("deploy-synthesizer", "role", LITERAL_ID, deploy_synthesizer=True),
    Case(
        "trail-logs",
        "role",
        LITERAL_ID,
        options={
            "cloud_trail_logs": CloudTrailLogs.bucket(
                TRAIL_BUCKET, prefix=TRAIL_PREFIX, kms_key_arn=TRAIL_KEY
            )
        },
    ),
    Case(
        "trail-logs-sse-s3", "role", None, options={"cloud_trail_logs": CloudTrailLogs.bucket(TRAIL_BUCKET)}
    ),
)
CASE_NAMES = [c.name for c in CASES]


@dataclass(frozen=True)
class Matrix:
    app: App
    stacks: dict[str, AccountIntegrationStack]
    templates: dict[str, dict[str, Any]]
    outdir: Path
