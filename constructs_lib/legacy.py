"""The legacy method: an IAM user whose access key the vendor holds, allowed only to assume the integration
role in the listed accounts (``LegacyIntegrationUser``).

Choices are small classes with static constructors, as ``TrustedPrincipal`` and ``ExternalId`` are:

- ``AssumableRoles``: which integration roles the user may assume (listed accounts, an ``AccountIds``
  parameter, or every account of an organization);
- ``SecretReaders``: who may read the access key from Secrets Manager (listed ARNs, or a parameter);
- ``AccessKeys``: which access keys exist, by serial, for rotation without downtime.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import (
    Acknowledgment,
    Annotations,
    Aws,
    CfnParameter,
    Fn,
    RemovalPolicy,
    SecretValue,
    Stack,
    Tags,
    Validations,
)
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from collector import formats
from collector.formats import InvalidSettingError
from constructs_lib import validation as props_validation
from constructs_lib.role_trust import require_partition
from constructs_lib.validation import is_token

# The role name the legacy user may assume in each account; the role stacks use the same default.
DEFAULT_ROLE_NAME = "ReadOnlyIntegrationLegacy"
ACCOUNT_IDS_PARAMETER = "AccountIds"
READER_ARNS_PARAMETER = "SecretReaderArns"
# The secret's value is this JSON object; the vendor reads these two fields.
ACCESS_KEY_ID_FIELD = "accessKeyId"
SECRET_ACCESS_KEY_FIELD = "secretAccessKey"  # noqa: S105 - a field name, not a secret

WARNING_ID = "aws-readonly-integration:legacy-user"
WARNING = (
    "The legacy method gives the vendor a long-lived access key of an IAM user. Prefer the role-based "
    "methods (IntegrationRole, or the organization rollout): they use short-lived credentials only and "
    "leave no key to rotate or leak."
)
NAG_NO_AUTOMATIC_ROTATION = "AwsSolutions::AwsSolutions-SMG4"
_WHY_NO_AUTOMATIC_ROTATION = (
    "The secret holds an IAM access key that the vendor must pick up before the old one goes away; it is "
    "rotated in two reviewed deployments (AccessKeys.rotating, then AccessKeys.one), not by a Lambda "
    "that would need iam:CreateAccessKey/DeleteAccessKey and would break the vendor without notice."
)
_WHY_WILDCARD = {
    "organization": (
        "sts:AssumeRole only, on one role name, and only in the accounts of the customer's organization "
        "(StringEquals aws:ResourceOrgID): the accounts are not known when the template is written."
    ),
    "account-list": (
        "sts:AssumeRole only, on one role name in each account of the AccountIds parameter; the wildcard is "
        "the partition only, because Fn::Join takes a literal delimiter (a role is assumed in its own "
        "partition, so it matches exactly the listed roles)."
    ),
}


def _role_arn(account_id: str, role_name: str) -> str:
    return f"arn:{Aws.PARTITION}:iam::{account_id}:role/{role_name}"


def _list_parameter(scope: Construct, parameter_id: str, description: str, pattern: str) -> CfnParameter:
    """A CommaDelimitedList parameter of the stack (created once; AllowedPattern applies to each item)."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(parameter_id)
    if isinstance(existing, CfnParameter):
        return existing
    if existing is not None:
        raise InvalidSettingError(parameter_id, existing.node.path, "an ID not used by another construct")
    return CfnParameter(
        stack, parameter_id, type="CommaDelimitedList", description=description, allowed_pattern=pattern
    )


@dataclass(frozen=True)
class AssumableRoles:
    """The integration roles the legacy user may assume: one role name, in a set of accounts.

    Build it with a static constructor. The role name is the one the role stacks create in each account
    (``DEFAULT_ROLE_NAME`` unless both sides are given another).
    """

    kind: str  # "accounts" | "account-list" (a list Token, or the AccountIds parameter) | "organization"
    role_name: str
    account_ids: tuple[str, ...] = ()
    organization_id: str | None = None
    parameter_id: str | None = None

    @staticmethod
    def in_accounts(
        account_ids: Sequence[str], role_name: str = DEFAULT_ROLE_NAME, setting: str = "account_ids"
    ) -> AssumableRoles:
        """The role in each of these accounts (12-digit IDs, or a list Token; duplicates are dropped)."""
        if is_token(list(account_ids)):
            return AssumableRoles("account-list", _role_name(role_name), account_ids=tuple(account_ids))
        if not account_ids:
            raise InvalidSettingError(setting, list(account_ids), "at least one 12-digit account ID")
        for account_id in account_ids:
            if not is_token(account_id):
                formats.account_id(account_id, setting)
        return AssumableRoles(
            "accounts", _role_name(role_name), account_ids=tuple(dict.fromkeys(account_ids))
        )

    @staticmethod
    def accounts_parameter(
        parameter_id: str = ACCOUNT_IDS_PARAMETER, role_name: str = DEFAULT_ROLE_NAME
    ) -> AssumableRoles:
        """The role in each account of a required CommaDelimitedList parameter (one template for all)."""
        return AssumableRoles("account-list", _role_name(role_name), parameter_id=parameter_id)

    @staticmethod
    def in_organization(
        organization_id: str, role_name: str = DEFAULT_ROLE_NAME, setting: str = "organization_id"
    ) -> AssumableRoles:
        """The role in every account of the organization, including accounts that join later.

        Written as ``arn:<partition>:iam::*:role/<name>`` with ``StringEquals aws:ResourceOrgID``.
        """
        if not is_token(organization_id):
            formats.organization_id(organization_id, setting)
        return AssumableRoles("organization", _role_name(role_name), organization_id=organization_id)

    def bind(self, scope: Construct) -> iam.PolicyStatement:
        """The one statement of the user's group: ``sts:AssumeRole`` on these roles, nothing else."""
        if self.kind == "organization":
            return iam.PolicyStatement(
                sid="AssumeTheIntegrationRoleOnly",
                actions=["sts:AssumeRole"],
                resources=[_role_arn("*", self.role_name)],
                conditions={"StringEquals": {"aws:ResourceOrgID": self.organization_id}},
            )
        if self.kind == "accounts":
            arns = [_role_arn(account_id, self.role_name) for account_id in self.account_ids]
        else:
            ids = list(self.account_ids)
            if self.parameter_id is not None:
                ids = _list_parameter(
                    scope,
                    self.parameter_id,
                    f"The 12-digit IDs of the accounts whose {self.role_name} role the user may assume.",
                    formats.ACCOUNT_ID_RE.pattern,
                ).value_as_list
            # "arn:*:iam::ID1:role/NAME,arn:*:iam::ID2:role/NAME" split back into a list: the role ARN of
            # every listed account with plain intrinsics (no macro, no transform). Fn::Join takes only a
            # literal delimiter, so the partition is a wildcard here; a role can only be assumed from its
            # own partition, so it matches exactly the same roles as ${AWS::Partition} would.
            prefix, suffix = "arn:*:iam::", f":role/{self.role_name}"
            arns = Fn.split(",", Fn.join("", [prefix, Fn.join(f"{suffix},{prefix}", ids), suffix]))
        return iam.PolicyStatement(
            sid="AssumeTheIntegrationRoleOnly", actions=["sts:AssumeRole"], resources=arns
        )

    def wildcard_finding(self, scope: Construct, statement: iam.PolicyStatement) -> str:
        """The cdk-nag finding ID of the wildcard in ``statement``'s Resource (organization, parameter)."""
        if self.kind == "organization":
            # cdk-nag writes the partition pseudo parameter as <AWS::Partition>.
            resource = f"arn:<AWS::Partition>:iam::*:role/{self.role_name}"
        else:
            resolved = Stack.of(scope).resolve(statement.to_statement_json())["Resource"]
            resource = json.dumps(resolved, separators=(",", ":"))
        return f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]"


def _role_name(value: str) -> str:
    # A literal name is required in practice (it is part of the ARN); a Token is checked at deployment.
    return props_validation.unless_token(formats.role_name, value, "role_name")


class SecretReaders:
    """Who may read the access key (``secretsmanager:GetSecretValue``): everyone else is denied by the
    secret's resource policy, whatever their IAM policies allow. Build it with a static constructor.

    Readers are IAM roles or users of the account (matched on ``aws:PrincipalArn``, so any session of a
    listed role qualifies). With a customer KMS key they also need ``kms:Decrypt`` on it.
    """

    def __init__(self, *, arns: tuple[str, ...] = (), parameter_id: str | None = None) -> None:
        # Internal: use the static constructors, which validate.
        self._arns = arns
        self._parameter_id = parameter_id

    @staticmethod
    def arns(arns: Sequence[str], setting: str = "SecretReaders.arns") -> SecretReaders:
        """These role or user ARNs (at least one; exact ARNs, no wildcards)."""
        if not arns:
            raise InvalidSettingError(setting, list(arns), "at least one IAM role or user ARN")
        for arn in arns:
            if not is_token(arn):
                formats.principal_arn(arn, setting)
        return SecretReaders(arns=tuple(dict.fromkeys(arns)))

    @staticmethod
    def parameter(parameter_id: str = READER_ARNS_PARAMETER) -> SecretReaders:
        """A required CommaDelimitedList parameter of role or user ARNs."""
        return SecretReaders(parameter_id=parameter_id)

    def bind(self, scope: Construct) -> list[str]:
        if self._parameter_id is None:
            return [a if is_token(a) else require_partition(scope, a, "secretReaders") for a in self._arns]
        return _list_parameter(
            scope,
            self._parameter_id,
            "ARNs of the IAM roles or users that may read the access key from Secrets Manager.",
            formats.ROLE_OR_USER_ARN_PATTERN,
        ).value_as_list


@dataclass(frozen=True)
class AccessKeys:
    """The user's access keys, by serial. Build it with a static constructor.

    Each serial is its own ``AccessKey<serial>`` resource, so a key keeps its logical ID while it lives,
    and the secret always holds the ``current`` one. Rotation without downtime, in two deployments:

    1. ``AccessKeys.rotating(previous=1, current=2)``: key 2 is created and written to the secret while
       key 1 keeps working; the vendor picks up key 2. (Optionally ``previous_active=False`` next: key 1
       is deactivated, which is reversible, before it is deleted.)
    2. ``AccessKeys.one(2)``: key 1 is deleted.

    IAM allows two keys per user, which is exactly what step 1 needs.
    """

    current: int
    previous: int | None = None
    previous_active: bool = True

    @staticmethod
    def one(serial: int = 1, setting: str = "serial") -> AccessKeys:
        """One active key with this serial (1 for the first deployment)."""
        return AccessKeys(_serial(serial, setting))

    @staticmethod
    def rotating(
        *,
        previous: int,
        current: int,
        previous_active: bool = True,
        previous_setting: str = "previous",
        current_setting: str = "current",
    ) -> AccessKeys:
        """Two keys: ``current`` (new, in the secret) and ``previous`` (still active unless told).

        The ``*_setting`` names are what an error calls the values (a context key, a CLI option).
        """
        _serial(previous, previous_setting)
        _serial(current, current_setting)
        if current <= previous:
            raise InvalidSettingError(
                current_setting, current, f"a serial greater than {previous_setting} ({previous})"
            )
        return AccessKeys(current, previous, previous_active)

    @property
    def serials(self) -> tuple[int, ...]:
        return (self.current,) if self.previous is None else (self.previous, self.current)


def _serial(value: object, setting: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidSettingError(setting, value, "a whole number from 1 up")
    return value


class LegacyIntegrationUser(Construct):
    """An IAM user for the vendor, allowed only to assume the integration role in the chosen accounts.

    Prefer the role-based methods; this construct adds a warning annotation saying so. What it creates
    (construct IDs are public API; do not rename them):

    - ``Resource``: the ``iam.User``. No password, so no console access; no policy of its own.
    - ``Group``: its only group, and ``AssumeRoleOnly``, the group's only policy: one ``Allow`` of
      ``sts:AssumeRole`` on the integration roles (``roles``), nothing else.
    - ``AccessKey<serial>``: the access key(s), see ``AccessKeys`` for rotation.
    - ``Secret``: a Secrets Manager secret holding ``{"accessKeyId": ..., "secretAccessKey": ...}`` of the
      current key, with a resource policy (``Secret/Policy``) that denies ``GetSecretValue`` to everyone
      but ``secret_readers``. The secret access key appears nowhere else: no output, no parameter.

    :param roles: the roles the user may assume, e.g. ``AssumableRoles.in_accounts([...])``.
    :param secret_readers: who may read the key, e.g. ``SecretReaders.arns(["arn:...:role/Admin"])``.
    :param access_keys: which keys exist. Default: ``AccessKeys.one(1)``.
    :param encryption_key: a customer KMS key for the secret. Default: the account's
        ``aws/secretsmanager`` key. Readers then need ``kms:Decrypt`` on the customer key.
    :param user_name: a fixed user name. Default: CloudFormation generates one. The role stacks need the
        user's ARN, so a fixed name is what the ready app uses.
    :param path: the user's IAM path. Default: ``/``.
    :param secret_name: the secret's name. Default: CloudFormation generates one.
    :param tags: tags for the user and the secret. Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        roles: AssumableRoles,
        secret_readers: SecretReaders,
        access_keys: AccessKeys | None = None,
        encryption_key: kms.IKey | None = None,
        user_name: str | None = None,
        path: str | None = None,
        secret_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.access_key_serials = access_keys or AccessKeys.one()
        self.roles = roles
        Annotations.of(self).add_warning_v2(WARNING_ID, WARNING)

        self.group = iam.Group(self, "Group")
        statement = roles.bind(self)
        self.policy = iam.Policy(self, "AssumeRoleOnly", statements=[statement], groups=[self.group])
        if roles.kind != "accounts":
            Validations.of(self.policy).acknowledge(
                Acknowledgment(id=roles.wildcard_finding(self, statement), reason=_WHY_WILDCARD[roles.kind])
            )
        self.user = iam.User(
            self,
            "Resource",
            user_name=None
            if user_name is None
            else props_validation.unless_token(formats.user_name, user_name, "user_name"),
            path=props_validation.iam_path(path, "path"),
            groups=[self.group],
        )
        keys = self.access_key_serials
        self.access_keys: dict[int, iam.AccessKey] = {
            serial: iam.AccessKey(
                self,
                f"AccessKey{serial}",
                user=self.user,
                serial=serial,
                status=(
                    iam.AccessKeyStatus.ACTIVE
                    if serial == keys.current or keys.previous_active
                    else iam.AccessKeyStatus.INACTIVE
                ),
            )
            for serial in keys.serials
        }
        current = self.access_keys[keys.current]
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description="Access key of the read-only integration's IAM user (legacy method), for the vendor.",
            secret_name=secret_name,
            encryption_key=encryption_key,
            secret_object_value={
                ACCESS_KEY_ID_FIELD: SecretValue.unsafe_plain_text(current.access_key_id),
                SECRET_ACCESS_KEY_FIELD: current.secret_access_key,
            },
            # The key dies with the stack; a copy of it has no use left.
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.secret.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyTheNamedReadersGetTheKey",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["secretsmanager:GetSecretValue"],
                resources=["*"],
                conditions={"StringNotEquals": {"aws:PrincipalArn": secret_readers.bind(self)}},
            )
        )
        Validations.of(self.secret).acknowledge(
            Acknowledgment(id=NAG_NO_AUTOMATIC_ROTATION, reason=_WHY_NO_AUTOMATIC_ROTATION)
        )
        for key, value in props_validation.tags(tags or {}, "tags").items():
            Tags.of(self.user).add(key, value)
            Tags.of(self.secret).add(key, value)

    @property
    def user_arn(self) -> str:
        return self.user.user_arn

    @property
    def secret_arn(self) -> str:
        return self.secret.secret_arn
