"""A readable summary of a collector database: the organization's accounts, what was collected per service,
the latest CloudTrail events and the status of every scope.

Reads only what the collector stored (``collector.store``); kinds that a database does not hold are left
out, so the summary follows the fetchers the collector has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from collector.store import SqliteStore

# (heading, ((kind, label), ...)): the order and words of the summary.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Organization",
        (
            ("organizations", "organization"),
            ("organization_accounts", "accounts"),
            ("organizational_units", "OUs"),
            ("service_control_policies", "SCPs"),
            ("service_control_policy_targets", "SCP targets"),
            ("resource_control_policies", "RCPs"),
            ("resource_control_policy_targets", "RCP targets"),
            ("organization_roots", "roots"),
            ("delegated_administrators", "delegated administrators"),
        ),
    ),
    (
        "IAM",
        (
            ("accounts", "accounts"),
            ("users", "users"),
            ("groups", "groups"),
            ("group_memberships", "group memberships"),
            ("roles", "roles"),
            ("policies", "customer-managed policies"),
            ("aws_managed_policies", "AWS-managed policies in use"),
            ("inline_policies", "inline policies"),
            ("policy_attachments", "attachments and boundaries"),
            ("access_keys", "access keys"),
            ("user_credentials", "credential report rows"),
            ("instance_profiles", "instance profiles"),
        ),
    ),
    (
        "Who reaches roles",
        (
            ("role_trust_principals", "trust edges (role, principal)"),
            ("saml_providers", "SAML providers"),
            ("oidc_providers", "OIDC providers"),
            ("virtual_mfa_devices", "virtual MFA devices"),
            ("password_policies", "password policies (or none)"),
            ("account_summaries", "account summaries"),
            ("access_manager_applications", "Account Access Manager applications"),
            ("access_manager_entitlements", "entitlements to roles"),
        ),
    ),
    (
        "IAM Identity Center",
        (
            ("sso_instances", "instances"),
            ("permission_sets", "permission sets"),
            ("permission_set_policies", "permission set policies"),
            ("provisioned_permission_sets", "provisioned (permission set, account) pairs"),
            ("account_assignments", "account assignments"),
            ("identity_store_users", "users"),
            ("identity_store_groups", "groups"),
            ("identity_store_memberships", "group memberships"),
            ("permission_set_roles", "permission sets mapped to IAM roles"),
            ("sso_applications", "applications"),
            ("sso_application_assignments", "application assignments"),
            ("trusted_token_issuers", "trusted token issuers"),
        ),
    ),
    (
        "EC2 and network",
        (
            ("ec2_instances", "instances"),
            ("vpcs", "VPCs"),
            ("subnets", "subnets"),
            ("security_groups", "security groups"),
            ("security_group_rules", "security group rules"),
            ("network_interfaces", "network interfaces"),
            ("route_tables", "route tables"),
            ("internet_gateways", "internet gateways"),
            ("nat_gateways", "NAT gateways"),
            ("vpc_peering_connections", "VPC peerings"),
            ("network_acls", "network ACLs"),
            ("vpc_endpoints", "VPC endpoints"),
            ("vpc_endpoint_services", "endpoint services offered"),
            ("transit_gateways", "transit gateways"),
            ("transit_gateway_attachments", "transit gateway attachments"),
            ("egress_only_internet_gateways", "egress-only gateways"),
            ("managed_prefix_lists", "prefix lists"),
            ("flow_logs", "flow logs"),
            ("vpn_gateways", "VPN gateways"),
            ("customer_gateways", "customer gateways"),
            ("vpn_connections", "VPN connections"),
            ("instance_connect_endpoints", "Instance Connect endpoints"),
        ),
    ),
    (
        "EC2 resources",
        (
            ("ebs_volumes", "EBS volumes"),
            ("ebs_snapshots", "snapshots"),
            ("images", "AMIs"),
            ("snapshot_shares", "snapshot shares"),
            ("image_shares", "AMI shares"),
            ("key_pairs", "key pairs"),
            ("launch_templates", "launch templates"),
            ("elastic_ips", "Elastic IPs"),
            ("ec2_account_settings", "regional account settings"),
        ),
    ),
    ("CloudTrail", (("cloudtrail_events", "management events"),)),
)
# Per-account columns: (kind, header).
ACCOUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("users", "users"),
    ("roles", "roles"),
    ("access_keys", "keys"),
    ("ec2_instances", "instances"),
    ("cloudtrail_events", "events"),
)
LATEST_EVENTS = 5
SHARES_SHOWN = 8
_WIDTH = 110
_HEADING = 21


def count_of(count: int, label: str) -> str:
    """``3 users``, ``1 user``, ``1 customer-managed policy``: labels are plural; for one, a label's last word
    becomes singular unless the label is a phrase (``in use``, ``mapped to``...)."""
    phrase = any(word in label.split() for word in ("in", "to", "of", "and")) or "(" in label
    if count == 1 and not phrase and label.endswith("s"):
        label = label[:-3] + "y" if label.endswith("ies") else label[:-1]
    return f"{count} {label}"


def _wrap(heading: str, parts: Sequence[str]) -> list[str]:
    lines: list[str] = []
    line = f"  {heading:<{_HEADING}}"
    for index, part in enumerate(parts):
        piece = part if index == 0 else " · " + part
        if len(line) + len(piece) > _WIDTH and index:
            lines.append(line)
            line = " " * (_HEADING + 2) + part
        else:
            line += piece
    lines.append(line)
    return lines


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    rows = [list(header), *(list(r) for r in rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _per_account(store: SqliteStore, kind: str, counts: Mapping[str, int]) -> Counter[str]:
    if not counts.get(kind):
        return Counter()
    return Counter(row["account_id"] for row in store.rows(kind))


def _accounts(
    store: SqliteStore, counts: Mapping[str, int], scopes: Sequence[Mapping[str, Any]]
) -> list[str]:
    names: dict[str, str] = {}
    paths: dict[str, str] = {}
    if counts.get("organization_accounts"):
        ou_paths = {ou["id"]: ou["path"] for ou in store.rows("organizational_units")}
        for account in store.rows("organization_accounts"):
            names[account["id"]] = account["name"]
            paths[account["id"]] = ou_paths.get(account["parent_id"], "Root")
    columns = [(kind, header) for kind, header in ACCOUNT_COLUMNS if kind in counts]
    per_kind = {kind: _per_account(store, kind, counts) for kind, _ in columns}
    ok = Counter(s["account_id"] for s in scopes if s["status"] in ("complete", "skipped"))
    total = Counter(s["account_id"] for s in scopes)
    accounts = sorted(set(total) | set(names))
    rows = [
        [
            account,
            names.get(account, ""),
            paths.get(account, ""),
            *(str(per_kind[kind][account]) for kind, _ in columns),
            f"{ok[account]}/{total[account]}",
        ]
        for account in accounts
    ]
    header = ["account", "name", "OU", *(h for _, h in columns), "scopes ok"]
    return ["Accounts", *_table(header, rows)]


def _access_keys(store: SqliteStore) -> str:
    keys = list(store.rows("access_keys"))
    active = sum(1 for key in keys if key["status"] == "Active")
    never = sum(1 for key in keys if not key["last_used_date"])
    return f"{len(keys)} access keys ({active} active, {never} never used)"


def _shares(store: SqliteStore, kind: str, label: str) -> str:
    shares = list(store.rows(kind))
    public = sum(1 for share in shares if share["grantee_type"] == "public")
    return f"{len(shares)} {label} ({public} public)"


def _shared_outside(store: SqliteStore, counts: Mapping[str, int]) -> list[str]:
    """Snapshots and AMIs other principals may use, every kind of grantee among the first rows (an
    organization or OU by its ID, the last part of its ARN)."""
    rows = [
        [
            share["account_id"],
            share["region"],
            share[key],
            share["grantee_type"],
            share["grantee"].split("/")[-1],
        ]
        for kind, key in (("snapshot_shares", "snapshot_id"), ("image_shares", "image_id"))
        if counts.get(kind)
        for share in store.rows(kind)
    ]
    if not rows:
        return []
    # Every kind of grantee in the first rows: public first, then an account, an organization, an OU, again.
    order = {
        kind: index for index, kind in enumerate(("public", "account", "organization", "organizational_unit"))
    }
    rank: Counter[str] = Counter()
    ranked = []
    for row in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        ranked.append((rank[row[3]], order.get(row[3], len(order)), row))
        rank[row[3]] += 1
    rows = [row for *_, row in sorted(ranked, key=lambda r: (r[0], r[1]))]
    more = len(rows) - SHARES_SHOWN
    table = _table(["account", "region", "snapshot or AMI", "shared with", "grantee"], rows[:SHARES_SHOWN])
    return [
        f"Shared outside the account ({len(rows)})",
        *table,
        *([f"  ... and {more} more"] if more > 0 else []),
    ]


def _sections(store: SqliteStore, counts: Mapping[str, int]) -> list[str]:
    lines = ["Collected"]
    shown: set[str] = set()
    for heading, kinds in SECTIONS:
        parts = [_part(store, counts, kind, label) for kind, label in kinds if kind in counts]
        shown.update(kind for kind, _ in kinds)
        if parts:
            lines += _wrap(heading, parts)
    others = [f"{count} {kind}" for kind, count in counts.items() if kind not in shown and count]
    if others:
        lines += _wrap("Other", others)
    return lines


def _part(store: SqliteStore, counts: Mapping[str, int], kind: str, label: str) -> str:
    if kind == "access_keys":
        return _access_keys(store)
    if kind in ("snapshot_shares", "image_shares"):
        return _shares(store, kind, label)
    return count_of(counts[kind], label)


def _latest_events(store: SqliteStore, counts: Mapping[str, int]) -> list[str]:
    if not counts.get("cloudtrail_events"):
        return []
    events = sorted(store.rows("cloudtrail_events"), key=lambda e: e["event_time"], reverse=True)
    rows = [
        [
            e["event_time"][:19].replace("T", " "),
            e["account_id"],
            e["aws_region"] or e["region"],
            e["username"] or "",
            e["event_name"],
        ]
        for e in events[:LATEST_EVENTS]
    ]
    return [
        f"Latest CloudTrail events (of {len(events)})",
        *_table(["time", "account", "region", "who", "event"], rows),
    ]


def _cloudtrail_source(scopes: Sequence[Mapping[str, Any]]) -> str | None:
    """Where the CloudTrail scopes read (a scope that read the trail's files says so in its detail)."""
    trail = [s for s in scopes if s["service"] == "cloudtrail"]
    if not trail:
        return None
    from_files = [s for s in trail if "from s3://" in (s["detail"] or "")]
    if not from_files:
        return f"  cloudtrail: LookupEvents in all {len(trail)} account-regions"
    where = str(from_files[0]["detail"]).split(" from s3://", 1)[1].split(" (trail", 1)[0]
    elsewhere = "" if len(from_files) == len(trail) else ", LookupEvents in the others"
    counted = f"{len(from_files)} of {len(trail)} account-regions{elsewhere}"
    return f"  cloudtrail: the trail's log files in s3://{where} in {counted}"


def _scopes(scopes: Sequence[Mapping[str, Any]]) -> list[str]:
    by_status = Counter(s["status"] for s in scopes)
    services = sorted({s["service"] for s in scopes})
    summary = ", ".join(f"{count} {status}" for status, count in sorted(by_status.items()))
    lines = [
        f"Scopes (account x region x service): {len(scopes)}: {summary}",
        f"  services: {', '.join(services)}",
    ]
    source = _cloudtrail_source(scopes)
    if source is not None:
        lines.append(source)
    for scope in scopes:
        if scope["status"] != "complete":
            where = f"{scope['account_id']}/{scope['region']}/{scope['service']}"
            lines.append(f"  {where} {scope['status']}: {scope['detail']}")
    return lines


def render_summary(db: Path) -> str:
    with SqliteStore(db) as store:
        counts = store.counts()
        scopes = store.scopes()
        blocks = [
            _accounts(store, counts, scopes),
            _sections(store, counts),
            _shared_outside(store, counts),
            _latest_events(store, counts),
            _scopes(scopes),
        ]
    return "\n\n".join("\n".join(block) for block in blocks if block)
