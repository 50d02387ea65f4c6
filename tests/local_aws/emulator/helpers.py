"""Helpers for tests of the local AWS: callers with exactly the permissions a test gives them."""

from __future__ import annotations

import json
from collections.abc import Sequence

import boto3
from botocore.config import Config

# Enough attempts for botocore to outlast LookupEvents' 2 requests a second.
PATIENT = Config(retries={"mode": "standard", "max_attempts": 10})
NO_RETRIES = Config(retries={"mode": "standard", "max_attempts": 1})


def session_with_actions(user_name: str, actions: Sequence[str]) -> boto3.Session:
    """A new IAM user of the current account allowed exactly ``actions``, as a session with its own key."""
    iam = boto3.client("iam")
    iam.create_user(UserName=user_name)
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    iam.put_user_policy(UserName=user_name, PolicyName="test", PolicyDocument=document)
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    return boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
