"""What a customer runs to integrate: ``customers instructions NAME``.

Pure: a recorded ``Customer`` in, ``Instructions`` out (one function per method), rendered as text. The
``cdk deploy`` commands use the CDK app's context keys (cdk_app/config.py and docs/deploy-*.md) and carry the
customer's ExternalId, so the customer pastes them as they are; the permissions listed come from the catalog
(collector/permissions.py), the same list the role is built from.
"""

from __future__ import annotations

import itertools
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from collector.customers.record import Customer, Method
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature, Permission, permissions_for

# The CDK app's context keys (cdk_app/config.py; legacy: cdk_app/legacy_config.py).
INTEGRATION = "integration"
TRUSTED_PRINCIPAL = "trustedPrincipal"
EXTERNAL_ID = "externalId"
ROLE_NAME = "roleName"
INCLUDE_IDENTITY_CENTER = "includeIdentityCenter"
ORGANIZATIONAL_UNIT_IDS = "organizationalUnitIds"
CALL_AS = "callAs"
IDENTITY_CENTER_REGION = "identityCenterRegion"
IDENTITY_CENTER_ACCOUNT_ID = "identityCenterAccountId"
CLOUD_TRAIL_BUCKET = "cloudTrailBucket"
CLOUD_TRAIL_PREFIX = "cloudTrailPrefix"
CLOUD_TRAIL_KMS_KEY_ARN = "cloudTrailKmsKeyArn"
LOG_ARCHIVE_ACCOUNT_ID = "logArchiveAccountId"
# -c integration=legacy (cdk_app/legacy_config.py)
USER_ACCOUNT_ID = "userAccountId"
ACCOUNT_IDS = "accountIds"
READERS = "secretReaders"
USER_NAME = "userName"
EXTERNAL_ID_MODE = "externalIdMode"
LEGACY_USER_NAME = "ReadOnlyIntegrationUser"  # the app's default userName (constructs_lib.legacy_stacks)

STACK_NAME = "ReadOnlyIntegration"  # cdk_app.build.ACCOUNT_STACK_ID and the quick-create stack name
CDK = "npx cdk"
_CONSOLE = {
    "aws": "https://console.aws.amazon.com",
    "aws-cn": "https://console.amazonaws.cn",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
}
_HOME_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


@dataclass(frozen=True)
class Grant:
    """What one kind of role grants, from the catalog."""

    where: str  # e.g. "the management account's role"
    permissions: tuple[Permission, ...]


@dataclass(frozen=True)
class Deploy:
    """One ``cdk deploy`` the customer runs, and where."""

    where: str
    context: tuple[tuple[str, str], ...]  # (key, value) in the order they are printed
    stacks: str = ""  # "--all" when the app synthesizes several stacks (the CDK CLI then needs it)

    @property
    def command(self) -> str:
        parts = [f"-c {shlex.quote(f'{k}={v}')}" for k, v in self.context]
        return " ".join([f"{CDK} deploy", *([self.stacks] if self.stacks else []), *parts])

    def context_dict(self) -> dict[str, str]:
        return dict(self.context)


@dataclass(frozen=True)
class Instructions:
    customer: str
    method: Method
    external_id: str
    deploys: tuple[Deploy, ...]
    steps: tuple[str, ...]  # everything else, in order (prerequisites, alternatives, what to send back)
    grants: tuple[Grant, ...]

    def render(self) -> str:
        lines = [
            f"Customer {self.customer}: method {self.method.value}",
            f"ExternalId: {self.external_id}",
            "",
            "Deploy with the CDK CLI, from a checkout of aws-readonly-integration (`make install` first; "
            "the account must be CDK-bootstrapped: `npx cdk bootstrap`):",
        ]
        for deploy in self.deploys:
            lines += ["", f"  # {deploy.where}", f"  {deploy.command}"]
        for number, step in enumerate(self.steps, 1):
            first, *rest = step.splitlines()
            lines += ["", f"{number}. {first}", *(f"   {line}" for line in rest)]
        for grant in self.grants:
            lines += ["", f"Permissions of {grant.where} ({len(grant.permissions)} actions, List/Read only):"]
            width = max(len(p.action) for p in grant.permissions)
            lines += [f"  {p.action:<{width}}  {p.reason}" for p in grant.permissions]
        lines += [
            "",
            "Data-plane reads (object contents, secret values, parameters, table items, function code, log "
            "events...) are denied explicitly; see docs/permissions.md.",
        ]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "method": self.method.value,
            "external_id": self.external_id,
            "deploys": [
                {"where": d.where, "command": d.command, "context": d.context_dict()} for d in self.deploys
            ],
            "steps": list(self.steps),
            "grants": [{"where": g.where, "actions": [p.action for p in g.permissions]} for g in self.grants],
        }


def quick_create_link(template_url: str, external_id: str, partition: str = "aws") -> str:
    """The CloudFormation console's quick-create link with the ExternalId parameter filled in."""
    return (
        f"{_CONSOLE[partition]}/cloudformation/home?region={_HOME_REGION[partition]}#/stacks/quickcreate"
        f"?templateURL={quote(template_url, safe='')}&stackName={STACK_NAME}"
        f"&param_ExternalId={quote(external_id, safe='')}"
    )


def _common_context(customer: Customer) -> list[tuple[str, str]]:
    assert customer.trusted_principal is not None  # checked when the customer was recorded
    trail = (
        (CLOUD_TRAIL_BUCKET, customer.cloud_trail_bucket),
        (CLOUD_TRAIL_PREFIX, customer.cloud_trail_prefix),
        (CLOUD_TRAIL_KMS_KEY_ARN, customer.cloud_trail_kms_key_arn),
        (LOG_ARCHIVE_ACCOUNT_ID, customer.log_archive_account_id),
    )
    return [
        (TRUSTED_PRINCIPAL, customer.trusted_principal),
        (EXTERNAL_ID, customer.external_id),
        *_mode(customer),
        (ROLE_NAME, customer.role_name),
        *((key, value) for key, value in trail if value is not None),
    ]


def _mode(customer: Customer) -> list[tuple[str, str]]:
    """``externalIdMode`` when not the default: each role then expects the ExternalId, '-', its account."""
    if customer.external_id_mode is ExternalIdMode.SHARED:
        return []
    return [(EXTERNAL_ID_MODE, customer.external_id_mode.value)]


def _account_id(value: str | None) -> str:
    return value if value is not None else "the customer's account"


def _record_role(customer: Customer, output: str) -> str:
    return (
        f"Deployed with another roleName than {customer.role_name}? Send the vendor the stack's {output} "
        f"output (recorded with `customers update {customer.name} --role-arn ARN`)."
    )


def account(customer: Customer, template_url: str | None = None) -> Instructions:
    """One account: ``cdk deploy``, or the plain template (console quick-create link, or the AWS CLI)."""
    context = [(INTEGRATION, Method.ACCOUNT.value), *_common_context(customer)]
    if customer.include_identity_center:
        context.append((INCLUDE_IDENTITY_CENTER, "true"))
    template = (
        "account-role-identity-center.json" if customer.include_identity_center else "account-role.json"
    )
    if customer.external_id_mode is not ExternalIdMode.SHARED:
        plain = (
            "The plain CloudFormation templates expect one ExternalId in every account: with the "
            f"{customer.external_id_mode.value} ExternalId mode, deploy with the command above."
        )
    elif template_url is not None:
        plain = (
            "Or, without the CDK, as a plain CloudFormation template: open this quick-create link signed "
            f"in to {_account_id(customer.account_id)}, review the template, tick the IAM acknowledgment "
            "and create the stack:\n"
            + quick_create_link(template_url, customer.external_id, customer.partition)
        )
    else:
        plain = (
            "Or, without the CDK, as a plain CloudFormation template (`make templates` writes "
            f"templates/{template}; the vendor can host it and give a console quick-create link instead):\n"
            f"aws cloudformation deploy --template-file templates/{template} --stack-name {STACK_NAME} "
            f"--capabilities CAPABILITY_IAM --parameter-overrides ExternalId={customer.external_id}"
        )
    if customer.external_id_mode is ExternalIdMode.SHARED:
        plain += (
            "\nThe plain template names the role itself: send the vendor the stack's RoleArn output "
            f"(recorded with `customers update {customer.name} --role-arn ARN`)."
        )
    return Instructions(
        customer=customer.name,
        method=customer.method,
        external_id=customer.external_id,
        deploys=(Deploy(f"in {_account_id(customer.account_id)}", tuple(context)),),
        steps=(plain,),
        grants=(Grant("the role", permissions_for(customer.features)),),
    )


def organization(customer: Customer, template_url: str | None = None) -> Instructions:
    """An organization: one stack in the management account, a StackSet for the members (cdk_app.config)."""
    context = [(INTEGRATION, Method.ORGANIZATION.value), *_common_context(customer)]
    context.append((ORGANIZATIONAL_UNIT_IDS, ",".join(customer.organizational_unit_ids)))
    context.append((CALL_AS, "SELF"))  # deployed from the management account; see the step below
    if customer.identity_center_region is not None:
        context.append((IDENTITY_CENTER_REGION, customer.identity_center_region))
    if customer.identity_center_account_id is not None:
        context.append((IDENTITY_CENTER_ACCOUNT_ID, customer.identity_center_account_id))
    management = _account_id(customer.account_id)
    steps = (
        "Before deploying, in the management account: activate trusted access for CloudFormation StackSets "
        "(console: CloudFormation > StackSets > Activate trusted access, or "
        "`aws cloudformation activate-organizations-access`).",
        f"What lands where: in the management account ({management}) the role {customer.role_name} with the "
        "organization and Identity Center reads (service-managed StackSets never deploy there); in every "
        f"account under {', '.join(customer.organizational_unit_ids)} a role {customer.role_name} through "
        "the StackSet, also in accounts that join those OUs later."
        + (
            f" Identity Center is read in {customer.identity_center_account_id} (its delegated "
            "administrator)."
            if customer.identity_center_account_id
            else ""
        ),
        "From a delegated StackSet administrator account instead of the management account: use "
        "`-c callAs=DELEGATED_ADMIN` instead of `-c callAs=SELF` (the management role then needs its own "
        "deployment in the management account).",
        _record_role(customer, "management role ARN"),
    )
    member_features = DEFAULT_FEATURES
    grants = [
        Grant("the management account's role", permissions_for(customer.features)),
        Grant("each member account's role", permissions_for(member_features)),
    ]
    if customer.identity_center_account_id is not None:
        grants.append(
            Grant(
                f"the role in {customer.identity_center_account_id} (Identity Center administrator)",
                permissions_for(member_features | {Feature.IDENTITY_CENTER}),
            )
        )
    return Instructions(
        customer=customer.name,
        method=customer.method,
        external_id=customer.external_id,
        deploys=(Deploy(f"in the management account ({management})", tuple(context)),),
        steps=steps,
        grants=tuple(grants),
    )


def _legacy_user_name(customer: Customer) -> str:
    """The user's name: from its recorded ARN (the stack's UserArn output), else the app's default."""
    if customer.trusted_principal is None:
        return LEGACY_USER_NAME
    return customer.trusted_principal.rsplit("/", 1)[-1]


def legacy(customer: Customer, template_url: str | None = None) -> Instructions:
    """The legacy method: the user and its key in one account, a role it may assume in each listed account.

    One ``cdk deploy --all`` of the app's legacy integration: the user's stack in ``account_id`` and a role
    stack per account, each role trusting exactly that user with the customer's ExternalId.
    """
    if customer.account_id is None:
        raise InvalidSettingError(
            "--account-id",
            None,
            f"the account that holds the legacy user (`customers update {customer.name} --account-id ID`)",
        )
    if not customer.secret_readers:
        raise InvalidSettingError(
            "--secret-readers",
            None,
            "the customer's role or user ARNs that may read the user's key "
            f"(`customers update {customer.name} --secret-readers ARN`)",
        )
    context = [
        (INTEGRATION, Method.LEGACY.value),
        (USER_ACCOUNT_ID, customer.account_id),
        (ACCOUNT_IDS, ",".join(customer.account_ids)),
        (READERS, ",".join(customer.secret_readers)),
        (EXTERNAL_ID, customer.external_id),
        *_mode(customer),
        (ROLE_NAME, customer.role_name),
    ]
    user_name = _legacy_user_name(customer)
    if user_name != LEGACY_USER_NAME:
        context.append((USER_NAME, user_name))
    steps = (
        f"The command deploys the stack LegacyIntegrationUser in {customer.account_id} and a stack "
        f"LegacyIntegrationRole-<account> in each of {', '.join(customer.account_ids)}: run it with "
        "credentials that can deploy to all of them (each account CDK-bootstrapped, trusting the deploying "
        "account: `npx cdk bootstrap --trust ACCOUNT`), or deploy each stack by name with that account's "
        "credentials (`npx cdk deploy LegacyIntegrationRole-<account> -c ...`, the same context).",
        f"The user {user_name} has no console access and may only sts:AssumeRole {customer.role_name} in the "
        "listed accounts; each role trusts exactly that user, with the ExternalId. Its access key is kept in "
        "Secrets Manager (the stack's SecretArn output), readable only by "
        f"{', '.join(customer.secret_readers)}; the key is never in an output.",
        "Hand the key to the vendor over a secure channel (`aws secretsmanager get-secret-value --secret-id "
        "<SecretArn>`); the vendor keeps it as an AWS profile"
        + (f" named {customer.profile}." if customer.profile else " (recorded with --profile)."),
        "Send the vendor the UserArn output too (recorded with "
        f"`customers update {customer.name} --trusted-principal ARN`).",
        "The role-based methods (account, organization) are recommended over this one: no long-lived key.",
    )
    return Instructions(
        customer=customer.name,
        method=customer.method,
        external_id=customer.external_id,
        deploys=(
            Deploy(
                f"the user in {customer.account_id}, a role in each of {', '.join(customer.account_ids)}",
                tuple(context),
                stacks="--all",
            ),
        ),
        steps=steps,
        grants=(Grant("each account's role", permissions_for(customer.features)),),
    )


BY_METHOD: Mapping[Method, Callable[[Customer, str | None], Instructions]] = {
    Method.ACCOUNT: account,
    Method.ORGANIZATION: organization,
    Method.LEGACY: legacy,
}


def instructions_for(customer: Customer, template_url: str | None = None) -> Instructions:
    return BY_METHOD[customer.method](customer, template_url)


def rotation_notice(customer: Customer) -> str:
    """After ``rotate-external-id``: the new value and what the customer must redeploy with it."""
    guide = instructions_for(customer)
    lines = [
        f"{customer.name}: new ExternalId {customer.external_id}",
        "Until the customer redeploys with it, collect and doctor cannot assume the role(s) "
        f"({', '.join(customer.role_arns()) or 'role ARN not recorded'}). The customer must redeploy:",
    ]
    lines += [f"  # {deploy.where}\n  {deploy.command}" for deploy in guide.deploys]
    if customer.method is Method.ACCOUNT:
        lines.append(
            "  # or, for a stack created from the plain template: update its ExternalId parameter\n"
            f"  aws cloudformation update-stack --stack-name {STACK_NAME} --use-previous-template "
            "--capabilities CAPABILITY_IAM --parameters "
            f"ParameterKey=ExternalId,ParameterValue={customer.external_id}"
        )
    if customer.method is Method.ORGANIZATION:
        lines.append("The StackSet then updates the member role in every account with the new value.")
    lines.append(
        f"`doctor --customer {customer.name}` tells when the redeploy is done "
        "(the old ExternalId is then refused)."
    )
    return "".join(line + "\n" for line in lines)


def parse_context(command: str) -> dict[str, str]:
    """The ``-c key=value`` pairs of a printed ``cdk deploy`` command (what tests run as a synth)."""
    words: Sequence[str] = shlex.split(command)
    context: dict[str, str] = {}
    for flag, value in itertools.pairwise(words):
        if flag == "-c":
            key, _, text = value.partition("=")
            context[key] = text
    return context
