"""The trail discovery chose, as JSON (how the pipeline hands it from its discover step to each item)."""

from __future__ import annotations

import json

import pytest

from collector.services.cloudtrail.log_files import TrailLocation
from collector.services.cloudtrail.trails import TrailSource

ORG = TrailSource(
    trail_arn="arn:aws:cloudtrail:us-east-1:111111111111:trail/org",
    location=TrailLocation("logs-bucket", "ct", "o-abc123"),
    reader_role_arn="arn:aws:iam::222222222222:role/ReadOnly",
    bucket_region="us-east-1",
    organization=True,
    regions=None,
)
ACCOUNT = TrailSource(
    trail_arn="arn:aws:cloudtrail:eu-west-1:333333333333:trail/own",
    location=TrailLocation("own-bucket"),
    reader_role_arn="arn:aws:iam::333333333333:role/ReadOnly",
    bucket_region="eu-west-1",
    organization=False,
    regions=("eu-west-1",),
)


@pytest.mark.parametrize("trail", [ORG, ACCOUNT])
def test_a_trail_source_survives_json(trail: TrailSource) -> None:
    back = TrailSource.from_json(json.loads(json.dumps(trail.to_json())))
    assert back == trail
    assert back.covers("333333333333", "eu-west-1") and back.describe() == trail.describe()
    assert back.covers("444444444444", "ap-south-1") is trail.organization
