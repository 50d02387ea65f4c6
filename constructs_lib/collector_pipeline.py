"""``CollectorPipeline``: the collector on Step Functions, in the vendor's account, for thousands of accounts.

A state machine runs one collection (one customer, one account or a whole organization):

```
Discover ──> CollectItems (Distributed Map over runs/<run_id>/items.json) ──> Aggregate ──> Outcome
 Lambda       └─ CollectItem: one Lambda invocation per work item            Lambda    ├─ Done
                 (account + region, or account + global)                               └─ CollectionFailed
```

The Lambdas run ``collector.pipeline.handlers`` (the collector package is their code asset, boto3 comes from
the runtime), the same code path as the CLI. Results are JSON Lines in the ``Results`` bucket, with a Glue
database over them for Athena (``collector.pipeline.layout`` and ``.schema`` say where and what).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Acknowledgment, Aws, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

import collector
from collector import formats
from collector.formats import InvalidSettingError
from collector.pipeline import layout, schema
from constructs_lib.validation import is_token

# In aws-cdk-lib 2.275 a DistributedMap's ``result_writer_v2`` is silently left out of the definition unless
# this feature flag is on. The construct sets it on its own scope, so it works in any App.
RESULT_WRITER_V2_FLAG = "@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2"
RUNTIME = lambda_.Runtime.PYTHON_3_14
HANDLER_MODULE = layout.HANDLER_MODULE
DEFAULT_DATABASE_NAME = "aws_readonly_collector"
DEFAULT_MAX_CONCURRENCY = 40
MAX_MAP_CONCURRENCY = 10_000  # a Distributed Map's ceiling of concurrent child executions
LAMBDA_TIMEOUT = Duration.minutes(15)  # the collect handler stops resumable fetchers a minute before it
MAP_LABEL = "collect"  # names the Map Runs (and their child executions)

# cdk-nag findings acknowledged below; each reason sits next to the code that causes it.
NAG_WILDCARD = "AwsSolutions::AwsSolutions-IAM5"
NAG_ACCESS_LOGS = "AwsSolutions::AwsSolutions-S1"
# How cdk-nag writes pseudo parameters in a finding's resource.
_NAG_PARTITION, _NAG_REGION, _NAG_ACCOUNT = "<AWS::Partition>", "<AWS::Region>", "<AWS::AccountId>"


@dataclass(frozen=True)
class CustomerRoles:
    """The customer roles the collector may assume (``sts:AssumeRole`` resources). Build with a static
    constructor; every role is assumed with the customer's ExternalId (the policy requires one)."""

    templates: tuple[str, ...]  # role ARNs or ARN patterns with "{partition}" for the partition

    @property
    def patterns(self) -> tuple[str, ...]:
        """The resources of the policy (partition-agnostic)."""
        return tuple(t.format(partition=Aws.PARTITION) for t in self.templates)

    @property
    def wildcards(self) -> tuple[str, ...]:
        """The wildcard patterns as cdk-nag names them in its findings."""
        return tuple(t.format(partition=_NAG_PARTITION) for t in self.templates if "*" in t)

    @staticmethod
    def named(*names: str) -> CustomerRoles:
        """Roles of these names (path ``/``) in any account, e.g. ``ReadOnlyIntegrationRole``."""
        if not names:
            raise InvalidSettingError("CustomerRoles.named", names, "at least one role name")
        for name in names:
            formats.role_name(name, "CustomerRoles.named")
        return CustomerRoles(tuple(f"arn:{{partition}}:iam::*:role/{n}" for n in names))

    @staticmethod
    def name_prefix(prefix: str) -> CustomerRoles:
        """Roles whose name starts with ``prefix`` (path ``/``), e.g. a stack's generated role names."""
        formats.role_name(prefix, "CustomerRoles.name_prefix")
        return CustomerRoles((f"arn:{{partition}}:iam::*:role/{prefix}*",))

    @staticmethod
    def under_path(path: str) -> CustomerRoles:
        """Every role under this IAM path in any account, e.g. ``/vendor-readonly/``."""
        formats.iam_path(path, "CustomerRoles.under_path")
        if path == "/":
            raise InvalidSettingError("CustomerRoles.under_path", path, "a path other than '/' (every role)")
        return CustomerRoles((f"arn:{{partition}}:iam::*:role{path}*",))

    @staticmethod
    def arns(*arns: str) -> CustomerRoles:
        """Exactly these roles (the narrowest choice, for a fixed set of customers)."""
        if not arns:
            raise InvalidSettingError("CustomerRoles.arns", arns, "at least one role ARN")
        templates = []
        for arn in arns:
            formats.role_arn(arn, "CustomerRoles.arns")
            templates.append("arn:{partition}:" + arn.split(":", 2)[2])
        return CustomerRoles(tuple(templates))


@functools.cache
def _collector_package() -> str:
    """A directory holding only the ``collector`` package's Python modules (no tests, no CDK, no caches, not
    the ``report`` command's page assets, which the Lambdas never render): the Lambdas' code. One per process;
    CDK copies it into the cloud assembly when a function is created."""
    stage = Path(tempfile.mkdtemp(prefix="collector-asset-"))
    atexit.register(shutil.rmtree, stage, True)
    package = Path(collector.__file__).parent

    def ignore(folder: str, names: list[str]) -> set[str]:
        left_out = {n for n in names if n == "__pycache__" or n.endswith(".pyc")}
        return left_out | ({"report"} if Path(folder) == package else set())

    shutil.copytree(package, stage / "collector", ignore=ignore)
    return str(stage)


def collector_code() -> lambda_.Code:
    return lambda_.Code.from_asset(_collector_package())


def _check_range(value: float, setting: str, low: float, high: float, what: str) -> float:
    if not is_token(value) and not low <= value <= high:
        raise InvalidSettingError(setting, value, what)
    return value


class CollectorPipeline(Construct):
    """The collector as a Step Functions Distributed Map, with its results bucket and Glue tables.

    What it creates (construct IDs are public API):

    - ``Results``: the S3 bucket (encrypted, public access blocked, TLS only, owner-enforced), whose
      ``runs/``, ``index/`` and ``map-results/`` objects expire after ``retention``.
    - ``Discover``, ``Collect``, ``Aggregate``: the Lambda functions (``collector.pipeline.handlers``), each
      with its own role (``...Role``) and log group (``...Logs``). ``Collect`` has reserved concurrency.
    - ``Workflow/...``: the states; ``StateMachine`` (with ``StateMachineLogs``, level ALL, X-Ray tracing).
    - ``Catalog/Database`` and ``Catalog/<table>``: the Glue database and one table per entity kind, plus
      ``scopes`` and ``run_index`` (``collector.pipeline.schema``).

    :param customer_roles: which customer roles the collector may assume, e.g.
        ``CustomerRoles.named("ReadOnlyIntegrationRole")``. Required: there is no "any role" default.
    :param max_concurrency: work items collected at once (the Map's MaxConcurrency). Default: 40.
    :param reserved_concurrency: the ``Collect`` function's reserved concurrency, at least
        ``max_concurrency`` so that the Map never throttles its own Lambda. Default: ``max_concurrency``.
    :param tolerated_failure_percentage: items that may fail (a real fault, not AccessDenied, which is a
        scope status) before the Map, and the execution, fail. Default: 5.
    :param retention: how long run results are kept. Default: 90 days. Checkpoints (``state/``) are kept.
    :param external_id_parameter_prefix: the SSM path of the customers' ExternalId parameters
        (``<prefix><customer>/external-id``, SecureString). Default: ``/readonly-collector/customers/``.
    :param external_id_key: the KMS key of those parameters, when not the AWS-managed ``aws/ssm``.
    :param memory_size: MiB for the collect function. Default: 512.
    :param database_name: the Glue database. Default: ``aws_readonly_collector``.
    :param access_logs_bucket: where the results bucket's server access logs go. Default: none.
    :param log_retention: the Lambdas' and the state machine's logs. Default: one month.
    :param timeout: the whole execution's limit. Default: 24 hours.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        customer_roles: CustomerRoles,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        reserved_concurrency: int | None = None,
        tolerated_failure_percentage: float = 5,
        retention: Duration | None = None,
        external_id_parameter_prefix: str = layout.DEFAULT_PARAMETER_PREFIX,
        external_id_key: kms.IKey | None = None,
        memory_size: int = 512,
        database_name: str = DEFAULT_DATABASE_NAME,
        access_logs_bucket: s3.IBucket | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        timeout: Duration | None = None,
    ) -> None:
        super().__init__(scope, id)
        # Before any child exists: the flag is read from the DistributedMap's scope chain.
        self.node.set_context(RESULT_WRITER_V2_FLAG, True)
        self.max_concurrency = max_concurrency
        _check_range(max_concurrency, "max_concurrency", 1, MAX_MAP_CONCURRENCY, "1 to 10,000")
        reserved = self.max_concurrency if reserved_concurrency is None else reserved_concurrency
        _check_range(reserved, "reserved_concurrency", 1, 100_000, "a positive number of Lambda executions")
        if not is_token(reserved) and not is_token(max_concurrency) and self.max_concurrency > reserved:
            raise InvalidSettingError(
                "max_concurrency",
                max_concurrency,
                f"at most reserved_concurrency ({reserved}): more would throttle the collect function",
            )
        self.reserved_concurrency = reserved
        _check_range(tolerated_failure_percentage, "tolerated_failure_percentage", 0, 100, "0 to 100")
        _check_range(memory_size, "memory_size", 128, 10_240, "128 to 10,240 MiB")
        formats.ssm_path(external_id_parameter_prefix, "external_id_parameter_prefix")
        self.database_name = formats.glue_name(database_name, "database_name")
        retention = retention or Duration.days(90)
        seconds = 0 if retention.is_unresolved() else retention.to_seconds()
        if not retention.is_unresolved() and (seconds < 86_400 or seconds % 86_400):
            raise InvalidSettingError(
                "retention", retention.to_human_string(), "a whole number of days, at least 1 day"
            )
        self.customer_roles = customer_roles
        self.parameter_prefix = external_id_parameter_prefix

        self.bucket = self._results_bucket(retention, access_logs_bucket)
        self._code = collector_code()
        self._environment = {
            layout.BUCKET_ENV: self.bucket.bucket_name,
            layout.PARAMETER_PREFIX_ENV: external_id_parameter_prefix,
        }
        self._log_retention = log_retention
        self.roles: dict[str, iam.Role] = {}  # function construct ID -> its execution role
        self.discover_function = self._function("Discover", "discover", memory_size=1024)
        self.collect_function = self._function("Collect", "collect", memory_size, reserved)
        self.aggregate_function = self._function("Aggregate", "aggregate", memory_size=1024)
        self._grant(external_id_key)

        self.state_machine = self._state_machine(
            tolerated_failure_percentage, log_retention, timeout or Duration.hours(24)
        )
        self.tables = self._catalog()

    # -- the bucket -----------------------------------------------------------------------------------------

    def _results_bucket(self, retention: Duration, access_logs: s3.IBucket | None) -> s3.Bucket:
        expire = [
            s3.LifecycleRule(
                id=f"expire-{prefix.rstrip('/').replace('/', '-')}", prefix=prefix, expiration=retention
            )
            for prefix in (layout.RUNS, layout.INDEX, layout.MAP_RESULTS)
        ]
        bucket = s3.Bucket(
            self,
            "Results",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                *expire,
                s3.LifecycleRule(
                    id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="results-bucket/" if access_logs else None,
            removal_policy=RemovalPolicy.RETAIN,
        )
        if access_logs is None:
            Validations.of(bucket).acknowledge(
                Acknowledgment(
                    id=NAG_ACCESS_LOGS,
                    reason="Server access logs are opt-in (access_logs_bucket): only the pipeline's own "
                    "roles reach the bucket (TLS only, public access blocked), and CloudTrail data events "
                    "can audit it where required.",
                )
            )
        return bucket

    # -- the functions --------------------------------------------------------------------------------------

    def _function(
        self, name: str, handler: str, memory_size: int, reserved: int | None = None
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=self._log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"The collector pipeline's {name} function (aws-readonly-integration).",
        )
        self.roles[name] = role
        # Its own log group only (no AWSLambdaBasicExecutionRole, which writes to any log group).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        return lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            handler=f"{HANDLER_MODULE}.{handler}",
            code=self._code,
            role=role,
            timeout=LAMBDA_TIMEOUT,
            memory_size=memory_size,
            environment=dict(self._environment),
            log_group=log_group,
            reserved_concurrent_executions=reserved,
            description=f"aws-readonly-collector pipeline: {handler}",
        )

    def _grant(self, external_id_key: kms.IKey | None) -> None:
        """Least privilege per function: S3 on its own prefixes, the customers' roles, their ExternalIds."""
        bucket_arn = self.bucket.bucket_arn
        runs = f"{bucket_arn}/{layout.RUNS}*"
        state = f"{bucket_arn}/{layout.STATE}*"
        index = f"{bucket_arn}/{layout.INDEX}*"
        map_results = f"{bucket_arn}/{layout.MAP_RESULTS}*"
        parameters = (
            f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter{self.parameter_prefix}*"
        )
        assume = iam.PolicyStatement(
            sid="AssumeCustomerRolesWithExternalId",
            actions=["sts:AssumeRole"],
            resources=list(self.customer_roles.patterns),
            # The vendor's side of the confused-deputy defence: never an AssumeRole without an ExternalId.
            conditions={"Null": {"sts:ExternalId": "false"}},
        )
        read_external_ids = iam.PolicyStatement(
            sid="ReadCustomerExternalIds", actions=["ssm:GetParameter"], resources=[parameters]
        )
        # Without ListBucket a missing object reads as AccessDenied, not NoSuchKey (first runs, failed items).
        list_bucket = iam.PolicyStatement(
            sid="ListResults", actions=["s3:ListBucket"], resources=[bucket_arn]
        )
        statements: dict[lambda_.Function, list[iam.PolicyStatement]] = {
            self.discover_function: [
                assume,
                read_external_ids,
                iam.PolicyStatement(sid="WriteRun", actions=["s3:PutObject"], resources=[runs]),
            ],
            self.collect_function: [
                assume,
                read_external_ids,
                list_bucket,
                iam.PolicyStatement(sid="WriteResults", actions=["s3:PutObject"], resources=[runs, state]),
                iam.PolicyStatement(sid="ReadCheckpoints", actions=["s3:GetObject"], resources=[state]),
            ],
            self.aggregate_function: [
                list_bucket,
                iam.PolicyStatement(sid="ReadRun", actions=["s3:GetObject"], resources=[runs, map_results]),
                iam.PolicyStatement(sid="WriteManifest", actions=["s3:PutObject"], resources=[runs, index]),
            ],
        }
        if external_id_key is not None:
            decrypt = iam.PolicyStatement(
                sid="DecryptExternalIds",
                actions=["kms:Decrypt"],
                resources=[external_id_key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"ssm.{Aws.REGION}.amazonaws.com"}},
            )
            statements[self.discover_function].append(decrypt)
            statements[self.collect_function].append(decrypt)
        bucket_id = self._logical_id(self.bucket)
        nag_resources = {
            runs: f"<{bucket_id}.Arn>/{layout.RUNS}*",
            state: f"<{bucket_id}.Arn>/{layout.STATE}*",
            index: f"<{bucket_id}.Arn>/{layout.INDEX}*",
            map_results: f"<{bucket_id}.Arn>/{layout.MAP_RESULTS}*",
            parameters: (
                f"arn:{_NAG_PARTITION}:ssm:{_NAG_REGION}:{_NAG_ACCOUNT}:parameter{self.parameter_prefix}*"
            ),
        }
        for function, granted in statements.items():
            role = self.roles[function.node.id]
            wildcards: set[str] = set()
            for statement in granted:
                role.add_to_principal_policy(statement)
                wildcards.update(nag_resources[r] for r in statement.resources if r in nag_resources)
                if statement is assume:
                    wildcards.update(self.customer_roles.wildcards)
            self._acknowledge_wildcards(
                role,
                wildcards,
                "Wildcards only inside this pipeline's own names: the results bucket's runs/, state/, index/ "
                "and map-results/ prefixes (each function only those it reads or writes), the customers' "
                "ExternalId parameters under their SSM path, and the customer role name or path in any "
                "account (the accounts are only known per run, and AssumeRole requires an ExternalId).",
            )

    # -- the state machine ----------------------------------------------------------------------------------

    def _state_machine(
        self, tolerated_failure_percentage: float, log_retention: logs.RetentionDays, timeout: Duration
    ) -> sfn.StateMachine:
        flow = Construct(self, "Workflow")
        discover = tasks.LambdaInvoke(
            flow,
            "Discover",
            lambda_function=self.discover_function,
            payload=sfn.TaskInput.from_object(
                {"request": sfn.JsonPath.object_at("$"), "execution": sfn.JsonPath.execution_id}
            ),
            payload_response_only=True,
            comment="Organization accounts and enabled regions -> the work items (runs/<run_id>/items.json).",
        )
        collect = tasks.LambdaInvoke(
            flow,
            "CollectItem",
            lambda_function=self.collect_function,
            payload_response_only=True,
            comment="One work item with the CLI's code path; AccessDenied is a scope status, not a failure.",
        )
        # The Map never asks for more than the reserved concurrency, yet a burst (or a redrive running next
        # to a run) can still be throttled: back off and try again rather than fail the item.
        collect.add_retry(
            errors=["Lambda.TooManyRequestsException"],
            interval=Duration.seconds(2),
            backoff_rate=2,
            max_attempts=8,
            max_delay=Duration.seconds(60),
            jitter_strategy=sfn.JitterType.FULL,
        )
        collect_items = sfn.DistributedMap(
            flow,
            "CollectItems",
            item_reader=sfn.S3JsonItemReader(bucket=self.bucket, key=sfn.JsonPath.string_at("$.items_key")),
            item_selector={
                "item": sfn.JsonPath.object_at("$$.Map.Item.Value"),
                "run": sfn.JsonPath.object_at("$.run"),
            },
            max_concurrency=self.max_concurrency,
            tolerated_failure_percentage=tolerated_failure_percentage,
            result_writer_v2=sfn.ResultWriterV2(bucket=self.bucket, prefix=layout.MAP_RESULTS.rstrip("/")),
            result_path="$.map",
            label=MAP_LABEL,
        )
        collect_items.item_processor(collect)
        aggregate = tasks.LambdaInvoke(
            flow,
            "Aggregate",
            lambda_function=self.aggregate_function,
            payload_response_only=True,
            result_path="$.manifest",
            comment="Every item's results -> runs/<run_id>/manifest.json (also after a failed Map).",
        )
        collect_items.add_catch(aggregate, errors=[sfn.Errors.ALL], result_path="$.map_error")
        failed = sfn.Fail(
            flow,
            "CollectionFailed",
            error="CollectItemsFailed",
            cause="More work items failed than tolerated; the run manifest lists every scope's status.",
        )
        outcome = (
            sfn.Choice(flow, "Outcome")
            .when(sfn.Condition.is_present("$.map_error"), failed)
            .otherwise(sfn.Succeed(flow, "Done"))
        )
        definition = discover.next(collect_items).next(aggregate).next(outcome)
        log_group = logs.LogGroup(
            self, "StateMachineLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=timeout,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            comment="aws-readonly-collector: one collection (a customer's account or organization).",
        )
        machine_id = self._logical_id(machine)
        executions = (
            f"arn:{_NAG_PARTITION}:states:{_NAG_REGION}:{_NAG_ACCOUNT}:execution:"
            f'{{"Fn::Select":[6,{{"Fn::Split":[":",{{"Ref":"{machine_id}"}}]}}]}}'
        )
        self._acknowledge_wildcards(
            machine,
            {
                *(f"<{self._logical_id(f)}.Arn>:*" for f in self.functions),
                f"arn:{_NAG_PARTITION}:s3:::<{self._logical_id(self.bucket)}>/*",
                "*",
                f"{executions}:*",
                f"{executions}/{MAP_LABEL}:*",
            },
            "Generated by CDK for a Distributed Map: its item reader and result writer in this pipeline's "
            "bucket, its own executions and Map Runs, the versions of its three functions, and log "
            "delivery and X-Ray tracing, whose actions support no resource-level restriction.",
        )
        return machine

    # -- the Glue catalog -----------------------------------------------------------------------------------

    def _catalog(self) -> Sequence[glue.CfnTable]:
        catalog = Construct(self, "Catalog")
        database = glue.CfnDatabase(
            catalog,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name,
                description="The identity inventory collected by aws-readonly-collector (JSON Lines in S3).",
            ),
        )
        made = []
        for table in schema.tables():
            made.append(self._table(catalog, database, table))
        return tuple(made)

    def _table(self, scope: Construct, database: glue.CfnDatabase, table: schema.Table) -> glue.CfnTable:
        bucket = self.bucket.bucket_name
        parameters = {"classification": "json"}
        partition_keys = []
        if table.by_run:
            parameters.update(
                {
                    "projection.enabled": "true",
                    f"projection.{schema.RUN_PARTITION}.type": "injected",
                    "storage.location.template": f"s3://{bucket}/{table.prefix}",
                }
            )
            partition_keys = [glue.CfnTable.ColumnProperty(name=schema.RUN_PARTITION, type="string")]
        location = f"s3://{bucket}/{layout.RUNS if table.by_run else table.prefix}"
        made = glue.CfnTable(
            scope,
            table.name,
            catalog_id=Aws.ACCOUNT_ID,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=table.name,
                description=table.description,
                table_type="EXTERNAL_TABLE",
                parameters=parameters,
                partition_keys=partition_keys,
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[
                        glue.CfnTable.ColumnProperty(name=c.name, type=c.type, comment=c.comment or None)
                        for c in table.columns
                    ],
                    location=location,
                    input_format=schema.INPUT_FORMAT,
                    output_format=schema.OUTPUT_FORMAT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=schema.SERDE),
                ),
            ),
        )
        made.node.add_dependency(database)
        return made

    def _logical_id(self, construct: Construct) -> str:
        child = construct.node.default_child
        assert child is not None
        return str(Stack.of(self).resolve(child.logical_id))  # type: ignore[attr-defined]

    @staticmethod
    def _acknowledge_wildcards(scope: Construct, resources: set[str], reason: str) -> None:
        """Acknowledge cdk-nag's wildcard finding for exactly these resources (as it names them)."""
        Validations.of(scope).acknowledge(
            *(Acknowledgment(id=f"{NAG_WILDCARD}[Resource::{r}]", reason=reason) for r in sorted(resources))
        )

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.state_machine_arn

    @property
    def functions(self) -> tuple[lambda_.Function, ...]:
        return (self.discover_function, self.collect_function, self.aggregate_function)
