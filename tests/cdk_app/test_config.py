"""CDK context -> settings: defaults, flags, and an error naming the context key for every bad value."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cdk_app import config
from cdk_app.config import AccountSettings
from collector.permissions import DEFAULT_FEATURES, Feature
from collector.validation import InvalidSettingError

ROLE = "arn:aws:iam::111122223333:role/Vendor"


def settings(**context: object) -> AccountSettings:
    values: Mapping[str, object] = {"trustedPrincipal": ROLE, **context}
    got = config.from_context(values.get)
    assert isinstance(got, AccountSettings)
    return got


def test_minimal_context_takes_the_external_id_as_a_parameter() -> None:
    assert settings() == AccountSettings(trusted_principal=ROLE, external_id=None)
    assert settings().features == DEFAULT_FEATURES


def test_every_key() -> None:
    got = settings(
        integration="account",
        externalId="Abc123-example",
        roleName="VendorReadOnly",
        permissionsBoundaryArn="arn:aws:iam::111122223333:policy/Boundary",
        includeIdentityCenter="true",
        includeOrganizations=True,
        includeSecurityAudit="TRUE",
    )
    assert got == AccountSettings(
        trusted_principal=ROLE,
        external_id="Abc123-example",
        role_name="VendorReadOnly",
        permissions_boundary_arn="arn:aws:iam::111122223333:policy/Boundary",
        include_identity_center=True,
        include_organizations=True,
        include_security_audit=True,
    )
    assert got.features == frozenset(Feature)


@pytest.mark.parametrize(
    ("flag", "feature"),
    [("includeIdentityCenter", Feature.IDENTITY_CENTER), ("includeOrganizations", Feature.ORGANIZATIONS)],
)
def test_each_switch_adds_only_its_feature(flag: str, feature: Feature) -> None:
    assert settings(**{flag: "true"}).features == DEFAULT_FEATURES | {feature}
    assert settings(**{flag: "false"}).features == DEFAULT_FEATURES
    assert settings(**{flag: False}).features == DEFAULT_FEATURES


@pytest.mark.parametrize("principal", ["111122223333", "arn:aws:iam::111122223333:user/collector"])
def test_account_and_user_principals_are_accepted(principal: str) -> None:
    assert settings(trustedPrincipal=principal).trusted_principal == principal


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("trustedPrincipal", None),
        ("trustedPrincipal", "arn:aws:iam::111122223333:group/Vendors"),
        ("trustedPrincipal", "1111"),
        ("externalId", "x"),
        ("externalId", "with space"),
        ("roleName", "bad/name"),
        ("roleName", ""),
        ("permissionsBoundaryArn", "arn:aws:iam::111122223333:role/NotAPolicy"),
        ("includeIdentityCenter", "yes"),
        ("includeOrganizations", "1"),
        ("includeSecurityAudit", 1),
        ("integration", "organisation"),
    ],
)
def test_bad_value_names_the_context_key_the_value_and_the_expectation(key: str, value: object) -> None:
    with pytest.raises(InvalidSettingError) as error:
        settings(**{key: value})
    assert error.value.setting == key
    assert str(error.value).startswith(f"{key}: got {value!r}; expected ")


def test_missing_principal_says_how_to_pass_it() -> None:
    with pytest.raises(InvalidSettingError, match="pass -c trustedPrincipal=ARN"):
        config.from_context(lambda key: None)
