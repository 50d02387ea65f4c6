"""Create an organization from the management account: the organization, OUs (nested), member accounts."""

from __future__ import annotations

import json
from typing import Any

from local_aws.seed.sessions import AccountSession
from local_aws.seed.specs import OrganizationSpec
from local_aws.seed.truth import (
    AccountTruth,
    OrganizationalUnitTruth,
    OrganizationTruth,
    ResourceControlPolicyTruth,
)

RCP = "RESOURCE_CONTROL_POLICY"


def create_organization(management: AccountSession, spec: OrganizationSpec) -> OrganizationTruth:
    """The caller's account becomes the management account; members are created and moved into their OUs;
    resource control policies are enabled on the root and attached to the first OU (the root without OUs).

    moto creates each member account at once (state SUCCEEDED) with OrganizationAccountAccessRole in it,
    trusting the management account's root, as AWS does.
    """
    org = management.client("organizations")
    organization = org.create_organization(FeatureSet="ALL")["Organization"]
    root = org.list_roots()["Roots"][0]["Id"]
    ou_ids: dict[str, str] = {}
    units: list[OrganizationalUnitTruth] = []
    for ou in spec.organizational_units:
        parent = ou_ids[ou.parent] if ou.parent else root
        ou_id = org.create_organizational_unit(ParentId=parent, Name=ou.name)["OrganizationalUnit"]["Id"]
        ou_ids[ou.name] = ou_id
        units.append(OrganizationalUnitTruth(ou_id, ou.name, parent))
    management_account = org.describe_account(AccountId=organization["MasterAccountId"])["Account"]
    accounts = [
        AccountTruth(management_account["Id"], management_account["Name"], management_account["Email"], root)
    ]
    for account in spec.accounts:
        status = org.create_account(Email=account.email, AccountName=account.name)["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            raise RuntimeError(f"creating account {account.name} did not succeed at once: {status}")
        parent = ou_ids[account.ou] if account.ou else root
        if parent != root:
            org.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=parent)
        accounts.append(AccountTruth(status["AccountId"], account.name, account.email, parent))
    rcps: list[ResourceControlPolicyTruth] = []
    if spec.resource_control_policies:
        org.enable_policy_type(RootId=root, PolicyType=RCP)
        targets = (units[0].id,) if units else (root,)
        for name in spec.resource_control_policies:
            policy = org.create_policy(
                Name=name,
                Description="Deny access to S3 from outside the organization",
                Type=RCP,
                Content=json.dumps(_rcp_document(organization["Id"])),
            )["Policy"]["PolicySummary"]
            for target in targets:
                org.attach_policy(PolicyId=policy["Id"], TargetId=target)
            rcps.append(ResourceControlPolicyTruth(policy["Id"], name, targets))
    return OrganizationTruth(
        organization_id=organization["Id"],
        management_account_id=organization["MasterAccountId"],
        root_id=root,
        organizational_units=tuple(units),
        accounts=tuple(accounts),
        resource_control_policies=tuple(rcps),
        enabled_policy_types=(RCP,) if rcps else (),
    )


def _rcp_document(organization_id: str) -> dict[str, Any]:
    """The data-perimeter RCP AWS documents: S3 only for principals of the organization (or AWS services)."""
    statement = {
        "Sid": "EnforceOrgIdentities",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": organization_id},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }
    return {"Version": "2012-10-17", "Statement": [statement]}
