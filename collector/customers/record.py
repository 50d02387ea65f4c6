"""Customers of the vendor: who they are, how they integrate, and their ExternalId.

Pure records and rules (no I/O; the SQLite side is collector/customers/store.py):

- ``new_external_id()`` draws the per-customer ``sts:ExternalId`` from the operating system's secure random
  source (``secrets``), as AWS recommends against the confused-deputy problem: 40 letters and digits, about
  238 bits, far inside AWS's rule (2 to 1224 characters of ``[\\w+=,.@:/-]``). Letters and digits only, so
  the value never starts with ``-`` (which a shell command line would read as an option) and needs no quoting.
- ``Customer`` holds what the vendor knows about one customer: the method (account, organization, legacy),
  the account(s), the role name and, once the customer has deployed, the role ARN it reports.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from collector import external_id as external_id_rules
from collector import formats
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature

EXTERNAL_ID_ALPHABET = string.ascii_letters + string.digits
EXTERNAL_ID_LENGTH = 40
# Every customer's role gets this name unless told otherwise: a known name makes the role ARN known before
# the customer deploys (and, in an organization, names the member role in every account).
DEFAULT_ROLE_NAME = "ReadOnlyIntegrationRole"
# Environment variables that keep operator inputs out of shell history and repeated typing.
EXTERNAL_ID_ENV = "COLLECTOR_EXTERNAL_ID"
TRUSTED_PRINCIPAL_ENV = "COLLECTOR_TRUSTED_PRINCIPAL"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def new_external_id() -> str:
    """A fresh ExternalId from the secure random source (``secrets``, never ``random``)."""
    return "".join(secrets.choice(EXTERNAL_ID_ALPHABET) for _ in range(EXTERNAL_ID_LENGTH))


def customer_name(value: object, setting: str = "NAME") -> str:
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        raise InvalidSettingError(
            setting, value, "1 to 64 letters, digits and ._- starting with a letter or digit, e.g. acme-corp"
        )
    return value


class Method(StrEnum):
    """How the customer integrates (the CDK app's ``-c integration=...``)."""

    ACCOUNT = "account"  # one role in one account
    ORGANIZATION = "organization"  # management-account role plus a StackSet role in every member account
    LEGACY = "legacy"  # an IAM user whose key the vendor holds, and a role per listed account


@dataclass(frozen=True)
class Customer:
    """One customer as recorded. ``external_id`` is never regenerated silently (see ``rotated``)."""

    name: str
    method: Method
    external_id: str = field(repr=False)
    created_at: str
    external_id_created_at: str  # when the current ExternalId was drawn (creation or last rotation)
    # Who the role(s) trust: the vendor's principal; legacy: the customer's integration user, once known.
    trusted_principal: str | None = None
    previous_external_id: str | None = field(default=None, repr=False)  # until the customer redeploys
    account_id: str | None = None  # account: the account; organization: the management account;
    # legacy: the account that holds the user
    role_name: str = DEFAULT_ROLE_NAME  # the role (every member role too) the customer deploys
    role_arn: str | None = None  # as the customer's stack reports it (overrides account_id + role_name)
    account_ids: tuple[str, ...] = ()  # legacy: the accounts with a role the user may assume
    secret_readers: tuple[str, ...] = ()  # legacy: the customer's roles/users that may read the user's key
    organizational_unit_ids: tuple[str, ...] = ()  # organization: where the StackSet deploys
    identity_center_region: str | None = None
    identity_center_account_id: str | None = None  # organization: a delegated Identity Center administrator
    include_identity_center: bool = False  # account method: this account manages Identity Center
    profile: str | None = None  # AWS profile of the base credentials (legacy: the user's access key)
    partition: str = "aws"
    # The trail's log files the role may read (the CDK app's cloudTrailBucket, cloudTrailPrefix) and, for an
    # organization trail, the member account that holds the bucket (logArchiveAccountId).
    cloud_trail_bucket: str | None = None
    cloud_trail_prefix: str | None = None
    cloud_trail_kms_key_arn: str | None = None
    log_archive_account_id: str | None = None
    # per-account: each role expects the ExternalId, '-' and its account ID (cdk_app's externalIdMode)
    external_id_mode: ExternalIdMode = ExternalIdMode.SHARED

    def __post_init__(self) -> None:
        customer_name(self.name)
        formats.external_id(self.external_id, "ExternalId")
        external_id_rules.check_base(self.external_id, self.external_id_mode, "ExternalId")
        if self.previous_external_id is not None:
            formats.external_id(self.previous_external_id, "previous ExternalId")
        if self.trusted_principal is not None:
            formats.trusted_principal(self.trusted_principal, "--trusted-principal")
        if self.account_id is not None:
            formats.account_id(self.account_id, "--account-id")
        formats.role_name(self.role_name, "--role-name")
        if self.role_arn is not None:
            formats.role_arn(self.role_arn, "--role-arn")
        for account in self.account_ids:
            formats.account_id(account, "--accounts")
        for reader in self.secret_readers:
            formats.principal_arn(reader, "--secret-readers")
        for ou in self.organizational_unit_ids:
            formats.root_or_ou_id(ou, "--organizational-unit-ids")
        if self.identity_center_region is not None:
            formats.region(self.identity_center_region, "--identity-center-region")
        if self.identity_center_account_id is not None:
            formats.account_id(self.identity_center_account_id, "--identity-center-account-id")
        self._check_trail()
        if self.partition not in formats.PARTITIONS:
            raise InvalidSettingError(
                "--partition", self.partition, f"one of {', '.join(formats.PARTITIONS)}"
            )

    def _check_trail(self) -> None:
        checks = (
            (self.cloud_trail_bucket, formats.s3_bucket_name, "--cloud-trail-bucket"),
            (self.cloud_trail_prefix, formats.s3_key_prefix, "--cloud-trail-prefix"),
            (self.cloud_trail_kms_key_arn, formats.kms_key_arn, "--cloud-trail-kms-key-arn"),
            (self.log_archive_account_id, formats.account_id, "--log-archive-account-id"),
        )
        for value, check, option in checks:
            if value is not None:
                check(value, option)

    # -- derived --

    def arn_of(self, account_id: str) -> str:
        return f"arn:{self.partition}:iam::{account_id}:role/{self.role_name}"

    @property
    def main_role_arn(self) -> str | None:
        """The role the collector starts from: the recorded ARN, else the one the known name implies."""
        if self.role_arn is not None:
            return self.role_arn
        return self.arn_of(self.account_id) if self.account_id is not None else None

    def role_arns(self) -> tuple[str, ...]:
        """Every role ARN known before discovery: one (account, organization) or one per account (legacy)."""
        if self.method is Method.LEGACY:
            return tuple(self.arn_of(a) for a in self.account_ids)
        main = self.main_role_arn
        return (main,) if main is not None else ()

    @property
    def features(self) -> frozenset[Feature]:
        """What the customer's main role grants (organization: the management role)."""
        if self.method is Method.ORGANIZATION:
            return frozenset(Feature)
        return DEFAULT_FEATURES | ({Feature.IDENTITY_CENTER} if self.include_identity_center else set())

    def rotated(self, new_id: str, at: str) -> Customer:
        """The same customer with a new ExternalId; the old one is kept until the customer has redeployed."""
        if new_id == self.external_id:
            raise ValueError("a rotation needs a different ExternalId")
        return replace(
            self, external_id=new_id, previous_external_id=self.external_id, external_id_created_at=at
        )

    def to_json(self, *, with_external_id: bool = True) -> dict[str, object]:
        data: dict[str, object] = {
            "name": self.name,
            "method": self.method.value,
            "trusted_principal": self.trusted_principal,
            "created_at": self.created_at,
            "external_id_created_at": self.external_id_created_at,
            "account_id": self.account_id,
            "role_name": self.role_name,
            "role_arn": self.role_arn,
            "role_arns": list(self.role_arns()),
            "account_ids": list(self.account_ids),
            "secret_readers": list(self.secret_readers),
            "organizational_unit_ids": list(self.organizational_unit_ids),
            "identity_center_region": self.identity_center_region,
            "identity_center_account_id": self.identity_center_account_id,
            "include_identity_center": self.include_identity_center,
            "profile": self.profile,
            "partition": self.partition,
            "cloud_trail_bucket": self.cloud_trail_bucket,
            "cloud_trail_prefix": self.cloud_trail_prefix,
            "cloud_trail_kms_key_arn": self.cloud_trail_kms_key_arn,
            "log_archive_account_id": self.log_archive_account_id,
            "external_id_mode": self.external_id_mode.value,
            "rotation_pending": self.previous_external_id is not None,
        }
        if with_external_id:
            data["external_id"] = self.external_id
        return data


def check_method_settings(customer: Customer) -> Customer:
    """What each method needs, named by option: fails with InvalidSettingError."""
    if customer.method is Method.ORGANIZATION and not customer.organizational_unit_ids:
        raise InvalidSettingError(
            "--organizational-unit-ids",
            None,
            "the root (r-...) or OUs whose accounts get the member role, for --method organization",
        )
    if customer.method is not Method.LEGACY and customer.trusted_principal is None:
        raise InvalidSettingError(
            "--trusted-principal",
            None,
            f"the vendor's role ARN that the customer's role trusts (or set {TRUSTED_PRINCIPAL_ENV})",
        )
    if (
        customer.method is Method.LEGACY
        and customer.trusted_principal is not None
        and formats.trusted_principal(customer.trusted_principal).kind != "user"
    ):
        raise InvalidSettingError(
            "--trusted-principal",
            customer.trusted_principal,
            "with --method legacy, the customer's integration user ARN (its stack's UserArn output)",
        )
    if customer.method is Method.LEGACY and not customer.account_ids:
        raise InvalidSettingError(
            "--accounts", None, "the 12-digit accounts with a role, for --method legacy"
        )
    if customer.method is not Method.ORGANIZATION:
        for name, value in (
            ("--organizational-unit-ids", customer.organizational_unit_ids or None),
            ("--identity-center-account-id", customer.identity_center_account_id),
            ("--log-archive-account-id", customer.log_archive_account_id),
        ):
            if value is not None:
                raise InvalidSettingError(name, value, "to be used with --method organization")
    if customer.method is not Method.LEGACY:
        legacy_only = (("--accounts", customer.account_ids), ("--secret-readers", customer.secret_readers))
        for name, values in legacy_only:
            if values:
                raise InvalidSettingError(name, values, "to be used with --method legacy")
    if (
        customer.method is Method.LEGACY
        and customer.trusted_principal is not None
        and customer.account_id is not None
        and customer.trusted_principal.split(":")[4] != customer.account_id
    ):
        raise InvalidSettingError(
            "--trusted-principal",
            customer.trusted_principal,
            f"the integration user in the account that holds it (--account-id {customer.account_id})",
        )
    if customer.method is not Method.ACCOUNT and customer.include_identity_center:
        raise InvalidSettingError(
            "--identity-center",
            True,
            "to be used with --method account (organization: --identity-center-account-id/-region)",
        )
    return _role_in_its_account(_trail_in_its_bucket(customer))


def _trail_in_its_bucket(customer: Customer) -> Customer:
    if customer.cloud_trail_bucket is None:
        for name, value in (
            ("--cloud-trail-prefix", customer.cloud_trail_prefix),
            ("--cloud-trail-kms-key-arn", customer.cloud_trail_kms_key_arn),
            ("--log-archive-account-id", customer.log_archive_account_id),
        ):
            if value is not None:
                raise InvalidSettingError(name, value, "to be used with --cloud-trail-bucket")
    return customer


def _role_in_its_account(customer: Customer) -> Customer:
    arn, account = customer.role_arn, customer.account_id
    if arn is not None and account is not None and arn.split(":")[4] != account:
        raise InvalidSettingError("--role-arn", arn, f"a role in the customer's account {account}")
    return customer


def split_values(values: Sequence[str] | None) -> tuple[str, ...]:
    """Comma-separated and/or repeated option values, in order, without duplicates."""
    seen: dict[str, None] = {}
    for value in values or ():
        for part in value.split(","):
            if part.strip():
                seen[part.strip()] = None
    return tuple(seen)
