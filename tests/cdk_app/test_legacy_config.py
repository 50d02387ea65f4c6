"""``-c integration=legacy`` context -> settings: defaults, lists, rotation, and errors naming the key."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cdk_app import config
from cdk_app.config import AccountSettings
from cdk_app.legacy_config import LegacySettings, legacy_settings
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError

A, B = "111122223333", "444455556666"
ADMIN = "arn:aws:iam::111122223333:role/Admin"
MINIMAL: Mapping[str, object] = {
    "integration": "legacy",
    "userAccountId": A,
    "accountIds": f"{A},{B}",
    "secretReaders": ADMIN,
}


def settings(**context: object) -> LegacySettings:
    values: Mapping[str, object] = {**MINIMAL, **context}
    return legacy_settings(values.get)


def test_legacy_is_a_known_integration() -> None:
    assert config.integration(MINIMAL.get) == "legacy"


def test_minimal_context() -> None:
    assert settings() == LegacySettings(user_account_id=A, secret_readers=(ADMIN,), account_ids=(A, B))


def test_every_key() -> None:
    got = settings(
        accountIds=[A, B, A],
        organizationId="o-a1b2c3d4e5",
        secretReaders=f" {ADMIN} , arn:aws:iam::111122223333:user/auditor",
        secretKmsKeyArn="arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd",
        externalId="Abc123-example",
        externalIdMode="per-account",
        userName="vendor-user",
        roleName="VendorLegacy",
        keySerial="3",
        previousKeySerial=2,
        previousKeyActive="false",
        permissionsBoundaryArn="arn:aws:iam::111122223333:policy/Boundary",
        includeIdentityCenter="true",
        includeOrganizations=True,
        includeSecurityAudit="false",
    )
    assert got == LegacySettings(
        user_account_id=A,
        secret_readers=(ADMIN, "arn:aws:iam::111122223333:user/auditor"),
        account_ids=(A, B),
        organization_id="o-a1b2c3d4e5",
        external_id="Abc123-example",
        external_id_mode=ExternalIdMode.PER_ACCOUNT,
        user_name="vendor-user",
        role_name="VendorLegacy",
        secret_kms_key_arn="arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd",
        key_serial=3,
        previous_key_serial=2,
        previous_key_active=False,
        permissions_boundary_arn="arn:aws:iam::111122223333:policy/Boundary",
        include_identity_center=True,
        include_organizations=True,
    )


def test_role_settings_are_the_single_account_ones_trusting_the_user() -> None:
    user = "arn:aws:iam::111122223333:user/ReadOnlyIntegrationUser"
    got = settings(externalId="Abc123-example", externalIdMode="per-account", includeIdentityCenter="true")
    assert got.role_settings(user, "R") == AccountSettings(
        trusted_principal=user,
        external_id="Abc123-example",
        external_id_mode=ExternalIdMode.PER_ACCOUNT,
        role_name="R",
        include_identity_center=True,
    )


def test_an_organization_alone_is_enough() -> None:
    got = settings(accountIds=None, organizationId="o-a1b2c3d4e5")
    assert got.account_ids == () and got.organization_id == "o-a1b2c3d4e5"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("userAccountId", None, "pass -c userAccountId="),
        ("userAccountId", "1111", "12-digit"),
        ("accountIds", None, "or -c organizationId=o-"),
        ("accountIds", f"{A},1234", "12-digit"),
        ("accountIds", 111122223333, "comma-separated"),
        ("organizationId", "org-1", "o-a1b2c3d4e5"),
        ("secretReaders", None, "comma-separated ARNs"),
        ("secretReaders", "arn:aws:iam::111122223333:role/*", "role or user ARN"),
        ("secretReaders", A, "role or user ARN"),
        ("secretKmsKeyArn", "alias/aws/secretsmanager", "KMS key ARN"),
        ("userName", "with space", "1 to 64"),
        ("roleName", "bad/name", "1 to 64"),
        ("externalId", "x", "2 to 1224"),
        ("externalIdMode", "per-customer", "shared"),
        ("keySerial", "0", "whole number"),
        ("keySerial", "two", "whole number"),
        ("keySerial", True, "whole number"),
        ("previousKeySerial", "1", "less than keySerial (1)"),
        ("previousKeyActive", "false", "to be used with previousKeySerial"),
        ("includeSecurityAudit", "yes", "true or false"),
    ],
)
def test_bad_value_names_the_context_key(key: str, value: object, expected: str) -> None:
    with pytest.raises(InvalidSettingError) as error:
        settings(**{key: value})
    assert error.value.setting == key
    # A list names its bad item.
    got = "1234" if key == "accountIds" and isinstance(value, str) else value
    assert str(error.value).startswith(f"{key}: got {got!r}; expected ")
    assert expected in error.value.expected


def test_previous_key_active_needs_a_boolean() -> None:
    with pytest.raises(InvalidSettingError) as error:
        settings(keySerial="2", previousKeySerial="1", previousKeyActive="maybe")
    assert error.value.setting == "previousKeyActive"
