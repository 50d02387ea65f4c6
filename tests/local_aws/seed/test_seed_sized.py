"""A sized organization (what benchmarks seed) is seeded completely, generated names included."""

from __future__ import annotations

import pytest

from local_aws.emulator.server import LocalAws
from local_aws.seed import OrganizationSpec, management_session, member_session, seed_organization

pytestmark = pytest.mark.e2e


def test_a_sized_organization_has_every_generated_entity() -> None:
    spec = OrganizationSpec.sized(
        member_accounts=1,
        users_per_account=30,
        roles_per_account=4,
        regions=("eu-west-1",),
        events_per_account_region=120,
    )
    with LocalAws(load_aws_managed_policies=True) as server:
        truth = seed_organization(server, spec)
        management = management_session(server.endpoint_url)
        for account_id in truth.organization.member_account_ids:
            iam = member_session(management, account_id).client("iam")
            users = [u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"]]
            assert sorted(users) == sorted(spec.iam.users) == list(truth.iam_of(account_id).users)
        counts = truth.counts()
        assert counts["users"] == 30 + 1
        # one us-east-1 snapshot per account is added for the global services' events
        assert set(truth.cloudtrail.visible) == {
            (a, r) for a in truth.organization.account_ids for r in ("eu-west-1", "us-east-1")
        }
        assert counts["cloudtrail_events_seeded"] == 2 * (120 + spec.cloudtrail.expired_events)
