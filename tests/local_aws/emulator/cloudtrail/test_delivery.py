"""Trail log files delivered into the bucket on the real local AWS server: layout, names, contents, digests,
SSE-KMS, data events, what a trail covers, and that a second delivery writes only what is new."""

from __future__ import annotations

import gzip
import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from collector.services.cloudtrail import log_files
from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource
from local_aws.emulator.server import LocalAws

pytestmark = pytest.mark.e2e

ACCOUNT = "123456789012"  # moto's account for its placeholder keys
BUCKET = "trail-logs"
LOG_KEY = re.compile(
    rf"^logs/AWSLogs/{ACCOUNT}/CloudTrail/(?P<region>[a-z0-9-]+)/\d{{4}}/\d{{2}}/\d{{2}}/"
    rf"{ACCOUNT}_CloudTrail_(?P=region)_\d{{8}}T\d{{4}}Z_[A-Za-z0-9]{{16}}\.json\.gz$"
)
DIGEST_KEY = re.compile(
    rf"^logs/AWSLogs/{ACCOUNT}/CloudTrail-Digest/(?P<region>[a-z0-9-]+)/\d{{4}}/\d{{2}}/\d{{2}}/"
    rf"{ACCOUNT}_CloudTrail-Digest_(?P=region)_main_us-east-1_\d{{8}}T\d{{6}}Z\.json\.gz$"
)


def _events(count: int, region: str) -> list[ManagementEvent]:
    now = datetime.now(UTC)
    return [
        ManagementEvent.create(
            account_id=ACCOUNT,
            region=region,
            event_name="RunInstances",
            event_source="ec2.amazonaws.com",
            event_time=now - timedelta(minutes=i + 1),
            resources=[Resource("AWS::EC2::Instance", f"i-{i:017x}")],
        )
        for i in range(count)
    ]


def _trail(*, multi_region: bool = True, kms_key: str | None = None, start: bool = True) -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    cloudtrail = boto3.client("cloudtrail", region_name="us-east-1")
    extra: dict[str, Any] = {"KmsKeyId": kms_key} if kms_key else {}
    cloudtrail.create_trail(
        Name="main",
        S3BucketName=BUCKET,
        S3KeyPrefix="logs",
        IsMultiRegionTrail=multi_region,
        EnableLogFileValidation=True,
        **extra,
    )
    cloudtrail.put_event_selectors(
        TrailName="main", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    if start:
        cloudtrail.start_logging(Name="main")


def _keys() -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET)
    return [o["Key"] for o in listed.get("Contents", [])]


def _records(key: str) -> list[dict[str, Any]]:
    body: Any = boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()
    found: list[dict[str, Any]] = json.loads(gzip.decompress(body))["Records"]
    return found


def test_each_event_is_delivered_once_in_cloudtrails_layout(local_aws: LocalAws) -> None:
    key_id = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
    _trail(kms_key=key_id)
    seeded = [*_events(3, "eu-west-1"), *_events(2, "us-east-1")]
    local_aws.seed_cloudtrail_events(seeded)
    data = {
        "eventID": "data-1",
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "eu-west-1",
        "recipientAccountId": ACCOUNT,
        "managementEvent": False,
        "eventCategory": "Data",
    }
    assert local_aws.seed_data_events([data]) == 1

    delivered = local_aws.deliver_trail_logs()

    # The trail's own calls (CreateTrail, PutEventSelectors, StartLogging...) are events too.
    assert delivered["managementEvents"] >= 5 and delivered["dataEvents"] == 1
    keys = _keys()
    logs = [k for k in keys if LOG_KEY.match(k)]
    digests = [k for k in keys if DIGEST_KEY.match(k)]
    assert sorted(keys) == sorted(logs + digests), keys  # nothing else, every name as CloudTrail's
    assert {LOG_KEY.match(k)["region"] for k in logs} >= {"eu-west-1", "us-east-1"}  # type: ignore[index]
    ireland = [r for k in logs if "/eu-west-1/" in k for r in _records(k)]
    assert {r["eventID"] for r in ireland} >= {e.event_id for e in seeded[:3]} | {"data-1"}
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key=logs[0])
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"].endswith(key_id.split("/")[-1])
    # A digest lists its files with their SHA-256.
    digest = json.loads(
        gzip.decompress(boto3.client("s3").get_object(Bucket=BUCKET, Key=digests[0])["Body"].read())
    )
    assert digest["logFiles"] and all(f["hashAlgorithm"] == "SHA-256" for f in digest["logFiles"])
    # The collector's reader reads the files: management events only.
    body: Any = boto3.client("s3").get_object(Bucket=BUCKET, Key=next(k for k in logs if "/eu-west-1/" in k))[
        "Body"
    ]
    read = list(log_files.events(body, "k", account_id=ACCOUNT, region="eu-west-1", seen=set()))
    assert "data-1" not in {e.event_id for e in read} and {e.event_id for e in seeded[:3]} <= {
        e.event_id for e in read
    }

    # A second delivery writes only what is new.
    assert local_aws.deliver_trail_logs()["logFiles"] == 0
    later = _events(1, "eu-west-1")
    local_aws.seed_cloudtrail_events(later)
    assert local_aws.deliver_trail_logs() == {
        "logFiles": 1,
        "digestFiles": 1,
        "managementEvents": 1,
        "dataEvents": 0,
    }
    new = sorted(set(_keys()) - set(keys))
    assert [r["eventID"] for k in new if LOG_KEY.match(k) for r in _records(k)] == [later[0].event_id]


def test_a_trail_delivers_only_while_logging_and_only_its_regions(local_aws: LocalAws) -> None:
    _trail(multi_region=False, start=False)
    local_aws.seed_cloudtrail_events([*_events(2, "eu-west-1"), *_events(2, "us-east-1")])
    assert local_aws.deliver_trail_logs()["logFiles"] == 0  # not logging
    boto3.client("cloudtrail", region_name="us-east-1").start_logging(Name="main")
    local_aws.deliver_trail_logs()
    regions = {LOG_KEY.match(k)["region"] for k in _keys() if LOG_KEY.match(k)}  # type: ignore[index]
    assert regions == {"us-east-1"}  # a single-region trail: its home region only


def test_periodic_delivery() -> None:
    with LocalAws(cloudtrail_delivery_seconds=0.5) as server, server.environ():
        _trail()
        server.seed_cloudtrail_events(_events(1, "eu-west-1"))
        deadline = time.monotonic() + 20
        while not any("/eu-west-1/" in k for k in _keys()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert any("/eu-west-1/" in k and LOG_KEY.match(k) for k in _keys())


def test_a_bad_data_event_is_refused(local_aws: LocalAws) -> None:
    with pytest.raises(Exception, match="recipientAccountId"):
        local_aws.seed_data_events([{"eventID": "x"}])
