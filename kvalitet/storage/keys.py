"""Secret key files under the index folder (the web's session key, the token hashes' key): made
once with 48 random URL-safe bytes, written with fsync, mode 0600 (a looser mode is tightened)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)


def read_or_make_key(path: Path) -> str:
    """The key kept in `path`, made first when there is none (O_EXCL: of two processes starting at
    once, one writes it). Returns the stripped content; the caller checks its length (a file
    another worker is still writing, or one that was truncated, is shorter than a key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
            fh.flush()
            os.fsync(fh.fileno())
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
        log.warning("tightened the permissions of %s to 0600", path)
    return path.read_text(encoding="ascii").strip()
