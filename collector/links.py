"""Records derived by joining what different scopes collected. Pure: the store feeds it stored rows.

Two derivations: the permission-set-to-role mapping (below), and the roles' trust edges
(``role_trust_principals``: a role's account and an account of the collected organization are not external).

The permission-set-to-role mapping: when a permission set is provisioned to an account, Identity Center
creates there the role ``AWSReservedSSO_<permission set name>_<16 hex digits>`` under the path
``/aws-reserved/sso.amazonaws.com/`` (plus ``<home region>/`` when the home region is not us-east-1). The
suffix is random, so the role is found, never computed: in the account's IAM inventory, by the exact name
prefix and path. Permission set names are unique in an instance and the suffix has no underscore, so a role
name belongs to at most one permission set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from collector.services.iam.trust import TrustContext, role_trust_principals
from collector.services.identity_center.records import PermissionSetRole, RoleMatch

# The roles' trust edges (role_trust_principals) need the collected organization to say which principal is
# external, so they are derived here too; the parsing is collector/services/iam/trust.py.
__all__ = [
    "Provisioned",
    "StoredRole",
    "TrustContext",
    "permission_set_name_of",
    "permission_set_roles",
    "role_trust_principals",
    "sso_role_path",
]

SSO_ROLE_PREFIX = "AWSReservedSSO_"
SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
_SUFFIX_RE = re.compile(r"[0-9a-f]{16}")
_REGION_IN_PATH_EXCEPT = "us-east-1"


def sso_role_path(home_region: str) -> str:
    """The path of the roles an instance with this home region creates."""
    return SSO_ROLE_PATH if home_region == _REGION_IN_PATH_EXCEPT else f"{SSO_ROLE_PATH}{home_region}/"


def permission_set_name_of(role_name: str) -> str | None:
    """The permission set name an ``AWSReservedSSO_<name>_<suffix>`` role name carries, else None."""
    if not role_name.startswith(SSO_ROLE_PREFIX):
        return None
    name, _, suffix = role_name[len(SSO_ROLE_PREFIX) :].rpartition("_")
    return name if name and _SUFFIX_RE.fullmatch(suffix) else None


@dataclass(frozen=True)
class Provisioned:
    """A permission set provisioned to an account, with its instance's home region."""

    target_account_id: str
    permission_set_arn: str
    permission_set_name: str
    instance_arn: str
    home_region: str


@dataclass(frozen=True)
class StoredRole:
    account_id: str
    arn: str
    name: str
    path: str


def permission_set_roles(
    provisioned: Iterable[Provisioned], roles: Iterable[StoredRole], iam_accounts: Iterable[str]
) -> tuple[PermissionSetRole, ...]:
    """One record per provisioned (permission set, account): its role, or why there is none.

    ``iam_accounts`` are the accounts whose IAM inventory is stored: elsewhere a missing role means only
    that the account's roles were not collected.
    """
    collected = set(iam_accounts)
    by_key: dict[tuple[str, str, str], list[StoredRole]] = {}
    for role in roles:
        name = permission_set_name_of(role.name)
        if name is not None:
            by_key.setdefault((role.account_id, role.path, name), []).append(role)
    records = []
    for p in sorted(set(provisioned), key=lambda p: (p.target_account_id, p.permission_set_arn)):
        found = sorted(
            by_key.get((p.target_account_id, sso_role_path(p.home_region), p.permission_set_name), ()),
            key=lambda r: r.arn,
        )
        matched = found[0] if len(found) == 1 else None
        if matched is not None:
            match = RoleMatch.MATCHED
        elif found:
            match = RoleMatch.AMBIGUOUS
        elif p.target_account_id in collected:
            match = RoleMatch.ROLE_NOT_FOUND
        else:
            match = RoleMatch.IAM_NOT_COLLECTED
        records.append(
            PermissionSetRole(
                account_id=p.target_account_id,
                permission_set_arn=p.permission_set_arn,
                permission_set_name=p.permission_set_name,
                instance_arn=p.instance_arn,
                match=match.value,
                role_arn=matched.arn if matched else None,
                role_name=matched.name if matched else None,
                candidates=[r.arn for r in found] if len(found) > 1 else None,
            )
        )
    return tuple(records)
