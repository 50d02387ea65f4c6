"""The trail's log files: the role reads them and nothing else, proven by evaluating the synthesized policies.

Each question is put to IAM's evaluation logic (tests.iam_evaluation) over the role's policies as
CloudFormation would create them, with and without a broad Allow attached later (``*`` on ``*``, what
ReadOnlyAccess would add for these actions): only the explicit Deny stands between that and the data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, BootstraplessSynthesizer, DefaultStackSynthesizer, Validations
from cdk_nag import AwsSolutionsChecks

from collector.formats import InvalidSettingError
from collector.permissions import data_plane_deny_actions
from constructs_lib import (
    AccountIntegrationStack,
    CloudTrailLogs,
    OrganizationIntegrationStack,
    TrustedPrincipal,
)
from constructs_lib.organization import IDENTITY_CENTER_CONDITION as IDENTITY_CENTER
from constructs_lib.organization import LOG_ARCHIVE_CONDITION
from constructs_lib.stack_set import CallAs, Targets
from tests.cfn_intrinsics import evaluate
from tests.iam_evaluation import Decision, decide
from tests.synth import cfn_lint, resources

pytestmark = pytest.mark.cdk

VENDOR = "arn:aws:iam::111122223333:role/Vendor"
BUCKET = "aws-controltower-logs-222233334444-eu-west-1"
PREFIX = "o-a1b2c3d4e5"
KEY = "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:eu-west-1:222233334444:key/99999999-12ab-34cd-56ef-1234567890ab"
LOG_ARCHIVE = "222233334444"
LOG = (
    f"arn:aws:s3:::{BUCKET}/{PREFIX}/AWSLogs/o-a1b2c3d4e5/333344445555/CloudTrail/eu-west-1/2026/05/06/"
    "333344445555_CloudTrail_eu-west-1_20260506T1105Z_Ab12.json.gz"
)
VIA_S3 = {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
ALLOW_EVERYTHING = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

Template = dict[str, Any]


@dataclass(frozen=True)
class Synthesized:
    templates: dict[str, Template]


@pytest.fixture(scope="module")
def synthesized() -> Iterator[Synthesized]:
    app = App()
    accounts = {
        "sse-kms": CloudTrailLogs.bucket(BUCKET, prefix=PREFIX, kms_key_arn=KEY),
        "sse-s3": CloudTrailLogs.bucket(BUCKET),
        "none": None,
    }
    for name, logs in accounts.items():
        AccountIntegrationStack(
            app,
            name,
            trusted_principal=TrustedPrincipal.role_arn(VENDOR),
            cloud_trail_logs=logs,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
        )
    for name, archive in (("org-log-archive", LOG_ARCHIVE), ("org-management", None)):
        OrganizationIntegrationStack(
            app,
            name,
            integration_props={
                "trusted_principal": TrustedPrincipal.role_arn(VENDOR),
                "targets": Targets.organizational_units(["r-ab12"]),
                "call_as": CallAs.SELF,
                "cloud_trail_logs": CloudTrailLogs.bucket(BUCKET, prefix=PREFIX, kms_key_arn=KEY),
                "log_archive_account_id": archive,
            },
            synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
            analytics_reporting=False,
        )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()  # fails on any unacknowledged cdk-nag finding
    names = [*accounts, "org-log-archive", "org-management"]
    yield Synthesized({n: assembly.get_stack_by_name(n).template for n in names})


def _documents(
    template: Template, *, conditions: Mapping[str, bool] | None = None, role: str | None = None
) -> list[Any]:
    """The policy documents attached to the (one, or named) role, as CloudFormation creates them."""
    found = []
    for policy in resources(template, "AWS::IAM::ManagedPolicy").values():
        if role is not None and policy["Properties"]["Roles"] != [{"Ref": role}]:
            continue
        if "Condition" in policy and not (conditions or {})[policy["Condition"]]:
            continue
        found.append(evaluate(policy["Properties"]["PolicyDocument"], {}, conditions=conditions))
    return found


def _ask(
    documents: list[Any], action: str, resource: str, context: Mapping[str, str] | None = None
) -> tuple[Decision, Decision]:
    """The decision as deployed, and with a broad Allow attached to the role later."""
    return decide(documents, action, resource, context), decide(
        [*documents, ALLOW_EVERYTHING], action, resource, context
    )


ALLOWED = (Decision.ALLOWED, Decision.ALLOWED)
# Denied as deployed, and by the explicit Deny even with a broad Allow attached later.
DENIED = (Decision.EXPLICIT_DENY, Decision.EXPLICIT_DENY)


def test_the_evaluator_itself() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/a/*"}]}
    assert decide([ALLOW_EVERYTHING, deny], "s3:getobject", "arn:aws:s3:::b/a/x") is Decision.ALLOWED
    assert decide([ALLOW_EVERYTHING, deny], "s3:GetObject", "arn:aws:s3:::b/x") is Decision.EXPLICIT_DENY
    assert decide([deny], "s3:GetObject", "arn:aws:s3:::b/a/x") is Decision.IMPLICIT_DENY
    negated = {
        "Statement": [
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"k": "v"}}}
        ]
    }
    assert (
        decide([ALLOW_EVERYTHING, negated], "a:B", "r") is Decision.EXPLICIT_DENY
    )  # no key: the negation holds
    assert decide([ALLOW_EVERYTHING, negated], "a:B", "r", {"k": "v"}) is Decision.ALLOWED


def test_the_log_files_and_only_they_may_be_read(synthesized: Synthesized) -> None:
    documents = _documents(synthesized.templates["sse-kms"])
    assert _ask(documents, "s3:GetObject", LOG) == ALLOWED
    bucket = f"arn:aws:s3:::{BUCKET}"
    for other in (
        f"{bucket}/secrets.txt",
        f"{bucket}/{PREFIX}/other/x.json.gz",
        f"{bucket}/AWSLogs/o-a1b2c3d4e5/333344445555/CloudTrail/eu-west-1/x.json.gz",  # without the prefix
        f"{bucket}-copy/{PREFIX}/AWSLogs/x.json.gz",  # another bucket, same keys
        "arn:aws:s3:::customer-data/AWSLogs/x",
    ):
        assert _ask(documents, "s3:GetObject", other) == DENIED, other
    assert _ask(documents, "s3:GetObjectVersion", LOG) == DENIED  # still denied everywhere


def test_listing_only_under_the_log_prefix(synthesized: Synthesized) -> None:
    documents = _documents(synthesized.templates["sse-kms"])
    bucket = f"arn:aws:s3:::{BUCKET}"
    region_prefix = {"s3:prefix": f"{PREFIX}/AWSLogs/o-a1b2c3d4e5/333344445555/CloudTrail/eu-west-1/"}
    assert decide(documents, "s3:ListBucket", bucket, region_prefix) is Decision.ALLOWED
    for context in ({}, {"s3:prefix": ""}, {"s3:prefix": "private/"}, {"s3:prefix": "AWSLogs/"}):
        assert decide(documents, "s3:ListBucket", bucket, context) is Decision.IMPLICIT_DENY, context
    assert (
        decide(documents, "s3:ListBucket", "arn:aws:s3:::other-bucket", region_prefix)
        is Decision.IMPLICIT_DENY
    )


def test_decryption_only_with_the_trails_key_and_only_through_s3(synthesized: Synthesized) -> None:
    documents = _documents(synthesized.templates["sse-kms"])
    assert _ask(documents, "kms:Decrypt", KEY, VIA_S3) == ALLOWED
    assert _ask(documents, "kms:Decrypt", KEY) == DENIED  # a direct call
    assert _ask(documents, "kms:Decrypt", KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com"}) == DENIED
    assert (
        _ask(documents, "kms:Decrypt", KEY, {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"})
        == DENIED
    )
    assert _ask(documents, "kms:Decrypt", OTHER_KEY, VIA_S3) == DENIED


def test_every_other_data_plane_read_stays_denied(synthesized: Synthesized) -> None:
    for name in ("sse-kms", "sse-s3", "none"):
        documents = _documents(synthesized.templates[name])
        for action in data_plane_deny_actions():
            resource = "arn:aws:secretsmanager:eu-west-1:222233334444:secret:x"
            assert _ask(documents, action, resource, VIA_S3)[1] is Decision.EXPLICIT_DENY, (name, action)


def test_without_a_key_decryption_stays_denied_on_every_key(synthesized: Synthesized) -> None:
    documents = _documents(synthesized.templates["sse-s3"])
    assert _ask(documents, "kms:Decrypt", KEY, VIA_S3) == DENIED
    assert (
        _ask(documents, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/AWSLogs/o-x/1/CloudTrail/r/x.json.gz")
        == ALLOWED
    )
    assert _ask(documents, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/other") == DENIED


def test_without_the_prop_nothing_of_s3_or_kms_is_allowed(synthesized: Synthesized) -> None:
    template = synthesized.templates["none"]
    documents = _documents(template)
    assert _ask(documents, "s3:GetObject", LOG) == DENIED
    assert _ask(documents, "kms:Decrypt", KEY, VIA_S3) == DENIED
    assert (
        decide(documents, "s3:ListBucket", f"arn:aws:s3:::{BUCKET}", {"s3:prefix": f"{PREFIX}/AWSLogs/"})
        is Decision.IMPLICIT_DENY
    )
    assert len(resources(template, "AWS::IAM::ManagedPolicy")) == 2 and "ReadTrailLogs" not in str(template)


def test_only_the_log_archive_members_role_reads_the_files(synthesized: Synthesized) -> None:
    outer = synthesized.templates["org-log-archive"]
    (stack_set,) = resources(outer, "AWS::CloudFormation::StackSet").values()
    assert {"ParameterKey": "LogArchiveAccountId", "ParameterValue": LOG_ARCHIVE} in stack_set["Properties"][
        "Parameters"
    ]
    assert outer["Outputs"]["LogArchiveAccountId"]["Value"] == LOG_ARCHIVE

    member = json.loads(stack_set["Properties"]["TemplateBody"])
    assert cfn_lint(member) == []
    archive = _documents(member, conditions={LOG_ARCHIVE_CONDITION: True, IDENTITY_CENTER: False})
    assert _ask(archive, "s3:GetObject", LOG) == ALLOWED
    assert _ask(archive, "kms:Decrypt", KEY, VIA_S3) == ALLOWED
    assert _ask(archive, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/secrets.txt") == DENIED
    other_member = _documents(member, conditions={LOG_ARCHIVE_CONDITION: False, IDENTITY_CENTER: False})
    assert _ask(other_member, "s3:GetObject", LOG) == DENIED  # the Deny is whole there
    assert _ask(other_member, "kms:Decrypt", KEY, VIA_S3) == DENIED
    management = _documents(outer)  # the management account's role
    assert _ask(management, "s3:GetObject", LOG) == DENIED


def test_without_a_log_archive_account_the_management_role_reads_them(synthesized: Synthesized) -> None:
    outer = synthesized.templates["org-management"]
    assert _ask(_documents(outer), "s3:GetObject", LOG) == ALLOWED

    (stack_set,) = resources(outer, "AWS::CloudFormation::StackSet").values()
    member = json.loads(stack_set["Properties"]["TemplateBody"])
    assert "LogArchiveAccountId" not in member.get("Parameters", {})
    assert _ask(_documents(member, conditions={IDENTITY_CENTER: False}), "s3:GetObject", LOG) == DENIED


@pytest.mark.parametrize(
    ("args", "setting"),
    [
        (("Bad_Bucket",), "CloudTrailLogs.bucket name"),
        ((BUCKET, "/leading"), "CloudTrailLogs prefix"),
        ((BUCKET, "logs/*"), "CloudTrailLogs prefix"),
        ((BUCKET, None, "arn:aws:kms:eu-west-1:222233334444:alias/trail"), "CloudTrailLogs kms_key_arn"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(args: tuple[Any, ...], setting: str) -> None:
    name, *rest = args
    prefix = rest[0] if rest else None
    key = rest[1] if len(rest) > 1 else None
    with pytest.raises(InvalidSettingError) as raised:
        CloudTrailLogs.bucket(name, prefix=prefix, kms_key_arn=key)
    assert raised.value.setting == setting
