"""One lock for exclusive use of an embedded index (issue 17, item 4): while `kvalitet serve`
runs, `kvalitet ingest --rebuild`, a plain `kvalitet ingest`, `kvalitet restore` and a second
`kvalitet serve` on the same index are refused with a clear message, and the server keeps
answering (readiness and dense search). Real processes, real Chroma, real HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.paths import REPO
from tests.helpers.server import free_port

PY = sys.executable


def cli_env(root: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "KVALITET_INDEX_DIR": str(root / "index"),
            "KVALITET_CORPUS_DIR": str(root / "corpus"), "KVALITET_EMBEDDER": "hash", "KVALITET_LOG_JSON": "true"}


def cli(env, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "kvalitet.cli", *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def wait_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise AssertionError("server exited: " + log.read_text()[-3000:])
        time.sleep(0.2)
    raise AssertionError("server did not start")


@pytest.fixture
def served(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("2019-uppfoljning-fjolarets-aktiviteter.txt", "2022-uppfoljning-verksamhetsplan-linkoping.txt"):
        shutil.copy(REPO / "corpus" / name, corpus)
    env = cli_env(tmp_path)
    assert cli(env, "ingest").returncode == 0
    out = cli(env, "users", "add", "lock-admin", "--role", "admin").stdout
    token = next(w for w in out.split() if w.startswith("kv_"))
    assert cli(env, "backup", str(tmp_path / "b.tar.gz")).returncode == 0
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([PY, "-m", "kvalitet.cli", "serve", "--port", str(port)], env=env, cwd=REPO,
                                stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url, proc, log)
        yield env, url, {"Authorization": f"Bearer {token}"}, tmp_path, proc
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def dense_hits(url, headers) -> int:
    r = httpx.get(f"{url}/api/search", params={"q": "frånvaro", "mode": "dense", "k": 5}, headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    return len(r.json()["hits"])


def test_rebuild_restore_ingest_and_a_second_server_are_refused_while_the_server_runs(served):
    env, url, headers, root, _proc = served
    assert httpx.get(url + "/readyz", timeout=60).status_code == 200
    before = dense_hits(url, headers)
    assert before > 0

    for args in (("ingest", "--rebuild"), ("ingest",), ("restore", str(root / "b.tar.gz"), "--force")):
        res = cli(env, *args)
        assert res.returncode == 7, (args, res.stdout, res.stderr)
        assert "kvalitet serve" in res.stderr and "Stoppa den först" in res.stderr and "Stop it first" in res.stderr

    port = free_port()
    second = subprocess.run([PY, "-m", "kvalitet.cli", "serve", "--port", str(port)], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 7 and "kvalitet serve" in second.stderr, second.stderr[-2000:]
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)

    # The running server never noticed: ready, and its dense search still finds what it found.
    r = httpx.get(url + "/readyz", timeout=60)
    assert r.status_code == 200 and r.json()["checks"]["index"]["passages"] > 0
    assert dense_hits(url, headers) == before
    # Uploads through the server still work (they ingest under the lock the server holds).
    doc = (REPO / "corpus" / "2019-uppfoljning-verksamhetsplan.txt").read_bytes()
    r = httpx.post(f"{url}/api/documents", files={"file": ("vp.txt", doc)}, headers=headers, timeout=120)
    assert r.status_code in (200, 201, 202), r.text


def test_after_the_server_stops_the_same_commands_run(served):
    env, url, headers, root, proc = served
    assert cli(env, "ingest", "--rebuild").returncode == 7  # held while it runs
    proc.terminate()
    proc.wait(30)
    res = cli(env, "ingest", "--rebuild")  # the kernel dropped the lock with the process
    assert res.returncode == 0, res.stderr
    res = cli(env, "restore", str(root / "b.tar.gz"), "--force")
    assert res.returncode == 0, res.stderr
