"""The service layer shared by the CLI and the API: one object built once per process, and the
one place that holds its per-process parts (the index, the LLM client, the drafter, the workspace,
the results, the chat, the job and upload runners, the roll-up). Each part is built with the
collaborators it uses, named in its signature."""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kvalitet.settings import Settings
from kvalitet.storage.db import Database
from kvalitet.adapters.embedders import Embedder
from kvalitet.search.index import KnowledgeIndex, activity_history
from kvalitet.search.retriever import Retriever
from kvalitet.domain.types import IngestReport

if TYPE_CHECKING:
    from kvalitet.adapters.llm import LLMClient
    from kvalitet.chat import ChatService
    from kvalitet.drafting import Drafter
    from kvalitet.results.service import ResultsService
    from kvalitet.rollup.service import Rollup
    from kvalitet.search.history import ActivityHistory
    from kvalitet.workspace import Workspace
    from kvalitet.workspace.jobs import JobRunner
    from kvalitet.workspace.uploads import UploadRunner


class Services:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        from kvalitet.ops.files import make_private

        self.settings = settings
        settings.index_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        make_private(settings)  # umask 077: every data file 0600, every folder 0700
        self.db = Database(settings)
        self.index = KnowledgeIndex(settings, self.db, embedder)
        self.retriever = Retriever(self.index)
        self._parts: dict[str, Any] = {}
        self._parts_lock = threading.Lock()

    def with_settings(self, **overrides: Any) -> "Services":
        """The same database, index and retriever under other settings (another LLM endpoint,
        masking, fallback): its own LLM client, drafter, workspace, chat and runners. Close the
        original, not this."""
        other = object.__new__(Services)
        other.settings = self.settings.model_copy(update=overrides)
        other.db, other.index, other.retriever = self.db, self.index, self.retriever
        other._parts, other._parts_lock = {}, threading.Lock()
        return other

    def _one(self, name: str, make: Callable[[], Any]) -> Any:
        """This process's one `name`, made by `make()` on first use (of two threads asking at
        once, one makes it)."""
        with self._parts_lock:
            part = self._parts.get(name)
            if part is None:
                part = self._parts[name] = make()
            return part

    def ingest(self, paths: list[Path] | None = None, **kw) -> IngestReport:
        from kvalitet.ingest.pipeline import ingest

        return ingest(self.index, paths, **kw)

    def recover(self) -> dict:
        """Finish or undo what a crash left in the corpus (kvalitet.ingest.staging.recover),
        keeping the reports the workspace has published."""
        from kvalitet.ingest.staging import recover
        from kvalitet.workspace.models import published_paths

        return recover(self.index, lambda: published_paths(self.db))

    def history(self) -> ActivityHistory:
        """The activity history of the index's current snapshot."""
        return activity_history(self.index)

    @cached_property
    def llm(self) -> LLMClient | None:
        """The chat model when KVALITET_LLM_BASE_URL is set, else None."""
        if not self.settings.llm_enabled:
            return None
        from kvalitet.adapters.llm import LLMClient

        return LLMClient(self.settings)

    def _llm(self) -> LLMClient | None:
        """The chat model, built on first use (what the drafter, chat and roll-up are given)."""
        return self.llm

    @cached_property
    def drafter(self) -> Drafter:
        from kvalitet.drafting import Drafter

        return Drafter(self.settings, self.index, self.retriever, self.results, self.history, self._llm)

    @cached_property
    def results(self) -> ResultsService:
        """Indicator series from documents and Kolada (kvalitet.results)."""
        from kvalitet.results import ResultsService

        return ResultsService(self.db, kolada_url=self.settings.kolada_url,
                              kolada_timeout=self.settings.kolada_timeout)

    @cached_property
    def workspace(self) -> Workspace:
        """The report workspace (kvalitet.workspace.Workspace)."""
        from kvalitet.workspace import Workspace

        return Workspace(self.settings, self.db, self.index, self.drafter, self.results)

    @property
    def chat(self) -> ChatService:
        """The chat (kvalitet.chat.ChatService), one per process."""
        from kvalitet.chat import ChatService
        from kvalitet.chat.store import ChatStore
        from kvalitet.chat.tools import ChatParts

        def make() -> ChatService:
            parts = ChatParts(settings=self.settings, index=self.index, retriever=self.retriever,
                              workspace=self.workspace, results=self.results, history=self.history,
                              drafter=self.drafter, llm=self._llm)
            return ChatService(parts, ChatStore(self.db))

        return self._one("chat", make)

    @property
    def jobs(self) -> JobRunner:
        """The draft-all job runner (kvalitet.workspace.jobs.JobRunner), one thread per process."""
        from kvalitet.workspace.jobs import JobRunner

        return self._one("jobs", lambda: JobRunner(self.workspace))

    @property
    def uploads(self) -> UploadRunner:
        """The upload runner (kvalitet.workspace.uploads.UploadRunner), one thread per process."""
        from kvalitet.workspace.uploads import UploadRunner

        return self._one("uploads", lambda: UploadRunner(self.settings, self.db, self.index))

    @property
    def rollup(self) -> Rollup:
        """The huvudman's roll-up (kvalitet.rollup.service.Rollup), one per process."""
        from kvalitet.rollup.service import Rollup

        return self._one("rollup", lambda: Rollup(self.settings, self.db, self.workspace, self.retriever, self._llm))

    def close(self) -> None:
        self.index.close()
