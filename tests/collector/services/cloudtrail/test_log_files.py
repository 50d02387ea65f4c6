"""A trail's log files: streamed reading, what is skipped, de-duplication, keys and the listing's start."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from collector.services.cloudtrail import log_files, parse
from collector.services.cloudtrail.log_files import MalformedLogFileError, TrailLocation
from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT
from tests.collector.canned_trail import (
    AT,
    KEY,
    ORG,
    PREFIX,
    REGION,
    data_event,
    insight,
    log_file,
    management,
)


def read(body: bytes, seen: log_files.EventIds | None = None, key: str = KEY) -> list[Any]:
    return list(
        log_files.events(
            io.BytesIO(body), key, account_id=ACCOUNT, region=REGION, seen=set() if seen is None else seen
        )
    )


def test_the_same_record_as_lookup_events() -> None:
    record = management("e-1")
    [from_file] = read(log_file(record))
    listed = c.event("e-1", AT)
    listed["CloudTrailEvent"] = json.dumps(record)
    listed["Resources"] = [
        {"ResourceType": "AWS::EC2::Instance", "ResourceName": record["resources"][0]["ARN"]}
    ]
    from_lookup = parse.event(ACCOUNT, REGION, listed)
    assert from_file == from_lookup  # every column
    assert from_file.raw == from_lookup.raw  # and the raw JSON, field for field
    assert from_file.username == "alice" and from_file.access_key_id == "ASIAEXAMPLE"


def test_data_events_and_insights_are_skipped() -> None:
    tally = log_files.FileTally()
    body = log_file(management("e-1"), data_event("d-1"), insight("i-1"), management("e-2"))
    found = list(
        log_files.events(io.BytesIO(body), KEY, account_id=ACCOUNT, region=REGION, seen=set(), tally=tally)
    )
    assert [e.event_id for e in found] == ["e-1", "e-2"]
    assert (tally.management, tally.skipped, tally.duplicates) == (2, 2, 0)


def test_a_data_event_is_told_by_either_field() -> None:
    only_flag = data_event("d-1")
    del only_flag["eventCategory"]
    only_category = data_event("d-2")
    del only_category["managementEvent"]
    network = management("n-1") | {"eventCategory": "NetworkActivity", "managementEvent": False}
    old = management("m-1")
    del old["managementEvent"], old["eventCategory"]  # before event version 1.06: a management event
    assert [e.event_id for e in read(log_file(only_flag, only_category, network, old))] == ["m-1"]


def test_duplicates_across_files_are_read_once() -> None:
    seen: set[str] = set()
    first = read(log_file(management("e-1"), management("e-2")), seen)
    second = read(log_file(management("e-2"), management("e-3")), seen)
    assert [e.event_id for e in first + second] == ["e-1", "e-2", "e-3"]


def test_event_ids_are_kept_only_for_the_files_within_the_horizon() -> None:
    """The de-duplication remembers the files of the last 15 minutes, not every event of the scope."""
    seen = log_files.RecentEventIds(timedelta(minutes=15))
    day = datetime(2026, 5, 6, tzinfo=UTC)
    read_ids: list[str] = []
    sizes: list[int] = []
    for minute in range(0, 120, 5):  # a file every 5 minutes for 2 hours, 50 events each
        seen.start_file(day + timedelta(minutes=minute))
        ids = [f"e-{minute}-{i}" for i in range(50)]
        if minute:
            ids.append(f"e-{minute - 5}-0")  # delivered again 5 minutes later: read once
        read_ids += [e.event_id for e in read(log_file(*(management(i) for i in ids)), seen)]
        sizes.append(len(seen))
    assert len(read_ids) == len(set(read_ids)) == 24 * 50
    assert max(sizes) == 4 * 50  # this file and the three of the 15 minutes before it, never more

    # A copy delivered after the horizon is read again (as across runs); the store keeps one row per ID.
    seen.start_file(day + timedelta(hours=3))
    assert [e.event_id for e in read(log_file(management("e-115-0"), management("e-0-0")), seen)] == [
        "e-115-0",
        "e-0-0",
    ]
    assert len(seen) == 2


def test_a_file_larger_than_the_chunks_streams_record_by_record(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny chunks put every boundary inside a record, a string, a number and between records.
    monkeypatch.setattr(log_files, "CHUNK", 7)
    records = [management(f"e-{i}") for i in range(40)]
    assert [e.event_id for e in read(log_file(*records, indent=2))] == [f"e-{i}" for i in range(40)]


def test_records_are_yielded_before_the_file_is_read_to_its_end() -> None:
    body = log_file(*[management(f"e-{i}") for i in range(2000)])
    stream = io.BytesIO(body)
    first = next(log_files.records(stream, KEY))
    assert first["eventID"] == "e-0"
    assert stream.tell() < len(body)  # the gzip stream was not consumed whole


def test_other_members_and_an_empty_file() -> None:
    body = gzip.compress(b'{"Version": 1.5, "Records": [], "Extra": {"a": [1, 2]}}  \n')
    assert read(body) == []


def test_a_truncated_gzip_names_the_key_after_the_records_before_the_cut() -> None:
    body = log_file(*[management(f"e-{i}") for i in range(500)])
    got: list[str] = []
    with pytest.raises(MalformedLogFileError, match="truncated gzip") as raised:
        for found in log_files.events(
            io.BytesIO(body[: len(body) // 2]), KEY, account_id=ACCOUNT, region=REGION, seen=set()
        ):
            got.append(found.event_id)
    assert raised.value.key == KEY and KEY in str(raised.value)
    assert 0 < len(got) < 500 and got == [f"e-{i}" for i in range(len(got))]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not gzip at all", "not a gzip file"),
        (gzip.compress(b'{"Records": [{"eventID": "x"'), "invalid JSON"),
        (gzip.compress(b'{"Records": [1]}'), "record 0 is not a JSON object"),
        (gzip.compress(b'{"Records": []} trailing'), "text after the end"),
        (gzip.compress(b'{"Other": []}'), 'no "Records" array'),
        (gzip.compress(b"[]"), "expected '{'"),
        (gzip.compress(b'{"Records": [{"eventID": "\xff"}]}'), "not UTF-8"),
        (gzip.compress(b'{"Records": [{"eventID": "x"}]}'), "record 0 is not a CloudTrail event"),
    ],
)
def test_a_malformed_file_is_an_error_naming_the_key(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedLogFileError, match=reason) as raised:
        read(body)
    assert raised.value.key == KEY


def test_a_broken_record_is_not_read_whole_into_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_files, "CHUNK", 1024)
    monkeypatch.setattr(log_files, "MAX_RECORD_CHARS", 4096)
    body = gzip.compress(b'{"Records": [{"eventID": "' + b"a" * 1_000_000 + b'"}]}')
    stream = io.BytesIO(body)
    with pytest.raises(MalformedLogFileError, match="invalid JSON"):
        list(log_files.records(stream, KEY))


# --- keys ---------------------------------------------------------------------------------------------------


def test_the_key_layout_with_and_without_prefix_and_organization() -> None:
    assert TrailLocation("b").region_prefix(ACCOUNT, REGION) == f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/"
    assert TrailLocation("b", "logs/ct/", ORG).region_prefix(ACCOUNT, REGION) == f"logs/ct/{PREFIX}"
    assert TrailLocation("b", "logs").logs_root() == "logs/AWSLogs/"


def test_log_files_digests_and_insights() -> None:
    assert log_files.is_log_file(KEY, PREFIX)
    digest = (
        f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail-Digest/{REGION}/2026/05/06/"
        f"{ACCOUNT}_CloudTrail-Digest_{REGION}_org-trail_us-east-1_20260506T110500Z.json.gz"
    )
    insight_key = KEY.replace("/CloudTrail/", "/CloudTrail-Insight/").replace(
        "_CloudTrail_", "_CloudTrail-Insight_"
    )
    assert not log_files.is_log_file(digest, PREFIX)
    assert not log_files.is_log_file(insight_key, insight_key.rsplit("/", 4)[0] + "/")
    assert not log_files.is_log_file(f"{PREFIX}2026/05/06/readme.txt", PREFIX)
    other_account = KEY.replace(f"/{ACCOUNT}_", "/210987654321_")
    assert not log_files.is_log_file(other_account, PREFIX)
    assert log_files.stamp_of(KEY) == datetime(2026, 5, 6, 11, 5, tzinfo=UTC)
    assert log_files.stamp_of(digest) is None


def test_a_first_run_lists_from_the_look_back_day() -> None:
    now = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
    first = log_files.start_after(
        PREFIX, ACCOUNT, REGION, mark=None, now=now, lookback=timedelta(days=7), overlap=timedelta(minutes=15)
    )
    assert first == f"{PREFIX}2026/04/29/"
    assert first < f"{PREFIX}2026/04/29/{ACCOUNT}_CloudTrail_{REGION}_20260429T0000Z_a.json.gz"


def test_a_later_run_lists_from_the_mark_less_the_overlap_across_midnight() -> None:
    mark = KEY.replace("2026/05/06", "2026/05/07").replace("20260506T1105Z", "20260507T0005Z")
    later = log_files.start_after(
        PREFIX,
        ACCOUNT,
        REGION,
        mark=mark,
        now=datetime(2026, 5, 7, 1, tzinfo=UTC),
        lookback=timedelta(days=7),
        overlap=timedelta(minutes=15),
    )
    assert later == f"{PREFIX}2026/05/06/{ACCOUNT}_CloudTrail_{REGION}_20260506T2350Z"
    late = f"{PREFIX}2026/05/06/{ACCOUNT}_CloudTrail_{REGION}_20260506T2355Z_zz.json.gz"
    assert later < late < mark
    assert log_files.in_overlap(late, mark, timedelta(minutes=15))
    assert not log_files.in_overlap(KEY, mark, timedelta(minutes=15))


def test_a_mark_of_another_prefix_starts_over_from_the_look_back() -> None:
    now = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
    found = log_files.start_after(
        "other/" + PREFIX,
        ACCOUNT,
        REGION,
        mark=KEY,
        now=now,
        lookback=timedelta(days=1),
        overlap=timedelta(0),
    )
    assert found == f"other/{PREFIX}2026/05/05/"
