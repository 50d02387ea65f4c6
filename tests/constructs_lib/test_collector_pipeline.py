"""CollectorPipeline synthesized once (one App, cdk-nag's AwsSolutions pack): the Distributed Map, its item
reader and result writer, concurrency, retries, the bucket, least-privilege Lambda roles, the Glue tables,
the code asset; cfn-lint; and props that fail at synth naming the prop."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, BootstraplessSynthesizer, DefaultStackSynthesizer, Duration, Stack, Validations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import AwsSolutionsChecks

from collector.formats import InvalidSettingError
from collector.pipeline import layout, schema
from constructs_lib.collector_pipeline import (
    HANDLER_MODULE,
    RESULT_WRITER_V2_FLAG,
    CollectorPipeline,
    CustomerRoles,
)
from constructs_lib.pipeline_stack import CollectorPipelineStack
from tests.synth import actions, cfn_lint, resources

pytestmark = pytest.mark.cdk

ROLE_NAME = "ReadOnlyIntegrationRole"
# CDK gives every Lambda a DependsOn on its role as well as on the role's policy; cfn-lint's W3005 calls the
# first one redundant (the GetAtt of the role already orders them). Harmless, and not ours to remove.
LINT_IGNORE = ("W3005",)


@dataclass(frozen=True)
class Synth:
    templates: dict[str, dict[str, Any]]
    stacks: dict[str, Stack]
    outdir: Path


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    outdir = tmp_path_factory.mktemp("pipeline")
    app = App(outdir=str(outdir))  # no feature flag on the App: the construct sets the one it needs
    deploy = DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
    stacks: dict[str, Stack] = {
        "default": CollectorPipelineStack(
            app, "Default", customer_roles=CustomerRoles.named(ROLE_NAME), synthesizer=deploy
        )
    }
    custom = Stack(app, "Custom", synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    CollectorPipeline(
        custom,
        "Pipeline",
        customer_roles=CustomerRoles.under_path("/vendor-readonly/"),
        max_concurrency=100,
        reserved_concurrency=150,
        tolerated_failure_percentage=2.5,
        retention=Duration.days(30),
        external_id_parameter_prefix="/vendor/ids/",
        external_id_key=kms.Key(custom, "ParameterKey", enable_key_rotation=True),
        memory_size=1024,
        database_name="inventory",
        access_logs_bucket=s3.Bucket.from_bucket_name(custom, "AccessLogs", "vendor-access-logs"),
    )
    stacks["custom"] = custom
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()  # fails on any unacknowledged cdk-nag finding
    templates = {name: assembly.get_stack_by_name(s.stack_name).template for name, s in stacks.items()}
    yield Synth(templates, stacks, outdir)


def _definition(template: dict[str, Any]) -> dict[str, Any]:
    """The state machine's definition with every intrinsic function written as its JSON text."""
    (machine,) = resources(template, "AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else _token(p) for p in parts)
    definition: dict[str, Any] = json.loads(text)
    return definition


def _token(part: dict[str, Any]) -> str:
    if "Ref" in part:
        return f"<{part['Ref']}>"
    return f"<{'.'.join(part['Fn::GetAtt'])}>"


def _the(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    (found,) = resources(template, resource_type).items()
    return found


def _logical_id(stack: Stack, construct: Any) -> str:
    return str(stack.resolve(construct.node.default_child.logical_id))


def test_the_state_machine_is_discover_distributed_map_aggregate(synth: Synth) -> None:
    states = _definition(synth.templates["default"])["States"]
    assert set(states) == {"Discover", "CollectItems", "Aggregate", "Outcome", "Done", "CollectionFailed"}
    assert states["Discover"]["Next"] == "CollectItems"
    assert states["Discover"]["Parameters"] == {"request.$": "$", "execution.$": "$$.Execution.Id"}
    collect = states["CollectItems"]
    assert collect["Type"] == "Map"
    assert collect["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert collect["ItemSelector"] == {"item.$": "$$.Map.Item.Value", "run.$": "$.run"}
    assert collect["ResultPath"] == "$.map"
    assert collect["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.map_error", "Next": "Aggregate"}
    ]
    assert states["Aggregate"]["Next"] == "Outcome" and states["Aggregate"]["ResultPath"] == "$.manifest"
    assert states["Outcome"]["Choices"] == [
        {"Variable": "$.map_error", "IsPresent": True, "Next": "CollectionFailed"}
    ]


def test_item_reader_and_result_writer_use_the_results_bucket(synth: Synth) -> None:
    pipeline = synth.stacks["default"].pipeline  # type: ignore[attr-defined]
    bucket = f"<{_logical_id(synth.stacks['default'], pipeline.bucket)}>"
    collect = _definition(synth.templates["default"])["States"]["CollectItems"]
    assert collect["ItemReader"] == {
        "Resource": "arn:<AWS::Partition>:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": bucket, "Key.$": "$.items_key"},
    }
    # ResultWriterV2 is rendered only with the feature flag, which the construct sets on its own scope.
    assert collect["ResultWriter"] == {
        "Resource": "arn:<AWS::Partition>:states:::s3:putObject",
        "Parameters": {"Bucket": bucket, "Prefix": layout.MAP_RESULTS.rstrip("/")},
    }
    assert pipeline.node.try_get_context(RESULT_WRITER_V2_FLAG) is True


def test_without_the_flag_cdk_silently_drops_the_result_writer(tmp_path: Path) -> None:
    """The trap the construct avoids: the same kind of Map outside it, in an App without the flag."""
    bare = Stack(App(outdir=str(tmp_path)), "Bare", synthesizer=BootstraplessSynthesizer())
    bucket = s3.Bucket(bare, "Bucket")
    bare_map = sfn.DistributedMap(
        bare,
        "Map",
        item_reader=sfn.S3JsonItemReader(bucket=bucket, key="items.json"),
        result_writer_v2=sfn.ResultWriterV2(bucket=bucket, prefix="out"),
    )
    bare_map.item_processor(sfn.Pass(bare, "Pass"))
    rendered = bare.resolve(bare_map.to_state_json())
    assert "ItemReader" in rendered and "ResultWriter" not in rendered


def test_concurrency_failure_threshold_and_retries(synth: Synth) -> None:
    collect = _definition(synth.templates["default"])["States"]["CollectItems"]
    assert collect["MaxConcurrency"] == 40 and collect["ToleratedFailurePercentage"] == 5
    item = collect["ItemProcessor"]["States"]["CollectItem"]
    throttled = next(r for r in item["Retry"] if r["ErrorEquals"] == ["Lambda.TooManyRequestsException"])
    assert throttled == {
        "ErrorEquals": ["Lambda.TooManyRequestsException"],
        "IntervalSeconds": 2,
        "MaxAttempts": 8,
        "BackoffRate": 2,
        "MaxDelaySeconds": 60,
        "JitterStrategy": "FULL",
    }
    assert any("Lambda.ServiceException" in r["ErrorEquals"] for r in item["Retry"])
    functions = resources(synth.templates["default"], "AWS::Lambda::Function")
    collect_fn = next(f for f in functions.values() if f["Properties"]["Handler"].endswith(".collect"))
    assert collect_fn["Properties"]["ReservedConcurrentExecutions"] == 40  # = MaxConcurrency by default

    custom = _definition(synth.templates["custom"])["States"]["CollectItems"]
    assert custom["MaxConcurrency"] == 100 and custom["ToleratedFailurePercentage"] == 2.5
    custom_fn = next(
        f
        for f in resources(synth.templates["custom"], "AWS::Lambda::Function").values()
        if f["Properties"]["Handler"].endswith(".collect")
    )
    assert custom_fn["Properties"]["ReservedConcurrentExecutions"] == 150


def test_the_bucket_is_encrypted_private_tls_only_and_expires_old_runs(synth: Synth) -> None:
    template = synth.templates["default"]
    bucket_id, bucket = _the(template, "AWS::S3::Bucket")
    props = bucket["Properties"]
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    expiring = {r["Prefix"]: r["ExpirationInDays"] for r in rules.values() if "Prefix" in r}
    assert expiring == {layout.RUNS: 90, layout.INDEX: 90, layout.MAP_RESULTS: 90}
    assert layout.STATE not in expiring  # checkpoints outlive the runs
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert bucket["DeletionPolicy"] == "Retain"
    (policy,) = resources(template, "AWS::S3::BucketPolicy").values()
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert policy["Properties"]["Bucket"] == {"Ref": bucket_id}

    custom = _the(synth.templates["custom"], "AWS::S3::Bucket")[1]["Properties"]
    assert {r["ExpirationInDays"] for r in custom["LifecycleConfiguration"]["Rules"] if "Prefix" in r} == {30}
    assert custom["LoggingConfiguration"]["DestinationBucketName"] == "vendor-access-logs"


def _role_statements(template: dict[str, Any], handler: str) -> list[dict[str, Any]]:
    functions = resources(template, "AWS::Lambda::Function")
    (function,) = [
        f for f in functions.values() if f["Properties"]["Handler"] == f"{HANDLER_MODULE}.{handler}"
    ]
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role  # no AWSLambdaBasicExecutionRole (it writes to any log group)
    policies = [
        p["Properties"]
        for p in resources(template, "AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def _grants(statements: list[dict[str, Any]], bucket_id: str) -> dict[str, set[str]]:
    """action -> resources, with the bucket's ARN written as BUCKET."""
    found: dict[str, set[str]] = {}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        listed = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions(statement):
            for resource in listed:
                text = json.dumps(resource).replace(
                    json.dumps({"Fn::GetAtt": [bucket_id, "Arn"]}), '"BUCKET"'
                )
                found.setdefault(action, set()).add(text)
    return found


def test_every_lambda_role_grants_only_what_its_step_does(synth: Synth) -> None:
    template = synth.templates["default"]
    bucket_id = _the(template, "AWS::S3::Bucket")[0]

    def s3_prefixes(grants: dict[str, set[str]], action: str) -> set[str]:
        return {json.loads(r)["Fn::Join"][1][1] for r in grants.get(action, ()) if "Fn::Join" in r}

    discover = _grants(_role_statements(template, "discover"), bucket_id)
    collect = _grants(_role_statements(template, "collect"), bucket_id)
    aggregate = _grants(_role_statements(template, "aggregate"), bucket_id)
    logs = {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert set(discover) == {"sts:AssumeRole", "ssm:GetParameter", "s3:PutObject", *logs}
    assert set(collect) == {
        "sts:AssumeRole",
        "ssm:GetParameter",
        "s3:PutObject",
        "s3:GetObject",
        "s3:ListBucket",
        *logs,
    }
    assert set(aggregate) == {"s3:GetObject", "s3:PutObject", "s3:ListBucket", *logs}  # no AssumeRole
    assert s3_prefixes(discover, "s3:PutObject") == {f"/{layout.RUNS}*"}
    assert s3_prefixes(collect, "s3:PutObject") == {f"/{layout.RUNS}*", f"/{layout.STATE}*"}
    assert s3_prefixes(collect, "s3:GetObject") == {f"/{layout.STATE}*"}
    assert s3_prefixes(aggregate, "s3:GetObject") == {f"/{layout.RUNS}*", f"/{layout.MAP_RESULTS}*"}
    assert s3_prefixes(aggregate, "s3:PutObject") == {f"/{layout.RUNS}*", f"/{layout.INDEX}*"}
    assert collect["s3:ListBucket"] == {'"BUCKET"'}

    for statements in (_role_statements(template, "discover"), _role_statements(template, "collect")):
        (assume,) = [s for s in statements if s["Action"] == "sts:AssumeRole"]
        assert assume["Resource"] == {
            "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::*:role/{ROLE_NAME}"]]
        }
        assert assume["Condition"] == {"Null": {"sts:ExternalId": "false"}}
        (parameters,) = [s for s in statements if s["Action"] == "ssm:GetParameter"]
        assert f":parameter{layout.DEFAULT_PARAMETER_PREFIX}*" in json.dumps(parameters["Resource"])
    every_action = {a for g in (discover, collect, aggregate) for a in g}
    assert not any(a.endswith("*") for a in every_action)


def test_a_customer_managed_parameter_key_is_granted_decrypt_through_ssm_only(synth: Synth) -> None:
    template = synth.templates["custom"]
    for handler in ("discover", "collect"):
        (decrypt,) = [s for s in _role_statements(template, handler) if s["Action"] == "kms:Decrypt"]
        assert "ParameterKey" in json.dumps(decrypt["Resource"])
        assert "kms:ViaService" in json.dumps(decrypt["Condition"])
        (assume,) = [s for s in _role_statements(template, handler) if s["Action"] == "sts:AssumeRole"]
        assert ":iam::*:role/vendor-readonly/*" in json.dumps(assume["Resource"])
    assert not [s for s in _role_statements(template, "aggregate") if s["Action"] == "kms:Decrypt"]


def test_the_lambdas_run_the_collector_package_alone(synth: Synth) -> None:
    template = synth.templates["default"]
    functions = resources(template, "AWS::Lambda::Function").values()
    handlers = {f["Properties"]["Handler"] for f in functions}
    assert handlers == {f"{HANDLER_MODULE}.{name}" for name in ("discover", "collect", "aggregate")}
    for handler in handlers:  # each names a real function of the package
        module, name = handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))
    keys = {f["Properties"]["Code"]["S3Key"] for f in functions}
    assert len(keys) == 1  # one code asset for the three functions
    root = synth.outdir / f"asset.{keys.pop().removesuffix('.zip')}"
    files = [p.relative_to(root) for p in root.rglob("*") if p.is_file()]
    assert files and all(p.parts[0] == "collector" and p.suffix == ".py" for p in files), files[:5]
    assert root / "collector" / "pipeline" / "handlers.py" in [root / p for p in files]
    assert sum((root / p).stat().st_size for p in files) < 1_000_000  # boto3 comes from the runtime
    assert {f["Properties"]["Runtime"] for f in functions} == {"python3.14"}
    assert {f["Properties"]["Timeout"] for f in functions} == {900}


def test_the_glue_tables_cover_every_kind_with_run_projection(synth: Synth) -> None:
    template = synth.templates["default"]
    (database,) = resources(template, "AWS::Glue::Database").values()
    assert database["Properties"]["DatabaseInput"]["Name"] == "aws_readonly_collector"
    tables = {
        t["Properties"]["TableInput"]["Name"]: t["Properties"]
        for t in resources(template, "AWS::Glue::Table").values()
    }
    expected = {t.name: t for t in schema.tables()}
    assert set(tables) == set(expected)
    bucket_id = _the(template, "AWS::S3::Bucket")[0]
    users = tables["users"]["TableInput"]
    assert users["PartitionKeys"] == [{"Name": "run_id", "Type": "string"}]
    assert users["Parameters"]["projection.run_id.type"] == "injected"
    assert users["Parameters"]["storage.location.template"] == {
        "Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/runs/${run_id}/users/"]]
    }
    assert users["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == schema.SERDE
    assert [c["Name"] for c in users["StorageDescriptor"]["Columns"]] == [
        c.name for c in expected["users"].columns
    ]
    index = tables["run_index"]["TableInput"]
    assert "PartitionKeys" not in index or index["PartitionKeys"] == []
    assert index["StorageDescriptor"]["Location"] == {
        "Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/index/runs/"]]
    }
    assert {t["DatabaseName"] for t in tables.values()} == {"aws_readonly_collector"}


def test_no_kind_is_named_like_a_run_folder() -> None:
    kinds = {t.name for t in schema.tables()}
    assert layout.SCOPES in kinds and layout.ITEMS not in kinds
    assert sum(1 for t in schema.tables() if t.name == layout.SCOPES) == 1


@pytest.mark.parametrize("name", ["default", "custom"])
def test_cfn_lint_finds_nothing(synth: Synth, name: str) -> None:
    assert cfn_lint(synth.templates[name], LINT_IGNORE) == []


def test_cdk_nag_passed_with_reasoned_acknowledgments(synth: Synth) -> None:
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    assert all(r["conclusion"] == "success" for r in report["pluginReports"]), report
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    acknowledged: dict[str, str] = {}
    for construct in synth.stacks["default"].node.find_all():
        for entry in construct.node.metadata:
            if entry.type == key:
                acknowledged.update(entry.data)
    assert acknowledged and all(len(reason) >= 60 for reason in acknowledged.values())
    # Only the wildcard finding (per exact resource) and the opt-in access logs are acknowledged.
    assert {rule.split("[")[0] for rule in acknowledged} == {
        "AwsSolutions::AwsSolutions-IAM5",
        "AwsSolutions::AwsSolutions-S1",
    }
    assert "AwsSolutions::AwsSolutions-IAM5[Resource::*]" in acknowledged  # log delivery, X-Ray


def test_state_machine_logs_everything_and_traces(synth: Synth) -> None:
    (machine,) = resources(synth.templates["default"], "AWS::StepFunctions::StateMachine").values()
    config = machine["Properties"]["LoggingConfiguration"]
    assert config["Level"] == "ALL" and config["IncludeExecutionData"] is False
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


# --- props checked at synth ---------------------------------------------------------------------------------


@pytest.fixture
def scope(tmp_path: Path) -> Stack:
    return Stack(App(outdir=str(tmp_path)), "Props", synthesizer=BootstraplessSynthesizer())


BAD_PROPS = [
    ({"max_concurrency": 50, "reserved_concurrency": 40}, "max_concurrency", "at most reserved_concurrency"),
    ({"max_concurrency": 0}, "max_concurrency", "1 to 10,000"),
    ({"tolerated_failure_percentage": 101}, "tolerated_failure_percentage", "0 to 100"),
    ({"external_id_parameter_prefix": "no-slash"}, "external_id_parameter_prefix", "SSM parameter path"),
    ({"database_name": "Has-Caps"}, "database_name", "lower-case"),
    ({"memory_size": 64}, "memory_size", "128 to 10,240"),
    ({"retention": Duration.hours(2)}, "retention", "at least 1 day"),
    ({"retention": Duration.hours(36)}, "retention", "a whole number of days"),
]


@pytest.mark.parametrize(("props", "setting", "expected"), BAD_PROPS, ids=[p[1] for p in BAD_PROPS])
def test_bad_props_fail_naming_the_prop(
    scope: Stack, props: dict[str, Any], setting: str, expected: str
) -> None:
    with pytest.raises(InvalidSettingError) as error:
        CollectorPipeline(scope, "Pipeline", customer_roles=CustomerRoles.named(ROLE_NAME), **props)
    assert error.value.setting == setting and expected in str(error.value)


@pytest.mark.parametrize(
    ("build", "setting"),
    [
        (CustomerRoles.named, "CustomerRoles.named"),
        (lambda: CustomerRoles.named("bad name"), "CustomerRoles.named"),
        (lambda: CustomerRoles.under_path("/"), "CustomerRoles.under_path"),
        (lambda: CustomerRoles.under_path("vendor"), "CustomerRoles.under_path"),
        (lambda: CustomerRoles.arns("arn:aws:iam::123:role/X"), "CustomerRoles.arns"),
        (lambda: CustomerRoles.name_prefix("a*"), "CustomerRoles.name_prefix"),
    ],
)
def test_bad_customer_roles_fail_naming_the_constructor(build: Any, setting: str) -> None:
    with pytest.raises(InvalidSettingError) as error:
        build()
    assert error.value.setting == setting


def test_exact_role_arns_need_no_wildcard_and_keep_the_partition_agnostic() -> None:
    roles = CustomerRoles.arns("arn:aws:iam::111122223333:role/ReadOnlyIntegrationRole")
    assert roles.wildcards == ()
    assert roles.templates == ("arn:{partition}:iam::111122223333:role/ReadOnlyIntegrationRole",)
