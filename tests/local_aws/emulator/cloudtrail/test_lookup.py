"""LookupEvents rules and paging, on the pure store (no server): every documented rule fails when broken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource
from local_aws.emulator.cloudtrail.lookup import (
    LOOKUP_ATTRIBUTE_KEYS,
    CloudTrailError,
    DuplicateEventError,
    EventStore,
    parse_lookup_request,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT, REGION = "111122223333", "eu-west-1"


def event(minutes_ago: float, name: str = "CreateUser", **kwargs) -> ManagementEvent:
    return ManagementEvent.create(
        account_id=kwargs.pop("account_id", ACCOUNT),
        region=kwargs.pop("region", REGION),
        event_name=name,
        event_source=kwargs.pop("event_source", "iam.amazonaws.com"),
        event_time=NOW - timedelta(minutes=minutes_ago),
        **kwargs,
    )


def store_with(*events: ManagementEvent) -> EventStore:
    store = EventStore(token_key=b"k" * 32)
    store.add(events)
    return store


def all_pages(
    store: EventStore, body: dict[str, Any], account: str = ACCOUNT, region: str = REGION
) -> list[list[str]]:
    pages, token = [], None
    while True:
        request = parse_lookup_request({**body, **({"NextToken": token} if token else {})})
        page = store.lookup(account, region, request, NOW)
        pages.append([e.event_id for e in page.events])
        token = page.next_token
        if token is None:
            return pages


def error_code(body: dict[str, Any]) -> str:
    with pytest.raises(CloudTrailError) as raised:
        parse_lookup_request(body)
    return raised.value.code


def test_pages_hold_fifty_newest_first_and_cover_every_event_once() -> None:
    events = [event(i) for i in range(120)]
    pages = all_pages(store_with(*reversed(events)), {})
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [i for p in pages for i in p] == [e.event_id for e in events]  # events[0] is the newest


def test_max_results_sets_the_page_size() -> None:
    pages = all_pages(store_with(*(event(i) for i in range(7))), {"MaxResults": 3})
    assert [len(p) for p in pages] == [3, 3, 1]


@pytest.mark.parametrize("bad", [0, 51, -1, "10", 2.5, True])
def test_max_results_outside_1_to_50_is_rejected(bad: object) -> None:
    assert error_code({"MaxResults": bad}) == "InvalidMaxResultsException"


def test_same_instant_events_are_ordered_by_id_and_paged_without_loss() -> None:
    same = [event(0) for _ in range(5)]
    pages = all_pages(store_with(*same), {"MaxResults": 2})
    assert sorted(i for p in pages for i in p) == sorted(e.event_id for e in same)
    assert [len(p) for p in pages] == [2, 2, 1]


def test_events_older_than_90_days_are_gone_even_when_asked_for() -> None:
    old = event(minutes_ago=60 * 24 * 91)
    recent = event(minutes_ago=60 * 24 * 89)
    store = store_with(old, recent)
    body = {"StartTime": (NOW - timedelta(days=365)).timestamp()}
    assert all_pages(store, body) == [[recent.event_id]]


def test_start_and_end_time_are_inclusive_bounds() -> None:
    inside_start, middle, inside_end, outside = event(30), event(20), event(10), event(5)
    store = store_with(inside_start, middle, inside_end, outside)
    body = {
        "StartTime": inside_start.event_time.timestamp(),
        "EndTime": inside_end.event_time.timestamp(),
    }
    assert all_pages(store, body) == [[inside_end.event_id, middle.event_id, inside_start.event_id]]


def test_start_after_end_is_an_invalid_time_range() -> None:
    body = {"StartTime": NOW.timestamp(), "EndTime": (NOW - timedelta(seconds=1)).timestamp()}
    assert error_code(body) == "InvalidTimeRangeException"


def test_a_timestamp_that_is_not_epoch_seconds_is_a_serialization_error() -> None:
    assert error_code({"StartTime": "yesterday"}) == "SerializationException"


def test_two_lookup_attributes_are_rejected() -> None:
    body = {
        "LookupAttributes": [
            {"AttributeKey": "EventName", "AttributeValue": "CreateUser"},
            {"AttributeKey": "Username", "AttributeValue": "root"},
        ]
    }
    assert error_code(body) == "InvalidLookupAttributesException"


@pytest.mark.parametrize(
    "attribute",
    [
        {"AttributeKey": "UserName", "AttributeValue": "x"},  # keys are case-sensitive
        {"AttributeKey": "EventName", "AttributeValue": ""},
        {"AttributeKey": "EventName", "AttributeValue": "x" * 2001},
        {"AttributeKey": "EventName"},
    ],
)
def test_a_bad_lookup_attribute_is_rejected(attribute: dict[str, str]) -> None:
    assert error_code({"LookupAttributes": [attribute]}) == "InvalidLookupAttributesException"


def test_insight_lookups_accept_only_their_three_attributes_and_return_no_management_events() -> None:
    body = {
        "EventCategory": "insight",
        "LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "x"}],
    }
    assert error_code(body) == "InvalidLookupAttributesException"
    assert error_code({"EventCategory": "management"}) == "InvalidEventCategoryException"
    assert all_pages(store_with(event(1)), {"EventCategory": "insight"}) == [[]]


def test_every_documented_attribute_selects_its_event() -> None:
    target = event(
        1,
        "RunInstances",
        event_source="ec2.amazonaws.com",
        actor_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice-session",
        access_key_id="ASIAEXAMPLEKEY000001",
        read_only=True,
        resources=[Resource("AWS::EC2::Instance", "i-0123456789abcdef0")],
    )
    noise = [event(2), event(3, "DeleteUser"), event(4, actor_arn=f"arn:aws:iam::{ACCOUNT}:user/bob")]
    store = store_with(target, *noise)
    values = {
        "EventId": target.event_id,
        "EventName": "RunInstances",
        "ReadOnly": "true",
        "Username": "alice-session",
        "ResourceType": "AWS::EC2::Instance",
        "ResourceName": "i-0123456789abcdef0",
        "EventSource": "ec2.amazonaws.com",
        "AccessKeyId": "ASIAEXAMPLEKEY000001",
    }
    assert set(values) == set(LOOKUP_ATTRIBUTE_KEYS)
    for key, value in values.items():
        body = {"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]}
        assert all_pages(store, body) == [[target.event_id]], key


def test_a_token_is_valid_only_with_the_parameters_that_produced_it() -> None:
    store = store_with(*(event(i) for i in range(5)))
    by_name = {
        "MaxResults": 2,
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}],
    }
    token = store.lookup(ACCOUNT, REGION, parse_lookup_request(by_name), NOW).next_token
    assert token
    for changed in (
        {"MaxResults": 2, "NextToken": token},  # attribute dropped
        {**by_name, "NextToken": token, "StartTime": (NOW - timedelta(days=1)).timestamp()},
        {**by_name, "NextToken": token, "EndTime": NOW.timestamp()},
    ):
        with pytest.raises(CloudTrailError) as raised:
            store.lookup(ACCOUNT, REGION, parse_lookup_request(changed), NOW)
        assert raised.value.code == "InvalidNextTokenException"
    # Another account or region may not continue it either; the same parameters may (page size may change).
    with pytest.raises(CloudTrailError):
        store.lookup(ACCOUNT, "us-east-1", parse_lookup_request({**by_name, "NextToken": token}), NOW)
    page = store.lookup(
        ACCOUNT, REGION, parse_lookup_request({**by_name, "MaxResults": 3, "NextToken": token}), NOW
    )
    assert len(page.events) == 3


@pytest.mark.parametrize("token", ["not-a-token", "", "AAAA", "eyJ9"])
def test_a_forged_or_garbled_token_is_rejected(token: str) -> None:
    store = store_with(event(1))
    with pytest.raises(CloudTrailError) as raised:
        store.lookup(ACCOUNT, REGION, parse_lookup_request({"NextToken": token}), NOW)
    assert raised.value.code == "InvalidNextTokenException"


def test_paging_keeps_the_first_calls_window_when_events_arrive_meanwhile() -> None:
    first = [event(10 + i) for i in range(4)]  # 10..13 minutes ago
    store = store_with(*first)
    page = store.lookup(ACCOUNT, REGION, parse_lookup_request({"MaxResults": 2}), NOW)
    later = NOW + timedelta(minutes=5)  # the next page is asked for later; meanwhile two events arrived
    newer, late_delivered = event(-2), event(12.5)
    store.add([newer, late_delivered])
    token = page.next_token
    rest = store.lookup(ACCOUNT, REGION, parse_lookup_request({"MaxResults": 50, "NextToken": token}), later)
    listed = [e.event_id for e in page.events + rest.events]
    assert newer.event_id not in listed  # after the window pinned by the first call
    assert sorted(listed) == sorted([e.event_id for e in first] + [late_delivered.event_id])
    assert len(set(listed)) == len(listed)


def test_accounts_and_regions_are_separate() -> None:
    mine, other_region, other_account = (
        event(1),
        event(1, region="us-east-1"),
        event(1, account_id="444455556666"),
    )
    store = store_with(mine, other_region, other_account)
    assert all_pages(store, {}) == [[mine.event_id]]
    assert all_pages(store, {}, region="us-east-1") == [[other_region.event_id]]


def test_duplicate_event_ids_are_refused_and_nothing_of_the_batch_is_stored() -> None:
    existing = event(1)
    store = store_with(existing)
    with pytest.raises(DuplicateEventError):
        store.add([event(2), existing])
    assert len(store.events(ACCOUNT, REGION)) == 1
