"""Every relative link of README.md and docs/*.md points to a file of the repository, and a ``#fragment`` to
a heading of that file (as GitHub derives heading anchors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text outside code blocks and code spans, where a link is a link."""
    return _CODE.sub("", _FENCE.sub("", text))


def links(document: Path) -> list[str]:
    return _LINK.findall(prose(document.read_text()))


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, no punctuation but ``-`` and ``_``, spaces as ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(document: Path) -> set[str]:
    found: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", document.read_text())):
        base = anchor(heading)
        name, n = base, 0
        while name in found:  # repeated headings get -1, -2, ...
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def test_the_anchor_rule_matches_github() -> None:
    assert anchor("ExternalId: shared or per account") == "externalid-shared-or-per-account"
    assert anchor("The demo (`local_aws.demo`)") == "the-demo-local_awsdemo"
    assert anchor("`make demo` and `make test`") == "make-demo-and-make-test"


def test_the_documents_link_to_each_other() -> None:
    assert any(target.startswith("docs/") for target in links(ROOT / "README.md"))
    assert sum(len(links(d)) for d in DOCUMENTS) > len(DOCUMENTS)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: str(d.relative_to(ROOT)))
def test_every_relative_link_resolves(document: Path) -> None:
    broken = []
    for target in links(document):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, fragment = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.is_file() or ROOT not in linked.parents:
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading #{fragment} in {linked.relative_to(ROOT)}")
    assert not broken, f"{document.relative_to(ROOT)}: {broken}"
