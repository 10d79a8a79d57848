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
    from kvalitet.settings import Settings

    return Settings(index_dir=tmp_path / "index", corpus_dir=CORPUS, embedder="hash")


@pytest.fixture(scope="session")
def corpus_services(tmp_path_factory):
    """The sample corpus ingested once with the real e5 embedder (read-only for tests)."""
    from kvalitet.settings import Settings
    from kvalitet.container import Services

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


def _pg_bindir() -> Path:
    import glob
    import shutil

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    exe = shutil.which("initdb")
    if not exe:
        raise RuntimeError("PostgreSQL is not installed: run scripts/system-deps.sh (make test does)")
    return Path(exe).parent


def _as_postgres(cmd: list[str]) -> None:
    """initdb refuses to run as root: drop to the postgres user when we are root."""
    import subprocess

    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {res.stderr or res.stdout}")


@pytest.fixture(scope="session")
def pg_cluster():
    """A throw-away PostgreSQL cluster (Unix socket only) for the test session."""
    import shutil
    import tempfile

    bindir = _pg_bindir()
    # Not under pytest's tmp dir: as root that is private (0700) and postgres could not enter it.
    root = Path(tempfile.mkdtemp(prefix="kvalitet-pgc-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-instructions", "--locale=C.UTF-8"])
    port = free_port()
    _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "start",
                  "-o", f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off -c max_connections=100"])
    try:
        yield {"sock": str(sock), "port": port, "bindir": str(bindir)}
    finally:
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh, empty database in the session's cluster."""
    import uuid

    from sqlalchemy import create_engine, text

    name = "t_" + uuid.uuid4().hex[:12]
    base = f"postgresql+psycopg://postgres@/{{db}}?host={pg_cluster['sock']}&port={pg_cluster['port']}"
    admin = create_engine(base.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.format(db=name)


@pytest.fixture(scope="session")
def corpus_auth(corpus_services):
    """Headers of a kvalitetsutvecklare (reads everything) on the corpus_services index."""
    token = corpus_services.workspace.add_user("kvalitetsutvecklare_test", "kvalitetsutvecklare").token
    return {"Authorization": f"Bearer {token}"}
