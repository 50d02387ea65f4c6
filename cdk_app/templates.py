"""Plain CloudFormation templates for manual review and apply: ``make templates``.

``python -m cdk_app.templates --out templates --trusted-principal ARN`` writes one JSON file per variant.
They need no CDK bootstrap (no BootstrapVersion parameter or rule, no assets), carry no CDK metadata (no
``aws:cdk:path``, no CDKMetadata resource) and take the external ID as the required ``ExternalId``
parameter, so one reviewed template serves every customer (see README, "Single account").

The organization rollout is two files: the outer stack (``organization.json``: the management account's
role and the StackSet, with ``ExternalId`` and ``OrganizationalUnitIds`` parameters) and the member
template it embeds (``organization-member-role.json``), written on its own because reviewers and cfn-lint
do not read inside a StackSet's TemplateBody (see README, "Organization").
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
from constructs_lib import TrustedPrincipal
from constructs_lib.organization import OrganizationIntegrationStack
from constructs_lib.plain_template import plain_template
from constructs_lib.stack_set import CallAs, Targets


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


ORGANIZATION_FILE = "organization.json"
ORGANIZATION_MEMBER_FILE = "organization-member-role.json"
ORGANIZATION_SUMMARIES = {
    ORGANIZATION_FILE: "an organization, from its management account: the management role and the StackSet",
    ORGANIZATION_MEMBER_FILE: "the member template that organization.json's StackSet embeds, for review",
}


def organization_templates(trusted_principal: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The outer template (ExternalId and OrganizationalUnitIds parameters) and its member template."""
    built: list[OrganizationIntegrationStack] = []

    def build(app: Any) -> OrganizationIntegrationStack:
        stack = OrganizationIntegrationStack(
            app,
            stacks.ORGANIZATION_STACK_ID,
            integration_props={
                "trusted_principal": TrustedPrincipal.from_string(trusted_principal, "--trusted-principal"),
                "targets": Targets.organizational_units_parameter(),
                "call_as": CallAs.SELF,
            },
            description=stacks.ORGANIZATION_DESCRIPTION,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
        )
        built.append(stack)
        return stack

    outer = plain_template(build)
    return outer, dict(built[0].integration.member_template)


def _write(path: Path, template: dict[str, Any]) -> Path:
    path.write_text(json.dumps(template, indent=2) + "\n")
    return path


def write_templates(out: Path, trusted_principal: str) -> list[Path]:
    validation.trusted_principal(trusted_principal, "--trusted-principal")  # fail before any synth
    out.mkdir(parents=True, exist_ok=True)
    written = [
        _write(out / variant.file_name, variant_template(variant, trusted_principal)) for variant in VARIANTS
    ]
    outer, member = organization_templates(trusted_principal)
    written.append(_write(out / ORGANIZATION_FILE, outer))
    written.append(_write(out / ORGANIZATION_MEMBER_FILE, member))
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
    summaries = [v.summary for v in VARIANTS] + list(ORGANIZATION_SUMMARIES.values())
    for summary, path in zip(summaries, paths, strict=True):
        print(f"wrote {path}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
