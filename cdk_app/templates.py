"""Plain CloudFormation templates for manual review and apply: ``make templates``.

``python -m cdk_app.templates --out templates --trusted-principal ARN`` writes one JSON file per variant.
They need no CDK bootstrap (no BootstrapVersion parameter or rule, no assets), carry no CDK metadata (no
``aws:cdk:path``, no CDKMetadata resource) and take the external ID as the required ``ExternalId``
parameter, so one reviewed template serves every customer (see docs/deploy-account.md).

The organization rollout is two files: the outer stack (``organization.json``: the management account's
role and the StackSet, with ``ExternalId`` and ``OrganizationalUnitIds`` parameters) and the member
template it embeds (``organization-member-role.json``), written on its own because reviewers and cfn-lint
do not read inside a StackSet's TemplateBody (see docs/deploy-organization.md). The legacy method's
``legacy-user.json`` and ``legacy-role.json`` come with them (docs/deploy-legacy.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import BootstraplessSynthesizer

from cdk_app import build, legacy_build
from cdk_app.config import AccountSettings
from collector import formats
from collector.formats import InvalidSettingError
from constructs_lib import TrustedPrincipal
from constructs_lib.legacy import AccessKeys
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
        lambda app: build.account_stack(app, settings, synthesizer=BootstraplessSynthesizer())
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

    def organization_stack(app: Any) -> OrganizationIntegrationStack:
        stack = OrganizationIntegrationStack(
            app,
            build.ORGANIZATION_STACK_ID,
            integration_props={
                "trusted_principal": TrustedPrincipal.from_string(trusted_principal, "--trusted-principal"),
                "targets": Targets.organizational_units_parameter(),
                "call_as": CallAs.SELF,
            },
            description=build.ORGANIZATION_DESCRIPTION,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
        )
        built.append(stack)
        return stack

    outer = plain_template(organization_stack)
    return outer, dict(built[0].integration.member_template)


def _write(path: Path, template: dict[str, Any]) -> Path:
    path.write_text(json.dumps(template, indent=2) + "\n")
    return path


def write_templates(
    out: Path, trusted_principal: str, legacy_keys: AccessKeys | None = None
) -> list[tuple[Path, str]]:
    """Write every template; returns (path, summary) of each. ``legacy_keys``: see legacy-user.json."""
    formats.trusted_principal(trusted_principal, "--trusted-principal")  # fail before any synth
    out.mkdir(parents=True, exist_ok=True)
    files = [(v.file_name, v.summary, variant_template(v, trusted_principal)) for v in VARIANTS]
    outer, member = organization_templates(trusted_principal)
    files += [
        (ORGANIZATION_FILE, ORGANIZATION_SUMMARIES[ORGANIZATION_FILE], outer),
        (ORGANIZATION_MEMBER_FILE, ORGANIZATION_SUMMARIES[ORGANIZATION_MEMBER_FILE], member),
    ]
    files += [(name, summary, t) for name, (summary, t) in legacy_build.plain_templates(legacy_keys).items()]
    return [(_write(out / file_name, template), summary) for file_name, summary, template in files]


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
        help="legacy-user.json: keep this older key too (rotation step 1; see docs/deploy-legacy.md)",
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
