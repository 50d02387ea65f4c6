"""CDK context (``-c key=value``) -> validated, frozen settings.

Pure: no CDK import, so it is tested without jsii. Every error names the context key, the value it got and
what is expected (collector.formats.InvalidSettingError).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cdk_app.context_keys import Context, reading
from collector import external_id, formats
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature

# The context keys, as docs/deploy-account.md and docs/deploy-organization.md document them.
INTEGRATION = "integration"
TRUSTED_PRINCIPAL = "trustedPrincipal"
EXTERNAL_ID = "externalId"
ROLE_NAME = "roleName"
PERMISSIONS_BOUNDARY_ARN = "permissionsBoundaryArn"
INCLUDE_IDENTITY_CENTER = "includeIdentityCenter"
INCLUDE_ORGANIZATIONS = "includeOrganizations"
INCLUDE_SECURITY_AUDIT = "includeSecurityAudit"
# -c integration=organization
ORGANIZATIONAL_UNIT_IDS = "organizationalUnitIds"
EXCLUDE_ACCOUNT_IDS = "excludeAccountIds"
STACK_SET_REGION = "stackSetRegion"
CALL_AS = "callAs"
IDENTITY_CENTER_REGION = "identityCenterRegion"
IDENTITY_CENTER_ACCOUNT_ID = "identityCenterAccountId"
EXTERNAL_ID_MODE = "externalIdMode"
# The trail's log files (opt-in): the role may read them (and nothing else of S3 or KMS).
CLOUD_TRAIL_BUCKET = "cloudTrailBucket"
CLOUD_TRAIL_PREFIX = "cloudTrailPrefix"
CLOUD_TRAIL_KMS_KEY_ARN = "cloudTrailKmsKeyArn"
LOG_ARCHIVE_ACCOUNT_ID = "logArchiveAccountId"  # -c integration=organization: the account with the bucket

INTEGRATIONS = ("account", "organization", "legacy", "collector-pipeline")
CALL_AS_VALUES = ("SELF", "DELEGATED_ADMIN")

# What each integration reads (cdk_app.context_keys: any other key is refused).
_ROLE_KEYS = (
    INTEGRATION,
    TRUSTED_PRINCIPAL,
    EXTERNAL_ID,
    EXTERNAL_ID_MODE,
    ROLE_NAME,
    INCLUDE_SECURITY_AUDIT,
)
_TRAIL_KEYS = (CLOUD_TRAIL_BUCKET, CLOUD_TRAIL_PREFIX, CLOUD_TRAIL_KMS_KEY_ARN)
ACCOUNT_KEYS = frozenset(
    {*_ROLE_KEYS, PERMISSIONS_BOUNDARY_ARN, INCLUDE_IDENTITY_CENTER, INCLUDE_ORGANIZATIONS, *_TRAIL_KEYS}
)
# Keys of another integration that the account's builder reads only to refuse them with their reason.
REFUSED_BY_ACCOUNT = frozenset({LOG_ARCHIVE_ACCOUNT_ID})


@dataclass(frozen=True)
class TrailLogs:
    """Where the trail delivers its log files (``cloudTrailBucket`` and friends)."""

    bucket: str
    prefix: str | None = None
    kms_key_arn: str | None = None


def _trail_logs(context: Context) -> TrailLogs | None:
    bucket = _optional(context, CLOUD_TRAIL_BUCKET, formats.s3_bucket_name)
    prefix = _optional(context, CLOUD_TRAIL_PREFIX, formats.s3_key_prefix)
    key = _optional(context, CLOUD_TRAIL_KMS_KEY_ARN, formats.kms_key_arn)
    if bucket is None:
        for name, value in ((CLOUD_TRAIL_PREFIX, prefix), (CLOUD_TRAIL_KMS_KEY_ARN, key)):
            if value is not None:
                raise InvalidSettingError(
                    name, value, f"to be used with {CLOUD_TRAIL_BUCKET} (the trail's bucket)"
                )
        return None
    return TrailLogs(bucket, prefix, key)


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
    # per-account: the role expects the ExternalId, '-', its account ID (as the organization's roles can)
    external_id_mode: ExternalIdMode = ExternalIdMode.SHARED
    trail_logs: TrailLogs | None = None

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


def _list(context: Context, key: str, check: Callable[[object, str], str]) -> tuple[str, ...]:
    """A comma-separated string (``-c key=a,b``) or a JSON list (cdk.json), each item checked."""
    value = context(key)
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise InvalidSettingError(key, value, "a comma-separated list")
    return tuple(check(item.strip() if isinstance(item, str) else item, key) for item in items)


def integration(context: Context) -> str:
    value = context(INTEGRATION)
    if value is None:
        return INTEGRATIONS[0]
    if value not in INTEGRATIONS:
        raise InvalidSettingError(INTEGRATION, value, f"one of: {', '.join(INTEGRATIONS)} (default account)")
    return str(value)


def _trusted_principal(context: Context) -> str:
    principal = context(TRUSTED_PRINCIPAL)
    if principal is None:
        raise InvalidSettingError(
            TRUSTED_PRINCIPAL,
            principal,
            f"the vendor's role ARN (or user ARN, or 12-digit account ID): pass -c {TRUSTED_PRINCIPAL}=ARN",
        )
    formats.trusted_principal(principal, TRUSTED_PRINCIPAL)
    assert isinstance(principal, str)  # checked just above
    return principal


def _external_id(context: Context) -> tuple[str | None, ExternalIdMode]:
    mode = external_id.mode(context(EXTERNAL_ID_MODE) or ExternalIdMode.SHARED.value, EXTERNAL_ID_MODE)
    value = context(EXTERNAL_ID)
    return (None if value is None else external_id.check_base(value, mode, EXTERNAL_ID)), mode


def account_settings(context: Context) -> AccountSettings:
    context = reading(ACCOUNT_KEYS | REFUSED_BY_ACCOUNT, context)
    customer_id, mode = _external_id(context)
    if context(LOG_ARCHIVE_ACCOUNT_ID) is not None:
        raise InvalidSettingError(
            LOG_ARCHIVE_ACCOUNT_ID,
            context(LOG_ARCHIVE_ACCOUNT_ID),
            f"no value with {INTEGRATION}=account: this account's role reads {CLOUD_TRAIL_BUCKET} itself",
        )
    return AccountSettings(
        trusted_principal=_trusted_principal(context),
        external_id=customer_id,
        external_id_mode=mode,
        role_name=_optional(context, ROLE_NAME, formats.role_name),
        permissions_boundary_arn=_optional(context, PERMISSIONS_BOUNDARY_ARN, formats.policy_arn),
        include_identity_center=_flag(context, INCLUDE_IDENTITY_CENTER),
        include_organizations=_flag(context, INCLUDE_ORGANIZATIONS),
        include_security_audit=_flag(context, INCLUDE_SECURITY_AUDIT),
        trail_logs=_trail_logs(context),
    )


@dataclass(frozen=True)
class OrganizationSettings:
    """What ``-c integration=organization`` synthesizes (see docs/deploy-organization.md)."""

    trusted_principal: str
    external_id: str | None  # None: the template takes a required ExternalId parameter
    organizational_unit_ids: tuple[str, ...]
    call_as: str  # SELF | DELEGATED_ADMIN
    exclude_account_ids: tuple[str, ...] = ()
    stack_set_region: str | None = None  # None: the stack's region
    identity_center_region: str | None = None
    identity_center_account_id: str | None = None  # None: the management account (or unknown)
    external_id_mode: ExternalIdMode = ExternalIdMode.SHARED
    role_name: str | None = None  # None: the construct's default
    include_security_audit: bool = False
    trail_logs: TrailLogs | None = None
    log_archive_account_id: str | None = None  # None: the management account's role reads the trail's files


# Account keys that have no meaning for an organization, and what to use instead.
_NOT_FOR_ORGANIZATION = {
    PERMISSIONS_BOUNDARY_ARN: "no value: a boundary is a policy of one account, the StackSet cannot name it",
    INCLUDE_IDENTITY_CENTER: f"no value: use {IDENTITY_CENTER_ACCOUNT_ID} and {IDENTITY_CENTER_REGION}",
    INCLUDE_ORGANIZATIONS: "no value: the management account's role reads Organizations already",
}

# The organization's keys; it reads the account keys above too, only to refuse them with their reason.
ORGANIZATION_KEYS = frozenset(
    {
        *_ROLE_KEYS,
        ORGANIZATIONAL_UNIT_IDS,
        EXCLUDE_ACCOUNT_IDS,
        STACK_SET_REGION,
        CALL_AS,
        IDENTITY_CENTER_REGION,
        IDENTITY_CENTER_ACCOUNT_ID,
        *_TRAIL_KEYS,
        LOG_ARCHIVE_ACCOUNT_ID,
    }
)

REFUSED_BY_ORGANIZATION = frozenset(_NOT_FOR_ORGANIZATION)


def _call_as(context: Context) -> str:
    value = context(CALL_AS)
    if value not in CALL_AS_VALUES:
        raise InvalidSettingError(
            CALL_AS,
            value,
            "SELF (deploying from the management account) or DELEGATED_ADMIN (from a delegated StackSet "
            "administrator account)",
        )
    return str(value)


def _one_region(value: object, key: str) -> str:
    if isinstance(value, str) and "," in value:
        raise InvalidSettingError(
            key, value, "exactly one region: IAM names are global, a second region would collide"
        )
    return formats.region(value, key)


def organization_settings(context: Context) -> OrganizationSettings:
    context = reading(ORGANIZATION_KEYS | REFUSED_BY_ORGANIZATION, context)
    principal = _trusted_principal(context)
    for key, instead in _NOT_FOR_ORGANIZATION.items():
        if context(key) is not None:
            raise InvalidSettingError(key, context(key), f"{instead} (with {INTEGRATION}=organization)")
    targets = _list(context, ORGANIZATIONAL_UNIT_IDS, formats.root_or_ou_id)
    if not targets:
        raise InvalidSettingError(
            ORGANIZATIONAL_UNIT_IDS,
            context(ORGANIZATIONAL_UNIT_IDS),
            "the root (r-ab12) or OU IDs (ou-ab12-cdef3456) to deploy the member role to, comma-separated",
        )
    customer_id, mode = _external_id(context)
    center_account = _optional(context, IDENTITY_CENTER_ACCOUNT_ID, formats.account_id)
    center_region = _optional(context, IDENTITY_CENTER_REGION, formats.region)
    if center_account is not None and center_region is None:
        raise InvalidSettingError(
            IDENTITY_CENTER_REGION, None, f"Identity Center's home region, with {IDENTITY_CENTER_ACCOUNT_ID}"
        )
    trail_logs = _trail_logs(context)
    log_archive = _optional(context, LOG_ARCHIVE_ACCOUNT_ID, formats.account_id)
    if log_archive is not None and trail_logs is None:
        raise InvalidSettingError(
            LOG_ARCHIVE_ACCOUNT_ID, log_archive, f"to be used with {CLOUD_TRAIL_BUCKET} (the trail's bucket)"
        )
    return OrganizationSettings(
        trusted_principal=principal,
        external_id=customer_id,
        organizational_unit_ids=targets,
        call_as=_call_as(context),
        exclude_account_ids=_list(context, EXCLUDE_ACCOUNT_IDS, formats.account_id),
        stack_set_region=_optional(context, STACK_SET_REGION, _one_region),
        identity_center_region=center_region,
        identity_center_account_id=center_account,
        external_id_mode=mode,
        role_name=_optional(context, ROLE_NAME, formats.role_name),
        include_security_audit=_flag(context, INCLUDE_SECURITY_AUDIT),
        trail_logs=trail_logs,
        log_archive_account_id=log_archive,
    )


Settings = AccountSettings | OrganizationSettings


def from_context(context: Context) -> Settings:
    """The settings of the integration the context asks for (``legacy`` and ``collector-pipeline`` have
    their own modules: ``cdk_app.legacy_config``, ``cdk_app.pipeline_config``)."""
    if integration(context) == "organization":
        return organization_settings(context)
    return account_settings(context)
