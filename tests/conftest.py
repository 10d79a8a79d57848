"""Shared fixtures: every test gets its own index dir and database under tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SEEDS = {p.name: p for p in CORPUS.glob("*.txt")}


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture
def settings(tmp_path):
    """Settings pointing index and database at tmp_path; the hash embedder unless a test asks."""
    from service.config import Settings

    return Settings(index_dir=tmp_path / "index", corpus_dir=CORPUS, embedder="hash")


@pytest.fixture(scope="session")
def corpus_services(tmp_path_factory):
    """The sample corpus ingested once with the real e5 embedder (read-only for tests)."""
    from service.config import Settings
    from service.services import Services

    settings = Settings(index_dir=tmp_path_factory.mktemp("corpus-index"), corpus_dir=CORPUS, embedder="e5")
    svc = Services(settings)
    report = svc.ingest()
    assert not report.skipped, report.skipped
    yield svc
    svc.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`) on loopback for the test session."""
    import shutil
    import subprocess
    import sys
    import time

    import httpx

    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "w")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("chroma run exited: " + (data / "server.log").read_text())
        time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("chroma run did not start within 60 s")
    yield {"host": "127.0.0.1", "port": port}
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
