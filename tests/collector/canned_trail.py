"""Real-shaped CloudTrail log files: management, data and Insights records, gzip'd as CloudTrail does."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT

REGION = "eu-west-1"
AT = datetime(2026, 5, 6, 11, 0, tzinfo=UTC)
ORG = "o-a1b2c3d4e5"
PREFIX = f"AWSLogs/{ORG}/{ACCOUNT}/CloudTrail/{REGION}/"
KEY = f"{PREFIX}2026/05/06/{ACCOUNT}_CloudTrail_{REGION}_20260506T1105Z_Ab12Cd34Ef56Gh78.json.gz"


def management(event_id: str, *, name: str = "RunInstances", at: datetime = AT) -> dict[str, Any]:
    """A management event as CloudTrail writes it into a log file (the same one LookupEvents lists)."""
    detail: dict[str, Any] = json.loads(c.event(event_id, at, name=name)["CloudTrailEvent"])
    detail |= {
        "eventType": "AwsApiCall",
        "eventCategory": "Management",
        "requestParameters": {"instancesSet": {"items": [{"imageId": "ami-1"}]}},
        "resources": [
            {"ARN": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0e1", "type": "AWS::EC2::Instance"}
        ],
    }
    return detail


def data_event(event_id: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.10",
        "userIdentity": {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
        "eventTime": "2026-05-06T11:01:02Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": REGION,
        "readOnly": True,
        "eventID": event_id,
        "eventType": "AwsApiCall",
        "managementEvent": False,
        "eventCategory": "Data",
        "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::bucket/key"}],
    }


def insight(event_id: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "eventTime": "2026-05-06T11:00:00Z",
        "awsRegion": REGION,
        "eventID": event_id,
        "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": ACCOUNT,
        "sharedEventID": "s-1",
        "insightDetails": {"state": "Start", "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances"},
        "eventCategory": "Insight",
    }


def log_file(*records: dict[str, Any], indent: int | None = None) -> bytes:
    return gzip.compress(json.dumps({"Records": list(records)}, indent=indent).encode())


def file_key(prefix: str, stamp: str, unique: str = "Ab12Cd34Ef56Gh78", account: str = ACCOUNT) -> str:
    """A log file's key under a region prefix, for a delivery time like 20260506T1105Z."""
    day = f"{stamp[:4]}/{stamp[4:6]}/{stamp[6:8]}"
    return f"{prefix}{day}/{account}_CloudTrail_{REGION}_{stamp}_{unique}.json.gz"
