"""The three steps of a pipeline run, each one Lambda invocation; the CLI's code path inside each.

1. ``discover``: the request -> ``runner.prepare`` (organization accounts, enabled regions, the trail for
   ``cloudtrail_source`` auto/s3, the plan) -> ``runs/<run_id>/items.json`` for the Distributed Map's
   ItemReader, discovery's scope statuses, the run (with the trail found, which every item receives).
2. ``collect``: one work item -> ``runner.collect_item`` with the JSON Lines sink and the S3 state; then
   the item's manifest (its scope results and API calls). AccessDenied and the like are scope statuses in
   the results, never an exception: only a real fault (S3 unwritable, a bug, the Lambda's time) fails the
   item, and the Map's tolerated-failure threshold counts only those.
3. ``aggregate``: every item's manifest (or, for an item that failed, the scope statuses it did write, and
   ``failed`` for the rest with the cause the Map recorded) -> the run manifest, the same as the CLI's; and
   the records joined across scopes (``collector.links``), as the SQLite store derives them.

Dependencies come in through ``StepEnv`` (the handlers build it from the Lambda's environment), so tests
and benchmarks run the very same functions in-process.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from collector import links, registry
from collector.formats import InvalidSettingError
from collector.models import ApiCallCount, ScopeStatus, json_text
from collector.pipeline import codec, layout
from collector.pipeline import request as requests
from collector.pipeline.jsonl import (
    JsonLinesSink,
    ObjectStateReader,
    json_lines,
    read_json_lines,
    record_json,
)
from collector.pipeline.objects import JSON_LINES, ObjectStore
from collector.plan import WorkItem
from collector.runner import ItemEnv, collect_item, new_sessions, now_iso, prepare, record_discovery
from collector.services.cloudtrail.trails import TrailSource
from collector.services.iam import catalog as iam
from collector.services.iam.records import Role, RoleTrustPrincipal
from collector.services.identity_center.records import (
    PermissionSetRole,
    ProvisionedPermissionSet,
    SsoInstance,
)
from collector.services.organizations.records import Organization, OrganizationAccount
from collector.sink import RunManifest, ScopeResult

READ_WORKERS = 32  # parallel GETs when the aggregation reads every item's manifest
# In the run state (discover's "run", handed to every item): the trail to read, or why there is none.
TRAIL, TRAIL_PROBLEM = "cloudtrail_trail", "cloudtrail_trail_problem"


@dataclass(frozen=True)
class StepEnv:
    objects: ObjectStore
    external_ids: Callable[[str], str]  # customer -> ExternalId (layout.external_id_parameter)
    prepare_session: Callable[..., None] | None = None  # tests and benchmarks: a fake AWS at botocore's edge
    clock: Callable[[], float] = time.time


def _put_json(objects: ObjectStore, key: str, value: Any) -> None:
    objects.put(key, json_text(value).encode())


def _get_json(objects: ObjectStore, key: str) -> Any:
    body = objects.get(key)
    if body is None:
        raise FileNotFoundError(f"the run's object {key} is missing")
    return json.loads(body)


# --- 1. discover --------------------------------------------------------------------------------------------


def discover(event: Mapping[str, Any], env: StepEnv) -> dict[str, Any]:
    """``{"request": <execution input>, "execution": <execution ARN>}`` -> the run and its items' key."""
    request = requests.parse(event.get("request"))
    settings = request.run_settings(env.external_ids(request.customer))
    prepared = prepare(settings, prepare_session=env.prepare_session)
    run_id = prepared.run_id
    sink = JsonLinesSink(env.objects, customer=request.customer)
    started = now_iso()
    sink.start_run(run_id, started, {**settings.to_json(), "execution": event.get("execution")})
    results = record_discovery(prepared, sink, started)
    _put_json(env.objects, layout.items_key(run_id), [item.to_json() for item in prepared.plan.items])
    _put_json(
        env.objects,
        layout.discovery_key(run_id),
        {
            "scopes": [codec.result_to_json(r) for r in results],
            "api_calls": codec.calls_to_json(prepared.sessions.recorder.snapshot()),
            "left_out": [{"account_id": a, "reason": why} for a, why in prepared.discovery.left_out],
        },
    )
    trail = prepared.discovery.cloudtrail_trail
    return {
        "run": {
            "run_id": run_id,
            "customer": request.customer,
            "request": request.to_json(),
            # The trail discovery chose for the cloudtrail fetcher (as the CLI hands it to its items), or why
            # there is none; each collect step reads it from here instead of looking again.
            TRAIL: None if trail is None else trail.to_json(),
            TRAIL_PROBLEM: prepared.discovery.cloudtrail_trail_problem,
        },
        "items_key": layout.items_key(run_id),
        "item_count": len(prepared.plan.items),
        "account_count": len(prepared.discovery.accounts),
    }


# --- 2. collect one item ------------------------------------------------------------------------------------


def collect(event: Mapping[str, Any], env: StepEnv, *, deadline: float | None = None) -> dict[str, Any]:
    """``{"item": WorkItem.to_json(), "run": discover's "run"}`` -> a small summary of the item's scopes.

    ``deadline`` (``env.clock`` time) is when resumable fetchers (CloudTrail) stop and leave a checkpoint.
    """
    run = event["run"]
    run_id = layout.run_id(run["run_id"])
    request = requests.parse(run["request"])
    item = WorkItem.from_json(event["item"])
    unknown = [f for f in item.fetchers if f not in registry.by_name()]
    if unknown:
        raise InvalidSettingError("item.fetchers", unknown, f"names of {', '.join(registry.by_name())}")
    settings = request.run_settings(env.external_ids(request.customer))
    sessions = new_sessions(settings, run_id, prepare_session=env.prepare_session)
    item_env = ItemEnv(
        clients_for=sessions.for_account,
        run_id=run_id,
        state=ObjectStateReader(env.objects, customer=request.customer),
        options=dataclasses.replace(
            settings.options,
            cloudtrail_trail=None if run.get(TRAIL) is None else TrailSource.from_json(run[TRAIL]),
            cloudtrail_trail_problem=run.get(TRAIL_PROBLEM),
        ),
        clock=env.clock,
        deadline=deadline,
    )
    results = collect_item(item, item_env, JsonLinesSink(env.objects, customer=request.customer))
    _put_json(
        env.objects,
        layout.item_key(run_id, item.account.account_id, item.unit),
        {
            "item": item.to_json(),
            "scopes": [codec.result_to_json(r) for r in results],
            "api_calls": codec.calls_to_json(sessions.recorder.snapshot()),
        },
    )
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status.value] = statuses.get(result.status.value, 0) + 1
    return {"account_id": item.account.account_id, "unit": item.unit, "statuses": statuses}


# --- 3. aggregate -------------------------------------------------------------------------------------------


def _failure_causes(objects: ObjectStore, map_output: Mapping[str, Any] | None) -> dict[tuple[str, str], str]:
    """(account, unit) -> why its child execution failed, from the Map's ResultWriter files (when it wrote
    them: ``ResultWriterDetails`` names the manifest, whose ``FAILED`` files list the failed executions)."""
    details = (map_output or {}).get("ResultWriterDetails") or {}
    key = details.get("Key")
    manifest = objects.get(key) if isinstance(key, str) else None
    if manifest is None:
        return {}
    causes: dict[tuple[str, str], str] = {}
    for entry in json.loads(manifest).get("ResultFiles", {}).get("FAILED", ()):
        body = objects.get(entry["Key"])
        for execution in json.loads(body) if body else ():
            try:
                item = json.loads(execution["Input"])["item"]
            except (KeyError, TypeError, ValueError):
                continue
            cause = f"{execution.get('Error', 'error')}: {execution.get('Cause', '')}".strip()
            causes[(item["account"]["account_id"], item["unit"])] = cause
    return causes


def _salvaged(objects: ObjectStore, run_id: str, item: WorkItem, cause: str) -> list[ScopeResult]:
    """A failed item's scopes: those it finished (their status line was written), the rest failed."""
    results = []
    started = now_iso()
    for scope in item.scopes():
        body = objects.get(layout.scope_key(run_id, scope))
        if body is not None:
            results.append(codec.result_from_json(read_json_lines(body)[0]))
            continue
        problem = codec.problem_from_json(
            {
                "status": "failed",
                "part": "",
                "message": f"work item failed: {cause}",
                "error_code": "ItemFailed",
            }
        )
        results.append(ScopeResult(scope, ScopeStatus.FAILED, (problem,), 0, started, started))
    return results


def _records_of_kind(objects: ObjectStore, run_id: str, kind: str) -> list[dict[str, Any]]:
    keys = list(objects.keys(layout.kind_prefix(run_id, kind)))
    with ThreadPoolExecutor(max_workers=READ_WORKERS, thread_name_prefix="aggregate") as pool:
        bodies = list(pool.map(objects.get, keys))
    return [line for body in bodies if body for line in read_json_lines(body)]


def derive_links(objects: ObjectStore, run_id: str, results: Iterable[ScopeResult]) -> int:
    """The records the run derives (collector.links, as SqliteStore derives them): the permission-set-to-role
    mapping and the roles' trust edges, each written to ``layout.derived_key``; returns how many records."""
    return _permission_set_roles(objects, run_id, results) + _trust_edges(objects, run_id)


def _trust_edges(objects: ObjectStore, run_id: str) -> int:
    ours = links.TrustContext(
        organization_ids=frozenset(o["id"] for o in _records_of_kind(objects, run_id, Organization.KIND)),
        organization_accounts=frozenset(
            a["id"] for a in _records_of_kind(objects, run_id, OrganizationAccount.KIND)
        ),
    )
    roles = (
        (r["account_id"], r["arn"], r["trust_policy"]) for r in _records_of_kind(objects, run_id, Role.KIND)
    )
    records = links.role_trust_principals(roles, ours)
    if records:
        objects.put(
            layout.derived_key(run_id, RoleTrustPrincipal.KIND),
            json_lines(record_json(r, run_id) for r in records),
            JSON_LINES,
        )
    return len(records)


def _permission_set_roles(objects: ObjectStore, run_id: str, results: Iterable[ScopeResult]) -> int:
    homes = {
        (i["account_id"], i["instance_arn"]): i["home_region"]
        for i in _records_of_kind(objects, run_id, SsoInstance.KIND)
    }
    provisioned = [
        links.Provisioned(
            p["target_account_id"],
            p["permission_set_arn"],
            p["permission_set_name"],
            p["instance_arn"],
            homes[(p["account_id"], p["instance_arn"])],
        )
        for p in _records_of_kind(objects, run_id, ProvisionedPermissionSet.KIND)
        if (p["account_id"], p["instance_arn"]) in homes
    ]
    if not provisioned:
        return 0
    roles = [
        links.StoredRole(r["account_id"], r["arn"], r["name"], r["path"])
        for r in _records_of_kind(objects, run_id, Role.KIND)
        if r["name"].startswith(links.SSO_ROLE_PREFIX)
    ]
    iam_accounts = [
        r.scope.account_id
        for r in results
        if r.scope.service == iam.SERVICE and r.status is ScopeStatus.COMPLETE
    ]
    records = links.permission_set_roles(provisioned, roles, iam_accounts)
    objects.put(
        layout.derived_key(run_id, PermissionSetRole.KIND),
        json_lines(record_json(r, run_id) for r in records),
        JSON_LINES,
    )
    return len(records)


def aggregate(event: Mapping[str, Any], env: StepEnv) -> dict[str, Any]:
    """The state after the Map (``run``, and ``map`` or ``map_error``) -> the run manifest, written."""
    run = event["run"]
    run_id = layout.run_id(run["run_id"])
    objects = env.objects
    started = _get_json(objects, layout.run_key(run_id))
    discovery = _get_json(objects, layout.discovery_key(run_id))
    items = [WorkItem.from_json(i) for i in _get_json(objects, layout.items_key(run_id))]

    def item_manifest(item: WorkItem) -> Any:
        body = objects.get(layout.item_key(run_id, item.account.account_id, item.unit))
        return None if body is None else json.loads(body)

    with ThreadPoolExecutor(max_workers=READ_WORKERS, thread_name_prefix="aggregate") as pool:
        manifests = list(pool.map(item_manifest, items))

    map_error = event.get("map_error") or {}
    fallback = (
        f"{map_error.get('Error', 'error')}: {map_error.get('Cause', '')}"
        if map_error
        else "no result (the item's Lambda failed; see the Map Run)"
    )
    causes = _failure_causes(objects, event.get("map"))
    results = [codec.result_from_json(s) for s in discovery["scopes"]]
    calls: list[Iterable[ApiCallCount]] = [codec.calls_from_json(discovery["api_calls"])]
    failed_items = []
    for item, manifest in zip(items, manifests, strict=True):
        if manifest is None:
            failed_items.append({"account_id": item.account.account_id, "unit": item.unit})
            results.extend(_salvaged(objects, run_id, item, causes.get(item.key, fallback)))
        else:
            results.extend(codec.result_from_json(s) for s in manifest["scopes"])
            calls.append(codec.calls_from_json(manifest["api_calls"]))
    manifest_out = RunManifest(
        run_id=run_id,
        started_at=started["started_at"],
        finished_at=now_iso(),
        settings=started["settings"],
        scopes=tuple(sorted(results, key=lambda r: r.scope)),
        api_calls=codec.merge_calls(calls),
    )
    derive_links(objects, run_id, manifest_out.scopes)
    JsonLinesSink(objects, customer=started["customer"]).finish_run(manifest_out)
    statuses: dict[str, int] = {}
    for result in manifest_out.scopes:
        statuses[result.status.value] = statuses.get(result.status.value, 0) + 1
    return {
        "run_id": run_id,
        "manifest_key": layout.manifest_key(run_id),
        "complete": manifest_out.complete,
        "statuses": statuses,
        "failed_items": failed_items,
    }
