"""CDK context for ``-c integration=legacy`` -> validated, frozen settings.

Pure, as ``cdk_app.config`` is: no CDK import. The role's own keys (``externalId``, ``externalIdMode``,
``roleName``, ``permissionsBoundaryArn``, ``include*``) are the single-account integration's, same meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cdk_app import config
from cdk_app.config import AccountSettings
from cdk_app.context_keys import Context, reading
from collector import formats
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError

LEGACY = "legacy"
USER_ACCOUNT_ID = "userAccountId"
ACCOUNT_IDS = "accountIds"
ORGANIZATION_ID = "organizationId"
READERS = "secretReaders"
KMS_KEY_ARN = "secretKmsKeyArn"
USER_NAME = "userName"
KEY_SERIAL = "keySerial"
PREVIOUS_KEY_SERIAL = "previousKeySerial"
PREVIOUS_KEY_ACTIVE = "previousKeyActive"
# Its own keys and the single-account role's (the same meaning); any other key is refused.
LEGACY_KEYS = frozenset(
    {
        *config.ACCOUNT_KEYS - {config.TRUSTED_PRINCIPAL, *config._TRAIL_KEYS},
        USER_ACCOUNT_ID,
        ACCOUNT_IDS,
        ORGANIZATION_ID,
        READERS,
        KMS_KEY_ARN,
        USER_NAME,
        KEY_SERIAL,
        PREVIOUS_KEY_SERIAL,
        PREVIOUS_KEY_ACTIVE,
    }
)


@dataclass(frozen=True)
class LegacySettings:
    """What ``-c integration=legacy`` synthesizes: the user's stack, and a role stack per ``account_ids``.

    The user may assume the role in every account of ``organization_id`` when it is given (the StackSet
    deploys the roles there), else in ``account_ids``. ``None`` means the constructs' default.
    """

    user_account_id: str
    secret_readers: tuple[str, ...]
    account_ids: tuple[str, ...] = ()
    organization_id: str | None = None
    external_id: str | None = None  # None: the role templates take a required ExternalId parameter
    external_id_mode: ExternalIdMode = ExternalIdMode.SHARED
    user_name: str | None = None
    role_name: str | None = None
    secret_kms_key_arn: str | None = None
    key_serial: int = 1
    previous_key_serial: int | None = None
    previous_key_active: bool = True
    permissions_boundary_arn: str | None = None
    include_identity_center: bool = False
    include_organizations: bool = False
    include_security_audit: bool = False

    def role_settings(self, user_arn: str, role_name: str) -> AccountSettings:
        """The single-account settings of each role: trusting the user, under the fixed name."""
        return AccountSettings(
            trusted_principal=user_arn,
            external_id=self.external_id,
            external_id_mode=self.external_id_mode,
            role_name=role_name,
            permissions_boundary_arn=self.permissions_boundary_arn,
            include_identity_center=self.include_identity_center,
            include_organizations=self.include_organizations,
            include_security_audit=self.include_security_audit,
        )


def _list(context: Context, key: str, check: Callable[[object, str], str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(config._list(context, key, check)))  # each once, in the given order


def _serial(context: Context, key: str) -> int | None:
    value = context(key)
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidSettingError(key, context(key), "a whole number from 1 up")
    return value


def _required(context: Context, key: str, what: str) -> object:
    value = context(key)
    if value is None:
        raise InvalidSettingError(key, value, f"{what}: pass -c {key}=...")
    return value


def legacy_settings(context: Context) -> LegacySettings:
    context = reading(LEGACY_KEYS, context)
    user_account_id = formats.account_id(
        _required(context, USER_ACCOUNT_ID, "the 12-digit ID of the account that holds the IAM user"),
        USER_ACCOUNT_ID,
    )
    readers = _list(context, READERS, formats.principal_arn)
    if not readers:
        raise InvalidSettingError(
            READERS,
            context(READERS),
            "comma-separated ARNs of the IAM roles or users that may read the access key",
        )
    account_ids = _list(context, ACCOUNT_IDS, formats.account_id)
    organization_id = config._optional(context, ORGANIZATION_ID, formats.organization_id)
    if not account_ids and organization_id is None:
        raise InvalidSettingError(
            ACCOUNT_IDS,
            context(ACCOUNT_IDS),
            f"comma-separated 12-digit account IDs (or -c {ORGANIZATION_ID}=o-... for every account)",
        )
    key_serial = _serial(context, KEY_SERIAL) or 1
    previous = _serial(context, PREVIOUS_KEY_SERIAL)
    if previous is not None and previous >= key_serial:
        raise InvalidSettingError(
            PREVIOUS_KEY_SERIAL,
            context(PREVIOUS_KEY_SERIAL),
            f"a serial less than {KEY_SERIAL} ({key_serial})",
        )
    if context(PREVIOUS_KEY_ACTIVE) is not None and previous is None:
        raise InvalidSettingError(
            PREVIOUS_KEY_ACTIVE, context(PREVIOUS_KEY_ACTIVE), f"to be used with {PREVIOUS_KEY_SERIAL}"
        )
    previous_active = context(PREVIOUS_KEY_ACTIVE) is None or config._flag(context, PREVIOUS_KEY_ACTIVE)
    customer_id, mode = config._external_id(context)
    return LegacySettings(
        user_account_id=user_account_id,
        secret_readers=readers,
        account_ids=account_ids,
        organization_id=organization_id,
        external_id=customer_id,
        external_id_mode=mode,
        user_name=config._optional(context, USER_NAME, formats.user_name),
        role_name=config._optional(context, config.ROLE_NAME, formats.role_name),
        secret_kms_key_arn=config._optional(context, KMS_KEY_ARN, formats.kms_key_arn),
        key_serial=key_serial,
        previous_key_serial=previous,
        previous_key_active=previous_active,
        permissions_boundary_arn=config._optional(
            context, config.PERMISSIONS_BOUNDARY_ARN, formats.policy_arn
        ),
        include_identity_center=config._flag(context, config.INCLUDE_IDENTITY_CENTER),
        include_organizations=config._flag(context, config.INCLUDE_ORGANIZATIONS),
        include_security_audit=config._flag(context, config.INCLUDE_SECURITY_AUDIT),
    )
