"""Seeding specs check their values up front; sized specs generate what they say."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from collector.formats import InvalidSettingError
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    VENDOR_ACCOUNT_ID,
    AccountSpec,
    AwsManagedPoliciesMissingError,
    Ec2Spec,
    IamSpec,
    IdentityCenterSpec,
    OrganizationalUnitSpec,
    OrganizationSpec,
    create_vendor_principal,
    seed_organization,
)
from local_aws.seed.identity_center import session_seconds, sso_role_path


@pytest.mark.parametrize(
    ("build", "setting"),
    [
        (lambda: IamSpec(access_keys_per_user=3), "access_keys_per_user"),
        (lambda: IamSpec(users=("has space",)), "IamSpec name"),
        (lambda: IamSpec(groups=()), "groups"),
        (lambda: Ec2Spec(subnets_per_vpc=0), "subnets_per_vpc"),
        (lambda: Ec2Spec(subnets_per_vpc=17), "subnets_per_vpc"),
        (lambda: IdentityCenterSpec(home_region="moon-1"), "home_region"),
        (lambda: IamSpec.sized(users=-1), "users"),
        (lambda: OrganizationSpec(regions=("us-east-1", "nowhere")), "regions"),
        (
            lambda: OrganizationSpec(organizational_units=(OrganizationalUnitSpec("Child", parent="Later"),)),
            "organizational_units[Child].parent",
        ),
        (lambda: OrganizationSpec(accounts=(AccountSpec("a", ou="Missing"),)), "accounts[a].ou"),
        (lambda: OrganizationSpec(accounts=(AccountSpec("a"), AccountSpec("a"))), "accounts"),
    ],
)
def test_a_bad_spec_names_the_setting(build: object, setting: str) -> None:
    with pytest.raises(InvalidSettingError) as raised:
        build()  # type: ignore[operator]
    assert raised.value.setting == setting


def test_sized_specs_generate_the_asked_numbers() -> None:
    spec = OrganizationSpec.sized(member_accounts=12, users_per_account=300, roles_per_account=40)
    assert len(spec.accounts) == 12 and {a.ou for a in spec.accounts} == {"Members"}
    assert (len(spec.iam.users), len(spec.iam.roles)) == (300, 40)
    assert len(set(spec.iam.users)) == 300


def test_identity_center_naming_rules() -> None:
    assert sso_role_path("us-east-1") == "/aws-reserved/sso.amazonaws.com/"
    assert sso_role_path("eu-west-2") == "/aws-reserved/sso.amazonaws.com/eu-west-2/"
    assert session_seconds("PT8H") == 8 * 3600 and session_seconds("PT1H30M") == 5400
    with pytest.raises(ValueError, match="PT8H"):
        session_seconds("8 hours")


@pytest.mark.e2e
def test_seeding_aws_managed_policies_needs_a_server_that_loads_them(local_aws: LocalAws) -> None:
    with pytest.raises(AwsManagedPoliciesMissingError, match="load_aws_managed_policies=True"):
        seed_organization(local_aws, OrganizationSpec.demo())


@pytest.mark.e2e
def test_the_vendor_principal_acts_in_its_own_account_and_may_only_assume_roles(local_aws: LocalAws) -> None:
    vendor = create_vendor_principal(local_aws.endpoint_url)
    sts = vendor.account_session(local_aws.endpoint_url).client("sts")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{VENDOR_ACCOUNT_ID}:user/vendor-collector"
    assert vendor.secret_access_key not in repr(vendor)
    local_aws.enforce_iam(True)
    with pytest.raises(ClientError) as raised:
        vendor.account_session(local_aws.endpoint_url).client("iam").list_users()
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
