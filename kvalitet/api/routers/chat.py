"""Chat: POST /api/chat (JSON, or server-sent events with Accept: text/event-stream),
GET /api/chat (my conversations), GET /api/chat/{conversation_id} (one conversation's history).

Thin: the request model in, ChatService (service/chat) does the work with the caller's rights.
Authentication: current_user (Bearer token, or the web layer's session cookie; the web layer adds
CSRF protection for cookie requests). A conversation is readable by its owner and admins, and can
be continued only by its owner: someone else's conversation is 403, an unknown one 404 (the
workspace's convention for reports).

Everything that can fail before the answer starts (bad input 422, 401, 403, 404) is a plain JSON
error. Once a stream has started, a failure is its last event: `error` {code, message, status}.
In JSON mode the same failure is the matching status with the usual error body (for example 503
llm_unavailable when the LLM is down and KVALITET_LLM_FALLBACK=error). A tool the user has no
right to use is not an HTTP error: the turn answers 200 and reports the refused tool (status 403).
While the answer is being worked out, the stream sends a comment line (": keepalive") every
KEEPALIVE_SECONDS so that proxies do not close it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import AsyncIterator, Iterator

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from kvalitet.chat import ChatAnswer, ChatRequest, ChatService, ConversationList, ConversationView
from kvalitet.workspace.auth import User
from kvalitet.api.auth import AuthRoute, current_user
from kvalitet.pii import shown

router = APIRouter(prefix="/api", tags=["chatt"], route_class=AuthRoute)

KEEPALIVE_SECONDS = 15.0
_END = object()


def chat_service(request: Request) -> ChatService:
    """The process's chat (kvalitet.container.Services.chat)."""
    return request.app.state.services.chat


def sse(event: dict) -> str:
    return f"event: {event['event']}\ndata: {json.dumps(event, ensure_ascii=False, default=str)}\n\n"


async def _stream(events: Iterator[dict], cancelled: threading.Event) -> AsyncIterator[str]:
    """The blocking event generator runs in a worker thread; events come through a queue, with a
    keep-alive comment while none comes. A client that goes away stops the turn at its next step."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def put(item) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone (server shutting down)
            cancelled.set()

    def produce() -> None:
        try:
            for ev in events:
                put(ev)
                if cancelled.is_set():
                    break
        finally:
            put(_END)

    worker = loop.run_in_executor(None, produce)
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                yield ": keepalive\n\n"
                continue
            if item is _END:
                break
            yield sse(item)
    finally:
        cancelled.set()
        if worker.done():
            worker.result()


@router.post(
    "/chat",
    response_model=ChatAnswer,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "JSON, or server-sent events (meta, tool, hits, draft, suggestion, token, "
                                    "done | error) with Accept: text/event-stream"},
               403: {"description": "The conversation belongs to someone else"},
               404: {"description": "No such conversation"},
               503: {"description": "The LLM is unavailable (KVALITET_LLM_FALLBACK=error)"}},
)
async def chat(body: ChatRequest, request: Request, user: User = Depends(current_user)):
    """Ask, draft, revise and place suggestions; answers cite passage ids."""
    service = chat_service(request)
    if "text/event-stream" in request.headers.get("accept", ""):
        turn = await run_in_threadpool(service.start, user, body)
        mask = service.masked
        return StreamingResponse(
            _stream((shown(ev, mask) for ev in service.events(turn)), turn.cancelled),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer = await run_in_threadpool(service.ask, user, body)
    return shown(answer, service.masked)


@router.get("/chat", response_model=ConversationList)
async def my_conversations(request: Request, user: User = Depends(current_user)):
    """The caller's own conversations, most recent first."""
    service = chat_service(request)
    return shown(await run_in_threadpool(service.conversations, user), service.masked)


@router.get("/chat/{conversation_id}", response_model=ConversationView,
            responses={403: {"description": "Someone else's conversation"}, 404: {"description": "Not found"}})
async def conversation(request: Request, conversation_id: str = Path(..., max_length=64),
                       user: User = Depends(current_user)):
    """One conversation's messages (owner or admin)."""
    service = chat_service(request)
    view = await run_in_threadpool(service.conversation, conversation_id, user)
    return shown(view, service.masked)
