"""Credentials that act in one account of the local AWS: the management account, a member, any account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from local_aws.emulator.protocol import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, MOTO_DEFAULT_ACCOUNT_ID

ORGANIZATION_ACCESS_ROLE = "OrganizationAccountAccessRole"
SEED_SESSION_NAME = "local-aws-seed"
# The seeder makes many calls quickly; the local server is never the bottleneck that retries would hide.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=16)


@dataclass(frozen=True)
class AccountSession:
    """boto3 credentials acting in ``account_id`` against the local AWS at ``endpoint_url``."""

    account_id: str
    endpoint_url: str
    session: boto3.Session = field(repr=False)
    # Extra request headers (moto's x-moto-account-id for an account that has no credentials of its own).
    headers: tuple[tuple[str, str], ...] = ()

    def client(self, service: str, region: str = "us-east-1") -> Any:
        session: Any = self.session  # the service name is a plain str, not one of the stubs' literals
        client = session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=_CONFIG)
        if self.headers:
            client.meta.events.register("before-sign.*.*", _add_headers(self.headers))
        return client


def _add_headers(headers: tuple[tuple[str, str], ...]) -> Callable[..., None]:
    def add(request: Any, **_: Any) -> None:
        for name, value in headers:
            request.headers[name] = value

    return add


def management_session(endpoint_url: str) -> AccountSession:
    """moto's placeholder keys: they act as the default account, which becomes the management account."""
    session = boto3.Session(
        aws_access_key_id=FAKE_ACCESS_KEY_ID, aws_secret_access_key=FAKE_SECRET_ACCESS_KEY
    )
    return AccountSession(MOTO_DEFAULT_ACCOUNT_ID, endpoint_url, session)


def account_session(endpoint_url: str, account_id: str) -> AccountSession:
    """Act as any account (e.g. the vendor's, outside the organization) through moto's x-moto-account-id."""
    session = boto3.Session(
        aws_access_key_id=FAKE_ACCESS_KEY_ID, aws_secret_access_key=FAKE_SECRET_ACCESS_KEY
    )
    return AccountSession(account_id, endpoint_url, session, headers=(("x-moto-account-id", account_id),))


def member_session(
    management: AccountSession,
    account_id: str,
    *,
    role_name: str = ORGANIZATION_ACCESS_ROLE,
    session_name: str = SEED_SESSION_NAME,
) -> AccountSession:
    """A session in a member account, as its administrators get one: assume OrganizationAccountAccessRole."""
    credentials = management.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName=session_name
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    return AccountSession(account_id, management.endpoint_url, session)
