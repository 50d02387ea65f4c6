"""The pipeline's sink: JSON Lines in an object store (S3), one object per entity kind per scope, and the
state reader over the same store.

Each record line has exactly the fields and values that ``aws-readonly-collector export`` writes from the
SQLite store (account_id, region, the record's columns, run_id, raw), so one query reads either.

Unlike SQLite, S3 keeps each run on its own (``runs/<run_id>/``): nothing is ever overwritten by a later run,
and nothing is removed as stale. What a consumer needs to pick the latest complete data of a scope is in
the scope status lines (``runs/<run_id>/scopes/``). Within a scope the records are written first, then its
state, then its status line: a status line means its records are there (a retried item writes the same
keys again). Append-only records (CloudTrail events) come in parts while the scope is read, one object each
(``layout.kind_part_key``), so that a Lambda never holds a big scope whole; a retry that reads fewer parts
leaves the first attempt's extra parts, records that were read in this run too (events are keyed by ID).

State (checkpoints such as CloudTrail's mark) lives in S3 under ``state/<customer>/``: one small object per
scope, read once and written once per run by the one Lambda that collects the scope, so S3's
last-writer-wins is all the consistency it needs; DynamoDB would add a service, a table and its IAM for no
gain (two overlapping runs of a customer at worst read a CloudTrail window twice, and events are keyed by
their ID).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from collector.models import Record, ScopeKey, ScopeStatus, json_text
from collector.pipeline import codec, layout
from collector.pipeline.objects import JSON, JSON_LINES, ObjectStore
from collector.sink import RunManifest, ScopeOutcome, ScopeResult


def record_json(record: Record, run_id: str) -> dict[str, Any]:
    """One record as a JSON Lines object: the fields ``export`` writes from SQLite, in the same shape."""
    out: dict[str, Any] = {"account_id": record.account_id, "region": record.region}
    for name in record.columns():
        out[name] = getattr(record, name)
    out["run_id"] = run_id
    out["raw"] = record.raw
    return out


def json_lines(items: Iterable[Mapping[str, Any]]) -> bytes:
    return "".join(json_text(dict(item)) + "\n" for item in items).encode()


def read_json_lines(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.decode().splitlines() if line.strip()]


def scope_line(result: ScopeResult, run_id: str) -> dict[str, Any]:
    """A scope's status as the ``scopes`` table reads it (with its problems, so it reads back whole)."""
    return {**codec.result_to_json(result), "run_id": run_id}


class JsonLinesSink:
    """A ``collector.sink.Sink`` writing JSON Lines under ``runs/<run_id>/``; thread-safe (each call writes
    its own keys)."""

    def __init__(self, objects: ObjectStore, *, customer: str) -> None:
        self.objects = objects
        self.customer = customer

    def start_run(self, run_id: str, started_at: str, settings: Mapping[str, Any]) -> None:
        body = {"run_id": run_id, "customer": self.customer, "started_at": started_at, "settings": settings}
        self.objects.put(layout.run_key(run_id), json_text(body).encode(), JSON)

    def write_records(self, run_id: str, scope: ScopeKey, part: int, records: Sequence[Record]) -> None:
        for kind, of_kind in _by_kind(records):
            self.objects.put(
                layout.kind_part_key(run_id, kind, scope, part),
                json_lines(record_json(r, run_id) for r in of_kind),
                JSON_LINES,
            )

    def write_scope(self, run_id: str, outcome: ScopeOutcome) -> None:
        result = outcome.result
        for kind, records in _by_kind(outcome.records):
            self.objects.put(
                layout.kind_key(run_id, kind, result.scope),
                json_lines(record_json(r, run_id) for r in records),
                JSON_LINES,
            )
        if result.status is ScopeStatus.COMPLETE or outcome.checkpoint:
            state = {"run_id": run_id, "state": dict(outcome.state)}
            self.objects.put(layout.state_key(self.customer, result.scope), json_text(state).encode(), JSON)
        self.objects.put(
            layout.scope_key(run_id, result.scope), json_lines([scope_line(result, run_id)]), JSON_LINES
        )

    def finish_run(self, manifest: RunManifest) -> None:
        self.objects.put(layout.manifest_key(manifest.run_id), json_text(manifest.to_json()).encode(), JSON)
        index = {
            "run_id": manifest.run_id,
            "customer": self.customer,
            "started_at": manifest.started_at,
            "finished_at": manifest.finished_at,
            "complete": manifest.complete,
            "scopes": len(manifest.scopes),
            "not_ok": sum(1 for s in manifest.scopes if not s.status.is_ok),
        }
        self.objects.put(layout.index_key(manifest.run_id), json_lines([index]), JSON_LINES)


def _by_kind(records: Iterable[Record]) -> list[tuple[str, list[Record]]]:
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record.KIND, []).append(record)
    return sorted(by_kind.items())


class ObjectStateReader:
    """A ``collector.sink.StateReader`` over ``state/<customer>/`` (what JsonLinesSink writes)."""

    def __init__(self, objects: ObjectStore, *, customer: str) -> None:
        self.objects = objects
        self.customer = customer

    def read_state(self, scope: ScopeKey) -> Mapping[str, str]:
        body = self.objects.get(layout.state_key(self.customer, scope))
        if body is None:
            return {}
        return {str(k): str(v) for k, v in json.loads(body)["state"].items()}
