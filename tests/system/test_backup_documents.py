"""Backups hold what is needed to come back (issue 17, item 5): uploaded documents and published
reports travel with the index and the database; a restore keeps every piece it replaces (the
database too) beside the new one and says where; a restore into a place where files are missing
warns before an ingest would delete them; the retention clean-up removes restored-away copies
and old conversations after their time. Real CLI processes, real SQLite and Chroma."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from tests.helpers.paths import REPO

PY = sys.executable
UPLOAD = "Uppföljning av läsfrämjande arbete 2023\n\nAnalys\nBokcirklarna i årskurs 5 höjde läslusten.\n"
REPORT_TEXT = "Samverkan med biblioteket gav fler lånade böcker."
PUBLISHED = "corpus/rapporter/2024-kvalitetsrapport-aby.md"


def env_for(root: Path, db: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "KVALITET_INDEX_DIR": str(root / "index"),
            "KVALITET_CORPUS_DIR": str(root / "corpus"), "KVALITET_EMBEDDER": "hash", "KVALITET_LOG_JSON": "true",
            "KVALITET_DATABASE_URL": f"sqlite:///{db}"}


def cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "kvalitet.cli", *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def make_place(root: Path, db: Path) -> dict:
    corpus = root / "corpus"
    (corpus / "uploads").mkdir(parents=True)
    (corpus / "rapporter").mkdir()
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "corpus" / "2019-uppfoljning-fjolarets-aktiviteter.txt", corpus)
    (corpus / "uploads" / "lasframjande-2023.txt").write_text(UPLOAD, encoding="utf-8")
    env = env_for(root, db)
    res = cli(env, "ingest", "--json")
    assert res.returncode == 0, res.stderr
    publish_one(root, db)
    return env


def publish_one(root: Path, db: Path) -> str:
    """A report published the real way (reviewed, then publish): corpus/rapporter/<file>."""
    from kvalitet.container import Services
    from kvalitet.domain.types import Grounding, Suggestion
    from kvalitet.settings import Settings

    svc = Services(Settings(index_dir=root / "index", corpus_dir=root / "corpus", embedder="hash",
                            database_url=f"sqlite:///{db}"))
    try:
        ws = svc.workspace
        rektor = ws.authenticate(ws.add_user("r-backup", "rektor", "Åbyskolan").token)
        granskare = ws.authenticate(ws.add_user("g-backup", "granskare").token)
        rep = ws.create_report("Kvalitetsrapport Åby", "aktivitetsuppfoljning", 2024, None, rektor)
        it = ws.add_item(rep.id, {"activity": "Samverkan med biblioteket", "status": "Pågående"}, rektor)
        (sg,) = ws.add_suggestions(rep.id, it.id, [Suggestion(
            id="s_b1", kind="uppfoljning", text=REPORT_TEXT, generator="extractive",
            grounding=Grounding(supported=True))], rektor)
        ws.accept(sg.id, granskare, expected_version=sg.version)
        return ws.publish(rep.id, granskare).path
    finally:
        svc.close()


def test_backup_holds_uploads_and_published_reports_and_restore_brings_them_back(tmp_path):
    src = tmp_path / "here"
    env = make_place(src, src / "db" / "kvalitet.sqlite")
    archive = tmp_path / "full.tar.gz"
    assert cli(env, "backup", str(archive)).returncode == 0
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"corpus/uploads/lasframjande-2023.txt", PUBLISHED} <= names

    # Elsewhere, on a machine with an empty corpus folder: the files come back with the index.
    dst = tmp_path / "there"
    (dst / "corpus").mkdir(parents=True)
    env2 = env_for(dst, dst / "db" / "kvalitet.sqlite")
    res = cli(env2, "restore", str(archive), "--json")
    assert res.returncode == 0, res.stderr
    assert (dst / "corpus" / "uploads" / "lasframjande-2023.txt").read_text(encoding="utf-8") == UPLOAD
    assert REPORT_TEXT in (dst / PUBLISHED).read_text(encoding="utf-8")
    # The municipality's own corpus file is not in the backup: the restore says so before an ingest
    # would remove it from the index.
    out = json.loads(res.stdout)
    assert any("2019-uppfoljning-fjolarets-aktiviteter.txt" in w and "kvalitet ingest" in w for w in out["warnings"])
    assert not any("lasframjande" in w for w in out["warnings"])
    res = cli(env2, "search", "bokcirklarna läslusten", "--json")
    assert res.returncode == 0 and "lasframjande-2023.txt" in res.stdout


def test_restore_keeps_the_replaced_database_and_corpus_folders_and_says_where(tmp_path):
    root = tmp_path / "place"
    db = tmp_path / "separate" / "kvalitet.sqlite"  # the database outside the index folder
    env = make_place(root, db)
    archive = tmp_path / "b.tar.gz"
    assert cli(env, "backup", str(archive)).returncode == 0
    # Later: new work (a user, another upload) that the restore will replace.
    assert cli(env, "users", "add", "efter-backup", "--role", "admin").returncode == 0
    later = root / "corpus" / "uploads" / "senare.txt"
    later.write_text(UPLOAD.replace("2023", "2025"), encoding="utf-8")
    before_db = db.read_bytes()
    res = cli(env, "restore", str(archive), "--force", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    previous = Path(out["previous"])
    kept_db = previous / "replaced" / "database" / "kvalitet.sqlite"
    assert kept_db.is_file() and any(str(kept_db) in line for line in out["kept"])
    import sqlite3

    con = sqlite3.connect(kept_db)
    assert con.execute("SELECT COUNT(*) FROM users WHERE name = 'efter-backup'").fetchone()[0] == 1
    con.close()
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM users WHERE name = 'efter-backup'").fetchone()[0] == 0
    con.close()
    assert (previous / "replaced" / "corpus" / "uploads" / "senare.txt").is_file()  # the later upload is kept
    assert not later.exists() and (root / "corpus" / "uploads" / "lasframjande-2023.txt").is_file()
    assert before_db  # (read before the restore)
    text = cli(env, "restore", str(archive), "--force").stdout
    assert "Ersatt och sparat / replaced and kept: database" in text

    # Retention: restored-away copies go after their time, counted from the restore in their name.
    copies = sorted(p for p in root.glob("index.before-restore-*"))
    assert len(copies) == 2
    old = copies[0].with_name("index.before-restore-" + (datetime.now() - timedelta(days=40)).strftime("%Y%m%d-%H%M%S")
                              + "-abcdef")
    os.rename(copies[0], old)
    res = cli(env, "retention", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["restored_copies"] == 1
    assert not old.exists() and copies[1].exists()


def test_old_conversations_go_after_their_retention(tmp_path):
    from kvalitet.chat.store import ChatStore, ConversationRow
    from kvalitet.container import Services
    from kvalitet.ops.retention import apply_retention
    from kvalitet.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    svc = Services(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embedder="hash",
                            conversation_retention_days=30))
    try:
        user = svc.workspace.authenticate(svc.workspace.add_user("chattare", "rektor", "Åbyskolan").token)
        store = ChatStore(svc.db)
        old, new = store.create(user, "Gammal fråga om Anna Andersson"), store.create(user, "Ny fråga")
        for cid in (old, new):
            store.append(cid, "user", "text")
        with svc.db.session() as s:
            s.get(ConversationRow, old).updated_at = datetime.now(timezone.utc) - timedelta(days=31)
        done = apply_retention(svc.settings, svc.db)
        assert done["conversations"] == 1 and done["messages"] == 1
        assert [r.id for r in store.list_for(user)] == [new]
        assert store.messages(old) == []
    finally:
        svc.close()
