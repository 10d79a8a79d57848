"""The web interface: the pages (kvalitet/web/pages.py) and their static files under /static.

The router's lifespan runs inside the app's (FastAPI merges them): it builds the session
manager (the signing key from settings or <index_dir>/web-secret.key). The app's composition
(kvalitet.app.create_app) hands `api_session_loader` to the API's authentication, so that
the pages' fetch calls to /api/… authenticate with the cookie and are CSRF-checked there; the web
never imports the API. The API's /docs page is served from here too (kvalitet.web.docs): it is
made of the web's static files.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import APIRouter, Request
from fastapi.staticfiles import StaticFiles

from kvalitet.web.docs import router as docs
from kvalitet.web.pages import router as pages
from kvalitet.web.results_pages import router as results_pages
from kvalitet.web.rollup_pages import router as rollup_pages
from kvalitet.web.session import SessionManager
from kvalitet.web.views import STATIC_DIR


@asynccontextmanager
async def lifespan(app):
    sessions = SessionManager(app.state.settings)
    app.state.web_sessions = sessions
    yield
    app.state.web_sessions = None


def api_session_loader(request: Request) -> tuple[int, str | None] | None:
    """The session loader for the API (kvalitet.api.auth): (user id, key id) of a valid signed
    cookie, or None; None too while the web's lifespan is not running."""
    sessions: SessionManager | None = getattr(request.app.state, "web_sessions", None)
    return sessions.check_api_request(request) if sessions is not None else None


router = APIRouter(lifespan=lifespan)
router.include_router(pages)
router.include_router(results_pages)
router.include_router(rollup_pages)
router.include_router(docs)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
