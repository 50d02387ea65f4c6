"""Sessions, credentials, retries, rate limits and the API call recorder: the one place for botocore.

- Base credentials come from the standard chain (``--profile`` supported). ``AWS_ENDPOINT_URL`` and the
  per-service variants work unchanged, because every session is a plain botocore session.
- The integration role is assumed with the ExternalId through botocore's refreshable credentials: they are
  refreshed before they expire, so a run may outlast the role's session duration. One credentials object per
  role is shared by every thread (botocore guards its refresh with a lock).
- Sessions are never shared between threads: each work item gets its own light session, while the expensive
  part (the service models) is loaded once per thread and reused.
- One ``Config`` (retry mode set explicitly), one recorder counting requests per (account, service,
  operation), and one token bucket per (account, region, API) shared by every thread of that account.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import botocore.session
from botocore.config import Config
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import ClientError, ProfileNotFound
from botocore.loaders import Loader, create_loader

from collector import __version__
from collector.errors import DENIED_CODES, EXPIRED_CODES, THROTTLE_CODES, error_code
from collector.external_id import ExternalIdMode, for_account
from collector.models import Account, ApiCallCount

USER_AGENT = f"aws-readonly-collector/{__version__}"
# botocore's standard mode: exponential backoff with jitter; retries throttling and transient errors.
RETRY_MODE: Literal["standard"] = "standard"
MAX_ATTEMPTS = 10  # the first attempt included
ASSUME_ROLE_SECONDS = 3600
# IAM and Organizations are global: their endpoint lives in one region of each partition.
# AssumeRole refusals that a retry within the run cannot change (a missing role or trust, a wrong ExternalId,
# base credentials STS rejects): remembered per role, so an account's scopes do not each ask again.
REFUSED_FOR_THE_RUN = DENIED_CODES | EXPIRED_CODES | {"InvalidClientTokenId", "SignatureDoesNotMatch"}
GLOBAL_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
SESSION_NAME_PREFIX = "aws-readonly-collector"


class ConfigurationError(Exception):
    """The collector cannot start (no base credentials, unknown profile): a usage error, exit code 2."""


def client_config(max_pool_connections: int = 10) -> Config:
    """The one botocore configuration of every client the collector creates."""
    return Config(
        retries={"mode": RETRY_MODE, "total_max_attempts": MAX_ATTEMPTS},
        max_pool_connections=max_pool_connections,
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra=USER_AGENT,
    )


def session_name(run_id: str) -> str:
    """The role session name: the same for every account of a run, so CloudTrail attributes calls to it."""
    name = f"{SESSION_NAME_PREFIX}@{run_id}"
    return "".join(c if c.isalnum() or c in "+=,.@-_" else "-" for c in name)[:64]


def partition_of(arn: str) -> str:
    return arn.split(":", 2)[1]


# --- API call recorder ----------------------------------------------------------------------------------


class CallRecorder:
    """Counts every request per (account, service, operation), for the run manifest. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, str, str]] = Counter()
        self._throttled: Counter[tuple[str, str, str]] = Counter()

    def count(self, account_id: str, service: str, operation: str, *, throttled: bool = False) -> None:
        with self._lock:
            if throttled:
                self._throttled[(account_id, service, operation)] += 1
            else:
                self._calls[(account_id, service, operation)] += 1

    def snapshot(self) -> tuple[ApiCallCount, ...]:
        with self._lock:
            keys = set(self._calls) | set(self._throttled)
            return tuple(
                sorted(ApiCallCount(*k, calls=self._calls[k], throttled=self._throttled[k]) for k in keys)
            )

    def total(self) -> int:
        with self._lock:
            return sum(self._calls.values())


# --- rate limits ----------------------------------------------------------------------------------------


class TokenBucket:
    """``rate`` requests a second on average, bursts of ``burst``. Waiters sleep outside the lock."""

    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be > 0 and burst >= 1, got rate={rate} burst={burst}")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is due; returns the time slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1  # reserve now; a negative balance is the queue of waiters
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait > 0:
            self._sleep(wait)
        return wait


# Documented per-account (and per-region) limits; everything else gets the default rate.
DEFAULT_API_RATE = 10.0
# LookupEvents allows 2 requests a second per account and region. A client at exactly the limit runs in
# lockstep with the service's own bucket, and jitter on the way gets a page throttled now and then (each one
# costs a retry backoff): against the emulator (benchmarks/cloudtrail_pacing.py), at 2.0/s 1 page in 20 was
# throttled in two runs of three; at 1.9/s none was.
LOOKUP_EVENTS_RATE = 1.9
# A trail's log files: S3 serves at least 5,500 GET and 3,500 LIST requests a second per key prefix; these
# rates (per reader account and region, shared by every account-region read through it) stay far below.
S3_GET_RATE, S3_LIST_RATE = 200.0, 50.0
KNOWN_API_RATES: Mapping[str, float] = {
    "cloudtrail:LookupEvents": LOOKUP_EVENTS_RATE,
    "s3:GetObject": S3_GET_RATE,
    "s3:ListObjectsV2": S3_LIST_RATE,
}


@dataclass
class CallPacer:
    """Makes the caller wait for its turn: one token bucket per (account, region, service, operation),
    created on first use, shared by threads. (The emulator's throttle refuses instead; this one paces.)"""

    default_rate: float = DEFAULT_API_RATE
    rates: Mapping[str, float] = field(default_factory=lambda: dict(KNOWN_API_RATES))
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _buckets: dict[tuple[str, str, str, str], TokenBucket] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def bucket(self, account_id: str, region: str, service: str, operation: str) -> TokenBucket:
        key = (account_id, region, service, operation)
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                rate = self.rates.get(f"{service}:{operation}", self.default_rate)
                found = TokenBucket(rate, max(1.0, rate), clock=self.clock, sleep=self.sleep)
                self._buckets[key] = found
            return found


# --- sessions -------------------------------------------------------------------------------------------


class _FixedProvider(CredentialProvider):
    """Hands one (refreshable) credentials object to a session."""

    METHOD = "assume-role-with-external-id"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


# The service models a thread has loaded, kept for the process's life: a run's worker threads load them
# once, and so does a warm Lambda container across its invocations (each a new Sessions). Read-only data.
_THREAD_LOADERS = threading.local()


class Sessions:
    """Creates everything a run needs to call AWS; shared by all worker threads of a run (or one Lambda).

    ``external_id`` never travels with a work item: it is given here, once per run. With
    ``external_id_mode`` per-account, each role is assumed with the value derived for its account
    (collector.external_id).
    """

    def __init__(
        self,
        *,
        external_id: str,
        run_id: str,
        external_id_mode: ExternalIdMode = ExternalIdMode.SHARED,
        profile: str | None = None,
        region: str | None = None,
        recorder: CallRecorder | None = None,
        limiter: CallPacer | None = None,
        max_pool_connections: int = 10,
        role_duration_seconds: int = ASSUME_ROLE_SECONDS,
        prepare_session: Callable[[botocore.session.Session], None] | None = None,
    ) -> None:
        """``prepare_session`` sees every botocore session created (tests and benchmarks register fakes)."""
        self.external_id = external_id
        self.external_id_mode = external_id_mode
        self.run_id = run_id
        self.profile = profile
        self.recorder = recorder or CallRecorder()
        self.limiter = limiter or CallPacer()
        self.config = client_config(max_pool_connections)
        self._region = region
        self._duration = role_duration_seconds
        self._lock = threading.Lock()
        self._credentials: dict[str, DeferredRefreshableCredentials] = {}
        self._refused: dict[str, ClientError] = {}  # role ARN -> STS's refusal, remembered for the run
        self._sts: Any = None
        self._prepare = prepare_session
        try:
            self._base = self._new_session()
            base_credentials = self._base.get_credentials()
        except ProfileNotFound as exc:
            raise ConfigurationError(f"--profile: {exc}") from exc
        if base_credentials is None:
            raise ConfigurationError(
                "no AWS credentials found: give --profile, set environment variables or use an instance role"
            )

    @property
    def base_session(self) -> botocore.session.Session:
        return self._base

    def _base_sts(self, partition: str) -> Any:
        with self._lock:
            if self._sts is None:
                region = self._region or self._base.get_config_variable("region") or GLOBAL_REGION[partition]
                self._sts = self._base.create_client("sts", region_name=region, config=self.config)
            return self._sts

    def credentials(self, role_arn: str) -> DeferredRefreshableCredentials:
        """Refreshable credentials of the role, assumed on first use and again before they expire."""
        with self._lock:
            found = self._credentials.get(role_arn)
        if found is not None:
            return found
        sts = self._base_sts(partition_of(role_arn))
        account_id = role_arn.split(":")[4]
        external_id = for_account(self.external_id, account_id, self.external_id_mode)

        def assume() -> dict[str, str]:
            refused = self._refused.get(role_arn)
            if refused is not None:  # STS refused this role once this run: it is not asked again per scope
                raise ClientError(refused.response, refused.operation_name)
            self.recorder.count(account_id, "sts", "AssumeRole")
            try:
                creds = sts.assume_role(
                    RoleArn=role_arn,
                    RoleSessionName=session_name(self.run_id),
                    ExternalId=external_id,
                    DurationSeconds=self._duration,
                )["Credentials"]
            except ClientError as exc:
                if error_code(exc) in REFUSED_FOR_THE_RUN:
                    self._refused[role_arn] = exc
                raise
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
            }

        made = DeferredRefreshableCredentials(refresh_using=assume, method=_FixedProvider.METHOD)
        with self._lock:
            return self._credentials.setdefault(role_arn, made)

    @staticmethod
    def _thread_loader() -> Loader:
        loader: Loader | None = getattr(_THREAD_LOADERS, "loader", None)
        if loader is None:
            loader = create_loader()
            _THREAD_LOADERS.loader = loader
        return loader

    def _new_session(self) -> botocore.session.Session:
        session = botocore.session.Session(profile=self.profile)
        session.register_component("data_loader", self._thread_loader())
        if self._prepare is not None:
            self._prepare(session)
        return session

    def for_account(self, account: Account) -> AccountClients:
        """Clients for one account, for the calling thread only (one work item)."""
        session = self._new_session()
        resolver = CredentialResolver(providers=[_FixedProvider(self.credentials(account.role_arn))])
        session.register_component("credential_provider", resolver)
        return AccountClients(account, session, self)


class AccountClients:
    """botocore clients of one account, cached per (service, region), each wired to the recorder and limiter.

    Confined to the thread that created it.
    """

    def __init__(self, account: Account, session: botocore.session.Session, sessions: Sessions) -> None:
        self.account = account
        self._session = session
        self._sessions = sessions
        self._clients: dict[tuple[str, str], Any] = {}
        partition = partition_of(account.role_arn) if account.role_arn else "aws"
        self.global_region = GLOBAL_REGION.get(partition, "us-east-1")

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.global_region
        key = (service, region)
        found = self._clients.get(key)
        if found is None:
            found = self._session.create_client(service, region_name=region, config=self._sessions.config)
            self._wire(found, service, region)
            self._clients[key] = found
        return found

    def _wire(self, client: Any, service: str, region: str) -> None:
        account_id = self.account.account_id
        recorder = self._sessions.recorder
        limiter = self._sessions.limiter

        def count(event_name: str = "", **_: Any) -> None:
            recorder.count(account_id, service, event_name.rsplit(".", 1)[-1])

        def pace(event_name: str = "", **_: Any) -> None:
            operation = event_name.rsplit(".", 1)[-1]
            limiter.bucket(account_id, region, service, operation).acquire()

        def needs_retry(event_name: str = "", response: Any = None, **_: Any) -> None:
            if response is not None:
                code = response[1].get("Error", {}).get("Code")
                if code in THROTTLE_CODES:
                    recorder.count(account_id, service, event_name.rsplit(".", 1)[-1], throttled=True)

        # before-parameter-build fires once per API call (each page too), also under botocore's Stubber,
        # whose own before-call handler would short-circuit later events: calls are counted there.
        client.meta.events.register("before-parameter-build", count)
        # before-send fires once per HTTP attempt, right before the wire: pacing there spaces what the
        # service sees (not the time spent assuming the role or signing) and paces retries too. First, so
        # that a test's or benchmark's fake transport answering before-send is paced as well.
        client.meta.events.register_first("before-send", pace)
        client.meta.events.register("needs-retry", needs_retry)
