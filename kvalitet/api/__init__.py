"""The HTTP API: `build_api` makes the FastAPI app with its routers, middleware and error
handlers; heavy parts are built in the lifespan. kvalitet.app.create_app adds the web pages."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from kvalitet.settings import Settings
from kvalitet.errors import KvalitetError

log = logging.getLogger("kvalitet.api")


def error_body(code: str, message: str, detail=None, *, sv: str | None = None, en: str | None = None) -> dict:
    """The one error body: {"error": {"code", "message" (Swedish / English), "message_sv",
    "message_en", "detail"?}}."""
    if sv is None:
        from kvalitet.errors import split_bilingual

        sv, en = split_bilingual(message)
    body = {"error": {"code": code, "message": message, "message_sv": sv, "message_en": en or sv}}
    if detail is not None:
        body["error"]["detail"] = detail
    return body


def _start_up(svc) -> None:
    """What a crash or time left behind, dealt with before the first request: half-done
    publishes and uploads (ingest/staging.py), and data past its retention (ops/retention.py).
    A failure here is logged, never fatal (the service still starts)."""
    try:
        done = svc.recover()
        if any(done.values()):
            log.warning("start-up recovery: %s", done)
    except Exception:
        log.exception("start-up recovery failed")
    try:
        from kvalitet.ops.retention import apply_retention

        apply_retention(svc.settings, svc.db)
    except ImportError:
        pass
    except Exception:
        log.exception("retention clean-up failed")


def build_api(settings: Settings | None = None, services=None) -> FastAPI:
    """The API app (every router of kvalitet.api.routers, the middleware, one error shape);
    `services` is built in the lifespan unless given (a test's, then not closed here)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from kvalitet.container import Services
        from kvalitet.errors import IndexBusy
        from kvalitet.storage import index_lock

        try:  # an embedded index is this server's alone while it runs (storage/index_lock.py)
            index_lock.acquire(settings, "kvalitet serve")
        except IndexBusy as exc:
            log.error("%s", exc.message)
            raise
        try:
            svc = services or Services(settings)
            app.state.services = svc
            app.state.settings = settings
            await run_in_threadpool(_start_up, svc)
            yield
            if services is None:
                svc.close()
        finally:
            index_lock.release(settings)

    app = FastAPI(
        title="Kvalitet",
        version="0.1.0",
        description="Sök i tidigare års uppföljningar och kvalitetsrapporter och få utkast med källor.",
        lifespan=lifespan,
        docs_url=None,  # served by kvalitet.web.docs from local files: no CDN (closed networks)
        redoc_url=None,
    )
    app.state.settings = settings

    @app.exception_handler(KvalitetError)
    async def kvalitet_error(_request: Request, exc: KvalitetError):
        retry = getattr(exc, "retry_after", None)
        return JSONResponse(error_body(exc.code, exc.message, exc.detail, sv=exc.sv, en=exc.en),
                            status_code=exc.status_code, headers={"Retry-After": str(retry)} if retry else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        detail = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        from kvalitet.api.validation import swedish_validation_message

        sv = swedish_validation_message(list(exc.errors()))
        en = "invalid request: " + "; ".join(f"{'.'.join(str(x) for x in d['loc'])}: {d['msg']}" for d in detail)
        return JSONResponse(error_body("invalid_input", f"{sv} / {en}", detail, sv=sv, en=en), status_code=422)

    from kvalitet.api.middleware import install_middleware

    install_middleware(app, settings)

    from kvalitet.api.routers import register

    register(app)
    return app
