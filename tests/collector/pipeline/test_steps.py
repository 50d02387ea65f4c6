"""The aggregation's paths that the local AWS cannot reach (moto's Map never fails and writes no result
files), discovery and collection refusing bad input before any AWS call, and the ExternalId from SSM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from collector.formats import InvalidSettingError
from collector.models import GLOBAL, Account, Problem, ScopeKey, ScopeStatus
from collector.pipeline import codec, handlers, layout, steps
from collector.pipeline.external_ids import MissingExternalIdError, ParameterExternalIds
from collector.pipeline.jsonl import JsonLinesSink, read_json_lines
from collector.pipeline.objects import MemoryObjects
from collector.plan import WorkItem
from collector.services.iam.records import Role
from collector.services.identity_center.records import ProvisionedPermissionSet, SsoInstance
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws

RUN = "20260506T120000Z-a1b2c3"
A, B = "111111111111", "222222222222"
ROLE = "arn:aws:iam::{}:role/ReadOnlyIntegrationRole"
ITEMS = [
    WorkItem(Account(A, ROLE.format(A)), GLOBAL, ("iam",)),
    WorkItem(Account(B, ROLE.format(B)), "eu-west-1", ("ec2", "cloudtrail")),
]
RUN_STATE = {"run": {"run_id": RUN, "customer": "acme", "request": {}}}


def _unused_external_ids(customer: str) -> str:
    raise AssertionError("no ExternalId may be read for a request that is refused")


def _result(scope: ScopeKey, status: ScopeStatus = ScopeStatus.COMPLETE) -> ScopeResult:
    return ScopeResult(scope, status, (), 1, "s", "f")


def _run(objects: MemoryObjects) -> None:
    """A run whose first item finished and whose second failed after writing its first scope."""
    sink = JsonLinesSink(objects, customer="acme")
    sink.start_run(RUN, "2026-05-06T12:00:00+00:00", {"role_arn": "r"})
    skipped = ScopeResult(
        ScopeKey(B, "ap-east-1", "ec2"),
        ScopeStatus.SKIPPED,
        (Problem(ScopeStatus.SKIPPED, "", "region not enabled in the account"),),
    )
    objects.put(
        layout.discovery_key(RUN),
        json.dumps({"scopes": [codec.result_to_json(skipped)], "api_calls": []}).encode(),
    )
    objects.put(layout.items_key(RUN), json.dumps([i.to_json() for i in ITEMS]).encode())
    done = _result(ITEMS[0].scopes()[0])
    sink.write_scope(RUN, ScopeOutcome(done, (), ()))
    calls = [
        {
            "account_id": A,
            "service": "iam",
            "operation": "GetAccountAuthorizationDetails",
            "calls": 2,
            "throttled": 0,
        }
    ]
    objects.put(
        layout.item_key(RUN, A, GLOBAL),
        json.dumps(
            {"item": ITEMS[0].to_json(), "scopes": [codec.result_to_json(done)], "api_calls": calls}
        ).encode(),
    )
    sink.write_scope(RUN, ScopeOutcome(_result(ITEMS[1].scopes()[0]), (), ()))  # ec2 done, then a fault


def _scopes(objects: MemoryObjects) -> dict[tuple[str, str, str], dict[str, Any]]:
    manifest = json.loads(objects.get(layout.manifest_key(RUN)) or b"")
    return {(s["account_id"], s["region"], s["service"]): s for s in manifest["scopes"]}


def test_after_a_failed_map_every_scope_is_in_the_manifest_with_the_maps_cause() -> None:
    objects = MemoryObjects()
    _run(objects)
    state = {
        **RUN_STATE,
        "map_error": {"Error": "States.ExceedToleratedFailureThreshold", "Cause": "too many"},
    }
    out = steps.aggregate(state, steps.StepEnv(objects, _unused_external_ids))

    assert out["complete"] is False and out["failed_items"] == [{"account_id": B, "unit": "eu-west-1"}]
    scopes = _scopes(objects)
    assert scopes[(A, GLOBAL, "iam")]["status"] == "complete"
    assert scopes[(B, "eu-west-1", "ec2")]["status"] == "complete"  # salvaged from its status line
    failed = scopes[(B, "eu-west-1", "cloudtrail")]
    assert failed["status"] == "failed"
    assert failed["detail"] == "work item failed: States.ExceedToleratedFailureThreshold: too many"
    assert scopes[(B, "ap-east-1", "ec2")]["status"] == "skipped"  # discovery's statuses are kept
    manifest = json.loads(objects.get(layout.manifest_key(RUN)) or b"")
    assert manifest["total_api_calls"] == 2 and manifest["settings"] == {"role_arn": "r"}
    (index,) = read_json_lines(objects.get(layout.index_key(RUN)) or b"")
    assert index["not_ok"] == 1 and index["customer"] == "acme"


def test_the_result_writers_failed_files_name_each_items_cause() -> None:
    """The export format of a Distributed Map's ResultWriter (manifest.json -> FAILED_n.json), as AWS
    documents it: each failed child execution with its Input (the item as a JSON string), Error, Cause."""
    objects = MemoryObjects()
    _run(objects)
    failed_key = "map-results/run-uuid/FAILED_0.json"
    child_input = json.dumps({"item": ITEMS[1].to_json(), "run": RUN_STATE["run"]})
    objects.put(
        failed_key,
        json.dumps(
            [
                {
                    "ExecutionArn": "arn:x",
                    "Input": child_input,
                    "Error": "JSONDecodeError",
                    "Cause": "bad state",
                }
            ]
        ).encode(),
    )
    manifest_key = "map-results/run-uuid/manifest.json"
    objects.put(
        manifest_key,
        json.dumps(
            {
                "DestinationBucket": "b",
                "ResultFiles": {"FAILED": [{"Key": failed_key, "Size": 1}], "SUCCEEDED": []},
            }
        ).encode(),
    )
    state = {**RUN_STATE, "map": {"ResultWriterDetails": {"Bucket": "b", "Key": manifest_key}}}
    steps.aggregate(state, steps.StepEnv(objects, _unused_external_ids))
    detail = _scopes(objects)[(B, "eu-west-1", "cloudtrail")]["detail"]
    assert detail == "work item failed: JSONDecodeError: bad state"


def test_a_map_success_without_result_files_still_records_the_missing_item() -> None:
    objects = MemoryObjects()
    _run(objects)
    steps.aggregate({**RUN_STATE, "map": {}}, steps.StepEnv(objects, _unused_external_ids))
    assert "no result" in _scopes(objects)[(B, "eu-west-1", "cloudtrail")]["detail"]


def test_discover_refuses_a_bad_request_before_reading_any_external_id() -> None:
    env = steps.StepEnv(MemoryObjects(), _unused_external_ids)
    with pytest.raises(InvalidSettingError, match="role_arn"):
        steps.discover({"request": {"customer": "acme"}}, env)


def test_collect_refuses_an_item_naming_an_unknown_fetcher() -> None:
    env = steps.StepEnv(MemoryObjects(), _unused_external_ids)
    item = {**ITEMS[0].to_json(), "fetchers": ["s3"]}
    run = {"run_id": RUN, "customer": "acme", "request": {"customer": "acme", "role_arn": ROLE.format(A)}}
    with pytest.raises(InvalidSettingError, match=r"item\.fetchers"):
        steps.collect({"item": item, "run": run}, env)


@pytest.mark.e2e
def test_the_external_id_comes_from_the_customers_secure_string(local_aws: LocalAws) -> None:
    ssm = boto3.client("ssm")
    name = layout.external_id_parameter(layout.DEFAULT_PARAMETER_PREFIX, "acme")
    ssm.put_parameter(Name=name, Value="Acme-External-1", Type="SecureString")
    clock = [0.0]
    ids = ParameterExternalIds(ssm, clock=lambda: clock[0])
    assert ids("acme") == "Acme-External-1"
    ssm.put_parameter(Name=name, Value="Acme-External-2", Type="SecureString", Overwrite=True)
    assert ids("acme") == "Acme-External-1"  # cached for a few minutes per Lambda container
    clock[0] += 301
    assert ids("acme") == "Acme-External-2"  # a rotation is picked up

    with pytest.raises(MissingExternalIdError) as missing:
        ids("globex")
    assert "/readonly-collector/customers/globex/external-id" in str(missing.value)
    assert "put-parameter --type SecureString" in str(missing.value)
    bad = layout.external_id_parameter(layout.DEFAULT_PARAMETER_PREFIX, "initech")
    ssm.put_parameter(Name=bad, Value="has spaces", Type="SecureString")
    with pytest.raises(InvalidSettingError) as invalid:
        ids("initech")
    assert invalid.value.setting == bad and "has spaces" not in str(invalid.value)


class _Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_the_collect_handler_stops_resumable_fetchers_a_margin_before_the_lambda_ends() -> None:
    assert handlers.deadline(_Context(remaining_ms=900_000), now=1000.0) == (
        1000.0 + 900 - handlers.TIME_BUDGET_MARGIN_SECONDS
    )


def test_the_permission_set_roles_are_derived_as_the_sqlite_store_derives_them(tmp_path: Path) -> None:
    instance = "arn:aws:sso:::instance/ssoins-1"
    idc = ScopeKey(A, GLOBAL, "identity_center")
    records = {
        idc: (
            SsoInstance(
                account_id=A,
                instance_arn=instance,
                identity_store_id="d-1",
                home_region="eu-west-1",
                owner_account_id=A,
                instance_type="organization",
            ),
            *(
                ProvisionedPermissionSet(
                    account_id=A,
                    permission_set_arn=f"arn:aws:sso:::permissionSet/ssoins-1/ps-{name}",
                    target_account_id=B,
                    instance_arn=instance,
                    permission_set_name=name,
                )
                for name in ("Admin", "ReadOnly")
            ),
        ),
        ScopeKey(B, GLOBAL, "iam"): (
            Role(
                account_id=B,
                arn=f"arn:aws:iam::{B}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef",
                name="AWSReservedSSO_Admin_0123456789abcdef",
                role_id="AROA1",
                path="/aws-reserved/sso.amazonaws.com/eu-west-1/",
                create_date="2024-01-01",
                trust_policy={},
            ),
        ),
    }
    results = [_result(scope) for scope in records]
    objects = MemoryObjects()
    sink = JsonLinesSink(objects, customer="acme")
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        store.start_run(RUN, "s", {})
        for scope, found in records.items():
            outcome = ScopeOutcome(_result(scope), found, tuple({type(r) for r in found}))
            sink.write_scope(RUN, outcome)
            store.write_scope(RUN, outcome)
        store.finish_run(RunManifest(RUN, "s", "f", {}, tuple(results), ()))
        expected = list(store.rows("permission_set_roles"))

    assert steps.derive_links(objects, RUN, results) == 2
    derived = read_json_lines(objects.get(layout.derived_key(RUN, "permission_set_roles")) or b"")
    assert sorted(derived, key=lambda r: r["permission_set_arn"]) == expected
    assert {r["match"] for r in derived} == {"matched", "role_not_found"}
