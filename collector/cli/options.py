"""What every command shares: the parser class, exit codes, ``--db``, option splitting, and turning options
into raw settings (collector.settings checks them)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from collector.customers.record import EXTERNAL_ID_ENV
from collector.formats import InvalidSettingError
from collector.settings import ALL_REGIONS, OPTIONS
from collector.store import SqliteStore

# 0 every scope complete; 1 some scope partial, denied or failed (what was read is stored); 2 usage or
# configuration error (nothing ran). ``doctor`` reads 1 as "problems found".
EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE = 0, 1, 2
DEFAULT_DB = "inventory.sqlite"


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own usage errors: exit 2, as ours
        self.print_usage(sys.stderr)
        raise UsageError(message)


def add_db(parser: argparse.ArgumentParser, help_text: str | None = None) -> None:
    parser.add_argument("--db", default=DEFAULT_DB, help=help_text)


def split(values: Sequence[str] | None) -> list[str]:
    """Comma-separated and/or repeated option values, in order."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def settings_options(args: argparse.Namespace) -> dict[str, object]:
    """The run settings this command's options give, as typed (repeated/comma-separated ones split): the
    raw values for ``RunSettings.parse``. A settings field's option is its name in ``OPTIONS``."""
    raw: dict[str, object] = {}
    for name, option in OPTIONS.names.items():
        attribute = option.removeprefix("--").replace("-", "_")
        if hasattr(args, attribute):
            value = getattr(args, attribute)
            if isinstance(value, list):
                value = split(value)
            elif name == "regions" and isinstance(value, str) and value.strip() != ALL_REGIONS:
                value = split([value])
            raw[name] = value
    return raw


def nothing_with_customer(args: argparse.Namespace, *options: str) -> None:
    """With --customer, the record says whose roles to assume: none of ``options`` may be given."""
    for option in options:
        value = getattr(args, option.removeprefix("--").replace("-", "_"))
        if value is not None and value is not False:
            raise InvalidSettingError(option, value, "nothing with --customer (the customer record has it)")


def role_and_external_id(args: argparse.Namespace, role_expected: str) -> dict[str, object]:
    """``--role-arn`` and the ExternalId (``--external-id`` or the environment), both required."""
    if args.role_arn is None:
        raise InvalidSettingError("--role-arn", None, role_expected)
    given = args.external_id if args.external_id is not None else os.environ.get(EXTERNAL_ID_ENV)
    if given is None:
        raise InvalidSettingError(
            "--external-id", None, f"the customer's ExternalId (or set {EXTERNAL_ID_ENV})"
        )
    return {"role_arn": args.role_arn, "external_id": given}


def existing_store(path: str) -> SqliteStore:
    """The database a read-only command (summary, export) reads: it must exist already, and is opened
    read-only (never created, migrated or stamped)."""
    return SqliteStore(path, read_only=True)
