"""Synth figures for the organization rollout: ``python -m benchmarks.synth_organization``.

Prints wall times of in-process synths of the organization stack (each one also synthesizes the member
template in its own App), the outer template's size, and the member TemplateBody per variant against
CloudFormation's 51,200-byte limit. Figures only, no assertions.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from typing import Any

VENDOR = "arn:aws:iam::111122223333:role/Vendor"
LATER_SYNTHS = 5


def main() -> None:
    start = time.perf_counter()
    from aws_cdk import App  # noqa: PLC0415 - the import itself is measured

    from cdk_app import stacks  # noqa: PLC0415
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
    durations = []
    template: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as outdir:
        for _ in range(1 + LATER_SYNTHS):
            start = time.perf_counter()
            app = App(outdir=outdir)
            stack = stacks.organization_stack(app, settings)
            template = app.synth().get_stack_by_name(stack.stack_name).template
            durations.append(time.perf_counter() - start)
    print(f"first in-process synth (jsii warm-up): {durations[0]:.2f} s")
    print(f"later in-process synths: median {statistics.median(durations[1:]):.3f} s over {LATER_SYNTHS}")
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
