"""Import layering, read from the source with `ast` (nothing is imported).

Within a service, its domain packages (`rights_api.applications`, `restoration_api.works`, …)
must not import each other in a circle. The graph counts every import outside a function body
(class bodies and `if TYPE_CHECKING:` blocks included), `from x import y` counting as an import
of the submodule `x.y` when there is one. An import inside a function between two domain
packages fails on its own: hiding a cycle in a function is not breaking it. servicekit's
modules must not import each other in a circle either.
"""

import ast
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "rights_api": ROOT / "services" / "rights-api" / "src" / "rights_api",
    "restoration_api": ROOT / "services" / "restoration-api" / "src" / "restoration_api",
    "greenmine_api": ROOT / "services" / "greenmine-api" / "src" / "greenmine_api",
    "notifier": ROOT / "services" / "notifier" / "src" / "notifier",
}
SERVICEKIT = ROOT / "libs" / "servicekit" / "src" / "servicekit"
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module, within the same top-level package
    where: str  # path:line
    in_function: bool


def modules(package_dir: Path) -> dict[str, tuple[Path, bool]]:
    """Every module under the package: dotted name → (file, is a package)."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def imports(package_dir: Path) -> list[Import]:
    known = modules(package_dir)
    top = package_dir.name
    found: list[Import] = []

    def nearest_module(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    for module, (path, is_package) in known.items():
        package = module if is_package else module.rpartition(".")[0]

        def add(
            name: str, node: ast.stmt, in_function: bool, module: str = module, path: Path = path
        ) -> None:
            target = nearest_module(name) if name.partition(".")[0] == top else None
            if target is not None and target != module:
                where = f"{path.relative_to(package_dir.parent)}:{node.lineno}"
                found.append(Import(module, target, where, in_function))

        def visit(node: ast.AST, in_function: bool, package: str = package) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.Import):
                    for alias in child.names:
                        add(alias.name, child, in_function)
                elif isinstance(child, ast.ImportFrom):
                    if child.level:
                        base = (
                            package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                        )
                        base = f"{base}.{child.module}" if child.module else base
                    else:
                        base = child.module or ""
                    for alias in child.names:
                        add(f"{base}.{alias.name}", child, in_function)
                visit(child, in_function or isinstance(child, _FUNCTIONS))

        visit(ast.parse(path.read_text(), str(path)), False)
    return found


def domain_of(module: str, domains: set[str]) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:2]) if ".".join(parts[:2]) in domains else None


def domain_packages(package_dir: Path) -> set[str]:
    return {
        f"{package_dir.name}.{child.name}"
        for child in package_dir.iterdir()
        if (child / "__init__.py").is_file()
    }


Graph = dict[str, dict[str, str]]  # node → {node it imports: where, first seen}


def graph_of(edges: Iterator[tuple[str, str, str]]) -> Graph:
    graph: Graph = {}
    for source, target, where in edges:
        if source != target:
            graph.setdefault(source, {}).setdefault(target, where)
            graph.setdefault(target, {})
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """For each node on a cycle, the shortest cycle through it (each cycle once), as a path
    that ends where it starts."""
    found: dict[tuple[str, ...], list[str]] = {}
    for start in sorted(graph):
        previous: dict[str, str] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if start in graph[node]:
                path = [start]
                while node != start:
                    path.insert(1, node)
                    node = previous[node]
                rotation = path.index(min(path))
                key = tuple(path[rotation:] + path[:rotation])
                found.setdefault(key, [*key, key[0]])
                break
            for target in sorted(graph[node]):
                if target not in previous and target != start:
                    previous[target] = node
                    queue.append(target)
    return sorted(found.values(), key=lambda cycle: (len(cycle), cycle))


def describe(graph: Graph, found: list[list[str]]) -> str:
    lines = []
    for cycle in found:
        lines.append(" → ".join(cycle))
        lines += [f"    {a} → {b}  ({graph[a][b]})" for a, b in pairwise(cycle)]
    return "\n".join(lines)


def domain_graph(package_dir: Path) -> tuple[Graph, list[Import]]:
    """The module-level graph between domain packages, and the imports between domain packages
    made inside functions."""
    domains = domain_packages(package_dir)
    crossing = [
        (i, domain_of(i.source, domains), domain_of(i.target, domains))
        for i in imports(package_dir)
    ]
    crossing = [(i, a, b) for i, a, b in crossing if a and b and a != b]
    graph = graph_of((a, b, i.where) for i, a, b in crossing if not i.in_function)
    return graph, [i for i, _, _ in crossing if i.in_function]


@pytest.mark.parametrize("service", SERVICES)
def test_no_import_cycle_between_domain_packages(service: str) -> None:
    graph, _ = domain_graph(SERVICES[service])
    assert len(domain_packages(SERVICES[service])) > 1
    found = cycles(graph)
    assert not found, f"import cycles ({len(found)}) in {service}:\n" + describe(graph, found)


@pytest.mark.parametrize("service", SERVICES)
def test_no_import_inside_a_function_between_domain_packages(service: str) -> None:
    _, hidden = domain_graph(SERVICES[service])
    assert not hidden, "imports between domain packages inside functions:\n" + "\n".join(
        f"    {i.source} → {i.target}  ({i.where})" for i in hidden
    )


def test_no_import_cycle_between_servicekit_modules() -> None:
    found_imports = imports(SERVICEKIT)
    assert any(i.target == "servicekit.idempotency" for i in found_imports)
    graph = graph_of((i.source, i.target, i.where) for i in found_imports if not i.in_function)
    found = cycles(graph)
    assert not found, f"import cycles ({len(found)}) in servicekit:\n" + describe(graph, found)


def test_the_checks_find_cycles_and_imports_hidden_in_functions(tmp_path: Path) -> None:
    """The graph as the service tests build it, on a package made to break every rule."""
    files = {
        "pkg/__init__.py": "",
        "pkg/app.py": "from pkg.a import m\n",
        "pkg/a/__init__.py": "",
        "pkg/a/m.py": "from pkg.b import m\n",  # a submodule, through `from x import y`
        "pkg/b/__init__.py": "from typing import TYPE_CHECKING\n",
        "pkg/b/m.py": "if True:\n    from ..c.m import f\n",
        "pkg/c/__init__.py": "",
        "pkg/c/m.py": "import pkg.a.m\n\ndef f():\n    from pkg.d import g\n",
        "pkg/d/__init__.py": "class X:\n    import pkg.c\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph, hidden = domain_graph(tmp_path / "pkg")
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    assert "pkg.a → pkg.b  (pkg/a/m.py:1)" in describe(graph, cycles(graph))
    assert [(i.source, i.target, i.where) for i in hidden] == [("pkg.c.m", "pkg.d", "pkg/c/m.py:4")]
    assert graph["pkg.d"] == {"pkg.c": "pkg/d/__init__.py:2"}, "class bodies run at import"
