from __future__ import annotations

import os

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from kvalitet.container import Services
from kvalitet.api.deps import get_services

router = APIRouter(tags=["drift"])


@router.get("/healthz")
async def healthz():
    """The process answers."""
    return {"status": "ok"}


def _reason(exc: BaseException) -> str:
    """What failed, as plain text (a KvalitetError's message, else the exception's type and
    text). Chroma's errors carry a *method* called `message`: never put that in JSON."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message[:300]
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)


@router.get("/readyz")
def readyz(svc: Services = Depends(get_services)):
    """Whether the database, the index and the LLM (if configured) answer."""
    checks: dict[str, dict] = {}
    try:
        with svc.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except _FATAL:
        raise
    except BaseException as exc:  # Chroma's Rust core may raise a BaseException (a panic)
        checks["database"] = {"ok": False, "error": _reason(exc)}
    try:
        n = svc.index.vectors.count()
        checks["index"] = {"ok": True, "passages": n, "mode": svc.index.vectors.mode}
    except _FATAL:
        raise
    except BaseException as exc:
        checks["index"] = {"ok": False, "error": _reason(exc)}
    if svc.settings.llm_enabled:
        try:
            llm = svc.llm
            ok = llm.ping() if llm is not None else False  # never None when the LLM is enabled
            checks["llm"] = {"ok": ok}
        except _FATAL:
            raise
        except BaseException as exc:
            checks["llm"] = {"ok": False, "error": type(exc).__name__}
    ready = all(c["ok"] for c in checks.values())
    if not ready:  # one line that says why, for a load balancer's log or a person with curl
        body_reason = "; ".join(f"{name}: {c.get('error') or 'svarar inte / not answering'}"
                                for name, c in checks.items() if not c["ok"])
    body = {"ready": ready, "checks": checks, "worker": os.getpid(), "index_version": svc.index.loaded_version}
    if not ready:
        body["reason"] = body_reason
    return JSONResponse(body, status_code=200 if ready else 503)
