"""One router per feature, listed by name; `register` mounts them all (and the web pages)."""

from __future__ import annotations

from fastapi import FastAPI

from kvalitet.api.routers import (
    activities,
    auth,
    chat,
    documents,
    drafts,
    health,
    jobs,
    reports,
    results,
    rollup,
    search,
    uploads,
)

ROUTERS = (health, search, activities, drafts, auth, reports, chat, documents, uploads, jobs, results, rollup)


def register(app: FastAPI, settings) -> None:
    """Mount every API router, then the web interface's routes (kvalitet.web.routes, with the
    /docs page), and let the API accept the web's session cookie. The one place the API imports
    the web (the import rule in pyproject.toml allows exactly this)."""
    from kvalitet.api.auth import set_session_loader
    from kvalitet.web import routes as web_routes

    for module in ROUTERS:
        app.include_router(module.router)
    app.include_router(web_routes.router)
    set_session_loader(app, web_routes.api_session_loader)
