"""``doctor --customer NAME`` (or ``--role-arn ARN --external-id ID``): verify a deployment, read-only.

Exit codes: 0 all good (notes allowed), 1 problems found (a problem or a critical finding), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from collector import validation
from collector.customer_store import CustomerStore
from collector.customers import EXTERNAL_ID_ENV, Customer, Method, customer_name
from collector.discovery import account_of, role_name_of
from collector.doctor.checks import Doctor, DoctorSettings, OrganizationScope, Target
from collector.permissions import DEFAULT_FEATURES, Feature
from collector.runner import new_run_id
from collector.validation import InvalidSettingError


def add_parser(commands: Any, db_default: str) -> None:
    doctor = commands.add_parser(
        "doctor", help="verify a customer's deployment before the first collection (read-only)"
    )
    doctor.add_argument("--customer", help="a recorded customer (`customers add`)")
    doctor.add_argument("--db", default=db_default, help=f"the collector database (default {db_default})")
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
        "--region", help="where EC2 and CloudTrail are probed (default: the partition's main region)"
    )
    doctor.add_argument(
        "--profile", help="AWS profile for the base credentials (default: the customer's, or the chain)"
    )
    doctor.add_argument("--workers", type=int, default=8, help="accounts checked in parallel (default 8)")
    doctor.add_argument("--json", action="store_true", help="one JSON object instead of the table")


def _for_customer(customer: Customer, args: argparse.Namespace) -> DoctorSettings:
    arns = customer.role_arns()
    if not arns:
        raise InvalidSettingError(
            "--customer",
            customer.name,
            f"a customer with a known role: `customers update {customer.name} --account-id ID` "
            "(or --role-arn)",
        )
    organization = None
    if customer.method is Method.ORGANIZATION:
        targets: tuple[Target, ...] = (
            Target(account_of(arns[0]), arns[0], customer.features, "management role"),
        )
        organization = OrganizationScope(
            customer.role_name, customer.organizational_unit_ids, customer.identity_center_account_id
        )
    else:
        targets = tuple(Target(account_of(arn), arn, customer.features) for arn in arns)
    return DoctorSettings(
        subject=customer.name,
        targets=targets,
        external_id=customer.external_id,
        previous_external_id=customer.previous_external_id,
        trusted_principal=customer.trusted_principal,
        organization=organization,
        identity_center_region=args.identity_center_region or customer.identity_center_region,
        region=args.region,
        profile=args.profile or customer.profile,
        workers=args.workers,
    )


def _for_role(args: argparse.Namespace) -> DoctorSettings:
    if args.role_arn is None:
        raise InvalidSettingError("--role-arn", None, "the role to check (or --customer NAME)")
    role_arn = validation.role_arn(args.role_arn, "--role-arn")
    given = args.external_id if args.external_id is not None else os.environ.get(EXTERNAL_ID_ENV)
    if given is None:
        raise InvalidSettingError(
            "--external-id", None, f"the customer's ExternalId (or set {EXTERNAL_ID_ENV})"
        )
    external_id = validation.external_id(given, "--external-id")
    if args.trusted_principal is not None:
        validation.trusted_principal(args.trusted_principal, "--trusted-principal")
    organization = None
    features = DEFAULT_FEATURES | ({Feature.IDENTITY_CENTER} if args.identity_center else set())
    if args.organization:
        member = args.member_role_name or role_name_of(role_arn)
        validation.role_name(member, "--member-role-name")
        ous = tuple(validation.root_or_ou_id(v, "--include-ou") for v in _split(args.include_ou))
        organization = OrganizationScope(member, ous)
        features = frozenset(Feature)
    else:
        for option, value in (
            ("--member-role-name", args.member_role_name),
            ("--include-ou", args.include_ou),
        ):
            if value is not None:
                raise InvalidSettingError(option, value, "to be used with --organization")
    kind = "management role" if organization else "role"
    return DoctorSettings(
        subject=role_arn,
        targets=(Target(account_of(role_arn), role_arn, features, kind),),
        external_id=external_id,
        trusted_principal=args.trusted_principal,
        organization=organization,
        identity_center_region=args.identity_center_region,
        region=args.region,
        profile=args.profile,
        workers=args.workers,
    )


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def settings_from(args: argparse.Namespace) -> DoctorSettings:
    if args.customer is not None:
        for option, value in (
            ("--role-arn", args.role_arn),
            ("--external-id", args.external_id),
            ("--organization", args.organization or None),
            ("--member-role-name", args.member_role_name),
            ("--include-ou", args.include_ou),
            ("--identity-center", args.identity_center or None),
            ("--trusted-principal", args.trusted_principal),
        ):
            if value is not None:
                raise InvalidSettingError(
                    option, value, "nothing with --customer (the customer record has it)"
                )
        settings = _for_customer(CustomerStore(args.db).get(customer_name(args.customer, "--customer")), args)
    else:
        settings = _for_role(args)
    for option, region in (
        ("--region", args.region),
        ("--identity-center-region", args.identity_center_region),
    ):
        if region is not None:
            validation.region(region, option)
    if not 1 <= args.workers <= 64:
        raise InvalidSettingError("--workers", args.workers, "a number from 1 to 64")
    return settings


def cmd_doctor(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = settings_from(args)
    report = Doctor(settings, run_id=f"doctor-{new_run_id()}").run()
    if args.json:
        json.dump(report.to_json(), out, indent=2)
        out.write("\n")
    else:
        out.write(report.table(color=out.isatty()))
    return report.exit_code
