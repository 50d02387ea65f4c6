"""The Account Access Manager record kinds (typed, frozen; pure data)."""

from __future__ import annotations

from dataclasses import dataclass

from collector.models import JsonValue, Record


@dataclass(frozen=True, kw_only=True)
class AccessManagerApplication(Record):
    KIND = "access_manager_applications"
    KEY = ("application_arn",)
    application_arn: str
    status: str | None = None  # ACTIVE, CREATE_IN_PROGRESS, ... (None: GetApplication not read)
    instance_arn: str | None = None  # the Identity Center instance it draws its users and groups from
    identity_center_application_arn: str | None = None
    tenant_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    error_code: str | None = None  # what AWS reports when the application is in a failed state
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class AccessManagerEntitlement(Record):
    """An Identity Center user or group entitled to assume an IAM role in an account, outside permission sets.

    Links: ``role_arn`` is a ``roles.arn`` of account ``target_account_id``; ``principal_id`` is an
    ``identity_store_users.user_id`` (USER) or ``identity_store_groups.group_id`` (GROUP).
    """

    KIND = "access_manager_entitlements"
    KEY = ("application_arn", "entitlement_id")
    application_arn: str
    entitlement_id: str
    principal_type: str  # USER or GROUP
    principal_id: str
    role_arn: str
    target_account_id: str
    target_account_name: str | None = None
    created_at: str | None = None
