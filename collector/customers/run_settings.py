"""A recorded customer -> the settings of a run (``collect --customer``, ``doctor --customer``)."""

from __future__ import annotations

from collections.abc import Mapping

from collector.customers.record import Customer, Method
from collector.formats import InvalidSettingError
from collector.settings import OPTIONS, RunSettings, Spelling


def run_settings(
    customer: Customer, options: Mapping[str, object], spelling: Spelling = OPTIONS
) -> RunSettings:
    """The customer's roles, ExternalId and profile, with the run ``options`` (regions, fetchers...; raw,
    checked with every other setting). A profile or Identity Center region given there wins over the
    recorded one; the ExternalId and its mode are always the record's."""
    arns = customer.role_arns()
    if not arns:
        raise InvalidSettingError(
            "--customer",
            customer.name,
            f"a customer with a known role: record it with `customers update {customer.name} "
            "--account-id ID` (or --role-arn ARN, the RoleArn output of the customer's stack)",
        )
    organization = customer.method is Method.ORGANIZATION
    raw = {
        **options,
        "role_arn": arns[0],
        "more_role_arns": list(arns[1:]),
        "external_id": customer.external_id,
        "external_id_mode": customer.external_id_mode.value,
        "organization": organization,
        "member_role_name": customer.role_name if organization else None,
        "profile": options.get("profile") or customer.profile,
        "identity_center_region": options.get("identity_center_region") or customer.identity_center_region,
    }
    if options.get("log_archive_account_id") is None and customer.log_archive_account_id is not None:
        raw["log_archive_account_id"] = customer.log_archive_account_id
    return RunSettings.parse(raw, spelling)
