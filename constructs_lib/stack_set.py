"""A service-managed StackSet that deploys one plain template to accounts of an AWS Organization.

Reusable: it takes any plain template (``plain_template``), so the organization rollout uses it for the member
role and other rollouts can use it for theirs. The choices are small classes with static constructors, in the
manner of cdklabs/cdk-stacksets, and everything CloudFormation would reject or silently ignore fails at synth:

- ``Targets``: organizational units (or the root), optionally minus some accounts (``DIFFERENCE``), or
  only some accounts of them (``INTERSECTION``). Never ``UNION``: CloudFormation's StackSet resource
  handler rejects it, and without an explicit filter type, accounts next to OUs mean UNION. So the filter
  is always explicit.
- Automatic deployment ignores account-level filters: an ``INTERSECTION`` ("only these accounts") with it
  would also deploy to every account that joins the OUs later, so that combination is refused.
- A template that names IAM resources (names are global in an account) deploys to one region only.
- The TemplateBody must fit CloudFormation's 51,200 bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aws_cdk import Aws, CfnParameter, Stack, Token
from aws_cdk import aws_cloudformation as cfn
from constructs import Construct

from collector import formats
from collector.formats import InvalidSettingError
from constructs_lib.validation import is_token

TEMPLATE_BODY_LIMIT = 51_200  # bytes: CloudFormation's limit for an inline TemplateBody
# Properties that give an IAM resource a fixed (account-global) name; with one, CAPABILITY_NAMED_IAM.
_IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}


class CallAs(StrEnum):
    """Where the stack that holds the StackSet is deployed (CloudFormation's ``CallAs``)."""

    SELF = "SELF"  # the organization's management account
    DELEGATED_ADMIN = "DELEGATED_ADMIN"  # an account registered as delegated StackSet administrator


class AccountFilter(StrEnum):
    """How ``Targets`` combines OUs and accounts. There is deliberately no UNION (see the module doc)."""

    NONE = "NONE"  # every account of the OUs
    DIFFERENCE = "DIFFERENCE"  # every account of the OUs except the listed ones
    INTERSECTION = "INTERSECTION"  # only the listed accounts, and only if they are in the OUs


def _ids(values: Sequence[str], check: Any, setting: str, *, allow_empty: bool) -> tuple[str, ...]:
    """Checked IDs; a Token (a CommaDelimitedList parameter) is left for CloudFormation to check."""
    if not isinstance(values, str) and is_token(list(values)):
        return tuple(values)
    if isinstance(values, str):  # a single string would be taken character by character
        raise InvalidSettingError(setting, values, "a list of IDs")
    if not values and not allow_empty:
        raise InvalidSettingError(setting, list(values), "at least one ID")
    checked = tuple(check(v, setting) for v in values)
    duplicates = sorted({v for v in checked if checked.count(v) > 1})
    if duplicates:
        raise InvalidSettingError(setting, duplicates, "each ID once")
    return checked


@dataclass(frozen=True)
class Targets:
    """Which accounts the StackSet deploys to. Build it with a static constructor.

    The management account is never a target of a service-managed StackSet, even under the root.
    """

    organizational_unit_ids: tuple[str, ...]
    account_filter: AccountFilter = AccountFilter.NONE
    accounts: tuple[str, ...] = ()
    parameter_id: str | None = None  # the IDs come from this CommaDelimitedList parameter

    @staticmethod
    def organizational_units(ids: Sequence[str], *, exclude_accounts: Sequence[str] = ()) -> Targets:
        """Every account under these roots (``r-...``) or OUs (``ou-...``), child OUs included, and those
        that join them later (with automatic deployment), except ``exclude_accounts``.

        An excluded account is left out of the deployment and of later updates; automatic deployment does
        not consider it, though: if it leaves the targets and joins again, it gets the stack.
        """
        ous = _ids(ids, formats.root_or_ou_id, "organizational_unit_ids", allow_empty=False)
        excluded = _ids(exclude_accounts, formats.account_id, "exclude_accounts", allow_empty=True)
        if not excluded:
            return Targets(ous)
        return Targets(ous, AccountFilter.DIFFERENCE, excluded)

    @staticmethod
    def accounts_in_organizational_units(ids: Sequence[str], accounts: Sequence[str]) -> Targets:
        """Only ``accounts``, each of which must be under one of these roots or OUs. Needs automatic
        deployment off: automatic deployment ignores account filters and would deploy to new accounts."""
        return Targets(
            _ids(ids, formats.root_or_ou_id, "organizational_unit_ids", allow_empty=False),
            AccountFilter.INTERSECTION,
            _ids(accounts, formats.account_id, "accounts", allow_empty=False),
        )

    @staticmethod
    def organizational_units_parameter(parameter_id: str = "OrganizationalUnitIds") -> Targets:
        """Like ``organizational_units``, with the IDs taken from a required template parameter (a
        comma-delimited list, created in the stack on first use), so one template serves every organization.
        CloudFormation checks the IDs at deployment."""
        return Targets((), parameter_id=parameter_id)

    def bind_organizational_units(self, scope: Construct) -> list[str]:
        """The root/OU IDs, or a reference to the parameter that holds them."""
        if self.parameter_id is None:
            return list(self.organizational_unit_ids)
        stack = Stack.of(scope)
        found = stack.node.try_find_child(self.parameter_id)
        if found is None:
            found = CfnParameter(
                stack,
                self.parameter_id,
                type="CommaDelimitedList",
                description=(
                    "Where the member role goes: the organization root (r-...) and/or OU IDs (ou-...), "
                    "comma-separated. Child OUs are included; the management account never is."
                ),
            )
        if not isinstance(found, CfnParameter) or found.type != "CommaDelimitedList":
            raise InvalidSettingError(
                "Targets.organizational_units_parameter",
                self.parameter_id,
                "an ID not used by another construct of the stack",
            )
        return found.value_as_list

    def render(self, scope: Construct) -> cfn.CfnStackSet.DeploymentTargetsProperty:
        # AccountFilterType is always written: left out next to Accounts it would mean UNION.
        return cfn.CfnStackSet.DeploymentTargetsProperty(
            organizational_unit_ids=self.bind_organizational_units(scope),
            account_filter_type=self.account_filter.value,
            accounts=list(self.accounts) if self.accounts else None,
        )


@dataclass(frozen=True)
class Share:
    """A number of accounts, or a percentage of the target accounts (rounded down by CloudFormation)."""

    count: int | None = None
    percentage: int | None = None

    @staticmethod
    def accounts(count: int) -> Share:
        return Share(count=count)

    @staticmethod
    def percent(percentage: int) -> Share:
        return Share(percentage=percentage)

    def check(self, setting: str, minimum: int) -> None:
        if (self.count is None) == (self.percentage is None):
            raise InvalidSettingError(setting, self, "Share.accounts(n) or Share.percent(p)")
        if self.count is not None and not (isinstance(self.count, int) and self.count >= minimum):
            raise InvalidSettingError(setting, self.count, f"a whole number of accounts >= {minimum}")
        if self.percentage is not None and not (
            isinstance(self.percentage, int) and minimum <= self.percentage <= 100
        ):
            raise InvalidSettingError(setting, self.percentage, f"a whole percentage from {minimum} to 100")


@dataclass(frozen=True)
class Rollout:
    """How fast a StackSet operation goes and how many account failures it tolerates per region.

    Defaults, for a small read-only stack: up to 25% of the accounts at once, and a failure in up to 10%
    of them (an SCP that denies IAM writes, a role name already taken) does not stop the others. With
    ``strict=False`` (SOFT_FAILURE_TOLERANCE) failures do not throttle the concurrency; ``strict=True`` is
    CloudFormation's default, which lowers it to the failure tolerance + 1. These preferences apply to
    operations on the StackSet (create, update); automatic deployments to new accounts ignore them.
    """

    failure_tolerance: Share = field(default_factory=lambda: Share.percent(10))
    max_concurrency: Share = field(default_factory=lambda: Share.percent(25))
    strict: bool = False

    def __post_init__(self) -> None:
        self.failure_tolerance.check("Rollout.failure_tolerance", 0)
        self.max_concurrency.check("Rollout.max_concurrency", 1)

    def render(self) -> cfn.CfnStackSet.OperationPreferencesProperty:
        return cfn.CfnStackSet.OperationPreferencesProperty(
            concurrency_mode="STRICT_FAILURE_TOLERANCE" if self.strict else "SOFT_FAILURE_TOLERANCE",
            failure_tolerance_count=self.failure_tolerance.count,
            failure_tolerance_percentage=self.failure_tolerance.percentage,
            max_concurrent_count=self.max_concurrency.count,
            max_concurrent_percentage=self.max_concurrency.percentage,
        )


def template_body(template: Mapping[str, Any]) -> str:
    """The TemplateBody string: minified JSON, the way the size limit is best met."""
    return json.dumps(template, separators=(",", ":"))


def names_iam_resources(template: Mapping[str, Any]) -> bool:
    """Whether the template gives an IAM resource a fixed name (global to the account)."""
    return any(
        _IAM_NAME_PROPERTIES.get(r.get("Type", "")) in r.get("Properties", {})
        for r in template.get("Resources", {}).values()
    )


def required_capabilities(template: Mapping[str, Any]) -> tuple[str, ...]:
    """The capabilities CloudFormation demands for the template's IAM resources."""
    if names_iam_resources(template):
        return ("CAPABILITY_NAMED_IAM",)
    if any(r.get("Type", "").startswith("AWS::IAM::") for r in template.get("Resources", {}).values()):
        return ("CAPABILITY_IAM",)
    return ()


def _check_parameters(template: Mapping[str, Any], given: Mapping[str, str]) -> None:
    declared = template.get("Parameters", {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise InvalidSettingError(
            "parameters", unknown, f"parameters of the template ({', '.join(declared) or 'none'})"
        )
    missing = sorted(k for k, p in declared.items() if "Default" not in p and k not in given)
    if missing:
        raise InvalidSettingError(
            "parameters", missing, "a value for every template parameter without a Default"
        )


class ServiceManagedStackSet(Construct):
    """``AWS::CloudFormation::StackSet`` (construct ID ``Resource``) with service-managed permissions.

    :param template: the plain template each account gets (``plain_template``: no bootstrap, no metadata),
        embedded as ``TemplateBody``. Fails at synth beyond 51,200 bytes.
    :param targets: ``Targets.organizational_units(...)`` or
        ``Targets.accounts_in_organizational_units(...)``.
    :param call_as: ``CallAs.SELF`` when the stack is deployed in the management account,
        ``CallAs.DELEGATED_ADMIN`` in a delegated StackSet administrator account. No default: a wrong value
        fails the deployment.
    :param regions: where the stack instances go. Default: the region of the stack holding the StackSet.
        One region only when the template names IAM resources.
    :param parameters: values for the template's parameters (may be Tokens, e.g. a parameter of the outer
        stack). Every parameter without a Default needs one.
    :param stack_set_name: Default: ``<stack name>-<construct id>``.
    :param auto_deployment: deploy to accounts that join the targets later. Default: True.
    :param retain_stacks_on_account_removal: keep the stack (and its resources) in an account that leaves
        the targets. Default: False (what the StackSet put there leaves with the account). Needs
        ``auto_deployment``.
    :param rollout: failure tolerance and concurrency. Default: ``Rollout()``.
    :param description: the StackSet's description. Default: none.

    ManagedExecution is on: CloudFormation queues conflicting operations instead of refusing them.
    Capabilities follow from the template (``CAPABILITY_NAMED_IAM`` when it names IAM resources).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: Mapping[str, Any],
        targets: Targets,
        call_as: CallAs,
        regions: Sequence[str] | None = None,
        parameters: Mapping[str, str] | None = None,
        stack_set_name: str | None = None,
        auto_deployment: bool = True,
        retain_stacks_on_account_removal: bool = False,
        rollout: Rollout | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.check_choices(targets, call_as, auto_deployment, retain_stacks_on_account_removal)
        self.template: Mapping[str, Any] = template
        self.template_body = template_body(template)
        size = len(self.template_body.encode())
        if size > TEMPLATE_BODY_LIMIT:
            raise InvalidSettingError(
                "template",
                f"{size:,} bytes",
                f"at most {TEMPLATE_BODY_LIMIT:,} bytes, CloudFormation's inline TemplateBody limit "
                "(fewer features or a shorter description make it smaller)",
            )
        self.regions = self._regions(regions, template)
        given = dict(parameters or {})
        _check_parameters(template, given)
        self.capabilities = required_capabilities(template)
        self.call_as = call_as
        self.targets = targets
        name = stack_set_name or f"{Stack.of(self).stack_name}-{id}"
        self.stack_set_name = name if is_token(name) else formats.stack_set_name(name, "stack_set_name")
        self.resource = cfn.CfnStackSet(
            self,
            "Resource",
            stack_set_name=self.stack_set_name,
            description=description,
            permission_model="SERVICE_MANAGED",
            call_as=call_as.value,
            auto_deployment=cfn.CfnStackSet.AutoDeploymentProperty(
                enabled=auto_deployment,
                retain_stacks_on_account_removal=(
                    retain_stacks_on_account_removal if auto_deployment else None
                ),
            ),
            managed_execution={"Active": True},
            capabilities=list(self.capabilities) or None,
            operation_preferences=(rollout or Rollout()).render(),
            parameters=[
                cfn.CfnStackSet.ParameterProperty(parameter_key=k, parameter_value=v)
                for k, v in sorted(given.items())
            ]
            or None,
            stack_instances_group=[
                cfn.CfnStackSet.StackInstancesProperty(
                    deployment_targets=targets.render(self), regions=list(self.regions)
                )
            ],
            template_body=self.template_body,
        )

    @staticmethod
    def check_choices(
        targets: Targets, call_as: CallAs, auto_deployment: bool, retain_stacks_on_account_removal: bool
    ) -> None:
        """The checks that need no template, for callers that want to fail before synthesizing one."""
        if not isinstance(call_as, CallAs):
            raise InvalidSettingError(
                "call_as",
                call_as,
                "CallAs.SELF (stack in the management account) or CallAs.DELEGATED_ADMIN "
                "(stack in a delegated StackSet administrator account)",
            )
        if auto_deployment and targets.account_filter is AccountFilter.INTERSECTION:
            raise InvalidSettingError(
                "auto_deployment",
                True,
                "False with Targets.accounts_in_organizational_units: automatic deployment ignores account "
                "filters and would also deploy to every account that joins the OUs",
            )
        if retain_stacks_on_account_removal and not auto_deployment:
            raise InvalidSettingError(
                "retain_stacks_on_account_removal", True, "False: it applies to automatic deployment only"
            )

    @property
    def stack_set_id(self) -> str:
        """``name:uuid``, known after deployment.

        ``Ref`` (the resource's primary identifier) rather than ``GetAtt``: the same value, and a stack that
        refers to it still deploys on emulators that skip StackSet resources (moto).
        """
        return self.resource.ref

    @staticmethod
    def _regions(regions: Sequence[str] | None, template: Mapping[str, Any]) -> tuple[str, ...]:
        if regions is None:
            return (Aws.REGION,)
        if isinstance(regions, str):
            raise InvalidSettingError("regions", regions, "a list of regions")
        chosen = tuple(r if Token.is_unresolved(r) else formats.region(r, "regions") for r in regions)
        if not chosen or len(set(chosen)) != len(chosen):
            raise InvalidSettingError("regions", list(regions), "one or more regions, each once")
        if len(chosen) > 1 and names_iam_resources(template):
            raise InvalidSettingError(
                "regions",
                list(regions),
                "exactly one region: the template names IAM resources, whose names are global to an "
                "account, so a second region's stack would collide with the first",
            )
        return chosen
