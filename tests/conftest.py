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
