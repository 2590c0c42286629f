"""The import rules of docs/architecture.md, read from the source: a rule
broken by a new import fails here, not in review."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Which of our apps each app may import (docs/architecture.md).
MAY_IMPORT = {
    "core": set(),
    "emails": {"core"},
    "events": {"core", "emails"},
    "mentoring": {"core", "emails", "events"},
    "alerts": {"core", "emails", "events"},
    "equality": {"core", "events"},
    "privacy": {"core", "events", "emails", "mentoring", "alerts"},
    "staff": {"core", "events", "emails", "alerts", "mentoring"},
}


def imported_apps(path: Path) -> set[str]:
    """The top-level packages of ours that a module imports, at any depth
    (an import inside a function counts too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(MAY_IMPORT)


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_each_app_imports_only_what_the_architecture_allows(app):
    modules = sorted((ROOT / app).rglob("*.py"))

    broken = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) - MAY_IMPORT[app] - {app})
        for path in modules
    }

    assert modules
    assert {path: apps for path, apps in broken.items() if apps} == {}


def test_the_rule_reader_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "def f():\n    from staff.views import load_event\n    import emails.models\n"
    )

    assert imported_apps(module) == {"staff", "emails"}
