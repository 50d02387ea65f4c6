"""Deploy the synthesized CollectorPipelineStack onto a LocalAws and run its state machine there.

- CloudFormation (moto) creates the stack from the synthesized template: the bucket, the three functions
  (code from the asset zip, uploaded where the CDK bootstrap bucket would hold it), their roles and
  policies, the log groups and the state machine. moto's CloudFormation skips what it does not know
  (Glue, the bucket policy); the CDK tests check those in the template.
- moto keeps state machines created by CloudFormation where its Step Functions interpreter does not look,
  so the definition CloudFormation resolved is created again, with the same role, once the interpreter is
  on (``LocalAws.execute_state_machines``). Its Lambda tasks run the functions' real handlers in the server
  process (local_aws.emulator.lambda_runtime).
- Two adaptations to moto 5.2.5's interpreter, both visible here: its grammar takes
  ``ToleratedFailurePercentage`` only as a decimal literal (``5`` is rejected, ``5.0`` parses; it then
  ignores the value, so any failed item fails the Map), and it evaluates a ResultWriter's ``Prefix.$`` against
  the Map's output instead of its input (the construct's prefix is a constant, so that never matters) and
  writes a manifest without result files.
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from aws_cdk import App, DefaultStackSynthesizer

from constructs_lib.collector_pipeline import CustomerRoles
from constructs_lib.pipeline_stack import (
    BUCKET_OUTPUT,
    STATE_MACHINE_OUTPUT,
    CollectorPipelineStack,
)
from local_aws.emulator.client import LocalAwsClient

STACK_NAME = "CollectorPipeline"
ASSETS_BUCKET = "cdk-hnb659fds-assets-{account}-{region}"  # DefaultStackSynthesizer's bootstrap bucket
TOLERATED = re.compile(r'"ToleratedFailurePercentage":(\d+)([,}])')


@dataclass(frozen=True)
class DeployedPipeline:
    template: dict[str, Any]
    bucket: str
    state_machine_arn: str  # the interpreter's copy of the deployed state machine
    deployed_state_machine_arn: str  # the one CloudFormation created
    functions: dict[str, str]  # handler name (discover, collect, aggregate) -> function name


def synthesize(outdir: Path, customer_roles: CustomerRoles) -> tuple[dict[str, Any], Path]:
    """The stack's template and its code asset directory."""
    app = App(outdir=str(outdir))
    CollectorPipelineStack(
        app,
        STACK_NAME,
        customer_roles=customer_roles,
        synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
    )
    template: dict[str, Any] = app.synth().get_stack_by_name(STACK_NAME).template
    (key,) = {
        r["Properties"]["Code"]["S3Key"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    return template, outdir / f"asset.{key.removesuffix('.zip')}"


def _zip(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory))
    return buffer.getvalue()


def interpreter_definition(definition: str) -> str:
    """The definition as moto's grammar takes it (an integer percentage written as a decimal literal)."""
    return TOLERATED.sub(lambda m: f'"ToleratedFailurePercentage":{m[1]}.0{m[2]}', definition)


def deploy(
    aws: LocalAwsClient, outdir: Path, customer_roles: CustomerRoles, region: str = "us-east-1"
) -> DeployedPipeline:
    template, asset = synthesize(outdir, customer_roles)
    account = boto3.client("sts").get_caller_identity()["Account"]
    assets_bucket = ASSETS_BUCKET.format(account=account, region=region)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=assets_bucket)
    s3.put_object(Bucket=assets_bucket, Key=f"{asset.name.removeprefix('asset.')}.zip", Body=_zip(asset))
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(
        StackName=STACK_NAME, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"]
    )
    stack = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    functions = {}
    for summary in cloudformation.list_stack_resources(StackName=STACK_NAME)["StackResourceSummaries"]:
        if summary["ResourceType"] == "AWS::Lambda::Function":
            name = summary["PhysicalResourceId"]
            handler = boto3.client("lambda").get_function(FunctionName=name)["Configuration"]["Handler"]
            functions[handler.rsplit(".", 1)[1]] = name
    sfn = boto3.client("stepfunctions")
    deployed = sfn.describe_state_machine(stateMachineArn=outputs[STATE_MACHINE_OUTPUT])
    aws.execute_state_machines(True)
    copy = sfn.create_state_machine(
        name="collector-pipeline",
        definition=interpreter_definition(deployed["definition"]),
        roleArn=deployed["roleArn"],
    )
    return DeployedPipeline(
        template=template,
        bucket=outputs[BUCKET_OUTPUT],
        state_machine_arn=copy["stateMachineArn"],
        deployed_state_machine_arn=outputs[STATE_MACHINE_OUTPUT],
        functions=functions,
    )


@dataclass(frozen=True)
class Execution:
    status: str
    output: dict[str, Any]
    error: str | None
    cause: str | None


def execute(state_machine_arn: str, request: dict[str, Any], timeout: float = 900) -> Execution:
    sfn = boto3.client("stepfunctions")
    # A name for every execution: moto's interpreter names an unnamed one "None", so a second one collides.
    name = f"run-{uuid.uuid4().hex[:12]}"
    arn = sfn.start_execution(stateMachineArn=state_machine_arn, name=name, input=json.dumps(request))[
        "executionArn"
    ]
    deadline = time.monotonic() + timeout
    while True:
        found = sfn.describe_execution(executionArn=arn)
        if found["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"execution {arn} still running after {timeout} s")
        time.sleep(0.5)
    output = json.loads(found["output"]) if found.get("output") else {}
    return Execution(found["status"], output, found.get("error"), found.get("cause"))


def read_objects(bucket: str, prefix: str) -> dict[str, bytes]:
    s3 = boto3.client("s3")
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for o in page.get("Contents", ())
    ]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}
