"""``-c integration=collector-pipeline``: context -> settings (pure), and the app's synth with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_app import pipeline_config
from cdk_app.__main__ import main
from cdk_app.pipeline_build import PIPELINE_STACK_ID
from cdk_app.pipeline_config import PipelineSettings, pipeline_settings
from collector.formats import InvalidSettingError
from collector.pipeline import layout


def _context(**values: object) -> Any:
    return values.get


def test_defaults_need_only_the_customer_roles() -> None:
    settings = pipeline_settings(_context(customerRoleNames="ReadOnlyIntegrationRole, OtherRole"))
    assert settings == PipelineSettings(role_names=("ReadOnlyIntegrationRole", "OtherRole"))
    assert settings.external_id_parameter_prefix == layout.DEFAULT_PARAMETER_PREFIX


def test_every_key_is_read_and_numbers_may_come_as_text_or_json() -> None:
    settings = pipeline_settings(
        _context(
            customerRolePath="/vendor/",
            maxConcurrency="100",
            reservedConcurrency=120,
            toleratedFailurePercentage="2.5",
            retentionDays=30,
            externalIdParameterPrefix="/vendor/ids/",
            databaseName="inventory",
        )
    )
    assert settings == PipelineSettings(
        role_path="/vendor/",
        max_concurrency=100,
        reserved_concurrency=120,
        tolerated_failure_percentage=2.5,
        retention_days=30,
        external_id_parameter_prefix="/vendor/ids/",
        database_name="inventory",
    )


@pytest.mark.parametrize(
    ("values", "key", "shown"),
    [
        ({}, "customerRoleNames/customerRoleNamePrefix/customerRolePath", "exactly one"),
        (
            {"customerRoleNames": "A", "customerRolePath": "/p/"},
            "customerRoleNames/customerRoleNamePrefix/customerRolePath",
            "exactly one",
        ),
        ({"customerRoleNames": "bad name"}, "customerRoleNames", "'bad name'"),
        ({"customerRolePath": "vendor"}, "customerRolePath", "'vendor'"),
        ({"customerRoleNames": "A", "maxConcurrency": "ten"}, "maxConcurrency", "'ten'"),
        ({"customerRoleNames": "A", "maxConcurrency": "1.5"}, "maxConcurrency", "whole number"),
        ({"customerRoleNames": "A", "toleratedFailurePercentage": 150}, "toleratedFailurePercentage", "150"),
        ({"customerRoleNames": "A", "retentionDays": 0}, "retentionDays", "from 1"),
        ({"customerRoleNames": "A", "externalIdParameterPrefix": "x"}, "externalIdParameterPrefix", "'x'"),
        ({"customerRoleNames": "A", "databaseName": "Bad-Name"}, "databaseName", "'Bad-Name'"),
    ],
)
def test_bad_context_names_the_key_and_the_value(values: dict[str, object], key: str, shown: str) -> None:
    with pytest.raises(InvalidSettingError) as error:
        pipeline_settings(_context(**values))
    assert error.value.setting == key and shown in str(error.value)


@pytest.mark.cdk
def test_the_app_synthesizes_the_pipeline_stack(tmp_path: Path) -> None:
    context = {
        "integration": pipeline_config.PIPELINE,
        "customerRoleNames": "ReadOnlyIntegrationRole",
        "maxConcurrency": "20",
        "reservedConcurrency": "25",
    }
    assert main(context, outdir=str(tmp_path)) == 0
    template = json.loads((tmp_path / f"{PIPELINE_STACK_ID}.template.json").read_text())
    assert set(template["Outputs"]) == {"StateMachineArn", "ResultsBucketName", "GlueDatabaseName"}
    assert "Rules" not in template  # no bootstrap version check (the emulator deploys it too)
    text = json.dumps(template)
    assert '\\"MaxConcurrency\\":20' in text and '"ReservedConcurrentExecutions": 25' in text
    assert ":iam::*:role/ReadOnlyIntegrationRole" in text


@pytest.mark.cdk
def test_a_bad_pipeline_context_stops_synth_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = {"integration": pipeline_config.PIPELINE, "customerRoleNames": "R", "maxConcurrency": "0"}
    assert main(context, outdir=str(tmp_path)) == 2
    assert capsys.readouterr().err.startswith("error: invalid CDK context: maxConcurrency: got '0'")
