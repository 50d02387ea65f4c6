"""The report's data model: pure functions from an inventory's rows to frozen section records.

Each section reads only the kinds it needs; a section whose kinds this collector does not declare, or whose
service was never collected, is ``available=False`` with the reason, never an error. Nothing secret enters a
record: no trust policy conditions (they hold the ExternalId), no raw API JSON, only the last four characters
of an access key ID. Ages are measured from ``as_of`` (the latest run's end), so a report is reproducible.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from collector.models import GLOBAL
from collector.report.inventory import Inventory, Row
from collector.services import SERVICES

# Worst first: a cell of the status grid shows the worst status among its regions.
SEVERITY = {"failed": 4, "denied": 3, "partial": 2, "complete": 1, "skipped": 0}
LATEST_EVENTS = 5_000  # CloudTrail events the page carries (the latest); the count of the rest is said
_S3_SOURCE = re.compile(r"read (\d+) log files? from (s3://\S+)")


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str = ""  # why not, when not available


# --- the run ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloudTrailSource:
    """Where one account-region's CloudTrail events were read: the trail's files in S3, or LookupEvents."""

    account_id: str
    region: str
    source: str  # "s3" or "lookup"
    location: str | None = None  # s3://bucket/prefix (trail ...)


@dataclass(frozen=True)
class RunSummary:
    run_count: int
    run_id: str | None
    started_at: str | None
    finished_at: str | None
    complete: bool | None
    organization: bool | None
    requested_source: str | None  # the run's --cloudtrail-source (None: not recorded)
    accounts: tuple[str, ...]
    regions: tuple[str, ...]  # the regions scopes were collected in (GLOBAL excluded)
    services: tuple[str, ...]  # the fetchers that ran
    status_counts: Mapping[str, int]
    cloudtrail: tuple[CloudTrailSource, ...]


def cloudtrail_source(scope: Row) -> CloudTrailSource:
    """A CloudTrail scope's source: its detail names the trail's files when it read them (fetch.py's note)."""
    found = _S3_SOURCE.search(str(scope.get("detail") or ""))
    location = None
    if found:
        rest = str(scope["detail"])[found.start(2) :]
        location = rest.split(";")[0].strip()
    return CloudTrailSource(
        account_id=str(scope["account_id"]),
        region=str(scope["region"]),
        source="s3" if found else "lookup",
        location=location,
    )


def run_summary(runs: Sequence[Row], scopes: Sequence[Row]) -> RunSummary:
    latest = runs[-1] if runs else None
    settings: Mapping[str, Any] = (latest or {}).get("settings") or {}
    regions = sorted({str(s["region"]) for s in scopes if s["region"] != GLOBAL})
    ordered = [s for s in SERVICES if any(x["service"] == s for x in scopes)]
    ordered += sorted({str(s["service"]) for s in scopes} - set(ordered))
    complete = latest.get("complete") if latest else None
    return RunSummary(
        run_count=len(runs),
        run_id=latest["run_id"] if latest else None,
        started_at=latest.get("started_at") if latest else None,
        finished_at=latest.get("finished_at") if latest else None,
        complete=None if complete is None else bool(complete),
        organization=settings.get("organization") if "organization" in settings else None,
        requested_source=settings.get("cloudtrail_source"),
        accounts=tuple(sorted({str(s["account_id"]) for s in scopes})),
        regions=tuple(regions),
        services=tuple(ordered),
        status_counts=dict(Counter(str(s["status"]) for s in scopes)),
        cloudtrail=tuple(cloudtrail_source(s) for s in scopes if s["service"] == "cloudtrail"),
    )


# --- accounts and the status grid ---------------------------------------------------------------------------


def account_names(inventory: Inventory) -> dict[str, str]:
    """Account ID -> its name in the organization, else its IAM alias."""
    names = {str(r["id"]): str(r["alias"]) for r in inventory.rows("accounts") if r.get("alias")}
    names.update({str(r["id"]): str(r["name"]) for r in inventory.rows("organization_accounts")})
    return names


@dataclass(frozen=True)
class ScopeProblem:
    region: str
    status: str
    detail: str
    missing_actions: tuple[str, ...]


@dataclass(frozen=True)
class StatusCell:
    status: str  # the worst among the cell's regions
    regions: Mapping[str, int]  # status -> how many regions
    problems: tuple[ScopeProblem, ...]  # the regions that are not complete (or complete with a note)


@dataclass(frozen=True)
class StatusGrid:
    services: tuple[str, ...]
    accounts: tuple[str, ...]  # the collected ones, then the organization's accounts never collected
    cells: Mapping[tuple[str, str], StatusCell]  # (account, service) -> cell; absent: not collected
    uncollected: tuple[str, ...] = ()  # accounts of the organization without any scope (an excluded OU...)


def status_grid(scopes: Sequence[Row], organization_accounts: Iterable[str] = ()) -> StatusGrid:
    grouped: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for scope in scopes:
        grouped[(str(scope["account_id"]), str(scope["service"]))].append(scope)
    cells = {}
    for key, members in grouped.items():
        worst = max((str(s["status"]) for s in members), key=lambda st: SEVERITY.get(st, 5))
        problems = tuple(
            ScopeProblem(
                region=str(s["region"]),
                status=str(s["status"]),
                detail=str(s.get("detail") or ""),
                missing_actions=tuple(s.get("missing_actions") or ()),
            )
            for s in sorted(members, key=lambda s: str(s["region"]))
            if s["status"] != "complete" and (s["status"] != "skipped" or s.get("detail"))
        )
        cells[key] = StatusCell(worst, dict(Counter(str(s["status"]) for s in members)), problems)
    summary = run_summary([], scopes)
    uncollected = tuple(sorted(set(organization_accounts) - set(summary.accounts)))
    return StatusGrid(summary.services, summary.accounts + uncollected, cells, uncollected)


# --- identity counts ----------------------------------------------------------------------------------------

# (column, kind): rows counted per account (access keys: active ones; credentials: without MFA).
IDENTITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("IAM users", "users"),
    ("groups", "groups"),
    ("roles", "roles"),
    ("customer policies", "policies"),
    ("active access keys", "access_keys"),
    ("users without MFA", "user_credentials"),
    ("SAML providers", "saml_providers"),
    ("OIDC providers", "oidc_providers"),
    ("virtual MFA devices", "virtual_mfa_devices"),
    ("permission sets here", "provisioned_permission_sets"),
    ("Identity Center assignments here", "account_assignments"),
)


_TARGETED = frozenset({"provisioned_permission_sets", "account_assignments"})


def _counts(kind: str, rows: Iterable[Row]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for row in rows:
        if kind == "access_keys" and row.get("status") != "Active":
            continue
        if kind == "user_credentials" and row.get("mfa_active") is not False:
            continue
        # Identity Center rows live in its administering account; they describe their target account.
        account = row.get("target_account_id") if kind in _TARGETED else None
        counted[str(account or row["account_id"])] += 1
    return counted


@dataclass(frozen=True)
class IdentityCounts:
    columns: tuple[str, ...]  # the columns whose kinds this inventory knows
    accounts: tuple[str, ...]
    counts: Mapping[str, tuple[int, ...]]  # account -> one count per column


def identity_counts(inventory: Inventory, accounts: Sequence[str]) -> IdentityCounts:
    present = [(label, kind) for label, kind in IDENTITY_COLUMNS if inventory.has(kind)]
    per_kind = [_counts(kind, inventory.rows(kind)) for _, kind in present]
    every = sorted(set(accounts).union(*(set(c) for c in per_kind)))
    return IdentityCounts(
        columns=tuple(label for label, _ in present),
        accounts=tuple(every),
        counts={a: tuple(c.get(a, 0) for c in per_kind) for a in every},
    )


# --- who can reach what -------------------------------------------------------------------------------------

# Node kinds of the trust graph.
ACCOUNT, EXTERNAL, FEDERATED, ANYONE, UNKNOWN = "account", "external", "federated", "anyone", "unknown"
# Edge flags: what makes an edge worth a look.
NO_EXTERNAL_ID, WILDCARD, FEDERATION = "external_without_external_id", "wildcard", "federated"


@dataclass(frozen=True)
class TrustNode:
    node_id: str
    label: str
    kind: str  # ACCOUNT (collected or in the organization), EXTERNAL, FEDERATED, ANYONE, UNKNOWN


@dataclass(frozen=True)
class TrustEdge:
    """Roles of one account that one party may assume, alike in what makes them worth a look."""

    source: str  # the party (node id)
    target: str  # the account holding the roles (node id)
    flags: tuple[str, ...]
    external: bool
    roles: tuple[str, ...]  # role names


@dataclass(frozen=True)
class TrustRow:
    role_account: str
    role_name: str
    principal_type: str
    principal: str
    principal_account: str | None
    external: bool | None
    external_id_required: bool
    flags: tuple[str, ...]


@dataclass(frozen=True)
class TrustGraph:
    availability: Availability
    nodes: tuple[TrustNode, ...]
    edges: tuple[TrustEdge, ...]
    rows: tuple[TrustRow, ...]  # every edge that crosses an account, or is flagged
    service_principals: int  # trusts of AWS services (not drawn)
    same_account: int  # trusts within the role's own account, not flagged (not drawn)


def _role_name(role_arn: str) -> str:
    return role_arn.rsplit("/", 1)[-1]


def trust_flags(row: Row) -> tuple[str, ...]:
    flags = []
    kind, principal = str(row["principal_type"]), str(row["principal"])
    if row.get("external_account") is True and kind == "AWS" and not row.get("external_id_required"):
        flags.append(NO_EXTERNAL_ID)
    if kind == "*" or "*" in principal:
        flags.append(WILDCARD)
    if kind == "Federated":
        flags.append(FEDERATION)
    return tuple(flags)


def _provider_label(principal: str, owner: object, names: Mapping[str, str]) -> str:
    """``SAML okta · prod`` for an account's provider ARN (each account has its own); a web identity
    provider (``accounts.google.com``) as written."""
    resource = principal.split(":", 5)[-1] if principal.startswith("arn:") else ""
    kind, _, name = resource.partition("/")
    if not name:
        return principal
    where = names.get(str(owner), str(owner)) if owner else ""
    prefix = {"saml-provider": "SAML", "oidc-provider": "OIDC"}.get(kind, kind)
    return f"{prefix} {name} · {where}" if where else f"{prefix} {name}"


def _party(row: Row, names: Mapping[str, str]) -> TrustNode:
    kind, principal = str(row["principal_type"]), str(row["principal"])
    owner = row.get("principal_account_id")
    if kind == "*" or principal == "*":
        return TrustNode("anyone", "anyone (*)", ANYONE)
    if kind == "Federated":
        return TrustNode(f"federated:{principal}", _provider_label(principal, owner, names), FEDERATED)
    if owner:
        external = row.get("external_account") is True
        label = f"{owner} {names[owner]}" if owner in names else str(owner)
        return TrustNode(f"account:{owner}", label, EXTERNAL if external else ACCOUNT)
    return TrustNode(f"principal:{principal}", principal, UNKNOWN)


def trust_graph(inventory: Inventory, names: Mapping[str, str], iam_collected: bool) -> TrustGraph:
    if not inventory.has("role_trust_principals"):
        return TrustGraph(
            Availability(False, "this collector does not derive role_trust_principals"), (), (), (), 0, 0
        )
    if not iam_collected:
        return TrustGraph(Availability(False, "no IAM scope was collected"), (), (), (), 0, 0)
    nodes: dict[str, TrustNode] = {}
    grouped: dict[tuple[str, str, tuple[str, ...], bool], list[str]] = defaultdict(list)
    rows: list[TrustRow] = []
    services = same = 0
    for row in inventory.rows("role_trust_principals"):
        if row["principal_type"] == "Service":
            services += 1
            continue
        account = str(row["account_id"])
        flags = trust_flags(row)
        party = _party(row, names)
        if party.node_id == f"account:{account}" and not flags:
            same += 1
            continue
        nodes.setdefault(party.node_id, party)
        target = f"account:{account}"
        nodes.setdefault(target, TrustNode(target, f"{account} {names.get(account, '')}".strip(), ACCOUNT))
        external = row.get("external_account") is True
        grouped[(party.node_id, target, flags, external)].append(_role_name(str(row["role_arn"])))
        rows.append(
            TrustRow(
                role_account=account,
                role_name=_role_name(str(row["role_arn"])),
                principal_type=str(row["principal_type"]),
                principal=str(row["principal"]),
                principal_account=row.get("principal_account_id"),
                external=row.get("external_account"),
                external_id_required=bool(row.get("external_id_required")),
                flags=flags,
            )
        )
    edges = tuple(
        TrustEdge(source, target, flags, external, tuple(sorted(roles)))
        for (source, target, flags, external), roles in sorted(grouped.items())
    )
    return TrustGraph(
        Availability(True),
        tuple(sorted(nodes.values(), key=lambda n: (n.kind, n.node_id))),
        edges,
        tuple(rows),
        services,
        same,
    )


# --- people -> permission sets / entitlements -> accounts ---------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    principal_type: str  # USER or GROUP
    principal: str  # the user's name or the group's display name (its ID when the store lacks it)
    members: tuple[str, ...]  # a group's users
    grant_type: str  # "permission set" or "entitlement"
    grant: str  # the permission set's name, or the entitlement's role name
    accounts: tuple[str, ...]


@dataclass(frozen=True)
class PeopleAccess:
    availability: Availability
    rows: tuple[GrantRow, ...]


def people_access(inventory: Inventory, collected: set[str]) -> PeopleAccess:
    sources = [k for k in ("account_assignments", "access_manager_entitlements") if inventory.has(k)]
    if not sources or not collected & {"identity_center", "account_access"}:
        return PeopleAccess(
            Availability(False, "neither Identity Center nor Account Access Manager collected"), ()
        )
    users = {
        str(r["user_id"]): str(r.get("user_name") or r.get("display_name") or r["user_id"])
        for r in inventory.rows("identity_store_users")
    }
    groups = {
        str(r["group_id"]): str(r.get("display_name") or r["group_id"])
        for r in inventory.rows("identity_store_groups")
    }
    members: dict[str, list[str]] = defaultdict(list)
    for m in inventory.rows("identity_store_memberships"):
        members[str(m["group_id"])].append(users.get(str(m["user_id"]), str(m["user_id"])))
    sets = {str(r["permission_set_arn"]): str(r["name"]) for r in inventory.rows("permission_sets")}
    grants: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for a in inventory.rows("account_assignments"):
        name = sets.get(str(a["permission_set_arn"]), str(a["permission_set_arn"]))
        grants[(str(a["principal_type"]), str(a["principal_id"]), "permission set", name)].add(
            str(a["target_account_id"])
        )
    for e in inventory.rows("access_manager_entitlements"):
        grants[
            (str(e["principal_type"]), str(e["principal_id"]), "entitlement", _role_name(str(e["role_arn"])))
        ].add(str(e["target_account_id"]))
    out = []
    for (ptype, pid, gtype, grant), accounts in grants.items():
        is_group = ptype == "GROUP"
        out.append(
            GrantRow(
                principal_type=ptype,
                principal=(groups if is_group else users).get(pid, pid),
                members=tuple(sorted(members.get(pid, ()))) if is_group else (),
                grant_type=gtype,
                grant=grant,
                accounts=tuple(sorted(accounts)),
            )
        )
    out.sort(key=lambda g: (g.principal.lower(), g.grant_type, g.grant))
    return PeopleAccess(Availability(True), tuple(out))


# --- access keys and MFA ------------------------------------------------------------------------------------


def _parse_time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def days_between(earlier: object, later: datetime | None) -> int | None:
    start = _parse_time(earlier)
    if start is None or later is None:
        return None
    return max(0, (later - start).days)


def key_suffix(access_key_id: str) -> str:
    """What the page shows of an access key ID: its last four characters."""
    return "…" + access_key_id[-4:]


@dataclass(frozen=True)
class AccessKeyRow:
    account_id: str
    user_name: str
    key: str  # "…" and the last four characters of the key ID
    status: str
    created: str
    age_days: int | None
    last_used: str | None
    unused_days: int | None  # days since last use (None: never used, or unknown)
    last_used_service: str | None


def access_keys(rows: Iterable[Row], as_of: datetime | None) -> tuple[AccessKeyRow, ...]:
    out = [
        AccessKeyRow(
            account_id=str(r["account_id"]),
            user_name=str(r["user_name"]),
            key=key_suffix(str(r["access_key_id"])),
            status=str(r["status"]),
            created=str(r["create_date"]),
            age_days=days_between(r["create_date"], as_of),
            last_used=r.get("last_used_date"),
            unused_days=days_between(r.get("last_used_date"), as_of),
            last_used_service=r.get("last_used_service"),
        )
        for r in rows
    ]
    return tuple(sorted(out, key=lambda k: -(k.age_days or 0)))


@dataclass(frozen=True)
class NoMfaRow:
    account_id: str
    user_name: str  # "<root>" for the account's root user
    password_enabled: bool | None
    password_last_used: str | None
    active_keys: int


def users_without_mfa(inventory: Inventory) -> tuple[NoMfaRow, ...]:
    active = Counter(str(k["user_arn"]) for k in inventory.rows("access_keys") if k.get("status") == "Active")
    out = [
        NoMfaRow(
            account_id=str(r["account_id"]),
            user_name=str(r["user_name"]),
            password_enabled=r.get("password_enabled"),
            password_last_used=r.get("password_last_used"),
            active_keys=active.get(str(r["user_arn"]), 0),
        )
        for r in inventory.rows("user_credentials")
        if r.get("mfa_active") is False
    ]
    out += [
        NoMfaRow(
            account_id=str(r["account_id"]),
            user_name="<root>",
            password_enabled=None,
            password_last_used=None,
            active_keys=1 if r.get("root_access_keys_present") else 0,
        )
        for r in inventory.rows("account_summaries")
        if r.get("root_mfa_enabled") is False
    ]
    return tuple(sorted(out, key=lambda n: (n.account_id, n.user_name)))


# --- shared snapshots and AMIs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedResource:
    account_id: str
    region: str
    resource_type: str  # "snapshot" or "AMI"
    resource_id: str
    name: str
    grantee: str  # "everyone", an account ID, an organization or OU ARN
    public: bool
    encrypted: bool | None


@dataclass(frozen=True)
class SharedResources:
    availability: Availability
    rows: tuple[SharedResource, ...]  # public or shared outside the organization
    inside_organization: int  # shares with the organization's own accounts (not listed)


def shared_resources(inventory: Inventory, organization_accounts: set[str]) -> SharedResources:
    if not (inventory.has("snapshot_shares") or inventory.has("image_shares")):
        return SharedResources(
            Availability(False, "this collector does not read snapshot or AMI shares"), (), 0
        )
    org_arns = {str(r["arn"]) for r in inventory.rows("organizations")}
    snapshots = {(r["account_id"], r["region"], r["snapshot_id"]): r for r in inventory.rows("ebs_snapshots")}
    images = {(r["account_id"], r["region"], r["image_id"]): r for r in inventory.rows("images")}
    out: dict[tuple[str, ...], SharedResource] = {}
    inside = 0

    def outside(grantee_type: str, grantee: str) -> bool:
        if grantee_type == "public":
            return True
        if grantee_type == "account":
            return grantee not in organization_accounts
        return not any(
            grantee == arn or grantee.startswith(arn.replace(":organization/", ":ou/")) for arn in org_arns
        )

    for kind, rtype, id_field, details in (
        ("snapshot_shares", "snapshot", "snapshot_id", snapshots),
        ("image_shares", "AMI", "image_id", images),
    ):
        for share in inventory.rows(kind):
            grantee_type, grantee = str(share["grantee_type"]), str(share["grantee"])
            if not outside(grantee_type, grantee):
                inside += 1
                continue
            key = (share["account_id"], share["region"], share[id_field])
            item = details.get(key, {})
            public = grantee_type == "public"
            out[(*map(str, key), grantee)] = SharedResource(
                account_id=str(share["account_id"]),
                region=str(share["region"]),
                resource_type=rtype,
                resource_id=str(share[id_field]),
                name=str(item.get("name") or item.get("description") or ""),
                grantee="everyone" if public else grantee,
                public=public,
                encrypted=item.get("encrypted"),
            )
    for (account, region, image_id), image in images.items():  # public without a share row
        public_key = (str(account), str(region), str(image_id), "everyone")
        if image.get("public") and public_key not in out:
            out[public_key] = SharedResource(
                str(account),
                str(region),
                "AMI",
                str(image_id),
                str(image.get("name") or ""),
                "everyone",
                True,
                None,
            )
    rows = sorted(out.values(), key=lambda s: (not s.public, s.account_id, s.region, s.resource_id))
    return SharedResources(Availability(True), tuple(rows), inside)


# --- CloudTrail ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    event_time: str
    account_id: str
    region: str
    event_name: str
    event_source: str
    principal: str
    source_ip: str | None
    error_code: str | None
    read_only: bool | None


@dataclass(frozen=True)
class LatestEvents:
    availability: Availability
    total: int
    rows: tuple[EventRow, ...]  # newest first, at most ``limit``


def latest_events(inventory: Inventory, limit: int = LATEST_EVENTS) -> LatestEvents:
    if not inventory.has("cloudtrail_events"):
        return LatestEvents(Availability(False, "this collector does not read CloudTrail"), 0, ())
    total = 0

    def counted(rows: Iterable[Row]) -> Iterable[Row]:
        nonlocal total
        for row in rows:
            total += 1
            yield row

    newest = heapq.nlargest(
        limit, counted(inventory.rows("cloudtrail_events")), key=lambda r: str(r["event_time"])
    )
    rows = tuple(
        EventRow(
            event_time=str(r["event_time"]),
            account_id=str(r["account_id"]),
            region=str(r.get("aws_region") or r["region"]),
            event_name=str(r["event_name"]),
            event_source=str(r["event_source"]),
            principal=str(r.get("principal_arn") or r.get("username") or r.get("identity_type") or ""),
            source_ip=r.get("source_ip"),
            error_code=r.get("error_code"),
            read_only=r.get("read_only"),
        )
        for r in newest
    )
    return LatestEvents(Availability(True), total, rows)


# --- the whole report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    generated_from: str  # the database's file name
    as_of: str | None  # the latest run's end: ages are counted to it
    run: RunSummary
    account_names: Mapping[str, str]
    grid: StatusGrid
    identity: IdentityCounts
    trust: TrustGraph
    people: PeopleAccess
    keys: tuple[AccessKeyRow, ...]
    keys_available: Availability
    no_mfa: tuple[NoMfaRow, ...]
    no_mfa_available: Availability
    shared: SharedResources
    events: LatestEvents


def _collected(scopes: Sequence[Row], service: str) -> bool:
    return any(s["service"] == service for s in scopes)


def build_report(inventory: Inventory, *, generated_from: str = "") -> Report:
    scopes = inventory.scopes()
    runs = inventory.runs()
    run = run_summary(runs, scopes)
    as_of = next((r.get("finished_at") or r.get("started_at") for r in reversed(runs)), None)
    names = account_names(inventory)
    services = {str(s["service"]) for s in scopes}
    iam = "iam" in services
    organization = (
        set(names) | set(run.accounts) | {str(r["id"]) for r in inventory.rows("organization_accounts")}
    )
    no_iam = Availability(False, "no IAM scope was collected")
    return Report(
        generated_from=generated_from,
        as_of=as_of,
        run=run,
        account_names=names,
        grid=status_grid(scopes, (str(r["id"]) for r in inventory.rows("organization_accounts"))),
        identity=identity_counts(inventory, run.accounts),
        trust=trust_graph(inventory, names, iam),
        people=people_access(inventory, services),
        keys=access_keys(inventory.rows("access_keys"), _parse_time(as_of)) if iam else (),
        keys_available=Availability(True) if iam else no_iam,
        no_mfa=users_without_mfa(inventory) if iam else (),
        no_mfa_available=Availability(True) if iam else no_iam,
        shared=shared_resources(inventory, organization)
        if _collected(scopes, "ec2")
        else SharedResources(Availability(False, "no EC2 scope was collected"), (), 0),
        events=latest_events(inventory)
        if _collected(scopes, "cloudtrail")
        else LatestEvents(Availability(False, "no CloudTrail scope was collected"), 0, ()),
    )
