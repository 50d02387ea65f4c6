"""CloudTrail: the event record, the incremental window, and where a global service's event is counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from collector.services.cloudtrail import parse
from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT

NOW = datetime(2026, 5, 6, 12, 0, 0, 123456, tzinfo=UTC)
OVERLAP = timedelta(minutes=15)
WEEK = timedelta(days=7)


def test_the_event_and_who_did_it() -> None:
    at = datetime(2026, 5, 6, 11, 0, tzinfo=UTC)
    record = parse.event(ACCOUNT, "eu-west-1", c.event("e-1", at))
    assert (record.event_id, record.event_name, record.event_source) == (
        "e-1",
        "RunInstances",
        "ec2.amazonaws.com",
    )
    assert record.event_time == "2026-05-06T11:00:00+00:00" and record.read_only is False
    assert record.identity_type == "AssumedRole"
    assert record.principal_arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice"
    assert record.session_issuer_arn == f"arn:aws:iam::{ACCOUNT}:role/Admin"
    assert record.username == "alice" and record.access_key_id == "ASIAEXAMPLE"
    assert record.aws_region == "eu-west-1" and record.source_ip == "192.0.2.1"
    assert record.resources == [{"type": "AWS::EC2::Instance", "name": "i-0e1"}]
    assert record.raw["CloudTrailEvent"]["eventID"] == "e-1"  # the event's JSON is kept parsed, once


def test_an_unreadable_event_body_keeps_the_listing_fields() -> None:
    item = c.event("e-2", NOW, read_only=True)
    item["CloudTrailEvent"] = "{not json"
    record = parse.event(ACCOUNT, "eu-west-1", item)
    assert record.event_name == "RunInstances" and record.read_only is True
    assert record.principal_arn is None and record.raw["CloudTrailEvent"] == "{not json"


def test_read_only_falls_back_to_the_event_body() -> None:
    item = c.event("e-3", NOW, read_only=True)
    del item["ReadOnly"]
    assert parse.event(ACCOUNT, "eu-west-1", item).read_only is True


def test_first_run_reads_the_look_back_and_the_end_is_whole_seconds() -> None:
    span = parse.window(NOW, None, lookback=WEEK, overlap=OVERLAP)
    assert span.end == NOW.replace(microsecond=0)
    assert span.start == span.end - WEEK


def test_a_later_run_starts_at_the_mark_minus_the_overlap() -> None:
    mark = (NOW - timedelta(hours=1)).isoformat()
    span = parse.window(NOW, mark, lookback=WEEK, overlap=OVERLAP)
    assert span.start == NOW - timedelta(hours=1) - OVERLAP


def test_never_older_than_the_retention_and_never_empty() -> None:
    ancient = (NOW - timedelta(days=400)).isoformat()
    assert parse.window(NOW, ancient, lookback=WEEK, overlap=OVERLAP).start == NOW.replace(
        microsecond=0
    ) - timedelta(days=90)
    future = (NOW + timedelta(days=1)).isoformat()  # the clock went back since the last run
    span = parse.window(NOW, future, lookback=WEEK, overlap=OVERLAP)
    assert span.end - span.start == OVERLAP


def test_a_naive_mark_is_utc() -> None:
    assert parse.parse_mark("2026-01-01T00:00:00") == datetime(2026, 1, 1, tzinfo=UTC)


def test_global_service_events_count_in_the_global_region_only() -> None:
    iam = c.event("g-1", NOW, name="CreateUser", source="iam.amazonaws.com", region="us-east-1")
    in_ireland = parse.event(ACCOUNT, "eu-west-1", iam)
    in_virginia = parse.event(ACCOUNT, "us-east-1", iam)
    assert parse.read_elsewhere(in_ireland, "us-east-1") is True
    assert parse.read_elsewhere(in_virginia, "us-east-1") is False
    # A regional STS endpoint's event names its own region: it belongs where it was listed.
    sts = c.event("s-1", NOW, name="AssumeRole", source="sts.amazonaws.com", region="eu-west-1")
    assert parse.read_elsewhere(parse.event(ACCOUNT, "eu-west-1", sts), "us-east-1") is False
    ec2 = parse.event(ACCOUNT, "eu-west-1", c.event("r-1", NOW))
    assert parse.read_elsewhere(ec2, "us-east-1") is False
