"""The execution input of the pipeline's state machine: what to collect for one customer, validated.

```json
{"customer": "acme", "role_arn": "arn:aws:iam::111122223333:role/ReadOnlyIntegrationRole",
 "organization": true, "member_role_name": "ReadOnlyIntegrationRole", "external_id_mode": "shared",
 "regions": "all", "include_ous": [], "exclude_ous": [], "more_role_arns": [], "fetchers": [],
 "api_rate": 10, "cloudtrail_lookback_days": 7, "cloudtrail_source": "auto", "log_archive_account_id": null,
 "identity_center_region": null}
```

Only ``customer`` and ``role_arn`` are required; the others mean what the CLI's options of the same name
mean, with the same defaults and the same rules (collector.settings). There is no ExternalId here: the
Lambdas read it from the customer's SSM SecureString parameter (``layout.external_id_parameter``), so it
is never in an execution's input or history, nor in a work item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from collector.customers.record import customer_name
from collector.formats import InvalidSettingError
from collector.settings import INPUT_FIELDS, CollectionSettings, RunSettings, checked_by

# Region discovery in the discovery Lambda: one AssumeRole and one DescribeRegions per account, in parallel.
DISCOVERY_WORKERS = 32


@dataclass(frozen=True, kw_only=True)
class CollectionRequest(CollectionSettings):
    """One customer's collection: its name (which names its ExternalId parameter) and what to collect."""

    customer: str = field(metadata=checked_by(customer_name))

    def run_settings(self, customer_external_id: str) -> RunSettings:
        """The CLI's settings for this request, with the ExternalId read from the customer's parameter."""
        given = {k: v for k, v in self.to_json().items() if k != "customer"}
        raw = {**given, "external_id": customer_external_id, "workers": DISCOVERY_WORKERS}
        return RunSettings.parse(raw, INPUT_FIELDS)


KNOWN_FIELDS = frozenset(CollectionRequest.field_names())


def parse(data: object) -> CollectionRequest:
    """The validated request; InvalidSettingError names the input field, the value and what it expects."""
    if not isinstance(data, Mapping):
        raise InvalidSettingError("input", data, 'a JSON object such as {"customer": ..., "role_arn": ...}')
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise InvalidSettingError("input", unknown, f"only these fields: {', '.join(sorted(KNOWN_FIELDS))}")
    return CollectionRequest.parse(data, INPUT_FIELDS)
