"""Plain CloudFormation templates for manual review and apply: ``make templates``.

``python -m cdk_app.templates --out templates --trusted-principal ARN`` writes one JSON file per variant.
They need no CDK bootstrap (no BootstrapVersion parameter or rule, no assets), carry no CDK metadata (no
``aws:cdk:path``, no CDKMetadata resource) and take the external ID as the required ``ExternalId``
parameter, so one reviewed template serves every customer (see README, "Single account"). The legacy
method's ``legacy-user.json`` and ``legacy-role.json`` come with them (README, "Legacy method (IAM user)").
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import BootstraplessSynthesizer

from cdk_app import legacy_stacks, stacks
from cdk_app.config import AccountSettings
from collector import validation
from collector.validation import InvalidSettingError
from constructs_lib.legacy import AccessKeys
from constructs_lib.plain_template import plain_template


@dataclass(frozen=True)
class Variant:
    file_name: str
    summary: str
    include_identity_center: bool = False


VARIANTS: tuple[Variant, ...] = (
    Variant("account-role.json", "one account: IAM, EC2 and network, CloudTrail events"),
    Variant(
        "account-role-identity-center.json",
        "the account that manages IAM Identity Center (standalone, or delegated administrator): adds it",
        include_identity_center=True,
    ),
)


def variant_template(variant: Variant, trusted_principal: str) -> dict[str, Any]:
    settings = AccountSettings(
        trusted_principal=trusted_principal,
        external_id=None,  # the template's ExternalId parameter
        include_identity_center=variant.include_identity_center,
    )
    return plain_template(
        lambda app: stacks.account_stack(app, settings, synthesizer=BootstraplessSynthesizer())
    )


def write_templates(
    out: Path, trusted_principal: str, legacy_keys: AccessKeys | None = None
) -> list[tuple[Path, str]]:
    """Write every template; returns (path, summary) of each. ``legacy_keys``: see legacy-user.json."""
    validation.trusted_principal(trusted_principal, "--trusted-principal")  # fail before any synth
    out.mkdir(parents=True, exist_ok=True)
    files = [(v.file_name, v.summary, variant_template(v, trusted_principal)) for v in VARIANTS]
    files += [(name, summary, t) for name, (summary, t) in legacy_stacks.plain_templates(legacy_keys).items()]
    written = []
    for file_name, summary, template in files:
        path = out / file_name
        path.write_text(json.dumps(template, indent=2) + "\n")
        written.append((path, summary))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write plain CloudFormation templates for review.")
    parser.add_argument("--out", type=Path, default=Path("templates"), help="directory (default: templates)")
    parser.add_argument(
        "--trusted-principal",
        required=True,
        help="the vendor's role ARN (or user ARN, or account ID) that the role trusts",
    )
    parser.add_argument(
        "--key-serial", type=int, default=1, help="legacy-user.json: the access key's serial (default 1)"
    )
    parser.add_argument(
        "--previous-key-serial",
        type=int,
        help="legacy-user.json: keep this older key too (rotation step 1; see README, Legacy method)",
    )
    args = parser.parse_args(argv)
    try:
        keys = (
            AccessKeys.one(args.key_serial, "--key-serial")
            if args.previous_key_serial is None
            else AccessKeys.rotating(
                previous=args.previous_key_serial,
                current=args.key_serial,
                previous_setting="--previous-key-serial",
                current_setting="--key-serial",
            )
        )
        written = write_templates(args.out, args.trusted_principal, keys)
    except InvalidSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path, summary in written:
        print(f"wrote {path}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
