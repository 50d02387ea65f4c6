"""Talk to a running local AWS: reset it, switch IAM enforcement, seed and read CloudTrail events.

``LocalAws`` (local_aws.emulator.server) is this client plus the server process; seeders take a
``LocalAwsClient`` so they also work against a server someone else started.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from local_aws.emulator.cloudtrail.events import ManagementEvent
from local_aws.emulator.protocol import (
    CLOUDTRAIL_DATA_EVENTS_PATH,
    CLOUDTRAIL_DELIVER_PATH,
    CLOUDTRAIL_EVENTS_PATH,
    FAKE_ACCESS_KEY_ID,
    FAKE_SECRET_ACCESS_KEY,
    RESET_PATH,
    TRUST_EVALUATION_PATH,
)

# Credentials moto accepts for its default account (123456789012); never real ones.
FAKE_CREDENTIALS: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
}


@dataclass(frozen=True)
class AccessKey:
    """Long-term credentials of an IAM user of the local AWS (never real ones, still never printed)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)

    def environment(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}


def isolated_environment(endpoint_url: str, key: AccessKey, region: str, scratch: str) -> dict[str, str]:
    """This process's environment for a child process that must reach the local AWS only: every ``AWS_``
    variable of the caller (profiles, real keys) is dropped and its configuration files are hidden."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            **key.environment(),
            "AWS_CONFIG_FILE": os.path.join(scratch, "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(scratch, "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return env


class LocalAwsClient:
    """The emulator's own API (moto's /moto-api and the emulations' /local-aws paths) at ``endpoint_url``."""

    def __init__(self, endpoint_url: str) -> None:
        self._endpoint_url = endpoint_url

    @property
    def endpoint_url(self) -> str:
        return self._endpoint_url

    def _request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = "application/json"
    ) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - always http://127.0.0.1
            self.endpoint_url + path, data=body, method=method, headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return bytes(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise RuntimeError(f"local AWS {method} {path}: HTTP {error.code}: {detail}") from error

    def _post(self, path: str, body: bytes = b"", content_type: str = "application/json") -> bytes:
        return self._request("POST", path, body, content_type)

    def reset(self) -> None:
        """Forget every resource of every account and every CloudTrail event; switch IAM enforcement and
        trust evaluation off."""
        self._post(RESET_PATH)
        self.enforce_iam(False)

    def execute_state_machines(self, on: bool = True) -> None:
        """Have moto's Step Functions interpreter run executions (Lambda tasks run their handlers here),
        instead of answering with static data. A reset keeps this setting."""
        body = json.dumps({"stepfunctions": {"execute_state_machine": on}}).encode()
        self._post("/moto-api/config", body)

    def enforce_iam(self, on: bool = True) -> None:
        """From now on every request is (or is no longer) checked against the caller's IAM policies."""
        self._post("/moto-api/reset-auth", b"0" if on else b"inf", content_type="text/plain")

    def evaluate_trust(self, on: bool = True) -> None:
        """Under IAM enforcement, evaluate role trust policies as AWS does
        (local_aws/emulator/trust_evaluation.py): across accounts, a missing role refused, a missing
        ExternalId refused, an account's root principal."""
        self._post(TRUST_EVALUATION_PATH, b"on" if on else b"off", content_type="text/plain")

    def environment(self, region: str = "us-east-1") -> dict[str, str]:
        """Environment variables that point boto3 and the CDK CLI at this server with placeholder keys."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            **FAKE_CREDENTIALS,
        }

    @contextlib.contextmanager
    def environ(self, region: str = "us-east-1") -> Iterator[None]:
        """Temporarily export ``environment()`` into this process (for code that reads the chain)."""
        saved = {k: os.environ.get(k) for k in self.environment(region)}
        os.environ.update(self.environment(region))
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def seed_cloudtrail_events(self, events: Iterable[ManagementEvent]) -> tuple[str, ...]:
        """Store management events for LookupEvents (each in its account and region); returns their IDs."""
        payload = {"events": [event.to_wire() for event in events]}
        answer = json.loads(self._post(CLOUDTRAIL_EVENTS_PATH, json.dumps(payload).encode()))
        return tuple(answer["eventIds"])

    def cloudtrail_events(self, account_id: str, region: str) -> tuple[ManagementEvent, ...]:
        """Every stored management event of one account and region, newest first (what LookupEvents serves,
        including events older than the 90 days it returns)."""
        query = urllib.parse.urlencode({"accountId": account_id, "region": region})
        answer = json.loads(self._request("GET", f"{CLOUDTRAIL_EVENTS_PATH}?{query}"))
        return tuple(ManagementEvent.from_wire(e) for e in answer["events"])

    def deliver_trail_logs(self) -> dict[str, int]:
        """Deliver the trails' log files now (what is new since the last delivery); the counts written."""
        answer: dict[str, int] = json.loads(self._post(CLOUDTRAIL_DELIVER_PATH))
        return answer

    def seed_data_events(self, records: Iterable[Mapping[str, object]]) -> int:
        """Raw CloudTrail data-event records (with recipientAccountId and awsRegion) for the next delivery."""
        answer = json.loads(
            self._post(CLOUDTRAIL_DATA_EVENTS_PATH, json.dumps({"events": list(records)}).encode())
        )
        return int(answer["added"])
