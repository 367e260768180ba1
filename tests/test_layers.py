"""Apps import downward only, with `core` at the bottom (CONVENTIONS: Layers).

Every module of every app is parsed; an import of a higher app (at module level or
inside a function) fails the test with the file and line.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may import the apps before it in this list.
LAYERS = [
    "core",
    "regions",
    "accounts",
    "producers",
    "products",
    "evaluations",
    "plans",
    "ocop_portal",
]


def _imported_apps(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".", 1)[0]
            if top in LAYERS:
                yield top, node.lineno


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    """`core` imports no other app; `plans` may import every app but ocop_portal."""
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for imported, line in _imported_apps(path)
        if imported not in allowed
    ]
    assert wrong == []
