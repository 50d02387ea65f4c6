"""The README's Python examples run as written, and the figures it states about the catalog are current.

A block that uses ``stack`` gets a fresh CDK stack (what "in your own CDK app" means) and must add
constructs to it that synthesize; any other block runs as it is (the local AWS one starts a server).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collector.permissions import DEFAULT_FEATURES, Feature, actions_for

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks() -> list[str]:
    return _BLOCK.findall(README.read_text())


def _first_line(block: str) -> str:
    return next(line for line in block.splitlines() if line.strip() and not line.startswith("from "))


def test_the_readme_has_the_examples_it_promises() -> None:
    blocks = python_blocks()
    uses = " ".join(blocks)
    # One per way of importing the constructs (account, organization, legacy) and the local AWS.
    for name in ("IntegrationRole(", "OrganizationIntegration(", "LegacyIntegrationUser(", "LocalAws("):
        assert name in uses, name


@pytest.mark.cdk
@pytest.mark.e2e
@pytest.mark.parametrize("block", python_blocks(), ids=_first_line)
def test_a_python_example_runs(block: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": "readme_example"}
    if re.search(r"\bstack\b", block):
        from aws_cdk import App, Stack  # noqa: PLC0415 - only the construct examples need jsii

        app = App(outdir=str(tmp_path))
        stack = Stack(app, "ReadmeExample")
        namespace["stack"] = stack
        exec(compile(block, str(README), "exec"), namespace)  # the README's own example
        assert stack.node.children, "the example added nothing to the stack"
        assert app.synth().get_stack_by_name("ReadmeExample").template["Resources"]
    else:
        exec(compile(block, str(README), "exec"), namespace)


def test_the_catalog_figures_in_the_readme_are_current() -> None:
    text = " ".join(README.read_text().split())
    default, every = len(actions_for(DEFAULT_FEATURES)), len(actions_for(Feature))
    assert f"grant {default} actions; all features {every}" in text
