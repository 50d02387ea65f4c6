"""Keys of the results bucket, and the execution input: validated with the CLI's rules, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from collector.formats import InvalidSettingError
from collector.models import ScopeKey
from collector.pipeline import layout, request
from collector.runner import new_run_id

RUN = "20260506T120000Z-a1b2c3"
ROLE = "arn:aws:iam::111122223333:role/ReadOnlyIntegrationRole"


def test_keys_are_flat_under_each_kind_and_named_by_scope() -> None:
    scope = ScopeKey("111122223333", "eu-west-1", "ec2")
    assert layout.kind_key(RUN, "vpcs", scope) == f"runs/{RUN}/vpcs/111122223333.eu-west-1.ec2.jsonl"
    assert layout.scope_key(RUN, scope) == f"runs/{RUN}/scopes/111122223333.eu-west-1.ec2.jsonl"
    assert layout.item_key(RUN, "111122223333", "global") == f"runs/{RUN}/items/111122223333.global.json"
    assert layout.state_key("acme", scope) == "state/acme/111122223333/eu-west-1/ec2.json"
    assert layout.kind_prefix_template("vpcs") == "runs/${run_id}/vpcs/"
    assert layout.index_key(RUN) == f"index/runs/{RUN}.json"
    assert (
        layout.external_id_parameter(layout.DEFAULT_PARAMETER_PREFIX, "acme")
        == "/readonly-collector/customers/acme/external-id"
    )


def test_only_a_generated_run_id_names_a_prefix() -> None:
    assert layout.run_prefix(new_run_id()).startswith("runs/")
    for bad in ("../state/acme", "", "20260506T120000Z-a1b2c3/x", None):
        with pytest.raises(InvalidSettingError) as error:
            layout.run_prefix(bad)  # type: ignore[arg-type]
        assert error.value.setting == "run_id"


def test_a_minimal_request_takes_the_clis_defaults() -> None:
    parsed = request.parse({"customer": "acme", "role_arn": ROLE})
    assert parsed == request.CollectionRequest(customer="acme", role_arn=ROLE)
    settings = parsed.run_settings("Ext-1")
    assert settings.external_id == "Ext-1" and settings.regions is None and not settings.organization
    assert "external_id" not in settings.to_json()
    assert request.parse(parsed.to_json()) == parsed  # what the items carry reads back the same


def test_a_full_request() -> None:
    data = {
        "customer": "acme",
        "role_arn": ROLE,
        "organization": True,
        "member_role_name": "Member",
        "external_id_mode": "per-account",
        "more_role_arns": [],
        "regions": ["us-east-1"],
        "include_ous": ["ou-ab12-cdef3456"],
        "exclude_ous": [],
        "fetchers": ["iam", "cloudtrail"],
        "api_rate": 5,
        "cloudtrail_lookback_days": 30,
        "cloudtrail_source": "auto",
        "log_archive_account_id": "222233334444",
        "identity_center_region": "eu-west-1",
    }
    parsed = request.parse(data)
    settings = parsed.run_settings("Ext-1")
    assert settings.fetchers == ("iam", "cloudtrail") and settings.external_id_mode.value == "per-account"
    assert settings.options.identity_center_region == "eu-west-1"
    assert parsed.to_json() == {**data, "api_rate": 5.0}


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"role_arn": ROLE}, "customer", "None"),
    ({"customer": "a/b", "role_arn": ROLE}, "customer", "'a/b'"),
    ({"customer": "acme"}, "role_arn", "None"),
    ({"customer": "acme", "role_arn": ROLE, "external_id": "x"}, "input", "external_id"),
    ({"customer": "acme", "role_arn": ROLE, "member_role_name": "M"}, "member_role_name", "organization"),
    (
        {"customer": "acme", "role_arn": ROLE, "include_ous": ["ou-ab12-cdef3456"]},
        "include_ous/exclude_ous",
        "ou-",
    ),
    ({"customer": "acme", "role_arn": ROLE, "regions": "us-east-1"}, "regions", "'us-east-1'"),
    ({"customer": "acme", "role_arn": ROLE, "regions": ["mars-1"]}, "regions", "'mars-1'"),
    ({"customer": "acme", "role_arn": ROLE, "fetchers": ["s3"]}, "fetchers", "'s3'"),
    ({"customer": "acme", "role_arn": ROLE, "api_rate": True}, "api_rate", "True"),
    ({"customer": "acme", "role_arn": ROLE, "api_rate": -1}, "api_rate", "-1"),
    (
        {"customer": "acme", "role_arn": ROLE, "cloudtrail_lookback_days": 91},
        "cloudtrail_lookback_days",
        "91",
    ),
    ({"customer": "acme", "role_arn": ROLE, "organization": "yes"}, "organization", "'yes'"),
    ({"customer": "acme", "role_arn": ROLE, "external_id_mode": "each"}, "external_id_mode", "'each'"),
    (
        {"customer": "acme", "role_arn": ROLE, "organization": True, "more_role_arns": [ROLE]},
        "more_role_arns",
        "organization",
    ),
    ({"customer": "acme", "role_arn": ROLE, "identity_center_region": "x"}, "identity_center_region", "'x'"),
]


def test_the_legacy_methods_listed_accounts_are_collected_each_through_its_role() -> None:
    other = "arn:aws:iam::444455556666:role/ReadOnlyIntegrationRole"
    parsed = request.parse({"customer": "acme", "role_arn": ROLE, "more_role_arns": [other]})
    assert parsed.run_settings("Ext-1").more_role_arns == (other,)


def test_a_per_account_external_id_leaves_room_for_the_account_id() -> None:
    parsed = request.parse({"customer": "acme", "role_arn": ROLE, "external_id_mode": "per-account"})
    with pytest.raises(InvalidSettingError) as error:
        parsed.run_settings("x" * 1220)
    assert error.value.setting == "ExternalId"
    assert "xxxx" not in str(error.value) and "(hidden)" in str(error.value)  # a secret is never shown


@pytest.mark.parametrize(("data", "field", "shown"), BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_a_bad_request_names_the_field_and_the_value(data: dict[str, Any], field: str, shown: str) -> None:
    with pytest.raises(InvalidSettingError) as error:
        request.parse(data)
    assert error.value.setting == field and shown in str(error.value)


def test_a_request_that_is_not_an_object() -> None:
    with pytest.raises(InvalidSettingError, match="a JSON object"):
        request.parse(["acme"])
