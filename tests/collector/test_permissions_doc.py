"""docs/permissions.md is generated from the catalog and must be current."""

from __future__ import annotations

from pathlib import Path

from collector import permissions, permissions_doc

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_committed_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == permissions_doc.render(), (
        "docs/permissions.md is stale: run `make permissions-doc` and commit it"
    )


def test_reference_lists_every_action_with_its_level_and_reason() -> None:
    text = permissions_doc.render()
    for p in permissions.all_permissions():
        assert f"| `{p.action}` | {p.service_prefix} | {p.access_level.value} |" in text
        assert p.reason in text
    for action, what in permissions.DATA_PLANE_DENY:
        assert f"| `{action}` | {what} |" in text


def test_main_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "permissions.md"
    permissions_doc.main(["--out", str(out)])
    assert out.read_text(encoding="utf-8") == permissions_doc.render()
