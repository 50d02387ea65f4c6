"""Trail log files on the local AWS: every recorded management event is delivered into its trails' buckets.

moto has trails (CreateTrail, DescribeTrails, event selectors, StartLogging) and S3, but never writes a log
file. This delivers them as CloudTrail does (documented layout and names):

- a trail that is logging delivers, per account and region it covers, the events recorded since its last
  delivery, as gzip'd JSON ``{"Records": [...]}`` files (at most ``events_per_file`` records each) under
  ``[<prefix>/]AWSLogs/[<organization-id>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`` named
  ``<account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<16 letters and digits>.json.gz``;
- an organization trail covers every account of its organization, a multi-region trail every region, any
  other trail its own account and home region; management events only when its event selectors include
  them (no selector: CloudTrail's default, every management event);
- with log file validation on, a digest file per delivery, account and region under ``CloudTrail-Digest/``
  listing each file with its SHA-256 (the digest is not signed: there is no CloudTrail key here);
- SSE-KMS with the trail's key (``KmsKeyId``), as CloudTrail encrypts.

Data events are seeded (``POST /local-aws/cloudtrail/data-events``, raw CloudTrail records with
``recipientAccountId`` and ``awsRegion``) and written into the same files, so a reader's filter is exercised.
Deliveries happen every ``interval`` seconds on a background thread and at once on
``POST /local-aws/cloudtrail/deliver`` (what tests use). Objects are written through moto's S3 backend,
as CloudTrail writes with its own service principal, not the caller's.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import string
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.cloudtrail.models import cloudtrail_backends
from moto.organizations.models import organizations_backends
from moto.s3.models import s3_backends

from local_aws.emulator.cloudtrail.lookup import EventStore

DEFAULT_EVENTS_PER_FILE = 500
_UNIQUE_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class TrailView:
    """What delivery needs of one moto trail."""

    arn: str
    name: str
    account_id: str
    home_region: str
    bucket: str
    prefix: str
    organization: bool
    multi_region: bool
    kms_key_id: str | None
    log_validation: bool
    management_events: bool


def logs_root(prefix: str, organization_id: str | None, account_id: str) -> str:
    head = f"{prefix.strip('/')}/AWSLogs/" if prefix.strip("/") else "AWSLogs/"
    return f"{head}{organization_id}/{account_id}/" if organization_id else f"{head}{account_id}/"


def log_file_key(root: str, account_id: str, region: str, at: datetime, unique: str) -> str:
    return (
        f"{root}CloudTrail/{region}/{at:%Y/%m/%d}/{account_id}_CloudTrail_{region}_{at:%Y%m%dT%H%M}Z_"
        f"{unique}.json.gz"
    )


def digest_key(root: str, account_id: str, region: str, trail: TrailView, at: datetime) -> str:
    return (
        f"{root}CloudTrail-Digest/{region}/{at:%Y/%m/%d}/{account_id}_CloudTrail-Digest_{region}_"
        f"{trail.name}_{trail.home_region}_{at:%Y%m%dT%H%M%S}Z.json.gz"
    )


def unique_part() -> str:
    return "".join(secrets.choice(_UNIQUE_ALPHABET) for _ in range(16))


def gzip_json(value: Any) -> bytes:
    return gzip.compress(json.dumps(value, separators=(",", ":")).encode())


def delivers_management_events(selectors: list[dict[str, Any]], advanced: list[dict[str, Any]]) -> bool:
    """CloudTrail's default without selectors: every management event."""
    if not selectors and not advanced:
        return True
    if any(s.get("IncludeManagementEvents", True) for s in selectors):
        return True
    return any(
        f.get("Field") == "eventCategory" and "Management" in (f.get("Equals") or [])
        for s in advanced
        for f in s.get("FieldSelectors") or ()
    )


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Delivered:
    log_files: int = 0
    digest_files: int = 0
    management_events: int = 0
    data_events: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "logFiles": self.log_files,
            "digestFiles": self.digest_files,
            "managementEvents": self.management_events,
            "dataEvents": self.data_events,
        }


class TrailDelivery:
    """Delivers the store's events into the trails' buckets; safe to call from several threads."""

    def __init__(
        self,
        store: EventStore,
        *,
        interval: float | None,
        events_per_file: int = DEFAULT_EVENTS_PER_FILE,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.interval = interval
        self.events_per_file = events_per_file
        self._now = now
        self._lock = threading.Lock()
        self._delivered: dict[str, set[str]] = defaultdict(set)  # trail ARN -> event IDs delivered
        self._data_events: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """The periodic delivery (none without an interval)."""
        if self.interval is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="cloudtrail-delivery", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        assert self.interval is not None
        while not self._stop.wait(self.interval):
            try:
                self.deliver()
            except Exception as error:  # a delivery fault must not end the server
                print(f"local_aws.emulator.cloudtrail.delivery: {error!r}", flush=True)

    def clear(self) -> None:
        with self._lock:
            self._delivered.clear()
            self._data_events.clear()

    def add_data_events(self, records: Iterable[Mapping[str, Any]]) -> int:
        checked = []
        for index, record in enumerate(records):
            if not isinstance(record, dict) or not all(
                isinstance(record.get(k), str) for k in ("eventID", "recipientAccountId", "awsRegion")
            ):
                raise ValueError(
                    f"events[{index}]: a CloudTrail record with eventID, recipientAccountId, awsRegion"
                )
            checked.append(dict(record))
        with self._lock:
            self._data_events.extend(checked)
        return len(checked)

    def deliver(self) -> Delivered:
        """One delivery: every logging trail, every account and region it covers, what is new."""
        done = Delivered()
        with self._lock:
            at = self._now().astimezone(UTC)
            data_events, self._data_events = self._data_events, []
            for trail in _trails():
                for account_id, organization_id in _covered_accounts(trail):
                    for region in _covered_regions(trail, self.store, account_id):
                        self._deliver_one(
                            trail,
                            account_id=account_id,
                            organization_id=organization_id,
                            region=region,
                            data_events=data_events,
                            at=at,
                            done=done,
                        )
        return done

    def _deliver_one(
        self,
        trail: TrailView,
        *,
        account_id: str,
        organization_id: str | None,
        region: str,
        data_events: list[dict[str, Any]],
        at: datetime,
        done: Delivered,
    ) -> None:
        sent = self._delivered[trail.arn]
        records: list[dict[str, Any]] = []
        if trail.management_events:
            fresh = [e for e in reversed(self.store.events(account_id, region)) if e.event_id not in sent]
            sent.update(e.event_id for e in fresh)
            records = [e.cloudtrail_event() for e in fresh]
            done.management_events += len(records)
        data = [d for d in data_events if d["recipientAccountId"] == account_id and d["awsRegion"] == region]
        records += data
        done.data_events += len(data)
        if not records:
            return
        root = logs_root(trail.prefix, organization_id, account_id)
        written = []
        for chunk in _chunks(records, self.events_per_file):
            key = log_file_key(root, account_id, region, at, unique_part())
            body = gzip_json({"Records": chunk})
            _put(trail, key, body)
            times = sorted(str(r.get("eventTime")) for r in chunk)
            written.append((key, hashlib.sha256(body).hexdigest(), times[0], times[-1]))
            done.log_files += 1
        if trail.log_validation:
            digest: dict[str, Any] = {
                "awsAccountId": account_id,
                "digestStartTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "digestEndTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "digestS3Bucket": trail.bucket,
                "digestS3Object": digest_key(root, account_id, region, trail, at),
                "digestPublicKeyFingerprint": "",
                "digestSignatureAlgorithm": "SHA256withRSA",
                "newestEventTime": max(w[3] for w in written),
                "oldestEventTime": min(w[2] for w in written),
                "logFiles": [
                    {
                        "s3Bucket": trail.bucket,
                        "s3Object": key,
                        "hashValue": digest_hash,
                        "hashAlgorithm": "SHA-256",
                        "oldestEventTime": oldest,
                        "newestEventTime": newest,
                    }
                    for key, digest_hash, oldest, newest in written
                ],
            }
            _put(trail, digest["digestS3Object"], gzip_json(digest))
            done.digest_files += 1


# --- moto's side --------------------------------------------------------------------------------------------


def _trails() -> list[TrailView]:
    found = []
    for account_id, regions in list(cloudtrail_backends.items()):
        for region, backend in list(regions.items()):
            for trail in list(backend.trails.values()):
                if not trail.status.is_logging or not trail.bucket_name:
                    continue
                selectors, advanced = trail.get_event_selectors()
                found.append(
                    TrailView(
                        arn=trail.arn,
                        name=trail.trail_name,
                        account_id=account_id,
                        home_region=region,
                        bucket=trail.bucket_name,
                        prefix=trail.s3_key_prefix or "",
                        organization=bool(trail.is_org_trail),
                        multi_region=bool(trail.is_multi_region),
                        kms_key_id=trail.kms_key_id or None,
                        log_validation=bool(trail.log_validation),
                        management_events=delivers_management_events(selectors, advanced),
                    )
                )
    return found


def _covered_accounts(trail: TrailView) -> list[tuple[str, str | None]]:
    """(account, organization ID in the key) pairs: an organization trail's organization, else its own."""
    if not trail.organization:
        return [(trail.account_id, None)]
    for partition_backend in organizations_backends.get(trail.account_id, {}).values():
        org = getattr(partition_backend, "org", None)
        if org is not None:
            return [(a.id, org.id) for a in partition_backend.accounts]
    return [(trail.account_id, None)]  # not (or no longer) an organization's management account


def _covered_regions(trail: TrailView, store: EventStore, account_id: str) -> list[str]:
    if not trail.multi_region:
        return [trail.home_region]
    return sorted(region for account, region in store.places() if account == account_id)


def _put(trail: TrailView, key: str, body: bytes) -> None:
    partition, owner = s3_backends.bucket_accounts[trail.bucket]
    s3_backends[owner][partition].put_object(
        trail.bucket,
        key,
        body,
        encryption="aws:kms" if trail.kms_key_id else None,
        kms_key_id=trail.kms_key_id,
    )
