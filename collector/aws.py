"""Sessions, credentials, retries, rate limits and the API call recorder: the one place for botocore.

- Base credentials come from the standard chain (``--profile`` supported). ``AWS_ENDPOINT_URL`` and the
  per-service variants work unchanged, because every session is a plain botocore session.
- The integration role is assumed with the ExternalId through botocore's refreshable credentials: they are
  refreshed before they expire, so a run may outlast the role's session duration. One credentials object per
  role is shared by every thread (botocore guards its refresh with a lock).
- Clients are built once per run and (service, region), and shared by every thread and account: each call
  is signed with, counted for and paced as the account whose view of the client made it (see "shared
  clients" below). The service models are loaded once per process.
- One ``Config`` (retry mode set explicitly), one recorder counting requests per (account, service,
  operation), and one token bucket per (account, region, API) shared by every thread of that account.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
    ReadOnlyCredentials,
    RefreshableCredentials,
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
        self._elsewhere: dict[str, int] = {}

    def count(self, account_id: str, service: str, operation: str, *, throttled: bool = False) -> None:
        with self._lock:
            if throttled:
                self._throttled[(account_id, service, operation)] += 1
            else:
                self._calls[(account_id, service, operation)] += 1

    def add(self, counts: Iterable[ApiCallCount], *, source: str | None = None) -> None:
        """Counts made elsewhere (a worker process of the run), merged in (replacing its running total)."""
        with self._lock:
            self._elsewhere.pop(source or "", None)
            for c in counts:
                self._calls[(c.account_id, c.service, c.operation)] += c.calls
                self._throttled[(c.account_id, c.service, c.operation)] += c.throttled

    def note_elsewhere(self, source: str, total: int) -> None:
        """The running total of calls made elsewhere (a worker process), until its counts are ``add``ed:
        what ``total`` shows meanwhile (the progress display)."""
        with self._lock:
            self._elsewhere[source] = total

    def snapshot(self) -> tuple[ApiCallCount, ...]:
        with self._lock:
            keys = set(self._calls) | set(self._throttled)
            return tuple(
                sorted(ApiCallCount(*k, calls=self._calls[k], throttled=self._throttled[k]) for k in keys)
            )

    def total(self) -> int:
        with self._lock:
            return sum(self._calls.values()) + sum(self._elsewhere.values())


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

    def idle_since(self, now: float) -> float:
        """How long it has been full (a full bucket acts as a new one): <= 0 while it is not."""
        with self._lock:
            return now - self._stamp - (self.burst - self._tokens) / self.rate

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
# A run makes a bucket per account, region and API (200 an account): every SWEEP_EVERY new ones, those full
# for IDLE_SECONDS are dropped (long past the moment between taking a bucket and waiting on it).
SWEEP_EVERY = 1024
IDLE_SECONDS = 60.0


@dataclass
class CallPacer:
    """Makes the caller wait for its turn: one token bucket per (account, region, service, operation),
    created on first use, shared by threads. (The emulator's throttle refuses instead; this one paces.)"""

    default_rate: float = DEFAULT_API_RATE
    rates: Mapping[str, float] = field(default_factory=lambda: dict(KNOWN_API_RATES))
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _buckets: dict[tuple[str, str, str, str], TokenBucket] = field(default_factory=dict, init=False)
    _created: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def bucket(self, account_id: str, region: str, service: str, operation: str) -> TokenBucket:
        key = (account_id, region, service, operation)
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                rate = self.rates.get(f"{service}:{operation}", self.default_rate)
                found = TokenBucket(rate, max(1.0, rate), clock=self.clock, sleep=self.sleep)
                self._buckets[key] = found
                self._created += 1
                if self._created % SWEEP_EVERY == 0:
                    self._sweep()
            return found

    def _sweep(self) -> None:
        """Forget the buckets full for a while (of accounts done): memory stays flat in accounts, and
        the limits are unchanged, a full bucket being what a new one is. (Under the lock.)"""
        now = self.clock()
        for key in [k for k, b in self._buckets.items() if b.idle_since(now) > IDLE_SECONDS]:
            del self._buckets[key]

    def bucket_count(self) -> int:
        with self._lock:
            return len(self._buckets)


# --- sessions -------------------------------------------------------------------------------------------


class _FixedProvider(CredentialProvider):
    """Hands one credentials object to a session."""

    METHOD = "assume-role-with-external-id"

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Any:
        return self._credentials


# One botocore loader for the process: the service models are read-only data, parsed once and shared by
# every thread and run (a warm Lambda container's invocations too). Its cache tolerates concurrent loads.
_LOADER_LOCK = threading.Lock()
_LOADERS: list[Loader] = []


def process_loader() -> Loader:
    with _LOADER_LOCK:
        if not _LOADERS:
            _LOADERS.append(create_loader())
        return _LOADERS[0]


# --- shared clients, bound to an account per call ---------------------------------------------------------
#
# Building a botocore client costs milliseconds (the EC2 one about 8 ms: hundreds of generated methods, the
# endpoint rules, a connection pool), about as much as the few calls a work item makes with it. So a run
# builds one client per (service, region) and every thread and account shares it: botocore clients are
# thread-safe, and they keep their connections open across accounts. What differs per account is only who
# signs and whose counters and rate limits a call uses; that comes from the account the call is made for,
# set for the duration of the call by the account's view of the client (``AccountClients.client``).


@dataclass(frozen=True)
class _Acting:
    """The account a call is made for: its credentials sign the call; its counters and pacing apply."""

    account_id: str
    credentials: RefreshableCredentials


_ACTING: ContextVar[_Acting | None] = ContextVar("collector_acting_account", default=None)


def _acting() -> _Acting:
    acting = _ACTING.get()
    if acting is None:  # only a shared client called directly, which AccountClients never hands out
        raise RuntimeError("a shared client was called without an account: use Sessions.for_account")
    return acting


class _ActingCredentials:
    """The shared clients' credentials: those of the account the current call is made for (refreshable,
    shared by every thread: botocore guards their refresh with a lock)."""

    method = _FixedProvider.METHOD

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        return _acting().credentials.get_frozen_credentials()

    def get_deferred_property(self, name: str) -> Callable[[], Any]:
        return lambda: getattr(_acting().credentials, name, None)

    @property
    def access_key(self) -> str:
        return str(_acting().credentials.access_key)

    @property
    def secret_key(self) -> str:
        return str(_acting().credentials.secret_key)

    @property
    def token(self) -> str | None:
        return _acting().credentials.token


class _AccountBoundClient(BaseClient):
    """The base of the shared clients' classes: a view of the client bound to one account (a shallow copy,
    sharing the model, endpoint, connections and handlers) makes every call, paginators' too, for it."""

    _acting: _Acting | None = None

    def bound_to(self, acting: _Acting) -> Any:
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._acting = acting
        return view

    def _make_api_call(self, operation_name: str, api_params: Any) -> Any:
        token = _ACTING.set(self._acting)
        try:
            parent: Any = super()  # (botocore's type stubs leave this method out)
            return parent._make_api_call(operation_name, api_params)
        finally:
            _ACTING.reset(token)


def _account_bound(**event: Any) -> None:
    """``creating-client-class``: the shared clients' classes derive from _AccountBoundClient."""
    event["base_classes"].insert(0, _AccountBoundClient)


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
        issued: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """``prepare_session`` sees every botocore session created (tests and benchmarks register fakes).
        ``issued``: role credentials this run already holds (``issued_credentials`` of the process that
        ran discovery, handed to a worker process), used until they need refreshing instead of assuming
        each role again."""
        self.external_id = external_id
        self.external_id_mode = external_id_mode
        self.run_id = run_id
        self.profile = profile
        self.recorder = CallRecorder() if recorder is None else recorder
        self.limiter = CallPacer() if limiter is None else limiter
        self.config = client_config(max_pool_connections)
        self._region = region
        self._duration = role_duration_seconds
        self._lock = threading.Lock()
        self._credentials: dict[str, RefreshableCredentials] = {}
        self._issued: dict[str, Mapping[str, str]] = dict(issued or {})
        self._refused: dict[str, ClientError] = {}  # role ARN -> STS's refusal, remembered for the run
        self._sts: Any = None
        self._prepare = prepare_session
        self._shared: botocore.session.Session | None = None
        self._clients: dict[tuple[str, str], Any] = {}
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

    def credentials(self, role_arn: str) -> RefreshableCredentials:
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
            metadata = {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
            }
            with self._lock:
                self._issued[role_arn] = metadata
            return metadata

        with self._lock:
            handed = self._issued.get(role_arn)
        made: RefreshableCredentials
        if handed is not None:  # botocore refreshes them through assume() before they expire
            made = RefreshableCredentials.create_from_metadata(dict(handed), assume, _FixedProvider.METHOD)
        else:
            made = DeferredRefreshableCredentials(refresh_using=assume, method=_FixedProvider.METHOD)
        with self._lock:
            return self._credentials.setdefault(role_arn, made)

    def issued_credentials(self) -> dict[str, Mapping[str, str]]:
        """The role credentials assumed so far (role ARN -> botocore's credential metadata), for a worker
        process of the same run (collector.shards): this process's own secrets, passed over a local pipe."""
        with self._lock:
            return dict(self._issued)

    def _new_session(self) -> botocore.session.Session:
        session = botocore.session.Session(profile=self.profile)
        session.register_component("data_loader", process_loader())
        if self._prepare is not None:
            self._prepare(session)
        return session

    def shared_client(self, service: str, region: str) -> Any:
        """The run's one client of this service and region, built on first use (under the lock: botocore
        sessions are not thread-safe) and wired to the recorder and limiter."""
        key = (service, region)
        found = self._clients.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                if self._shared is None:
                    self._shared = self._new_session()
                    resolver = CredentialResolver(providers=[_FixedProvider(_ActingCredentials())])
                    self._shared.register_component("credential_provider", resolver)
                    self._shared.register("creating-client-class", _account_bound)
                found = self._shared.create_client(service, region_name=region, config=self.config)
                self._wire(found, service, region)
                self._clients[key] = found
            return found

    def _wire(self, client: Any, service: str, region: str) -> None:
        recorder = self.recorder
        limiter = self.limiter

        def count(event_name: str = "", **_: Any) -> None:
            recorder.count(_acting().account_id, service, event_name.rsplit(".", 1)[-1])

        def pace(event_name: str = "", **_: Any) -> None:
            operation = event_name.rsplit(".", 1)[-1]
            limiter.bucket(_acting().account_id, region, service, operation).acquire()

        def needs_retry(event_name: str = "", response: Any = None, **_: Any) -> None:
            if response is not None:
                code = response[1].get("Error", {}).get("Code")
                if code in THROTTLE_CODES:
                    operation = event_name.rsplit(".", 1)[-1]
                    recorder.count(_acting().account_id, service, operation, throttled=True)

        # before-parameter-build fires once per API call (each page too), also under botocore's Stubber,
        # whose own before-call handler would short-circuit later events: calls are counted there.
        client.meta.events.register("before-parameter-build", count)
        # before-send fires once per HTTP attempt, right before the wire: pacing there spaces what the
        # service sees (not the time spent assuming the role or signing) and paces retries too. First, so
        # that a test's or benchmark's fake transport answering before-send is paced as well.
        client.meta.events.register_first("before-send", pace)
        client.meta.events.register("needs-retry", needs_retry)

    def for_account(self, account: Account) -> AccountClients:
        """The clients of one account: views of the run's shared clients, calling as that account."""
        return AccountClients(account, _Acting(account.account_id, self.credentials(account.role_arn)), self)


class AccountClients:
    """One account's clients, per (service, region): views of the run's shared clients bound to it."""

    def __init__(self, account: Account, acting: _Acting, sessions: Sessions) -> None:
        self.account = account
        self._acting = acting
        self._sessions = sessions
        self._clients: dict[tuple[str, str], Any] = {}
        partition = partition_of(account.role_arn) if account.role_arn else "aws"
        self.global_region = GLOBAL_REGION.get(partition, "us-east-1")

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.global_region
        key = (service, region)
        found = self._clients.get(key)
        if found is None:
            found = self._sessions.shared_client(service, region).bound_to(self._acting)
            self._clients[key] = found
        return found
