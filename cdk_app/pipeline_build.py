"""``-c integration=collector-pipeline``: validated settings -> the vendor's CollectorPipelineStack."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from constructs import Construct

from cdk_app.pipeline_config import PipelineSettings
from constructs_lib.collector_pipeline import CustomerRoles
from constructs_lib.pipeline_stack import CollectorPipelineStack

PIPELINE_STACK_ID = "CollectorPipeline"
DESCRIPTION = "The vendor's collector on Step Functions (aws-readonly-integration)."


def customer_roles(settings: PipelineSettings) -> CustomerRoles:
    if settings.role_names:
        return CustomerRoles.named(*settings.role_names)
    if settings.role_name_prefix is not None:
        return CustomerRoles.name_prefix(settings.role_name_prefix)
    assert settings.role_path is not None  # pipeline_settings requires one of the three
    return CustomerRoles.under_path(settings.role_path)


def pipeline_props(settings: PipelineSettings) -> dict[str, Any]:
    """CollectorPipeline's keyword arguments: only those the context set (the others keep its defaults)."""
    props: dict[str, Any] = {"external_id_parameter_prefix": settings.external_id_parameter_prefix}
    if settings.max_concurrency is not None:
        props["max_concurrency"] = settings.max_concurrency
    if settings.reserved_concurrency is not None:
        props["reserved_concurrency"] = settings.reserved_concurrency
    if settings.tolerated_failure_percentage is not None:
        props["tolerated_failure_percentage"] = settings.tolerated_failure_percentage
    if settings.retention_days is not None:
        props["retention"] = Duration.days(settings.retention_days)
    if settings.database_name is not None:
        props["database_name"] = settings.database_name
    return props


def pipeline_stack(
    scope: Construct, settings: PipelineSettings, stack_id: str = PIPELINE_STACK_ID, **stack_props: Any
) -> CollectorPipelineStack:
    return CollectorPipelineStack(
        scope,
        stack_id,
        customer_roles=customer_roles(settings),
        pipeline_props=pipeline_props(settings),
        description=DESCRIPTION,
        **stack_props,
    )
