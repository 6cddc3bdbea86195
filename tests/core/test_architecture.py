"""app.core is the base: no module in it imports a domain package, at the top or inside a function."""

from __future__ import annotations

import ast
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
