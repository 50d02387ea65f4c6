from __future__ import annotations

import pytest

from collector import formats as v


@pytest.mark.parametrize("good", ["ab", "Abc123-example", "a" * 1224, "x+=,.@:/-_y"])
def test_external_id_accepts_the_aws_alphabet(good: str) -> None:
    assert v.external_id(good) == good


@pytest.mark.parametrize("bad", ["a", "a" * 1225, "has space", "semi;colon", "é-accent", "", None, 12])
def test_external_id_rejects_with_setting_value_and_expectation(bad: object) -> None:
    with pytest.raises(v.InvalidSettingError) as err:
        v.external_id(bad, setting="externalId")
    assert "externalId" in str(err.value) and repr(bad) in str(err.value)
    assert "1224" in str(err.value)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("arn:aws:iam::111122223333:role/Vendor", "role"),
        ("arn:aws:iam::111122223333:role/path/to/Vendor", "role"),
        ("arn:aws-us-gov:iam::111122223333:user/collector", "user"),
        ("111122223333", "account"),
    ],
)
def test_trusted_principal_kinds(value: str, kind: str) -> None:
    principal = v.trusted_principal(value)
    assert principal.kind == kind and principal.account_id == "111122223333"


@pytest.mark.parametrize(
    "bad",
    ["arn:aws:iam::11112222333:role/X", "arn:aws:s3:::bucket", "arn:aws:iam::111122223333:group/G", "1111"],
)
def test_trusted_principal_rejects(bad: str) -> None:
    with pytest.raises(v.InvalidSettingError, match="trustedPrincipal"):
        v.trusted_principal(bad)


@pytest.mark.parametrize(
    "good", ["us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "il-central-1"]
)
def test_regions(good: str) -> None:
    assert v.region(good) == good


@pytest.mark.parametrize("bad", ["US-EAST-1", "us-east", "useast1", "moon-1"])
def test_bad_regions(bad: str) -> None:
    with pytest.raises(v.InvalidSettingError):
        v.region(bad)


def test_organization_ids() -> None:
    assert v.root_or_ou_id("r-ab12") == "r-ab12"
    assert v.root_or_ou_id("ou-ab12-cdef3456") == "ou-ab12-cdef3456"
    for bad in ["r-AB12", "ou-ab12", "ou-ab12-short", "o-abcdefghij"]:
        with pytest.raises(v.InvalidSettingError):
            v.root_or_ou_id(bad)


def test_policy_and_role_arns() -> None:
    assert v.policy_arn("arn:aws:iam::aws:policy/SecurityAudit")
    assert v.policy_arn("arn:aws:iam::111122223333:policy/boundary")
    assert v.role_arn("arn:aws-cn:iam::111122223333:role/r")
    with pytest.raises(v.InvalidSettingError):
        v.policy_arn("arn:aws:iam::111122223333:role/r")
    with pytest.raises(v.InvalidSettingError):
        v.role_name("x" * 65)
    with pytest.raises(v.InvalidSettingError):
        v.iam_path("no-slashes")


@pytest.mark.parametrize("good", ["owner", "cost center", "team:identity/sec", "Ünïcode", "k" * 128])
def test_tag_keys(good: str) -> None:
    assert v.tag_key(good) == good


@pytest.mark.parametrize("bad", ["", "aws:reserved", "AWS:reserved", "k" * 129, "semi;colon", None])
def test_tag_keys_rejected(bad: object) -> None:
    with pytest.raises(v.InvalidSettingError, match="tags"):
        v.tag_key(bad, "tags key")


@pytest.mark.parametrize("good", ["", "security", "a b+c=d@e.f-g_h:i/j", "v" * 256])
def test_tag_values(good: str) -> None:
    assert v.tag_value(good) == good


@pytest.mark.parametrize("bad", ["v" * 257, "a;b", "quote'", 3])
def test_tag_values_rejected(bad: object) -> None:
    with pytest.raises(v.InvalidSettingError):
        v.tag_value(bad)


def test_days_take_a_whole_number_or_its_text_within_bounds() -> None:
    assert v.days(7, "--days", 90) == 7 and v.days(" 90 ", "--days", 90) == 90
    for bad in [0, 91, "1.5", "-3", "", True, None, 7.0]:
        with pytest.raises(v.InvalidSettingError, match="a whole number of days from 1 to 90"):
            v.days(bad, "--days", 90)
