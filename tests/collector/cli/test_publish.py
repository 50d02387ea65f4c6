"""`customers publish-external-id`: the ExternalId goes from the registry into the pipeline's SSM
SecureString, in the vendor's account, without passing through a shell or an output."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from collector.cli import app as cli
from collector.cli import customers as customers_command
from collector.permissions import all_permissions
from tests.collector.stubs import offline_client

VENDOR = "arn:aws:iam::999988887777:role/Vendor"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "vendor.sqlite")
    code, _, err = _run(
        "customers", "add", "acme", "--method", "account", "--trusted-principal", VENDOR,
        "--account-id", "111122223333", "--db", path,
    )  # fmt: skip
    assert code == 0, err
    return path


def _external_id(db: str) -> str:
    return str(json.loads(_run("customers", "show", "acme", "--json", "--db", db)[1])["external_id"])


def _stubbed(
    monkeypatch: pytest.MonkeyPatch, expected: dict[str, Any] | None, error: str | None = None
) -> Stubber:
    ssm = offline_client("ssm")
    stub = Stubber(ssm)
    if error is not None:
        stub.add_client_error("put_parameter", error, "User is not authorized to perform: ssm:PutParameter")
    else:
        stub.add_response("put_parameter", {"Version": 3, "Tier": "Standard"}, expected)
    stub.activate()
    monkeypatch.setattr(customers_command, "_ssm_client", lambda profile, region: ssm)
    return stub


def test_the_external_id_is_written_where_the_pipeline_reads_it(
    monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    value = _external_id(db)
    name = "/readonly-collector/customers/acme/external-id"
    expected = {
        "Name": name,
        "Value": value,
        "Type": "SecureString",
        "Overwrite": True,
        "Description": "sts:ExternalId of customer acme (aws-readonly-collector)",
    }
    stub = _stubbed(monkeypatch, expected)
    code, out, err = _run("customers", "publish-external-id", "acme", "--db", db)
    assert code == 0, err
    assert out == f"published acme's ExternalId to {name} (SecureString, version 3)\n"
    assert value not in out + err
    stub.assert_no_pending_responses()


def test_a_prefix_a_full_name_and_a_key(monkeypatch: pytest.MonkeyPatch, db: str) -> None:
    value = _external_id(db)
    base = {"Value": value, "Type": "SecureString", "Overwrite": True, "Description": ANY}
    _stubbed(monkeypatch, {**base, "Name": "/vendor/ids/acme/external-id", "KeyId": "alias/ids"})
    argv = [
        "customers",
        "publish-external-id",
        "acme",
        "--prefix",
        "/vendor/ids/",
        "--kms-key-id",
        "alias/ids",
    ]
    assert _run(*argv, "--db", db)[0] == 0
    _stubbed(monkeypatch, {**base, "Name": "/custom/acme-id"})
    assert (
        _run("customers", "publish-external-id", "acme", "--parameter", "/custom/acme-id", "--db", db)[0] == 0
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--parameter", "aws/x"], "--parameter: got 'aws/x'; expected an SSM parameter name"),
        (["--parameter", "/ssm/x"], "--parameter: got '/ssm/x'"),
        (["--prefix", "no-slash"], "--prefix: got 'no-slash'"),
    ],
)
def test_bad_names_are_refused_before_any_call(
    monkeypatch: pytest.MonkeyPatch, db: str, argv: list[str], message: str
) -> None:
    stub = _stubbed(monkeypatch, None, error="ShouldNotBeCalled")
    code, _, err = _run("customers", "publish-external-id", "acme", *argv, "--db", db)
    assert code == 2 and message in err, err
    with pytest.raises(AssertionError):
        stub.assert_no_pending_responses()  # the queued answer is still there: nothing was sent


def test_a_refusal_is_one_line_without_the_value(monkeypatch: pytest.MonkeyPatch, db: str) -> None:
    _stubbed(monkeypatch, None, error="AccessDeniedException")
    code, out, err = _run("customers", "publish-external-id", "acme", "--db", db)
    assert code == 2
    assert err.strip().splitlines() == [
        "error: ssm:PutParameter /readonly-collector/customers/acme/external-id: PutParameter: User is not "
        "authorized to perform: ssm:PutParameter"
    ]
    assert _external_id(db) not in out + err


def test_put_parameter_is_the_vendors_permission_not_the_customer_roles() -> None:
    assert "ssm:PutParameter" not in {p.action for p in all_permissions()}
