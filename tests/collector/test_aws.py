"""Sessions, retries, credential refresh, the call recorder, rate limits and error classification, offline."""

from __future__ import annotations

import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from collector import aws, errors
from collector.aws import CallPacer, CallRecorder, Sessions, TokenBucket
from collector.external_id import ExternalIdMode
from collector.models import Account, ScopeStatus
from tests.collector.canned import ACCOUNT
from tests.collector.stubs import ROLE_ARN, assume_role_xml, error_xml, http_answers, iam_xml

ALIASES = iam_xml(
    "ListAccountAliases",
    "<IsTruncated>false</IsTruncated><AccountAliases><member>main</member></AccountAliases>",
)


@pytest.fixture(autouse=True)
def _offline(offline_aws: None) -> None:
    pass


def _sessions(
    sts: list[tuple[int, str]],
    iam: list[tuple[int, str]],
    sent: list[str],
    mode: ExternalIdMode = ExternalIdMode.SHARED,
) -> Sessions:
    sts_handler, iam_handler = http_answers(sts), http_answers(iam)

    def capture_sts(request, **kwargs):
        sent.append(request.body.decode() if isinstance(request.body, bytes) else str(request.body))
        return sts_handler(request, **kwargs)

    def prepare(session) -> None:
        session.register("before-send.sts", capture_sts)
        session.register("before-send.iam", iam_handler)

    return Sessions(
        external_id="Customer-ExternalId-1",
        external_id_mode=mode,
        run_id="20260101T000000Z-abc123",
        prepare_session=prepare,
    )


def test_throttling_is_retried_by_the_one_config_and_counted() -> None:
    sent: list[str] = []
    later = datetime.now(UTC) + timedelta(hours=1)
    sessions = _sessions(
        [(200, assume_role_xml(later))],
        [
            (400, error_xml("Throttling", "Rate exceeded")),
            (400, error_xml("Throttling", "Rate exceeded")),
            (200, ALIASES),
        ],
        sent,
    )
    client = sessions.for_account(Account(ACCOUNT, ROLE_ARN)).client("iam")
    assert client.meta.config.retries == {"mode": aws.RETRY_MODE, "total_max_attempts": aws.MAX_ATTEMPTS}

    assert client.list_account_aliases()["AccountAliases"] == ["main"]

    counts = {(c.service, c.operation): c for c in sessions.recorder.snapshot()}
    assert counts[("iam", "ListAccountAliases")].calls == 1
    assert counts[("iam", "ListAccountAliases")].throttled == 2
    assert counts[("sts", "AssumeRole")].calls == 1


def test_role_is_assumed_with_the_external_id_and_an_attributable_session_name() -> None:
    sent: list[str] = []
    sessions = _sessions(
        [(200, assume_role_xml(datetime.now(UTC) + timedelta(hours=1)))], [(200, ALIASES)], sent
    )
    sessions.for_account(Account(ACCOUNT, ROLE_ARN)).client("iam").list_account_aliases()
    (body,) = sent
    params = dict(urllib.parse.parse_qsl(body))
    assert params["RoleArn"] == ROLE_ARN and params["ExternalId"] == "Customer-ExternalId-1"
    assert params["RoleSessionName"] == "aws-readonly-collector@20260101T000000Z-abc123"
    assert (
        aws.session_name("x" * 100) == aws.session_name("x" * 100) and len(aws.session_name("x" * 100)) == 64
    )


def test_per_account_mode_presents_the_external_id_derived_for_each_account() -> None:
    sent: list[str] = []
    later = datetime.now(UTC) + timedelta(hours=1)
    sessions = _sessions(
        [(200, assume_role_xml(later)), (200, assume_role_xml(later))],
        [(200, ALIASES), (200, ALIASES)],
        sent,
        ExternalIdMode.PER_ACCOUNT,
    )
    other = "444455556666"
    for account in (Account(ACCOUNT, ROLE_ARN), Account(other, f"arn:aws:iam::{other}:role/Reader")):
        sessions.for_account(account).client("iam").list_account_aliases()
    presented = [dict(urllib.parse.parse_qsl(body))["ExternalId"] for body in sent]
    assert presented == [f"Customer-ExternalId-1-{ACCOUNT}", f"Customer-ExternalId-1-{other}"]


def test_credentials_are_refreshed_before_they_expire_and_shared_by_threads() -> None:
    sent: list[str] = []
    soon = datetime.now(UTC) + timedelta(minutes=5)  # inside botocore's mandatory refresh window
    later = datetime.now(UTC) + timedelta(hours=1)
    sessions = _sessions(
        [(200, assume_role_xml(soon)), (200, assume_role_xml(later))], [(200, ALIASES)] * 3, sent
    )
    account = Account(ACCOUNT, ROLE_ARN)
    for _ in range(3):
        sessions.for_account(account).client("iam").list_account_aliases()
    assert len(sent) == 2  # assumed, refreshed once (5 minutes left), then valid for an hour
    assert sessions.credentials(ROLE_ARN) is sessions.credentials(ROLE_ARN)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _assume_role_for(role_arn: str) -> str:
    """An AssumeRole answer whose access key names the role's account."""
    account = role_arn.split(":")[4]
    later = datetime.now(UTC) + timedelta(hours=1)
    return assume_role_xml(later).replace("ASIAEXAMPLE", f"ASIA{account}")


def test_one_client_per_service_and_region_serves_every_account_and_thread_with_its_own_credentials() -> None:
    """Clients are built once a run and shared; each call is signed with, counted for and paced as the
    account whose view made it, also when threads interleave accounts on the same client."""
    accounts = [Account(f"{n:012d}", f"arn:aws:iam::{n:012d}:role/Reader") for n in (111, 222, 333)]
    sessions_made: list[object] = []
    expected = threading.local()
    mismatches: list[tuple[str, str]] = []
    lock = threading.Lock()

    def sts(request, **_):
        role = dict(urllib.parse.parse_qsl(_text(request.body)))["RoleArn"]
        return http_answers([(200, _assume_role_for(role))])(request)

    def iam(request, **_):
        signed_with = _text(request.headers["Authorization"]).split("Credential=")[1].split("/")[0]
        if signed_with != f"ASIA{expected.account}":
            with lock:
                mismatches.append((expected.account, signed_with))
        return http_answers([(200, ALIASES)])(request)

    def prepare(session) -> None:
        sessions_made.append(session)
        session.register("before-send.sts", sts)
        session.register("before-send.iam", iam)

    sessions = Sessions(
        external_id="Customer-1",
        run_id="r",
        prepare_session=prepare,
        max_pool_connections=8,
        limiter=CallPacer(default_rate=1e6),
    )

    def work(offset: int) -> None:
        for i in range(30):
            account = accounts[(offset + i) % len(accounts)]
            expected.account = account.account_id
            sessions.for_account(account).client("iam").list_account_aliases()

    with ThreadPoolExecutor(8) as pool:
        for done in [pool.submit(work, n) for n in range(8)]:
            done.result()
    assert mismatches == []
    calls = {
        c.account_id: c.calls for c in sessions.recorder.snapshot() if c.operation == "ListAccountAliases"
    }
    assert calls == {a.account_id: 80 for a in accounts}
    assert {c.account_id: c.calls for c in sessions.recorder.snapshot() if c.operation == "AssumeRole"} == {
        a.account_id: 1 for a in accounts
    }
    one, other = (sessions.for_account(a).client("iam") for a in accounts[:2])
    assert one.meta is other.meta  # the same client underneath: one model, one connection pool
    assert sessions.for_account(accounts[0]).client("iam", "eu-west-1").meta is not one.meta
    assert len(sessions_made) == 2  # the base session (for STS) and the shared clients' session


def test_a_shared_client_called_without_an_account_refuses() -> None:
    sessions = _sessions([], [(200, ALIASES)], [])
    with pytest.raises(RuntimeError, match="without an account"):
        sessions.shared_client("iam", "us-east-1").list_account_aliases()


def test_a_denied_assume_role_names_sts_assume_role() -> None:
    sessions = _sessions(
        [(403, error_xml("AccessDenied", "not authorized to perform sts:AssumeRole"))], [], []
    )
    with pytest.raises(ClientError) as raised:
        sessions.for_account(Account(ACCOUNT, ROLE_ARN)).client("iam").list_account_aliases()
    problem = errors.classify(raised.value)
    assert problem.status is ScopeStatus.DENIED and problem.missing_action == "sts:AssumeRole"


def test_no_base_credentials_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(aws.ConfigurationError, match="no AWS credentials"):
        Sessions(external_id="ab", run_id="r")
    with pytest.raises(aws.ConfigurationError, match="--profile"):
        Sessions(external_id="ab", run_id="r", profile="no-such-profile")


def test_token_bucket_spaces_requests_beyond_the_burst() -> None:
    slept: list[float] = []
    bucket = TokenBucket(2.0, 2, clock=lambda: 100.0, sleep=slept.append)
    waits = [bucket.acquire() for _ in range(5)]
    assert waits == [0.0, 0.0, 0.5, 1.0, 1.5]
    assert slept == [0.5, 1.0, 1.5]


def test_rate_limits_are_per_account_region_and_api_with_documented_rates() -> None:
    limiter = CallPacer(default_rate=7.0)
    a = limiter.bucket("111111111111", "us-east-1", "iam", "GetAccountAuthorizationDetails")
    assert a is limiter.bucket("111111111111", "us-east-1", "iam", "GetAccountAuthorizationDetails")
    assert a is not limiter.bucket("222222222222", "us-east-1", "iam", "GetAccountAuthorizationDetails")
    assert a.rate == 7.0
    lookups = limiter.bucket("111111111111", "eu-west-1", "cloudtrail", "LookupEvents").rate
    assert lookups == aws.LOOKUP_EVENTS_RATE and 1.5 < lookups < 2.0  # just under CloudTrail's 2/s


def test_the_pacer_forgets_buckets_full_for_a_while_and_keeps_the_others() -> None:
    """Memory flat in accounts: the buckets of accounts done go; a bucket still paying off its calls stays."""
    now = [1000.0]
    limiter = CallPacer(default_rate=1.0, clock=lambda: now[0], sleep=lambda s: None)
    done = limiter.bucket("111111111111", "us-east-1", "ec2", "DescribeVpcs")
    done.acquire()
    busy = limiter.bucket("222222222222", "us-east-1", "ec2", "DescribeVpcs")
    now[0] += aws.IDLE_SECONDS + 2  # the first is full again, and has been for over IDLE_SECONDS
    for _ in range(5):
        busy.acquire()  # the second owes 4 s of calls
    for n in range(aws.SWEEP_EVERY - 2):
        limiter.bucket(f"{n:012d}", "eu-west-1", "ec2", "DescribeVpcs")
    # The idle one went; the busy one and the new ones stayed.
    assert limiter.bucket_count() == aws.SWEEP_EVERY - 1
    assert limiter.bucket("222222222222", "us-east-1", "ec2", "DescribeVpcs") is busy
    assert limiter.bucket("111111111111", "us-east-1", "ec2", "DescribeVpcs") is not done


def test_recorder_is_thread_safe() -> None:
    recorder = CallRecorder()

    def hammer() -> None:
        for _ in range(1000):
            recorder.count("a", "iam", "X")

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (count,) = recorder.snapshot()
    assert count.calls == 4000 and recorder.total() == 4000


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails"),
        ("ListAccounts", "organizations:ListAccounts"),
        ("ListInstances", "sso:ListInstances"),  # the API is sso-admin, the action sso
        ("DescribeRegions", "ec2:DescribeRegions"),
        ("AssumeRole", "sts:AssumeRole"),
    ],
)
def test_denied_operations_map_to_their_catalog_action(operation: str, action: str) -> None:
    error = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, operation)
    problem = errors.classify(error, part="x")
    assert (problem.status, problem.missing_action, problem.part) == (ScopeStatus.DENIED, action, "x")


def test_other_faults_are_failed_with_the_error() -> None:
    throttled = errors.classify(
        ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "ListUsers")
    )
    assert throttled.status is ScopeStatus.FAILED and "throttled" in throttled.message
    bug = errors.classify(KeyError("Arn"))
    assert bug.status is ScopeStatus.FAILED and "KeyError" in bug.message
