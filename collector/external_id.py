"""The ExternalId the collector presents in each account: the customer's value, or a per-account derivation.

One place for the rule, shared by the collector (which derives the value it sends) and the constructs (whose
member template derives the value it expects with ``Fn::Join``), so the two can never disagree.

- ``shared``: the customer's ExternalId, the same in every account (the default).
- ``per-account``: the customer's ExternalId, ``-``, and the 12-digit ID of the account the role is in, e.g.
  ``Abc123-example-111122223333``. A value seen in one account's CloudTrail (AssumeRole records it) opens that
  account only.
"""

from __future__ import annotations

from enum import StrEnum

from collector import formats
from collector.formats import InvalidSettingError

SEPARATOR = "-"
# sts:ExternalId holds at most 1224 characters: leave room for the separator and the account ID.
PER_ACCOUNT_BASE_MAX_LENGTH = formats.EXTERNAL_ID_MAX_LENGTH - len(SEPARATOR) - 12


class ExternalIdMode(StrEnum):
    SHARED = "shared"
    PER_ACCOUNT = "per-account"


def mode(value: object, setting: str = "externalIdMode") -> ExternalIdMode:
    if isinstance(value, str) and value in set(ExternalIdMode):
        return ExternalIdMode(value)
    raise InvalidSettingError(setting, value, "shared or per-account")


def check_base(value: object, chosen: ExternalIdMode, setting: str = "externalId") -> str:
    """The customer's ExternalId, valid for ``chosen`` (per-account needs room for the account ID)."""
    checked = formats.external_id(value, setting)
    if chosen is ExternalIdMode.PER_ACCOUNT and len(checked) > PER_ACCOUNT_BASE_MAX_LENGTH:
        raise InvalidSettingError(
            setting,
            value,
            f"at most {PER_ACCOUNT_BASE_MAX_LENGTH} characters with the per-account ExternalId mode "
            "(the account ID is appended)",
        )
    return checked


def for_account(base: str, account_id: str, chosen: ExternalIdMode) -> str:
    """The value to present when assuming the role in ``account_id``."""
    if chosen is ExternalIdMode.SHARED:
        return base
    return f"{base}{SEPARATOR}{account_id}"
