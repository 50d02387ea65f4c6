"""``customers publish-external-id``: a customer's ExternalId into the SSM SecureString the pipeline reads.

The parameter lives in the vendor's own account (the pipeline's), written with the vendor's base
credentials: ``ssm:PutParameter`` is the vendor's permission, never the customer role's (it is not in the
catalog, collector/permissions.py). The value goes from the registry to SSM without passing through a shell,
its history or any output.
"""

from __future__ import annotations

from typing import Any

from collector.customers.record import Customer


def publish_external_id(ssm: Any, customer: Customer, name: str, kms_key_id: str | None = None) -> int:
    """Write (or overwrite, after a rotation) the SecureString ``name``; returns its new version."""
    params: dict[str, Any] = {
        "Name": name,
        "Value": customer.external_id,
        "Type": "SecureString",
        "Overwrite": True,
        "Description": f"sts:ExternalId of customer {customer.name} (aws-readonly-collector)",
    }
    if kms_key_id is not None:
        params["KeyId"] = kms_key_id
    return int(ssm.put_parameter(**params)["Version"])
