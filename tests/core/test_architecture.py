"""The packages of app/ point one way. app.core is the base: no module in it imports a domain package,
at the top or inside a function. No import cycle between the packages; none imports a package of a
higher layer (LAYERS); no module is longer than 500 lines."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import app

DOMAINS = (
    "app.attendance",
    "app.audit",
    "app.auth",
    "app.catalogue",
    "app.certificates",
    "app.libraries",
    "app.mail",
    "app.privacy",
    "app.programmes",
    "app.regions",
    "app.registration",
    "app.reports",
    "app.api",
    "app.demo",
    "app.navigation",
    "app.factory",
)
CORE = Path(app.__file__).parent / "core"


def imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in a module, wherever it stands; `from app import x` gives app.x."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def is_domain(name: str) -> bool:
    return any(name == domain or name.startswith(domain + ".") for domain in DOMAINS)


def domain_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = "app.core." + ".".join(path.relative_to(CORE).with_suffix("").parts)
    return [f"{module} (line {line}) imports {name}" for line, name in imported_names(tree) if is_domain(name)]


def test_the_check_sees_imports_inside_functions() -> None:
    tree = ast.parse("def f():\n    from app.auth.models import Role\n\nfrom app import registration\n")
    assert {name for _line, name in imported_names(tree) if is_domain(name)} == {
        "app.auth.models",
        "app.auth.models.Role",
        "app.registration",
    }


def test_core_imports_no_domain() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) > 5
    offences = [offence for path in modules for offence in domain_imports(path)]
    print("\n".join(offences))
    assert not offences, "app.core imports a domain:\n" + "\n".join(offences)


# --- the packages of app/ point one way (issue #13) -------------------------------------------------

APP = Path(app.__file__).parent
MAX_LINES = 500

# Bottom to top: a package may import its own layer and those below, never one above. Regions sits
# below auth: a coordinator's role names a province (auth.models has a foreign key to provinces), and
# regions imports no account. The composition root (app/__init__.py, app/factory.py and the
# `from app import create_app` of app/jobs.py) imports everything and is outside the rule.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core", "extensions", "clock", "errors", "crypto", "jobs", "pdf"}),
    frozenset({"mail"}),
    frozenset({"regions"}),
    frozenset({"auth"}),
    frozenset({"audit"}),
    frozenset({"libraries"}),
    frozenset({"programmes"}),
    frozenset({"registration"}),
    frozenset({"attendance"}),
    frozenset({"certificates"}),
    frozenset({"privacy"}),
    frozenset({"catalogue", "reports", "api"}),
    frozenset({"demo", "navigation", "backup"}),
    frozenset({"processes"}),  # the worker and the scheduler compose the domains' tasks
)
ROOT = "factory"  # app/__init__.py and app/factory.py
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}


@dataclass(frozen=True)
class Edge:
    """One import of a package by another: where it stands and what it names."""

    source: str
    target: str
    path: str
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.name}"


def package_of_path(path: Path, root: Path = APP) -> str:
    """app/registration/views.py → registration; app/clock.py → clock; app/__init__.py → the root."""
    parts = path.relative_to(root).with_suffix("").parts
    return ROOT if parts == ("__init__",) else parts[0]


def packages_in(root: Path = APP) -> set[str]:
    """The packages and top-level modules of app/ (what `from app import x` may name)."""
    found = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    found |= {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, packages: set[str]) -> list[tuple[str, str]]:
    """(package, dotted name) of every app package one import statement reaches, relative ones resolved."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            parent = module.split(".")[: -node.level]
            base = ".".join([*parent, base] if base else parent)
        # `from app import clock` reaches app.clock; `from app import create_app`, the root
        names = [f"app.{alias.name}" for alias in node.names] if base == "app" else [base]
    found = []
    for name in names:
        parts = name.split(".")
        if parts[0] == "app" and len(parts) > 1:
            found.append((parts[1] if parts[1] in packages else ROOT, name))
    return found


def import_edges(source: str, package: str, module: str, packages: set[str], shown: str) -> list[Edge]:
    """The imports of other app packages in one module of `package`, at the top or inside a function."""
    tree = ast.parse(source, filename=shown)
    edges = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target, name in _targets(node, module, packages):
                if target != package:
                    edges.append(Edge(package, target, shown, node.lineno, name))
    return edges


def app_modules(root: Path = APP) -> list[Path]:
    return sorted(root.rglob("*.py"))


def package_edges(root: Path = APP) -> list[Edge]:
    packages = packages_in(root)
    edges = []
    for path in app_modules(root):
        module = ".".join(("app", *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        shown = str(path.relative_to(root.parent))
        edges += import_edges(path.read_text(encoding="utf-8"), package_of_path(path, root), module, packages, shown)
    return edges


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle of the directed graph as its nodes in order, the first one again at the end, or None."""
    state: dict[str, str] = {}  # "open" while on the path being walked, "done" once fully explored
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := walk(start)):
            return cycle
    return None


def _graph(edges: Iterable[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        if ROOT not in (edge.source, edge.target):
            graph[edge.source].add(edge.target)
    return graph


def describe_cycle(cycle: list[str], edges: Iterable[Edge]) -> str:
    """Each step of the cycle with the imports that make it (file and line)."""
    edges = list(edges)
    lines = [" -> ".join(cycle)]
    for source, target in zip(cycle, cycle[1:], strict=False):
        lines.append(f"  {source} -> {target}:")
        lines += [f"    {e}" for e in edges if (e.source, e.target) == (source, target)]
    return "\n".join(lines)


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}}
    cycle = find_cycle(graph)
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}
    assert all(target in graph[source] for source, target in zip(cycle, cycle[1:], strict=False))
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) is None


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    """Top-level and function-level, `import app.x`, `from app import x` and relative imports; the
    root's `from app import create_app` is no edge."""
    (tmp_path / "app" / "low").mkdir(parents=True)
    (tmp_path / "app" / "high").mkdir()
    for init in ("app/__init__.py", "app/low/__init__.py", "app/high/__init__.py", "app/clock.py"):
        (tmp_path / init).write_text("")
    (tmp_path / "app" / "low" / "a.py").write_text(
        "import app.clock\n\ndef f():\n    from app.high import views\n    from app import create_app\n"
    )
    (tmp_path / "app" / "high" / "views.py").write_text("from ..low import a\nfrom app import low\nfrom . import x\n")
    edges = package_edges(tmp_path / "app")
    assert sorted((e.source, e.target, e.line) for e in edges) == [
        ("high", "low", 1),
        ("high", "low", 2),
        ("low", "clock", 1),
        ("low", "factory", 5),
        ("low", "high", 4),
    ]
    cycle = find_cycle(_graph(edges))
    assert cycle is not None
    assert "app/low/a.py:4 imports app.high" in describe_cycle(cycle, edges)


def test_no_import_cycle_between_the_packages_of_app() -> None:
    edges = package_edges()
    assert len({e.source for e in edges}) > 10
    cycle = find_cycle(_graph(edges))
    assert cycle is None, "import cycle between packages of app/:\n" + describe_cycle(cycle, edges)


def test_every_package_has_a_layer() -> None:
    assert packages_in() - {ROOT} == set(LAYER_OF), "place new packages in LAYERS"


def test_no_package_imports_one_above_it() -> None:
    upward = [
        f"{e.source} (layer {LAYER_OF[e.source]}) -> {e.target} (layer {LAYER_OF[e.target]}): {e}"
        for e in package_edges()
        if ROOT not in (e.source, e.target) and LAYER_OF[e.target] > LAYER_OF[e.source]
    ]
    assert not upward, "a package imports one above it (send a signal instead):\n" + "\n".join(upward)


def test_no_module_is_longer_than_500_lines() -> None:
    long = [
        f"{path.relative_to(APP.parent)}: {lines} lines"
        for path in app_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, f"split these by responsibility (at most {MAX_LINES} lines):\n" + "\n".join(long)
