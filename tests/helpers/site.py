"""A site for the HTTP and browser tests: a corpus folder, the services on a fresh index beside
it (hash embedder), users with their tokens, and the app served on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from tests.helpers.paths import REPO
from tests.helpers.server import running_server

SAMPLE_CORPUS = tuple(sorted((REPO / "corpus").glob("*.txt")))  # the sample corpus's files

# key -> (name, role, unit): the users most of the web tests sign in as
USERS = {
    "rektor": ("Rut Rektor", "rektor", "Åbyskolan"),
    "granskare": ("Greta Granskare", "granskare", None),
    "admin": ("Ada Admin", "admin", None),
}


def make_corpus(root: Path, files: Iterable[Path] = (), texts: dict[str, str] | None = None) -> Path:
    """root/corpus (made) holding copies of `files` and the `texts` written in ({file name: text})."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, corpus / f.name)
    for name, text in (texts or {}).items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def services_on(corpus: Path, *, ingest: bool = True, **settings):
    """The Services on a fresh index beside `corpus` (hash embedder; `settings` on top), the corpus
    ingested (unless `ingest` is False) with no file skipped."""
    from kvalitet.container import Services
    from kvalitet.settings import Settings

    svc = Services(Settings(index_dir=corpus.parent / "index", corpus_dir=corpus, embedder="hash", **settings))
    if ingest:
        report = svc.ingest()
        assert not report.skipped, report.skipped
    return svc


def add_users(svc, users: dict[str, tuple[str, str | None, str | None]]) -> dict[str, str]:
    """Adds every user {key: (name, role, unit)} to the workspace: {key: their token}."""
    return {key: svc.workspace.add_user(name, role, unit).token for key, (name, role, unit) in users.items()}


@contextmanager
def serving(svc, **fields) -> Iterator[SimpleNamespace]:
    """The app on `svc` served on loopback: SimpleNamespace(base=its URL, svc, settings, **fields).
    Closes `svc` afterwards."""
    from kvalitet.app import create_app

    try:
        with running_server(create_app(svc.settings, services=svc)) as base:
            yield SimpleNamespace(base=base, svc=svc, settings=svc.settings, **fields)
    finally:
        svc.close()
