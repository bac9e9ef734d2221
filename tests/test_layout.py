"""The code's layout holds: each part imports only the parts below it, without cycles, and no
module or class grows past the size a reader can hold without a reason written at its top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Each part, and the parts it may import. The root of `indexer` is the contract both sides
# use (document, schema, facets, store, officials, ...).
LAYERS = {
    "indexer": {"indexer"},
    "indexer.cleaning": {"indexer", "indexer.cleaning"},
    "indexer.engine": {"indexer", "indexer.engine"},
    "indexer.building": {"indexer", "indexer.cleaning", "indexer.engine", "indexer.building"},
    "search_app": {"indexer", "indexer.engine", "search_app"},
}
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 200
REASON = "Long because"  # how a module or class says why it is longer


def modules() -> dict[str, Path]:
    found = {}
    for package in ("indexer", "search_app"):
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def layer_of(module: str) -> str:
    return max((layer for layer in LAYERS if module == layer or module.startswith(layer + ".")),
               key=len)


def imports_of(path: Path) -> set[str]:
    """The modules of ours that `path` imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    ours = modules()
    return {name for name in names if name in ours}


def test_each_part_imports_only_the_parts_below_it() -> None:
    wrong = [f"{module} imports {imported}"
             for module, path in modules().items()
             for imported in sorted(imports_of(path))
             if layer_of(imported) not in LAYERS[layer_of(module)]]
    assert wrong == []


def test_no_module_imports_itself_round_a_cycle() -> None:
    graph = {module: imports_of(path) - {module} for module, path in modules().items()}
    # A package's __init__ that re-exports its modules is not a cycle with them.
    for module, imported in graph.items():
        graph[module] = {other for other in imported if not module.startswith(other + ".")}
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if module in trail:
            pytest.fail("import cycle: " + " -> ".join((*trail[trail.index(module):], module)))
        if module in done:
            return
        for other in sorted(graph[module]):
            visit(other, (*trail, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_modules_and_classes_stay_short_or_say_why() -> None:
    long = []
    for module, path in modules().items():
        text = path.read_text("utf-8")
        tree = ast.parse(text)
        if len(text.splitlines()) > MAX_MODULE_LINES and REASON not in (
                ast.get_docstring(tree) or ""):
            long.append(f"{module}: {len(text.splitlines())} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES and REASON not in (ast.get_docstring(node) or ""):
                    long.append(f"{module}.{node.name}: {lines} lines")
    assert long == []
