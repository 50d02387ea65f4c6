"""Handlers that the local AWS's Lambda emulation runs in its server process (test_lambda_runtime.py)."""

from __future__ import annotations

import os
from typing import Any

import boto3

INVOCATIONS = 0  # module state: survives between invocations of one warm container only


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global INVOCATIONS  # noqa: PLW0603 - what a warm container keeps is the point of this handler
    INVOCATIONS += 1
    identity = boto3.client("sts").get_caller_identity()
    return {
        "event": event,
        "invocations": INVOCATIONS,
        "greeting": os.environ.get("GREETING"),
        "function": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "caller": identity["Arn"],
    }


def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise ValueError(f"cannot handle {event.get('what')}")
