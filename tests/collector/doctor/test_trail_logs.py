"""doctor's trail-logs check (Stubber): the log prefix listed, one log file read, and what a denial names."""

from __future__ import annotations

import io
from typing import Any

from botocore.response import StreamingBody

from collector.doctor.checks import Target, TrailLogsCheck, _trail_logs_finding
from collector.doctor.report import Outcome
from collector.permissions import DEFAULT_FEATURES
from tests.collector.stubs import StubbedClients

ARCHIVE = "222233334444"
TARGET = Target(ARCHIVE, f"arn:aws:iam::{ARCHIVE}:role/ReadOnlyIntegration", DEFAULT_FEATURES, "member role")
CHECK = TrailLogsCheck("org-trail-logs", None, ARCHIVE)
ROOT = f"AWSLogs/o-a1b2c3d4e5/{ARCHIVE}/"
DAY = "us-east-1/2026/05/06"
STAMP = "20260506T110500Z"
DIGEST = f"{ROOT}CloudTrail-Digest/{DAY}/{ARCHIVE}_CloudTrail-Digest_us-east-1_t_us-east-1_{STAMP}.json.gz"
LOG = f"{ROOT}CloudTrail/{DAY}/{ARCHIVE}_CloudTrail_us-east-1_20260506T1105Z_Ab12Cd34Ef56Gh78.json.gz"


def _listing(*keys: str) -> dict[str, Any]:
    return {"Contents": [{"Key": k} for k in keys], "IsTruncated": False}


def test_the_prefix_is_listed_and_one_log_file_read() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response(
        "list_objects_v2",
        _listing(DIGEST, LOG),
        {"Bucket": "org-trail-logs", "Prefix": "AWSLogs/", "MaxKeys": 1000},
    )
    s3.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(b"\x1f"), 1)},
        {"Bucket": "org-trail-logs", "Key": LOG, "Range": "bytes=0-0"},
    )
    finding = _trail_logs_finding(TARGET, clients, CHECK, "us-east-1")  # type: ignore[arg-type]
    clients.assert_no_pending()
    assert finding.outcome is Outcome.OK and finding.check == "trail-logs" and LOG in finding.detail


def test_a_denied_read_names_what_the_role_lacks() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_response("list_objects_v2", _listing(LOG), None)
    s3.add_client_error("get_object", "AccessDenied", "denied by KMS", 403)
    finding = _trail_logs_finding(TARGET, clients, CHECK, "us-east-1")  # type: ignore[arg-type]
    assert finding.outcome is Outcome.PROBLEM
    assert "s3:GetObject under the log prefix, or kms:Decrypt" in finding.detail and LOG in finding.detail


def test_a_denied_listing_and_an_empty_prefix() -> None:
    clients = StubbedClients()
    s3 = clients.stub("s3")
    s3.add_client_error("list_objects_v2", "AccessDenied", "no", 403)
    denied = _trail_logs_finding(TARGET, clients, CHECK, "us-east-1")  # type: ignore[arg-type]
    assert denied.outcome is Outcome.PROBLEM and "s3:ListBucket" in denied.detail
    s3.add_response("list_objects_v2", _listing(DIGEST), None)
    empty = _trail_logs_finding(TARGET, clients, CHECK, "us-east-1")  # type: ignore[arg-type]
    assert empty.outcome is Outcome.NOTE and "no log file there yet" in empty.detail
