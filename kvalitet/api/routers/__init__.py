"""One router per feature, listed by name; `register` mounts them all."""

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


def register(app: FastAPI) -> None:
    """Mount every API router (the web pages are mounted beside them by kvalitet.app)."""
    for module in ROUTERS:
        app.include_router(module.router)
