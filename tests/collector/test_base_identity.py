"""Refused base credentials are one configuration error before any role is assumed; a refused AssumeRole is
asked once per role and run; error details are one readable line."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from collector import aws, errors, runner
from collector.aws import Sessions
from collector.cli import app as cli
from collector.models import Account, ScopeStatus
from collector.settings import RunSettings
from tests.collector.canned import ACCOUNT
from tests.collector.stubs import ROLE_ARN, assume_role_xml, error_xml, http_answers

CALLER = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    "<Arn>arn:aws:iam::999999999999:user/vendor</Arn><UserId>AIDA</UserId><Account>999999999999</Account>"
    "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
    "</GetCallerIdentityResponse>"
)


@pytest.fixture(autouse=True)
def _offline(offline_aws: None) -> None:
    pass


def _sts_fake(monkeypatch: pytest.MonkeyPatch, answers: list[tuple[int, str]]) -> list[str]:
    """Every session of the CLI's run answers STS from ``answers``; returns the STS operations sent."""
    sent: list[str] = []
    answer = http_answers(answers)

    def sts(request: Any, **kwargs: Any) -> AWSResponse:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        sent.append(body.split("Action=")[1].split("&")[0])
        return answer(request, **kwargs)

    real = runner.new_sessions

    def new_sessions(*args: Any, **kwargs: Any) -> Sessions:
        kwargs["prepare_session"] = lambda session: session.register("before-send.sts", sts)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "new_sessions", new_sessions)
    return sent


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("InvalidClientTokenId", "The security token included in the request is invalid."),
        (
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ),
        ("ExpiredToken", "The security token included in the request is expired"),
    ],
)
def test_refused_base_credentials_exit_2_with_one_line_and_no_assume_role(
    monkeypatch: pytest.MonkeyPatch, code: str, message: str, tmp_path: Any
) -> None:
    sent = _sts_fake(monkeypatch, [(403, error_xml(code, message))])
    out, err = io.StringIO(), io.StringIO()
    argv = ["collect", "--role-arn", ROLE_ARN, "--external-id", "abc", "--db", str(tmp_path / "x.sqlite")]
    assert cli.main(argv, out=out, err=err) == 2
    lines = err.getvalue().strip().splitlines()
    refused = "error: the base AWS credentials (the default credential chain) were refused by STS"
    assert lines == [f"{refused}: {code}: {message}"]
    assert sent == ["GetCallerIdentity"]  # nothing assumed, no scope written
    assert not (tmp_path / "x.sqlite").exists() or "AssumeRole" not in err.getvalue()


def test_good_base_credentials_are_checked_once_then_the_run_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    sent = _sts_fake(monkeypatch, [(200, CALLER), (200, assume_role_xml(later))])
    settings = RunSettings(role_arn=ROLE_ARN, external_id="Customer-1", fetchers=("iam",))
    prepared = runner.prepare(settings, check_base_identity=True)
    assert [a.account_id for a in prepared.discovery.accounts] == [ACCOUNT]
    assert sent == ["GetCallerIdentity"]  # the role is assumed on first use, not by the check
    assert all(c.operation != "GetCallerIdentity" for c in prepared.sessions.recorder.snapshot())


def test_a_refused_assume_role_is_asked_once_per_role_and_run() -> None:
    sent: list[str] = []
    sts = http_answers([(403, error_xml("AccessDenied", "not authorized to perform sts:AssumeRole"))])

    def capture(request: Any, **kwargs: Any) -> AWSResponse:
        sent.append("AssumeRole")
        return sts(request, **kwargs)

    def prepare(session: Any) -> None:
        session.register("before-send.sts", capture)

    sessions = Sessions(external_id="Customer-1", run_id="r", prepare_session=prepare)
    problems = []
    for _ in range(5):  # five scopes of the account, each with its own clients (as work items have)
        with pytest.raises(ClientError) as raised:
            sessions.for_account(Account(ACCOUNT, ROLE_ARN)).client("iam").list_account_aliases()
        problems.append(errors.classify(raised.value))
    assert sent == ["AssumeRole"]
    assert {(p.status, p.missing_action) for p in problems} == {(ScopeStatus.DENIED, "sts:AssumeRole")}
    counted = {(c.service, c.operation): c.calls for c in sessions.recorder.snapshot()}
    assert counted[("sts", "AssumeRole")] == 1


def test_a_throttled_assume_role_is_not_remembered() -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    throttled = [(400, error_xml("Throttling", "Rate exceeded"))] * aws.MAX_ATTEMPTS  # every retry too
    answers = [*throttled, (200, assume_role_xml(later))]
    sts = http_answers(answers)

    def prepare(session: Any) -> None:
        session.register("before-send.sts", sts)

    sessions = Sessions(external_id="Customer-1", run_id="r", prepare_session=prepare)
    with pytest.raises(ClientError):
        sessions.credentials(ROLE_ARN).get_frozen_credentials()
    assert sessions.credentials(ROLE_ARN).get_frozen_credentials().access_key == "ASIAEXAMPLE"


def test_an_html_error_page_becomes_one_short_line() -> None:
    page = (
        "<html><head><title>404 Not Found</title><style>body {color: red}</style></head>"
        "<body><h1>Not Found</h1>\n\n<p>The requested URL was not found on this server.</p></body></html>\n"
    ) * 10
    error = ClientError({"Error": {"Code": "404", "Message": page}}, "DescribeInstances")
    detail = errors.classify(error).message
    assert "\n" not in detail and "<" not in detail and len(detail) <= 350
    assert detail.startswith(
        "DescribeInstances: 404: 404 Not Found Not Found The requested URL was not found"
    )
    assert detail.count("The requested URL") == 1
    assert len(errors.one_line("x" * 1000)) == errors.DETAIL_LIMIT
