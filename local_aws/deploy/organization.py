"""Deploy the organization integration onto the local AWS the way a customer does, as its administrator:

1. ``cdk bootstrap`` and ``cdk deploy -c integration=organization --method=direct`` of the project's app in
   the management account: the management account's role and a service-managed StackSet of the member role;
2. moto creates the stack but skips ``AWS::CloudFormation::StackSet`` resources, so the StackSet is made what
   CloudFormation would make of it: ``create_stack_set`` and ``create_stack_instances`` through the API, with
   the synthesized resource's own properties (its TemplateBody, parameters, targets, preferences).

The demo and the end-to-end tests share it, so the tests prove what the demo shows.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from local_aws.deploy.cdk_cli import CdkCli
from local_aws.emulator.client import AccessKey
from local_aws.seed.trail import TrailTruth
from local_aws.seed.truth import OrganizationTruth

STACK_NAME = "ReadOnlyOrganizationIntegration"  # cdk_app.build.ORGANIZATION_STACK_ID (no jsii import here)
STACK_SET_TYPE = "AWS::CloudFormation::StackSet"
_OPERATION_TIMEOUT_SECONDS = 120.0


class StackSetError(RuntimeError):
    pass


@dataclass(frozen=True)
class DeployedIntegration:
    """What the customer hands the vendor (the stack's outputs, with the ExternalId) and what was deployed."""

    stack_outputs: Mapping[str, str]
    stack_set_name: str
    member_stacks: tuple[tuple[str, str, str], ...]  # (account, region, status) of each stack instance

    @property
    def management_role_arn(self) -> str:
        return self.stack_outputs["ManagementRoleArn"]

    @property
    def member_role_name(self) -> str:
        return self.stack_outputs["MemberRoleName"]

    @property
    def collector_arguments(self) -> str:
        """``--organization --role-arn ...``: the output the deploy guide names."""
        return self.stack_outputs["CollectorArguments"]

    @property
    def member_account_ids(self) -> tuple[str, ...]:
        return tuple(sorted({account for account, _, _ in self.member_stacks}))


def top_level_ous(organization: OrganizationTruth) -> tuple[str, ...]:
    """The OUs directly under the root: their accounts, child OUs' included, get the member role. (Not the
    root: StackSets never deploy to the management account, but moto would.)"""
    return tuple(ou.id for ou in organization.organizational_units if ou.parent_id == organization.root_id)


def cdk_context(
    *,
    vendor_principal_arn: str,
    external_id: str,
    organizational_unit_ids: Sequence[str],
    identity_center_region: str,
    trail: TrailTruth | None = None,
) -> dict[str, str]:
    """The ``-c key=value`` context of ``cdk deploy``, as docs/deploy-organization.md documents it; with
    ``trail``, the grant on its log files to the log-archive account's role."""
    context = {
        "integration": "organization",
        "callAs": "SELF",
        "organizationalUnitIds": ",".join(organizational_unit_ids),
        "trustedPrincipal": vendor_principal_arn,
        "externalId": external_id,
        "identityCenterRegion": identity_center_region,
    }
    if trail is not None:
        context |= {
            "cloudTrailBucket": trail.bucket,
            "cloudTrailKmsKeyArn": trail.kms_key_arn,
            "logArchiveAccountId": trail.log_archive_account_id,
        }
    return context


def resolved(value: Any, refs: Mapping[str, str]) -> Any:
    """``value`` with every ``{"Ref": name}`` replaced by ``refs[name]`` (pure). Any other intrinsic
    function is an error: the StackSet's properties are plain apart from pseudo parameters."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            if value["Ref"] not in refs:
                raise StackSetError(f"cannot resolve Ref {value['Ref']!r}: known {sorted(refs)}")
            return refs[value["Ref"]]
        functions = [key for key in value if key.startswith("Fn::")]
        if functions:
            raise StackSetError(f"cannot resolve {functions[0]} in StackSet properties: {value}")
        return {key: resolved(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [resolved(item, refs) for item in value]
    return value


def stack_sets_of(template: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The properties of every StackSet resource of a synthesized template."""
    return [
        dict(r["Properties"]) for r in template.get("Resources", {}).values() if r["Type"] == STACK_SET_TYPE
    ]


def create_stack_set(cloudformation: Any, properties: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """What CloudFormation does for one (resolved) StackSet resource: the StackSet, then its instances for
    every ``StackInstancesGroup``; waits for each operation. Returns each instance's (account, region,
    status)."""
    name = properties["StackSetName"]
    call_as = properties.get("CallAs", "SELF")
    optional = {
        k: properties[k]
        for k in ("Description", "Parameters", "Capabilities", "ManagedExecution")
        if k in properties
    }
    cloudformation.create_stack_set(
        StackSetName=name,
        TemplateBody=properties["TemplateBody"],
        PermissionModel=properties["PermissionModel"],
        AutoDeployment=properties.get("AutoDeployment", {"Enabled": False}),
        CallAs=call_as,
        **optional,
    )
    for group in properties.get("StackInstancesGroup", []):
        operation_id = cloudformation.create_stack_instances(
            StackSetName=name,
            DeploymentTargets=group["DeploymentTargets"],
            Regions=group["Regions"],
            OperationPreferences=properties.get("OperationPreferences", {}),
            CallAs=call_as,
        )["OperationId"]
        _wait_for_operation(cloudformation, name, operation_id, call_as)
    summaries = [
        summary
        for page in cloudformation.get_paginator("list_stack_instances").paginate(
            StackSetName=name, CallAs=call_as
        )
        for summary in page["Summaries"]
    ]
    return tuple(
        sorted(
            (s["Account"], s["Region"], s.get("StackInstanceStatus", {}).get("DetailedStatus", s["Status"]))
            for s in summaries
        )
    )


def _wait_for_operation(cloudformation: Any, name: str, operation_id: str, call_as: str) -> None:
    deadline = time.monotonic() + _OPERATION_TIMEOUT_SECONDS
    while True:
        operation = cloudformation.describe_stack_set_operation(
            StackSetName=name, OperationId=operation_id, CallAs=call_as
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
    identity_center_region: str,
    administrator: AccessKey,
    workdir: Path,
    region: str = "us-east-1",
    trail: TrailTruth | None = None,
) -> DeployedIntegration:
    """Both steps of the module docstring, with the administrator's credentials."""
    cli = CdkCli(endpoint_url, administrator, workdir, region)
    cli.bootstrap(organization.management_account_id)
    context = cdk_context(
        vendor_principal_arn=vendor_principal_arn,
        external_id=external_id,
        organizational_unit_ids=top_level_ous(organization),
        identity_center_region=identity_center_region,
        trail=trail,
    )
    outputs = cli.deploy(STACK_NAME, context)
    cloudformation = boto3.Session(
        aws_access_key_id=administrator.access_key_id,
        aws_secret_access_key=administrator.secret_access_key,
        region_name=region,
    ).client("cloudformation", endpoint_url=endpoint_url)
    refs = {
        "AWS::Region": region,
        "AWS::AccountId": organization.management_account_id,
        "AWS::Partition": "aws",
        "AWS::StackName": STACK_NAME,
    }
    (stack_set,) = stack_sets_of(cli.synthesized_template(STACK_NAME))
    properties = resolved(stack_set, refs)
    member_stacks = create_stack_set(cloudformation, properties)
    return DeployedIntegration(outputs, properties["StackSetName"], member_stacks)
