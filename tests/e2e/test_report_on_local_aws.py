"""The report of the demo's inventory: the deployed customer collected as ``make demo`` does (the CLI in its
own process, the vendor's key only), ``report`` on that database, and the page in headless Chromium."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from collector.cli import app as cli
from collector.store import SqliteStore
from local_aws.demo import flow
from local_aws.seed.specs import PARTNER_ACCOUNT_ID
from local_aws.seed.vendor import VENDOR_ACCOUNT_ID
from tests.collector.report.browser import Element, dump_dom, parse, requires_chromium, screenshot
from tests.e2e.deployed import DeployedCustomer

pytestmark = [pytest.mark.e2e, requires_chromium]


@pytest.fixture(scope="module")
def page(deployed_customer: DeployedCustomer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("report")
    db = out / "inventory.sqlite"
    d = deployed_customer
    assert flow.collect_as_vendor(d.aws, d.customer, d.integration, d.external_id, db) == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    code = cli.main(["report", "--db", str(db), "--out", str(out / "report.html")], out=io.StringIO())
    assert code == 0
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # read, never written
    return db, out / "report.html"


@pytest.fixture(scope="module")
def dom(page: tuple[Path, Path]) -> tuple[list[Element], str]:
    _, html = page
    text = dump_dom(html, html.parent / "profile")
    return parse(text), text


def test_the_grid_has_a_cell_per_collected_account_and_service(
    page: tuple[Path, Path], dom: tuple[list[Element], str]
) -> None:
    db, _ = page
    with SqliteStore(db) as store:
        scopes = store.scopes()
    elements, _ = dom
    cells = {
        (e.ancestors[-1].attrs["data-account"], e.attrs["data-service"]): e.attrs["data-status"]
        for e in elements
        if e.tag == "td" and "data-service" in e.attrs and "data-account" in e.ancestors[-1].attrs
    }
    collected = {(s["account_id"], s["service"]) for s in scopes}
    accounts = {a for a, _ in collected}
    assert accounts == {a for a, _ in cells}
    assert {k: v for k, v in cells.items() if v != "none"} == dict.fromkeys(collected, "complete")


def test_the_trust_graph_shows_the_vendor_and_highlights_a_partner_without_external_id(
    deployed_customer: DeployedCustomer, dom: tuple[list[Element], str]
) -> None:
    elements, _ = dom
    nodes = {e.attrs["data-node-id"]: e.attrs["data-kind"] for e in elements if "data-node-id" in e.attrs}
    vendor_node = f"account:{VENDOR_ACCOUNT_ID}"
    assert nodes[vendor_node] == "external"
    assert "federated" in nodes.values()
    edges = [e for e in elements if e.tag == "path" and "edge" in e.classes()]
    vendor = [e for e in edges if e.attrs["data-source"] == vendor_node]
    members = {f"account:{a}" for a in deployed_customer.integration.member_account_ids}
    assert {e.attrs["data-target"] for e in vendor} >= members
    assert all(e.attrs["data-flags"] == "" for e in vendor)  # the integration requires the ExternalId
    # The seeded partner trusts without an ExternalId: the partner's account, external, highlighted.
    flagged = [e for e in edges if "flag-external_without_external_id" in e.classes()]
    assert {e.attrs["data-source"] for e in flagged} == {f"account:{PARTNER_ACCOUNT_ID}"}
    assert nodes[f"account:{PARTNER_ACCOUNT_ID}"] == "external"
    assert {e.attrs["data-target"] for e in flagged} == members
    assert any("flag-federated" in e.classes() for e in edges)


def test_no_secret_is_in_the_page(
    deployed_customer: DeployedCustomer, page: tuple[Path, Path], dom: tuple[list[Element], str]
) -> None:
    _, html = page
    _, text = dom
    vendor = deployed_customer.customer.vendor.key
    with SqliteStore(page[0]) as store:
        key_ids = [k["access_key_id"] for k in store.rows("access_keys")]
    assert key_ids
    for secret in (deployed_customer.external_id, vendor.access_key_id, vendor.secret_access_key, *key_ids):
        assert secret not in html.read_text()
        assert secret not in text
    assert f"…{key_ids[0][-4:]}" in text


def test_a_screenshot_of_the_demo_report(page: tuple[Path, Path]) -> None:
    _, html = page
    png = screenshot(html, html.parent / "profile", html.parent / "report.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
