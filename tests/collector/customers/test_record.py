"""Customers: the ExternalId (format, uniqueness, secure source) and the record's rules."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from collector import formats
from collector.customers.record import (
    EXTERNAL_ID_ALPHABET,
    EXTERNAL_ID_LENGTH,
    Customer,
    Method,
    check_method_settings,
    customer_name,
    new_external_id,
    split_values,
)
from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature

VENDOR = "arn:aws:iam::999988887777:role/Vendor"


def _customer(method: Method = Method.ACCOUNT, **fields: Any) -> Customer:
    base: dict[str, Any] = {
        "name": "acme",
        "method": method,
        "external_id": "A" * 40,
        "created_at": "t0",
        "external_id_created_at": "t0",
        "trusted_principal": VENDOR,
        "account_id": "111122223333",
    }
    return Customer(**{**base, **fields})


def test_the_external_id_is_within_the_aws_rule_and_shell_safe() -> None:
    for _ in range(500):
        value = new_external_id()
        assert formats.external_id(value) == value
        assert len(value) == EXTERNAL_ID_LENGTH and value.isascii() and value.isalnum()


def test_external_ids_are_unique_and_evenly_spread_over_many_draws() -> None:
    draws = [new_external_id() for _ in range(20_000)]
    assert len(set(draws)) == len(draws)
    # 800,000 characters: each of the 62 appears about 12,900 times (a standard deviation of about 113).
    counts = Counter("".join(draws))
    assert set(counts) == set(EXTERNAL_ID_ALPHABET)
    assert max(counts.values()) / min(counts.values()) < 1.1


def test_the_external_id_comes_from_the_secure_source(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake_choice(sequence: str) -> str:
        calls.append(sequence)
        return "Q"

    monkeypatch.setattr(secrets, "choice", fake_choice)
    assert new_external_id() == "Q" * EXTERNAL_ID_LENGTH
    assert calls == [EXTERNAL_ID_ALPHABET] * EXTERNAL_ID_LENGTH


def test_the_predictable_generator_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("the random module's Mersenne Twister must not make ExternalIds")

    for name in ("choice", "choices", "random", "randrange", "randint", "getrandbits", "sample"):
        monkeypatch.setattr(random, name, forbidden)
    assert formats.external_id(new_external_id())


@pytest.mark.parametrize("name", ["", "-acme", "acme corp", "a" * 65, "acme/1", "ÄCME"])
def test_bad_customer_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidSettingError, match=r"NAME: got .*; expected 1 to 64"):
        customer_name(name)


def test_role_arns_per_method() -> None:
    assert _customer().role_arns() == ("arn:aws:iam::111122223333:role/ReadOnlyIntegrationRole",)
    recorded = "arn:aws:iam::111122223333:role/AccountIntegration-Role-1A2B"
    assert _customer(role_arn=recorded).role_arns() == (recorded,)
    assert _customer(account_id=None).role_arns() == ()
    legacy = _customer(
        Method.LEGACY,
        trusted_principal=None,
        account_ids=("111122223333", "444455556666"),
        role_name="Reader",
    )
    assert legacy.role_arns() == (
        "arn:aws:iam::111122223333:role/Reader",
        "arn:aws:iam::444455556666:role/Reader",
    )
    assert _customer(partition="aws-cn").role_arns()[0].startswith("arn:aws-cn:iam::111122223333:role/")


def test_features_per_method() -> None:
    assert _customer().features == DEFAULT_FEATURES
    assert _customer(include_identity_center=True).features == DEFAULT_FEATURES | {Feature.IDENTITY_CENTER}
    assert _customer(Method.ORGANIZATION, organizational_unit_ids=("r-ab12",)).features == frozenset(Feature)


def test_a_rotation_keeps_the_previous_external_id_until_redeployed() -> None:
    customer = _customer()
    rotated = customer.rotated("B" * 40, "t1")
    assert rotated.external_id == "B" * 40 and rotated.previous_external_id == "A" * 40
    assert rotated.external_id_created_at == "t1" and rotated.created_at == "t0"
    with pytest.raises(ValueError, match="different"):
        customer.rotated("A" * 40, "t1")
    assert "AAAA" not in repr(customer)  # never in logs by accident
    assert "external_id" not in customer.to_json(with_external_id=False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": Method.ORGANIZATION}, "--organizational-unit-ids: got None; expected the root"),
        ({"method": Method.LEGACY, "trusted_principal": None}, "--accounts: got None"),
        ({"trusted_principal": None}, "--trusted-principal: got None; expected the vendor's role ARN"),
        (
            {"account_ids": ("111122223333",)},
            "--accounts: got ('111122223333',); expected to be used with --method legacy",
        ),
        ({"organizational_unit_ids": ("r-ab12",)}, "expected to be used with --method organization"),
        (
            {
                "method": Method.ORGANIZATION,
                "organizational_unit_ids": ("r-ab12",),
                "include_identity_center": True,
            },
            "--identity-center: got True; expected to be used with --method account",
        ),
        (
            {"method": Method.LEGACY, "account_ids": ("111122223333",)},
            "--trusted-principal: got 'arn:aws:iam::999988887777:role/Vendor'; expected with --method legacy",
        ),
    ],
)
def test_each_method_gets_what_it_needs(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidSettingError) as error:
        check_method_settings(replace(_customer(), **changes))
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("field", "value", "setting"),
    [
        ("account_id", "1111", "--account-id"),
        ("role_name", "a b", "--role-name"),
        ("role_arn", "arn:aws:iam::1:role/x", "--role-arn"),
        ("identity_center_region", "moon-1", "--identity-center-region"),
        ("external_id", "a b", "ExternalId"),
        ("partition", "aws-mars", "--partition"),
    ],
)
def test_every_field_is_checked_with_the_option_it_comes_from(field: str, value: str, setting: str) -> None:
    with pytest.raises(InvalidSettingError, match=f"^{setting}: got"):
        _customer(Method.ACCOUNT, **{field: value})


def test_split_values_accepts_commas_and_repeats_without_duplicates() -> None:
    assert split_values(["1, 2", "3,1", ""]) == ("1", "2", "3")
    assert split_values(None) == ()


BUCKET = "aws-controltower-logs-222233334444-us-east-1"


def test_the_trails_bucket_and_the_log_archive_account() -> None:
    org = _customer(
        Method.ORGANIZATION,
        organizational_unit_ids=("r-ab12",),
        cloud_trail_bucket=BUCKET,
        cloud_trail_prefix="o-a1b2c3d4e5",
        log_archive_account_id="222233334444",
    )
    assert check_method_settings(org) is org
    assert org.to_json()["log_archive_account_id"] == "222233334444"
    with pytest.raises(InvalidSettingError, match="--cloud-trail-bucket: got 'Bad_Bucket'"):
        _customer(cloud_trail_bucket="Bad_Bucket")
    with pytest.raises(
        InvalidSettingError, match="--cloud-trail-prefix: got 'logs'; expected to be used with"
    ):
        check_method_settings(_customer(cloud_trail_prefix="logs"))
    with pytest.raises(InvalidSettingError, match=r"--log-archive-account-id: .* --method organization"):
        check_method_settings(_customer(cloud_trail_bucket=BUCKET, log_archive_account_id="222233334444"))
