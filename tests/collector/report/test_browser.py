"""The page in headless Chromium: the status grid, the trust graph and its highlighted edges as drawn, the
hostile values inert, no secret in the DOM, and a screenshot next to the test's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.report.model import build_report
from collector.report.page import render
from tests.collector.report import sample
from tests.collector.report.browser import Element, dump_dom, parse, requires_chromium, screenshot
from tests.collector.report.sample import DEV, PARTNER, PROD, VENDOR

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Element], str]:
    out = tmp_path_factory.mktemp("report")
    page = out / "report.html"
    page.write_text(render(build_report(sample.inventory(), generated_from="inventory.sqlite")))
    dom = dump_dom(page, out / "profile")
    return out, parse(dom), dom


def _cell(elements: list[Element], account: str, service: str) -> Element:
    (cell,) = [
        e
        for e in elements
        if e.tag == "td" and e.attrs.get("data-service") == service and e.inside(data_account=account)
    ]
    return cell


def test_the_script_ran_and_drew_every_section(rendered: tuple[Path, list[Element], str]) -> None:
    _, elements, _ = rendered
    (root,) = [e for e in elements if e.tag == "html"]
    assert "data-rendered-ms" in root.attrs
    sections = [e.attrs["id"] for e in elements if e.tag == "section"]
    assert sections == ["run", "status", "identity", "trust", "people", "keys", "mfa", "shared", "events"]


def test_the_status_grid_shows_each_cell_its_problem_and_missing_actions(
    rendered: tuple[Path, list[Element], str],
) -> None:
    _, elements, _ = rendered
    rows = [e.attrs["data-account"] for e in elements if e.tag == "tr" and "data-account" in e.attrs]
    assert rows == [sample.MANAGEMENT, PROD, DEV, sample.SUSPENDED]
    denied = _cell(elements, DEV, "ec2")
    assert denied.attrs["data-status"] == "denied"
    assert "eu-west-1: denied" in denied.text and "missing: ec2:DescribeInstances" in denied.text
    partial = _cell(elements, PROD, "iam")
    assert partial.attrs["data-status"] == "partial" and "iam:GetAccessKeyLastUsed" in partial.text
    assert _cell(elements, PROD, "ec2").attrs["data-status"] == "complete"
    assert _cell(elements, PROD, "identity_center").attrs["data-status"] == "none"
    (never,) = [e for e in elements if e.tag == "td" and e.inside(data_account=sample.SUSPENDED)]
    assert never.attrs["data-status"] == "uncollected" and "never collected" in never.text


def test_the_trust_graph_draws_nodes_and_highlights_the_edges_worth_a_look(
    rendered: tuple[Path, list[Element], str],
) -> None:
    _, elements, _ = rendered
    nodes = {
        e.attrs["data-node-id"]: e.attrs["data-kind"]
        for e in elements
        if e.tag == "g" and "data-node-id" in e.attrs
    }
    assert nodes[f"account:{VENDOR}"] == "external"
    assert nodes[f"account:{PARTNER}"] == "external"
    assert nodes["anyone"] == "anyone"
    assert nodes[f"federated:arn:aws:iam::{PROD}:saml-provider/Okta"] == "federated"
    edges = {
        (e.attrs["data-source"], e.attrs["data-target"]): e.classes()
        for e in elements
        if e.tag == "path" and "edge" in e.classes()
    }
    assert "flag-external_without_external_id" in edges[(f"account:{PARTNER}", f"account:{PROD}")]
    assert "flag-wildcard" in edges[("anyone", f"account:{DEV}")]
    assert "flag-federated" in edges[(f"federated:arn:aws:iam::{PROD}:saml-provider/Okta", f"account:{PROD}")]
    vendor = edges[(f"account:{VENDOR}", f"account:{PROD}")]
    assert "external" in vendor and not any(c.startswith("flag-") for c in vendor)
    assert len(edges) == 6


def test_hostile_values_are_text_not_markup(rendered: tuple[Path, list[Element], str]) -> None:
    _, elements, _ = rendered
    assert not [e for e in elements if e.tag == "img"]  # the payload's <img onerror> never became one
    (title,) = [
        e for e in elements if e.tag == "title" and not e.ancestors[-1].tag.startswith(("svg", "path", "g"))
    ]
    assert title.text == "Inventory report: inventory.sqlite"  # onerror would have set it to "pwned"
    header = [e for e in elements if e.tag == "th" and e.inside(data_account=DEV)]
    assert header[0].text == f"{DEV} (dev{sample.HOSTILE})"


def test_no_secret_is_in_the_dom(rendered: tuple[Path, list[Element], str]) -> None:
    _, _, dom = rendered
    for secret in (sample.EXTERNAL_ID, sample.KEY_ID, sample.SECRET_KEY, sample.SESSION_TOKEN):
        assert secret not in dom
    assert "…MPLE" in dom


def test_a_screenshot_is_written_next_to_the_output(rendered: tuple[Path, list[Element], str]) -> None:
    out, _, _ = rendered
    png = screenshot(out / "report.html", out / "profile", out / "report.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a drawn page, not a blank one
