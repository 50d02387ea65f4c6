"""The execution input of the pipeline's state machine: what to collect for one customer, validated.

```json
{"customer": "acme", "role_arn": "arn:aws:iam::111122223333:role/ReadOnlyIntegrationRole",
 "organization": true, "member_role_name": "ReadOnlyIntegrationRole", "external_id_mode": "shared",
 "regions": "all", "include_ous": [], "exclude_ous": [], "more_role_arns": [], "fetchers": [],
 "api_rate": 10, "cloudtrail_lookback_days": 7, "identity_center_region": null}
```

Only ``customer`` and ``role_arn`` are required; the others mean what the CLI's options of the same name
mean, with the same defaults and the same rules (collector.validation). There is no ExternalId here: the
Lambdas read it from the customer's SSM SecureString parameter (``layout.external_id_parameter``), so it
is never in an execution's input or history, nor in a work item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collector import external_id, registry, validation
from collector.aws import DEFAULT_API_RATE
from collector.customers import customer_name
from collector.external_id import ExternalIdMode
from collector.runner import ALL_REGIONS, RunSettings
from collector.services.cloudtrail import fetch as cloudtrail
from collector.validation import InvalidSettingError

# Region discovery in the discovery Lambda: one AssumeRole and one DescribeRegions per account, in parallel.
DISCOVERY_WORKERS = 32
KNOWN_FIELDS = frozenset(
    {
        "customer",
        "role_arn",
        "organization",
        "member_role_name",
        "external_id_mode",
        "more_role_arns",
        "identity_center_region",
        "regions",
        "include_ous",
        "exclude_ous",
        "fetchers",
        "api_rate",
        "cloudtrail_lookback_days",
    }
)


@dataclass(frozen=True)
class CollectionRequest:
    customer: str
    role_arn: str
    organization: bool = False
    member_role_name: str | None = None
    external_id_mode: ExternalIdMode = ExternalIdMode.SHARED
    more_role_arns: tuple[str, ...] = ()  # more accounts, each through its own role (the legacy method)
    regions: tuple[str, ...] | None = None  # None: every enabled region
    include_ous: tuple[str, ...] = ()
    exclude_ous: tuple[str, ...] = ()
    fetchers: tuple[str, ...] = ()
    api_rate: float = DEFAULT_API_RATE
    cloudtrail_lookback_days: int = cloudtrail.DEFAULT_LOOKBACK_DAYS
    identity_center_region: str | None = None

    def run_settings(self, customer_external_id: str) -> RunSettings:
        """The CLI's settings for this request, with the ExternalId read from the customer's parameter."""
        return RunSettings(
            role_arn=self.role_arn,
            external_id=_hidden(customer_external_id, self.external_id_mode),
            external_id_mode=self.external_id_mode,
            organization=self.organization,
            member_role_name=self.member_role_name,
            more_role_arns=self.more_role_arns,
            regions=self.regions,
            include_ous=self.include_ous,
            exclude_ous=self.exclude_ous,
            fetchers=self.fetchers,
            workers=DISCOVERY_WORKERS,
            api_rate=self.api_rate,
            cloudtrail_lookback_days=self.cloudtrail_lookback_days,
            identity_center_region=self.identity_center_region,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "role_arn": self.role_arn,
            "organization": self.organization,
            "member_role_name": self.member_role_name,
            "external_id_mode": self.external_id_mode.value,
            "more_role_arns": list(self.more_role_arns),
            "regions": ALL_REGIONS if self.regions is None else list(self.regions),
            "include_ous": list(self.include_ous),
            "exclude_ous": list(self.exclude_ous),
            "fetchers": list(self.fetchers),
            "api_rate": self.api_rate,
            "cloudtrail_lookback_days": self.cloudtrail_lookback_days,
            "identity_center_region": self.identity_center_region,
        }


def _hidden(value: str, mode: ExternalIdMode) -> str:
    """The customer's ExternalId checked for the mode; an error never shows it (it would reach the
    execution's history)."""
    try:
        return external_id.check_base(value, mode, "ExternalId")
    except InvalidSettingError as error:
        raise InvalidSettingError(error.setting, "(hidden)", error.expected) from None


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidSettingError(key, value, "a list of strings")
    return tuple(value)


def parse(data: object) -> CollectionRequest:
    """The validated request; InvalidSettingError names the input field, the value and what it expects."""
    if not isinstance(data, Mapping):
        raise InvalidSettingError("input", data, 'a JSON object such as {"customer": ..., "role_arn": ...}')
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise InvalidSettingError("input", unknown, f"only these fields: {', '.join(sorted(KNOWN_FIELDS))}")
    customer = customer_name(data.get("customer"), "customer")
    role_arn = validation.role_arn(data.get("role_arn"), "role_arn")
    organization = data.get("organization", False)
    if not isinstance(organization, bool):
        raise InvalidSettingError("organization", organization, "true or false")
    member_role = data.get("member_role_name")
    if member_role is not None:
        if not organization:
            raise InvalidSettingError("member_role_name", member_role, 'to be used with "organization": true')
        validation.role_name(member_role, "member_role_name")
    id_mode = external_id.mode(data.get("external_id_mode", ExternalIdMode.SHARED.value), "external_id_mode")
    more = tuple(validation.role_arn(a, "more_role_arns") for a in _strings(data, "more_role_arns"))
    if more and organization:
        raise InvalidSettingError("more_role_arns", list(more), 'none with "organization": true')
    center_region = data.get("identity_center_region")
    if center_region is not None:
        validation.region(center_region, "identity_center_region")
    include = tuple(validation.root_or_ou_id(v, "include_ous") for v in _strings(data, "include_ous"))
    exclude = tuple(validation.root_or_ou_id(v, "exclude_ous") for v in _strings(data, "exclude_ous"))
    if (include or exclude) and not organization:
        raise InvalidSettingError("include_ous/exclude_ous", include or exclude, 'with "organization": true')
    raw_regions = data.get("regions", ALL_REGIONS)
    if raw_regions == ALL_REGIONS:
        regions = None
    elif isinstance(raw_regions, list):
        regions = validation.regions(raw_regions, "regions")
    else:
        raise InvalidSettingError("regions", raw_regions, f'"{ALL_REGIONS}" or a list of region codes')
    fetchers = _strings(data, "fetchers")
    registry.select(fetchers, "fetchers")
    api_rate = data.get("api_rate", DEFAULT_API_RATE)
    if isinstance(api_rate, bool) or not isinstance(api_rate, int | float) or not api_rate > 0:
        raise InvalidSettingError("api_rate", api_rate, "a positive number of requests per second")
    lookback = validation.days(
        data.get("cloudtrail_lookback_days", cloudtrail.DEFAULT_LOOKBACK_DAYS),
        "cloudtrail_lookback_days",
        cloudtrail.MAX_LOOKBACK_DAYS,
    )
    return CollectionRequest(
        customer=customer,
        role_arn=role_arn,
        organization=organization,
        member_role_name=member_role,
        external_id_mode=id_mode,
        more_role_arns=more,
        regions=regions,
        include_ous=include,
        exclude_ous=exclude,
        fetchers=fetchers,
        api_rate=float(api_rate),
        cloudtrail_lookback_days=lookback,
        identity_center_region=center_region,
    )
