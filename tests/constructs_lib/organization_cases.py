"""The target/option combinations of the organization rollout that the tests synthesize, in one App."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration

from collector.permissions import Feature
from constructs_lib import CloudTrailLogs, ExternalId, TrustedPrincipal
from constructs_lib.organization import IdentityCenter
from constructs_lib.stack_set import CallAs, Rollout, Share, Targets

VENDOR_ROLE = "arn:aws:iam::111122223333:role/Vendor"
ROOT = "r-ab12"
PROD_OU = "ou-ab12-11111111"
DEV_OU = "ou-ab12-22222222"
EXCLUDED = ("444455556666", "777788889999")
IDENTITY_CENTER_ACCOUNT = "555566667777"
LITERAL_ID = "Abc123-example"
LOG_ARCHIVE_ACCOUNT = "222233334444"
TRAIL_BUCKET = "aws-controltower-logs-222233334444-eu-west-1"
TRAIL_KEY = "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _trail_logs() -> CloudTrailLogs:
    return CloudTrailLogs.bucket(TRAIL_BUCKET, prefix="o-a1b2c3d4e5", kms_key_arn=TRAIL_KEY)


@dataclass(frozen=True)
class OrgCase:
    name: str
    props: Callable[[], Mapping[str, Any]]  # OrganizationIntegration's props (fresh objects per build)
    account: str | None = None  # the stack's env account, when the case needs one


def _base(**props: Any) -> Callable[[], Mapping[str, Any]]:
    def build() -> Mapping[str, Any]:
        values: dict[str, Any] = {
            "trusted_principal": TrustedPrincipal.role_arn(VENDOR_ROLE),
            "targets": Targets.organizational_units([ROOT]),
            "call_as": CallAs.SELF,
        }
        values.update({k: v() if callable(v) else v for k, v in props.items()})
        return values

    return build


ORG_CASES: tuple[OrgCase, ...] = (
    OrgCase("root-self", _base()),
    OrgCase(
        "ous-minus-accounts",
        _base(targets=lambda: Targets.organizational_units([PROD_OU, DEV_OU], exclude_accounts=EXCLUDED)),
    ),
    OrgCase(
        "only-some-accounts",
        _base(
            targets=lambda: Targets.accounts_in_organizational_units([PROD_OU], EXCLUDED),
            auto_deployment=False,
        ),
    ),
    OrgCase("delegated-admin", _base(call_as=CallAs.DELEGATED_ADMIN)),
    OrgCase("management-role-off", _base(management_role=False)),
    OrgCase(
        "per-account-literal",
        _base(external_id=lambda: ExternalId.per_account(ExternalId.literal(LITERAL_ID))),
    ),
    OrgCase("per-account-parameter", _base(external_id=ExternalId.per_account)),
    OrgCase(
        "identity-center-delegated",
        _base(identity_center=lambda: IdentityCenter.delegated_to(IDENTITY_CENTER_ACCOUNT, "eu-west-1")),
    ),
    OrgCase(
        "identity-center-management",
        _base(identity_center=lambda: IdentityCenter.in_management_account("eu-west-1")),
    ),
    OrgCase(
        "members-read-identity-center",
        _base(member_features=frozenset({Feature.IAM, Feature.IDENTITY_CENTER})),
    ),
    OrgCase(
        "all-options",
        _base(
            external_id=lambda: ExternalId.literal(LITERAL_ID),
            role_name="VendorReadOnly",
            region="eu-central-1",
            stack_set_name="VendorMemberRoles",
            rollout=lambda: Rollout(Share.accounts(2), Share.accounts(3), strict=True),
            security_audit=True,
            max_session_duration=Duration.hours(4),
            tags={"owner": "security"},
        ),
        account="123456789012",
    ),
    OrgCase("ou-parameter", _base(targets=Targets.organizational_units_parameter)),
    OrgCase(
        "trail-logs-log-archive",
        _base(cloud_trail_logs=_trail_logs, log_archive_account_id=LOG_ARCHIVE_ACCOUNT),
    ),
    OrgCase("trail-logs-management", _base(cloud_trail_logs=_trail_logs)),
)
ORG_CASE_NAMES = [c.name for c in ORG_CASES]
