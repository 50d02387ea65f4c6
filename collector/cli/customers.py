"""``customers add|update|list|show|remove|rotate-external-id|instructions``.

The customers live in the collector's database (``--db``, the same file ``collect`` writes to). Output that
names an ExternalId is meant for the operator's terminal; ``list`` leaves it out.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from collector import formats
from collector.aws import ConfigurationError
from collector.cli.options import DEFAULT_DB, add_db
from collector.customers import onboarding
from collector.customers.publish import publish_external_id
from collector.customers.record import (
    DEFAULT_ROLE_NAME,
    TRUSTED_PRINCIPAL_ENV,
    Customer,
    Method,
    check_method_settings,
    customer_name,
    split_values,
)
from collector.customers.store import CustomerStore
from collector.errors import classify
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from collector.pipeline import layout


def _details(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    """The options that describe a customer (``add``) or change what is recorded (``update``)."""
    parser.add_argument(
        "--trusted-principal",
        help=f"the vendor's role ARN that the customer's role trusts (default ${TRUSTED_PRINCIPAL_ENV}); "
        "legacy: the customer's integration user ARN, once known",
    )
    parser.add_argument(
        "--account-id",
        help="the customer's account (organization: the management account; legacy: the user's account)",
    )
    parser.add_argument(
        "--role-name", default=DEFAULT_ROLE_NAME if adding else None, help=f"default {DEFAULT_ROLE_NAME}"
    )
    parser.add_argument(
        "--role-arn", help="the role ARN the customer's stack reports, when not the default name"
    )
    parser.add_argument(
        "--accounts", action="append", help="legacy: the accounts with a role (comma-separated)"
    )
    parser.add_argument(
        "--secret-readers",
        action="append",
        help="legacy: the customer's role/user ARNs that may read the user's key (comma-separated)",
    )
    parser.add_argument(
        "--organizational-unit-ids", action="append", help="organization: root or OUs of the StackSet"
    )
    parser.add_argument("--identity-center-region", help="the Identity Center home region, if known")
    parser.add_argument(
        "--identity-center-account-id", help="organization: the delegated Identity Center administrator"
    )
    parser.add_argument(
        "--identity-center",
        action="store_true",
        default=None,
        help="account method: the account manages Identity Center (the role reads it)",
    )
    parser.add_argument(
        "--cloud-trail-bucket", help="the trail's bucket whose log files the role may read (cloudTrailBucket)"
    )
    parser.add_argument("--cloud-trail-prefix", help="the trail's S3 key prefix (cloudTrailPrefix)")
    parser.add_argument("--cloud-trail-kms-key-arn", help="the trail's SSE-KMS key (cloudTrailKmsKeyArn)")
    parser.add_argument(
        "--log-archive-account-id",
        help="organization: the member account that holds the trail's bucket (logArchiveAccountId)",
    )
    parser.add_argument("--profile", help="AWS profile of the base credentials (legacy: the user's key)")
    parser.add_argument("--partition", default="aws" if adding else None, choices=formats.PARTITIONS)
    parser.add_argument(
        "--external-id-mode",
        default=ExternalIdMode.SHARED.value if adding else None,
        choices=[m.value for m in ExternalIdMode],
        help="shared (default): one ExternalId in every account; per-account: each role expects the "
        "ExternalId, '-' and its account ID (a value seen in one account opens no other)",
    )


def add_parser(commands: Any) -> None:
    customers = commands.add_parser("customers", help="the vendor's customers and their ExternalIds")
    sub = customers.add_subparsers(dest="customers_command", required=True, parser_class=type(customers))

    add = sub.add_parser("add", help="record a customer with a new, unique ExternalId")
    add.add_argument("name")
    add.add_argument("--method", required=True, choices=[m.value for m in Method])
    _details(add, adding=True)

    update = sub.add_parser("update", help="change what is recorded (never the ExternalId)")
    update.add_argument("name")
    _details(update, adding=False)

    listing = sub.add_parser("list", help="every customer (without ExternalIds)")
    listing.add_argument("--json", action="store_true")
    show = sub.add_parser("show", help="one customer, with its ExternalId")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    remove = sub.add_parser("remove", help="forget a customer (its collected inventory stays)")
    remove.add_argument("name")
    rotate = sub.add_parser(
        "rotate-external-id", help="replace the ExternalId; prints what the customer must redeploy"
    )
    rotate.add_argument("name")
    instructions = sub.add_parser("instructions", help="what the customer runs to deploy")
    instructions.add_argument("name")
    instructions.add_argument(
        "--template-url", help="where the vendor hosts the plain account template (adds a console link)"
    )
    instructions.add_argument("--json", action="store_true")
    publish = sub.add_parser(
        "publish-external-id",
        help="write the ExternalId into the SSM SecureString the pipeline reads (the vendor's account)",
    )
    publish.add_argument("name")
    where = publish.add_mutually_exclusive_group()
    where.add_argument(
        "--prefix",
        default=layout.DEFAULT_PARAMETER_PREFIX,
        help="the pipeline's externalIdParameterPrefix: the parameter is PREFIX<name>/external-id "
        f"(default {layout.DEFAULT_PARAMETER_PREFIX})",
    )
    where.add_argument("--parameter", help="the parameter's full name instead")
    publish.add_argument("--kms-key-id", help="the KMS key of the SecureString (default: aws/ssm)")
    publish.add_argument("--profile", help="AWS profile of the vendor's account (default: the chain)")
    publish.add_argument("--region", help="the pipeline's region (default: the profile's)")
    for parser in (add, update, listing, show, remove, rotate, instructions, publish):
        add_db(parser, f"the collector database (default {DEFAULT_DB})")


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """The customer fields the options set (None: not given)."""
    changes: dict[str, Any] = {
        "trusted_principal": args.trusted_principal,
        "account_id": args.account_id,
        "role_name": args.role_name,
        "role_arn": args.role_arn,
        "identity_center_region": args.identity_center_region,
        "identity_center_account_id": args.identity_center_account_id,
        "include_identity_center": args.identity_center,
        "profile": args.profile,
        "partition": args.partition,
        "external_id_mode": None if args.external_id_mode is None else ExternalIdMode(args.external_id_mode),
        "cloud_trail_bucket": args.cloud_trail_bucket,
        "cloud_trail_prefix": args.cloud_trail_prefix,
        "cloud_trail_kms_key_arn": args.cloud_trail_kms_key_arn,
        "log_archive_account_id": args.log_archive_account_id,
    }
    if args.accounts:
        changes["account_ids"] = split_values(args.accounts)
    if args.secret_readers:
        changes["secret_readers"] = split_values(args.secret_readers)
    if args.organizational_unit_ids:
        changes["organizational_unit_ids"] = split_values(args.organizational_unit_ids)
    return {k: v for k, v in changes.items() if v is not None}


def cmd_add(args: argparse.Namespace, out: TextIO) -> int:
    name = customer_name(args.name)
    method = Method(args.method)
    changes = _changes(args)
    from_env = os.environ.get(TRUSTED_PRINCIPAL_ENV)
    if "trusted_principal" not in changes and from_env and method is not Method.LEGACY:
        changes["trusted_principal"] = from_env

    def build(external_id: str, now: str) -> Customer:
        customer = Customer(
            name=name,
            method=method,
            external_id=external_id,
            created_at=now,
            external_id_created_at=now,
            **changes,
        )
        return check_method_settings(customer)

    customer = CustomerStore(args.db).add(build)
    print(f"added {customer.name} ({customer.method.value}); ExternalId {customer.external_id}", file=out)
    print(f"next: `customers instructions {customer.name}` prints what the customer runs", file=out)
    return 0


def cmd_update(args: argparse.Namespace, out: TextIO) -> int:
    store = CustomerStore(args.db)
    current = store.get(customer_name(args.name))
    changes = _changes(args)
    if not changes:
        raise InvalidSettingError(
            "options", None, "at least one detail to change (see `customers update -h`)"
        )
    updated = store.replace(check_method_settings(replace(current, **changes)))
    print(f"updated {updated.name}: {', '.join(sorted(changes))}", file=out)
    return 0


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    customers = CustomerStore(args.db, read_only=True).list()
    if args.json:
        json.dump([c.to_json(with_external_id=False) for c in customers], out, indent=2)
        out.write("\n")
        return 0
    rows = [("NAME", "METHOD", "ROLES", "EXTERNAL ID SINCE", "")]
    for c in customers:
        roles = ", ".join(c.role_arns()) or "(role ARN not known yet)"
        pending = "rotation pending redeploy" if c.previous_external_id else ""
        rows.append((c.name, c.method.value, roles, c.external_id_created_at, pending))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        cells = "  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:4]))
        print(f"{cells}  {row[4]}".rstrip(), file=out)
    return 0


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    customer = CustomerStore(args.db, read_only=True).get(customer_name(args.name))
    data = customer.to_json()
    if args.json:
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    for key, value in data.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        print(f"{key:<27} {'' if shown is None else shown}", file=out)
    return 0


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    removed = CustomerStore(args.db).remove(customer_name(args.name))
    print(
        f"removed {removed.name}; its ExternalId is no longer recorded (collected inventory is kept)",
        file=out,
    )
    return 0


def cmd_rotate(args: argparse.Namespace, out: TextIO) -> int:
    store = CustomerStore(args.db)
    name = customer_name(args.name)
    onboarding.instructions_for(store.get(name))  # a record that lacks what the redeploy needs fails first
    customer = store.rotate_external_id(name)
    out.write(onboarding.rotation_notice(customer))
    return 0


def cmd_instructions(args: argparse.Namespace, out: TextIO) -> int:
    customer = CustomerStore(args.db, read_only=True).get(customer_name(args.name))
    guide = onboarding.instructions_for(customer, args.template_url)
    if args.json:
        json.dump(guide.to_json(), out, indent=2)
        out.write("\n")
    else:
        out.write(guide.render())
    return 0


def _ssm_client(profile: str | None, region: str | None) -> Any:
    """An SSM client of the vendor's base credentials (tests replace it)."""
    try:
        session = botocore.session.Session(profile=profile)
    except ProfileNotFound as exc:
        raise ConfigurationError(f"--profile: {exc}") from None
    region = region or session.get_config_variable("region")
    if region is None:
        raise InvalidSettingError("--region", None, "the pipeline's region (or a profile that has one)")
    return session.create_client("ssm", region_name=formats.region(region, "--region"))


def cmd_publish(args: argparse.Namespace, out: TextIO) -> int:
    customer = CustomerStore(args.db, read_only=True).get(customer_name(args.name))
    if args.parameter is not None:
        name = formats.ssm_parameter_name(args.parameter, "--parameter")
    else:
        name = layout.external_id_parameter(formats.ssm_path(args.prefix, "--prefix"), customer.name)
    try:
        version = publish_external_id(_ssm_client(args.profile, args.region), customer, name, args.kms_key_id)
    except (ClientError, BotoCoreError) as exc:
        raise ConfigurationError(f"ssm:PutParameter {name}: {classify(exc).message}") from None
    print(f"published {customer.name}'s ExternalId to {name} (SecureString, version {version})", file=out)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "add": cmd_add,
    "update": cmd_update,
    "list": cmd_list,
    "show": cmd_show,
    "remove": cmd_remove,
    "rotate-external-id": cmd_rotate,
    "instructions": cmd_instructions,
    "publish-external-id": cmd_publish,
}


def cmd_customers(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return _COMMANDS[args.customers_command](args, out)
