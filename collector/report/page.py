"""The report as one HTML file: the page's CSS and JavaScript inlined from static/, the data as JSON.

Every value from AWS (names, tags, descriptions, principals) is untrusted. It reaches the page only inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped as JSON ``\\u`` escapes (so no value
can close the script element), and the page's JavaScript writes it with ``textContent`` only. The few values
in the HTML itself go through ``html.escape``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import asdict
from importlib import resources
from typing import Any

from collector.report.model import Availability, Report

_STATIC = "static"
_CLOSERS = ("</script", "</style", "<!--")
_MARKER = re.compile(r"@(?:TITLE|CSP|CSS|JS|DATA)@")


def inlinable(name: str, text: str) -> str:
    """``text`` of static/``name``, checked: inlined in a <script> or <style>, it must not end it early."""
    if any(closer in text.lower() for closer in _CLOSERS):
        raise ValueError(f"static/{name} would close the element it is inlined in")
    return text


def _static(name: str) -> str:
    return resources.files("collector.report").joinpath(_STATIC, name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(js: str, css: str) -> str:
    """Only the page's own script and style run; nothing is loaded, sent or framed. A value that slipped
    through as markup could neither run (no inline handler, no other script) nor call home."""
    return (
        f"default-src 'none'; script-src {_sha256(js)}; style-src {_sha256(css)}; "
        "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` (nor the JS line separators)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _table(
    availability: Availability, columns: list[tuple[str, str]], rows: list[list[Any]], **extra: Any
) -> dict[str, Any]:
    """A sortable, filterable table: columns are (label, type), type text, number, date, flag or list."""
    return {
        "available": availability.available,
        "reason": availability.reason,
        "columns": [{"label": label, "type": kind} for label, kind in columns],
        "rows": rows,
        **extra,
    }


def page_data(report: Report) -> dict[str, Any]:
    """The report as the JSON the page's script renders."""
    names = dict(report.account_names)
    run = asdict(report.run)
    run["cloudtrail"] = [[c.account_id, c.region, c.source, c.location] for c in report.run.cloudtrail]
    grid: dict[str, dict[str, Any]] = {}
    for (account, service), cell in report.grid.cells.items():
        grid.setdefault(account, {})[service] = [
            cell.status,
            dict(cell.regions),
            [[p.region, p.status, p.detail, list(p.missing_actions)] for p in cell.problems],
        ]
    trust = report.trust
    people, keys, shared, events = report.people, report.keys, report.shared, report.events
    return {
        "meta": {"generated_from": report.generated_from, "as_of": report.as_of},
        "run": run,
        "names": names,
        "grid": {
            "services": list(report.grid.services),
            "accounts": list(report.grid.accounts),
            "cells": grid,
            "uncollected": list(report.grid.uncollected),
        },
        "identity": _table(
            Availability(bool(report.identity.accounts), "no account in this inventory"),
            [("account", "text"), ("name", "text"), *((c, "number") for c in report.identity.columns)],
            [[a, names.get(a, ""), *report.identity.counts[a]] for a in report.identity.accounts],
        ),
        "trust": {
            "available": trust.availability.available,
            "reason": trust.availability.reason,
            "nodes": [[n.node_id, n.label, n.kind] for n in trust.nodes],
            "edges": [[e.source, e.target, list(e.flags), e.external, list(e.roles)] for e in trust.edges],
            "service_principals": trust.service_principals,
            "same_account": trust.same_account,
            "table": _table(
                trust.availability,
                [
                    ("role's account", "text"),
                    ("role", "text"),
                    ("principal type", "text"),
                    ("principal", "text"),
                    ("principal's account", "text"),
                    ("external", "flag"),
                    ("ExternalId required", "flag"),
                    ("look at", "flags"),
                ],
                [
                    [
                        r.role_account,
                        r.role_name,
                        r.principal_type,
                        r.principal,
                        r.principal_account,
                        r.external,
                        r.external_id_required,
                        list(r.flags),
                    ]
                    for r in trust.rows
                ],
            ),
        },
        "people": _table(
            people.availability,
            [
                ("type", "text"),
                ("user or group", "text"),
                ("members", "list"),
                ("grant", "text"),
                ("permission set / role", "text"),
                ("accounts", "list"),
            ],
            [
                [g.principal_type, g.principal, list(g.members), g.grant_type, g.grant, list(g.accounts)]
                for g in people.rows
            ],
        ),
        "keys": _table(
            report.keys_available,
            [
                ("account", "text"),
                ("user", "text"),
                ("key", "text"),
                ("status", "text"),
                ("created", "date"),
                ("age (days)", "number"),
                ("last used", "date"),
                ("unused (days)", "number"),
                ("last service", "text"),
            ],
            [
                [
                    k.account_id,
                    k.user_name,
                    k.key,
                    k.status,
                    k.created,
                    k.age_days,
                    k.last_used,
                    k.unused_days,
                    k.last_used_service,
                ]
                for k in keys
            ],
        ),
        "no_mfa": _table(
            report.no_mfa_available,
            [
                ("account", "text"),
                ("user", "text"),
                ("password", "flag"),
                ("password last used", "date"),
                ("active keys", "number"),
            ],
            [
                [n.account_id, n.user_name, n.password_enabled, n.password_last_used, n.active_keys]
                for n in report.no_mfa
            ],
        ),
        "shared": _table(
            shared.availability,
            [
                ("account", "text"),
                ("region", "text"),
                ("type", "text"),
                ("ID", "text"),
                ("name", "text"),
                ("shared with", "text"),
                ("public", "flag"),
                ("encrypted", "flag"),
            ],
            [
                [
                    s.account_id,
                    s.region,
                    s.resource_type,
                    s.resource_id,
                    s.name,
                    s.grantee,
                    s.public,
                    s.encrypted,
                ]
                for s in shared.rows
            ],
            inside_organization=shared.inside_organization,
        ),
        "events": _table(
            events.availability,
            [
                ("time", "date"),
                ("account", "text"),
                ("region", "text"),
                ("event", "text"),
                ("source", "text"),
                ("principal", "text"),
                ("source IP", "text"),
                ("error", "text"),
                ("read-only", "flag"),
            ],
            [
                [
                    e.event_time,
                    e.account_id,
                    e.region,
                    e.event_name,
                    e.event_source,
                    e.principal,
                    e.source_ip,
                    e.error_code,
                    e.read_only,
                ]
                for e in events.rows
            ],
            total=events.total,
        ),
    }


def render(report: Report) -> str:
    """The whole page: one HTML document that needs nothing but a browser."""
    title = "Inventory report" + (f": {report.generated_from}" if report.generated_from else "")
    page = _static("page.html")
    css, js = (inlinable(name, _static(name)) for name in ("report.css", "report.js"))
    parts = {
        "@TITLE@": html.escape(title),
        "@CSP@": content_security_policy(js, css),
        "@CSS@": css,
        "@JS@": js,
        "@DATA@": json_for_script(page_data(report)),
    }
    missing = [marker for marker in parts if marker not in page]
    if missing:
        raise ValueError(f"static/page.html lacks {missing}")
    # One pass over the template: a value that itself holds a marker's text is never rescanned.
    return _MARKER.sub(lambda found: parts[found.group(0)], page)
