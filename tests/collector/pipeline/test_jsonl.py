"""The JSON Lines sink writes what the SQLite export writes, keeps state as the store does (complete or
checkpoint), and reads back whole; against a real S3 (the local AWS) and in memory."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from collector.fetch import TIME_BUDGET_CODE, TIME_BUDGET_PART
from collector.models import GLOBAL, ApiCallCount, Problem, ScopeKey, ScopeStatus
from collector.pipeline import codec, layout
from collector.pipeline.jsonl import JsonLinesSink, ObjectStateReader, read_json_lines, record_json
from collector.pipeline.objects import MemoryObjects, S3Objects
from collector.services.iam.records import Role, User
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws

RUN = "20260506T120000Z-a1b2c3"
ACCOUNT = "111122223333"
SCOPE = ScopeKey(ACCOUNT, GLOBAL, "iam")
USER = User(
    account_id=ACCOUNT,
    arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
    name="alice",
    user_id="AIDA1",
    path="/",
    create_date="2024-01-01T00:00:00+00:00",
    tags={"team": "blue"},
    raw={"UserName": "alice", "Tags": [{"Key": "team", "Value": "blue"}]},
)
ROLE = Role(
    account_id=ACCOUNT,
    arn=f"arn:aws:iam::{ACCOUNT}:role/r",
    name="r",
    role_id="AROA1",
    path="/",
    create_date="2024-01-01T00:00:00+00:00",
    trust_policy={"Version": "2012-10-17", "Statement": []},
    raw={"RoleName": "r"},
)


def _outcome(
    status: ScopeStatus, *, checkpoint: bool = False, problems: tuple[Problem, ...] = ()
) -> ScopeOutcome:
    result = ScopeResult(SCOPE, status, problems, 2, "2026-05-06T12:00:00+00:00", "2026-05-06T12:00:01+00:00")
    return ScopeOutcome(result, (USER, ROLE), (User, Role), {"mark": "m1"}, checkpoint)


def test_record_lines_equal_what_export_writes_from_sqlite(tmp_path: Path) -> None:
    objects = MemoryObjects()
    JsonLinesSink(objects, customer="acme").write_scope(RUN, _outcome(ScopeStatus.COMPLETE))
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        store.start_run(RUN, "2026-05-06T12:00:00+00:00", {})
        store.write_scope(RUN, _outcome(ScopeStatus.COMPLETE))
        store.flush()
        exported = {kind: list(store.rows(kind)) for kind in ("users", "roles")}
    for kind, records in exported.items():
        body = objects.get(layout.kind_key(RUN, kind, SCOPE))
        assert body is not None
        assert read_json_lines(body) == records  # the same fields, values and JSON shapes
    assert read_json_lines(objects.get(layout.kind_key(RUN, "users", SCOPE)) or b"")[0] == json.loads(
        json.dumps(record_json(USER, RUN))
    )


@pytest.mark.parametrize(
    ("status", "checkpoint", "kept"),
    [
        (ScopeStatus.COMPLETE, False, True),
        (ScopeStatus.PARTIAL, True, True),  # stopped at its time budget: the checkpoint is kept
        (ScopeStatus.PARTIAL, False, False),
        (ScopeStatus.DENIED, False, False),
        (ScopeStatus.FAILED, False, False),
    ],
)
def test_state_is_kept_for_a_complete_scope_or_a_checkpoint(
    status: ScopeStatus, checkpoint: bool, kept: bool
) -> None:
    objects = MemoryObjects()
    JsonLinesSink(objects, customer="acme").write_scope(RUN, _outcome(status, checkpoint=checkpoint))
    reader = ObjectStateReader(objects, customer="acme")
    assert reader.read_state(SCOPE) == ({"mark": "m1"} if kept else {})
    assert ObjectStateReader(objects, customer="other").read_state(SCOPE) == {}  # per customer
    # Records of every status are written (a denied scope's partial reads are data too).
    assert objects.get(layout.kind_key(RUN, "users", SCOPE)) is not None


def test_scope_lines_carry_the_problems_and_read_back_whole() -> None:
    problems = (
        Problem(
            ScopeStatus.DENIED, "access_keys", "ListAccessKeys: no", "iam:ListAccessKeys", "AccessDenied"
        ),
        Problem(ScopeStatus.PARTIAL, TIME_BUDGET_PART, "stopped", None, TIME_BUDGET_CODE),
    )
    objects = MemoryObjects()
    outcome = _outcome(ScopeStatus.PARTIAL, problems=problems)
    JsonLinesSink(objects, customer="acme").write_scope(RUN, outcome)
    (line,) = read_json_lines(objects.get(layout.scope_key(RUN, SCOPE)) or b"")
    assert line["run_id"] == RUN and line["missing_actions"] == ["iam:ListAccessKeys"]
    assert codec.result_from_json(line) == outcome.result


def test_api_calls_merge_across_lambdas() -> None:
    a = (ApiCallCount(ACCOUNT, "iam", "ListUsers", 2, 1),)
    b = (ApiCallCount(ACCOUNT, "iam", "ListUsers", 3, 0), ApiCallCount(ACCOUNT, "sts", "AssumeRole", 1, 0))
    merged = codec.merge_calls([a, codec.calls_from_json(codec.calls_to_json(b))])
    assert merged == (
        ApiCallCount(ACCOUNT, "iam", "ListUsers", 5, 1),
        ApiCallCount(ACCOUNT, "sts", "AssumeRole", 1, 0),
    )


@pytest.mark.e2e
def test_against_s3_the_run_manifest_and_index_are_written(local_aws: LocalAws) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="results")
    objects = S3Objects(s3, "results")
    sink = JsonLinesSink(objects, customer="acme")
    sink.start_run(RUN, "2026-05-06T12:00:00+00:00", {"role_arn": "r"})
    sink.write_scope(RUN, _outcome(ScopeStatus.COMPLETE))
    result = _outcome(ScopeStatus.COMPLETE).result
    sink.finish_run(RunManifest(RUN, "s", "f", {}, (result,), (ApiCallCount(ACCOUNT, "iam", "X", 1, 0),)))

    assert objects.get("runs/nothing-here") is None  # a missing key is None, not an error
    assert sorted(objects.keys(layout.run_prefix(RUN))) == sorted(
        [
            layout.run_key(RUN),
            layout.kind_key(RUN, "users", SCOPE),
            layout.kind_key(RUN, "roles", SCOPE),
            layout.scope_key(RUN, SCOPE),
            layout.manifest_key(RUN),
        ]
    )
    assert json.loads(objects.get(layout.run_key(RUN)) or b"")["customer"] == "acme"
    manifest = json.loads(objects.get(layout.manifest_key(RUN)) or b"")
    assert manifest["complete"] is True and manifest["total_api_calls"] == 1
    (index,) = read_json_lines(objects.get(layout.index_key(RUN)) or b"")
    assert index == {
        "run_id": RUN,
        "customer": "acme",
        "started_at": "s",
        "finished_at": "f",
        "complete": True,
        "scopes": 1,
        "not_ok": 0,
    }
    head = s3.head_object(Bucket="results", Key=layout.kind_key(RUN, "users", SCOPE))
    assert head["ContentType"] == "application/x-ndjson"
