"""A wheel built from the repository, installed without -e, runs ingest, serve and a Word export.

The wheel is installed with `pip install --no-deps --target` into a folder of its own and run from
a working directory outside the repository, so the package's templates, prompts, migrations and
static files must come from the wheel (importlib.resources / package data), never from the
checkout. Dependencies come from the test's own environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest
from docx import Document

from tests.helpers.paths import REPO
from tests.helpers.server import free_port

RUNNER = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import kvalitet
assert kvalitet.__file__.startswith(sys.path[0]), kvalitet.__file__
from kvalitet.cli import app
app()
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(site dir, work dir, environment) of the wheel installed outside the checkout."""
    root = tmp_path_factory.mktemp("wheel")
    build = root / "src"
    # Build from a copy so that build artefacts never land in the checkout.
    shutil.copytree(REPO, build, ignore=shutil.ignore_patterns(
        ".git", ".venv", "index", "build", "*.egg-info", "__pycache__", "tests", "benchmarks"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "dist"),
         str(build)], check=True, capture_output=True)
    wheel = next((root / "dist").glob("kvalitet-*.whl"))
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    work = root / "work"
    work.mkdir()
    shutil.copytree(REPO / "corpus", work / "corpus")
    (work / "run.py").write_text(RUNNER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KVALITET_")}
    env.update(KVALITET_EMBEDDER="hash", PYTHONPATH="", KVALITET_LOG_JSON="true")
    return site, work, env


def kv(installed, *args, timeout=300) -> subprocess.CompletedProcess:
    site, work, env = installed
    return subprocess.run([sys.executable, "run.py", str(site), *args], cwd=work, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_wheel_carries_its_assets(installed):
    site, _, _ = installed
    pkg = site / "kvalitet"
    for rel in ("workspace/templates/kvalitetsrapport.md.j2", "web/templates/base.html",
                "drafting/prompts/analys.md", "storage/alembic/env.py", "web/static/app.css",
                "pii/lexicon/first_names.txt", "pii/lexicon/surnames.txt"):
        assert (pkg / rel).is_file(), rel


def test_ingest_and_word_export_from_the_wheel(installed):
    _, work, _ = installed
    r = kv(installed, "ingest")
    assert r.returncode == 0, r.stderr
    assert (work / "index").is_dir()
    r = kv(installed, "reports", "from-document", "2019-uppfoljning-verksamhetsplan.txt",
           "--unit", "Demoskolan")
    assert r.returncode == 0, r.stderr
    out = work / "rapport.docx"
    r = kv(installed, "reports", "export", "1", "--format", "docx", "--out", str(out))
    assert r.returncode == 0, r.stderr
    doc = Document(str(out))
    assert any(p.text.strip() for p in doc.paragraphs)


def test_serve_from_the_wheel_answers_with_its_web_pages(installed):
    site, work, env = installed
    port = free_port()
    proc = subprocess.Popen([sys.executable, "run.py", str(site), "serve", "--port", str(port)], cwd=work,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.5)
        page = httpx.get(f"http://127.0.0.1:{port}/logga-in", timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
