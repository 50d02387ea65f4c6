"""The report's data model: pure functions over a small inventory (tests/collector/report/sample.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from collector.report import model
from collector.report.inventory import MemoryInventory
from tests.collector.report import sample
from tests.collector.report.sample import DEV, MANAGEMENT, PARTNER, PROD, VENDOR


def test_the_run_names_its_accounts_regions_fetchers_and_cloudtrail_source_per_scope() -> None:
    report = model.build_report(sample.inventory())
    run = report.run
    assert (run.run_id, run.run_count, run.complete, run.organization) == ("run-2", 2, False, True)
    assert run.accounts == (MANAGEMENT, PROD, DEV)
    assert run.regions == ("eu-west-1", "us-east-1")
    assert run.services == ("iam", "organizations", "identity_center", "ec2", "cloudtrail")  # registry order
    assert run.requested_source == "auto"
    sources = {(c.account_id, c.region): (c.source, c.location) for c in run.cloudtrail}
    assert sources[(PROD, "eu-west-1")] == ("s3", sample.TRAIL)
    assert sources[(DEV, "us-east-1")] == ("lookup", None)
    assert report.as_of == sample.AS_OF


def test_a_grid_cell_is_the_worst_region_and_names_the_problem_and_missing_actions() -> None:
    grid = model.build_report(sample.inventory()).grid
    dev_ec2 = grid.cells[(DEV, "ec2")]
    assert dev_ec2.status == "denied"
    assert dev_ec2.regions == {"complete": 1, "denied": 1}
    (problem,) = dev_ec2.problems
    assert (problem.region, problem.missing_actions) == ("eu-west-1", ("ec2:DescribeInstances",))
    assert "AccessDenied" in problem.detail
    assert grid.cells[(PROD, "iam")].status == "partial"
    assert grid.cells[(PROD, "ec2")] == model.StatusCell("complete", {"complete": 2}, ())
    assert (PROD, "identity_center") not in grid.cells  # not collected there: no cell
    assert grid.uncollected == (sample.SUSPENDED,)  # in the organization, without any scope
    assert grid.accounts == (MANAGEMENT, PROD, DEV, sample.SUSPENDED)


def test_skipped_regions_do_not_hide_a_complete_service_and_failed_is_worst() -> None:
    rows = [
        sample._scope(PROD, "us-east-1", "ec2", "skipped"),
        sample._scope(PROD, "eu-west-1", "ec2"),
        sample._scope(DEV, "us-east-1", "ec2", "denied"),
        sample._scope(DEV, "eu-west-1", "ec2", "failed", "throttled"),
        sample._scope(MANAGEMENT, "us-east-1", "ec2", "skipped"),
    ]
    grid = model.status_grid(rows)
    assert grid.cells[(PROD, "ec2")].status == "complete"
    assert grid.cells[(DEV, "ec2")].status == "failed"
    assert grid.cells[(MANAGEMENT, "ec2")].status == "skipped"


def test_identity_counts_per_account_count_identity_center_where_it_points() -> None:
    identity = model.build_report(sample.inventory()).identity
    counts = dict(zip(identity.columns, identity.counts[PROD], strict=True))
    assert counts["IAM users"] == 3
    assert counts["roles"] == 2
    assert counts["active access keys"] == 1  # bob's key is inactive
    assert counts["users without MFA"] == 2
    assert counts["permission sets here"] == 1
    assert counts["Identity Center assignments here"] == 2  # held by the management account, aimed at prod
    management = dict(zip(identity.columns, identity.counts[MANAGEMENT], strict=True))
    assert management["Identity Center assignments here"] == 0


def test_identity_columns_of_kinds_this_collector_does_not_know_are_left_out() -> None:
    kinds = sample.kinds()
    known = frozenset(kinds) - {"saml_providers", "oidc_providers", "virtual_mfa_devices"}
    inventory = MemoryInventory(kinds=kinds, scope_rows=sample.scopes(), run_rows=sample.runs(), known=known)
    columns = model.build_report(inventory).identity.columns
    assert "SAML providers" not in columns and "IAM users" in columns


def test_the_trust_graph_draws_parties_and_accounts_and_flags_what_is_worth_a_look() -> None:
    trust = model.build_report(sample.inventory()).trust
    assert trust.availability.available
    nodes = {n.node_id: n.kind for n in trust.nodes}
    assert nodes[f"account:{VENDOR}"] == model.EXTERNAL
    assert nodes[f"account:{PARTNER}"] == model.EXTERNAL
    assert nodes["anyone"] == model.ANYONE
    assert nodes[f"federated:arn:aws:iam::{PROD}:saml-provider/Okta"] == model.FEDERATED
    assert nodes[f"account:{DEV}"] == model.ACCOUNT
    labels = {n.node_id: n.label for n in trust.nodes}
    assert labels[f"federated:arn:aws:iam::{PROD}:saml-provider/Okta"] == "SAML Okta · prod"
    flags = {(e.source, e.target): e.flags for e in trust.edges}
    assert flags[(f"account:{PARTNER}", f"account:{PROD}")] == (model.NO_EXTERNAL_ID,)
    assert flags[(f"account:{VENDOR}", f"account:{PROD}")] == ()  # the vendor requires the ExternalId
    assert flags[("anyone", f"account:{DEV}")] == (model.WILDCARD,)
    assert flags[(f"federated:arn:aws:iam::{PROD}:saml-provider/Okta", f"account:{PROD}")] == (
        model.FEDERATION,
    )
    assert flags[(f"account:{PROD}", f"account:{DEV}")] == ()  # inside the organization
    assert (trust.service_principals, trust.same_account) == (1, 1)  # codebuild; prod's own root
    assert len(trust.rows) == 6


def test_trust_edges_of_one_party_and_account_are_one_line_per_kind_of_trust() -> None:
    rows = [
        sample._trust(PROD, f"R{i}", "AWS", f"arn:aws:iam::{PARTNER}:root", PARTNER, True, i % 2 == 0)
        for i in range(4)
    ]
    inventory = sample.inventory(role_trust_principals=rows)
    edges = model.build_report(inventory).trust.edges
    assert [(e.flags, e.roles) for e in edges] == [
        ((), ("R0", "R2")),
        ((model.NO_EXTERNAL_ID,), ("R1", "R3")),
    ]


def test_the_trust_graph_says_why_it_is_absent() -> None:
    kinds = {k: v for k, v in sample.kinds().items() if k != "role_trust_principals"}
    absent = model.build_report(MemoryInventory(kinds=kinds, scope_rows=sample.scopes())).trust
    assert not absent.availability.available
    assert "role_trust_principals" in absent.availability.reason
    no_iam = [s for s in sample.scopes() if s["service"] != "iam"]
    uncollected = model.build_report(MemoryInventory(kinds=sample.kinds(), scope_rows=no_iam)).trust
    assert uncollected.availability.reason == "no IAM scope was collected"


def test_people_reach_accounts_through_permission_sets_groups_and_entitlements() -> None:
    people = model.build_report(sample.inventory()).people
    rows = {(g.principal, g.grant_type, g.grant): g for g in people.rows}
    admins = rows[("Admins", "permission set", "AdministratorAccess")]
    assert admins.members == ("lin@example.com",) and admins.accounts == (PROD, DEV)
    assert rows[("ada@example.com", "permission set", "ReadOnly")].accounts == (PROD,)
    assert rows[("ada@example.com", "entitlement", "Deploy")].accounts == (DEV,)


def test_access_keys_show_the_last_four_characters_their_age_and_last_use() -> None:
    keys = model.build_report(sample.inventory()).keys
    assert [(k.user_name, k.key, k.age_days, k.unused_days) for k in keys] == [
        ("bob", "…SED1", 730, None),  # the oldest first; never used
        ("ci", "…MPLE", 365, 10),
    ]
    assert all(sample.KEY_ID not in repr(k) for k in keys)


def test_users_without_mfa_include_the_root_user_and_count_active_keys() -> None:
    rows = model.build_report(sample.inventory()).no_mfa
    assert [(r.account_id, r.user_name, r.active_keys) for r in rows] == [
        (PROD, "bob", 0),
        (PROD, "ci", 1),
        (DEV, "<root>", 1),
    ]


def test_shared_snapshots_and_amis_are_the_public_and_external_ones() -> None:
    shared = model.build_report(sample.inventory()).shared
    assert [(s.resource_id, s.grantee, s.public) for s in shared.rows] == [
        ("snap-public", "everyone", True),
        ("ami-public", "everyone", True),  # public without a share row: DescribeImages said so
        ("snap-partner", PARTNER, False),
    ]
    assert shared.inside_organization == 2  # the snapshot shared with dev, the AMI with the organization


def test_latest_events_are_newest_first_and_capped_with_the_total() -> None:
    events = model.latest_events(sample.inventory(), limit=2)
    assert events.total == 4
    assert [e.event_name for e in events.rows] == ["CreateRole", f"Put{sample.HOSTILE}"]


def test_sections_of_services_not_collected_say_so() -> None:
    only_iam = [s for s in sample.scopes() if s["service"] == "iam"]
    report = model.build_report(MemoryInventory(kinds=sample.kinds(), scope_rows=only_iam))
    assert report.shared.availability == model.Availability(False, "no EC2 scope was collected")
    assert report.events.availability == model.Availability(False, "no CloudTrail scope was collected")
    assert not report.people.availability.available
    assert report.run.run_id is None and report.as_of is None


def test_an_empty_inventory_builds_an_empty_report() -> None:
    report = model.build_report(MemoryInventory())
    assert report.grid.accounts == () and report.keys == () and not report.trust.availability.available


def test_days_between_ignores_what_is_not_a_timestamp() -> None:
    now = datetime(2026, 1, 11, tzinfo=UTC)
    assert model.days_between("2026-01-01T00:00:00Z", now) == 10
    assert model.days_between("2026-01-01 00:00:00", now) == 10  # no zone: UTC
    assert model.days_between("N/A", now) is None
    assert model.days_between(None, now) is None


def test_a_web_identity_provider_is_named_as_written() -> None:
    assert model._provider_label("accounts.google.com", None, {}) == "accounts.google.com"
    assert model._provider_label(f"arn:aws:iam::{DEV}:oidc-provider/token.actions.example", DEV, {}) == (
        f"OIDC token.actions.example · {DEV}"
    )
