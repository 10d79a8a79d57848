"""The web interface: the pages (service/web/pages.py) and their static files under /static.

The router's lifespan runs inside the app's (FastAPI merges them): it builds the session
manager (the signing key from settings or <index_dir>/web-secret.key) and registers the session
loader with the API, so that the pages' fetch calls to /api/… authenticate with the cookie and
are CSRF-checked there.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from kvalitet.web.pages import router as pages
from kvalitet.web.results_pages import router as results_pages
from kvalitet.web.rollup_pages import router as rollup_pages
from kvalitet.web.session import SessionManager
from kvalitet.web.views import STATIC_DIR
from kvalitet.api.auth import set_session_loader


@asynccontextmanager
async def lifespan(app):
    sessions = SessionManager(app.state.settings)
    app.state.web_sessions = sessions
    set_session_loader(app, sessions.check_api_request)
    yield
    set_session_loader(app, None)


router = APIRouter(lifespan=lifespan)
router.include_router(pages)
router.include_router(results_pages)
router.include_router(rollup_pages)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
