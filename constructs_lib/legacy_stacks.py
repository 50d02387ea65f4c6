"""The legacy method's two stacks: the user (one account) and the role it may assume (every listed account).

- ``LegacyUserStack``: ``LegacyIntegrationUser`` plus two outputs, ``UserArn`` and ``SecretArn``.
- ``LegacyRoleStack``: the ``AccountIntegrationStack`` role with a fixed name, trusting exactly the user's
  ARN, still with the ExternalId condition. With ``user_arn=None`` it takes the ARN as its
  ``TrustedUserArn`` parameter, so one plain template serves every account, deployed per account or as
  the member template of the organization's StackSet (``legacy_role_template``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import BootstraplessSynthesizer, CfnOutput, CfnParameter, Fn, Stack
from aws_cdk import aws_kms as kms
from constructs import Construct

from collector import formats
from collector.formats import InvalidSettingError
from constructs_lib.account_stack import AccountIntegrationStack
from constructs_lib.legacy import (
    DEFAULT_ROLE_NAME,
    AccessKeys,
    AssumableRoles,
    LegacyIntegrationUser,
    SecretReaders,
)
from constructs_lib.plain_template import plain_template
from constructs_lib.role_trust import TrustedPrincipal
from constructs_lib.validation import unless_token

USER_ID = "LegacyUser"
USER_ARN_OUTPUT = "UserArn"
SECRET_ARN_OUTPUT = "SecretArn"  # noqa: S105 - an output name, not a secret
TRUSTED_USER_ARN_PARAMETER = "TrustedUserArn"
# The ready app's and the plain templates' fixed user name: the role stacks must know the user's ARN.
DEFAULT_USER_NAME = "ReadOnlyIntegrationUser"
USER_TEMPLATE_STACK_ID = "LegacyIntegrationUser"
ROLE_TEMPLATE_STACK_ID = "LegacyIntegrationRole"


def legacy_user_arn(account_id: str, user_name: str = DEFAULT_USER_NAME, path: str = "/") -> str:
    """The user's ARN once ``LegacyUserStack`` is deployed in ``account_id`` (partition ``aws``; the role
    stacks write it with the partition they deploy to)."""
    arn = f"arn:aws:iam::{account_id}:user{path}{user_name}"
    return formats.user_arn(arn, "user ARN (account ID, user name and path)")


class LegacyUserStack(Stack):
    """A stack holding one ``LegacyIntegrationUser`` (construct ID ``LegacyUser``) and two outputs.

    Outputs: ``UserArn`` (the role stacks trust it) and ``SecretArn`` (where the key is). Nothing else: the
    access key never appears in an output.

    :param encryption_key_arn: a customer KMS key ARN for the secret. Default: ``aws/secretsmanager``.
    :param user_name: Default: ``DEFAULT_USER_NAME`` (fixed, so the role stacks can name the user).
    :param stack_props: passed to ``Stack`` (``synthesizer``, ``env``, ``description``...).
    The other parameters are ``LegacyIntegrationUser``'s.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        roles: AssumableRoles,
        secret_readers: SecretReaders,
        access_keys: AccessKeys | None = None,
        encryption_key_arn: str | None = None,
        user_name: str = DEFAULT_USER_NAME,
        path: str | None = None,
        secret_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        **stack_props: Any,
    ) -> None:
        super().__init__(scope, id, **stack_props)
        key = None
        if encryption_key_arn is not None:
            unless_token(formats.kms_key_arn, encryption_key_arn, "encryption_key_arn")
            key = kms.Key.from_key_arn(self, "SecretEncryptionKey", encryption_key_arn)
        self.legacy_user = LegacyIntegrationUser(
            self,
            USER_ID,
            roles=roles,
            secret_readers=secret_readers,
            access_keys=access_keys,
            encryption_key=key,
            user_name=user_name,
            path=path,
            secret_name=secret_name,
            tags=tags,
        )
        CfnOutput(
            self,
            USER_ARN_OUTPUT,
            value=self.legacy_user.user_arn,
            description="The IAM user the role stacks trust (their TrustedUserArn).",
        )
        CfnOutput(
            self,
            SECRET_ARN_OUTPUT,
            value=self.legacy_user.secret_arn,
            description="The Secrets Manager secret holding the user's access key, for the vendor.",
        )


class LegacyRoleStack(AccountIntegrationStack):
    """The integration role for the legacy method: a fixed name, trusting exactly the legacy user.

    :param user_arn: the legacy user's ARN. Default: a required ``TrustedUserArn`` parameter.
    :param role_name: the name the user's policy names. Default: ``DEFAULT_ROLE_NAME``.
    The other parameters are ``AccountIntegrationStack``'s (``external_id``, ``features``...).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        user_arn: str | None = None,
        role_name: str = DEFAULT_ROLE_NAME,
        **props: Any,
    ) -> None:
        if "trusted_principal" in props:
            raise InvalidSettingError("trusted_principal", props["trusted_principal"], "user_arn instead")
        if role_name is None:
            raise InvalidSettingError(
                "role_name", role_name, "a fixed name: the user's policy names the role"
            )
        trusted = Fn.ref(TRUSTED_USER_ARN_PARAMETER) if user_arn is None else user_arn
        super().__init__(
            scope,
            id,
            trusted_principal=TrustedPrincipal.user_arn(trusted, "user_arn"),
            role_name=role_name,
            **props,
        )
        if user_arn is None:
            self.trusted_user_arn = CfnParameter(
                self,
                TRUSTED_USER_ARN_PARAMETER,
                type="String",
                description="The legacy integration user's ARN (the UserArn output of its stack).",
                allowed_pattern=formats.USER_ARN_PATTERN,
                constraint_description="an IAM user ARN such as arn:aws:iam::111122223333:user/Name",
            )


def legacy_user_template(**props: Any) -> dict[str, Any]:
    """The plain template of a ``LegacyUserStack``. Default: the accounts and the secret readers are its
    ``AccountIds`` and ``SecretReaderArns`` parameters, so one reviewed template serves every customer."""
    props.setdefault("roles", AssumableRoles.accounts_parameter())
    props.setdefault("secret_readers", SecretReaders.parameter())
    return plain_template(
        lambda app: LegacyUserStack(
            app,
            USER_TEMPLATE_STACK_ID,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
            **props,
        )
    )


def legacy_role_template(**props: Any) -> dict[str, Any]:
    """The plain template of a ``LegacyRoleStack``: per account, or as a StackSet's member template.

    Default: ``TrustedUserArn`` and ``ExternalId`` parameters; ``props`` are ``LegacyRoleStack``'s.
    """
    return plain_template(
        lambda app: LegacyRoleStack(
            app,
            ROLE_TEMPLATE_STACK_ID,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
            **props,
        )
    )
