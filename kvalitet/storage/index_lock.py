"""One lock for exclusive use of an embedded index (Chroma's PersistentClient, BM25 files and the
embedding cache under the index folder), held by whichever process works on it:

* a running server holds it from start to stop (the app's lifespan);
* `kvalitet ingest` (with or without --rebuild), a publish or an upload from the command line and
  `kvalitet restore` hold it while they run;
* so a second `kvalitet serve`, or an ingest, rebuild or restore from another process while the
  server runs, is refused at once with a message (Swedish and English) that names who holds the
  index and what to do, instead of dropping or rewriting the collection under the server.

Within one process the lock is re-entrant: the server's own uploads and publishes (which ingest)
run under the lock the server already holds. With a Chroma server (KVALITET_CHROMA_HOST) the
vectors are shared by design and several workers are allowed: no lock is taken.

The lock is an flock on ``.<index folder name>.lock`` *beside* the index folder (a restore
swaps the folder itself); the file names the holder (pid, what, since) for the message. The
kernel drops an flock when its process dies, so a killed server never leaves a stale lock.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from kvalitet.errors import IndexBusy

_lock = threading.Lock()
_held: dict[str, list] = {}  # lock path -> [file handle, count, purpose]


def lock_path(index_dir: Path) -> Path:
    index_dir = Path(index_dir).resolve()
    return index_dir.parent / f".{index_dir.name}.lock"


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return f"{info.get('purpose', 'en annan process')} (pid {info.get('pid', '?')}, sedan {info.get('since', '?')})"
    except (OSError, ValueError):
        return "en annan process / another process"


def _busy(index_dir: Path, path: Path, purpose: str) -> IndexBusy:
    who = _holder(path)
    return IndexBusy(
        f"Indexet i {index_dir} används av {who}; {purpose} kan inte köras samtidigt. Stoppa den först, eller "
        "läs in dokument genom webbgränssnittet eller API:t medan servern kör. / "
        f"The index in {index_dir} is in use by {who}: {purpose} cannot run at the same time. Stop it first, "
        "or upload documents through the web interface or the API while the server runs."
    )


def acquire(settings, purpose: str) -> bool:
    """Take the lock for this process (re-entrant); False when no lock applies (Chroma server).
    Raises IndexBusy when another process holds it."""
    if getattr(settings, "chroma_host", None):
        return False
    index_dir = Path(settings.index_dir)
    path = lock_path(index_dir)
    key = str(path)
    with _lock:
        if key in _held:
            _held[key][1] += 1
            return True
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise _busy(index_dir, path, purpose) from None
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "purpose": purpose,
                             "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        fh.flush()
        _held[key] = [fh, 1, purpose]
        return True


def release(settings) -> None:
    """Give back one acquire of this process; the flock goes with the last one."""
    if getattr(settings, "chroma_host", None):
        return
    key = str(lock_path(Path(settings.index_dir)))
    with _lock:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[key]
        fh = entry[0]
        try:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
        finally:
            fh.close()


@contextmanager
def exclusive_index(settings, purpose: str) -> Iterator[None]:
    """Hold the index lock for the block (see `acquire`)."""
    took = acquire(settings, purpose)
    try:
        yield
    finally:
        if took:
            release(settings)
