"""Synth figures for the organization rollout: ``python -m benchmarks.synth_organization``.

Prints wall times of in-process synths of the organization stack (each one also synthesizes the member
template in its own App), the outer template's size, and the member TemplateBody per variant against
CloudFormation's 51,200-byte limit. Figures only, no assertions.
"""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks.synth import time_synths

VENDOR = "arn:aws:iam::111122223333:role/Vendor"
LATER_SYNTHS = 5


def main() -> None:
    start = time.perf_counter()

    from cdk_app import build  # noqa: PLC0415
    from cdk_app.config import OrganizationSettings  # noqa: PLC0415
    from collector.external_id import ExternalIdMode  # noqa: PLC0415
    from collector.permissions import Feature  # noqa: PLC0415
    from constructs_lib import TrustedPrincipal  # noqa: PLC0415
    from constructs_lib.organization import member_template  # noqa: PLC0415
    from constructs_lib.stack_set import TEMPLATE_BODY_LIMIT, template_body  # noqa: PLC0415

    print(f"import aws_cdk + constructs_lib: {time.perf_counter() - start:.2f} s")
    settings = OrganizationSettings(
        trusted_principal=VENDOR,
        external_id=None,
        organizational_unit_ids=("r-ab12",),
        call_as="SELF",
        identity_center_region="us-east-1",
        identity_center_account_id="555566667777",
    )
    template = time_synths(lambda app: build.organization_stack(app, settings), LATER_SYNTHS)
    print(f"outer template: {len(json.dumps(template)):,} bytes")

    principal = TrustedPrincipal.role_arn(VENDOR)
    variants: dict[str, dict[str, Any]] = {
        "default (shared ExternalId, conditional Identity Center)": {},
        "per-account ExternalId": {"external_id_mode": ExternalIdMode.PER_ACCOUNT},
        "every member feature + SecurityAudit": {
            "features": frozenset(Feature) - {Feature.ORGANIZATIONS},
            "security_audit": True,
        },
    }
    for name, props in variants.items():
        size = len(template_body(member_template(trusted_principal=principal, **props)).encode())
        print(f"member TemplateBody, {name}: {size:,} of {TEMPLATE_BODY_LIMIT:,} bytes")


if __name__ == "__main__":
    main()
