"""The served application: the API (kvalitet.api) and the web interface (kvalitet.web) in one
FastAPI app. The one module that imports both, so that neither imports the other.

The web pages' fetch calls to /api/… authenticate with the session cookie: the web's session
loader (kvalitet.web.routes.api_session_loader) is handed to the API's authentication here.
"""

from __future__ import annotations

from fastapi import FastAPI

from kvalitet.api import build_api
from kvalitet.api.auth import set_session_loader
from kvalitet.settings import Settings
from kvalitet.web import routes as web_routes


def create_app(settings: Settings | None = None, services=None) -> FastAPI:
    """The API with the web pages and /docs mounted; `services` as for kvalitet.api.build_api
    (built in the lifespan unless given)."""
    app = build_api(settings, services)
    app.include_router(web_routes.router)
    set_session_loader(app, web_routes.api_session_loader)
    return app


def create_app_from_env() -> FastAPI:
    """For uvicorn --factory with several workers: each worker reads the environment."""
    return create_app(Settings())
