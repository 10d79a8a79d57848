"""Backup and restore of the index (Chroma files, BM25, embedding cache) and the database.

A backup is one ``.tar.gz`` holding ``manifest.json`` and the files. It is consistent:

* It holds the ingest lock, so no ingest (CLI or upload) changes the catalog, Chroma, BM25 or
  the embedding cache while it is taken; a running ingest makes the backup fail with
  IndexBusy (exit 7): try again when it is done.
* Every SQLite file (the catalog/workspace database, Chroma's ``chroma.sqlite3``, the embedding
  cache) is copied with SQLite's online backup API, never as a raw file, so a database that the
  running service is writing to (reports, reviews, users) is captured at one transaction.
* The manifest records versions, the embedder id, the index version, the number of documents
  and passages (counted in the copied catalog itself) and the size and SHA-256 of every file,
  plus a checksum over all of them.

PostgreSQL: the database is dumped with ``pg_dump --format=custom`` and restored with
``pg_restore --clean --if-exists``; both must be on PATH. With a Chroma *server*
(KVALITET_CHROMA_HOST) the vectors live on that server and are not in the archive: back the
server up on its own, or run ``kvalitet ingest`` after a restore, which re-creates the vectors
from the catalog (from the embedding cache, without recomputing them).

The archive also holds what Kvalitet itself wrote into the corpus: uploaded documents
(``corpus/uploads``) and published reports (``corpus/rapporter``), so that a restore brings
back the files the catalog names (without them the next ingest of the folder would delete them
from the index).

A restore reads the manifest first, unpacks into a temporary folder beside the index, verifies
every checksum and the passage count, refuses to replace a non-empty index without
``force=True``, and then swaps folders with renames. Everything it replaces is kept in one
place, ``<index>.before-restore-<time>``: the old index folder itself, and under ``replaced/``
the old database (a separate SQLite file, or a pg_dump of PostgreSQL) and the old uploads and
published reports; the result (and the CLI) lists each. Those copies are removed after
KVALITET_RESTORED_COPY_RETENTION_DAYS (ops/retention.py). When documents of the restored catalog
are missing from the corpus folder, the result warns (before any ingest would delete them).
A running server holds the index (storage/index_lock.py): a restore is refused until it stops.

The archive contains personal data (document text, users, audit log): it is written with mode
0600, and should be stored as carefully as the database itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote

from kvalitet.settings import Settings
from kvalitet.errors import ConfigError, Conflict, InvalidInput, KvalitetError

FORMAT = "kvalitet-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Not part of a backup: the lock, quarantined copies of rejected uploads, temp and WAL files.
_SKIP_NAMES = {"ingest.lock"}
_SKIP_DIRS = {"quarantine"}
_SKIP_SUFFIXES = ("-wal", "-shm", "-journal", ".part", ".tmp")
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size: int


@dataclass
class RestoreResult:
    manifest: dict
    index_dir: Path
    previous: Path | None  # where the replaced index (and everything else replaced) was kept
    warnings: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "what -> where" for the database and corpus folders replaced


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def _sqlite_copy(src: Path, dst: Path) -> None:
    """A consistent copy of a (possibly live, WAL-mode) SQLite database: the backup API."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
    try:
        target = sqlite3.connect(dst)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    finally:
        source.close()


def _db_kind(settings: Settings) -> str:
    url = settings.db_url
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith(("postgresql", "postgres")):
        return "postgresql"
    raise ConfigError(f"Backup stöder SQLite och PostgreSQL / backup supports SQLite and PostgreSQL, not {url.split(':')[0]}")


def _sqlite_path(settings: Settings) -> Path:
    url = settings.db_url
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    rest = unquote(rest.split("?", 1)[0])
    if not rest or rest == ":memory:":
        raise ConfigError("En SQLite-databas i minnet kan inte säkerhetskopieras / an in-memory SQLite database cannot be backed up.")
    return Path(rest)


def _libpq_url(url: str) -> str:
    """postgresql+psycopg://… -> postgresql://… (what pg_dump understands)."""
    scheme, sep, rest = url.partition("://")
    return "postgresql" + sep + rest if "+" in scheme or scheme == "postgres" else url


def _pg_tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise ConfigError(
            f"Databasen är PostgreSQL: `{name}` behövs för säkerhetskopiering men finns inte i PATH. "
            f"Installera PostgreSQL-klienten (t.ex. apt install postgresql-client) / the database is "
            f"PostgreSQL: `{name}` is needed and is not on PATH; install the PostgreSQL client tools."
        )
    return exe


def _run_pg(args: list[str]) -> None:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired as exc:  # pragma: no cover
        raise KvalitetError(f"{Path(args[0]).name} tog för lång tid / timed out") from exc
    if proc.returncode != 0:
        from kvalitet.ops.logging import redact

        raise KvalitetError(
            f"{Path(args[0]).name} misslyckades / failed (exit {proc.returncode}): {redact(proc.stderr.strip())[:2000]}"
        )


def _catalog_facts(url: str) -> dict:
    """Counts and meta of the catalog at `url` (a copied SQLite file, or the PostgreSQL database)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            def one(sql: str, default=None):
                try:
                    value = conn.execute(text(sql)).scalar()
                except Exception:  # a table that does not exist (yet)
                    conn.rollback()
                    return default
                return default if value is None else value

            return {
                "passages": int(one("SELECT COUNT(*) FROM passages", 0)),
                "documents": int(one("SELECT COUNT(*) FROM documents", 0)),
                "embedder_id": one("SELECT value FROM meta WHERE key = 'embedder_id'"),
                "index_version": int(one("SELECT value FROM meta WHERE key = 'index_version'", 0)),
                "alembic_revision": one("SELECT version_num FROM alembic_version"),
            }
    finally:
        engine.dispose()


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    from kvalitet import __version__

    out: dict[str, str | None] = {"kvalitet": __version__, "python": platform.python_version()}
    for pkg in ("chromadb", "sqlalchemy", "bm25s"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = None
    return out


def _manifest_checksum(files: dict[str, dict]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(f"{name}\0{files[name]['size']}\0{files[name]['sha256']}\n".encode("utf-8"))
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Backup
# --------------------------------------------------------------------------------------------


def _stage_index(settings: Settings, staging: Path, db_file: Path | None) -> None:
    """Copy the index folder into staging/index: SQLite files through the backup API."""
    src_root = settings.index_dir
    dst_root = staging / "index"
    dst_root.mkdir(parents=True)
    for src in sorted(src_root.rglob("*")):
        rel = src.relative_to(src_root)
        if rel.parts[0] in _SKIP_DIRS or src.name in _SKIP_NAMES or src.name.endswith(_SKIP_SUFFIXES):
            continue
        if src.name.startswith(".") or src.is_symlink():
            continue
        dst = dst_root / rel
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        elif src.is_file():
            if _is_sqlite(src) or (db_file is not None and src.resolve() == db_file.resolve()):
                _sqlite_copy(src, dst)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)


CORPUS_DIRS = ("uploads", "rapporter")  # what Kvalitet itself writes into the corpus


def _stage_corpus(settings: Settings, staging: Path) -> None:
    """Copy the uploaded documents and the published reports (corpus/uploads, corpus/rapporter:
    the corpus files Kvalitet wrote itself) into staging/corpus. Hidden files (staging, partial
    uploads) are left out."""
    corpus = Path(settings.corpus_dir)
    for sub in CORPUS_DIRS:
        src_root = corpus / sub
        if not src_root.is_dir() or src_root.is_symlink():
            continue
        for src in sorted(src_root.rglob("*")):
            rel = src.relative_to(corpus)
            if any(part.startswith(".") for part in rel.parts) or src.is_symlink() or not src.is_file():
                continue
            dst = staging / "corpus" / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def missing_documents(settings: Settings) -> list[str]:
    """Documents the catalog holds whose files are not in the corpus folder: an ingest of the
    folder would take them out of the index."""
    from sqlalchemy import select

    from kvalitet.storage.db import Database, DocumentRow

    db = Database(settings)
    try:
        with db.session() as s:
            paths = list(s.scalars(select(DocumentRow.path)))
    except Exception:  # no catalog yet
        return []
    finally:
        db.dispose()
    corpus = Path(settings.corpus_dir)
    return sorted(p for p in paths if not (Path(p) if Path(p).is_absolute() else corpus / p).is_file())


def backup(settings: Settings, dest: Path) -> BackupResult:
    """Write a consistent snapshot of the index and the database to `dest` (.tar.gz).

    `dest` may be a folder: the file is then named kvalitet-backup-<UTC time>.tar.gz in it.
    """
    from kvalitet.ingest.pipeline import ingest_lock

    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"kvalitet-backup-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.tar.gz"
    if dest.exists():
        raise Conflict(f"Filen finns redan / the file exists: {dest}. Välj ett annat namn / choose another name.")
    if not dest.parent.is_dir():
        raise InvalidInput(f"Mappen finns inte / no such folder: {dest.parent}")
    if not settings.index_dir.is_dir():
        raise InvalidInput(f"Det finns inget index att säkerhetskopiera i {settings.index_dir} / no index to back up.")
    kind = _db_kind(settings)
    with tempfile.TemporaryDirectory(prefix=".kvalitet-backup-", dir=dest.parent) as tmp:
        staging = Path(tmp) / "stage"
        staging.mkdir()
        with ingest_lock(settings.index_dir):
            database: dict
            if kind == "sqlite":
                db_file = _sqlite_path(settings)
                if not db_file.is_file():
                    raise InvalidInput(f"Databasen finns inte / the database does not exist: {db_file}")
                _stage_index(settings, staging, db_file)
                _stage_corpus(settings, staging)
                try:
                    inside = db_file.resolve().relative_to(settings.index_dir.resolve())
                except ValueError:
                    inside = None
                if inside is not None:
                    db_in_archive = f"index/{inside.as_posix()}"
                    database = {"kind": "sqlite", "location": "index", "file": db_in_archive}
                else:
                    db_in_archive = f"database/{db_file.name}"
                    _sqlite_copy(db_file, staging / db_in_archive)
                    database = {"kind": "sqlite", "location": "separate", "file": db_in_archive}
                facts = _catalog_facts(_sqlite_url(staging / db_in_archive))
            else:
                pg_dump = _pg_tool("pg_dump")
                _stage_index(settings, staging, None)
                _stage_corpus(settings, staging)
                (staging / "database").mkdir()
                dump = staging / "database" / "pg_dump.custom"
                _run_pg([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                         f"--file={dump}", f"--dbname={_libpq_url(settings.db_url)}"])
                database = {"kind": "postgresql", "file": "database/pg_dump.custom"}
                facts = _catalog_facts(settings.db_url)
        files: dict[str, dict] = {}
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                rel = path.relative_to(staging).as_posix()
                files[rel] = {"size": path.stat().st_size, "sha256": _sha256(path)}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": _versions(),
            "embedder_id": facts["embedder_id"],
            "index_version": facts["index_version"],
            "passages": facts["passages"],
            "documents": facts["documents"],
            "alembic_revision": facts["alembic_revision"],
            "collection": settings.collection,
            "chroma": {"mode": "server" if settings.chroma_host else "embedded"},
            "database": database,
            "corpus": {"dirs": list(CORPUS_DIRS)},
            "files": files,
            "checksum": _manifest_checksum(files),
        }
        part = Path(tmp) / "archive.tar.gz"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(data))
            for rel in files:
                tar.add(staging / rel, arcname=rel, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, dest)
    return BackupResult(path=dest, manifest=manifest, size=dest.stat().st_size)


# --------------------------------------------------------------------------------------------
# Verify and restore
# --------------------------------------------------------------------------------------------


def _bad_archive(why: str) -> InvalidInput:
    return InvalidInput(f"Säkerhetskopian är ogiltig / the backup is not valid: {why}")


def read_manifest(archive: Path) -> dict:
    """The manifest of `archive`, checked for format and version (no files are unpacked)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise _bad_archive("manifest.json saknas / is missing") from None
            fh = tar.extractfile(member)
            if fh is None or member.size > 50 * 1024 * 1024:
                raise _bad_archive("manifest.json är inte en vanlig fil / is not a regular file")
            manifest = json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError as exc:
        from kvalitet.errors import NotFound

        raise NotFound(f"Filen finns inte / no such file: {archive}") from exc
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad_archive(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad_archive("inte en Kvalitet-säkerhetskopia / not a Kvalitet backup")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise _bad_archive(
            f"formatversion {manifest.get('format_version')} är nyare än denna version av Kvalitet kan läsa "
            f"({FORMAT_VERSION}) / written by a newer Kvalitet"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or _manifest_checksum(files) != manifest.get("checksum"):
        raise _bad_archive("manifestets kontrollsumma stämmer inte / the manifest checksum does not match")
    return manifest


def _extract_verified(archive: Path, manifest: dict, into: Path) -> None:
    """Unpack only the files the manifest lists (no links, no paths outside `into`) and check
    every size and SHA-256."""
    files: dict[str, dict] = manifest["files"]
    seen: set[str] = set()
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            if member.name not in files:
                raise _bad_archive(f"okänd fil i arkivet / unexpected member {member.name!r}")
            if not member.isfile():
                raise _bad_archive(f"{member.name!r} är ingen vanlig fil / is not a regular file")
            # The "data" filter refuses absolute paths, "..", links and device files.
            try:
                tar.extract(member, into, filter="data")
            except tarfile.FilterError as exc:
                raise _bad_archive(f"otillåten sökväg / refused member {member.name!r}: {exc}") from exc
            seen.add(member.name)
    missing = set(files) - seen
    if missing:
        raise _bad_archive(f"filer saknas / files missing: {', '.join(sorted(missing)[:5])}")
    for name, meta in files.items():
        path = into / name
        if path.stat().st_size != meta["size"] or _sha256(path) != meta["sha256"]:
            raise _bad_archive(f"kontrollsumman stämmer inte för / checksum mismatch for {name}")


def _index_is_empty(index_dir: Path) -> bool:
    if not index_dir.exists():
        return True
    for p in index_dir.rglob("*"):
        if p.is_file() and p.name not in _SKIP_NAMES:
            return False
    return True


def _sqlite_has_data(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for t in ("passages", "documents", "reports", "users"):
                if t in tables and con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]:
                    return True
            return False
        finally:
            con.close()
    except sqlite3.Error:
        return True  # unreadable: treat as something worth keeping


def verify(archive: Path) -> dict:
    """Check the whole archive (manifest and every file) without restoring it."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    with tempfile.TemporaryDirectory(prefix=".kvalitet-verify-") as tmp:
        _extract_verified(archive, manifest, Path(tmp))
        _check_catalog(Path(tmp), manifest)
    return manifest


def _check_catalog(root: Path, manifest: dict) -> None:
    db = manifest.get("database", {})
    if db.get("kind") == "sqlite":
        facts = _catalog_facts(_sqlite_url(root / db["file"]))
        if facts["passages"] != manifest.get("passages"):
            raise _bad_archive(
                f"katalogen har {facts['passages']} passager, manifestet säger {manifest.get('passages')} / "
                "the catalog's passage count differs from the manifest"
            )


def restore(settings: Settings, archive: Path, *, force: bool = False) -> RestoreResult:
    """Restore `archive` into the configured index folder and database (see module doc).
    Refused (IndexBusy) while a server or an ingest works on the index (storage/index_lock.py)."""
    from kvalitet.storage.index_lock import exclusive_index

    with exclusive_index(settings, "kvalitet restore"):
        return _restore(settings, archive, force=force)


def _restore(settings: Settings, archive: Path, *, force: bool = False) -> RestoreResult:
    from kvalitet.ingest.pipeline import ingest_lock

    archive = Path(archive)
    manifest = read_manifest(archive)
    db = manifest.get("database") or {}
    kind = _db_kind(settings)
    if db.get("kind") != kind:
        raise ConfigError(
            f"Säkerhetskopian har en {db.get('kind')}-databas men {kind} är konfigurerad / "
            f"the backup holds a {db.get('kind')} database but {kind} is configured (KVALITET_DATABASE_URL)."
        )
    index_dir = settings.index_dir
    separate_db: Path | None = None
    if kind == "sqlite":
        db_file = _sqlite_path(settings)
        try:
            inside = db_file.resolve().relative_to(index_dir.resolve()).as_posix()
        except ValueError:
            inside = None
        if db.get("location") == "index" and inside is None:
            raise ConfigError(
                "Säkerhetskopians databas låg i indexmappen men den konfigurerade ligger utanför / the backup's "
                "database was inside the index folder, the configured one is not: set KVALITET_DATABASE_URL to match."
            )
        if db.get("location") == "index" and f"index/{inside}" != db.get("file"):
            raise ConfigError(
                f"Databasfilen heter {db.get('file')} i säkerhetskopian men {inside} är konfigurerad / "
                "the database file name differs from the configured one."
            )
        if db.get("location") == "separate":
            separate_db = db_file
    warnings: list[str] = []
    replaced: list[tuple[str, Path, str]] = []  # (what, where it is now, where it goes in the kept folder)
    occupied = not _index_is_empty(index_dir) or (separate_db is not None and _sqlite_has_data(separate_db))
    if kind == "postgresql":
        try:
            occupied = occupied or _catalog_facts(settings.db_url)["passages"] > 0
        except Exception:
            pass
    if occupied and not force:
        raise Conflict(
            f"Indexet i {index_dir} är inte tomt; återställningen skulle ersätta det. Använd --force "
            "för att ersätta (det gamla indexet sparas bredvid) / the index is not empty: use --force "
            "to replace it (the old index is kept beside it)."
        )
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.restore-", dir=index_dir.parent))
    previous: Path | None = None
    try:
        _extract_verified(archive, manifest, work)
        _check_catalog(work, manifest)
        new_index = work / "index"
        new_index.mkdir(exist_ok=True)
        lock_ctx = ingest_lock(index_dir) if index_dir.exists() else nullcontext()
        stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        # Everything the restore replaces is kept in one place beside the index: the previous
        # index folder itself, with the replaced database and corpus folders under replaced/.
        keep = index_dir.with_name(f"{index_dir.name}.before-restore-{stamp}")
        with lock_ctx:
            if kind == "postgresql":
                pg_restore = _pg_tool("pg_restore")
                if occupied:
                    (work / "replaced-db").mkdir()
                    _run_pg([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                             f"--file={work / 'replaced-db' / 'pg_dump.custom'}", f"--dbname={_libpq_url(settings.db_url)}"])
                _run_pg([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                         "--single-transaction", f"--dbname={_libpq_url(settings.db_url)}",
                         str(work / db["file"])])
                if occupied:
                    replaced.append(("database (pg_dump)", work / "replaced-db" / "pg_dump.custom", "database/pg_dump.custom"))
            elif separate_db is not None:
                _sqlite_copy(work / db["file"], separate_db.with_name(separate_db.name + ".restore-tmp"))
                if separate_db.exists():
                    old_copy = work / "replaced-db" / separate_db.name
                    _sqlite_copy(separate_db, old_copy)
                    replaced.append(("database", old_copy, f"database/{separate_db.name}"))
                os.replace(separate_db.with_name(separate_db.name + ".restore-tmp"), separate_db)
                for suffix in ("-wal", "-shm"):
                    Path(str(separate_db) + suffix).unlink(missing_ok=True)
            corpus = Path(settings.corpus_dir)
            for sub in (manifest.get("corpus") or {}).get("dirs") or []:
                if sub not in CORPUS_DIRS:
                    continue
                new_sub, cur = work / "corpus" / sub, corpus / sub
                if not new_sub.is_dir():
                    continue
                if cur.exists():
                    moved = work / "replaced-corpus" / sub
                    moved.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(cur), str(moved))
                    replaced.append((f"corpus/{sub}", moved, f"corpus/{sub}"))
                cur.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(new_sub), str(cur))
            if index_dir.exists():
                previous = keep
                os.rename(index_dir, previous)
            try:
                os.rename(new_index, index_dir)
            except OSError:
                if previous is not None:
                    os.rename(previous, index_dir)
                    previous = None
                raise
        if replaced:
            if previous is None:
                previous = keep
                previous.mkdir(parents=True)
            for _what, src, rel in replaced:
                dst = previous / "replaced" / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(src), str(dst))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    kept = [f"{what} -> {previous / 'replaced' / rel}" for what, _src, rel in replaced] if previous else []
    missing = missing_documents(settings)
    if missing:
        shown = ", ".join(missing[:5]) + (f" … (+{len(missing) - 5})" if len(missing) > 5 else "")
        warnings.append(
            f"{len(missing)} dokument i det återställda indexet saknas i korpusmappen {settings.corpus_dir} ({shown}). "
            "Nästa `kvalitet ingest` av mappen tar bort dem ur indexet: lägg tillbaka filerna först. / "
            f"{len(missing)} documents of the restored index are missing from the corpus folder: the next "
            "`kvalitet ingest` of the folder removes them from the index; put the files back first."
        )
    if manifest.get("chroma", {}).get("mode") == "server" or settings.chroma_host:
        warnings.append(
            "Vektorerna ligger i Chroma-servern och ingår inte i säkerhetskopian: kör `kvalitet ingest` "
            "för att återskapa dem ur katalogen / the vectors live on the Chroma server: run `kvalitet ingest`."
        )
    return RestoreResult(manifest=manifest, index_dir=index_dir, previous=previous, warnings=warnings, kept=kept)


def check_restored(settings: Settings, manifest: dict) -> dict:
    """Open the restored index (catalog and Chroma, without loading an embedding model) and
    compare its counts and embedder with the manifest."""
    from sqlalchemy import func, select

    from kvalitet.storage.db import Database, PassageRow
    from kvalitet.adapters.chroma import make_client

    db = Database(settings)
    try:
        with db.session() as s:
            catalog = int(s.scalar(select(func.count()).select_from(PassageRow)) or 0)
        embedder_id = db.get_meta("embedder_id")
    finally:
        db.dispose()
    vectors: int | None = None
    vector_embedder = None
    error = None
    try:
        collection = make_client(settings).get_collection(settings.collection)
        vectors = collection.count()
        vector_embedder = (collection.metadata or {}).get("embedder")
    except Exception as exc:  # no collection (empty index, or a Chroma server without it)
        error = f"{type(exc).__name__}: {exc}"
    server = manifest.get("chroma", {}).get("mode") == "server" or bool(settings.chroma_host)
    ok = (
        catalog == manifest.get("passages")
        and embedder_id == manifest.get("embedder_id")
        and (server or catalog == 0 or (vectors == catalog and vector_embedder in (None, embedder_id)))
    )
    return {
        "ok": ok, "catalog_passages": catalog, "vectors": vectors, "expected": manifest.get("passages"),
        "embedder_id": embedder_id, "vector_embedder": vector_embedder, "error": error,
    }
