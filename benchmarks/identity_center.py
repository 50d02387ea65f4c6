"""IAM Identity Center against the local AWS: API calls for organizations of different shapes, and which
account-assignment listing the collector picked against what the other one would have cost.

Each shape seeds a fresh organization (3 member accounts, 3 permission sets with every policy kind, groups
assigned in every member account) with local_aws.seed, collects it in organization mode through the real
collector (``prepare`` + ``execute``, the SQLite store, fetcher ``identity_center`` only), and prints one JSON
line of figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import boto3

from collector.runner import execute, prepare
from collector.settings import RunSettings
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    IdentityCenterSpec,
    OrganizationSpec,
    create_organization,
    management_session,
    member_session,
    seed_identity_center,
)

SHAPES = ((4, 3), (200, 5), (1_000, 10))  # (users, groups)
MEMBER_ROLE = "OrganizationAccountAccessRole"
ASSIGNMENT_CALLS = ("ListAccountAssignments", "ListAccountAssignmentsForPrincipal")


def _shape(aws: LocalAws, users: int, groups: int) -> dict[str, object]:
    aws.reset()
    spec = (
        IdentityCenterSpec()
        if (users, groups) == (4, 3)
        else IdentityCenterSpec.sized(users=users, groups=groups)
    )
    management = management_session(aws.endpoint_url)
    organization = create_organization(management, OrganizationSpec(identity_center=spec))
    members = {a: member_session(management, a) for a in organization.member_account_ids}
    truth, _ = seed_identity_center(management, spec, members)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    reader = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]
    settings = RunSettings(
        role_arn=reader,
        external_id="Bench-1",
        organization=True,
        member_role_name=MEMBER_ROLE,
        fetchers=("identity_center",),
    )
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.sqlite") as store:
        started = time.perf_counter()
        manifest = execute(prepare(settings), store)
        wall = time.perf_counter() - started
        counts = store.counts()
    (scope,) = [s for s in manifest.scopes if s.scope.service == "identity_center"]
    calls = {(c.service, c.operation): c.calls for c in manifest.api_calls if c.service != "sts"}
    pairs = len(truth.role_mapping)
    principals = len(truth.users) + len(truth.groups)
    picked = "per_principal" if calls.get(("sso-admin", ASSIGNMENT_CALLS[1])) else "per_provisioned_pair"
    return {
        "users": len(truth.users),
        "groups": len(truth.groups),
        "memberships": counts["identity_store_memberships"],
        "assignments": counts["account_assignments"],
        "pairs": pairs,
        "principals": principals,
        "status": scope.status.value,
        "listing": picked,
        "assignment_calls": sum(calls.get(("sso-admin", op), 0) for op in ASSIGNMENT_CALLS),
        "other_listing_minimum": principals if picked == "per_provisioned_pair" else pairs,
        "calls": sum(calls.values()),
        "wall_seconds": round(wall, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", nargs="*", default=[f"{u}x{g}" for u, g in SHAPES], help="USERSxGROUPS")
    args = parser.parse_args(argv)
    shapes = [tuple(int(n) for n in s.split("x")) for s in args.shapes]
    with LocalAws(load_aws_managed_policies=True) as aws, aws.environ():
        for users, groups in shapes:
            print(json.dumps(_shape(aws, users, groups)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
