"""One settings model: the four routes that build run settings give the same message for the same bad value.

The routes: ``collect``'s options, ``doctor``'s options, a recorded customer (``collect --customer``) and the
pipeline's execution input. Each names the setting as its user wrote it (``--api-rate`` / ``api_rate``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from collector.cli import app as cli
from collector.cli import collect, doctor
from collector.customers.record import Customer, Method
from collector.customers.run_settings import run_settings
from collector.formats import InvalidSettingError
from collector.pipeline import request
from collector.services.cloudtrail.trails import Source
from collector.settings import FIELD_NAMES, INPUT_FIELDS, OPTIONS, RunSettings

ROLE = "arn:aws:iam::111122223333:role/ReadOnlyIntegrationRole"
OU = "ou-ab12-cdef3456"
CUSTOMER = Customer(
    name="acme",
    method=Method.ACCOUNT,
    external_id="Ext-1234",
    created_at="2026-05-06T12:00:00+00:00",
    external_id_created_at="2026-05-06T12:00:00+00:00",
    trusted_principal="arn:aws:iam::999988887777:role/Vendor",
    account_id="111122223333",
)


def _collect(**options: str) -> object:
    argv = ["collect", "--role-arn", ROLE, "--external-id", "abc"]
    for option, value in options.items():
        argv += [option, value]
    return collect.settings_from(cli.build_parser().parse_args(argv))


def _doctor(**options: str) -> object:
    argv = ["doctor", "--role-arn", ROLE, "--external-id", "abc"]
    for option, value in options.items():
        argv += [option, value]
    return doctor.settings_from(cli.build_parser().parse_args(argv))


def _pipeline(**fields: object) -> object:
    return request.parse({"customer": "acme", "role_arn": ROLE, **fields})


def _customer(**options: object) -> object:
    return run_settings(CUSTOMER, options)


def _error(build: Callable[..., object], **given: Any) -> InvalidSettingError:
    with pytest.raises(InvalidSettingError) as error:
        build(**given)
    return error.value


# (rule, [(route, input)]): every route that can be given the value, with the value as that route takes it.
RULES: list[tuple[str, list[tuple[Callable[..., object], dict[str, Any]]]]] = [
    (
        "workers",
        [
            (_collect, {"--workers": "0"}),
            (_doctor, {"--workers": "0"}),
            (_customer, {"workers": 0}),
        ],
    ),
    (
        "api_rate",
        [(_collect, {"--api-rate": "0"}), (_pipeline, {"api_rate": 0}), (_customer, {"api_rate": 0})],
    ),
    (
        "cloudtrail_lookback_days",
        [
            (_collect, {"--cloudtrail-lookback-days": "91"}),
            (_pipeline, {"cloudtrail_lookback_days": 91}),
            (_customer, {"cloudtrail_lookback_days": "91"}),
        ],
    ),
    (
        "ec2_full_refresh_days",
        [
            (_collect, {"--ec2-full-refresh-days": "91"}),
            (_customer, {"ec2_full_refresh_days": 0}),
        ],
    ),
    (
        "identity_center_region",
        [
            (_collect, {"--identity-center-region": "mars-1"}),
            (_doctor, {"--identity-center-region": "mars-1"}),
            (_pipeline, {"identity_center_region": "mars-1"}),
            (_customer, {"identity_center_region": "mars-1"}),
        ],
    ),
    (
        "member_role_name",
        [
            (_collect, {"--member-role-name": "Member"}),
            (_doctor, {"--member-role-name": "Member"}),
            (_pipeline, {"member_role_name": "Member"}),
        ],
    ),
    (
        "include_ous",
        [
            (_collect, {"--include-ou": OU}),
            (_doctor, {"--include-ou": OU}),
            (_pipeline, {"include_ous": [OU]}),
            (_customer, {"include_ous": [OU]}),  # an account-method customer is no organization
        ],
    ),
]


@pytest.mark.parametrize(("rule", "routes"), RULES, ids=[rule for rule, _ in RULES])
def test_every_route_gives_the_same_message_for_the_same_bad_value(
    rule: str, routes: list[tuple[Callable[..., object], dict[str, Any]]]
) -> None:
    errors = [(build, _error(build, **given)) for build, given in routes]
    for build, error in errors:
        spelling = INPUT_FIELDS if build is _pipeline else OPTIONS
        # The setting is named as the route's user wrote it; the rules between fields name the other field so.
        assert spelling(rule) in error.setting, (build.__name__, error)
        expected = error.expected.replace(spelling.organization_on, "<organization>")
        assert expected == errors[0][1].expected.replace(OPTIONS.organization_on, "<organization>")
    assert len({e.expected for build, e in errors if build is not _pipeline}) == 1


def test_the_organization_rules_name_the_organization_as_the_route_does() -> None:
    assert _error(_collect, **{"--include-ou": OU}).expected == "to be used with --organization"
    assert _error(_pipeline, include_ous=[OU]).expected == 'to be used with "organization": true'


def test_the_rule_texts_are_written_once_in_the_collector() -> None:
    """The proof that the rules live in one place: their messages appear in collector/settings.py only."""
    root = Path(__file__).parents[2] / "collector"
    for text in ("a positive number of requests per second", "a number from 1 to", "none with "):
        holders = [p.relative_to(root).as_posix() for p in root.rglob("*.py") if text in p.read_text()]
        assert holders == ["settings.py"], (text, holders)


def test_direct_construction_runs_the_rules_between_fields() -> None:
    with pytest.raises(InvalidSettingError) as error:
        RunSettings(role_arn=ROLE, external_id="abc", include_ous=(OU,))
    assert error.value.setting == "include_ous/exclude_ous"


def test_the_stored_settings_json_keeps_its_shape() -> None:
    """``runs.settings_json`` of an existing database: the same keys and JSON values as before the model."""
    settings = RunSettings(role_arn=ROLE, external_id="abc", profile="local", regions=("eu-west-1",))
    assert settings.to_json() == {
        "role_arn": ROLE,
        "organization": False,
        "external_id_mode": "shared",
        "member_role_name": None,
        "regions": ["eu-west-1"],
        "include_ous": [],
        "exclude_ous": [],
        "fetchers": [],
        "workers": 256,  # (the default: work items in flight per process)
        "cloudtrail_retention_days": 90,  # older runs lack it: the store then keeps 90 days
        "api_rate": 10.0,
        "cloudtrail_lookback_days": 7,
        "cloudtrail_source": "auto",  # added with the trail's log files; older rows parse to the default
        "log_archive_account_id": None,
        "identity_center_region": None,
        "more_role_arns": [],
        "skip_unchanged_ec2": False,  # added with the daily skip; older rows parse to the default
        "ec2_full_refresh_days": 7,
    }
    older = {
        k: v
        for k, v in settings.to_json().items()
        if k
        not in ("cloudtrail_source", "log_archive_account_id", "skip_unchanged_ec2", "ec2_full_refresh_days")
    }
    assert RunSettings.parse({**older, "external_id": "abc"}, OPTIONS).cloudtrail_source == "auto"
    assert RunSettings.parse({**settings.to_json(), "external_id": "abc"}, OPTIONS) == RunSettings(
        role_arn=ROLE, external_id="abc", regions=("eu-west-1",)
    )


def test_the_cloudtrail_source_and_the_log_archive_account() -> None:
    assert (
        RunSettings(role_arn=ROLE, external_id="abc", cloudtrail_source=Source.S3).to_json()[
            "cloudtrail_source"
        ]
        == "s3"
    )
    with pytest.raises(InvalidSettingError, match="cloudtrail_source: got 'bucket'; expected lookup"):
        RunSettings.parse(
            {"role_arn": ROLE, "external_id": "abc", "cloudtrail_source": "bucket"}, FIELD_NAMES
        )
    archive = {"role_arn": ROLE, "external_id": "abc", "log_archive_account_id": "222233334444"}
    with pytest.raises(InvalidSettingError, match=r"log_archive_account_id: .* to be used with organization"):
        RunSettings.parse(archive, FIELD_NAMES)
    with pytest.raises(InvalidSettingError, match="none with cloudtrail_source lookup"):
        RunSettings.parse({**archive, "organization": True, "cloudtrail_source": "lookup"}, FIELD_NAMES)
    assert (
        RunSettings.parse({**archive, "organization": True}, FIELD_NAMES).log_archive_account_id
        == "222233334444"
    )


def _collect_flags(*argv: str) -> RunSettings:
    args = cli.build_parser().parse_args(["collect", "--role-arn", ROLE, "--external-id", "abc", *argv])
    return collect.settings_from(args)


def test_the_ec2_skip_is_a_collect_option_that_reaches_the_fetchers() -> None:
    off = _collect_flags()
    assert (off.skip_unchanged_ec2, off.ec2_full_refresh_days) == (False, 7)
    assert (off.options.skip_unchanged_ec2, off.options.ec2_full_refresh_days) == (False, 7)
    on = _collect_flags(
        "--skip-unchanged-ec2", "--ec2-full-refresh-days", "3", "--fetchers", "ec2,cloudtrail"
    )
    assert (on.options.skip_unchanged_ec2, on.options.ec2_full_refresh_days) == (True, 3)
    assert on.to_json()["skip_unchanged_ec2"] is True  # the run's settings say it was a skipping run
    assert _customer(skip_unchanged_ec2=True).options.skip_unchanged_ec2  # type: ignore[attr-defined]


def test_the_ec2_skip_needs_cloudtrail_and_ec2_among_the_fetchers() -> None:
    for fetchers in ("iam,ec2", "cloudtrail", "ec2"):
        with pytest.raises(InvalidSettingError) as raised:
            _collect_flags("--skip-unchanged-ec2", "--fetchers", fetchers)
        error = raised.value
        assert error.setting == "--fetchers" and error.value == fetchers.split(",")
        assert error.expected.startswith("both cloudtrail and ec2 with --skip-unchanged-ec2")
    customer = _error(_customer, skip_unchanged_ec2=True, fetchers=["ec2"])
    assert customer.setting == "--fetchers" and "--skip-unchanged-ec2" in customer.expected
    direct = _error(RunSettings, role_arn=ROLE, external_id="abc", skip_unchanged_ec2=True, fetchers=("iam",))
    assert direct.setting == "fetchers" and "skip_unchanged_ec2" in direct.expected
    # Without it, any selection goes; with it, every fetcher (no selection) or one naming both.
    assert _collect_flags("--fetchers", "ec2").fetchers == ("ec2",)
    assert _collect_flags("--skip-unchanged-ec2").skip_unchanged_ec2


def test_the_pipeline_never_skips_ec2() -> None:
    """The skip is the CLI's only: the execution input has no such field, and its settings read fully."""
    error = _error(_pipeline, skip_unchanged_ec2=True)
    assert error.setting == "input" and "skip_unchanged_ec2" in str(error.value)
    parsed = request.parse({"customer": "acme", "role_arn": ROLE})
    assert not parsed.run_settings("Ext-1234").options.skip_unchanged_ec2
