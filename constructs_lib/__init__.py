"""CDK constructs for the read-only integration (needs the `cdk` extra: aws-cdk-lib and Node).

The policies come from ``collector.permissions``, the project's only list of granted actions.
"""

from collector.permissions import DEFAULT_FEATURES, Feature
from constructs_lib.account_stack import AccountIntegrationStack
from constructs_lib.collector_pipeline import CollectorPipeline, CustomerRoles
from constructs_lib.integration_role import IntegrationRole
from constructs_lib.organization import (
    IdentityCenter,
    OrganizationIntegration,
    OrganizationIntegrationStack,
    member_template,
)
from constructs_lib.pipeline_stack import CollectorPipelineStack
from constructs_lib.plain_template import account_template, plain_template
from constructs_lib.role_trust import ExternalId, TrustedPrincipal
from constructs_lib.stack_set import CallAs, Rollout, ServiceManagedStackSet, Share, Targets
from constructs_lib.trail_logs import CloudTrailLogs

__all__ = [
    "DEFAULT_FEATURES",
    "AccountIntegrationStack",
    "CallAs",
    "CloudTrailLogs",
    "CollectorPipeline",
    "CollectorPipelineStack",
    "CustomerRoles",
    "ExternalId",
    "Feature",
    "IdentityCenter",
    "IntegrationRole",
    "OrganizationIntegration",
    "OrganizationIntegrationStack",
    "Rollout",
    "ServiceManagedStackSet",
    "Share",
    "Targets",
    "TrustedPrincipal",
    "account_template",
    "member_template",
    "plain_template",
]
