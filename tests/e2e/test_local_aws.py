"""The local AWS is a real server process: IAM enforcement can be switched on and off."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from local_aws.emulator.server import LocalAws

pytestmark = pytest.mark.e2e


def test_enforcement_denies_an_action_the_role_lacks(local_aws: LocalAws) -> None:
    iam = boto3.client("iam")
    # Under enforcement the caller must be a real identity of the emulator, not the placeholder keys.
    caller = iam.create_user(UserName="vendor")["User"]["Arn"]
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    assume_any = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="vendor", PolicyName="assume", PolicyDocument=json.dumps(assume_any))
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))
    allow_list_users = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName="reader", PolicyName="p", PolicyDocument=json.dumps(allow_list_users))
    role_arn = iam.get_role(RoleName="reader")["Role"]["Arn"]
    local_aws.enforce_iam(True)

    vendor = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    creds = vendor.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="e2e-test")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    session.client("iam").list_users()
    with pytest.raises(ClientError) as denied:
        session.client("iam").list_roles()
    assert denied.value.response["Error"]["Code"] in {"AccessDenied", "AccessDeniedException"}


def test_server_process_stops_by_pid() -> None:
    server = LocalAws().start()
    pid = server.pid
    assert pid is not None and server.port > 0
    server.stop()
    assert server.pid is None
