"""The runner with fake fetchers: one failing scope never stops the others and never loses stored data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from collector.aws import Sessions
from collector.discovery import Discovery
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import GLOBAL, Account, Record, ScopeKey, ScopeStatus
from collector.permissions import AccessLevel, Feature, FetcherPermissions, Permission
from collector.plan import WorkItem, build_plan
from collector.runner import ItemEnv, Prepared, collect_item, execute, exit_code
from collector.services.iam.records import Group, User
from collector.settings import RunSettings
from collector.sink import ScopeResult
from collector.store import SqliteStore

A, B = "111111111111", "222222222222"
ROLE = "arn:aws:iam::{}:role/Reader"
Behaviour = Callable[[FetchContext], Iterator[Record]]
BEHAVIOUR: dict[tuple[str, str], Behaviour] = {}


def _perms(name: str) -> FetcherPermissions:
    return FetcherPermissions(
        name, Feature.IAM, (Permission("iam:ListUsers", "iam:ListUsers", AccessLevel.LIST, "test"),)
    )


def _dispatch(ctx: FetchContext) -> Iterator[Record]:
    return BEHAVIOUR[(ctx.account.account_id, ctx.region)](ctx)


FAKE_USERS = Fetcher(_perms("fake_users"), Placement.GLOBAL, (User,), _dispatch)
FAKE_REGIONAL = Fetcher(_perms("fake_regional"), Placement.REGIONAL, (Group,), _dispatch)


def _user(ctx: FetchContext, name: str) -> User:
    return User(
        account_id=ctx.account.account_id,
        arn=f"arn:aws:iam::{ctx.account.account_id}:user/{name}",
        name=name,
        user_id=name,
        path="/",
        create_date="2024-01-01",
    )


def _group(ctx: FetchContext, name: str) -> Group:
    return Group(
        account_id=ctx.account.account_id,
        region=ctx.region,
        arn=f"arn:g/{name}",
        name=name,
        group_id=name,
        path="/",
        create_date="2024-01-01",
    )


def users(*names: str) -> Behaviour:
    def run(ctx: FetchContext) -> Iterator[Record]:
        for name in names:
            yield _user(ctx, name)

    return run


def denied(ctx: FetchContext) -> Iterator[Record]:
    yield _user(ctx, "read-before-the-fault")
    raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListUsers")


def broken(ctx: FetchContext) -> Iterator[Record]:
    if ctx.region:
        raise RuntimeError("a bug in one region")
    yield _group(ctx, "never")


@pytest.fixture
def db(tmp_path: Path, offline_aws: None) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        yield store


def _run(
    store: SqliteStore, fetchers: tuple[Fetcher, ...], regions: tuple[str, ...] = ()
) -> list[ScopeResult]:
    accounts = (Account(A, ROLE.format(A)), Account(B, ROLE.format(B)))
    settings = RunSettings(role_arn=ROLE.format(A), external_id="ab", workers=4)
    sessions = Sessions(external_id="ab", run_id="unused")
    discovery = Discovery(accounts, regions={a.account_id: regions for a in accounts})
    plan = build_plan(accounts, fetchers, regions=discovery.regions)
    run_id = f"run-{len(store.runs()) + 1}"
    prepared = Prepared(run_id, settings, sessions, fetchers, discovery, plan)
    seen: list[ScopeResult] = []
    manifest = execute(prepared, store, state=store, on_scope=seen.append)
    assert sorted(r.scope for r in seen) == [r.scope for r in manifest.scopes]
    return list(manifest.scopes)


def _names(store: SqliteStore, account: str) -> list[str]:
    return sorted(r["name"] for r in store.rows("users") if r["account_id"] == account)


def test_a_denied_account_keeps_its_old_rows_while_the_other_is_refreshed(db: SqliteStore) -> None:
    BEHAVIOUR.update({(A, GLOBAL): users("a1", "a2"), (B, GLOBAL): users("b1", "b2")})
    first = _run(db, (FAKE_USERS,))
    assert exit_code(first) == 0

    BEHAVIOUR.update({(A, GLOBAL): users("a1"), (B, GLOBAL): denied})
    second = {r.scope.account_id: r for r in _run(db, (FAKE_USERS,))}

    assert second[A].status is ScopeStatus.COMPLETE
    assert second[B].status is ScopeStatus.DENIED and second[B].missing_actions == ("iam:ListUsers",)
    assert exit_code(second.values()) == 1
    assert _names(db, A) == ["a1"]  # a2 is gone: A completed
    # B keeps everything the first run saw, plus what was read before the fault.
    assert _names(db, B) == ["b1", "b2", "read-before-the-fault"]
    scopes = {s["account_id"]: s for s in db.scopes()}
    assert scopes[B]["status"] == "denied" and scopes[B]["data_run_id"] == "run-1"


def test_a_broken_region_does_not_stop_other_regions_or_accounts(db: SqliteStore) -> None:
    BEHAVIOUR.update(
        {
            (A, GLOBAL): users("a1"),
            (B, GLOBAL): users("b1"),
            (A, "us-east-1"): broken,
            (A, "eu-west-1"): lambda ctx: iter([_group(ctx, "ga")]),
            (B, "us-east-1"): lambda ctx: iter([_group(ctx, "gb")]),
            (B, "eu-west-1"): lambda ctx: iter([]),
        }
    )
    results = {r.scope: r for r in _run(db, (FAKE_USERS, FAKE_REGIONAL), regions=("us-east-1", "eu-west-1"))}
    failed = results[ScopeKey(A, "us-east-1", "fake_regional")]
    assert failed.status is ScopeStatus.FAILED and "a bug in one region" in failed.detail
    assert sum(r.status is ScopeStatus.COMPLETE for r in results.values()) == 5
    assert db.counts()["groups"] == 2


def test_a_failing_part_makes_the_scope_partial_and_nothing_is_deleted(db: SqliteStore) -> None:
    BEHAVIOUR.update({(A, GLOBAL): users("a1", "a2"), (B, GLOBAL): users("b1")})
    _run(db, (FAKE_USERS,))

    def with_failing_part(ctx: FetchContext) -> Iterator[Record]:
        yield _user(ctx, "a1")
        with ctx.part("details"):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListUsers")

    BEHAVIOUR[(A, GLOBAL)] = with_failing_part
    results = {r.scope.account_id: r for r in _run(db, (FAKE_USERS,))}
    assert results[A].status is ScopeStatus.PARTIAL and results[A].detail.startswith(
        "details: denied iam:ListUsers"
    )
    assert _names(db, A) == ["a1", "a2"]


def test_state_flows_from_a_complete_run_to_the_next(db: SqliteStore) -> None:
    marks: list[dict[str, str]] = []

    def remember(ctx: FetchContext) -> Iterator[Record]:
        marks.append(dict(ctx.prior_state))
        ctx.set_state("mark", f"after-{len(marks)}")
        return iter([])

    BEHAVIOUR.update({(A, GLOBAL): remember, (B, GLOBAL): users()})
    _run(db, (FAKE_USERS,))
    _run(db, (FAKE_USERS,))
    assert marks == [{}, {"mark": "after-1"}]


def test_a_record_outside_its_scope_is_a_loud_failure(db: SqliteStore) -> None:
    def wrong_account(ctx: FetchContext) -> Iterator[Record]:
        yield User(account_id="999999999999", arn="x", name="x", user_id="x", path="/", create_date="d")

    BEHAVIOUR.update({(A, GLOBAL): wrong_account, (B, GLOBAL): users()})
    results = {r.scope.account_id: r for r in _run(db, (FAKE_USERS,))}
    assert results[A].status is ScopeStatus.FAILED and "inside scope" in results[A].detail
    assert db.counts()["users"] == 0


def test_collect_item_is_the_per_item_entry_point(tmp_path: Path) -> None:
    """What the pipeline's Lambda does: one item from its JSON form, clients from the given factory."""
    BEHAVIOUR[(A, GLOBAL)] = users("x")
    item = WorkItem.from_json(WorkItem(Account(A, ROLE.format(A)), GLOBAL, ("fake_users",)).to_json())
    written = []

    class ListSink:
        def start_run(self, *args): ...
        def finish_run(self, *args): ...
        def write_records(self, *args): ...
        def write_scope(self, run_id, outcome):
            written.append((run_id, outcome))

    env = ItemEnv(clients_for=lambda account: object(), run_id="run-x", fetchers={"fake_users": FAKE_USERS})  # type: ignore[arg-type,return-value]
    (result,) = collect_item(item, env, ListSink())
    assert result.status is ScopeStatus.COMPLETE and result.record_count == 1
    assert written[0][0] == "run-x" and written[0][1].records[0].name == "x"
