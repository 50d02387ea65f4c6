"""A named ARN keeps its partition: the same 12 digits are another account in another partition, so a trusted
principal or a boundary of aws-cn must never end up trusting or naming an identity of aws."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_app.__main__ import main
from cdk_app.build import ACCOUNT_STACK_ID, ORGANIZATION_STACK_ID
from cdk_app.legacy_build import ROLE_STACK_PREFIX, USER_STACK_ID
from collector import formats
from collector.formats import InvalidSettingError
from tests.cfn_intrinsics import evaluate
from tests.synth import the_role

pytestmark = pytest.mark.cdk

CN_ROLE = "arn:aws-cn:iam::111122223333:role/Vendor"
CN_BOUNDARY = "arn:aws-cn:iam::444455556666:policy/Boundary"


def _template(outdir: Path, stack_id: str) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((outdir / f"{stack_id}.template.json").read_text())
    return template


def _deployable_in(template: dict[str, Any], partition: str) -> bool:
    """Whether every Rule of the template holds when CloudFormation deploys it in ``partition``."""
    return all(
        evaluate(assertion["Assert"], {}, partition=partition)
        for rule in template.get("Rules", {}).values()
        for assertion in rule["Assertions"]
    )


def _trusted(template: dict[str, Any], partition: str) -> str:
    statement = the_role(template)["AssumeRolePolicyDocument"]["Statement"][0]
    return str(evaluate(statement["Principal"]["AWS"], {"ExternalId": "x"}, partition=partition))


def test_a_principal_of_another_partition_deploys_only_there_and_trusts_exactly_it(tmp_path: Path) -> None:
    context = {
        "trustedPrincipal": CN_ROLE,
        "externalId": "Abc123-example",
        "permissionsBoundaryArn": CN_BOUNDARY,
    }
    assert main(context, outdir=str(tmp_path)) == 0
    template = _template(tmp_path, ACCOUNT_STACK_ID)
    assert not _deployable_in(template, "aws") and not _deployable_in(template, "aws-us-gov")
    assert _deployable_in(template, "aws-cn")
    assert _trusted(template, "aws-cn") == CN_ROLE
    boundary = the_role(template)["PermissionsBoundary"]
    assert evaluate(boundary, {}, partition="aws-cn") == CN_BOUNDARY
    (rule,) = template["Rules"].values()
    assert "aws-cn" in rule["Assertions"][0]["AssertDescription"]


def test_the_organizations_roles_keep_the_partition_too(tmp_path: Path) -> None:
    context = {
        "integration": "organization",
        "trustedPrincipal": CN_ROLE,
        "organizationalUnitIds": "r-ab12",
        "callAs": "SELF",
        "externalId": "Abc123-example",
    }
    assert main(context, outdir=str(tmp_path)) == 0
    outer = _template(tmp_path, ORGANIZATION_STACK_ID)
    assert _deployable_in(outer, "aws-cn") and not _deployable_in(outer, "aws")
    (stack_set,) = [r for r in outer["Resources"].values() if r["Type"] == "AWS::CloudFormation::StackSet"]
    member = json.loads(stack_set["Properties"]["TemplateBody"])
    assert _deployable_in(member, "aws-cn") and not _deployable_in(member, "aws")


def test_a_principal_and_a_boundary_of_two_partitions_are_refused_at_synth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = {
        "trustedPrincipal": "arn:aws:iam::111122223333:role/Vendor",
        "externalId": "Abc123-example",
        "permissionsBoundaryArn": CN_BOUNDARY,
    }
    assert main(context, outdir=str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "trustedPrincipal: got 'arn:aws:iam::111122223333:role/Vendor'" in err
    assert "expected an ARN in partition aws-cn, as the stack's other ARNs" in err


def test_an_aws_managed_boundary_is_the_same_policy_everywhere(tmp_path: Path) -> None:
    context = {
        "trustedPrincipal": CN_ROLE,
        "externalId": "Abc123-example",
        "permissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }
    assert main(context, outdir=str(tmp_path)) == 0
    template = _template(tmp_path, ACCOUNT_STACK_ID)
    boundary = the_role(template)["PermissionsBoundary"]
    assert evaluate(boundary, {}, partition="aws-cn") == "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"


def test_an_account_id_or_a_parameter_names_no_partition(tmp_path: Path) -> None:
    assert main({"trustedPrincipal": "111122223333"}, outdir=str(tmp_path)) == 0
    template = _template(tmp_path, ACCOUNT_STACK_ID)
    assert "Rules" not in template
    assert _trusted(template, "aws-cn") == "arn:aws-cn:iam::111122223333:root"


def test_the_legacy_roles_trust_their_own_user_in_any_partition_and_readers_keep_theirs(
    tmp_path: Path,
) -> None:
    context = {
        "integration": "legacy",
        "userAccountId": "111111111111",
        "accountIds": "222222222222",
        "secretReaders": "arn:aws-cn:iam::111111111111:role/Admin",
        "externalId": "Abc123-example",
    }
    assert main(context, outdir=str(tmp_path)) == 0
    role = _template(tmp_path, f"{ROLE_STACK_PREFIX}222222222222")
    assert "Rules" not in role  # the user is this app's, deployed alongside in the same partition
    assert _trusted(role, "aws-cn").startswith("arn:aws-cn:iam::111111111111:user/")
    user = _template(tmp_path, USER_STACK_ID)
    assert _deployable_in(user, "aws-cn") and not _deployable_in(user, "aws")


WIDENING = [
    "arn:aws:iam::111122223333:role/team*/Vendor",
    "arn:aws:iam::111122223333:role/te?m/Vendor",
    "arn:aws:iam::111122223333:role/" + "V" * 65,
    "arn:aws:iam::111122223333:user/" + "u" * 65,
    "arn:aws:iam::111122223333:role/" + "p" * 511 + "/Vendor",
]


@pytest.mark.parametrize(
    "arn", WIDENING, ids=["star-path", "question-path", "long-role", "long-user", "long-path"]
)
def test_wildcards_in_paths_and_names_over_iams_limits_are_refused(arn: str) -> None:
    with pytest.raises(InvalidSettingError, match="trustedPrincipal"):
        formats.trusted_principal(arn)
    with pytest.raises(InvalidSettingError):
        formats.principal_arn(arn)
    if ":role/" in arn:
        with pytest.raises(InvalidSettingError):
            formats.role_arn(arn)


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (formats.iam_path, "/team*/"),
        (formats.iam_path, "/te?m/"),
        (formats.iam_path, "/" + "p" * 511 + "/"),
        (formats.policy_arn, "arn:aws:iam::111122223333:policy/*"),
        (formats.policy_arn, "arn:aws:iam::111122223333:policy/team*/Boundary"),
        (formats.policy_arn, "arn:aws:iam::111122223333:policy/" + "b" * 129),
    ],
)
def test_wildcard_paths_and_policy_arns_are_refused(check: Any, value: str) -> None:
    with pytest.raises(InvalidSettingError):
        check(value, "setting")


def test_the_longest_valid_names_and_paths_pass() -> None:
    assert (
        formats.trusted_principal("arn:aws:iam::111122223333:role/" + "p" * 510 + "/" + "V" * 64).kind
        == "role"
    )
    assert formats.iam_path("/" + "p" * 510 + "/", "path")
    assert formats.policy_arn("arn:aws:iam::aws:policy/service-role/AWSConfigRole", "p")
