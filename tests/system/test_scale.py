"""Beyond one machine: several uvicorn workers sharing one Chroma server and one PostgreSQL."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.paths import CORPUS
from tests.helpers.server import free_port

KVALITET = str(Path(sys.executable).parent / "kvalitet")


def run_cli(env, *args, check=True):
    res = subprocess.run([KVALITET, *args], env=env, capture_output=True, text=True, timeout=300)
    if check and res.returncode not in (0, 2):
        raise AssertionError(f"kvalitet {args} -> {res.returncode}: {res.stderr}")
    return res


def test_several_workers_without_a_chroma_server_refuse_to_start(tmp_path):
    env = {**os.environ, "KVALITET_INDEX_DIR": str(tmp_path / "idx"), "KVALITET_EMBEDDER": "hash"}
    env.pop("KVALITET_CHROMA_HOST", None)
    res = run_cli(env, "serve", "--workers", "2", "--port", str(free_port()), check=False)
    assert res.returncode == 3
    assert "Chroma-server" in res.stderr and "KVALITET_CHROMA_HOST" in res.stderr


@pytest.fixture
def two_workers(tmp_path, chroma_server, pg_url):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in CORPUS.glob("*.txt"):
        (corpus / p.name).write_bytes(p.read_bytes())
    env = {
        **os.environ,
        "KVALITET_INDEX_DIR": str(tmp_path / "idx"),
        "KVALITET_CORPUS_DIR": str(corpus),
        "KVALITET_EMBEDDER": "hash",
        "KVALITET_CHROMA_HOST": chroma_server["host"],
        "KVALITET_CHROMA_PORT": str(chroma_server["port"]),
        "KVALITET_COLLECTION": "two_workers_" + tmp_path.name[-8:].replace("-", "_"),
        "KVALITET_DATABASE_URL": pg_url,
        "KVALITET_LOG_LEVEL": "WARNING",
    }
    run_cli(env, "ingest")
    token = run_cli(env, "users", "add", "admin", "--role", "admin").stdout.strip().split()[-1]
    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([KVALITET, "serve", "--workers", "2", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
        if proc.poll() is not None:
            raise AssertionError((tmp_path / "serve.log").read_text())
    yield base, token, env
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_two_workers_share_chroma_and_postgres_and_see_each_others_ingest(two_workers):
    base, token, env = two_workers
    auth = {"Authorization": f"Bearer {token}"}
    pids = set()
    for _ in range(60):
        with httpx.Client(timeout=10) as c:
            body = c.get(f"{base}/readyz").json()
        assert body["ready"] and body["checks"]["index"]["mode"] == "server"
        pids.add(body["worker"])
        if len(pids) == 2:
            break
    assert len(pids) == 2, "both workers should answer"
    # Warm both workers on the current index version.
    for _ in range(20):
        with httpx.Client(timeout=10) as c:
            assert c.get(f"{base}/api/search", params={"q": "frånvaro"}, headers=auth).status_code == 200
    # One worker ingests a new document (upload through the API).
    doc = ("Uppföljning av fjolårets planerade aktiviteter\n\n1. Uppdrag/Aktivitet\n\n"
           "Införa zebrafinkar som klassdjur i lågstadiet.\n\nUppföljning\n\n"
           "Zebrafinkarna har införts på tre skolor.\n\nAnalys\n\nEleverna tar ansvar för zebrafinkarna.\n")
    r = httpx.post(f"{base}/api/documents", headers={"Authorization": f"Bearer {token}"},
                   files={"file": ("zebrafinkar.txt", doc.encode(), "text/plain")}, timeout=120)
    assert r.status_code == 201, r.text
    time.sleep(1.5)  # workers re-check the index version at most once a second
    found_by: dict[int, bool] = {}
    for _ in range(80):
        with httpx.Client(timeout=10) as c:
            worker = c.get(f"{base}/readyz").json()["worker"]
            hits = c.get(f"{base}/api/search", params={"q": "zebrafinkar", "k": 3, "mode": "bm25"}, headers=auth).json()["hits"]
        found_by[worker] = found_by.get(worker, True) and any("ebrafink" in h["text"] for h in hits)
        if len(found_by) == 2 and _ > 20:
            break
    assert len(found_by) == 2, found_by
    assert all(found_by.values()), f"a worker's BM25 missed the other's ingest: {found_by}"
