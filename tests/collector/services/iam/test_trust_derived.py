"""Trust edges are derived after every run from the stored roles and the collected organization, the same
by the SQLite store and by the pipeline's aggregation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector.models import GLOBAL, Record, ScopeKey, ScopeStatus
from collector.pipeline import layout, steps
from collector.pipeline.jsonl import JsonLinesSink, read_json_lines
from collector.pipeline.objects import MemoryObjects
from collector.services.iam.records import Role
from collector.services.organizations.records import Organization, OrganizationAccount
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore

MANAGEMENT, MEMBER, VENDOR = "111111111111", "222222222222", "999999999999"
ORG = "o-abcdefghij"
RUN1, RUN2 = "20260506T120000Z-a1b2c3", "20260507T120000Z-d4e5f6"


def _role(account: str, name: str, principal: dict[str, Any], condition: Any = None) -> Role:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return Role(
        account_id=account,
        arn=f"arn:aws:iam::{account}:role/{name}",
        name=name,
        role_id=f"AROA{name.upper():0<17}",
        path="/",
        create_date="2024-01-01T00:00:00+00:00",
        trust_policy={"Version": "2012-10-17", "Statement": [statement]},
    )


def _org_account(account: str) -> OrganizationAccount:
    return OrganizationAccount(
        account_id=MANAGEMENT,
        id=account,
        arn=f"arn:aws:organizations::{MANAGEMENT}:account/{ORG}/{account}",
        name=account,
        email=f"{account}@example.com",
        status="ACTIVE",
    )


def _scopes(with_organization: bool) -> dict[ScopeKey, tuple[Record, ...]]:
    scopes: dict[ScopeKey, tuple[Record, ...]] = {
        ScopeKey(MANAGEMENT, GLOBAL, "iam"): (
            _role(MANAGEMENT, "from-member", {"AWS": f"arn:aws:iam::{MEMBER}:root"}),
            _role(MANAGEMENT, "vendor", {"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "x"}}),
        ),
        ScopeKey(MEMBER, GLOBAL, "iam"): (
            _role(MEMBER, "org-wide", {"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": ORG}}),
        ),
    }
    if with_organization:
        scopes[ScopeKey(MANAGEMENT, GLOBAL, "organizations")] = (
            Organization(
                account_id=MANAGEMENT,
                id=ORG,
                arn=f"arn:aws:organizations::{MANAGEMENT}:organization/{ORG}",
                management_account_id=MANAGEMENT,
            ),
            _org_account(MANAGEMENT),
            _org_account(MEMBER),
        )
    return scopes


def _result(scope: ScopeKey) -> ScopeResult:
    return ScopeResult(scope, ScopeStatus.COMPLETE, (), 1, "s", "f")


def _write(
    store: SqliteStore, sink: JsonLinesSink | None, run: str, scopes: dict[ScopeKey, tuple[Record, ...]]
) -> None:
    store.start_run(run, "s", {})
    for scope, found in scopes.items():
        outcome = ScopeOutcome(_result(scope), found, tuple({type(r) for r in found}))
        store.write_scope(run, outcome)
        if sink:
            sink.write_scope(run, outcome)
    store.finish_run(RunManifest(run, "s", "f", {}, tuple(_result(s) for s in scopes), ()))


def _external(rows: list[dict[str, Any]]) -> dict[str, bool | None]:
    return {r["role_arn"].rsplit("/", 1)[-1]: r["external_account"] for r in rows}


def test_the_store_derives_edges_against_the_stored_organization(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        _write(store, None, RUN1, _scopes(with_organization=False))
        # Without the organization, the member account and the organization ID are not known to be ours.
        assert _external(list(store.rows("role_trust_principals"))) == {
            "from-member": True,
            "vendor": True,
            "org-wide": True,
        }
        _write(store, None, RUN2, _scopes(with_organization=True))
        rows = list(store.rows("role_trust_principals"))
        assert _external(rows) == {"from-member": False, "vendor": True, "org-wide": False}
        vendor = next(r for r in rows if r["role_arn"].endswith("/vendor"))
        assert vendor["external_id_required"] is True and vendor["principal_account_id"] == VENDOR
        assert vendor["account_id"] == MANAGEMENT and vendor["run_id"] == RUN2


def test_the_pipeline_derives_the_same_edges_as_the_store(tmp_path: Path) -> None:
    objects = MemoryObjects()
    sink = JsonLinesSink(objects, customer="acme")
    scopes = _scopes(with_organization=True)
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        _write(store, sink, RUN1, scopes)
        expected = list(store.rows("role_trust_principals"))

    assert steps.derive_links(objects, RUN1, [_result(s) for s in scopes]) == 3
    derived = read_json_lines(objects.get(layout.derived_key(RUN1, "role_trust_principals")) or b"")
    key = lambda r: (r["role_arn"], r["principal"])  # noqa: E731
    assert sorted(derived, key=key) == sorted(expected, key=key)
