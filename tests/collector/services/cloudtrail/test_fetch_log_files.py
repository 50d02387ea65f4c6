"""The cloudtrail fetcher over a trail's log files (Stubber): what is listed and read, the mark across runs,
a broken file, the choice of source, and finding the trail."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.response import StreamingBody

from collector.fetch import FetchContext, FetchOptions
from collector.models import ScopeStatus
from collector.runner import collect_scope
from collector.services.cloudtrail import fetch as cloudtrail
from collector.services.cloudtrail.log_files import TrailLocation
from collector.services.cloudtrail.records import CloudTrailEvent
from collector.services.cloudtrail.trails import Source, TrailSource
from collector.store import SqliteStore
from tests.collector.canned import ACCOUNT
from tests.collector.canned_trail import ORG, PREFIX, REGION, data_event, file_key, log_file, management
from tests.collector.stubs import FakeClock, StubbedClients, context

BUCKET = "org-trail-logs"
NOW = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
READER = "arn:aws:iam::222233334444:role/Reader"
TRAIL = TrailSource(
    trail_arn="arn:aws:cloudtrail:us-east-1:999988887777:trail/org",
    location=TrailLocation(BUCKET, "", ORG),
    reader_role_arn=READER,
    bucket_region="us-east-1",
    organization=True,
    regions=None,
)
FIRST = file_key(PREFIX, "20260506T1100Z", "aaa")
SECOND = file_key(PREFIX, "20260506T1105Z", "bbb")
THIRD = file_key(PREFIX, "20260506T1150Z", "ccc")


def _listing(*keys: str) -> dict[str, Any]:
    return {"Contents": [{"Key": k, "Size": 1} for k in keys], "IsTruncated": False, "KeyCount": len(keys)}


def _list_params(start_after: str) -> dict[str, Any]:
    return {"Bucket": BUCKET, "Prefix": PREFIX, "StartAfter": start_after, "MaxKeys": 1000}


def _object(body: bytes) -> dict[str, Any]:
    return {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentLength": len(body)}


def _ctx(
    clients: StubbedClients, *, source: Source = Source.AUTO, trail: TrailSource | None = TRAIL
) -> FetchContext:
    ctx = context(cloudtrail.FETCHER, clients, clock=FakeClock(NOW), region=REGION)
    ctx.options = FetchOptions(cloudtrail_source=source, cloudtrail_trail=trail)
    ctx.clients_for = lambda account: clients if account.role_arn == READER else pytest.fail(str(account))
    return ctx


def _ids(outcome: Any) -> list[str]:
    return [r.event_id for r in outcome.records]


def test_a_first_run_reads_every_log_file_of_the_look_back_management_events_once() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response(
        "list_objects_v2",
        _listing(FIRST, f"{PREFIX}2026/05/06/notes.txt", SECOND),
        _list_params(f"{PREFIX}2026/04/29/"),
    )
    s3.add_response(
        "get_object",
        _object(log_file(management("e-1"), data_event("d-1"), management("e-2"))),
        {"Bucket": BUCKET, "Key": FIRST},
    )
    s3.add_response(
        "get_object",
        _object(log_file(management("e-2"), management("e-3"))),
        {"Bucket": BUCKET, "Key": SECOND},
    )

    outcome = collect_scope(_ctx(clients))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert _ids(outcome) == ["e-1", "e-2", "e-3"]  # no data event, the duplicate once
    assert outcome.state[cloudtrail.S3_MARK] == SECOND
    assert json.loads(outcome.state[cloudtrail.S3_RECENT]) == [FIRST, SECOND]
    (note,) = outcome.result.problems
    assert (
        note.part == cloudtrail.SOURCE_PART
        and "read 2 log files from s3://org-trail-logs/AWSLogs/" in note.message
    )


def test_the_next_run_reads_only_new_files_and_catches_a_late_one() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    late = file_key(PREFIX, "20260506T1102Z", "zzz")  # delivered after SECOND, sorts before it
    start = f"{PREFIX}2026/05/06/{ACCOUNT}_CloudTrail_{REGION}_20260506T1050Z"  # the mark less 15 minutes
    s3.add_response("list_objects_v2", _listing(FIRST, late, SECOND, THIRD), _list_params(start))
    s3.add_response("get_object", _object(log_file(management("e-9"))), {"Bucket": BUCKET, "Key": late})
    s3.add_response("get_object", _object(log_file(management("e-4"))), {"Bucket": BUCKET, "Key": THIRD})
    ctx = _ctx(clients)
    ctx.prior_state = {cloudtrail.S3_MARK: SECOND, cloudtrail.S3_RECENT: json.dumps([FIRST, SECOND])}

    outcome = collect_scope(ctx)

    clients.assert_no_pending()  # FIRST and SECOND were not read again
    assert _ids(outcome) == ["e-9", "e-4"]
    assert outcome.state[cloudtrail.S3_MARK] == THIRD
    assert json.loads(outcome.state[cloudtrail.S3_RECENT]) == [THIRD]  # the others are older than the overlap


def test_a_copy_delivered_after_the_overlap_is_still_one_row_in_the_store(tmp_path: Path) -> None:
    """The fetcher remembers event IDs only for the files of the last 15 minutes (memory stays flat in a
    scope's events): a copy in a file 45 minutes later is read again, and the store keeps it once."""
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response("list_objects_v2", _listing(FIRST, SECOND, THIRD), None)
    s3.add_response("get_object", _object(log_file(management("e-1"), management("e-2"))), None)
    s3.add_response("get_object", _object(log_file(management("e-2"), management("e-3"))), None)
    s3.add_response("get_object", _object(log_file(management("e-1"), management("e-4"))), None)

    outcome = collect_scope(_ctx(clients))

    assert outcome.result.status is ScopeStatus.COMPLETE
    assert _ids(outcome) == ["e-1", "e-2", "e-3", "e-1", "e-4"]  # e-2 within 5 minutes: once
    with SqliteStore(tmp_path / "events.sqlite") as store:
        store.start_run("run-1", "2026-05-06T12:00:00+00:00", {})
        store.write_scope("run-1", outcome)
        store.flush()
        rows = sorted(r["event_id"] for r in store.rows(CloudTrailEvent.KIND))
    assert rows == ["e-1", "e-2", "e-3", "e-4"]


def test_a_truncated_file_is_a_problem_naming_its_key_and_the_others_are_read() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response("list_objects_v2", _listing(FIRST, SECOND, THIRD), None)
    whole = log_file(*[management(f"t-{i}") for i in range(300)])
    s3.add_response("get_object", _object(log_file(management("e-1"))), None)
    s3.add_response("get_object", _object(whole[: len(whole) // 2]), None)
    s3.add_response("get_object", _object(log_file(management("e-3"))), None)
    ctx = _ctx(clients)
    ctx.prior_state = {cloudtrail.S3_MARK: FIRST}

    outcome = collect_scope(ctx)

    assert outcome.result.status is ScopeStatus.PARTIAL
    failed = [p for p in outcome.result.problems if p.status is ScopeStatus.FAILED]
    assert [p.part for p in failed] == [f"log file {SECOND}"] and "truncated gzip" in failed[0].message
    ids = _ids(outcome)
    assert ids[0] == "e-1" and ids[-1] == "e-3" and 0 < len(ids) - 2 < 300
    assert outcome.state == {}  # partial: the mark stays where it was, before the unread file
    # Had the state been kept, it would still stop before the unread file.
    assert ctx.state[cloudtrail.S3_MARK] == FIRST


def test_an_object_that_cannot_be_read_is_a_problem_too() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response("list_objects_v2", _listing(FIRST), None)
    s3.add_client_error("get_object", "AccessDenied", "denied", 403)
    outcome = collect_scope(_ctx(clients))
    (problem,) = [p for p in outcome.result.problems if p.status is not ScopeStatus.COMPLETE]
    assert problem.status is ScopeStatus.DENIED and problem.missing_action == "s3:GetObject"
    assert problem.part == f"log file {FIRST}"


def test_auto_reads_lookup_events_where_the_trail_does_not_deliver() -> None:
    clients = StubbedClients()
    clients.stub("cloudtrail").add_response("lookup_events", {"Events": []}, None)
    single_region = TrailSource(
        "arn:aws:cloudtrail:us-east-1:999988887777:trail/t",
        TRAIL.location,
        READER,
        "us-east-1",
        True,
        ("us-east-1",),
    )
    outcome = collect_scope(_ctx(clients, trail=single_region))
    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE and outcome.result.problems == ()
    assert cloudtrail.MARK in outcome.state


def test_lookup_reads_lookup_events_even_with_a_trail() -> None:
    clients = StubbedClients()
    clients.stub("cloudtrail").add_response("lookup_events", {"Events": []}, None)
    assert collect_scope(_ctx(clients, source=Source.LOOKUP)).result.status is ScopeStatus.COMPLETE
    clients.assert_no_pending()


def test_s3_without_a_usable_trail_fails_with_the_reason() -> None:
    ctx = _ctx(StubbedClients(), source=Source.S3, trail=None)
    ctx.options = FetchOptions(
        cloudtrail_source=Source.S3, cloudtrail_trail_problem="no trail delivers every management event to S3"
    )
    outcome = collect_scope(ctx)
    assert outcome.result.status is ScopeStatus.FAILED
    assert "--cloudtrail-source s3: no trail delivers every management event" in outcome.result.detail


# --- finding the trail --------------------------------------------------------------------------------------

MANAGEMENT = "arn:aws:iam::999988887777:role/Reader"


def _trail(
    name: str, *, organization: bool, multi_region: bool = True, bucket: str = BUCKET
) -> dict[str, Any]:
    return {
        "Name": name,
        "TrailARN": f"arn:aws:cloudtrail:us-east-1:999988887777:trail/{name}",
        "HomeRegion": "us-east-1",
        "S3BucketName": bucket,
        "IsOrganizationTrail": organization,
        "IsMultiRegionTrail": multi_region,
    }


def test_find_trail_prefers_the_organization_trail_and_finds_its_organization_folder() -> None:
    clients = StubbedClients()
    ct = clients.stub("cloudtrail")
    ct.add_response(
        "describe_trails",
        {"trailList": [_trail("own", organization=False), _trail("org", organization=True)]},
        {"includeShadowTrails": True},
    )
    ct.add_response(
        "get_event_selectors",
        {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]},
        None,
    )
    ct.add_response(
        "get_event_selectors",
        {
            "AdvancedEventSelectors": [
                {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
            ]
        },
        None,
    )
    clients.stub("s3").add_response(
        "list_objects_v2",
        {"CommonPrefixes": [{"Prefix": f"AWSLogs/{ORG}/"}], "IsTruncated": False},
        {"Bucket": BUCKET, "Prefix": "AWSLogs/", "Delimiter": "/", "MaxKeys": 1000},
    )
    found = cloudtrail.find_trail(lambda account: clients, MANAGEMENT, READER, "us-east-1")
    clients.assert_no_pending()
    assert found.trail_arn.endswith("trail/org") and found.organization and found.regions is None
    assert found.location == TrailLocation(BUCKET, "", ORG) and found.reader_role_arn == READER


def test_find_trail_refuses_trails_that_leave_management_events_out() -> None:
    clients = StubbedClients()
    ct = clients.stub("cloudtrail")
    ct.add_response("describe_trails", {"trailList": [_trail("writes", organization=True)]}, None)
    ct.add_response(
        "get_event_selectors",
        {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]},
        None,
    )
    with pytest.raises(
        cloudtrail.NoTrailError, match=r"no trail delivers every management event to S3 \(trails: writes\)"
    ):
        cloudtrail.find_trail(lambda account: clients, MANAGEMENT, READER, "us-east-1")


def test_find_trail_wants_the_organization_folder() -> None:
    clients = StubbedClients()
    ct = clients.stub("cloudtrail")
    ct.add_response("describe_trails", {"trailList": [_trail("org", organization=True)]}, None)
    ct.add_response("get_event_selectors", {"EventSelectors": [{"ReadWriteType": "All"}]}, None)
    clients.stub("s3").add_response("list_objects_v2", {"IsTruncated": False}, None)
    with pytest.raises(cloudtrail.NoTrailError, match="has delivered no file"):
        cloudtrail.find_trail(lambda account: clients, MANAGEMENT, READER, "us-east-1")


def test_a_trail_covers_its_accounts_and_regions() -> None:
    own = TrailSource(
        "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t",
        TRAIL.location,
        READER,
        "eu-west-1",
        False,
        ("eu-west-1",),
    )
    assert own.covers("111122223333", "eu-west-1") and not own.covers("111122223333", "us-east-1")
    assert not own.covers("444455556666", "eu-west-1")
    assert TRAIL.covers("444455556666", "ap-south-1")
    assert timedelta(minutes=15) == cloudtrail.OVERLAP


def test_a_denied_listing_names_the_missing_action() -> None:
    clients = StubbedClients()
    clients.stub("s3").add_client_error("list_objects_v2", "AccessDenied", "denied", 403)
    outcome = collect_scope(_ctx(clients))
    assert outcome.result.status is ScopeStatus.DENIED
    assert outcome.result.problems[0].missing_action == "s3:ListBucket"
