"""The layers of ``dagster_project`` and the imports between them.

``core`` holds the domain basics and imports nothing else of the project;
``lib`` never imports ``defs`` (callers hand it what it needs from Dagster's
side); and no module imports itself, directly or round a cycle. Every import
counts: module level, inside functions, relative, and
``importlib.import_module("...")`` of a literal name.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "dagster_project"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / PACKAGE

# (importer, imported, why not): a layer may always import its own modules
FORBIDDEN = (
    (f"{PACKAGE}.lib", f"{PACKAGE}.defs", "lib must not import defs"),
    (f"{PACKAGE}.core", PACKAGE, "core imports nothing of the project outside core"),
)


def module_names(package_dir: Path) -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _import_module_call(node: ast.AST) -> str | None:
    """``x`` of ``importlib.import_module("x")`` (or a bare ``import_module``)."""
    if not (isinstance(node, ast.Call) and node.args):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    first = node.args[0]
    if name == "import_module" and isinstance(first, ast.Constant):
        return first.value if isinstance(first.value, str) else None
    return None


def _imported_names(module: str, is_package: bool, tree: ast.AST) -> Iterator[tuple[str, str]]:
    """(imported module or ``module.attribute``, the name it was reached by)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # `from . import x` in a package's __init__ is relative to the package itself
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                yield f"{target}.{alias.name}", target
        elif (name := _import_module_call(node)) is not None:
            yield name, name


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the project's modules it imports (an attribute imported from
    a module is an edge to that module). The packages an import passes
    through are not edges: Python runs their ``__init__`` first, and one
    that imports its own submodules is no cycle."""
    modules = module_names(package_dir)
    package = package_dir.name
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for candidate, fallback in _imported_names(name, path.name == "__init__.py", tree):
            target = candidate if candidate in modules else fallback
            if _within(target, package) and target in modules:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, and modules
    importing themselves (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return sorted(found)


def cycle_path(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One way round a strongly connected component, first module repeated
    at the end: the imports to read when breaking it."""
    start, members = component[0], set(component)
    came_from: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(graph[node] & members):
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    raise AssertionError(f"{component} is not a cycle")


def forbidden_edges(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for importer, imported in sorted((a, b) for a, targets in graph.items() for b in targets):
        for layer, other, why in FORBIDDEN:
            if (
                _within(importer, layer)
                and _within(imported, other)
                and not _within(imported, layer)
            ):
                found.append(f"{importer} -> {imported} ({why})")
    return found


GRAPH = import_graph(PACKAGE_DIR)


def test_no_module_of_the_project_imports_itself_round_a_cycle():
    found = [" -> ".join(cycle_path(GRAPH, component)) for component in cycles(GRAPH)]
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_layers_import_only_downwards():
    found = forbidden_edges(GRAPH)
    assert not found, "forbidden imports:\n" + "\n".join(found)


def test_core_needs_only_the_standard_library_and_dagster():
    outside = sorted(
        f"{path.relative_to(PACKAGE_DIR.parent)}: {name}"
        for path in sorted((PACKAGE_DIR / "core").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0)
        for name in (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
        )
        if name.partition(".")[0] not in {*sys.stdlib_module_names, "dagster", PACKAGE}
    )
    assert not outside, outside


def test_the_command_line_starts_without_loading_dagster():
    """``payroll --help`` answers at once: the CLI imports core (standard
    library only) at module level and everything else when a command runs."""
    probe = "import sys, dagster_project.cli; print('dagster' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_the_graph_sees_imports_inside_functions_and_at_every_level():
    """The checks above are only as good as the graph: it holds the CLI's
    function-local imports and definitions.py's module-level ones."""
    assert f"{PACKAGE}.definitions" in GRAPH[f"{PACKAGE}.cli"]  # inside _definitions()
    assert f"{PACKAGE}.doctor" in GRAPH[f"{PACKAGE}.cli"]  # inside doctor()
    assert f"{PACKAGE}.defs.sensors.alerts" in GRAPH[f"{PACKAGE}.definitions"]
    assert f"{PACKAGE}.lib.gx_suites" in GRAPH[f"{PACKAGE}.lib.gx_prefetch"]  # import_module


def test_relative_imports_cycles_and_forbidden_edges_are_found(tmp_path):
    package = tmp_path / PACKAGE
    files = {
        "__init__.py": "",
        "core/__init__.py": "from . import names\n",
        "core/names.py": "def f():\n    from ..lib import tool\n",
        "lib/__init__.py": "",
        "lib/tool.py": "from .other import helper\n",
        "lib/other.py": "def g():\n    from dagster_project.defs.jobs import job\n",
        "lib/selfish.py": "from dagster_project.lib import selfish\n",
        "defs/__init__.py": "",
        "defs/jobs.py": "import dagster_project.lib.tool\n",
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    graph = import_graph(package)
    assert graph[f"{PACKAGE}.core"] == {f"{PACKAGE}.core.names"}
    assert graph[f"{PACKAGE}.core.names"] == {f"{PACKAGE}.lib.tool"}
    assert cycles(graph) == [
        [f"{PACKAGE}.defs.jobs", f"{PACKAGE}.lib.other", f"{PACKAGE}.lib.tool"],
        [f"{PACKAGE}.lib.selfish"],
    ]
    assert cycle_path(graph, cycles(graph)[0]) == [
        f"{PACKAGE}.defs.jobs",
        f"{PACKAGE}.lib.tool",
        f"{PACKAGE}.lib.other",
        f"{PACKAGE}.defs.jobs",
    ]
    assert cycle_path(graph, [f"{PACKAGE}.lib.selfish"]) == [f"{PACKAGE}.lib.selfish"] * 2
    assert forbidden_edges(graph) == [
        f"{PACKAGE}.core.names -> {PACKAGE}.lib.tool "
        "(core imports nothing of the project outside core)",
        f"{PACKAGE}.lib.other -> {PACKAGE}.defs.jobs (lib must not import defs)",
    ]
