"""CloudTrail LookupEvents against the real local AWS server process: limits, errors, accounts, recording."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource
from local_aws.emulator.server import LocalAws
from tests.local_aws.emulator.helpers import NO_RETRIES, PATIENT, session_with_actions

pytestmark = pytest.mark.e2e

DEFAULT_ACCOUNT = "123456789012"  # moto's account for its placeholder keys


def seeded(
    local_aws: LocalAws, count: int, *, region: str = "us-east-1", minutes_apart: float = 1.0
) -> list[str]:
    now = datetime.now(UTC)
    events = [
        ManagementEvent.create(
            account_id=DEFAULT_ACCOUNT,
            region=region,
            event_name="RunInstances",
            event_source="ec2.amazonaws.com",
            event_time=now - timedelta(minutes=1 + i * minutes_apart),
            resources=[Resource("AWS::EC2::Instance", f"i-{i:017x}")],
        )
        for i in range(count)
    ]
    return list(local_aws.seed_cloudtrail_events(events))


def lookup_code(**kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        boto3.client("cloudtrail", config=NO_RETRIES).lookup_events(**kwargs)
    error = raised.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


def test_more_than_fifty_events_come_in_pages_of_fifty_newest_first(local_aws: LocalAws) -> None:
    ids = seeded(local_aws, 120)  # ids[0] is the newest
    pages = list(boto3.client("cloudtrail", config=PATIENT).get_paginator("lookup_events").paginate())
    assert [len(p["Events"]) for p in pages] == [50, 50, 20]
    events = [e for p in pages for e in p["Events"]]
    assert [e["EventId"] for e in events] == ids
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True)


def test_an_event_has_the_shape_lookup_events_documents(local_aws: LocalAws) -> None:
    boto3.client("iam").create_user(UserName="alice")  # recorded by the emulator
    (event,) = boto3.client("cloudtrail").lookup_events()["Events"]
    assert event["EventName"] == "CreateUser" and event["EventSource"] == "iam.amazonaws.com"
    assert event["ReadOnly"] == "false" and event["Username"] == "root"
    assert event["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": "alice"}]
    assert event["AccessKeyId"] == "FOOBARKEY"
    assert isinstance(event["EventTime"], datetime)
    record = json.loads(event["CloudTrailEvent"])
    assert record["eventID"] == event["EventId"] and record["recipientAccountId"] == DEFAULT_ACCOUNT
    assert record["requestParameters"] == {"UserName": "alice"} and record["awsRegion"] == "us-east-1"
    assert record["userIdentity"]["type"] == "Root" and record["eventCategory"] == "Management"


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (
            {
                "LookupAttributes": [
                    {"AttributeKey": "EventName", "AttributeValue": "RunInstances"},
                    {"AttributeKey": "Username", "AttributeValue": "root"},
                ]
            },
            "InvalidLookupAttributesException",
        ),
        (
            {"LookupAttributes": [{"AttributeKey": "Region", "AttributeValue": "x"}]},
            "InvalidLookupAttributesException",
        ),
        ({"MaxResults": 51}, "InvalidMaxResultsException"),
        (
            {"StartTime": datetime(2026, 1, 2, tzinfo=UTC), "EndTime": datetime(2026, 1, 1, tzinfo=UTC)},
            "InvalidTimeRangeException",
        ),
        ({"NextToken": "forged"}, "InvalidNextTokenException"),
        ({"EventCategory": "data"}, "InvalidEventCategoryException"),
    ],
)
def test_documented_errors_are_http_400_with_their_exception(
    local_aws: LocalAws, request_: dict[str, Any], code: str
) -> None:
    assert lookup_code(**request_) == (code, 400)


def test_a_token_with_other_parameters_is_refused(local_aws: LocalAws) -> None:
    seeded(local_aws, 3)
    cloudtrail = boto3.client("cloudtrail", config=PATIENT)
    by_name: Any = [{"AttributeKey": "EventName", "AttributeValue": "RunInstances"}]
    token = cloudtrail.lookup_events(LookupAttributes=by_name, MaxResults=1)["NextToken"]
    by_source: Any = [{"AttributeKey": "EventSource", "AttributeValue": "ec2.amazonaws.com"}]
    with pytest.raises(ClientError) as raised:
        cloudtrail.lookup_events(LookupAttributes=by_source, MaxResults=1, NextToken=token)
    assert raised.value.response["Error"]["Code"] == "InvalidNextTokenException"
    again = cloudtrail.lookup_events(LookupAttributes=by_name, MaxResults=1, NextToken=token)
    assert len(again["Events"]) == 1


def test_only_the_last_90_days_within_the_window_are_returned(local_aws: LocalAws) -> None:
    now = datetime.now(UTC)
    at = {"old": now - timedelta(days=91), "early": now - timedelta(days=10), "late": now - timedelta(days=1)}
    events = {
        name: ManagementEvent.create(
            account_id=DEFAULT_ACCOUNT,
            region="us-east-1",
            event_name=name,
            event_source="iam.amazonaws.com",
            event_time=when,
        )
        for name, when in at.items()
    }
    local_aws.seed_cloudtrail_events(events.values())
    cloudtrail = boto3.client("cloudtrail", config=PATIENT)
    everything = cloudtrail.lookup_events(StartTime=now - timedelta(days=365))["Events"]
    assert [e["EventId"] for e in everything] == [events["late"].event_id, events["early"].event_id]
    window = cloudtrail.lookup_events(StartTime=now - timedelta(days=11), EndTime=now - timedelta(days=2))[
        "Events"
    ]
    assert [e["EventId"] for e in window] == [events["early"].event_id]


def test_throttling_is_http_400_and_botocore_retries_through_it(local_aws: LocalAws) -> None:
    seeded(local_aws, 1)
    impatient = boto3.client("cloudtrail", config=NO_RETRIES)

    def lookup_once(_: int) -> tuple[str, int]:
        try:
            impatient.lookup_events()
            return "ok", 200
        except ClientError as error:
            return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]

    # A burst of 10 concurrent calls: the bucket holds 2, so some are throttled however slow the machine is.
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lookup_once, range(10)))
    assert ("ThrottlingException", 400) in answers
    assert {code for code, _ in answers} <= {"ok", "ThrottlingException"}

    patient = boto3.client("cloudtrail", config=PATIENT)
    with ThreadPoolExecutor(max_workers=6) as pool:
        pages = list(pool.map(lambda _: patient.lookup_events(), range(6)))
    assert all(len(page["Events"]) == 1 for page in pages)  # every call got through in the end
    assert sum(page["ResponseMetadata"]["RetryAttempts"] for page in pages) >= 1


def test_a_caller_without_lookup_events_permission_is_denied_under_enforcement(local_aws: LocalAws) -> None:
    allowed = session_with_actions("auditor", ["cloudtrail:LookupEvents"])
    denied = session_with_actions("operator", ["cloudtrail:DescribeTrails", "iam:*"])
    local_aws.enforce_iam(True)
    assert "Events" in allowed.client("cloudtrail").lookup_events()
    with pytest.raises(ClientError) as raised:
        denied.client("cloudtrail", config=NO_RETRIES).lookup_events()
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "cloudtrail:LookupEvents" in error["Message"] and "user/operator" in error["Message"]


def test_events_belong_to_the_callers_account_and_signed_region(local_aws: LocalAws) -> None:
    organizations = boto3.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    member = organizations.create_account(Email="m@example.com", AccountName="member")["CreateAccountStatus"]
    role = f"arn:aws:iam::{member['AccountId']}:role/OrganizationAccountAccessRole"
    creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="seeder")["Credentials"]
    in_member = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    in_member.client("iam", region_name="eu-west-1").create_user(UserName="bob")  # IAM: global, us-east-1
    in_member.client("ec2", region_name="eu-west-1").create_vpc(CidrBlock="10.1.0.0/16")

    member_us = in_member.client("cloudtrail", region_name="us-east-1", config=PATIENT).lookup_events()[
        "Events"
    ]
    assert [(e["EventName"], e["Username"]) for e in member_us] == [("CreateUser", "seeder")]
    session_json = json.loads(member_us[0]["CloudTrailEvent"])["userIdentity"]
    assert session_json["type"] == "AssumedRole" and session_json["accountId"] == member["AccountId"]
    member_eu = in_member.client("cloudtrail", region_name="eu-west-1", config=PATIENT).lookup_events()[
        "Events"
    ]
    assert [e["EventName"] for e in member_eu] == ["CreateVpc"]
    management = boto3.client("cloudtrail", config=PATIENT).lookup_events()["Events"]
    assert [e["EventName"] for e in management] == ["CreateAccount", "CreateOrganization"]


def test_read_only_and_failed_calls_are_not_recorded(local_aws: LocalAws) -> None:
    iam = boto3.client("iam")
    iam.create_user(UserName="carol")
    iam.list_users()
    iam.get_user(UserName="carol")
    with pytest.raises(ClientError):
        iam.create_user(UserName="carol")  # EntityAlreadyExists
    events = boto3.client("cloudtrail").lookup_events()["Events"]
    assert [e["EventName"] for e in events] == ["CreateUser"]


def test_reset_forgets_every_event(local_aws: LocalAws) -> None:
    seeded(local_aws, 3)
    seeded(local_aws, 2, region="eu-west-1")
    local_aws.reset()
    assert local_aws.cloudtrail_events(DEFAULT_ACCOUNT, "us-east-1") == ()
    assert local_aws.cloudtrail_events(DEFAULT_ACCOUNT, "eu-west-1") == ()
    assert boto3.client("cloudtrail").lookup_events()["Events"] == []


def test_a_bad_seeded_event_is_refused_with_the_field_named(local_aws: LocalAws) -> None:
    event = ManagementEvent.create(
        account_id=DEFAULT_ACCOUNT,
        region="us-east-1",
        event_name="CreateUser",
        event_source="iam.amazonaws.com",
    )
    with pytest.raises(RuntimeError, match=r"HTTP 400.*events\[1\]\.accountId"):
        local_aws._post(
            "/local-aws/cloudtrail/events",
            json.dumps({"events": [event.to_wire(), {**event.to_wire(), "accountId": "nope"}]}).encode(),
        )
    with pytest.raises(RuntimeError, match="already stored"):
        local_aws.seed_cloudtrail_events([event, event])
    assert local_aws.cloudtrail_events(DEFAULT_ACCOUNT, "us-east-1") == ()


def test_the_rate_and_the_recording_are_settings_of_the_server_process() -> None:
    with LocalAws(cloudtrail_lookups_per_second=math.inf, record_api_calls=False) as server, server.environ():
        boto3.client("iam").create_user(UserName="dave")
        cloudtrail = boto3.client("cloudtrail", config=NO_RETRIES)
        answers = [cloudtrail.lookup_events() for _ in range(12)]
        assert all(a["Events"] == [] for a in answers)


def test_a_bad_rate_is_refused_before_any_process_starts() -> None:
    with pytest.raises(ValueError, match="cloudtrail_lookups_per_second"):
        LocalAws(cloudtrail_lookups_per_second=0)
