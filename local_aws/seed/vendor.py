"""The vendor's side: an account outside the customer's organization, with the collector's principal."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import boto3

from local_aws.emulator.client import AccessKey
from local_aws.seed.sessions import AccountSession, account_session

VENDOR_ACCOUNT_ID = "999988887777"
VENDOR_USER_NAME = "vendor-collector"


@dataclass(frozen=True)
class VendorPrincipal:
    """An IAM user of the vendor's account that may only assume roles, with its own access key."""

    account_id: str
    user_arn: str
    access_key_id: str
    secret_access_key: str = field(repr=False)  # a local emulator's key, still never printed

    @property
    def key(self) -> AccessKey:
        return AccessKey(self.access_key_id, self.secret_access_key)

    def session(self) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=self.access_key_id, aws_secret_access_key=self.secret_access_key
        )

    def account_session(self, endpoint_url: str) -> AccountSession:
        return AccountSession(self.account_id, endpoint_url, self.session())


def create_vendor_principal(
    endpoint_url: str, account_id: str = VENDOR_ACCOUNT_ID, user_name: str = VENDOR_USER_NAME
) -> VendorPrincipal:
    """Create the vendor's user (allowed sts:AssumeRole only) in ``account_id`` and give it an access key.

    Its key maps to ``account_id`` in moto, so under IAM enforcement it acts as that user and nothing more.
    """
    iam = account_session(endpoint_url, account_id).client("iam")
    arn = iam.create_user(UserName=user_name)["User"]["Arn"]
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    iam.put_user_policy(UserName=user_name, PolicyName="assume-integration-roles", PolicyDocument=document)
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    return VendorPrincipal(account_id, arn, key["AccessKeyId"], key["SecretAccessKey"])
