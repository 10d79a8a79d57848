"""One set of helpers for every CLI group: settings, services, failing with a clear message, JSON."""

from __future__ import annotations

import json
from typing import NoReturn

import typer

from kvalitet.errors import KvalitetError
from kvalitet.settings import Settings


def fail(exc: KvalitetError) -> NoReturn:
    """Print the error's message (Swedish / English) on stderr and exit with its exit code."""
    typer.echo(f"Fel: {exc.message}", err=True)
    raise typer.Exit(exc.exit_code)


def settings() -> Settings:
    """The settings from the environment; a bad setting exits 3 with its message."""
    try:
        return Settings()
    except KvalitetError as exc:
        fail(exc)
    except Exception as exc:  # pydantic wraps our ConfigError
        cause = exc.__cause__ or exc
        typer.echo(f"Fel: {getattr(cause, 'message', exc)}", err=True)
        raise typer.Exit(3) from exc


def services():
    """The composed services for the settings in the environment (kvalitet.container.Services)."""
    from kvalitet.container import Services

    return Services(settings())


def dump(obj) -> str:
    """JSON with Swedish letters as they are."""
    return json.dumps(obj, ensure_ascii=False)
