"""The customer's administrator, who deploys the integration (CDK, StackSets) in the management account."""

from __future__ import annotations

from dataclasses import dataclass

from local_aws.emulator.client import AccessKey
from local_aws.seed.sessions import account_session
from local_aws.seed.truth import AccessKeyTruth, IamTruth, PolicyAttachment

ADMINISTRATOR_USER_NAME = "cloud-admin"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


@dataclass(frozen=True)
class Administrator:
    """An IAM user with ``AdministratorAccess`` and an access key: under IAM enforcement it may do anything
    in its account, as the customer's administrator who deploys the integration."""

    account_id: str
    user_arn: str
    key: AccessKey

    def iam_truth(self) -> IamTruth:
        """What creating it added to the account's IAM (for comparing collected data)."""
        name = self.user_arn.rsplit("/", 1)[1]
        return IamTruth(
            account_id=self.account_id,
            users=(name,),
            attachments=(PolicyAttachment("user", name, ADMINISTRATOR_ACCESS),),
            access_keys=(AccessKeyTruth(name, self.key.access_key_id, "Active"),),
        )


def create_administrator(
    endpoint_url: str, account_id: str, user_name: str = ADMINISTRATOR_USER_NAME
) -> Administrator:
    """Create the user in ``account_id`` (the server must load AWS-managed policies) with an access key."""
    iam = account_session(endpoint_url, account_id).client("iam")
    arn = iam.create_user(UserName=user_name)["User"]["Arn"]
    iam.attach_user_policy(UserName=user_name, PolicyArn=ADMINISTRATOR_ACCESS)
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    return Administrator(account_id, arn, AccessKey(key["AccessKeyId"], key["SecretAccessKey"]))
