"""EC2 calls per account and region through the real collector, against regions answered in-process at
botocore's boundary (AWS's paging: ``MaxResults`` and ``NextToken``), each call sleeping ``latency`` first.

Prints one JSON line per case: an empty region (only what AWS creates is absent too: every listing answers
an empty page), and a region with owned snapshots and AMIs, launch templates, endpoint services and transit
gateways, at the collector's default rate (10 calls a second per operation, account and region) and unpaced.
The per-resource calls (a snapshot's or an AMI's shares, a service's allowed principals) run 4 at a time
within that rate.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import botocore.session
from botocore.awsrequest import AWSResponse, HTTPHeaders

from benchmarks.iam_scale import _offline_environment
from benchmarks.synthetic_iam import ACCOUNT, Shape, SyntheticIam
from collector.models import ScopeStatus
from collector.runner import execute, prepare
from collector.services.ec2 import listings
from collector.settings import RunSettings
from collector.store import SqliteStore
from local_aws.emulator.ec2 import xml_answer

REGION = "eu-west-1"


@dataclass(frozen=True)
class RegionShape:
    snapshots: int = 0
    images: int = 0
    templates: int = 0
    services: int = 0
    gateways: int = 0

    def items(self, operation: str) -> list[dict[str, Any]]:
        """The listed items of one operation (the others list nothing)."""
        made: dict[str, Callable[[int], dict[str, Any]]] = {
            "DescribeSnapshots": lambda i: {"SnapshotId": f"snap-{i:08d}", "OwnerId": ACCOUNT},
            "DescribeImages": lambda i: {"ImageId": f"ami-{i:08d}", "OwnerId": ACCOUNT},
            "DescribeLaunchTemplates": lambda i: {
                "LaunchTemplateId": f"lt-{i:08d}",
                "LaunchTemplateName": f"t{i}",
                "DefaultVersionNumber": 1,
                "LatestVersionNumber": 2,
            },
            "DescribeVpcEndpointServiceConfigurations": lambda i: {"ServiceId": f"vpce-svc-{i:08d}"},
            "DescribeTransitGateways": lambda i: {"TransitGatewayId": f"tgw-{i:08d}"},
        }
        size = {
            "DescribeSnapshots": self.snapshots,
            "DescribeImages": self.images,
            "DescribeLaunchTemplates": self.templates,
            "DescribeVpcEndpointServiceConfigurations": self.services,
            "DescribeTransitGateways": self.gateways,
        }
        if operation == "DescribeRegions":  # discovery: the region is enabled (else its scope is skipped)
            return [{"RegionName": REGION, "OptInStatus": "opt-in-not-required"}]
        if operation == "DescribeLaunchTemplateVersions":  # $Default and $Latest of every template
            return [
                {"LaunchTemplateId": f"lt-{i:08d}", "VersionNumber": v, "LaunchTemplateData": {}}
                for i in range(self.templates)
                for v in (1, 2)
            ]
        if operation == "DescribeTransitGatewayRouteTables":
            return [
                {"TransitGatewayRouteTableId": f"tgw-rtb-{i:08d}", "TransitGatewayId": f"tgw-{i:08d}"}
                for i in range(self.gateways)
            ]
        return [made[operation](i) for i in range(size[operation])] if operation in made else []


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


class SyntheticEc2:
    """Answers EC2 requests at ``before-send``, after the collector's pacer: pacing applies as on the wire."""

    def __init__(self, shape: RegionShape, latency: float) -> None:
        self.shape = shape
        self.latency = latency
        self._items: dict[str, list[dict[str, Any]]] = {}
        self._model = botocore.session.get_session().get_service_model("ec2")

    def install(self, session: Any) -> None:
        session.register("before-send.ec2", self._answer)

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        if self.latency:
            time.sleep(self.latency)
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        params = {k: v[0] for k, v in parse_qs(body).items()}
        operation = params["Action"]
        shape = self._model.operation_model(operation).output_shape
        members = shape.members if shape is not None else {}
        lists = [name for name, member in members.items() if member.type_name == "list"]
        page: dict[str, Any] = {}
        if lists and not operation.startswith(("Get", "DescribeSnapshotAttribute", "DescribeImageAttribute")):
            items = self._items.setdefault(operation, self.shape.items(operation))
            start = int(params.get("NextToken") or 0)
            size = int(params.get("MaxResults") or len(items) or 1)
            page = {lists[0]: items[start : start + size]}
            if start + size < len(items):
                page["NextToken"] = str(start + size)
        headers = HTTPHeaders()
        headers["Content-Type"] = "text/xml"
        return AWSResponse(request.url, 200, headers, _Raw(xml_answer(operation, page)))


def run(shape: RegionShape, latency: float, rate: float | None) -> dict[str, Any]:
    _offline_environment()
    iam, region = SyntheticIam(Shape.for_roles(1)), SyntheticEc2(shape, latency)

    def install(session: Any) -> None:
        iam.install(session)  # STS, for the role
        region.install(session)

    settings = RunSettings(
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/Reader",
        external_id="bench-external-id",
        regions=(REGION,),
        fetchers=("ec2",),
    )
    if rate:
        settings = replace(settings, api_rate=rate)
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.sqlite") as store:
        started = time.perf_counter()
        manifest = execute(prepare(settings, prepare_session=install), store, state=store)
        wall = time.perf_counter() - started
    # Every scope read (a skipped scope counts as complete, and would measure nothing).
    assert {s.status for s in manifest.scopes} == {ScopeStatus.COMPLETE}, [s.detail for s in manifest.scopes]
    # The region's own calls: discovery's DescribeRegions is one per account, not per region.
    calls = Counter(
        {
            c.operation: c.calls
            for c in manifest.api_calls
            if c.service == "ec2" and c.operation != "DescribeRegions"
        }
    )
    follow_ups = {listings.api_name(d.details.call.operation) for d in listings.DETAILED}
    return {
        "shape": shape.__dict__,
        "rate": rate or "default",
        "calls": sum(calls.values()),
        "follow_up_calls": sum(calls[op] for op in follow_ups),
        "calls_by_operation": {op: n for op, n in calls.items() if n > 1},  # the others: one call each
        "wall_seconds": round(wall, 2),
    }


CASES = (
    (RegionShape(), None),
    (RegionShape(snapshots=120, images=40, templates=250, services=3, gateways=2), None),
    (RegionShape(snapshots=120, images=40, templates=250, services=3, gateways=2), 1_000_000.0),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every EC2 call")
    args = parser.parse_args(argv)
    for shape, rate in CASES:
        json.dump(run(shape, args.latency, rate), sys.stdout)
        sys.stdout.write("\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
