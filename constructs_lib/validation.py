"""Synth-time checks of construct props: collector.formats's rules, skipped for unresolved Tokens.

A Token (a CloudFormation parameter, a reference to another resource) has no value until deployment, so it
cannot be checked here; CloudFormation checks it then (for our own parameters through AllowedPattern). This
module adds no format rule of its own: those live in collector.formats, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_cdk import Duration, Token

from collector import formats
from collector.formats import InvalidSettingError

MIN_SESSION = Duration.hours(1)
MAX_SESSION = Duration.hours(12)


def is_token(value: object) -> bool:
    return Token.is_unresolved(value)


def unless_token(check: Callable[[str, str], object], value: str, setting: str) -> str:
    """Run ``check(value, setting)`` unless ``value`` is an unresolved Token; return the value either way."""
    if not is_token(value):
        check(value, setting)
    return value


def external_id(value: str, setting: str = "externalId") -> str:
    return unless_token(formats.external_id, value, setting)


def role_name(value: str | None, setting: str = "roleName") -> str | None:
    return None if value is None else unless_token(formats.role_name, value, setting)


def iam_path(value: str | None, setting: str = "path") -> str | None:
    return None if value is None else unless_token(formats.iam_path, value, setting)


def max_session_duration(value: Duration, setting: str = "maxSessionDuration") -> Duration:
    """IAM accepts 1 to 12 hours."""
    if value.is_unresolved():
        return value
    seconds = value.to_seconds()
    if not MIN_SESSION.to_seconds() <= seconds <= MAX_SESSION.to_seconds():
        raise InvalidSettingError(setting, value.to_human_string(), "a duration from 1 hour to 12 hours")
    return value


def tags(values: Mapping[str, str], setting: str = "tags") -> Mapping[str, str]:
    for key, value in values.items():
        if not is_token(key):
            formats.tag_key(key, f"{setting} key")
        if not is_token(value):
            formats.tag_value(value, f"{setting}[{key!r}]")
    return values
