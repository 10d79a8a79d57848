"""Backup and restore: a round trip through the real CLI, refusal to overwrite, tampered and
hostile archives, consistency under concurrent writes, and PostgreSQL through pg_dump."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kvalitet.ops.backup import _manifest_checksum, backup, read_manifest, restore, verify
from kvalitet.settings import Settings
from kvalitet.errors import Conflict, ConfigError, IndexBusy, InvalidInput
from kvalitet.ingest.pipeline import ingest_lock
from kvalitet.container import Services
from tests.helpers.paths import REPO

KVALITET = str(Path(sys.executable).parent / "kvalitet")


def cli(env_settings: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    env.update({f"KVALITET_{k.upper()}": str(v) for k, v in env_settings.items()})
    proc = subprocess.run([KVALITET, *args], env=env, capture_output=True, text=True, timeout=180, cwd=REPO)
    if check and proc.returncode != 0:
        raise AssertionError(f"kvalitet {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def ingested_template(tmp_path_factory):
    """The sample corpus ingested once with the hash embedder, plus a user (workspace data)."""
    root = tmp_path_factory.mktemp("template")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    settings = Settings(index_dir=root / "index", corpus_dir=corpus, embedder="hash")
    svc = Services(settings)
    report = svc.ingest()
    assert report.passages > 100 and not report.skipped
    svc.workspace.add_user("Backup Admin", "admin")
    passages = {p.id: p.text for p in svc.db.all_passages()}
    svc.close()
    return root, passages


@pytest.fixture
def ingested(tmp_path, ingested_template):
    """A private copy of the ingested template (a quiet index folder copies as files)."""
    root, passages = ingested_template
    shutil.copytree(root / "corpus", tmp_path / "corpus")
    shutil.copytree(root / "index", tmp_path / "index", ignore=shutil.ignore_patterns("ingest.lock"))
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embedder="hash")
    env = {"index_dir": settings.index_dir, "corpus_dir": settings.corpus_dir, "embedder": "hash"}
    return settings, env, passages


def catalog(db_file: Path) -> dict[str, str]:
    con = sqlite3.connect(db_file)
    try:
        return dict(con.execute("SELECT id, text FROM passages"))
    finally:
        con.close()


PROBE = """
import hashlib, json, sys
from kvalitet.settings import Settings
from kvalitet.container import Services
svc = Services(Settings())
got = svc.index.vectors.collection.get(include=["embeddings", "documents", "metadatas"])
vectors = {
    i: hashlib.sha256(json.dumps([[round(float(x), 6) for x in e], d, m], sort_keys=True).encode()).hexdigest()
    for i, e, d, m in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"])
}
q = sys.argv[1]
bm25 = [(h.passage.id, round(h.score, 6)) for h in svc.retriever.search(q, k=10, mode="bm25")]
hybrid = [h.passage.id for h in svc.retriever.search(q, k=5)]
print(json.dumps({"vectors": vectors, "bm25": bm25, "hybrid": hybrid}))
"""


def probe(env: dict, query: str) -> dict:
    """What a fresh process sees: every vector/text/metadata in Chroma (as digests), a BM25
    ranking and a hybrid ranking."""
    full = {**os.environ, **{f"KVALITET_{k.upper()}": str(v) for k, v in env.items()}, "ANONYMIZED_TELEMETRY": "False"}
    out = subprocess.run([sys.executable, "-c", PROBE, query], env=full, capture_output=True, text=True,
                         timeout=180, cwd=REPO)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_round_trip_through_the_cli(ingested, tmp_path):
    settings, env, passages = ingested
    query = "struktur för uppföljning av vuxenutbildningen"
    before = probe(env, query)
    assert set(before["vectors"]) == set(passages) and before["bm25"] and before["hybrid"]

    out = json.loads(cli(env, "backup", str(tmp_path), "--json").stdout)
    archive = Path(out["path"])
    assert archive.is_file() and archive.stat().st_mode & 0o077 == 0  # personal data: owner only
    assert out["passages"] == len(passages) and out["documents"] == 5
    assert out["embedder_id"] == "hash:v1:384" and out["database"] == {
        "kind": "sqlite", "location": "index", "file": "index/kvalitet.db"}
    manifest = read_manifest(archive)
    assert set(manifest["versions"]) >= {"kvalitet", "python", "chromadb"}
    names = set(manifest["files"])
    assert "index/kvalitet.db" in names and "index/embcache.sqlite" in names
    assert "index/chroma/chroma.sqlite3" in names and any(n.startswith("index/bm25/") for n in names)
    assert not any(n.endswith(("-wal", "-shm", "ingest.lock")) for n in names)

    shutil.rmtree(settings.index_dir)  # disaster
    res = json.loads(cli(env, "restore", str(archive), "--json").stdout)
    assert res["check"]["ok"] and res["check"]["vectors"] == res["check"]["catalog_passages"] == len(passages)
    assert res["previous"] is None  # nothing was there to keep
    assert catalog(settings.index_dir / "kvalitet.db") == passages
    after = probe(env, query)
    assert after["vectors"] == before["vectors"]  # same ids, vectors, texts and metadata
    assert after["bm25"] == before["bm25"]
    # Hybrid search works and agrees at the top. (Chroma's HNSW search is approximate: with the
    # hash embedder's near-ties the lowest dense candidates can swap between two opens of the
    # very same files, so lower ranks are not compared.)
    assert after["hybrid"][0] == before["hybrid"][0]
    # Workspace data came back too.
    con = sqlite3.connect(settings.index_dir / "kvalitet.db")
    assert con.execute("SELECT name, role FROM users").fetchall() == [("Backup Admin", "admin")]
    con.close()


def test_restore_refuses_a_non_empty_index_without_force_and_keeps_the_old_one(ingested, tmp_path):
    settings, env, passages = ingested
    result = backup(settings, tmp_path / "b.tar.gz")
    with pytest.raises(Conflict):
        restore(settings, result.path)
    proc = cli(env, "restore", str(result.path), check=False)
    assert proc.returncode == 6 and "--force" in proc.stderr
    # Change the index, then restore over it with --force: the backup's state wins, the old
    # index is kept beside it.
    svc = Services(settings)
    (settings.corpus_dir / "2015-plan-mal-och-resultatuppfoljning.txt").unlink()
    svc.ingest()
    svc.close()
    assert len(catalog(settings.index_dir / "kvalitet.db")) < len(passages)
    res = json.loads(cli(env, "restore", str(result.path), "--force", "--json").stdout)
    assert res["check"]["ok"]
    assert catalog(settings.index_dir / "kvalitet.db") == passages
    kept = Path(res["previous"])
    assert kept.is_dir() and len(catalog(kept / "kvalitet.db")) < len(passages)


def _rewrite(archive: Path, dest: Path, change, extra=()) -> None:
    """Copy `archive` to `dest`, letting change(name, data) -> (name, data) alter members and
    appending `extra` (name, data) members."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(dest, "w:gz") as out:
        members = [(m.name, src.extractfile(m).read()) for m in src.getmembers() if m.isfile()]
        for name, data in [*(change(n, d) for n, d in members), *extra]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_a_tampered_archive_is_refused_and_the_index_is_untouched(ingested, tmp_path):
    settings, env, passages = ingested
    good = backup(settings, tmp_path / "good.tar.gz").path
    bad = tmp_path / "bad.tar.gz"
    flip = lambda d: d[:-1] + bytes([d[-1] ^ 1])  # noqa: E731 - one bit of one file
    _rewrite(good, bad, lambda n, d: (n, flip(d)) if n == "index/kvalitet.db" else (n, d))
    with pytest.raises(InvalidInput, match="checksum"):
        verify(bad)
    proc = cli(env, "restore", str(bad), "--force", check=False)
    assert proc.returncode == 2 and "ogiltig" in proc.stderr
    assert catalog(settings.index_dir / "kvalitet.db") == passages
    assert not list(tmp_path.glob(".index.restore-*"))  # the temp folder is gone
    not_a_backup = tmp_path / "x.tar.gz"
    not_a_backup.write_bytes(b"not a tarball")
    with pytest.raises(InvalidInput):
        restore(settings, not_a_backup, force=True)


def test_a_hostile_archive_cannot_write_outside_the_restore_folder(ingested, tmp_path):
    """Even a member listed in a (forged, self-consistent) manifest may not climb out with "..":
    tarfile's "data" filter refuses it, and nothing is restored."""
    import hashlib

    settings, _env, passages = ingested
    good = backup(settings, tmp_path / "good.tar.gz").path
    manifest = read_manifest(good)
    evil_name = "../../evil.txt"
    manifest["files"][evil_name] = {"size": 4, "sha256": hashlib.sha256(b"evil").hexdigest()}
    manifest["checksum"] = _manifest_checksum(manifest["files"])
    hostile = tmp_path / "hostile.tar.gz"
    _rewrite(good, hostile, lambda n, d: (n, json.dumps(manifest).encode()) if n == "manifest.json" else (n, d),
             extra=[(evil_name, b"evil")])
    read_manifest(hostile)  # the forgery is self-consistent
    with pytest.raises(InvalidInput):
        restore(settings, hostile, force=True)
    assert not list(tmp_path.parent.glob("**/evil.txt"))
    assert catalog(settings.index_dir / "kvalitet.db") == passages


def test_backup_waits_for_no_ingest(ingested, tmp_path):
    settings, env, _ = ingested
    with ingest_lock(settings.index_dir):
        with pytest.raises(IndexBusy):
            backup(settings, tmp_path / "b.tar.gz")
        proc = cli(env, "backup", str(tmp_path / "c.tar.gz"), check=False)
        assert proc.returncode == 7
    assert not (tmp_path / "b.tar.gz").exists() and not (tmp_path / "c.tar.gz").exists()


def test_backup_of_a_database_being_written_is_consistent(ingested, tmp_path):
    """Reports, reviews and users change while the service runs: the snapshot is one
    transaction (the SQLite backup API), never a torn file."""
    settings, _env, passages = ingested
    db_file = settings.index_dir / "kvalitet.db"
    stop = threading.Event()
    written = []

    def writer():
        con = sqlite3.connect(db_file, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        i = 0
        while not stop.is_set():
            with con:  # two rows per transaction: a consistent copy has both or neither
                con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (f"probe-a-{i}", "x" * 2000))
                con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (f"probe-b-{i}", "y" * 2000))
            written.append(i)
            i += 1
        con.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        time.sleep(0.2)
        result = backup(settings, tmp_path / "live.tar.gz")
    finally:
        stop.set()
        t.join()
    assert len(written) > 10
    with tempfile.TemporaryDirectory() as d, tarfile.open(result.path, "r:gz") as tar:
        tar.extract("index/kvalitet.db", d, filter="data")
        con = sqlite3.connect(Path(d) / "index/kvalitet.db")
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        a = con.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'probe-a-%'").fetchone()[0]
        b = con.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'probe-b-%'").fetchone()[0]
        n = con.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        con.close()
    assert a == b and a > 0 and n == len(passages)


def test_separate_sqlite_database_is_backed_up_and_restored(tmp_path, corpus_dir):
    db_file = tmp_path / "db" / "kvalitet.sqlite"
    db_file.parent.mkdir()
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=corpus_dir, embedder="hash",
                        database_url=f"sqlite:///{db_file}")
    svc = Services(settings)
    svc.ingest([corpus_dir / "2019-uppfoljning-fjolarets-aktiviteter.txt"])
    svc.close()
    before = catalog(db_file)
    result = backup(settings, tmp_path / "sep.tar.gz")
    assert result.manifest["database"]["location"] == "separate"
    # Later the database holds other data and the index folder is gone: without --force the
    # database (which has data) is not replaced.
    db_file.unlink()
    svc = Services(settings)
    svc.ingest([corpus_dir / "2020-kvalitetsrapport-utvecklingsomraden.txt"])
    svc.close()
    shutil.rmtree(settings.index_dir)
    with pytest.raises(Conflict):
        restore(settings, result.path)
    assert catalog(db_file) != before
    restore(settings, result.path, force=True)
    assert catalog(db_file) == before


# --------------------------------------------------------------------------------------------
# PostgreSQL (installed for CI by scripts/system-deps.sh)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def postgres_url(pg_url):
    """A fresh database in the session's throw-away cluster (tests/fixtures/servers.py)."""
    return pg_url


def test_postgresql_round_trip_with_pg_dump(postgres_url, tmp_path, corpus_dir):
    from sqlalchemy import create_engine, text

    settings = Settings(index_dir=tmp_path / "index", corpus_dir=corpus_dir, embedder="hash", database_url=postgres_url)
    svc = Services(settings)
    svc.ingest([corpus_dir / "2019-uppfoljning-fjolarets-aktiviteter.txt"])
    before = {p.id: p.text for p in svc.db.all_passages()}
    svc.close()
    result = backup(settings, tmp_path / "pg.tar.gz")
    assert result.manifest["database"] == {"kind": "postgresql", "file": "database/pg_dump.custom"}
    assert result.manifest["passages"] == len(before) > 0
    with pytest.raises(Conflict):
        restore(settings, result.path)  # the database still has the passages
    engine = create_engine(postgres_url)
    with engine.begin() as conn:  # disaster: the schema is gone
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    shutil.rmtree(settings.index_dir)
    restore(settings, result.path)
    svc = Services(settings)
    assert {p.id: p.text for p in svc.db.all_passages()} == before
    assert svc.index.vectors.count() == len(before)
    assert svc.retriever.search("vuxenutbildningen struktur", k=3)
    svc.close()


def test_postgresql_without_pg_dump_says_so_plainly(tmp_path, monkeypatch, corpus_dir):
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=corpus_dir, embedder="hash",
                        database_url="postgresql+psycopg://nobody@localhost:1/none")
    settings.index_dir.mkdir()
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    with pytest.raises(ConfigError, match="pg_dump"):
        backup(settings, tmp_path / "x.tar.gz")
