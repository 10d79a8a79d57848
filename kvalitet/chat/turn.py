"""One turn of a conversation: what both answerers (assistant.py with an LLM, simple.py without)
share: the context (who asks, in which report item), tool bookkeeping and the final message.

Events are dicts {"event": name, ...}; the router writes them as server-sent events or folds
them into one JSON answer (see __init__.py for the list).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from kvalitet.pii import mask as mask_pii
from kvalitet.workspace.auth import User
from kvalitet.chat.store import ChatStore, StoredMessage
from kvalitet.chat.tools import ChatParts, ToolOutcome

_PIECE = re.compile(r"\S+\s*|\s+")


def pieces(text: str, words: int = 3):
    """`text` in small pieces (a few words each), joined they give `text` back."""
    buf, n = "", 0
    for m in _PIECE.finditer(text):
        buf += m.group(0)
        n += 1
        if n >= words:
            yield buf
            buf, n = "", 0
    if buf:
        yield buf


@dataclass
class Turn:
    parts: ChatParts  # what the tools use (the settings, index, retriever, workspace, drafter …)
    store: ChatStore
    user: User
    conversation_id: str
    message: str
    report_id: int | None
    item_id: int | None
    history: list[StoredMessage]  # the conversation before this turn's user message
    mode: str  # "llm" | "simple"
    may_write: bool = False  # the user's message asks to place text (or confirmed it): write tools may run
    cancelled: threading.Event = field(default_factory=threading.Event)
    tools_log: list[dict] = field(default_factory=list)
    placed: list[dict] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)

    @property
    def mask(self) -> bool:
        return self.parts.settings.mask_personal_data

    def record(self, outcome: ToolOutcome, *, call_id: str | None = None, llm: bool = False) -> list[dict]:
        """Store one tool call and its result; the events to send for it."""
        self.tools_log.append(outcome.record())
        self.placed.extend(outcome.placed)
        self.drafts.extend(ev for ev in outcome.events if ev["event"] == "draft")
        self.store.append(self.conversation_id, "tool", outcome.summary, {
            "name": outcome.name, "call_id": call_id, "arguments": outcome.arguments, "status": outcome.status,
            "summary": outcome.summary, "model_content": outcome.model_content, "candidates": outcome.candidates,
            "placed": outcome.placed, "error": outcome.error, "llm": llm, "read_units": outcome.read_units,
        })
        return [outcome.event(), *outcome.events]

    def message_out(self, text: str, *, citations: list[dict], needs_llm: bool = False, note: str | None = None,
                    grounding: dict | None = None) -> dict:
        return {
            "role": "assistant", "text": text, "citations": citations, "placed": list(self.placed),
            "drafts": [{k: v for k, v in d.items() if k != "event"} for d in self.drafts],
            "tools": list(self.tools_log), "needs_llm": needs_llm, "note": note, "mode": self.mode,
            **({"grounding": grounding} if grounding is not None else {}),
        }

    def finish(self, text: str, *, citations: list[dict], needs_llm: bool = False, note: str | None = None,
               grounding: dict | None = None, extra: dict | None = None):
        """The final answer: token events, then `done` (after storing it)."""
        if self.mask:  # as the drafter does: what the user sees is masked, the check ran before
            text = mask_pii(text)
            citations = [{**c, "quote": mask_pii(c["quote"])} for c in citations]
        for piece in pieces(text):
            yield {"event": "token", "text": piece}
        msg = self.message_out(text, citations=citations, needs_llm=needs_llm, note=note, grounding=grounding)
        self.store.append(self.conversation_id, "assistant", text, {"final": True, **msg, **(extra or {})})
        yield {"event": "done", "conversation_id": self.conversation_id, "message": msg}

    def fail(self, code: str, message: str, status: int) -> dict:
        """The turn ends with an error (stored, so the history shows it)."""
        msg = self.message_out(message, citations=[], note=None)
        self.store.append(self.conversation_id, "assistant", message,
                          {"final": True, **msg, "error": {"code": code, "status": status}})
        return {"event": "error", "code": code, "message": message, "status": status,
                "conversation_id": self.conversation_id}
