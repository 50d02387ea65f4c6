"""Where moto answered differently from AWS, the local AWS now answers as AWS does
(local_aws.emulator.moto_fixes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_aws.emulator.moto_fixes import path_style_on_the_emulator, principal_matches
from local_aws.emulator.server import LocalAws
from local_aws.seed import account_session

VENDOR_ACCOUNT = "111122223333"
VENDOR_ARN = f"arn:aws:iam::{VENDOR_ACCOUNT}:user/vendor"
ASSUME_ANY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


# --- pure parts


@pytest.mark.parametrize(
    ("principal", "matches"),
    [
        ("*", True),
        ({"AWS": VENDOR_ARN}, True),
        ({"AWS": ["arn:aws:iam::111122223333:role/Other", VENDOR_ARN]}, True),
        ({"AWS": "*"}, True),
        ({"AWS": "arn:aws:iam::111122223333:user/someone-else"}, False),
        # local_aws.emulator.trust_evaluation rewrites a trust's principals before (an account root included);
        # here: exact.
        ({"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"}, False),
        ({"Service": "ec2.amazonaws.com"}, False),  # moto raised TypeError here
        ({"Federated": "arn:aws:iam::111122223333:saml-provider/idp"}, False),
    ],
)
def test_principal_matches(principal: Any, matches: bool) -> None:
    assert principal_matches(principal, VENDOR_ARN) is matches


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:4566/bucket/key.json", "http://localhost:4566/bucket/key.json"),
        ("http://127.0.0.1/b/k", "http://localhost/b/k"),
        ("http://[::1]:4566/b/dir/k", "http://localhost:4566/b/dir/k"),
        ("https://bucket.s3.amazonaws.com/key", "https://bucket.s3.amazonaws.com/key"),
        ("https://s3.eu-west-1.amazonaws.com/bucket/key", "https://s3.eu-west-1.amazonaws.com/bucket/key"),
    ],
)
def test_template_urls_on_an_ip_address_are_read_path_style(url: str, expected: str) -> None:
    assert path_style_on_the_emulator(url) == expected


# --- against the server


def _vendor(local_aws: LocalAws) -> boto3.Session:
    """A user of another account (the vendor's) allowed to assume any role, with its own key."""
    iam = account_session(local_aws.endpoint_url, VENDOR_ACCOUNT).client("iam")
    iam.create_user(UserName="vendor")
    iam.put_user_policy(UserName="vendor", PolicyName="assume", PolicyDocument=json.dumps(ASSUME_ANY))
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    return boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def _trust(principal: str, external_id: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


CONDITIONAL_TEMPLATE = {
    "Parameters": {"Extra": {"Type": "String", "Default": "no"}},
    "Conditions": {"WithExtra": {"Fn::Equals": [{"Ref": "Extra"}, "yes"]}},
    "Resources": {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": "FromCloudFormation",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": VENDOR_ARN}, "Action": "sts:AssumeRole"},
                        {
                            "Fn::If": [
                                "WithExtra",
                                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
                                {"Ref": "AWS::NoValue"},
                            ]
                        },
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "inline",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}],
                        },
                    }
                ],
            },
        }
    },
}


@pytest.mark.e2e
def test_cloudformation_drops_no_value_and_stores_inline_policies_as_text(local_aws: LocalAws) -> None:
    vendor = _vendor(local_aws)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="templates")
    s3.put_object(Bucket="templates", Key="role.json", Body=json.dumps(CONDITIONAL_TEMPLATE).encode())
    # The CDK CLI's way: a TemplateURL on the endpoint it talks to (here 127.0.0.1).
    boto3.client("cloudformation").create_stack(
        StackName="role",
        TemplateURL=f"{local_aws.endpoint_url}/templates/role.json",
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    iam: Any = boto3.client("iam")  # the stubs type policy documents as str; botocore decodes them
    trust = iam.get_role(RoleName="FromCloudFormation")["Role"]["AssumeRolePolicyDocument"]
    assert len(trust["Statement"]) == 1  # the NoValue statement is gone, not null
    (role,) = [
        r
        for r in iam.get_account_authorization_details(Filter=["Role"])["RoleDetailList"]
        if r["RoleName"] == "FromCloudFormation"
    ]  # moto answered HTTP 500 here: the inline policy was an object, not text
    assert role["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "iam:ListRoles"

    local_aws.enforce_iam(True)  # moto crashed on the null statement in every evaluation of the trust
    sts = vendor.client("sts", region_name="us-east-1")
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="session")["Credentials"]
    as_role = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    assert as_role.client("iam").list_roles()["Roles"]


@pytest.fixture(scope="module")
def with_aws_managed_policies() -> Iterator[LocalAws]:
    with LocalAws(load_aws_managed_policies=True) as server:
        yield server


@pytest.mark.e2e
def test_authorization_details_list_the_aws_managed_policies_in_use(
    with_aws_managed_policies: LocalAws,
) -> None:
    iam = account_session(with_aws_managed_policies.endpoint_url, "123456789012").client("iam")
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    boundary = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    iam.create_role(
        RoleName="bounded",
        AssumeRolePolicyDocument=_trust(VENDOR_ARN, "x"),
        PermissionsBoundary=boundary,
    )

    details = iam.get_account_authorization_details(Filter=["AWSManagedPolicy", "Role"])
    listed = {p["Arn"] for p in details["Policies"]}

    # Attached: listed. Only a boundary: absent (a collector backfills it), as in AWS. Unused: absent.
    assert listed == {"arn:aws:iam::aws:policy/ReadOnlyAccess"}
    (role,) = details["RoleDetailList"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["Arn"] == boundary
