"""Helpers shared by the CDK tests: read synthesized templates, lint them with cfn-lint's Python API."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cfnlint.api import lint
from cfnlint.config import ManualArgs

REPO = Path(__file__).resolve().parents[1]
# One region per partition: the templates must be valid wherever they are deployed.
LINT_REGIONS = ["us-east-1", "eu-central-1", "us-gov-west-1", "cn-north-1"]
HARD_CODED_PARTITION = re.compile(r"arn:aws(-[a-z]+)*:")

Template = Mapping[str, Any]


def cfn_lint(template: Template, ignore: tuple[str, ...] = ()) -> list[str]:
    """cfn-lint findings at its default levels (errors and warnings), as readable lines; ``ignore`` names
    rules to leave out (each caller says why)."""
    matches = lint(json.dumps(template), config=ManualArgs(regions=LINT_REGIONS, ignore_checks=list(ignore)))
    return [str(m) for m in matches]


def resources(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def the_role(template: Template) -> dict[str, Any]:
    roles = resources(template, "AWS::IAM::Role")
    assert len(roles) == 1, roles.keys()
    properties: dict[str, Any] = next(iter(roles.values()))["Properties"]
    return properties


def the_role_id(template: Template) -> str:
    return next(iter(resources(template, "AWS::IAM::Role")))


def policy_statements(template: Template, effect: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in resources(template, "AWS::IAM::ManagedPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == effect
    ]


def actions(statement: Mapping[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def minified_size(document: Any) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def only_partition_rule(template: Template, partition: str = "aws") -> bool:
    """The template's only Rule (if any) is the one that keeps a named ARN in its partition: no bootstrap
    version check."""
    rules = template.get("Rules", {})
    name = "RequiredPartition" + "".join(p.capitalize() for p in partition.split("-"))
    return set(rules) <= {name}
