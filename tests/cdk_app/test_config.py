"""CDK context -> settings: defaults, flags, and an error naming the context key for every bad value."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cdk_app import config
from cdk_app.config import AccountSettings, OrganizationSettings
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature

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


def test_the_account_role_can_expect_the_per_account_external_id() -> None:
    # So that, with a delegated StackSet administrator, the management account's own role matches the
    # organization's roles (see docs/deploy-organization.md).
    assert settings(externalIdMode="per-account").external_id_mode is ExternalIdMode.PER_ACCOUNT
    assert settings().external_id_mode is ExternalIdMode.SHARED
    with pytest.raises(InvalidSettingError, match=r"externalId: got 'x+'; expected at most 1211"):
        settings(externalId="x" * 1212, externalIdMode="per-account")


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


# --- -c integration=organization ----------------------------------------------------------------------

OU = "ou-ab12-11111111"


def organization(**context: object) -> OrganizationSettings:
    values: Mapping[str, object] = {
        "trustedPrincipal": ROLE,
        "integration": "organization",
        "organizationalUnitIds": "r-ab12",
        "callAs": "SELF",
        **context,
    }
    got = config.from_context(values.get)
    assert isinstance(got, OrganizationSettings)
    return got


def test_minimal_organization_context() -> None:
    assert organization() == OrganizationSettings(
        trusted_principal=ROLE, external_id=None, organizational_unit_ids=("r-ab12",), call_as="SELF"
    )


def test_every_organization_key() -> None:
    got = organization(
        externalId="Abc123-example",
        organizationalUnitIds=f"{OU}, ou-ab12-22222222",
        excludeAccountIds="444455556666,777788889999",
        stackSetRegion="eu-central-1",
        callAs="DELEGATED_ADMIN",
        identityCenterRegion="eu-west-1",
        identityCenterAccountId="555566667777",
        externalIdMode="per-account",
        roleName="VendorReadOnly",
        includeSecurityAudit="true",
    )
    assert got == OrganizationSettings(
        trusted_principal=ROLE,
        external_id="Abc123-example",
        organizational_unit_ids=(OU, "ou-ab12-22222222"),
        call_as="DELEGATED_ADMIN",
        exclude_account_ids=("444455556666", "777788889999"),
        stack_set_region="eu-central-1",
        identity_center_region="eu-west-1",
        identity_center_account_id="555566667777",
        external_id_mode=ExternalIdMode.PER_ACCOUNT,
        role_name="VendorReadOnly",
        include_security_audit=True,
    )


def test_lists_may_come_from_cdk_json_as_json_lists() -> None:
    got = organization(organizationalUnitIds=["r-ab12", OU], excludeAccountIds=["444455556666"])
    assert got.organizational_unit_ids == ("r-ab12", OU)
    assert got.exclude_account_ids == ("444455556666",)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("organizationalUnitIds", None, "the root (r-ab12) or OU IDs"),
        ("organizationalUnitIds", "", "a root ID (r-ab12) or an OU ID"),
        ("organizationalUnitIds", "ou-1", "a root ID (r-ab12) or an OU ID"),
        ("organizationalUnitIds", 7, "a comma-separated list"),
        ("excludeAccountIds", "4444", "a 12-digit AWS account ID"),
        ("stackSetRegion", "us-east-1,eu-west-1", "exactly one region: IAM names are global"),
        ("stackSetRegion", "moon-1", "an AWS region code"),
        ("callAs", None, "SELF (deploying from the management account) or DELEGATED_ADMIN"),
        ("callAs", "self", "SELF (deploying from the management account) or DELEGATED_ADMIN"),
        ("identityCenterRegion", "global", "an AWS region code"),
        ("identityCenterAccountId", "5555", "a 12-digit AWS account ID"),
        ("externalIdMode", "derived", "shared or per-account"),
        ("externalId", "x", "2 to 1224 characters"),
        ("permissionsBoundaryArn", "arn:aws:iam::111122223333:policy/B", "no value: a boundary"),
        ("includeIdentityCenter", "true", "no value: use identityCenterAccountId"),
        ("includeOrganizations", "true", "no value: the management account's role reads Organizations"),
    ],
)
def test_bad_organization_value_names_the_key(key: str, value: object, expected: str) -> None:
    with pytest.raises(InvalidSettingError) as error:
        organization(**{key: value})
    assert error.value.setting == key
    assert str(error.value).startswith(f"{key}: got {value!r}; expected {expected}"), str(error.value)


def test_identity_center_account_needs_its_region() -> None:
    with pytest.raises(InvalidSettingError, match="identityCenterRegion: got None; expected Identity Center"):
        organization(identityCenterAccountId="555566667777")


def test_per_account_mode_leaves_room_for_the_account_id() -> None:
    with pytest.raises(InvalidSettingError, match=r"externalId: got 'x+'; expected at most 1211"):
        organization(externalId="x" * 1212, externalIdMode="per-account")
    assert organization(externalId="x" * 1212).external_id == "x" * 1212


# --- the trail's log files (opt-in) -------------------------------------------------------------------------

BUCKET = "aws-controltower-logs-222233334444-eu-west-1"
KEY = "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_trail_logs_for_one_account_and_for_the_log_archive_member() -> None:
    assert settings().trail_logs is None and organization().trail_logs is None
    got = settings(cloudTrailBucket=BUCKET, cloudTrailPrefix="o-a1b2c3d4e5", cloudTrailKmsKeyArn=KEY)
    assert got.trail_logs == config.TrailLogs(BUCKET, "o-a1b2c3d4e5", KEY)
    org = organization(cloudTrailBucket=BUCKET, logArchiveAccountId="222233334444")
    assert org.trail_logs == config.TrailLogs(BUCKET) and org.log_archive_account_id == "222233334444"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("cloudTrailBucket", "Bad_Bucket", "an S3 bucket name"),
        ("cloudTrailBucket", "ab", "an S3 bucket name"),
        ("cloudTrailPrefix", "/logs", "the trail's S3 key prefix"),
        ("cloudTrailPrefix", "logs/*", "the trail's S3 key prefix"),
        ("cloudTrailKmsKeyArn", "alias/trail", "a KMS key ARN"),
        ("logArchiveAccountId", "2222", "a 12-digit AWS account ID"),
    ],
)
def test_bad_trail_log_values_name_the_key(key: str, value: object, expected: str) -> None:
    context = {"cloudTrailBucket": BUCKET, key: value}
    with pytest.raises(InvalidSettingError) as error:
        organization(**context)
    assert error.value.setting == key
    assert str(error.value).startswith(f"{key}: got {value!r}; expected {expected}"), str(error.value)


def test_trail_log_keys_need_the_bucket_and_the_log_archive_needs_an_organization() -> None:
    for key, value in (("cloudTrailPrefix", "logs"), ("cloudTrailKmsKeyArn", KEY)):
        with pytest.raises(InvalidSettingError, match=f"{key}: .* to be used with cloudTrailBucket"):
            settings(**{key: value})
    with pytest.raises(InvalidSettingError, match=r"logArchiveAccountId: .* to be used with cloudTrail"):
        organization(logArchiveAccountId="222233334444")
    with pytest.raises(
        InvalidSettingError, match=r"logArchiveAccountId: .* no value with integration=account"
    ):
        settings(cloudTrailBucket=BUCKET, logArchiveAccountId="222233334444")
