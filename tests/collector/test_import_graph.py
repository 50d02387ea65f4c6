"""The collector's module layout: the catalog loads no fetch code, and no import circle exists.

The import graph is read from the source (module-level imports only), plus the imports that
collector.permissions, collector.kinds and collector.registry make by name over collector.services.SERVICES.
A function-level import of a collector module (or one under ``if TYPE_CHECKING:``) fails the check: that is
how an import circle hides.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from collector import kinds, registry
from collector.services import SERVICES, module_name

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "collector"
SERVICE_PARTS = ("catalog", "records", "parse", "fetch")
# The modules that import one part of every listed service by name (importlib), not with an import statement.
BY_NAME = {"collector.permissions": "catalog", "collector.kinds": "records", "collector.registry": "fetch"}


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_of(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """The collector modules an import statement loads (a ``from package import name`` loads the submodule
    when ``name`` is one), with the packages above each of them."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    found = []
    for name in names:
        parts = name.split(".")
        found += [m for m in (".".join(parts[: i + 1]) for i in range(len(parts))) if m in MODULES]
    return [m for m in found if m != module]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(statements: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The imports that run when the module is imported (also under a module-level ``if`` or ``try``)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for stmt in statements:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            found.append(stmt)
        elif isinstance(stmt, ast.If) and not _is_type_checking(stmt):
            found += _top_level_imports([*stmt.body, *stmt.orelse])
        elif isinstance(stmt, ast.Try):
            found += _top_level_imports([*stmt.body, *stmt.orelse, *stmt.finalbody])
    return found


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    """Module-level import edges, and every import of a collector module not at module level."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    hidden: list[str] = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        top = _top_level_imports(tree.body)
        for stmt in top:
            edges[module].update(_imported(stmt, module))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and not any(node is t for t in top):
                inner = _imported(node, module)
                if inner:
                    hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {', '.join(inner)}")
    for module, part in BY_NAME.items():
        for service in SERVICES:
            target = module_name(service, part)
            edges[module].update(m for m in MODULES if target == m or target.startswith(f"{m}."))
    return edges, hidden


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path (its first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(edges):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_collector_has_no_import_circle() -> None:
    edges, _ = _graph()
    cycle = _cycle(edges)
    assert cycle is None, "import circle: " + " -> ".join(cycle or ())


def test_the_cycle_check_finds_a_circle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(edges) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_collector_module_is_imported_inside_a_function_or_a_type_checking_block() -> None:
    _, hidden = _graph()
    assert not hidden, "imports not at module level:\n" + "\n".join(hidden)


def test_the_graph_sees_what_each_import_form_loads() -> None:
    edges, _ = _graph()
    assert "collector.services.iam.catalog" in edges["collector.store"]  # from package import module as name
    assert "collector.kinds" in edges["collector.store"]  # from module import name
    assert "collector.services.iam.fetch" in edges["collector.registry"]  # by name, over SERVICES
    assert "collector.services.iam.catalog" in edges["collector.permissions"]
    assert "collector.services.iam" in edges["collector.services.iam.fetch"]  # the packages above


def _loaded_after(statement: str) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("statement", ["import collector.permissions", "import constructs_lib"])
def test_the_catalog_and_the_constructs_load_no_fetch_code(statement: str) -> None:
    loaded = _loaded_after(statement)
    fetch = [m for m in loaded if m.startswith("collector.services.") and m.endswith(".fetch")]
    boto = [m for m in loaded if m.split(".")[0] in ("botocore", "boto3")]
    assert "collector.permissions" in loaded
    assert not fetch, f"{statement} loads fetch modules: {fetch}"
    assert not boto, f"{statement} loads {len(boto)} botocore/boto3 modules, e.g. {boto[:5]}"


def test_the_fresh_interpreter_check_sees_fetch_code_when_it_is_loaded() -> None:
    loaded = _loaded_after("import collector.registry")
    assert "collector.services.iam.fetch" in loaded
    assert "botocore" in loaded


def test_every_service_folder_is_listed_once_and_has_its_four_parts() -> None:
    folders = {p.parent.name for p in (PACKAGE / "services").glob("*/__init__.py")}
    assert sorted(folders) == sorted(SERVICES), (
        "a service folder without its line in SERVICES, or the reverse"
    )
    assert len(set(SERVICES)) == len(SERVICES)
    for service in SERVICES:
        for part in SERVICE_PARTS:
            assert module_name(service, part) in MODULES, f"collector/services/{service}/{part}.py is missing"


def test_a_catalog_imports_only_the_permission_vocabulary() -> None:
    edges, _ = _graph()
    for service in SERVICES:
        imported = edges[module_name(service, "catalog")] - {
            "collector",
            "collector.services",
            f"collector.services.{service}",
        }
        assert imported == {"collector.permission_types"}, service


def test_every_kind_a_fetcher_produces_is_declared_by_a_service() -> None:
    declared = set(kinds.record_types())
    assert set(registry.produced_kinds()) <= declared
    for fetcher in registry.FETCHERS:
        assert {k.__module__ for k in fetcher.kinds} <= {module_name(s, "records") for s in SERVICES}
    assert [f.name for f in registry.FETCHERS] == list(SERVICES)
