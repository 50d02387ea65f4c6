"""Deploy the organization integration onto the local AWS the way a customer does, as its administrator:

1. ``cdk bootstrap`` and ``cdk deploy --method=direct`` of the project's app in the management account
   (the management account's role: StackSets never deploy there);
2. the member template to every member account through the StackSet API: a service-managed StackSet
   (``create_stack_set``) and its instances for the organization's OUs (``create_stack_instances``).

The demo and the end-to-end tests share it, so the tests prove what the demo shows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from local_aws.cdk_cli import CdkCli
from local_aws.client import AccessKey
from local_aws.seed.truth import OrganizationTruth

STACK_NAME = "ReadOnlyIntegration"
STACK_SET_NAME = "ReadOnlyIntegration-Members"
ROLE_NAME = "ReadOnlyIntegration"  # the same name in every account: the collector derives member ARNs
_OPERATION_TIMEOUT_SECONDS = 120.0


class StackSetError(RuntimeError):
    pass


@dataclass(frozen=True)
class DeployedIntegration:
    """What the customer hands the vendor (the role ARN, with the ExternalId) and what was deployed."""

    management_role_arn: str
    member_role_name: str
    stack_outputs: Mapping[str, str]
    stack_set_id: str
    member_stacks: tuple[tuple[str, str, str], ...]  # (account, region, status) of each stack instance

    @property
    def member_account_ids(self) -> tuple[str, ...]:
        return tuple(sorted({account for account, _, _ in self.member_stacks}))


def cdk_context(vendor_principal_arn: str, external_id: str) -> dict[str, str]:
    """The ``-c key=value`` context of the management account's stack, as the README documents it."""
    return {
        "trustedPrincipal": vendor_principal_arn,
        "externalId": external_id,
        "roleName": ROLE_NAME,
        "includeOrganizations": "true",
        "includeIdentityCenter": "true",
    }


def member_template(vendor_principal_arn: str) -> dict[str, Any]:
    """The member accounts' template: the integration role with the fixed name and an ExternalId parameter."""
    from constructs_lib import TrustedPrincipal, account_template  # noqa: PLC0415 - jsii, only here

    return account_template(
        trusted_principal=TrustedPrincipal.from_string(vendor_principal_arn), role_name=ROLE_NAME
    )


def top_level_ous(organization: OrganizationTruth) -> tuple[str, ...]:
    """The OUs directly under the root: a StackSet targeting them reaches every account below them (and
    never the management account, which lives in the root)."""
    return tuple(ou.id for ou in organization.organizational_units if ou.parent_id == organization.root_id)


def deploy_stack_set(
    cloudformation: Any,
    *,
    template: Mapping[str, Any],
    parameters: Mapping[str, str],
    organizational_unit_ids: Sequence[str],
    regions: Sequence[str],
    name: str = STACK_SET_NAME,
) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """A service-managed StackSet from the management account (``CallAs=SELF``) and its instances for the
    OUs; waits for the operation. Returns the StackSet ID and each instance's (account, region, status)."""
    stack_set_id = cloudformation.create_stack_set(
        StackSetName=name,
        Description="Read-only integration role in every member account (aws-readonly-integration).",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
        PermissionModel="SERVICE_MANAGED",
        AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
        CallAs="SELF",
    )["StackSetId"]
    operation_id = cloudformation.create_stack_instances(
        StackSetName=name,
        DeploymentTargets={"OrganizationalUnitIds": list(organizational_unit_ids)},
        Regions=list(regions),
        CallAs="SELF",
    )["OperationId"]
    _wait_for_operation(cloudformation, name, operation_id)
    instances = [
        summary
        for page in cloudformation.get_paginator("list_stack_instances").paginate(
            StackSetName=name, CallAs="SELF"
        )
        for summary in page["Summaries"]
    ]
    return stack_set_id, tuple(
        sorted(
            (i["Account"], i["Region"], i.get("StackInstanceStatus", {}).get("DetailedStatus", i["Status"]))
            for i in instances
        )
    )


def _wait_for_operation(cloudformation: Any, name: str, operation_id: str) -> None:
    deadline = time.monotonic() + _OPERATION_TIMEOUT_SECONDS
    while True:
        operation = cloudformation.describe_stack_set_operation(
            StackSetName=name, OperationId=operation_id, CallAs="SELF"
        )["StackSetOperation"]
        status = operation["Status"]
        if status == "SUCCEEDED":
            return
        if status in ("FAILED", "STOPPED") or time.monotonic() > deadline:
            raise StackSetError(f"StackSet {name} operation {operation_id}: {status}: {operation}")
        time.sleep(1.0)


def deploy_organization_integration(
    endpoint_url: str,
    *,
    organization: OrganizationTruth,
    vendor_principal_arn: str,
    external_id: str,
    administrator: AccessKey,
    workdir: Path,
    region: str = "us-east-1",
) -> DeployedIntegration:
    """Both steps of the module docstring, with the administrator's credentials."""
    cli = CdkCli(endpoint_url, administrator, workdir, region)
    cli.bootstrap(organization.management_account_id)
    outputs = cli.deploy(STACK_NAME, cdk_context(vendor_principal_arn, external_id))
    session = boto3.Session(
        aws_access_key_id=administrator.access_key_id,
        aws_secret_access_key=administrator.secret_access_key,
        region_name=region,
    )
    stack_set_id, member_stacks = deploy_stack_set(
        session.client("cloudformation", endpoint_url=endpoint_url),
        template=member_template(vendor_principal_arn),
        parameters={"ExternalId": external_id},
        organizational_unit_ids=top_level_ous(organization),
        regions=[region],
    )
    return DeployedIntegration(
        management_role_arn=outputs["RoleArn"],
        member_role_name=ROLE_NAME,
        stack_outputs=outputs,
        stack_set_id=stack_set_id,
        member_stacks=member_stacks,
    )
