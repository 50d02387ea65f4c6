"""account_template(): the bootstrap-free template that other rollouts (a StackSet) embed."""

from __future__ import annotations

import json

import pytest

from collector.permissions import Feature, actions_for
from constructs_lib import ExternalId, TrustedPrincipal, account_template
from tests.synth import actions, cfn_lint, only_partition_rule, policy_statements

pytestmark = pytest.mark.cdk

STACKSET_TEMPLATE_BODY_LIMIT = 51_200  # bytes, CloudFormation's inline TemplateBody limit


def test_member_template_is_plain_small_and_lint_clean() -> None:
    template = account_template(
        trusted_principal=TrustedPrincipal.role_arn("arn:aws:iam::111122223333:role/V")
    )
    assert set(template) == {"Parameters", "Resources", "Outputs", "Rules"} and only_partition_rule(template)
    assert list(template["Parameters"]) == ["ExternalId"]
    assert all("Metadata" not in r for r in template["Resources"].values())
    assert len(json.dumps(template).encode()) < STACKSET_TEMPLATE_BODY_LIMIT
    assert cfn_lint(template) == []


def test_member_template_passes_the_role_props() -> None:
    template = account_template(
        trusted_principal=TrustedPrincipal.account("111122223333"),
        external_id=ExternalId.literal("Abc123-example"),
        features=frozenset(Feature),
        role_name="VendorReadOnly",
    )
    assert "Parameters" not in template
    granted = sorted(a for s in policy_statements(template, "Allow") for a in actions(s))
    assert granted == sorted(actions_for(Feature))
    assert "VendorReadOnly" in json.dumps(template)
