"""Account Access Manager responses to records. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from collector.parsing import iso_or_none
from collector.services.account_access.records import AccessManagerApplication, AccessManagerEntitlement

Item = Mapping[str, Any]


def application(account_id: str, listed: Item, detail: Item | None) -> AccessManagerApplication:
    """A listed application, with GetApplication's answer when it was read (None: it was not)."""
    found = detail or {}
    center = (found.get("identitySource") or {}).get("identityCenter") or {}
    return AccessManagerApplication(
        account_id=account_id,
        application_arn=listed["applicationArn"],
        status=found.get("status"),
        instance_arn=center.get("instanceArn"),
        identity_center_application_arn=center.get("applicationArn"),
        tenant_id=found.get("tenantId") or listed.get("tenantId"),
        created_at=iso_or_none(found.get("createdAt") or listed.get("createdAt")),
        updated_at=iso_or_none(found.get("updatedAt") or listed.get("updatedAt")),
        error_code=(found.get("error") or {}).get("code"),
        tags=dict(found.get("tags") or {}) if detail is not None else None,
        raw={k: v for k, v in (detail or listed).items() if k != "ResponseMetadata"},
    )


def entitlements(
    account_id: str, application_arn: str, items: Iterable[Item]
) -> tuple[AccessManagerEntitlement, ...]:
    records = []
    for item in items:
        role = item["entitlement"]["principalRole"]
        principal = role["principal"]["identityCenter"]
        kind, who = (
            ("USER", principal["userId"]) if "userId" in principal else ("GROUP", principal["groupId"])
        )
        records.append(
            AccessManagerEntitlement(
                account_id=account_id,
                application_arn=application_arn,
                entitlement_id=item["entitlementId"],
                principal_type=kind,
                principal_id=who,
                role_arn=role["roleArn"],
                target_account_id=role["account"],
                target_account_name=role.get("accountName"),
                created_at=iso_or_none(item.get("createdAt")),
                raw=item,
            )
        )
    return tuple(records)
