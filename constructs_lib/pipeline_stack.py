"""``CollectorPipelineStack``: the vendor's stack holding one ``CollectorPipeline`` and its outputs."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from constructs_lib.collector_pipeline import CollectorPipeline, CustomerRoles

PIPELINE_ID = "Pipeline"
STATE_MACHINE_OUTPUT = "StateMachineArn"
BUCKET_OUTPUT = "ResultsBucketName"
DATABASE_OUTPUT = "GlueDatabaseName"


class CollectorPipelineStack(Stack):
    """A stack with a ``CollectorPipeline`` (construct ID ``Pipeline``) and three outputs.

    Outputs: ``StateMachineArn`` (start one execution per collection), ``ResultsBucketName`` and
    ``GlueDatabaseName`` (where Athena finds the tables).

    :param customer_roles: see ``CollectorPipeline``.
    :param pipeline_props: the other ``CollectorPipeline`` keyword arguments.
    :param stack_props: passed to ``Stack`` (``synthesizer``, ``env``, ``description``...).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        customer_roles: CustomerRoles,
        pipeline_props: dict[str, Any] | None = None,
        **stack_props: Any,
    ) -> None:
        super().__init__(scope, id, **stack_props)
        self.pipeline = CollectorPipeline(
            self, PIPELINE_ID, customer_roles=customer_roles, **(pipeline_props or {})
        )
        CfnOutput(
            self,
            STATE_MACHINE_OUTPUT,
            value=self.pipeline.state_machine_arn,
            description="Start one execution per collection (see docs/pipeline.md).",
        )
        CfnOutput(self, BUCKET_OUTPUT, value=self.pipeline.bucket.bucket_name, description="Results.")
        CfnOutput(self, DATABASE_OUTPUT, value=self.pipeline.database_name, description="Athena database.")
