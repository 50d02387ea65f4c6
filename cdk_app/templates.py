"""Plain CloudFormation templates for manual review and apply: ``make templates``.

``python -m cdk_app.templates --out templates --trusted-principal ARN`` writes one JSON file per variant.
They need no CDK bootstrap (no BootstrapVersion parameter or rule, no assets), carry no CDK metadata (no
``aws:cdk:path``, no CDKMetadata resource) and take the external ID as the required ``ExternalId``
parameter, so one reviewed template serves every customer (see README, "Single account").
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import BootstraplessSynthesizer

from cdk_app import stacks
from cdk_app.config import AccountSettings
from collector import validation
from collector.validation import InvalidSettingError
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


def write_templates(out: Path, trusted_principal: str) -> list[Path]:
    validation.trusted_principal(trusted_principal, "--trusted-principal")  # fail before any synth
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for variant in VARIANTS:
        path = out / variant.file_name
        path.write_text(json.dumps(variant_template(variant, trusted_principal), indent=2) + "\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write plain CloudFormation templates for review.")
    parser.add_argument("--out", type=Path, default=Path("templates"), help="directory (default: templates)")
    parser.add_argument(
        "--trusted-principal",
        required=True,
        help="the vendor's role ARN (or user ARN, or account ID) that the role trusts",
    )
    args = parser.parse_args(argv)
    try:
        paths = write_templates(args.out, args.trusted_principal)
    except InvalidSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for variant, path in zip(VARIANTS, paths, strict=True):
        print(f"wrote {path}: {variant.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
