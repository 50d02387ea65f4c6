"""A synthetic customer account served in-process at botocore's boundary: IAM (benchmarks.synthetic_iam, with
AWS's paging), STS, EC2 (every listing answers one empty page) and CloudTrail (``events`` management events a
region, 50 a page, newest first). Every call sleeps ``latency`` seconds first: the round trip to AWS.

The collector's own code runs unchanged (sessions, recorder, rate limiter, fetchers, parsers, sinks); only
HTTP and response parsing are skipped. Thread-safe: one instance answers every account and thread.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

from benchmarks.synthetic_iam import Shape, SyntheticIam

PAGE = 50  # LookupEvents' maximum page


class SyntheticAccount:
    def __init__(self, shape: Shape, *, events_per_region: int, latency: float = 0.0) -> None:
        self.iam = SyntheticIam(shape, latency)
        self.events_per_region = events_per_region
        self.latency = latency
        self.now = datetime.now(UTC)

    def install(self, session: Any) -> None:
        self.iam.install(session)  # iam and sts
        session.register("before-call.ec2", self._ec2)
        session.register("before-call.cloudtrail", self._cloudtrail)

    @staticmethod
    def _ok(body: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://synthetic.invalid", 200, HTTPHeaders(), None), body

    def _ec2(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if self.latency:
            time.sleep(self.latency)
        # The operation's list members, empty: one page per listing, as in an account with few resources.
        members = model.output_shape.members if model.output_shape is not None else {}
        return self._ok({name: [] for name, shape in members.items() if shape.type_name == "list"})

    def _cloudtrail(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if self.latency:
            time.sleep(self.latency)
        raw = params.get("body") or b"{}"  # the JSON protocol's body, serialized
        body = json.loads(raw) if isinstance(raw, bytes | str) else raw
        start = int(body.get("NextToken") or 0)
        end = min(start + PAGE, self.events_per_region)
        events = [
            {
                "EventId": f"event-{i:06d}",
                "EventName": "RunInstances",
                "EventSource": "ec2.amazonaws.com",
                "EventTime": self.now - timedelta(minutes=i),
                "ReadOnly": "false",
                "Username": "alice",
                "Resources": [],
                "CloudTrailEvent": '{"awsRegion": "eu-west-1", "userIdentity": {"type": "IAMUser"}}',
            }
            for i in range(start, end)
        ]
        page: dict[str, Any] = {"Events": events}
        if end < self.events_per_region:
            page["NextToken"] = str(end)
        return self._ok(page)
