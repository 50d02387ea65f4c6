"""CloudTrail LookupEvents on the local AWS (moto answers it with HTTP 500), as a WSGI middleware around moto.

- ``LookupEvents`` (JSON protocol, X-Amz-Target ``...CloudTrail_20131101.LookupEvents``): the caller's
  account comes from its access key the way moto maps keys (users' and assumed-role sessions' keys to their
  own account), the region from the SigV4 credential scope. Then, in this order: moto's IAM check
  (AccessDeniedException under enforcement), the documented rate limit per account and region
  (ThrottlingException, HTTP 400, which botocore retries), the request rules
  (``local_aws.emulator.cloudtrail.lookup``), the page.
- ``POST /local-aws/cloudtrail/events`` with ``{"events": [...]}`` (``ManagementEvent.to_wire``) seeds events;
  ``GET /local-aws/cloudtrail/events?accountId=...&region=...`` lists what is stored (newest first).
- Every other request goes to moto; a successful mutating call is recorded as a management event of the
  caller's account (``local_aws.emulator.cloudtrail.recording``).
- Trail log files: every recorded event is delivered into its trails' buckets
  (``local_aws.emulator.cloudtrail.delivery``) every ``LOCAL_AWS_CLOUDTRAIL_DELIVERY_SECONDS``, and at once
  on ``POST /local-aws/cloudtrail/deliver``; ``POST /local-aws/cloudtrail/data-events`` seeds data events.
- ``POST /moto-api/reset`` also forgets every event, every delivery and every rate-limit bucket.
"""

from __future__ import annotations

import math
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from werkzeug.exceptions import HTTPException

from collector import formats
from local_aws.emulator.cloudtrail import recording
from local_aws.emulator.cloudtrail.delivery import TrailDelivery
from local_aws.emulator.cloudtrail.events import ManagementEvent
from local_aws.emulator.cloudtrail.lookup import (
    CloudTrailError,
    DuplicateEventError,
    EventStore,
    parse_lookup_request,
)
from local_aws.emulator.moto_caller import authorize, credential_scope, identify
from local_aws.emulator.protocol import (
    CLOUDTRAIL_DATA_EVENTS_PATH,
    CLOUDTRAIL_DELIVER_PATH,
    CLOUDTRAIL_DELIVERY_ENV,
    CLOUDTRAIL_EVENTS_PATH,
    CLOUDTRAIL_RATE_ENV,
    CLOUDTRAIL_RECORD_ENV,
    DEFAULT_DELIVERY_SECONDS,
    DOCUMENTED_LOOKUPS_PER_SECOND,
    RESET_PATH,
)
from local_aws.emulator.throttle import RequestThrottle
from local_aws.emulator.wsgi import (
    Environ,
    StartResponse,
    WsgiApp,
    json_body,
    json_error,
    moto_error_as_json,
    read_body,
    respond,
)

LOOKUP_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"


@dataclass(frozen=True)
class CloudTrailSettings:
    """How the emulation behaves; read from the server process's environment."""

    lookups_per_second: float = DOCUMENTED_LOOKUPS_PER_SECOND  # math.inf: no limit
    record_api_calls: bool = True
    delivery_seconds: float | None = DEFAULT_DELIVERY_SECONDS  # None: log files only on request

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> CloudTrailSettings:
        raw_rate = environ.get(CLOUDTRAIL_RATE_ENV, "").strip()
        rate = DOCUMENTED_LOOKUPS_PER_SECOND
        if raw_rate:
            try:
                rate = float(raw_rate)
            except ValueError:
                rate = math.nan
            if not rate > 0:
                raise formats.InvalidSettingError(
                    CLOUDTRAIL_RATE_ENV,
                    raw_rate,
                    "a number of requests per second > 0 (2 is CloudTrail's limit; inf: none)",
                )
        raw_record = environ.get(CLOUDTRAIL_RECORD_ENV, "true").strip().lower()
        if raw_record not in ("true", "false"):
            raise formats.InvalidSettingError(CLOUDTRAIL_RECORD_ENV, raw_record, "true or false")
        raw_delivery = environ.get(CLOUDTRAIL_DELIVERY_ENV, "").strip().lower()
        delivery: float | None = DEFAULT_DELIVERY_SECONDS
        if raw_delivery == "off":
            delivery = None
        elif raw_delivery:
            try:
                delivery = float(raw_delivery)
            except ValueError:
                delivery = math.nan
            if not 0 < delivery < math.inf:
                raise formats.InvalidSettingError(
                    CLOUDTRAIL_DELIVERY_ENV, raw_delivery, "a number of seconds > 0, or off (only on request)"
                )
        return cls(lookups_per_second=rate, record_api_calls=raw_record == "true", delivery_seconds=delivery)


def _now() -> datetime:
    return datetime.now(UTC)


class CloudTrailEmulation:
    """The WSGI middleware; ``app`` is moto's application (possibly already wrapped)."""

    def __init__(
        self,
        app: WsgiApp,
        settings: CloudTrailSettings | None = None,
        *,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self.app = app
        self.settings = settings or CloudTrailSettings.from_environ(os.environ)
        self.store = EventStore(token_key=secrets.token_bytes(32))
        self.throttle = RequestThrottle(self.settings.lookups_per_second)
        self._now = now
        self.delivery = TrailDelivery(self.store, interval=self.settings.delivery_seconds, now=now)
        self.delivery.start()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD", "GET"))
        if path == CLOUDTRAIL_EVENTS_PATH:
            return self._events_endpoint(environ, start_response, method)
        if path in (CLOUDTRAIL_DELIVER_PATH, CLOUDTRAIL_DATA_EVENTS_PATH) and method == "POST":
            return self._delivery_endpoint(path, environ, start_response)
        if path == RESET_PATH and method == "POST":
            self.delivery.clear()
            self.store.clear()
            self.throttle.clear()
            return self.app(environ, start_response)
        if environ.get("HTTP_X_AMZ_TARGET") == LOOKUP_TARGET:
            return self._lookup_events(environ, start_response)
        if self.settings.record_api_calls and not path.startswith("/moto-api"):
            return self._forward_and_record(environ, start_response)
        return self.app(environ, start_response)

    def _lookup_events(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = read_body(environ)
        try:
            caller = authorize(environ, body, "cloudtrail")
        except HTTPException as denied:
            return moto_error_as_json(start_response, denied)
        if not self.throttle.admit((caller.account_id, caller.region)):
            return json_error(start_response, 400, "ThrottlingException", "Rate exceeded")
        payload = json_body(body)
        if payload is None:
            return json_error(
                start_response, 400, "SerializationException", "The request body is not a JSON object."
            )
        try:
            request = parse_lookup_request(payload)
            page = self.store.lookup(caller.account_id, caller.region, request, self._now())
        except CloudTrailError as error:
            return json_error(start_response, error.status, error.code, error.message)
        result: dict[str, Any] = {"Events": [event.to_lookup_json() for event in page.events]}
        if page.next_token:
            result["NextToken"] = page.next_token
        return respond(start_response, 200, result)

    def _delivery_endpoint(
        self, path: str, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        if path == CLOUDTRAIL_DELIVER_PATH:
            return respond(start_response, 200, self.delivery.deliver().to_json(), "application/json")
        payload = json_body(read_body(environ))
        raw = payload.get("events") if payload else None
        try:
            if not isinstance(raw, list):
                raise ValueError('expected a JSON object {"events": [...]}')
            added = self.delivery.add_data_events(raw)
        except ValueError as error:
            return respond(start_response, 400, {"error": str(error)}, "application/json")
        return respond(start_response, 200, {"added": added}, "application/json")

    def _events_endpoint(
        self, environ: Environ, start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        if method == "GET":
            query = {k: v[0] for k, v in parse_qs(str(environ.get("QUERY_STRING", ""))).items()}
            try:
                account = formats.account_id(query.get("accountId"), "accountId")
                region = formats.region(query.get("region"), "region")
            except formats.InvalidSettingError as error:
                return respond(start_response, 400, {"error": str(error)}, "application/json")
            events = self.store.events(account, region)
            return respond(start_response, 200, {"events": [e.to_wire() for e in events]}, "application/json")
        if method != "POST":
            return respond(start_response, 405, {"error": f"{method} is not supported"}, "application/json")
        payload = json_body(read_body(environ))
        raw_events = payload.get("events") if payload else None
        if not isinstance(raw_events, list):
            return respond(
                start_response, 400, {"error": 'expected a JSON object {"events": [...]}'}, "application/json"
            )
        try:
            ids = self.store.add(
                ManagementEvent.from_wire(e, f"events[{i}]") for i, e in enumerate(raw_events)
            )
        except (formats.InvalidSettingError, DuplicateEventError) as error:
            return respond(start_response, 400, {"error": str(error)}, "application/json")
        return respond(start_response, 200, {"eventIds": list(ids)}, "application/json")

    def _forward_and_record(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        scope = credential_scope(environ)
        content_type = str(environ.get("CONTENT_TYPE") or "")
        wants_body = "x-www-form-urlencoded" in content_type or (
            bool(environ.get("HTTP_X_AMZ_TARGET")) and "json" in content_type
        )
        if scope is None or (not wants_body and "Action=" not in str(environ.get("QUERY_STRING", ""))):
            return self.app(environ, start_response)
        body = read_body(environ) if wants_body else b""
        operation = recording.operation_of(environ, body)
        if operation is None or recording.is_read_only(operation[0]):
            return self.app(environ, start_response)
        try:
            caller = identify(environ)  # before the call: it may delete the caller's own key
        except Exception as error:  # recording must never break the call itself
            print(
                f"local_aws.emulator.cloudtrail.emulation: cannot identify the caller: {error!r}",
                file=sys.stderr,
            )
            caller = None
        statuses: list[int] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(int(status[:3]))
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        if caller is not None and statuses and 200 <= statuses[0] < 300:
            name, params = operation
            self.store.add(
                [
                    recording.event_for_call(
                        account_id=caller.account_id,
                        region=caller.region,
                        service=caller.service,
                        operation=name,
                        params=params,
                        identity=caller.identity,
                        now=self._now(),
                        source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
                        user_agent=str(environ.get("HTTP_USER_AGENT") or ""),
                    )
                ]
            )
        return result
