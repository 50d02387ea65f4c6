"""The plain account template, created by CloudFormation on the local AWS, works under IAM checks."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from constructs_lib import TrustedPrincipal, account_template
from local_aws.emulator.server import LocalAws

pytestmark = [pytest.mark.e2e, pytest.mark.cdk]

EXTERNAL_ID = "Abc123-example"
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


def _vendor_user() -> tuple[str, boto3.Session]:
    """A user of the emulator's account who may call sts:AssumeRole (moto trusts exact ARNs only)."""
    client = boto3.client("iam")
    arn = client.create_user(UserName="vendor")["User"]["Arn"]
    key = client.create_access_key(UserName="vendor")["AccessKey"]
    assume = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }
    client.put_user_policy(UserName="vendor", PolicyName="assume", PolicyDocument=json.dumps(assume))
    return arn, boto3.Session(key["AccessKeyId"], key["SecretAccessKey"])


def test_template_deploys_and_grants_only_the_catalog_reads(local_aws: LocalAws) -> None:
    vendor_arn, vendor = _vendor_user()
    template = account_template(trusted_principal=TrustedPrincipal.user_arn(vendor_arn))
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(
        StackName="ReadOnlyIntegration",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "ExternalId", "ParameterValue": EXTERNAL_ID}],
        Capabilities=["CAPABILITY_IAM"],
    )
    outputs = cloudformation.describe_stacks(StackName="ReadOnlyIntegration")["Stacks"][0]["Outputs"]
    role_arn = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "RoleArn")
    role_name = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "RoleName")
    attached = boto3.client("iam").list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert len(attached) == 2  # the read-only policy and the Deny, attached from the policy side

    local_aws.enforce_iam(True)
    sts = vendor.client("sts")
    with pytest.raises(ClientError) as wrong_id:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="collector", ExternalId="Wrong-id")
    assert wrong_id.value.response["Error"]["Code"] in DENIED

    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="collector", ExternalId=EXTERNAL_ID)[
        "Credentials"
    ]
    role = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    assert role.client("iam").get_account_authorization_details()["RoleDetailList"]
    assert role.client("ec2").describe_regions()["Regions"]
    with pytest.raises(ClientError) as not_granted:
        role.client("iam").list_roles()  # a read the catalog does not declare
    assert not_granted.value.response["Error"]["Code"] in DENIED
