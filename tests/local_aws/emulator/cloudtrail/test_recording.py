"""Which calls become events and what they look like (pure parts of the recorder)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from local_aws.emulator.cloudtrail import recording as rec
from local_aws.emulator.cloudtrail.events import HIDDEN, IdentityType, ManagementEvent, Resource, UserIdentity
from local_aws.emulator.cloudtrail.lookup import EventStore, parse_lookup_request


@pytest.mark.parametrize(
    ("operation", "read_only"),
    [
        ("CreateUser", False),
        ("AttachRolePolicy", False),
        ("RunInstances", False),
        ("ProvisionPermissionSet", False),
        ("DescribeInstances", True),
        ("ListUsers", True),
        ("GetAccountAuthorizationDetails", True),
        ("AssumeRole", True),
        ("GenerateCredentialReport", True),
        ("LookupEvents", True),
    ],
)
def test_read_only_classification(operation: str, read_only: bool) -> None:
    assert rec.is_read_only(operation) is read_only


def test_query_protocol_operation_and_parameters_come_from_the_form_body() -> None:
    environ = {"CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8", "QUERY_STRING": ""}
    body = b"Action=RunInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2&SubnetId=subnet-9"
    operation, params = rec.operation_of(environ, body) or ("", {})
    assert operation == "RunInstances"
    assert params == {"InstanceId.1": "i-1", "InstanceId.2": "i-2", "SubnetId": "subnet-9"}
    assert rec.resources_of("ec2", params) == (
        Resource("AWS::EC2::Instance", "i-1"),
        Resource("AWS::EC2::Instance", "i-2"),
        Resource("AWS::EC2::Subnet", "subnet-9"),
    )


def test_json_protocol_operation_comes_from_the_target_header() -> None:
    environ = {
        "CONTENT_TYPE": "application/x-amz-json-1.1",
        "HTTP_X_AMZ_TARGET": "SWBExternalService.CreatePermissionSet",
    }
    assert rec.operation_of(environ, b'{"Name": "Admins"}') == ("CreatePermissionSet", {"Name": "Admins"})
    assert rec.operation_of({"CONTENT_TYPE": "application/xml"}, b"<x/>") is None  # REST: not recorded


def test_global_services_are_delivered_to_us_east_1_and_sso_admin_signs_as_sso() -> None:
    assert rec.event_region("iam", "eu-west-1") == "us-east-1"
    assert rec.event_region("organizations", "eu-west-1") == "us-east-1"
    assert rec.event_region("ec2", "eu-west-1") == "eu-west-1"
    assert rec.event_source("sso") == "sso.amazonaws.com"


def test_a_recorded_call_hides_secrets_and_is_findable_by_the_session_name() -> None:
    identity = UserIdentity.from_arn(
        "arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/seed", access_key_id="ASIAKEY"
    )
    event = rec.event_for_call(
        account_id="111122223333",
        region="eu-west-1",
        service="iam",
        operation="CreateLoginProfile",
        params={"UserName": "alice", "Password": "hunter2"},
        identity=identity,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    record = json.loads(event.to_lookup_json()["CloudTrailEvent"])
    assert record["requestParameters"] == {"UserName": "alice", "Password": HIDDEN}
    assert record["awsRegion"] == "us-east-1" and event.region == "us-east-1"
    assert record["userIdentity"]["type"] == IdentityType.ASSUMED_ROLE.value
    assert (
        record["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"]
        == "OrganizationAccountAccessRole"
    )
    store = EventStore(b"k" * 32)
    store.add([event])
    request = parse_lookup_request(
        {"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "seed"}]}
    )
    page = store.lookup("111122223333", "us-east-1", request, datetime(2026, 1, 2, tzinfo=UTC))
    assert [e.event_id for e in page.events] == [event.event_id]


def test_the_wire_format_round_trips() -> None:
    event = ManagementEvent.create(
        account_id="111122223333",
        region="eu-west-1",
        event_name="AuthorizeSecurityGroupIngress",
        event_source="ec2.amazonaws.com",
        actor_arn="arn:aws:iam::111122223333:user/alice",
        access_key_id="AKIAEXAMPLE",
        resources=[Resource("AWS::EC2::SecurityGroup", "sg-1")],
        request_parameters={"GroupId": "sg-1"},
    )
    assert ManagementEvent.from_wire(event.to_wire()) == event
    assert event.username == "alice"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("accountId", "12345"),
        ("region", "mars-1"),
        ("eventName", ""),
        ("eventTime", "yesterday"),
        ("readOnly", "no"),
        ("resources", [{"ResourceType": "AWS::IAM::User"}]),
    ],
)
def test_a_bad_seeded_event_names_its_field(field: str, value: object) -> None:
    good = ManagementEvent.create(
        account_id="111122223333",
        region="eu-west-1",
        event_name="CreateUser",
        event_source="iam.amazonaws.com",
    ).to_wire()
    with pytest.raises(ValueError, match=f"events\\[3\\].{field}"):
        ManagementEvent.from_wire({**good, field: value}, "events[3]")


@pytest.mark.parametrize(
    ("arn", "kind", "username"),
    [
        ("arn:aws:iam::111122223333:user/path/alice", IdentityType.IAM_USER, "alice"),
        (
            "arn:aws:sts::111122223333:assumed-role/Admin/bob@example.com",
            IdentityType.ASSUMED_ROLE,
            "bob@example.com",
        ),
        ("arn:aws:iam::111122223333:root", IdentityType.ROOT, "root"),
    ],
)
def test_identity_kinds_and_lookup_usernames(arn: str, kind: IdentityType, username: str) -> None:
    identity = UserIdentity.from_arn(arn)
    assert (identity.type, identity.user_name, identity.account_id) == (kind, username, "111122223333")


def test_an_unknown_actor_arn_is_refused() -> None:
    with pytest.raises(ValueError, match=r"userIdentity\.arn"):
        UserIdentity.from_arn("arn:aws:iam::111122223333:group/admins")
