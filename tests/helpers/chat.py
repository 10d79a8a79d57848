"""The chat tests' helpers: a client of POST /api/chat (JSON or SSE), counts of the workspace's
rows, a world with the sample corpus ingested (hash embedder) and one report with one activity,
and the scripted tool calls of the fake model."""

from __future__ import annotations

import json
import shutil

import httpx
from sqlalchemy import func, select

from kvalitet.workspace.models import AuditRow, ReportRow, SectionRow, SuggestionRow
from tests.helpers.paths import CORPUS
from tests.helpers.workspace import World, make_settings

ACTIVITY = "Minska frånvaron i åk 7–9"


def sse_events(text: str) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (event, data) pairs; comment lines are skipped."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith(":") or not line:
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if name is not None:
            out.append((name, json.loads("\n".join(data))))
    return out


class Client:
    """POST /api/chat as a given user, as JSON or as SSE."""

    def __init__(self, url: str, token: str | None):
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def ask(self, message: str, **kw) -> httpx.Response:
        body = {"message": message, **{k: v for k, v in kw.items() if v is not None}}
        return httpx.post(f"{self.url}/api/chat", json=body, headers=self.headers, timeout=60)

    def stream(self, message: str, **kw) -> tuple[int, list[tuple[str, dict]], str]:
        body = {"message": message, **{k: v for k, v in kw.items() if v is not None}}
        headers = {**self.headers, "Accept": "text/event-stream"}
        with httpx.stream("POST", f"{self.url}/api/chat", json=body, headers=headers, timeout=60) as r:
            raw = "".join(r.iter_text())
            return r.status_code, (sse_events(raw) if r.headers.get("content-type", "").startswith("text/event-stream") else []), raw

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", headers=self.headers, timeout=30)


def named(events, name):
    return [d for n, d in events if n == name]


def counts(world) -> list[int]:
    with world.svc.db.session() as s:
        return [s.scalar(select(func.count()).select_from(m)) for m in (SectionRow, SuggestionRow, AuditRow)]


def report_version(world, report_id: int) -> int:
    with world.svc.db.session() as s:
        return s.get(ReportRow, report_id).version


def make_world(tmp_path, **settings) -> World:
    s = make_settings(tmp_path, **settings)
    for p in CORPUS.glob("*.txt"):
        shutil.copyfile(p, s.corpus_dir / p.name)
    w = World(s)
    rep = w.svc.ingest()
    assert not rep.skipped and rep.passages > 100
    w.report_a = w.report(kind="aktivitetsuppfoljning", title="Fjolårets aktiviteter 2024")  # Åbyskolan
    w.item_a = w.ws.add_item(w.report_a.id, {"activity": ACTIVITY, "status": "Pågående",
                                             "notes": "Ny rutin för frånvarouppföljning."}, w.rektor)
    return w


def this_turn(body) -> tuple[str, list[dict]]:
    """The current user message and the messages after it (this turn's tool rounds)."""
    msgs = body["messages"]
    i = max(n for n, m in enumerate(msgs) if m["role"] == "user")
    return msgs[i]["content"], msgs[i + 1:]


def tool_texts(msgs) -> list[str]:
    """The contents of the tool messages among msgs."""
    return [m["content"] for m in msgs if m["role"] == "tool"]


def call(name, **arguments):
    """A fake model reply that calls one tool."""
    return {"tool_calls": [{"name": name, "arguments": arguments}]}
