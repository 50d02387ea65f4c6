"""The process environment of a test pointed at the local AWS, and the roles e2e tests seed there."""

from __future__ import annotations

import json

import boto3
import pytest

from local_aws.emulator.server import LocalAws


def point_at(aws: LocalAws, patch: pytest.MonkeyPatch) -> None:
    """botocore's environment: the local AWS's endpoint and keys, no profile, session token or config file
    of this machine."""
    for key, value in aws.environment().items():
        patch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        patch.delenv(key, raising=False)
    patch.setenv("AWS_CONFIG_FILE", "/dev/null")
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


def role_trusting(name: str, account_id: str) -> str:
    """A role in the current account that ``account_id`` (its root) may assume; its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return str(role["Role"]["Arn"])
