"""Private files: what Kvalitet writes (index, database, uploads, published reports, backups)
holds personal data, so it is readable by the service's own user only.

`make_private(settings)` is called once per process by `Services` (the API, every CLI command):
the process umask becomes 077, so every file and folder created afterwards, by us or by a
library (Chroma, SQLite, bm25s), is 0600 / 0700; and the index folder itself (with the SQLite
database beside it, when it is elsewhere) is tightened, so files an older version wrote 0644
cannot be reached through it either.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077


def make_private(settings) -> None:
    """Set the process umask to 077 and make the index folder (and a separate SQLite file) 0700
    / 0600. Idempotent; never raises for a path it cannot change (it logs a warning)."""
    os.umask(PRIVATE_UMASK)
    targets: list[tuple[Path, int]] = [(Path(settings.index_dir), 0o700)]
    url = settings.db_url
    if url.startswith("sqlite:///"):
        db_file = Path(url.split(":///", 1)[1].split("?", 1)[0])
        if str(db_file) not in ("", ":memory:"):
            targets.append((db_file, 0o600))
    for path, mode in targets:
        try:
            if path.exists() and (path.stat().st_mode & 0o777) & ~mode:
                os.chmod(path, mode)
        except OSError as exc:  # pragma: no cover - a path owned by someone else
            log.warning("could not restrict the permissions of %s: %s", path, exc)
