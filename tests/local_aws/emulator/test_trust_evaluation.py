"""Role trust evaluated as AWS does (local_aws.emulator.trust_evaluation), switched on and off, on the real
server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_aws.emulator.protocol import MOTO_DEFAULT_ACCOUNT_ID, TRUST_EVALUATION_PATH
from local_aws.emulator.server import LocalAws
from local_aws.seed import VendorPrincipal, account_session, create_vendor_principal

pytestmark = pytest.mark.e2e
CUSTOMER = "111122223333"


def _trust(principal: str, external_id: str | None = "Good-Id-1") -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _outcomes(sts: Any, role_arn: str) -> list[str]:
    """AssumeRole without an ExternalId, with a wrong one, with the right one."""
    found = []
    for extra in ({}, {"ExternalId": "Wrong-Id-2"}, {"ExternalId": "Good-Id-1"}):
        try:
            sts.assume_role(RoleArn=role_arn, RoleSessionName="trust-test", **extra)
            found.append("ok")
        except ClientError as error:
            found.append(error.response["Error"]["Code"])
    return found


@pytest.fixture
def vendor(local_aws: LocalAws) -> VendorPrincipal:
    return create_vendor_principal(local_aws.endpoint_url)


def _role(account_id: str, name: str, trust: str) -> str:
    iam = account_session(boto3.client("sts").meta.endpoint_url, account_id).client("iam")
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    return arn


def test_cross_account_trust_missing_roles_and_missing_external_ids(
    local_aws: LocalAws, vendor: VendorPrincipal
) -> None:
    other = _role(CUSTOMER, "TrustsVendor", _trust(vendor.user_arn))
    elsewhere = _role(CUSTOMER, "TrustsSomeoneElse", _trust("arn:aws:iam::444455556666:user/other"))
    missing = f"arn:aws:iam::{CUSTOMER}:role/DoesNotExist"
    sts = vendor.session().client("sts")
    local_aws.enforce_iam(True)

    # moto as it is: across accounts nothing is checked, and a role that does not exist still answers.
    assert _outcomes(sts, other) == ["ok", "ok", "ok"]
    assert _outcomes(sts, missing) == ["ok", "ok", "ok"]

    local_aws.evaluate_trust(True)
    assert _outcomes(sts, other) == ["AccessDenied", "AccessDenied", "ok"]
    assert _outcomes(sts, elsewhere) == ["AccessDenied"] * 3
    assert _outcomes(sts, missing) == ["AccessDenied"] * 3

    local_aws.reset()  # switches it off again
    again = create_vendor_principal(local_aws.endpoint_url)
    role = _role(CUSTOMER, "TrustsVendor", _trust(again.user_arn))
    local_aws.enforce_iam(True)
    assert _outcomes(again.session().client("sts"), role) == ["ok", "ok", "ok"]


def test_an_account_principal_and_a_role_session_match_as_in_aws(
    local_aws: LocalAws, vendor: VendorPrincipal
) -> None:
    by_root = _role(CUSTOMER, "TrustsAccountRoot", _trust(f"arn:aws:iam::{vendor.account_id}:root", None))
    by_id = _role(CUSTOMER, "TrustsAccountId", _trust(vendor.account_id, None))
    chained = _role(CUSTOMER, "TrustsHopRole", _trust(f"arn:aws:iam::{vendor.account_id}:role/Hop", None))
    vendor_iam = account_session(local_aws.endpoint_url, vendor.account_id).client("iam")
    vendor_iam.create_role(RoleName="Hop", AssumeRolePolicyDocument=_trust(vendor.user_arn, None))
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }
    vendor_iam.put_role_policy(RoleName="Hop", PolicyName="assume", PolicyDocument=json.dumps(policy))
    local_aws.enforce_iam(True)
    local_aws.evaluate_trust(True)
    sts = vendor.session().client("sts")

    assert _outcomes(sts, by_root) == ["ok", "ok", "ok"]
    assert _outcomes(sts, by_id) == ["ok", "ok", "ok"]
    hop = sts.assume_role(RoleArn=f"arn:aws:iam::{vendor.account_id}:role/Hop", RoleSessionName="hop")[
        "Credentials"
    ]
    as_hop = boto3.Session(hop["AccessKeyId"], hop["SecretAccessKey"], hop["SessionToken"]).client("sts")
    assert _outcomes(as_hop, chained) == ["ok", "ok", "ok"]
    assert _outcomes(sts, chained) == ["AccessDenied"] * 3  # the user is not the role it may assume


def test_the_same_account_keeps_moto_s_own_check_and_the_missing_external_id_is_refused(
    local_aws: LocalAws,
) -> None:
    same = create_vendor_principal(local_aws.endpoint_url, account_id=MOTO_DEFAULT_ACCOUNT_ID)
    role = _role(MOTO_DEFAULT_ACCOUNT_ID, "Local", _trust(same.user_arn))
    sts = same.session().client("sts")
    local_aws.enforce_iam(True)
    assert _outcomes(sts, role) == ["ok", "AccessDenied", "ok"]  # moto: a missing ExternalId passes
    local_aws.evaluate_trust(True)
    assert _outcomes(sts, role) == ["AccessDenied", "AccessDenied", "ok"]


def test_the_switch_takes_on_or_off_only(local_aws: LocalAws) -> None:
    request = urllib.request.Request(
        local_aws.endpoint_url + TRUST_EVALUATION_PATH, data=b"maybe", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400 and b"expected 'on' or 'off'" in refused.value.read()
