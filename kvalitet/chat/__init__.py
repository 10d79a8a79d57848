"""Chat: ask, refine and place, with or without an LLM.

    chat = services.chat                         # built once by kvalitet.container.Services
    turn = chat.start(user, ChatRequest(message="Vad gjorde vi mot frånvaro?", report_id=5, item_id=12))
    for event in chat.events(turn): ...          # server-sent events
    answer = chat.ask(user, ChatRequest(...))    # the same, folded into one JSON answer

With an LLM (settings.llm_enabled) the answer comes from a tool-using assistant (assistant.py);
without one from search and the extractive drafter (simple.py). Conversations are stored with
their owner (store.py); tools act with the caller's rights (tools.py).

Events, in order (each a dict with "event" and its payload; the same names as SSE `event:`):
  meta        {"conversation_id", "mode": "llm"|"simple", "report_id", "item_id"}    always first
  tool        {"name", "args", "status", "summary", "error"?}     a tool ran (status 200) or was
              refused (400 unknown tool, 403 no right, 404, 409 no open item, 422 bad arguments,
              429 too many calls, 503 LLM unavailable for that step): nothing changed then
  hits        {"query", "passages": [{"id", "text", "year", "kind", "doc_kind", "activity",
              "status", "source": {"path", "page", "line_start", "line_end"}}]}
  draft       {"ref", "kind", "text", "generator", "prompt_version", "citations", "grounding",
              "revised_from"?, "activity"}                       a draft kept in the conversation
  notice      {"kind", "activity", "text"}                       a section with nothing relevant:
              no draft, nothing that can be placed
  suggestion  {"id", "report_id", "item_id", "kind", "state": "pending", "version", "draft_ref",
              "grounding"}                                       placed in the report (pending)
  token       {"text"}                                           the answer, piece by piece
              (with an LLM the answer is split once the model's final turn is complete:
              LLMClient.chat_turn does not stream tool-using turns; tool/hits/draft events show
              progress meanwhile, and the router sends ": keepalive" comments)
  done        {"conversation_id", "message": <message>}         last event of a good turn
  error       {"code", "message", "status", "conversation_id"}  last event of a failed turn

<message> = {"role": "assistant", "text", "citations": [{"passage_id", "quote", "source"}],
             "placed": [...], "drafts": [...], "tools": [...], "needs_llm", "note", "mode",
             "grounding"?}
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kvalitet.errors import InvalidInput, KvalitetError
from kvalitet.domain.types import Grounding, Source
from kvalitet.workspace.auth import User
from kvalitet.chat.store import ChatStore
from kvalitet.chat.tools import ChatParts
from kvalitet.chat.turn import Turn

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
MAX_ID = 2**63 - 1  # ids fit a 64-bit integer column: a larger one is a 422, never an overflow


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str | None = Field(None, pattern=r"^[0-9a-f]{32}$", description="Omitted: a new conversation.")
    message: str = Field(..., min_length=1, max_length=MAX_MESSAGE_CHARS)
    report_id: int | None = Field(None, ge=1, le=MAX_ID, description="The report open in the panel.")
    item_id: int | None = Field(None, ge=1, le=MAX_ID,
                                description="The activity (item) open in the panel: suggestions go here.")
    confirm_place: bool = Field(False, description="The user confirmed in the panel that a suggestion may be placed "
                                                   "in the open activity (else only a message that asks to place, "
                                                   "e.g. \"lägg in\", lets a write tool run).")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("meddelandet är tomt / the message is empty")
        return v


class CitationOut(BaseModel):
    passage_id: str
    quote: str
    source: Source


class ChatMessage(BaseModel):
    role: str
    text: str
    citations: list[CitationOut] = Field(default_factory=list)
    placed: list[dict[str, Any]] = Field(default_factory=list)
    drafts: list[dict[str, Any]] = Field(default_factory=list)
    tools: list[dict[str, Any]] = Field(default_factory=list)
    needs_llm: bool = False
    note: str | None = None
    mode: str | None = None
    grounding: Grounding | None = None
    error: dict[str, Any] | None = None
    report_id: int | None = None
    item_id: int | None = None
    position: int | None = None
    created_at: datetime | None = None


class ChatAnswer(BaseModel):
    conversation_id: str
    reply: ChatMessage


class ConversationSummary(BaseModel):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime


class ConversationView(ConversationSummary):
    owner_id: int
    messages: list[ChatMessage]


class ConversationList(BaseModel):
    conversations: list[ConversationSummary]


def _error_of(ev: dict) -> KvalitetError:
    exc = KvalitetError(ev["message"])
    exc.code = ev["code"]
    exc.status_code = int(ev.get("status") or 500)
    return exc


class ChatService:
    """The chat: `parts` are what its tools use (ChatParts: settings, index, retriever, workspace,
    results, history, drafter, llm); `store` keeps the conversations."""

    def __init__(self, parts: ChatParts, store: ChatStore):
        self.parts = parts
        self.store = store

    @property
    def mode(self) -> str:
        return "llm" if self.parts.settings.llm_enabled and self.parts.llm() is not None else "simple"

    @property
    def masked(self) -> bool:
        """Whether what the chat shows is masked for personal data (KVALITET_MASK_PERSONAL_DATA)."""
        return self.parts.settings.mask_personal_data

    # -- a turn ---------------------------------------------------------------------------
    def start(self, user: User, req: ChatRequest) -> Turn:
        """Check and store the user's message; everything that can fail with a plain HTTP error
        (404/403 for the conversation, 422) fails here, before any event."""
        if req.item_id is not None and req.report_id is None:
            raise InvalidInput("item_id kräver report_id / item_id needs report_id")
        if req.conversation_id:
            self.store.check(req.conversation_id, user, write=True)
            cid = req.conversation_id
            history = self.store.messages(cid)
        else:
            cid = self.store.create(user, req.message)
            history = []
        self.store.append(cid, "user", req.message, {"report_id": req.report_id, "item_id": req.item_id,
                                                     "confirm_place": req.confirm_place})
        from kvalitet.chat.simple import asks_to_place

        return Turn(parts=self.parts, store=self.store, user=user, conversation_id=cid, message=req.message,
                    report_id=req.report_id, item_id=req.item_id, history=history, mode=self.mode,
                    may_write=req.confirm_place or asks_to_place(req.message))

    def events(self, turn: Turn) -> Iterator[dict]:
        yield {"event": "meta", "conversation_id": turn.conversation_id, "mode": turn.mode,
               "report_id": turn.report_id, "item_id": turn.item_id}
        try:
            if turn.mode == "llm":
                from kvalitet.chat.assistant import Assistant

                yield from Assistant(turn, self.parts.llm()).run()
            else:
                from kvalitet.chat.simple import SimpleResponder

                yield from SimpleResponder(turn).run()
        except KvalitetError as exc:
            yield turn.fail(exc.code, exc.message, exc.status_code)
        except Exception:
            log.exception("chat turn failed")
            yield turn.fail("internal_error", "Något gick fel i chatten; försök igen. / The chat failed.", 500)

    def ask(self, user: User, req: ChatRequest) -> ChatAnswer:
        """The turn as one answer; an `error` event becomes the KvalitetError it stands for."""
        turn = self.start(user, req)
        for ev in self.events(turn):
            if ev["event"] == "error":
                raise _error_of(ev)
            if ev["event"] == "done":
                return ChatAnswer(conversation_id=turn.conversation_id, reply=ChatMessage(**ev["message"]))
        raise KvalitetError("Chatten avslutades utan svar / the chat ended without an answer")  # pragma: no cover

    # -- reading --------------------------------------------------------------------------
    def conversation(self, conversation_id: str, user: User) -> ConversationView:
        row = self.store.check(conversation_id, user, write=False)
        out: list[ChatMessage] = []
        for m in self.store.messages(conversation_id):
            if m.role == "user":
                out.append(ChatMessage(role="user", text=m.content, report_id=m.data.get("report_id"),
                                       item_id=m.data.get("item_id"), position=m.position, created_at=m.created_at))
            elif m.role == "assistant" and m.data.get("final"):
                fields = {k: v for k, v in m.data.items() if k in ChatMessage.model_fields and k not in ("role", "text")}
                out.append(ChatMessage(role="assistant", text=m.content, position=m.position,
                                       created_at=m.created_at, **fields))
        return ConversationView(id=row.id, title=row.title, owner_id=row.owner_id, created_at=row.created_at,
                                updated_at=row.updated_at, messages=out)

    def conversations(self, user: User) -> ConversationList:
        return ConversationList(conversations=[
            ConversationSummary(id=r.id, title=r.title, created_at=r.created_at, updated_at=r.updated_at)
            for r in self.store.list_for(user)
        ])


__all__ = ["ChatService", "ChatRequest", "ChatAnswer", "ChatMessage", "ConversationView", "ConversationList"]
