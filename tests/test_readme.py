"""The Python examples of the README and of docs/*.md run as written, and the figures they state about the
catalog are current.

A block that uses ``stack`` gets a fresh CDK stack (what "in your own CDK app" means) and must add
constructs to it that synthesize; any other block runs as it is (the local AWS one starts a server).
Shell blocks are documentation only; the commands that matter are run by the tests of what they call.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import CodeType

import pytest

from collector.permissions import DEFAULT_FEATURES, Feature, actions_for

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = tuple(sorted((ROOT / "docs").glob("*.md")))
DOCUMENTS = (README, *DOCS)
README_MAX_LINES = 300
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
_CATALOG_FIGURES = re.compile(r"grant (\d+) actions; all features (\d+)")


def python_blocks(document: Path = README) -> list[str]:
    return _BLOCK.findall(document.read_text())


def every_python_block() -> list[tuple[Path, str]]:
    return [(document, block) for document in DOCUMENTS for block in python_blocks(document)]


def _first_line(block: str) -> str:
    return next(line for line in block.splitlines() if line.strip() and not line.startswith("from "))


def _example_id(example: tuple[Path, str]) -> str:
    document, block = example
    return f"{document.relative_to(ROOT)}: {_first_line(block)}"


def _compiled(document: Path, block: str) -> CodeType:
    # dont_inherit: the example runs as written, without this module's ``from __future__`` imports.
    return compile(block, str(document), "exec", dont_inherit=True)


def _flat(document: Path) -> str:
    return " ".join(document.read_text().split())


def test_the_readme_has_the_examples_it_promises() -> None:
    uses = " ".join(block for _, block in every_python_block())
    # One per way of importing the constructs (account, organization, legacy) and the local AWS.
    for name in ("IntegrationRole(", "OrganizationIntegration(", "LegacyIntegrationUser(", "LocalAws("):
        assert name in uses, name
    # The README itself shows one example per provisioning method; each guide has its own.
    readme = " ".join(python_blocks(README))
    for name in ("IntegrationRole(", "OrganizationIntegration(", "LegacyIntegrationUser("):
        assert name in readme, name
    for guide, name in (
        ("deploy-account.md", "IntegrationRole("),
        ("deploy-organization.md", "OrganizationIntegration("),
        ("deploy-legacy.md", "LegacyIntegrationUser("),
        ("pipeline.md", "CollectorPipeline("),
        ("local-aws.md", "LocalAws("),
        ("architecture.md", "Fetcher("),
    ):
        assert name in " ".join(python_blocks(ROOT / "docs" / guide)), (guide, name)


def test_the_docs_folder_has_a_page_per_audience() -> None:
    names = {d.name for d in DOCS}
    expected = {
        "deploy-account.md",
        "deploy-organization.md",
        "deploy-legacy.md",
        "collector.md",
        "onboarding-and-doctor.md",
        "pipeline.md",
        "local-aws.md",
        "security-model.md",
        "permissions.md",
        "benchmarks.md",
        "architecture.md",
    }
    assert expected <= names, sorted(expected - names)


def test_the_readme_is_a_first_read() -> None:
    lines = README.read_text().count("\n")
    assert lines < README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"
    # The first commands a fresh clone runs: the demo, then the test command CI runs (.ci/run: make test).
    first_block = re.search(r"^```sh\n(.*?)^```", README.read_text(), re.DOTALL | re.MULTILINE)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make demo", "make test"]


@pytest.mark.cdk
@pytest.mark.e2e
@pytest.mark.parametrize("example", every_python_block(), ids=_example_id)
def test_a_python_example_runs(
    example: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, block = example
    namespace: dict[str, object] = {"__name__": "readme_example"}
    if re.search(r"\bstack\b", block):
        from aws_cdk import App, Stack  # noqa: PLC0415 - only the construct examples need jsii

        app = App(outdir=str(tmp_path))
        stack = Stack(app, "ReadmeExample")
        namespace["stack"] = stack
        exec(_compiled(document, block), namespace)  # the document's own example
        assert stack.node.children, "the example added nothing to the stack"
        assert app.synth().get_stack_by_name("ReadmeExample").template["Resources"]
    else:
        exec(_compiled(document, block), namespace)


def test_the_catalog_figures_in_the_readme_are_current() -> None:
    text = _flat(README)
    default, every = len(actions_for(DEFAULT_FEATURES)), len(actions_for(Feature))
    assert f"grant {default} actions; all features {every}" in text
    for document in DOCS:  # wherever else the figures are stated
        for stated in _CATALOG_FIGURES.findall(_flat(document)):
            assert stated == (str(default), str(every)), document.name
