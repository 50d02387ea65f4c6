"""Scope results and API call counts as JSON and back: what a Lambda hands to the run's aggregation.

``ScopeResult.to_json`` (collector.sink) is the summary shape (detail text, missing actions); a per-item
manifest needs the problems themselves, so that the aggregated run manifest equals the CLI's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from collector.models import ApiCallCount, Problem, ScopeKey, ScopeStatus
from collector.sink import ScopeResult


def problem_to_json(problem: Problem) -> dict[str, Any]:
    return {
        "status": problem.status.value,
        "part": problem.part,
        "message": problem.message,
        "missing_action": problem.missing_action,
        "error_code": problem.error_code,
    }


def problem_from_json(data: Mapping[str, Any]) -> Problem:
    return Problem(
        ScopeStatus(data["status"]),
        str(data["part"]),
        str(data["message"]),
        data.get("missing_action"),
        data.get("error_code"),
    )


def result_to_json(result: ScopeResult) -> dict[str, Any]:
    return {**result.to_json(), "problems": [problem_to_json(p) for p in result.problems]}


def result_from_json(data: Mapping[str, Any]) -> ScopeResult:
    return ScopeResult(
        ScopeKey(str(data["account_id"]), str(data["region"]), str(data["service"])),
        ScopeStatus(data["status"]),
        tuple(problem_from_json(p) for p in data["problems"]),
        int(data["record_count"]),
        str(data["started_at"]),
        str(data["finished_at"]),
    )


def calls_to_json(calls: Iterable[ApiCallCount]) -> list[dict[str, Any]]:
    return [
        {
            "account_id": c.account_id,
            "service": c.service,
            "operation": c.operation,
            "calls": c.calls,
            "throttled": c.throttled,
        }
        for c in calls
    ]


def calls_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[ApiCallCount, ...]:
    return tuple(
        ApiCallCount(
            str(c["account_id"]), str(c["service"]), str(c["operation"]), int(c["calls"]), int(c["throttled"])
        )
        for c in data
    )


def merge_calls(parts: Iterable[Iterable[ApiCallCount]]) -> tuple[ApiCallCount, ...]:
    """The counts of many Lambdas summed per (account, service, operation), in the recorder's order."""
    calls: Counter[tuple[str, str, str]] = Counter()
    throttled: Counter[tuple[str, str, str]] = Counter()
    for part in parts:
        for c in part:
            key = (c.account_id, c.service, c.operation)
            calls[key] += c.calls
            throttled[key] += c.throttled
    return tuple(
        sorted(ApiCallCount(*k, calls=calls[k], throttled=throttled[k]) for k in set(calls) | set(throttled))
    )
