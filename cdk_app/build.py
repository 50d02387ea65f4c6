"""The app's stacks: validated settings -> constructs_lib stacks. Thin: the logic is in the constructs."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from cdk_app import config
from cdk_app.config import AccountSettings, OrganizationSettings, TrailLogs
from collector.external_id import ExternalIdMode
from constructs_lib import AccountIntegrationStack, CloudTrailLogs, ExternalId, TrustedPrincipal
from constructs_lib.organization import IdentityCenter, OrganizationIntegrationStack
from constructs_lib.stack_set import CallAs, Targets

ACCOUNT_STACK_ID = "ReadOnlyIntegration"
ORGANIZATION_STACK_ID = "ReadOnlyOrganizationIntegration"
DESCRIPTION = "Read-only integration role for an identity-security vendor (aws-readonly-integration)."
ORGANIZATION_DESCRIPTION = (
    "Read-only integration for an identity-security vendor: the management account's role and a StackSet "
    "with the role of every member account (aws-readonly-integration)."
)


def _external_id(value: str | None, mode: ExternalIdMode) -> ExternalId:
    """The literal, or the ExternalId parameter; per account if asked."""
    base = ExternalId.parameter() if value is None else ExternalId.literal(value, config.EXTERNAL_ID)
    return ExternalId.per_account(base) if mode is ExternalIdMode.PER_ACCOUNT else base


def _cloud_trail_logs(found: TrailLogs | None) -> CloudTrailLogs | None:
    if found is None:
        return None
    return CloudTrailLogs.bucket(found.bucket, prefix=found.prefix, kms_key_arn=found.kms_key_arn)


def account_stack(
    scope: Construct,
    settings: AccountSettings,
    stack_id: str = ACCOUNT_STACK_ID,
    trusted: TrustedPrincipal | None = None,
    **stack_props: Any,
) -> AccountIntegrationStack:
    """The single-account stack. ``trusted``: instead of ``settings.trusted_principal`` (the legacy roles
    trust their user in the partition they deploy to). ``stack_props`` go to ``Stack`` (synthesizer, env...).
    """
    return AccountIntegrationStack(
        scope,
        stack_id,
        trusted_principal=trusted
        or TrustedPrincipal.from_string(settings.trusted_principal, config.TRUSTED_PRINCIPAL),
        external_id=_external_id(settings.external_id, settings.external_id_mode),
        features=settings.features,
        security_audit=settings.include_security_audit,
        role_name=settings.role_name,
        permissions_boundary_arn=settings.permissions_boundary_arn,
        cloud_trail_logs=_cloud_trail_logs(settings.trail_logs),
        description=DESCRIPTION,
        # No CDKMetadata resource: the customer's template reports nothing about itself to anyone.
        analytics_reporting=False,
        **stack_props,
    )


def _identity_center(settings: OrganizationSettings) -> IdentityCenter | None:
    if settings.identity_center_region is None:
        return None
    if settings.identity_center_account_id is None:
        return IdentityCenter.in_management_account(settings.identity_center_region)
    return IdentityCenter.delegated_to(settings.identity_center_account_id, settings.identity_center_region)


def organization_stack(
    scope: Construct,
    settings: OrganizationSettings,
    stack_id: str = ORGANIZATION_STACK_ID,
    **stack_props: Any,
) -> OrganizationIntegrationStack:
    """The organization stack (StackSet + management role). ``stack_props`` go to ``Stack``."""
    props: dict[str, Any] = {
        "trusted_principal": TrustedPrincipal.from_string(
            settings.trusted_principal, config.TRUSTED_PRINCIPAL
        ),
        "targets": Targets.organizational_units(
            settings.organizational_unit_ids, exclude_accounts=settings.exclude_account_ids
        ),
        "call_as": CallAs(settings.call_as),
        "external_id": _external_id(settings.external_id, settings.external_id_mode),
        "identity_center": _identity_center(settings),
        "region": settings.stack_set_region,
        "security_audit": settings.include_security_audit,
        "cloud_trail_logs": _cloud_trail_logs(settings.trail_logs),
        "log_archive_account_id": settings.log_archive_account_id,
    }
    if settings.role_name is not None:
        props["role_name"] = settings.role_name
    return OrganizationIntegrationStack(
        scope,
        stack_id,
        integration_props=props,
        description=ORGANIZATION_DESCRIPTION,
        analytics_reporting=False,
        **stack_props,
    )
