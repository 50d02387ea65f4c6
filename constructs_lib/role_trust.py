"""Who may assume the integration role (``TrustedPrincipal``) and the ``ExternalId`` it must present.

Both are small classes with static constructors, one per mutually exclusive choice, in the manner of
aws-cdk's ``Duration`` or ``iam.PolicyStatement`` helpers. ``trust_principal`` joins them: there is no way to
build the trust without the ``sts:ExternalId`` condition.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, CfnParameter, CfnRule, CfnRuleAssertion, Fn, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from collector import external_id as external_id_rule
from collector import formats
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from constructs_lib.validation import is_token


def partition_agnostic_arn(arn: str) -> str:
    """``arn:aws:iam::111122223333:role/X`` -> ``arn:${AWS::Partition}:iam::111122223333:role/X``.

    Only for an ARN that exists alike in every partition (an AWS-managed policy), or together with
    ``require_partition``: the same 12 digits are another account in another partition, so an ARN someone
    named must never be rebound to the partition the stack happens to deploy to.
    """
    _arn, _partition, rest = arn.split(":", 2)
    return f"arn:{Aws.PARTITION}:{rest}"


def is_aws_managed_policy(arn: str) -> bool:
    return arn.split(":", 5)[4:5] == ["aws"]


def _rule_id(partition: str) -> str:
    return "RequiredPartition" + "".join(part.capitalize() for part in partition.split("-"))


def require_partition(scope: Construct, arn: str, setting: str) -> str:
    """``arn`` written with ``${AWS::Partition}``, and a template Rule that refuses to deploy the stack in any
    partition but ``arn``'s: so the deployed ARN is exactly the one given, and the template shows no
    hard-coded partition.

    One Rule per stack (``RequiredPartitionAws``, ``RequiredPartitionAwsCn``...); ARNs of two partitions in
    one stack are refused at synth, since no deployment could satisfy both.
    """
    partition = arn.split(":", 2)[1]
    stack = Stack.of(scope)
    for other in formats.PARTITIONS:
        if other != partition and stack.node.try_find_child(_rule_id(other)) is not None:
            raise InvalidSettingError(
                setting,
                arn,
                f"an ARN in partition {other}, as the stack's other ARNs (a stack has one partition)",
            )
    if stack.node.try_find_child(_rule_id(partition)) is None:
        CfnRule(
            stack,
            _rule_id(partition),
            assertions=[
                CfnRuleAssertion(
                    assert_=Fn.condition_equals(Aws.PARTITION, partition),
                    assert_description=(
                        f"This template trusts or names identities of the {partition} partition ({setting}); "
                        f"deploy it in {partition}: elsewhere the same account ID is another account."
                    ),
                )
            ],
        )
    return partition_agnostic_arn(arn)


@dataclass(frozen=True)
class TrustedPrincipal:
    """The vendor's identity that may assume the role. Build it with a static constructor.

    A specific role (``role_arn``) is the recommended choice: only that role can assume, and only with the
    ExternalId. ``account`` trusts every identity of the vendor's account that its own IAM allows to assume.
    Values that are unresolved Tokens are checked by CloudFormation at deployment instead of at synth.
    """

    kind: str  # "role" | "user" | "account"
    value: str  # the ARN, the account ID, or a Token for either

    def __post_init__(self) -> None:
        if self.kind not in ("role", "user", "account"):
            raise InvalidSettingError("TrustedPrincipal.kind", self.kind, "role, user or account")

    @staticmethod
    def role_arn(arn: str, setting: str = "TrustedPrincipal.role_arn") -> TrustedPrincipal:
        """Trust exactly this IAM role, e.g. ``arn:aws:iam::111122223333:role/Vendor`` (recommended)."""
        return TrustedPrincipal._arn_of_kind(arn, "role", setting)

    @staticmethod
    def user_arn(arn: str, setting: str = "TrustedPrincipal.user_arn") -> TrustedPrincipal:
        """Trust exactly this IAM user (the legacy method, where the vendor holds the user's access key)."""
        return TrustedPrincipal._arn_of_kind(arn, "user", setting)

    @staticmethod
    def account(account_id: str, setting: str = "TrustedPrincipal.account") -> TrustedPrincipal:
        """Trust the vendor's whole account (``arn:<partition>:iam::<account>:root``); less precise."""
        if not is_token(account_id):
            formats.account_id(account_id, setting)
        return TrustedPrincipal("account", account_id)

    @staticmethod
    def from_string(value: str, setting: str = "trustedPrincipal") -> TrustedPrincipal:
        """A role ARN, a user ARN or a 12-digit account ID, as given on a command line or in CDK context."""
        if is_token(value):
            raise InvalidSettingError(
                setting, value, "a literal ARN or account ID (for a Token, use role_arn/user_arn/account)"
            )
        parsed = formats.trusted_principal(value, setting)
        return TrustedPrincipal(parsed.kind, value)

    @staticmethod
    def _arn_of_kind(arn: str, kind: str, setting: str) -> TrustedPrincipal:
        if not is_token(arn):
            parsed = formats.trusted_principal(arn, setting)
            if parsed.kind != kind:
                raise InvalidSettingError(
                    setting, arn, f"an IAM {kind} ARN such as arn:aws:iam::111122223333:{kind}/Vendor"
                )
        return TrustedPrincipal(kind, arn)

    def principal(self) -> iam.IPrincipal:
        """The CDK principal, without conditions (``trust_principal`` adds the ExternalId). An ARN keeps
        the partition it was given in: ``require_partition`` writes the Rule that enforces it."""
        if self.kind == "account":
            return iam.AccountPrincipal(self.value)
        return iam.ArnPrincipal(self.value if is_token(self.value) else partition_agnostic_arn(self.value))

    def require_partition(self, scope: Construct, setting: str = "trustedPrincipal") -> None:
        """For a literal ARN: the stack may deploy only in its partition (a template Rule)."""
        if self.kind != "account" and not is_token(self.value):
            require_partition(scope, self.value, setting)


class ExternalId:
    """The ``sts:ExternalId`` the vendor must present. Build it with a static constructor.

    - ``ExternalId.literal("...")``: the value is written into the template (one template per customer).
    - ``ExternalId.parameter()``: the template takes a required ``ExternalId`` parameter, constrained to the
      STS alphabet and length, so one reviewed template serves every customer.
    - ``ExternalId.from_parameter(p)``: an existing ``CfnParameter`` of yours; it must be constrained.
    - ``ExternalId.per_account(base)``: ``base``, ``-`` and the ID of the account the role is in
      (collector.external_id), so a value seen in one account opens that account only.
    """

    def __init__(
        self,
        *,
        literal: str | None = None,
        parameter_id: str | None = None,
        parameter: CfnParameter | None = None,
        mode: ExternalIdMode = ExternalIdMode.SHARED,
    ) -> None:
        # Internal: use the static constructors, which validate.
        self._literal = literal
        self._parameter_id = parameter_id
        self._parameter = parameter
        self.mode = mode

    @staticmethod
    def literal(value: str, setting: str = "ExternalId.literal") -> ExternalId:
        """A fixed value: 2 to 1224 characters of letters, digits and ``_+=,.@:/-``."""
        if not is_token(value):
            formats.external_id(value, setting)
        return ExternalId(literal=value)

    @staticmethod
    def parameter(parameter_id: str = "ExternalId") -> ExternalId:
        """A CloudFormation parameter with this logical ID, created once in the role's stack."""
        return ExternalId(parameter_id=parameter_id)

    @staticmethod
    def from_parameter(parameter: CfnParameter) -> ExternalId:
        """An existing String parameter with AllowedPattern, MinLength >= 2 and MaxLength <= 1224."""
        constrained = (
            parameter.type == "String"
            and parameter.allowed_pattern is not None
            and (parameter.min_length or 0) >= formats.EXTERNAL_ID_MIN_LENGTH
            and (parameter.max_length or formats.EXTERNAL_ID_MAX_LENGTH + 1) <= formats.EXTERNAL_ID_MAX_LENGTH
        )
        if not constrained:
            raise InvalidSettingError(
                "ExternalId.from_parameter",
                parameter.node.path,
                "a String parameter with AllowedPattern, MinLength >= 2 and MaxLength <= 1224 "
                "(ExternalId.parameter() creates one)",
            )
        return ExternalId(parameter=parameter)

    @staticmethod
    def per_account(base: ExternalId | None = None) -> ExternalId:
        """``base`` (default: ``ExternalId.parameter()``), ``-``, and ``${AWS::AccountId}``.

        The base may hold at most 1211 characters, so that the derived value stays within the 1224 of
        ``sts:ExternalId``; a parameter created for it says so in its MaxLength.
        """
        base = base or ExternalId.parameter()
        if base.mode is ExternalIdMode.PER_ACCOUNT:
            return base
        limit = external_id_rule.PER_ACCOUNT_BASE_MAX_LENGTH
        if base._literal is not None and not is_token(base._literal):
            external_id_rule.check_base(base._literal, ExternalIdMode.PER_ACCOUNT, "ExternalId.per_account")
        if base._parameter is not None and (base._parameter.max_length or limit + 1) > limit:
            raise InvalidSettingError(
                "ExternalId.per_account",
                base._parameter.node.path,
                f"a parameter with MaxLength <= {limit} (the account ID is appended)",
            )
        return ExternalId(
            literal=base._literal,
            parameter_id=base._parameter_id,
            parameter=base._parameter,
            mode=ExternalIdMode.PER_ACCOUNT,
        )

    @property
    def is_parameter(self) -> bool:
        return self._literal is None

    def bind(self, scope: Construct) -> str:
        """The value to put in the trust condition: the literal or the parameter (plus the account ID)."""
        value = self.base_value(scope)
        if self.mode is ExternalIdMode.PER_ACCOUNT:
            return Fn.join(external_id_rule.SEPARATOR, [value, Aws.ACCOUNT_ID])
        return value

    def base_value(self, scope: Construct) -> str:
        """The customer's value: the literal, or a reference to the parameter (created on first use)."""
        if self._literal is not None:
            return self._literal
        if self._parameter is not None:
            return self._parameter.value_as_string
        assert self._parameter_id is not None
        return self._find_or_create_parameter(Stack.of(scope), self._parameter_id, self.mode).value_as_string

    @staticmethod
    def _find_or_create_parameter(stack: Stack, parameter_id: str, mode: ExternalIdMode) -> CfnParameter:
        per_account = mode is ExternalIdMode.PER_ACCOUNT
        limit = external_id_rule.PER_ACCOUNT_BASE_MAX_LENGTH
        existing = stack.node.try_find_child(parameter_id)
        if isinstance(existing, CfnParameter):
            if per_account and (existing.max_length or limit + 1) > limit:
                raise InvalidSettingError(
                    "ExternalId.per_account", existing.node.path, f"a parameter with MaxLength <= {limit}"
                )
            return existing
        if existing is not None:
            raise InvalidSettingError(
                "ExternalId.parameter", parameter_id, "an ID not used by another construct of the stack"
            )
        max_length = limit if per_account else formats.EXTERNAL_ID_MAX_LENGTH
        description = (
            "The external ID the vendor gave you for this integration (sts:ExternalId). The vendor must "
            "present it to assume the role."
        )
        if per_account:
            description += " Per-account mode: the vendor presents it followed by '-' and the account ID."
        return CfnParameter(
            stack,
            parameter_id,
            type="String",
            description=description,
            allowed_pattern=f"^{formats.EXTERNAL_ID_CHARS}+$",
            min_length=formats.EXTERNAL_ID_MIN_LENGTH,
            max_length=max_length,
            constraint_description=f"2 to {max_length} characters of letters, digits and _+=,.@:/-",
        )


def trust_principal(trusted: TrustedPrincipal, external_id: str) -> iam.IPrincipal:
    """The assume-role principal: ``trusted`` only when it presents ``external_id`` (StringEquals)."""
    return iam.PrincipalWithConditions(trusted.principal(), {"StringEquals": {"sts:ExternalId": external_id}})
