"""``AccountIntegrationStack``: one account's integration role, with its ARN and name as stack outputs.

The ready app deploys it (``cdk_app``), ``make templates`` writes it as a plain template, and the
organization rollout uses it as the StackSet's member template (synthesized with a bootstrap-free
synthesizer), so all three are the same reviewed resources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from collector import formats
from collector.permissions import DEFAULT_FEATURES, Feature
from constructs_lib.integration_role import DEFAULT_MAX_SESSION_DURATION, IntegrationRole
from constructs_lib.role_trust import (
    ExternalId,
    TrustedPrincipal,
    is_aws_managed_policy,
    partition_agnostic_arn,
    require_partition,
)
from constructs_lib.trail_logs import CloudTrailLogs
from constructs_lib.validation import is_token

ROLE_ID = "IntegrationRole"
ROLE_ARN_OUTPUT = "RoleArn"
ROLE_NAME_OUTPUT = "RoleName"


class AccountIntegrationStack(Stack):
    """A stack holding one ``IntegrationRole`` (construct ID ``IntegrationRole``) and two outputs.

    Outputs: ``RoleArn`` (what the vendor needs, with the ExternalId) and ``RoleName``.

    :param trusted_principal: see ``IntegrationRole``.
    :param external_id: see ``IntegrationRole``. Default: ``ExternalId.parameter()``, a required
        ``ExternalId`` template parameter, so one template serves every customer.
    :param permissions_boundary_arn: ARN of a managed policy to use as permissions boundary. Default: none.
    :param cloud_trail_logs: see ``IntegrationRole``.
    :param stack_props: passed to ``Stack`` (``synthesizer``, ``env``, ``description``...).
    The other parameters are ``IntegrationRole``'s.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        trusted_principal: TrustedPrincipal,
        external_id: ExternalId | None = None,
        features: Iterable[Feature] = DEFAULT_FEATURES,
        security_audit: bool = False,
        role_name: str | None = None,
        path: str | None = None,
        permissions_boundary_arn: str | None = None,
        max_session_duration: Duration = DEFAULT_MAX_SESSION_DURATION,
        tags: Mapping[str, str] | None = None,
        identity_center_region: str | None = None,
        cloud_trail_logs: CloudTrailLogs | None = None,
        **stack_props: Any,
    ) -> None:
        super().__init__(scope, id, **stack_props)
        boundary = None
        if permissions_boundary_arn is not None:
            if not is_token(permissions_boundary_arn):
                formats.policy_arn(permissions_boundary_arn, "permissions_boundary_arn")
                permissions_boundary_arn = (
                    partition_agnostic_arn(permissions_boundary_arn)  # alike in every partition
                    if is_aws_managed_policy(permissions_boundary_arn)
                    else require_partition(self, permissions_boundary_arn, "permissions_boundary_arn")
                )
            boundary = iam.ManagedPolicy.from_managed_policy_arn(
                self, "PermissionsBoundary", permissions_boundary_arn
            )
        self.integration_role = IntegrationRole(
            self,
            ROLE_ID,
            trusted_principal=trusted_principal,
            external_id=external_id or ExternalId.parameter(),
            features=features,
            security_audit=security_audit,
            role_name=role_name,
            path=path,
            permissions_boundary=boundary,
            max_session_duration=max_session_duration,
            tags=tags,
            identity_center_region=identity_center_region,
            cloud_trail_logs=cloud_trail_logs,
        )
        CfnOutput(
            self,
            ROLE_ARN_OUTPUT,
            value=self.integration_role.role_arn,
            description="Give this ARN to the vendor, together with the external ID.",
        )
        CfnOutput(
            self, ROLE_NAME_OUTPUT, value=self.integration_role.role_name, description="The role's name."
        )
