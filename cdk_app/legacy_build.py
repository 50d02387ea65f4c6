"""``-c integration=legacy``: the legacy user's stack and one role stack per listed account.

Thin, as ``cdk_app.build`` is: the logic is in ``constructs_lib.legacy`` and its stacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_cdk import Environment, StackSynthesizer
from constructs import Construct

from cdk_app import build, legacy_config
from cdk_app.legacy_config import LegacySettings
from constructs_lib.account_stack import AccountIntegrationStack
from constructs_lib.legacy import DEFAULT_ROLE_NAME, AccessKeys, AssumableRoles, SecretReaders
from constructs_lib.legacy_stacks import (
    DEFAULT_USER_NAME,
    LegacyUserStack,
    legacy_role_template,
    legacy_user_arn,
    legacy_user_template,
)
from constructs_lib.role_trust import TrustedPrincipal, partition_agnostic_arn

USER_STACK_ID = "LegacyIntegrationUser"
ROLE_STACK_PREFIX = "LegacyIntegrationRole-"
USER_DESCRIPTION = (
    "IAM user for an identity-security vendor's read-only integration, legacy method "
    "(aws-readonly-integration)."
)


def access_keys(settings: LegacySettings) -> AccessKeys:
    if settings.previous_key_serial is None:
        return AccessKeys.one(settings.key_serial, legacy_config.KEY_SERIAL)
    return AccessKeys.rotating(
        previous=settings.previous_key_serial,
        current=settings.key_serial,
        previous_active=settings.previous_key_active,
        previous_setting=legacy_config.PREVIOUS_KEY_SERIAL,
        current_setting=legacy_config.KEY_SERIAL,
    )


def assumable_roles(settings: LegacySettings) -> AssumableRoles:
    role_name = settings.role_name or DEFAULT_ROLE_NAME
    if settings.organization_id is not None:
        return AssumableRoles.in_organization(
            settings.organization_id, role_name, legacy_config.ORGANIZATION_ID
        )
    return AssumableRoles.in_accounts(settings.account_ids, role_name, legacy_config.ACCOUNT_IDS)


def legacy_stacks(
    scope: Construct, settings: LegacySettings, synthesizer: Callable[[], StackSynthesizer]
) -> tuple[LegacyUserStack, tuple[AccountIntegrationStack, ...]]:
    """The user's stack in ``user_account_id``, and the role stack of each of ``account_ids``.

    ``synthesizer`` makes one synthesizer per stack (a synthesizer binds to one stack only).
    """
    user_name = settings.user_name or DEFAULT_USER_NAME
    role_name = settings.role_name or DEFAULT_ROLE_NAME
    user_stack = LegacyUserStack(
        scope,
        USER_STACK_ID,
        roles=assumable_roles(settings),
        secret_readers=SecretReaders.arns(settings.secret_readers, legacy_config.READERS),
        access_keys=access_keys(settings),
        encryption_key_arn=settings.secret_kms_key_arn,
        user_name=user_name,
        description=USER_DESCRIPTION,
        env=Environment(account=settings.user_account_id),
        synthesizer=synthesizer(),
        analytics_reporting=False,
    )
    user_arn = legacy_user_arn(settings.user_account_id, user_name)
    role_stacks = tuple(
        build.account_stack(
            scope,
            settings.role_settings(user_arn, role_name),
            stack_id=f"{ROLE_STACK_PREFIX}{account_id}",
            # the user is created by this app in the same partition as the roles: no partition to keep
            trusted=TrustedPrincipal.user_arn(partition_agnostic_arn(user_arn)),
            env=Environment(account=account_id),
            synthesizer=synthesizer(),
        )
        for account_id in settings.account_ids
    )
    return user_stack, role_stacks


def plain_templates(keys: AccessKeys | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """``make templates``' legacy files: name -> (summary, template). Both take parameters, so one
    reviewed pair serves every customer; ``keys`` gives the user template's access keys (rotation)."""
    user = legacy_user_template(
        access_keys=keys or AccessKeys.one(), user_name=DEFAULT_USER_NAME, description=USER_DESCRIPTION
    )
    role = legacy_role_template(description=build.DESCRIPTION)
    return {
        "legacy-user.json": ("legacy method: the IAM user, its group, access key and secret", user),
        "legacy-role.json": ("legacy method: the role the user may assume, per account or StackSet", role),
    }
