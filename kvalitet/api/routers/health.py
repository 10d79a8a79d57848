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


@router.get("/readyz")
def readyz(svc: Services = Depends(get_services)):
    """Whether the database, the index and the LLM (if configured) answer."""
    checks: dict[str, dict] = {}
    try:
        with svc.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        n = svc.index.vectors.count()
        checks["index"] = {"ok": True, "passages": n, "mode": svc.index.vectors.mode}
    except Exception as exc:
        checks["index"] = {"ok": False, "error": getattr(exc, "message", type(exc).__name__)}
    if svc.settings.llm_enabled:
        try:
            ok = svc.llm.ping()
            checks["llm"] = {"ok": ok}
        except Exception as exc:
            checks["llm"] = {"ok": False, "error": type(exc).__name__}
    ready = all(c["ok"] for c in checks.values())
    body = {"ready": ready, "checks": checks, "worker": os.getpid(), "index_version": svc.index.loaded_version}
    return JSONResponse(body, status_code=200 if ready else 503)
