"""CDK context of ``-c integration=collector-pipeline`` -> validated, frozen settings (the vendor's pipeline).

Pure: no CDK import. Every error names the context key, the value and what is expected.

```sh
npx cdk deploy -c integration=collector-pipeline -c customerRoleNames=ReadOnlyIntegrationRole \\
    [-c maxConcurrency=40] [-c reservedConcurrency=40] [-c toleratedFailurePercentage=5] \\
    [-c retentionDays=90] [-c externalIdParameterPrefix=/readonly-collector/customers/]
```
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk_app.config import INTEGRATION
from cdk_app.context_keys import Context, reading
from collector import formats
from collector.formats import InvalidSettingError
from collector.pipeline import layout

PIPELINE = "collector-pipeline"
CUSTOMER_ROLE_NAMES = "customerRoleNames"
CUSTOMER_ROLE_NAME_PREFIX = "customerRoleNamePrefix"
CUSTOMER_ROLE_PATH = "customerRolePath"
MAX_CONCURRENCY = "maxConcurrency"
RESERVED_CONCURRENCY = "reservedConcurrency"
TOLERATED_FAILURE_PERCENTAGE = "toleratedFailurePercentage"
RETENTION_DAYS = "retentionDays"
EXTERNAL_ID_PARAMETER_PREFIX = "externalIdParameterPrefix"
DATABASE_NAME = "databaseName"
ROLE_CHOICES = (CUSTOMER_ROLE_NAMES, CUSTOMER_ROLE_NAME_PREFIX, CUSTOMER_ROLE_PATH)
# Every key it reads; any other key is refused (cdk_app.context_keys).
PIPELINE_KEYS = frozenset(
    {
        INTEGRATION,
        *ROLE_CHOICES,
        MAX_CONCURRENCY,
        RESERVED_CONCURRENCY,
        TOLERATED_FAILURE_PERCENTAGE,
        RETENTION_DAYS,
        EXTERNAL_ID_PARAMETER_PREFIX,
        DATABASE_NAME,
    }
)
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True)
class PipelineSettings:
    role_names: tuple[str, ...] = ()  # exactly one of the three role choices is set
    role_name_prefix: str | None = None
    role_path: str | None = None
    max_concurrency: int | None = None  # None: the construct's defaults
    reserved_concurrency: int | None = None
    tolerated_failure_percentage: float | None = None
    retention_days: int | None = None
    external_id_parameter_prefix: str = layout.DEFAULT_PARAMETER_PREFIX
    database_name: str | None = None


def _number(context: Context, key: str, low: float, high: float, whole: bool = True) -> float | None:
    value = context(key)
    if value is None:
        return None
    expected = f"a {'whole ' if whole else ''}number from {low:g} to {high:g}"
    try:
        number = (
            float(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
        )
    except ValueError:
        number = None
    if number is None or not low <= number <= high or (whole and not number.is_integer()):
        raise InvalidSettingError(key, value, expected)
    return number


def _int(context: Context, key: str, low: int, high: int) -> int | None:
    found = _number(context, key, low, high)
    return None if found is None else int(found)


def pipeline_settings(context: Context) -> PipelineSettings:
    context = reading(PIPELINE_KEYS, context)
    chosen = [key for key in ROLE_CHOICES if context(key) is not None]
    if len(chosen) != 1:
        raise InvalidSettingError(
            "/".join(ROLE_CHOICES),
            {key: context(key) for key in chosen},
            f"exactly one of them: which customer roles the collector may assume, e.g. "
            f"-c {CUSTOMER_ROLE_NAMES}=ReadOnlyIntegrationRole",
        )
    names: tuple[str, ...] = ()
    raw_names = context(CUSTOMER_ROLE_NAMES)
    if raw_names is not None:
        items = raw_names.split(",") if isinstance(raw_names, str) else raw_names
        if not isinstance(items, list | tuple) or not items:
            raise InvalidSettingError(CUSTOMER_ROLE_NAMES, raw_names, "a comma-separated list of role names")
        names = tuple(formats.role_name(str(i).strip(), CUSTOMER_ROLE_NAMES) for i in items)
    prefix = context(CUSTOMER_ROLE_NAME_PREFIX)
    path = context(CUSTOMER_ROLE_PATH)
    parameter_prefix = context(EXTERNAL_ID_PARAMETER_PREFIX)
    database = context(DATABASE_NAME)
    percentage = _number(context, TOLERATED_FAILURE_PERCENTAGE, 0, 100, whole=False)
    return PipelineSettings(
        role_names=names,
        role_name_prefix=None if prefix is None else formats.role_name(prefix, CUSTOMER_ROLE_NAME_PREFIX),
        role_path=None if path is None else formats.iam_path(path, CUSTOMER_ROLE_PATH),
        max_concurrency=_int(context, MAX_CONCURRENCY, 1, 10_000),
        reserved_concurrency=_int(context, RESERVED_CONCURRENCY, 1, 100_000),
        tolerated_failure_percentage=percentage,
        retention_days=_int(context, RETENTION_DAYS, 1, MAX_RETENTION_DAYS),
        external_id_parameter_prefix=(
            layout.DEFAULT_PARAMETER_PREFIX
            if parameter_prefix is None
            else formats.ssm_path(parameter_prefix, EXTERNAL_ID_PARAMETER_PREFIX)
        ),
        database_name=None if database is None else formats.glue_name(database, DATABASE_NAME),
    )
