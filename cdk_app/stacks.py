"""The app's stacks: validated settings -> constructs_lib stacks. Thin: the logic is in the constructs."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from cdk_app import config
from cdk_app.config import AccountSettings
from constructs_lib import AccountIntegrationStack, ExternalId, TrustedPrincipal

ACCOUNT_STACK_ID = "ReadOnlyIntegration"
DESCRIPTION = "Read-only integration role for an identity-security vendor (aws-readonly-integration)."


def account_stack(
    scope: Construct, settings: AccountSettings, stack_id: str = ACCOUNT_STACK_ID, **stack_props: Any
) -> AccountIntegrationStack:
    """The single-account stack. ``stack_props`` go to ``Stack`` (synthesizer, env...)."""
    return AccountIntegrationStack(
        scope,
        stack_id,
        trusted_principal=TrustedPrincipal.from_string(settings.trusted_principal, config.TRUSTED_PRINCIPAL),
        external_id=(
            None
            if settings.external_id is None
            else ExternalId.literal(settings.external_id, config.EXTERNAL_ID)
        ),
        features=settings.features,
        security_audit=settings.include_security_audit,
        role_name=settings.role_name,
        permissions_boundary_arn=settings.permissions_boundary_arn,
        description=DESCRIPTION,
        # No CDKMetadata resource: the customer's template reports nothing about itself to anyone.
        analytics_reporting=False,
        **stack_props,
    )
