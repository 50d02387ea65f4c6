"""CDK context (``-c key=value``) -> validated, frozen settings.

Pure: no CDK import, so it is tested without jsii. Every error names the context key, the value it got and
what is expected (collector.validation.InvalidSettingError).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from collector import validation
from collector.permissions import DEFAULT_FEATURES, Feature
from collector.validation import InvalidSettingError

# The context keys, as the README documents them.
INTEGRATION = "integration"
TRUSTED_PRINCIPAL = "trustedPrincipal"
EXTERNAL_ID = "externalId"
ROLE_NAME = "roleName"
PERMISSIONS_BOUNDARY_ARN = "permissionsBoundaryArn"
INCLUDE_IDENTITY_CENTER = "includeIdentityCenter"
INCLUDE_ORGANIZATIONS = "includeOrganizations"
INCLUDE_SECURITY_AUDIT = "includeSecurityAudit"

INTEGRATIONS = ("account", "collector-pipeline")

Context = Callable[[str], object]  # App.node.try_get_context: the value, or None when absent


@dataclass(frozen=True)
class AccountSettings:
    """What ``-c integration=account`` (the default) synthesizes."""

    trusted_principal: str
    external_id: str | None  # None: the template takes a required ExternalId parameter
    role_name: str | None = None
    permissions_boundary_arn: str | None = None
    include_identity_center: bool = False
    include_organizations: bool = False
    include_security_audit: bool = False

    @property
    def features(self) -> frozenset[Feature]:
        extra = {Feature.IDENTITY_CENTER} if self.include_identity_center else set()
        if self.include_organizations:
            extra.add(Feature.ORGANIZATIONS)
        return DEFAULT_FEATURES | extra


def _flag(context: Context, key: str) -> bool:
    # `-c key=true` arrives as a string; cdk.json or a test may give a JSON boolean.
    value = context(key)
    if value is None or value is False or (isinstance(value, str) and value.lower() == "false"):
        return False
    if value is True or (isinstance(value, str) and value.lower() == "true"):
        return True
    raise InvalidSettingError(key, value, "true or false")


def _optional(context: Context, key: str, check: Callable[[object, str], str]) -> str | None:
    value = context(key)
    return None if value is None else check(value, key)


def integration(context: Context) -> str:
    value = context(INTEGRATION)
    if value is None:
        return INTEGRATIONS[0]
    if value not in INTEGRATIONS:
        raise InvalidSettingError(INTEGRATION, value, f"one of: {', '.join(INTEGRATIONS)} (default account)")
    return str(value)


def account_settings(context: Context) -> AccountSettings:
    principal = context(TRUSTED_PRINCIPAL)
    if principal is None:
        raise InvalidSettingError(
            TRUSTED_PRINCIPAL,
            principal,
            f"the vendor's role ARN (or user ARN, or 12-digit account ID): pass -c {TRUSTED_PRINCIPAL}=ARN",
        )
    validation.trusted_principal(principal, TRUSTED_PRINCIPAL)
    assert isinstance(principal, str)  # checked just above
    return AccountSettings(
        trusted_principal=principal,
        external_id=_optional(context, EXTERNAL_ID, validation.external_id),
        role_name=_optional(context, ROLE_NAME, validation.role_name),
        permissions_boundary_arn=_optional(context, PERMISSIONS_BOUNDARY_ARN, validation.policy_arn),
        include_identity_center=_flag(context, INCLUDE_IDENTITY_CENTER),
        include_organizations=_flag(context, INCLUDE_ORGANIZATIONS),
        include_security_audit=_flag(context, INCLUDE_SECURITY_AUDIT),
    )


def from_context(context: Context) -> AccountSettings:
    """The settings of ``-c integration=account`` (``collector-pipeline``: ``cdk_app.pipeline_config``)."""
    integration(context)
    return account_settings(context)
