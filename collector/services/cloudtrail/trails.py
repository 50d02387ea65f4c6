"""Which trail's log files can replace LookupEvents: DescribeTrails and GetEventSelectors -> a choice. Pure.

A trail qualifies when it delivers to S3 and its files hold every management event (read and write): a
basic event selector with ``IncludeManagementEvents`` and ``ReadWriteType`` All, or an advanced selector
that selects ``eventCategory`` Management without narrowing it further. An organization trail (it covers
every account of the organization) wins over an account's own, a multi-region trail over a single-region one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from collector.services.cloudtrail.log_files import TrailLocation


class Source(StrEnum):
    """Where the cloudtrail fetcher reads management events (``--cloudtrail-source``)."""

    LOOKUP = "lookup"  # LookupEvents: no setup, 2 requests a second per account and region
    S3 = "s3"  # the trail's log files: a trail and a read grant on its bucket (CloudTrailLogs)
    AUTO = (
        "auto"  # the trail's files where a trail delivers them and the role may read them, else LookupEvents
    )


@dataclass(frozen=True)
class Trail:
    """One trail as DescribeTrails lists it (shadow trails of other regions included)."""

    arn: str
    name: str
    home_region: str
    bucket: str | None
    prefix: str
    organization: bool
    multi_region: bool
    kms_key_id: str | None = None

    @property
    def account_id(self) -> str:
        """The account the trail belongs to (the management account for an organization trail)."""
        return self.arn.split(":")[4]


def trails(response: Mapping[str, Any]) -> list[Trail]:
    """DescribeTrails' ``trailList`` as trails (each once: a shadow trail has the same ARN)."""
    found: dict[str, Trail] = {}
    for item in response.get("trailList") or ():
        found.setdefault(
            item["TrailARN"],
            Trail(
                arn=item["TrailARN"],
                name=item["Name"],
                home_region=item["HomeRegion"],
                bucket=item.get("S3BucketName") or None,
                prefix=(item.get("S3KeyPrefix") or "").strip("/"),
                organization=bool(item.get("IsOrganizationTrail")),
                multi_region=bool(item.get("IsMultiRegionTrail")),
                kms_key_id=item.get("KmsKeyId") or None,
            ),
        )
    return list(found.values())


def _advanced_selects_all_management(selector: Mapping[str, Any]) -> bool:
    fields = {f["Field"]: f for f in selector.get("FieldSelectors") or ()}
    category = fields.get("eventCategory", {})
    if category.get("Equals") != ["Management"]:
        return False
    # Any other field (readOnly, eventSource exclusions...) leaves some management events out.
    return set(fields) == {"eventCategory"}


def delivers_management_events(response: Mapping[str, Any]) -> bool:
    """Whether GetEventSelectors says the trail's files hold every management event."""
    for selector in response.get("EventSelectors") or ():
        if (
            selector.get("IncludeManagementEvents", True)
            and selector.get("ReadWriteType", "All") == "All"
            and not selector.get("ExcludeManagementEventSources")
        ):
            return True
    return any(_advanced_selects_all_management(s) for s in response.get("AdvancedEventSelectors") or ())


def choose(candidates: Iterable[Trail]) -> Trail | None:
    """The trail to read: organization first, then multi-region, then by ARN (a stable choice)."""
    usable = [t for t in candidates if t.bucket]
    if not usable:
        return None
    return min(usable, key=lambda t: (not t.organization, not t.multi_region, t.arn))


@dataclass(frozen=True)
class TrailSource:
    """The trail a run reads, where its files are, and whose role reads them (run-wide, pure data)."""

    trail_arn: str
    location: TrailLocation
    reader_role_arn: str  # the role that reads the bucket (the log-archive account's for an organization)
    bucket_region: str
    organization: bool
    regions: tuple[str, ...] | None  # None: every region (a multi-region trail)

    def covers(self, account_id: str, region: str) -> bool:
        if not self.organization and account_id != self.trail_arn.split(":")[4]:
            return False
        return self.regions is None or region in self.regions

    def describe(self) -> str:
        return f"s3://{self.location.bucket}/{self.location.logs_root()} (trail {self.trail_arn})"

    def to_json(self) -> dict[str, Any]:
        """As JSON (the pipeline carries discovery's choice from its discover step to each collect step)."""
        return {
            "trail_arn": self.trail_arn,
            "bucket": self.location.bucket,
            "prefix": self.location.prefix,
            "organization_id": self.location.organization_id,
            "reader_role_arn": self.reader_role_arn,
            "bucket_region": self.bucket_region,
            "organization": self.organization,
            "regions": None if self.regions is None else list(self.regions),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrailSource:
        regions = data["regions"]
        return cls(
            trail_arn=data["trail_arn"],
            location=TrailLocation(data["bucket"], data["prefix"], data["organization_id"]),
            reader_role_arn=data["reader_role_arn"],
            bucket_region=data["bucket_region"],
            organization=bool(data["organization"]),
            regions=None if regions is None else tuple(regions),
        )


def organization_id_in(common_prefixes: Sequence[Mapping[str, Any]], logs_root: str) -> str | None:
    """The organization ID folder under ``AWSLogs/`` (an organization trail's files are below it)."""
    for each in common_prefixes:
        name = str(each.get("Prefix", ""))[len(logs_root) :].strip("/")
        if name.startswith("o-"):
            return name
    return None
