from __future__ import annotations

import math

import pytest

from collector.formats import InvalidSettingError
from local_aws.emulator.cloudtrail.emulation import CloudTrailSettings
from local_aws.emulator.protocol import CLOUDTRAIL_RATE_ENV, CLOUDTRAIL_RECORD_ENV


def test_defaults_are_cloudtrails_documented_rate_and_recording_on() -> None:
    assert CloudTrailSettings.from_environ({}) == CloudTrailSettings(2.0, True)


def test_the_rate_and_recording_come_from_the_environment() -> None:
    settings = CloudTrailSettings.from_environ({CLOUDTRAIL_RATE_ENV: "inf", CLOUDTRAIL_RECORD_ENV: "false"})
    assert settings == CloudTrailSettings(math.inf, False)
    assert CloudTrailSettings.from_environ({CLOUDTRAIL_RATE_ENV: "0.5"}).lookups_per_second == 0.5


@pytest.mark.parametrize(
    ("env", "value"),
    [
        (CLOUDTRAIL_RATE_ENV, "0"),
        (CLOUDTRAIL_RATE_ENV, "fast"),
        (CLOUDTRAIL_RATE_ENV, "nan"),
        (CLOUDTRAIL_RECORD_ENV, "yes"),
    ],
)
def test_a_bad_setting_names_the_variable_and_the_value(env: str, value: str) -> None:
    with pytest.raises(InvalidSettingError) as raised:
        CloudTrailSettings.from_environ({env: value})
    assert env in str(raised.value) and repr(value) in str(raised.value)
