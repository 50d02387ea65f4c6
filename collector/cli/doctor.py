"""``doctor --customer NAME`` (or ``--role-arn ARN --external-id ID``): verify a deployment, read-only.

Exit codes: 0 all good (notes allowed), 1 problems found (a problem or a critical finding), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from collector import formats
from collector.cli.options import (
    DEFAULT_DB,
    add_db,
    nothing_with_customer,
    role_and_external_id,
    settings_options,
)
from collector.customers.record import EXTERNAL_ID_ENV, Customer, Method, customer_name
from collector.customers.run_settings import run_settings
from collector.customers.store import CustomerStore
from collector.discovery import account_of, role_name_of
from collector.doctor.checks import Doctor, DoctorSettings, OrganizationScope, Target, TrailLogsCheck
from collector.permissions import DEFAULT_FEATURES, Feature
from collector.runner import new_run_id
from collector.settings import OPTIONS, RunSettings


def add_parser(commands: Any) -> None:
    doctor = commands.add_parser(
        "doctor", help="verify a customer's deployment before the first collection (read-only)"
    )
    doctor.add_argument("--customer", help="a recorded customer (`customers add`)")
    add_db(doctor, f"the collector database (default {DEFAULT_DB})")
    doctor.add_argument(
        "--role-arn", help="without --customer: the role to check (management role with --organization)"
    )
    doctor.add_argument(
        "--external-id", help=f"without --customer: the ExternalId (or set {EXTERNAL_ID_ENV})"
    )
    doctor.add_argument(
        "--organization", action="store_true", help="without --customer: check the organization"
    )
    doctor.add_argument(
        "--member-role-name", help="with --organization (default: the --role-arn role's name)"
    )
    doctor.add_argument(
        "--include-ou", action="append", metavar="ID", help="with --organization: OUs with member roles"
    )
    doctor.add_argument(
        "--identity-center", action="store_true", help="without --customer: the role reads Identity Center"
    )
    doctor.add_argument(
        "--trusted-principal", help="without --customer: the vendor principal the role should trust"
    )
    doctor.add_argument(
        "--identity-center-region", help="Identity Center's home region (default: recorded, else searched)"
    )
    doctor.add_argument(
        "--cloud-trail-bucket", help="without --customer: the trail's bucket the role should read"
    )
    doctor.add_argument("--cloud-trail-prefix", help="without --customer: the trail's S3 key prefix")
    doctor.add_argument(
        "--log-archive-account-id",
        help="with --organization: the member account whose role reads the trail's bucket",
    )
    doctor.add_argument(
        "--region", help="where EC2 and CloudTrail are probed (default: the partition's main region)"
    )
    doctor.add_argument(
        "--profile", help="AWS profile for the base credentials (default: the customer's, or the chain)"
    )
    doctor.add_argument("--workers", type=int, default=8, help="accounts checked in parallel (default 8)")
    doctor.add_argument("--json", action="store_true", help="one JSON object instead of the table")


Checked = tuple[tuple[Target, ...], OrganizationScope | None]  # the roles to check, and the organization


def _for_customer(customer: Customer, settings: RunSettings) -> Checked:
    arns = (settings.role_arn, *settings.more_role_arns)
    if customer.method is not Method.ORGANIZATION:
        return tuple(Target(account_of(arn), arn, customer.features) for arn in arns), None
    management = Target(account_of(arns[0]), arns[0], customer.features, "management role")
    scope = OrganizationScope(
        customer.role_name, customer.organizational_unit_ids, customer.identity_center_account_id
    )
    return (management,), scope


def _for_role(settings: RunSettings, identity_center: bool) -> Checked:
    arn = settings.role_arn
    if not settings.organization:
        features = DEFAULT_FEATURES | ({Feature.IDENTITY_CENTER} if identity_center else set())
        return (Target(account_of(arn), arn, features),), None
    member = settings.member_role_name or role_name_of(arn)
    management = Target(account_of(arn), arn, frozenset(Feature), "management role")
    return (management,), OrganizationScope(member, settings.include_ous)


def settings_from(args: argparse.Namespace) -> DoctorSettings:
    """The run settings (checked as ``collect`` checks them), and what only doctor asks."""
    if args.region is not None:
        formats.region(args.region, "--region")
    options = settings_options(args)
    if args.customer is not None:
        nothing_with_customer(
            args,
            "--role-arn",
            "--external-id",
            "--organization",
            "--member-role-name",
            "--include-ou",
            "--identity-center",
            "--trusted-principal",
            "--cloud-trail-bucket",
            "--cloud-trail-prefix",
        )
        customer = CustomerStore(args.db, read_only=True).get(customer_name(args.customer, "--customer"))
        settings = run_settings(customer, options)
        targets, organization = _for_customer(customer, settings)
        subject, previous, trusted = customer.name, customer.previous_external_id, customer.trusted_principal
        bucket, prefix = customer.cloud_trail_bucket, customer.cloud_trail_prefix
    else:
        if args.trusted_principal is not None:
            formats.trusted_principal(args.trusted_principal, "--trusted-principal")
        given = role_and_external_id(args, "the role to check (or --customer NAME)")
        settings = RunSettings.parse({**options, **given}, OPTIONS)
        targets, organization = _for_role(settings, args.identity_center)
        subject, previous, trusted = settings.role_arn, None, args.trusted_principal
        bucket = (
            None
            if args.cloud_trail_bucket is None
            else formats.s3_bucket_name(args.cloud_trail_bucket, "--cloud-trail-bucket")
        )
        prefix = (
            None
            if args.cloud_trail_prefix is None
            else formats.s3_key_prefix(args.cloud_trail_prefix, "--cloud-trail-prefix")
        )
    reader = settings.log_archive_account_id or account_of(settings.role_arn)
    return DoctorSettings(
        subject=subject,
        targets=targets,
        external_id=settings.external_id,
        external_id_mode=settings.external_id_mode,
        previous_external_id=previous,
        trusted_principal=trusted,
        organization=organization,
        identity_center_region=settings.identity_center_region,
        region=args.region,
        profile=settings.profile,
        workers=settings.workers,
        trail_logs=None if bucket is None else TrailLogsCheck(bucket, prefix, reader),
    )


def cmd_doctor(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = settings_from(args)
    report = Doctor(settings, run_id=f"doctor-{new_run_id()}").run()
    if args.json:
        json.dump(report.to_json(), out, indent=2)
        out.write("\n")
    else:
        out.write(report.table(color=out.isatty()))
    return report.exit_code
