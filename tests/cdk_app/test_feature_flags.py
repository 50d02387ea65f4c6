"""cdk.json's feature flags (as ``cdk init`` writes them) grant exactly what the templates grant without them.

The in-process tests synthesize without cdk.json; ``cdk synth`` and ``cdk deploy`` read it. Measured: only
``@aws-cdk/aws-iam:minimizePolicies`` changes a template (it merges the pipeline's policy statements), so
every other template must be byte-for-byte the same, and every policy must allow the same action-resource
pairs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from cdk_app.__main__ import main
from tests.synth import REPO

pytestmark = pytest.mark.cdk

FLAGS: dict[str, Any] = json.loads((REPO / "cdk.json").read_text())["context"]
BASE = {"trustedPrincipal": "arn:aws:iam::111122223333:role/Vendor", "externalId": "Abc123-example"}
# Each with only the keys it reads (any other is refused).
INTEGRATIONS: dict[str, dict[str, str]] = {
    "account": BASE,
    "organization": {
        **BASE,
        "integration": "organization",
        "organizationalUnitIds": "r-ab12",
        "callAs": "SELF",
    },
    "legacy": {
        "externalId": BASE["externalId"],
        "integration": "legacy",
        "accountIds": "111111111111,222222222222",
        "userAccountId": "111111111111",
        "secretReaders": "arn:aws:iam::111111111111:role/Admin",
    },
    "collector-pipeline": {
        "integration": "collector-pipeline",
        "customerRoleNames": "ReadOnlyIntegrationRole",
    },
}


def _synth(context: Mapping[str, Any], outdir: Path) -> dict[str, dict[str, Any]]:
    assert main(context, outdir=str(outdir)) == 0
    return {p.name: json.loads(p.read_text()) for p in sorted(outdir.glob("*.template.json"))}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _grants(template: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    """Every (policy, effect, action, resource, condition) a template's IAM policies state."""
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] not in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            for action in _as_list(statement.get("Action", [])):
                for target in _as_list(statement.get("Resource", [])):
                    yield (
                        logical_id,
                        statement["Effect"],
                        action,
                        json.dumps(target, sort_keys=True),
                        json.dumps(statement.get("Condition"), sort_keys=True),
                    )


def _without_policies(template: Mapping[str, Any]) -> dict[str, Any]:
    kept = {
        k: v
        for k, v in template.get("Resources", {}).items()
        if v["Type"] not in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}
    }
    return {**template, "Resources": kept}


def test_cdk_json_has_the_recommended_flags() -> None:
    assert "@aws-cdk/aws-iam:minimizePolicies" in FLAGS
    assert len(FLAGS) > 80


@pytest.mark.parametrize("integration", sorted(INTEGRATIONS))
def test_the_flags_change_no_grant(integration: str, tmp_path: Path) -> None:
    context = INTEGRATIONS[integration]
    plain = _synth(context, tmp_path / "plain")
    flagged = _synth({**FLAGS, **context}, tmp_path / "flagged")
    assert plain.keys() == flagged.keys()
    for name in plain:
        assert _without_policies(plain[name]) == _without_policies(flagged[name]), name
        assert set(_grants(plain[name])) == set(_grants(flagged[name])), name
    if integration != "collector-pipeline":
        assert plain == flagged  # only the pipeline's policies are merged by minimizePolicies
