"""One router per feature; `register` mounts those that exist."""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI

log = logging.getLogger(__name__)

ROUTERS = ("health", "search", "activities", "drafts", "auth", "reports", "chat", "documents", "jobs", "web")


def register(app: FastAPI, settings) -> None:
    for name in ROUTERS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # the feature is not built yet
            raise
        app.include_router(module.router)
