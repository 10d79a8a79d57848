"""The service layer shared by the CLI and the API: one object built once per process."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from kvalitet.settings import Settings
from kvalitet.storage.db import Database
from kvalitet.adapters.embedders import Embedder
from kvalitet.search.index import KnowledgeIndex, activity_history
from kvalitet.search.retriever import Retriever
from kvalitet.domain.types import IngestReport


class Services:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        from kvalitet.ops.files import make_private

        self.settings = settings
        settings.index_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        make_private(settings)  # umask 077: every data file 0600, every folder 0700
        self.db = Database(settings)
        self.index = KnowledgeIndex(settings, self.db, embedder)
        self.retriever = Retriever(self.index)

    def ingest(self, paths: list[Path] | None = None, **kw) -> IngestReport:
        from kvalitet.ingest.pipeline import ingest

        return ingest(self.index, paths, **kw)

    def recover(self) -> dict:
        """Finish or undo what a crash left in the corpus (kvalitet.ingest.staging.recover),
        keeping the reports the workspace has published."""
        from kvalitet.ingest.staging import recover
        from kvalitet.workspace.models import published_paths

        return recover(self, lambda: published_paths(self.db))

    def history(self):
        return activity_history(self.index)

    @cached_property
    def llm(self):
        """The chat model when KVALITET_LLM_BASE_URL is set, else None."""
        if not self.settings.llm_enabled:
            return None
        from kvalitet.adapters.llm import LLMClient

        return LLMClient(self.settings)

    @cached_property
    def drafter(self):
        from kvalitet.drafting import Drafter

        return Drafter(self)

    @cached_property
    def results(self):
        """Indicator series from documents and Kolada (kvalitet.results)."""
        from kvalitet.results import ResultsService

        return ResultsService(self.db, kolada_url=self.settings.kolada_url,
                              kolada_timeout=self.settings.kolada_timeout)

    @cached_property
    def workspace(self):
        from kvalitet.workspace import Workspace

        return Workspace(self)

    def close(self) -> None:
        self.index.close()
