"""Seed AWS Account Access Manager in the account that administers Identity Center: its application and
entitlements that let an Identity Center user and a group assume roles of member accounts directly."""

from __future__ import annotations

from collections.abc import Sequence

from local_aws.seed.sessions import AccountSession
from local_aws.seed.truth import AccountAccessTruth, EntitlementTruth, IamTruth, IdentityCenterTruth


def seed_account_access(
    administrator: AccountSession, center: IdentityCenterTruth, members: Sequence[IamTruth]
) -> AccountAccessTruth:
    """The application (in Identity Center's home region), then entitlements: the first user to the first
    member account's last seeded role, the first group to the next member account's (when there is one)."""
    client = administrator.client("account-access", center.home_region)
    identity = {"identityCenter": {"instanceArn": center.instance_arn}}
    application = client.create_application(identitySource=identity, tags={"purpose": "break-glass"})[
        "applicationArn"
    ]
    principals: list[tuple[str, str]] = []
    if center.users:
        principals.append(("USER", center.users[0].user_id))
    if center.groups:
        principals.append(("GROUP", center.groups[0].group_id))
    entitlements: list[EntitlementTruth] = []
    for (kind, principal), account in zip(principals, [m for m in members if m.roles], strict=False):
        role = sorted(account.roles, key=lambda r: r.name)[-1]
        key = "userId" if kind == "USER" else "groupId"
        entitlement_id = client.create_entitlement(
            applicationArn=application,
            entitlement={
                "principalRole": {"principal": {"identityCenter": {key: principal}}, "roleArn": role.arn}
            },
        )["entitlementId"]
        entitlements.append(EntitlementTruth(entitlement_id, kind, principal, role.arn, account.account_id))
    return AccountAccessTruth(application, tuple(sorted(entitlements, key=lambda e: e.entitlement_id)))
