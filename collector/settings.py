"""The settings of a run: every field, its check and every rule between fields, declared once.

Four routes build them and all go through ``CollectionSettings.parse`` (so the same bad value gets the same
message everywhere, named as that route names it): ``collect``'s options, ``doctor``'s options, a recorded
customer (collector.customers.run_settings) and the pipeline's execution input (collector.pipeline.request).

- ``CollectionSettings``: what to collect and how fast; everything a pipeline execution input carries.
- ``RunSettings``: that, plus the customer's ExternalId and what this machine runs it with (workers,
  processes, profile): what the runner takes. Its JSON form (``to_json``: the run's ``settings_json`` in
  SQLite and the pipeline's ``run.json``) leaves out the ExternalId (a per-customer secret), the local
  profile and the number of processes.

JSON forms are derived from the dataclass fields: a tuple is a list, an enum its value, ``regions`` None is
``"all"``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Self

from collector import external_id, formats, partitions, registry
from collector.aws import DEFAULT_API_RATE
from collector.external_id import ExternalIdMode
from collector.fetch import FetchOptions
from collector.formats import InvalidSettingError
from collector.services.cloudtrail.fetch import DEFAULT_LOOKBACK_DAYS, MAX_LOOKBACK_DAYS
from collector.services.cloudtrail.records import DEFAULT_RETENTION_DAYS
from collector.services.cloudtrail.trails import Source
from collector.services.ec2.refresh import DEFAULT_FULL_REFRESH_DAYS, MAX_FULL_REFRESH_DAYS

ALL_REGIONS = "all"
MAX_WORKERS = 512
# Work items in flight per process by default (greenlets in a worker process: collector.worker_process). At
# 200 ms a request and about 1.9 ms of CPU a call, a process serves at most about 500 calls a second, and
# replies arriving together wait their turn: on 2 cores, 48 a process gave 330 calls a second, 128 gave
# 530 to 545, 256 gave 590 and 384 610 (benchmarks/org_scale.py; docs/benchmarks.md).
DEFAULT_WORKERS = 256
MAX_PROCESSES = 64


def one_per_core() -> int:
    """Worker processes by default: one per core this process may run on."""
    try:
        return max(1, min(MAX_PROCESSES, len(os.sched_getaffinity(0))))
    except AttributeError:  # not Linux
        return max(1, min(MAX_PROCESSES, os.cpu_count() or 1))


Check = Callable[[object, str], object]


@dataclass(frozen=True)
class Spelling:
    """How one route names the settings in its messages: the CLI's options, or the input's JSON fields."""

    names: Mapping[str, str]  # field -> the name the user wrote; a field not here is named as itself
    organization_on: str  # how this route says "organization mode on", for the rules that need it
    hide_secrets: bool = False  # never show a secret's value (it would reach an execution's history)

    def __call__(self, field_name: str) -> str:
        return self.names.get(field_name, field_name)


def checked_by(check: Check, *, option: str | None = None, secret: bool = False, in_json: bool = True) -> Any:
    """A field's ``check`` (raw value, name -> typed value), its CLI option when not ``--<field-name>``,
    whether it is a secret (never in JSON, hidden where the route asks) and whether the JSON form has it."""
    return {"check": check, "option": option, "secret": secret, "in_json": in_json}


# --- per-value checks: (raw value, the name to show) -> the typed value; each accepts its own output --------


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidSettingError(name, value, "true or false")
    return value


def _optional(check: Check) -> Check:
    return lambda value, name: None if value is None else check(value, name)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidSettingError(name, value, "a string")
    return value


def _strings(value: object, name: str) -> tuple[str, ...]:
    """A list of strings (None: empty)."""
    value = value or []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidSettingError(name, value, "a list of strings")
    return tuple(value)


def _each(check: Check) -> Check:
    return lambda value, name: tuple(check(v, name) for v in _strings(value, name))


def _regions(value: object, name: str) -> tuple[str, ...] | None:
    if value is None or value == ALL_REGIONS:  # None is what ``all`` becomes
        return None
    if isinstance(value, list | tuple):
        return tuple(dict.fromkeys(formats.regions(list(value), name)))  # each once, in the given order
    raise InvalidSettingError(name, value, f'"{ALL_REGIONS}" or a list of region codes')


def _fetchers(value: object, name: str) -> tuple[str, ...]:
    names = _strings(value, name)
    registry.select(names, name)
    return names


def _workers(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WORKERS:
        raise InvalidSettingError(name, value, f"a number from 1 to {MAX_WORKERS}")
    return value


def _processes(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PROCESSES:
        raise InvalidSettingError(name, value, f"a number from 1 to {MAX_PROCESSES}")
    return value


def _rate(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidSettingError(name, value, "a positive number of requests per second")
    return float(value)


def _lookback(value: object, name: str) -> int:
    return formats.days(value, name, MAX_LOOKBACK_DAYS)


RETENTION_DAYS, MAX_RETENTION_DAYS = DEFAULT_RETENTION_DAYS, 3650


def _retention(value: object, name: str) -> int:
    return formats.days(value, name, MAX_RETENTION_DAYS)


def _full_refresh(value: object, name: str) -> int:
    return formats.days(value, name, MAX_FULL_REFRESH_DAYS)


def _source(value: object, name: str) -> Source:
    if isinstance(value, Source):
        return value
    if isinstance(value, str) and value in {s.value for s in Source}:
        return Source(value)
    raise InvalidSettingError(
        name,
        value,
        "lookup (LookupEvents), s3 (the trail's log files) or auto (the trail's files where the role may "
        "read them, else LookupEvents)",
    )


# --- the model ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CollectionSettings:
    """What to collect and how fast. Build from user input with ``parse``; direct construction (tests,
    benchmarks) still runs the rules between fields."""

    role_arn: str = field(
        metadata=checked_by(formats.role_arn)
    )  # organization: the management account's role
    organization: bool = field(default=False, metadata=checked_by(_flag))
    external_id_mode: ExternalIdMode = field(
        default=ExternalIdMode.SHARED, metadata=checked_by(external_id.mode)
    )
    # Organization mode; default: the name of role_arn's role.
    member_role_name: str | None = field(default=None, metadata=checked_by(_optional(formats.role_name)))
    # None: every enabled region of each account.
    regions: tuple[str, ...] | None = field(default=None, metadata=checked_by(_regions))
    include_ous: tuple[str, ...] = field(
        default=(), metadata=checked_by(_each(formats.root_or_ou_id), option="--include-ou")
    )
    exclude_ous: tuple[str, ...] = field(
        default=(), metadata=checked_by(_each(formats.root_or_ou_id), option="--exclude-ou")
    )
    fetchers: tuple[str, ...] = field(default=(), metadata=checked_by(_fetchers))  # empty: every fetcher
    api_rate: float = field(default=DEFAULT_API_RATE, metadata=checked_by(_rate))
    # The first run's look-back (1 to 90 days).
    cloudtrail_lookback_days: int = field(default=DEFAULT_LOOKBACK_DAYS, metadata=checked_by(_lookback))
    # Where CloudTrail management events are read (default auto).
    cloudtrail_source: Source = field(default=Source.AUTO, metadata=checked_by(_source))
    # Organization mode: the member account whose role reads the organization trail's bucket (the
    # log-archive account); None: the management account's role (--role-arn).
    log_archive_account_id: str | None = field(
        default=None, metadata=checked_by(_optional(formats.account_id))
    )
    # None: each instance's home region, found by one call.
    identity_center_region: str | None = field(default=None, metadata=checked_by(_optional(formats.region)))
    # More accounts, each through its own role (the legacy method's listed accounts), collected like role_arn.
    more_role_arns: tuple[str, ...] = field(default=(), metadata=checked_by(_each(formats.role_arn)))

    def __post_init__(self) -> None:
        _check_rules(self.values(), FIELD_NAMES)

    @classmethod
    def parse(cls, raw: Mapping[str, object], spelling: Spelling) -> Self:
        """The settings from a route's raw values (absent: the default); InvalidSettingError names the
        setting as ``spelling`` does, the value and what it expects."""
        values: dict[str, Any] = {}
        for each in dataclasses.fields(cls):
            if each.name in raw:
                given = raw[each.name]
            elif each.default is dataclasses.MISSING and each.default_factory is dataclasses.MISSING:
                given = None  # a required field that is absent: its check says what it expects
            else:
                continue
            try:
                values[each.name] = each.metadata["check"](given, spelling(each.name))
            except InvalidSettingError as error:
                if spelling.hide_secrets and each.metadata.get("secret"):
                    raise InvalidSettingError(error.setting, "(hidden)", error.expected) from None
                raise
        _check_rules({**_defaults(cls), **values}, spelling)
        return cls(**values)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def values(self) -> dict[str, Any]:
        """Every field's typed value (shallow: unlike ``dataclasses.asdict``, nothing is copied)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def to_json(self) -> dict[str, Any]:
        """Every field but the secrets, as JSON values (what ``parse`` reads back)."""
        return {
            f.name: _json_value(f.name, getattr(self, f.name))
            for f in dataclasses.fields(self)
            if not f.metadata["secret"] and f.metadata["in_json"]
        }

    @property
    def options(self) -> FetchOptions:
        return FetchOptions(
            cloudtrail_lookback_days=self.cloudtrail_lookback_days,
            identity_center_region=self.identity_center_region,
            cloudtrail_source=self.cloudtrail_source,
        )


@dataclass(frozen=True, kw_only=True)
class RunSettings(CollectionSettings):
    """What the runner takes: what to collect, the customer's ExternalId, and this machine's workers and
    AWS profile."""

    external_id: str = field(metadata=checked_by(formats.external_id, secret=True))
    workers: int = field(default=DEFAULT_WORKERS, metadata=checked_by(_workers))  # per process
    # Worker processes (collector.shards); 1: everything in this process. The CLI's default is one a core;
    # this machine's, so not in the run's JSON form.
    processes: int = field(default=1, metadata=checked_by(_processes, in_json=False))
    # How long stored CloudTrail events are kept (like the event history's 90 days): older ones are deleted
    # at the end of a complete run (collector.store).
    cloudtrail_retention_days: int = field(default=RETENTION_DAYS, metadata=checked_by(_retention))
    # The base credentials' profile: this machine's, so not in the run's JSON form.
    profile: str | None = field(default=None, metadata=checked_by(_optional(_text), in_json=False))
    # Daily runs: skip a region's EC2 listings when CloudTrail, read first in the same run, saw no EC2 write
    # there since the last complete read; a full read at least every ``ec2_full_refresh_days``. The CLI's
    # only: the pipeline always reads fully.
    skip_unchanged_ec2: bool = field(default=False, metadata=checked_by(_flag))
    ec2_full_refresh_days: int = field(default=DEFAULT_FULL_REFRESH_DAYS, metadata=checked_by(_full_refresh))

    @property
    def options(self) -> FetchOptions:
        return dataclasses.replace(
            super().options,
            skip_unchanged_ec2=self.skip_unchanged_ec2,
            ec2_full_refresh_days=self.ec2_full_refresh_days,
        )


def _defaults(cls: type[CollectionSettings]) -> dict[str, Any]:
    return {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}


def _check_rules(values: Mapping[str, Any], spelling: Spelling) -> None:
    """The rules between fields, each once."""
    organization = values.get("organization", False)
    with_organization = f"to be used with {spelling.organization_on}"
    member_role = values.get("member_role_name")
    if member_role is not None and not organization:
        raise InvalidSettingError(spelling("member_role_name"), member_role, with_organization)
    include, exclude = values.get("include_ous", ()), values.get("exclude_ous", ())
    if (include or exclude) and not organization:
        name = f"{spelling('include_ous')}/{spelling('exclude_ous')}"
        raise InvalidSettingError(name, include or exclude, with_organization)
    log_archive = values.get("log_archive_account_id")
    if log_archive is not None and not organization:
        raise InvalidSettingError(spelling("log_archive_account_id"), log_archive, with_organization)
    if log_archive is not None and values.get("cloudtrail_source") == Source.LOOKUP:
        name = spelling("log_archive_account_id")
        raise InvalidSettingError(name, log_archive, f"none with {spelling('cloudtrail_source')} lookup")
    more = values.get("more_role_arns", ())
    if more and organization:
        none_with = f"none with {spelling.organization_on}"
        raise InvalidSettingError(spelling("more_role_arns"), list(more), none_with)
    regions, role_arn = values.get("regions"), values.get("role_arn")
    if regions and isinstance(role_arn, str):
        partition = role_arn.split(":")[1]
        known = partitions.regions_of(partition)
        for region in regions:
            if known and region not in known:
                expected = f"a region of the role's partition {partition}: {', '.join(sorted(known))}"
                raise InvalidSettingError(spelling("regions"), region, expected)
    chosen = values.get("fetchers", ())
    if values.get("skip_unchanged_ec2") and chosen and not {"cloudtrail", "ec2"} <= set(chosen):
        expected = (
            f"both cloudtrail and ec2 with {spelling('skip_unchanged_ec2')} (CloudTrail, read first, tells "
            "whether EC2 changed)"
        )
        raise InvalidSettingError(spelling("fetchers"), list(chosen), expected)
    if "external_id" in values:  # the per-account mode appends "-" and the account ID
        try:
            external_id.check_base(values["external_id"], values["external_id_mode"], spelling("external_id"))
        except InvalidSettingError as error:
            if spelling.hide_secrets:
                raise InvalidSettingError(error.setting, "(hidden)", error.expected) from None
            raise


def _json_value(name: str, value: object) -> object:
    if name == "regions" and value is None:
        return ALL_REGIONS
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _option(each: dataclasses.Field[Any]) -> str:
    return each.metadata.get("option") or "--" + each.name.replace("_", "-")


# The routes' spellings: the command line's options, the pipeline's JSON fields, and the fields' own names
# (direct construction).
OPTIONS = Spelling({f.name: _option(f) for f in dataclasses.fields(RunSettings)}, "--organization")
FIELD_NAMES = Spelling({}, "organization")
INPUT_FIELDS = Spelling({"external_id": "ExternalId"}, '"organization": true', hide_secrets=True)
