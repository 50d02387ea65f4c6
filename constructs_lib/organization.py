"""The organization rollout: one stack gives the vendor read-only access to every account of an organization.

- ``member_template(...)``: the member accounts' template (the integration role with a fixed name), plain:
  no bootstrap, no CDK metadata, so a StackSet can embed it and a reviewer can read it as a file.
- ``OrganizationIntegration``: a service-managed StackSet with that template, plus (deployed from the
  management account) the management account's own role, which StackSets never deploy there.
- ``OrganizationIntegrationStack``: the construct and the outputs the collector needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_cdk import (
    Aws,
    BootstraplessSynthesizer,
    CfnCondition,
    CfnOutput,
    CfnParameter,
    Duration,
    Fn,
    Stack,
)
from constructs import Construct

from collector import formats
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature
from constructs_lib.account_stack import AccountIntegrationStack
from constructs_lib.integration_role import DEFAULT_MAX_SESSION_DURATION, IntegrationRole
from constructs_lib.plain_template import plain_template
from constructs_lib.role_trust import ExternalId, TrustedPrincipal
from constructs_lib.stack_set import CallAs, Rollout, ServiceManagedStackSet, Targets
from constructs_lib.trail_logs import CloudTrailLogs
from constructs_lib.validation import is_token

# One name in every account: the collector derives each member role's ARN from it, and by default uses the
# management role's name for the members too (`collect --organization --role-arn <ManagementRoleArn>`).
DEFAULT_ROLE_NAME = "ReadOnlyIntegration"
MEMBER_TEMPLATE_STACK_ID = "OrganizationMember"
MEMBER_DESCRIPTION = (
    "Read-only integration role for an identity-security vendor, in one member account of an AWS "
    "Organization (aws-readonly-integration)."
)
IDENTITY_CENTER_ACCOUNT_PARAMETER = "IdentityCenterAccountId"
IDENTITY_CENTER_CONDITION = "IsIdentityCenterAccount"
IDENTITY_CENTER_POLICY_ID = "IdentityCenterReadOnlyPolicy"
LOG_ARCHIVE_ACCOUNT_PARAMETER = "LogArchiveAccountId"
LOG_ARCHIVE_CONDITION = "IsLogArchiveAccount"
ACCOUNT_PLACEHOLDER = "{account_id}"  # in the MemberRoleArnPattern output

# Output keys: public API (the collector and docs/deploy-organization.md use them).
MANAGEMENT_ROLE_ARN_OUTPUT = "ManagementRoleArn"
MEMBER_ROLE_NAME_OUTPUT = "MemberRoleName"
MEMBER_ROLE_ARN_PATTERN_OUTPUT = "MemberRoleArnPattern"
STACK_SET_NAME_OUTPUT = "StackSetName"
STACK_SET_ID_OUTPUT = "StackSetId"
EXTERNAL_ID_MODE_OUTPUT = "ExternalIdMode"
IDENTITY_CENTER_REGION_OUTPUT = "IdentityCenterRegion"
IDENTITY_CENTER_ACCOUNT_OUTPUT = "IdentityCenterAccountId"
LOG_ARCHIVE_ACCOUNT_OUTPUT = "LogArchiveAccountId"
COLLECTOR_ARGUMENTS_OUTPUT = "CollectorArguments"


@dataclass(frozen=True)
class IdentityCenter:
    """Where the organization's IAM Identity Center lives. Build it with a static constructor.

    Identity Center has one home region, and is administered by the management account or by one member
    account it was delegated to. The management role always reads it; a member role reads it only in the
    account given to ``delegated_to``.
    """

    home_region: str
    account_id: str | None = None  # None: the management account administers it

    @staticmethod
    def in_management_account(home_region: str) -> IdentityCenter:
        return IdentityCenter(formats.region(home_region, "IdentityCenter.home_region"))

    @staticmethod
    def delegated_to(account_id: str, home_region: str) -> IdentityCenter:
        """Administered by this member account (its delegated administrator)."""
        return IdentityCenter(
            formats.region(home_region, "IdentityCenter.home_region"),
            formats.account_id(account_id, "IdentityCenter.account_id"),
        )


class MemberAccountStack(AccountIntegrationStack):
    """The member template: ``AccountIntegrationStack`` with a fixed role name, the ``ExternalId`` parameter
    (as it is, or per account), and Identity Center read only where asked.

    Identity Center: an optional ``IdentityCenterAccountId`` parameter (default empty) and the
    ``IsIdentityCenterAccount`` condition; the extra read-only policy exists only in the account whose ID
    it names. One template thus serves every account, and the StackSet passes the ID. With
    ``identity_center_region`` (the organization stack gives it for a delegated administrator), that account
    also gets ``kms:Decrypt`` through Identity Center only (``IntegrationRole.add_conditional_decrypt``).

    The trail's log files (``cloud_trail_logs``): likewise a ``LogArchiveAccountId`` parameter and the
    ``IsLogArchiveAccount`` condition; only that account's role reads them, and only there is the Deny
    narrowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        trusted_principal: TrustedPrincipal,
        external_id_mode: ExternalIdMode = ExternalIdMode.SHARED,
        role_name: str = DEFAULT_ROLE_NAME,
        features: Iterable[Feature] = DEFAULT_FEATURES,
        identity_center_region: str | None = None,
        cloud_trail_logs: CloudTrailLogs | None = None,
        **props: Any,
    ) -> None:
        external_id = (
            ExternalId.per_account()
            if external_id_mode is ExternalIdMode.PER_ACCOUNT
            else ExternalId.parameter()
        )
        chosen = frozenset(features)
        props.setdefault("description", MEMBER_DESCRIPTION)
        super().__init__(
            scope,
            id,
            trusted_principal=trusted_principal,
            external_id=external_id,
            features=chosen,
            role_name=role_name,
            **props,
        )
        if cloud_trail_logs is not None:
            log_archive = CfnParameter(
                self,
                LOG_ARCHIVE_ACCOUNT_PARAMETER,
                type="String",
                default="",
                allowed_pattern=r"^(\d{12})?$",
                constraint_description="empty, or a 12-digit account ID",
                description=(
                    "The member account whose bucket holds the organization trail's log files (the "
                    "log-archive account): only there does the role also read them. Empty: no member account."
                ),
            )
            self.integration_role.add_conditional_trail_logs(
                cloud_trail_logs,
                CfnCondition(
                    self,
                    LOG_ARCHIVE_CONDITION,
                    expression=Fn.condition_equals(Aws.ACCOUNT_ID, log_archive.value_as_string),
                ),
            )
        if Feature.IDENTITY_CENTER in chosen:
            return  # every member reads it already
        account = CfnParameter(
            self,
            IDENTITY_CENTER_ACCOUNT_PARAMETER,
            type="String",
            default="",
            allowed_pattern=r"^(\d{12})?$",
            constraint_description="empty, or a 12-digit account ID",
            description=(
                "The member account that administers IAM Identity Center (its delegated administrator): "
                "only there does the role also read Identity Center. Empty: no member account."
            ),
        )
        condition = CfnCondition(
            self,
            IDENTITY_CENTER_CONDITION,
            expression=Fn.condition_equals(Aws.ACCOUNT_ID, account.value_as_string),
        )
        self.integration_role.add_conditional_features(
            IDENTITY_CENTER_POLICY_ID, {Feature.IDENTITY_CENTER}, condition
        )
        if identity_center_region is not None:
            # The delegated administrator's instance may use a customer-managed key (see IntegrationRole).
            self.integration_role.add_conditional_decrypt(identity_center_region, condition)


def member_template(
    *,
    trusted_principal: TrustedPrincipal,
    external_id_mode: ExternalIdMode = ExternalIdMode.SHARED,
    role_name: str = DEFAULT_ROLE_NAME,
    features: Iterable[Feature] = DEFAULT_FEATURES,
    **props: Any,
) -> dict[str, Any]:
    """The plain member template; ``props`` are ``AccountIntegrationStack``'s (``security_audit``...)."""
    if is_token(trusted_principal.value):
        raise InvalidSettingError(
            "trusted_principal",
            trusted_principal.value,
            "a literal ARN or account ID: the member template is synthesized on its own",
        )
    return plain_template(
        lambda app: MemberAccountStack(
            app,
            MEMBER_TEMPLATE_STACK_ID,
            trusted_principal=trusted_principal,
            external_id_mode=external_id_mode,
            role_name=role_name,
            features=features,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
            **props,
        )
    )


class OrganizationIntegration(Construct):
    """Read-only access to every account of an organization, from one stack.

    What it creates (construct IDs are public API):

    - ``MemberRoles``: a ``ServiceManagedStackSet`` whose template is ``member_template(...)``: in every
      target account (and every account that joins the targets later), the integration role named
      ``role_name``. Auto-deployment on; stacks removed with an account that leaves; one region (IAM names
      are global); ``CAPABILITY_NAMED_IAM``; ManagedExecution on.
    - ``ManagementRole`` (``call_as`` SELF only): an ``IntegrationRole`` with the same name in this
      (management) account, where StackSets never deploy, with Organizations and Identity Center reads too.

    :param trusted_principal: the vendor's identity, as a literal (the member template is synthesized on
        its own, so it cannot hold a Token of this stack).
    :param targets: which accounts get the member role, e.g. ``Targets.organizational_units(["r-ab12"])``.
    :param call_as: ``CallAs.SELF`` when this stack is in the management account; ``CallAs.DELEGATED_ADMIN``
        in a delegated StackSet administrator account, where no management role is created: deploy the
        single-account stack with Organizations (and Identity Center) reads and the same role name in the
        management account yourself.
    :param external_id: the customer's ExternalId. Default: ``ExternalId.parameter()``.
        ``ExternalId.per_account(...)`` makes every role expect the value followed by ``-`` and its
        account ID (the collector's ``--external-id-mode per-account``).
    :param role_name: the role's name in every account. Default: ``ReadOnlyIntegration``.
    :param member_features: what the member roles read. Default: IAM, EC2, CloudTrail.
    :param identity_center: where Identity Center lives. Default: not stated; the management role reads it
        there, and no member account does.
    :param management_role: create the management account's role. Default: True with SELF; it cannot be
        True with DELEGATED_ADMIN.
    :param region: the one region of the stack instances. Default: this stack's region.
    :param stack_set_name: Default: ``<stack name>-MemberRoles``.
    :param auto_deployment: deploy to accounts that join the targets later. Default: True.
    :param rollout: failure tolerance and concurrency. Default: ``Rollout()`` (10% / 25%).
    :param security_audit, max_session_duration, tags: as for ``IntegrationRole``, for every role.
    :param cloud_trail_logs: the organization trail's log files (``CloudTrailLogs.bucket(...)``), read
        by the role of ``log_archive_account_id`` only. Default: none, no role reads them.
    :param log_archive_account_id: the member account whose bucket holds them (AWS Control Tower's
        log-archive account). Default: the management account (its role reads them).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        trusted_principal: TrustedPrincipal,
        targets: Targets,
        call_as: CallAs,
        external_id: ExternalId | None = None,
        role_name: str = DEFAULT_ROLE_NAME,
        member_features: Iterable[Feature] = DEFAULT_FEATURES,
        identity_center: IdentityCenter | None = None,
        management_role: bool | None = None,
        region: str | None = None,
        stack_set_name: str | None = None,
        auto_deployment: bool = True,
        rollout: Rollout | None = None,
        security_audit: bool = False,
        max_session_duration: Duration = DEFAULT_MAX_SESSION_DURATION,
        tags: Mapping[str, str] | None = None,
        cloud_trail_logs: CloudTrailLogs | None = None,
        log_archive_account_id: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        # Everything that can be checked before the member template is synthesized, is.
        ServiceManagedStackSet.check_choices(targets, call_as, auto_deployment, False)
        if management_role and call_as is CallAs.DELEGATED_ADMIN:
            raise InvalidSettingError(
                "management_role",
                True,
                "False with CallAs.DELEGATED_ADMIN: this stack is then in a delegated administrator account, "
                "not in the management account; deploy the single-account role (with Organizations reads "
                "and the same role name) in the management account instead",
            )
        if is_token(role_name):
            raise InvalidSettingError(
                "role_name",
                role_name,
                "a literal name: the collector derives every account's role ARN from it",
            )
        self.role_name = formats.role_name(role_name, "role_name")
        if region is not None and not is_token(region):
            formats.region(region, "regions")
        if stack_set_name is not None and not is_token(stack_set_name):
            formats.stack_set_name(stack_set_name, "stack_set_name")
        self.call_as = call_as
        self.identity_center = identity_center
        self._check_identity_center(identity_center, call_as)
        self.cloud_trail_logs = cloud_trail_logs
        self.log_archive_account_id = self._check_log_archive(
            cloud_trail_logs, log_archive_account_id, call_as
        )
        external_id = external_id or ExternalId.parameter()
        self.external_id_mode = external_id.mode
        self.member_features = frozenset(member_features)
        role_props: dict[str, Any] = {
            "security_audit": security_audit,
            "max_session_duration": max_session_duration,
            "tags": tags,
        }

        self.management_role: IntegrationRole | None = None
        if management_role is not False and call_as is CallAs.SELF:
            self.management_role = IntegrationRole(
                self,
                "ManagementRole",
                trusted_principal=trusted_principal,
                external_id=external_id,
                features=self.member_features | {Feature.ORGANIZATIONS, Feature.IDENTITY_CENTER},
                role_name=self.role_name,
                # Where the management account administers Identity Center, its reads may need kms:Decrypt
                # through Identity Center (an instance encrypted with a customer-managed key).
                identity_center_region=(
                    identity_center.home_region
                    if identity_center is not None and identity_center.account_id is None
                    else None
                ),
                cloud_trail_logs=cloud_trail_logs if self.log_archive_account_id is None else None,
                **role_props,
            )

        self.member_template = member_template(
            trusted_principal=trusted_principal,
            external_id_mode=self.external_id_mode,
            role_name=self.role_name,
            features=self.member_features,
            identity_center_region=(
                identity_center.home_region
                if identity_center is not None and identity_center.account_id is not None
                else None
            ),
            cloud_trail_logs=cloud_trail_logs if self.log_archive_account_id is not None else None,
            **role_props,
        )
        parameters = {"ExternalId": external_id.base_value(self)}
        if self.log_archive_account_id is not None:
            parameters[LOG_ARCHIVE_ACCOUNT_PARAMETER] = self.log_archive_account_id
        delegated = identity_center.account_id if identity_center is not None else None
        if delegated is not None and IDENTITY_CENTER_ACCOUNT_PARAMETER in self.member_template["Parameters"]:
            parameters[IDENTITY_CENTER_ACCOUNT_PARAMETER] = delegated
        self.member_roles = ServiceManagedStackSet(
            self,
            "MemberRoles",
            template=self.member_template,
            targets=targets,
            call_as=call_as,
            regions=None if region is None else [region],
            parameters=parameters,
            stack_set_name=stack_set_name,
            auto_deployment=auto_deployment,
            rollout=rollout,
            description=f"The vendor's read-only role {self.role_name} in every member account.",
        )

    @property
    def member_role_arn_pattern(self) -> str:
        """``arn:<partition>:iam::{account_id}:role/<name>``: replace ``{account_id}`` for one account."""
        return Fn.join("", ["arn:", Aws.PARTITION, f":iam::{ACCOUNT_PLACEHOLDER}:role/", self.role_name])

    def _check_log_archive(
        self, logs: CloudTrailLogs | None, account_id: str | None, call_as: CallAs
    ) -> str | None:
        if account_id is None:
            if logs is not None and call_as is CallAs.DELEGATED_ADMIN:
                raise InvalidSettingError(
                    "log_archive_account_id",
                    None,
                    "the member account that holds the trail's bucket: with CallAs.DELEGATED_ADMIN no "
                    "management role is created here to read it",
                )
            return None
        if logs is None:
            raise InvalidSettingError(
                "log_archive_account_id", account_id, "to be used with cloud_trail_logs (the trail's bucket)"
            )
        formats.account_id(account_id, "log_archive_account_id")
        for value, name in (
            (logs.bucket_name, "bucket"),
            (logs.prefix, "prefix"),
            (logs.kms_key_arn, "kms_key_arn"),
        ):
            if value is not None and is_token(value):
                raise InvalidSettingError(
                    f"cloud_trail_logs {name}",
                    value,
                    "a literal: the member template is synthesized on its own",
                )
        here = Stack.of(self).account
        if call_as is CallAs.SELF and not is_token(here) and here == account_id:
            raise InvalidSettingError(
                "log_archive_account_id",
                account_id,
                "a member account: this stack's account is the management account; leave it out so that "
                "the management role reads the files",
            )
        return account_id

    def _check_identity_center(self, identity_center: IdentityCenter | None, call_as: CallAs) -> None:
        if identity_center is None or identity_center.account_id is None:
            return
        here = Stack.of(self).account
        if call_as is CallAs.SELF and not is_token(here) and here == identity_center.account_id:
            raise InvalidSettingError(
                "identity_center",
                identity_center.account_id,
                "a member account: this stack's account is the management account; use "
                "IdentityCenter.in_management_account(region)",
            )


class OrganizationIntegrationStack(Stack):
    """``OrganizationIntegration`` (construct ID ``Organization``) and its outputs.

    Outputs: ``ManagementRoleArn`` (SELF), ``MemberRoleName``, ``MemberRoleArnPattern``, ``StackSetName``,
    ``StackSetId``, ``ExternalIdMode``, ``IdentityCenterRegion`` and ``IdentityCenterAccountId`` (when
    known), and ``CollectorArguments`` (SELF): what ``aws-readonly-collector collect`` needs besides the
    ExternalId. ``integration_props`` are ``OrganizationIntegration``'s; ``stack_props`` go to ``Stack``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        integration_props: Mapping[str, Any],
        **stack_props: Any,
    ) -> None:
        super().__init__(scope, id, **stack_props)
        self.integration = OrganizationIntegration(self, "Organization", **integration_props)
        integration = self.integration
        mode = integration.external_id_mode.value
        if integration.management_role is not None:
            CfnOutput(
                self,
                MANAGEMENT_ROLE_ARN_OUTPUT,
                value=integration.management_role.role_arn,
                description="The management account's role: the collector's --role-arn.",
            )
            arguments = [
                "--organization --role-arn",
                integration.management_role.role_arn,
                "--member-role-name",
                integration.role_name,
                "--external-id-mode",
                mode,
            ]
            if integration.identity_center is not None:
                arguments += ["--identity-center-region", integration.identity_center.home_region]
            if integration.log_archive_account_id is not None:
                arguments += ["--log-archive-account-id", integration.log_archive_account_id]
            CfnOutput(
                self,
                COLLECTOR_ARGUMENTS_OUTPUT,
                value=Fn.join(" ", arguments),
                description="Arguments of aws-readonly-collector collect (plus the ExternalId).",
            )
        CfnOutput(self, MEMBER_ROLE_NAME_OUTPUT, value=integration.role_name, description="In every account.")
        CfnOutput(
            self,
            MEMBER_ROLE_ARN_PATTERN_OUTPUT,
            value=integration.member_role_arn_pattern,
            description=f"Each member account's role ARN, with its ID in place of {ACCOUNT_PLACEHOLDER}.",
        )
        CfnOutput(self, STACK_SET_NAME_OUTPUT, value=integration.member_roles.stack_set_name)
        CfnOutput(self, STACK_SET_ID_OUTPUT, value=integration.member_roles.stack_set_id)
        CfnOutput(
            self,
            EXTERNAL_ID_MODE_OUTPUT,
            value=mode,
            description="shared: the ExternalId as given; per-account: followed by '-' and the account ID.",
        )
        if integration.log_archive_account_id is not None:
            CfnOutput(
                self,
                LOG_ARCHIVE_ACCOUNT_OUTPUT,
                value=integration.log_archive_account_id,
                description="The member account whose role reads the organization trail's log files.",
            )
        if integration.identity_center is not None:
            CfnOutput(
                self,
                IDENTITY_CENTER_REGION_OUTPUT,
                value=integration.identity_center.home_region,
                description="IAM Identity Center's home region.",
            )
            if integration.identity_center.account_id is not None:
                CfnOutput(
                    self,
                    IDENTITY_CENTER_ACCOUNT_OUTPUT,
                    value=integration.identity_center.account_id,
                    description="The member account that administers IAM Identity Center.",
                )
