"""csms/'s folders are its layers: each imports only the layers below it (docs/architecture.md).

The per-folder ruff.toml files ban the same imports in CI; this reads the import graph itself, so a wrong
import fails here too, with the module that made it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CSMS = Path(__file__).resolve().parents[2] / "custom_components" / "ocpp_core" / "csms"
VERSIONS = {"v16", "v201", "v21"}
ASSEMBLY = {"central", "session"}
# layer -> the top-level parts of csms/ it must not import
FORBIDDEN = {
    "rpc": {"transport", "model", "state", "features", "adapter", *VERSIONS, *ASSEMBLY},
    "transport": {"model", "state", "features", "adapter", *VERSIONS, *ASSEMBLY},
    "model": {"transport", "state", "features", "adapter", *VERSIONS, *ASSEMBLY},
    "state": {"transport", "features", "adapter", *VERSIONS, *ASSEMBLY},
    "features": {*VERSIONS, *ASSEMBLY},
}


def _module(path: Path) -> list[str]:
    parts = list(path.relative_to(CSMS).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path, source: str | None = None) -> list[tuple[list[str], list[str], int]]:
    """(imported module inside csms/ as parts, names imported, line) for every relative import of a module."""
    package = _module(path) if path.name == "__init__.py" else _module(path)[:-1]
    found = []
    text = path.read_text() if source is None else source
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = base + (node.module.split(".") if node.module else [])
            found.append((target, [alias.name for alias in node.names], node.lineno))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            assert not (module or "").startswith("homeassistant"), f"{path}: csms/ imports Home Assistant"
    return found


MODULES = sorted(CSMS.rglob("*.py"))


def _upward(path: Path, source: str | None = None) -> list[str]:
    layer = _module(path)[0] if _module(path) else ""
    forbidden = FORBIDDEN.get(layer, set())
    wrong = []
    for target, names, line in _imports(path, source):
        # "from .. import bounds" imports the module csms.bounds: its first part is the name
        first = target[0] if target else names[0]
        if first in forbidden:
            wrong.append(f"{path.relative_to(CSMS)}:{line} imports csms/{'/'.join(target)}")
    return wrong


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(CSMS)))
def test_no_upward_import(path: Path) -> None:
    assert _upward(path) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(CSMS)))
def test_no_private_name_imported_across_modules(path: Path) -> None:
    for target, names, line in _imports(path):
        private = [name for name in names if name.startswith("_")]
        assert not private, f"{path.relative_to(CSMS)}:{line} imports {private} from csms/{'/'.join(target)}"


def test_an_upward_import_is_seen() -> None:
    """The walk resolves relative imports as Python does (else the tests above would pass whatever the code)."""
    state = CSMS / "state" / "central_state.py"
    assert _upward(state, "from ..v16.commands import V16Commands\n") == [
        "state/central_state.py:1 imports csms/v16/commands"
    ]
    assert _upward(state, "from .. import v201\n") == ["state/central_state.py:1 imports csms/"]
    assert _upward(state, "from ..model.station import Station\nfrom .tags import TagBook\n") == []
    features = CSMS / "features" / "limits.py"
    assert _upward(features, "if TYPE_CHECKING:\n    from ..central import CentralSystem\n") == [
        "features/limits.py:2 imports csms/central"
    ]


def _graph() -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """Module -> the csms/ modules it imports (TYPE_CHECKING imports too: a cycle there is one all the same)."""
    modules = {tuple(_module(path)): path for path in MODULES}
    graph: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for module, path in modules.items():
        deps = set()
        for target, names, _line in _imports(path):
            for name in names:
                candidate = (*target, name)
                deps.add(candidate if candidate in modules else tuple(target))
        graph[module] = {dep for dep in deps if dep in modules and dep not in (module, ())}
    return graph


def _cycles(graph: dict[tuple[str, ...], set[tuple[str, ...]]]) -> list[list[str]]:
    state: dict[tuple[str, ...], int] = {}  # 1: on the path, 2: done
    found: list[list[str]] = []

    def visit(module: tuple[str, ...], path: list[tuple[str, ...]]) -> None:
        state[module] = 1
        path.append(module)
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                found.append(["/".join(part) for part in [*path[path.index(dep) :], dep]])
            elif dep not in state:
                visit(dep, path)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    return found


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_a_cycle_is_seen() -> None:
    graph = _graph()
    graph[("model", "station")].add(("central",))  # as limits.py once imported CentralSystem, the other way
    assert _cycles(graph)
