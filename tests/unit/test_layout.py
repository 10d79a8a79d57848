"""The tests' own layout (README, "Tests"), enforced: every test module sits in one of the four
layer folders, and no test module imports another test module (shared fixtures are pytest
plugins in tests/fixtures/, shared helpers plain modules in tests/helpers/)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers.paths import REPO

TESTS = REPO / "tests"
LAYERS = ("unit", "service", "http", "system")


def collected_modules() -> list[Path]:
    """Every file pytest would collect as a test module (test_*.py or *_test.py) under tests/."""
    return sorted(p for p in TESTS.rglob("*.py")
                  if (p.name.startswith("test_") or p.name.endswith("_test.py")) and "data" not in p.relative_to(TESTS).parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in the file, including imports inside functions; for
    ``from m import a`` both ``m`` and ``m.a`` (a may be a module)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}".lstrip(".") if node.module else alias.name)
                      for alias in node.names]
    return found


def is_test_module_name(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1].lstrip(".")
    return last.startswith("test_") or last.endswith("_test") or last == "conftest"


def test_every_test_module_sits_in_a_layer_folder():
    modules = collected_modules()
    assert len(modules) > 50  # the walk found the suite
    misplaced = [str(p.relative_to(TESTS)) for p in modules
                 if len(p.relative_to(TESTS).parts) != 2 or p.parent.name not in LAYERS]
    assert misplaced == [], f"test modules outside tests/{{{','.join(LAYERS)}}}/: {misplaced}"
    # Every layer holds tests, and the shared code holds none.
    assert {p.parent.name for p in modules} == set(LAYERS)
    for shared in ("helpers", "fixtures", "fakes"):
        assert not list((TESTS / shared).glob("test_*.py")), shared


def test_no_test_module_imports_another_test_module():
    offending = []
    for path in collected_modules() + sorted((TESTS / "helpers").glob("*.py")) + sorted((TESTS / "fixtures").glob("*.py")):
        for line, name in imported_modules(path):
            if is_test_module_name(name) or name in ("support", "tests.support", "fakes"):
                offending.append(f"{path.relative_to(REPO)}:{line}: {name}")
    assert offending == [], "import shared code from tests.helpers / tests.fixtures / tests.fakes instead:\n" + \
        "\n".join(offending)


def test_the_rule_catches_what_it_is_about(tmp_path):
    bad = tmp_path / "test_bad.py"
    bad.write_text("from tests.system.test_browser import ARGS\nimport test_chat\n"
                   "def f():\n    from test_workspace_support import World\n"
                   "from tests.http import test_web\nfrom . import conftest\n", encoding="utf-8")
    names = sorted(n for _, n in imported_modules(bad) if is_test_module_name(n))
    assert names == ["conftest", "test_chat", "test_workspace_support", "tests.http.test_web",
                     "tests.system.test_browser"]
    good = tmp_path / "test_good.py"
    good.write_text("from tests.helpers.browser import ARGS\nfrom tests.fakes import FakeOpenAI\n"
                    "import pytest\n", encoding="utf-8")
    assert [n for _, n in imported_modules(good) if is_test_module_name(n)] == []


def test_the_root_conftest_loads_the_fixture_plugins():
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    plugins = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                   and any(getattr(t, "id", None) == "pytest_plugins" for t in node.targets))
    on_disk = sorted(f"tests.fixtures.{p.stem}" for p in (TESTS / "fixtures").glob("*.py") if p.stem != "__init__")
    assert sorted(plugins) == on_disk
