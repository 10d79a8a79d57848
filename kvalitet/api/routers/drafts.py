"""POST /api/drafts: grounded suggestions for the sections of a new activity.

JSON by default; server-sent events when the body says "stream": true or the client sends
Accept: text/event-stream. Drafting is blocking work (retrieval, embedding, the LLM): it runs in
the thread pool, never on the event loop.
"""

from __future__ import annotations

import json
from typing import AsyncIterator, Iterator, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from kvalitet.container import Services
from kvalitet.domain.types import Draft, DraftRequest
from kvalitet.api.auth import AuthRoute, current_user
from kvalitet.api.deps import get_services
from kvalitet.pii import shown

# Every route needs a signed-in user (Bearer token or the web session): drafts rest on
# documents that may name staff and pupils.
DEPENDENCIES: list = [Depends(current_user)]

router = APIRouter(prefix="/api", tags=["utkast"], dependencies=DEPENDENCIES, route_class=AuthRoute)


class DraftIn(DraftRequest):
    generator: Literal["extractive", "llm"] | None = None
    stream: bool = False

    def request(self) -> DraftRequest:
        return DraftRequest(**self.model_dump(exclude={"generator", "stream"}))


def sse(event: dict) -> str:
    return f"event: {event['event']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


async def _sse_stream(first: dict | None, events: Iterator[dict]) -> AsyncIterator[str]:
    if first is not None:
        yield sse(first)
    async for ev in iterate_in_threadpool(events):
        yield sse(ev)


@router.post("/drafts", response_model=Draft, responses={200: {"content": {"text/event-stream": {}}}})
async def create_draft(body: DraftIn, request: Request, svc: Services = Depends(get_services)):
    """Suggestions per requested section, each with its citations and grounding check."""
    req = body.request()
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        mask = svc.settings.mask_personal_data
        events = (shown(ev, mask) for ev in svc.drafter.stream(req, body.generator))
        # The first event is produced here: an error before it (bad input, an unreachable LLM
        # without fallback) becomes a proper error response instead of a 200 carrying it.
        first = await run_in_threadpool(next, events, None)
        return StreamingResponse(
            _sse_stream(first, events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    draft = await run_in_threadpool(svc.drafter.draft, req, body.generator)
    return shown(draft, svc.settings.mask_personal_data)
