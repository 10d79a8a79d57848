"""The import rule of the layout (README, "How the code is laid out"), enforced.

* The import-linter contracts in pyproject.toml ([tool.importlinter]): the layers, the shared
  modules, and that only kvalitet.adapters imports the search, embedding and LLM libraries.
* No module uses a private name (``_x``) of another module: neither ``from m import _x`` nor
  ``m._x`` on an imported module. Within one module (and a package's own ``__init__``
  re-exports of itself) private names are free.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from tests.helpers.paths import REPO

PACKAGE = REPO / "kvalitet"


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    report = proc.stdout + proc.stderr
    assert "Contracts: " in report, report
    broken = report.split("Broken contracts", 1)[-1] if "Broken contracts" in report else report
    assert proc.returncode == 0, "An import breaks the layout's rule:\n" + broken
    assert " 0 broken" in report and "BROKEN" not in report, report


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _same_family(importer: str, target: str) -> bool:
    """A module may use the private names of itself only; a package's __init__ counts as itself."""
    return importer == target


def private_uses(path: Path) -> list[str]:
    """`from m import _x` and `m._x` (m an imported kvalitet module) in one file, as
    'file:line: text'."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    aliases: dict[str, str] = {}  # local name -> kvalitet module it names
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                if node.level > 1:
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("kvalitet"):
                continue
            for a in node.names:
                if _is_private(a.name) and not _same_family(module, base):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: from {base} import {a.name}")
                aliases[a.asname or a.name] = f"{base}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("kvalitet"):
                    aliases[a.asname or a.name.split(".")[0]] = a.asname and a.name or a.name.split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            chain = []
            value: ast.AST = node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in aliases:
                target = ".".join([aliases[value.id], *reversed(chain)])
                if _is_module(target) and not _same_family(module, target):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {target}.{node.attr}")
    return found


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split("."))
    return (REPO / rel).with_suffix(".py").is_file() or (REPO / rel / "__init__.py").is_file()


def test_no_module_uses_a_private_name_of_another():
    found = [use for path in sorted(PACKAGE.rglob("*.py")) for use in private_uses(path)]
    assert not found, "Private names used across modules (make them public or move the code):\n" + "\n".join(found)


def test_the_import_rule_has_no_exceptions():
    # An import that breaks the layers is fixed by moving code, never by listing it as ignored.
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == []


def demo_package(tmp_path: Path, monkeypatch, files: dict[str, str]) -> Path:
    """A throwaway package kvalitet/demo under `tmp_path` with `files` (name -> source), and REPO
    pointed at it, so a check can be shown to fail."""
    pkg = tmp_path / "kvalitet" / "demo"
    pkg.mkdir(parents=True)
    for where, source in {"../__init__.py": "", "__init__.py": "", **files}.items():
        (pkg / where).resolve().write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    return pkg


def test_the_private_name_check_sees_both_forms(tmp_path, monkeypatch):
    # The check itself must be able to fail: one file with each form, in a throwaway package.
    pkg = demo_package(tmp_path, monkeypatch, {
        "a.py": "_secret = 1\n",
        "b.py": "from kvalitet.demo.a import _secret\nfrom kvalitet.demo import a\nx = a._secret\n"
                "from . import a as again\ny = again._secret\n",
        "c.py": "_own = 1\nz = _own\n",
    })
    assert private_uses(pkg / "b.py") == [
        "kvalitet/demo/b.py:1: from kvalitet.demo.a import _secret",
        "kvalitet/demo/b.py:3: kvalitet.demo.a._secret",
        "kvalitet/demo/b.py:5: kvalitet.demo.a._secret",
    ]
    assert private_uses(pkg / "c.py") == []


# ---- explicit composition: the container builds each part with what it uses ------------------
WIRING = ("kvalitet/container.py", "kvalitet/app.py", "kvalitet/api/", "kvalitet/web/", "kvalitet/cli/")
LOCATOR_NAMES = {"services", "svc", "Services"}


def locator_uses(path: Path) -> list[str]:
    """Where a module takes or reaches into the whole Services locator: a parameter named
    services/svc, an attribute `.services`, or the name `Services`, as 'file:line: what'."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(REPO)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, [a.vararg, a.kwarg])]:
                if arg.arg in LOCATOR_NAMES:
                    found.append(f"{rel}:{arg.lineno}: parameter {arg.arg}")
        elif isinstance(node, ast.Attribute) and node.attr in LOCATOR_NAMES:
            found.append(f"{rel}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id == "Services":
            found.append(f"{rel}:{node.lineno}: Services")
        elif isinstance(node, ast.alias) and (node.asname or node.name).split(".")[-1] == "Services":
            found.append(f"{rel}:{node.lineno}: import Services")
    return sorted(found, key=lambda use: int(use.split(":")[1]))


def test_components_receive_what_they_use_not_the_locator():
    # kvalitet/container.py builds every part (workspace, chat, runners, roll-up, drafter …) with
    # its collaborators, typed; only the wiring (the container, the app, api, web, cli) holds the
    # whole Services object. A component that took it could pick anything from it again.
    found = [use for path in sorted(PACKAGE.rglob("*.py"))
             if not path.relative_to(REPO).as_posix().startswith(WIRING) for use in locator_uses(path)]
    assert not found, "The Services locator outside the wiring (pass the collaborators instead):\n" + "\n".join(found)


def test_the_locator_check_sees_each_form(tmp_path, monkeypatch):
    pkg = demo_package(tmp_path, monkeypatch, {
        "a.py": "from kvalitet.container import Services\n"
                "def run(services, x):\n    return services.db\n"
                "class C:\n    def __init__(self, *, svc: 'Services'):\n        self.services = svc\n",
        "b.py": "def run(db, index):\n    return db.session(), index.settings\n",
    })
    assert locator_uses(pkg / "a.py") == [
        "kvalitet/demo/a.py:1: import Services",
        "kvalitet/demo/a.py:2: parameter services",
        "kvalitet/demo/a.py:5: parameter svc",
        "kvalitet/demo/a.py:6: .services",
    ]
    assert locator_uses(pkg / "b.py") == []
