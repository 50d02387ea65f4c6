"""Lambda Invoke on the local AWS runs the function's handler in the server process, as Lambda would: its
variables, its execution role's credentials, a warm container per function, Lambda's error answer."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest

from local_aws.emulator.server import LocalAws

pytestmark = pytest.mark.e2e

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.txt", "the handler is imported from the server's own path")
    return buffer.getvalue()


def _function(name: str, handler: str, role: str, **extra: Any) -> str:
    created = boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler=f"tests.local_aws.emulator.lambda_handlers.{handler}",
        Code={"ZipFile": _zip()},
        Timeout=30,
        **extra,
    )
    return str(created["FunctionArn"])


def _invoke(name: str, event: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    answer = boto3.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return json.loads(answer["Payload"].read()), answer.get("FunctionError")


def _role(name: str) -> str:
    return str(boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"])


def test_the_handler_runs_with_the_functions_environment_and_role(local_aws: LocalAws) -> None:
    role = _role("EchoRole")
    _function("echo", "echo", role, Environment={"Variables": {"GREETING": "hello"}})

    first, error = _invoke("echo", {"n": 1})
    assert error is None
    assert first["event"] == {"n": 1} and first["greeting"] == "hello" and first["function"] == "echo"
    assert first["caller"].startswith("arn:aws:sts::123456789012:assumed-role/EchoRole/")
    assert 0 < first["remaining_ms"] <= 30_000
    second, _ = _invoke("echo", {"n": 2})
    assert second["invocations"] == first["invocations"] + 1  # the same warm container

    # Another function gets its own container (its own copy of the module), and its own role.
    other = boto3.client("iam").create_role(RoleName="OtherRole", AssumeRolePolicyDocument=TRUST)["Role"][
        "Arn"
    ]
    _function("echo-too", "echo", other)
    fresh, _ = _invoke("echo-too", {})
    assert fresh["invocations"] == 1 and fresh["greeting"] is None
    assert "/OtherRole/" in fresh["caller"]


def test_an_exception_is_answered_as_lambda_answers_it(local_aws: LocalAws) -> None:
    _function("fail", "fail", _role("FailRole"))
    payload, error = _invoke("fail", {"what": "this"})
    assert error == "Unhandled"
    assert payload["errorType"] == "ValueError" and payload["errorMessage"] == "cannot handle this"
    assert payload["stackTrace"]
