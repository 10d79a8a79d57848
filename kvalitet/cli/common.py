"""One set of helpers for every CLI group: settings, services, failing with a clear message, JSON."""

from __future__ import annotations

import getpass
import json
from typing import Any, Callable, NoReturn, Sequence

import typer

from kvalitet.errors import KvalitetError
from kvalitet.settings import Settings
from kvalitet.workspace.auth import User


def fail(exc: KvalitetError) -> NoReturn:
    """Print the error's message (Swedish / English) on stderr and exit with its exit code."""
    typer.echo(f"Fel: {exc.message}", err=True)
    raise typer.Exit(exc.exit_code)


def settings(**overrides: Any) -> Settings:
    """The settings from the environment (and `overrides`); a bad setting exits 3 with its message."""
    try:
        return Settings(**overrides)
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
    """JSON with Swedish letters as they are (dates and paths as strings)."""
    return json.dumps(obj, ensure_ascii=False, default=str)


def actor() -> User:
    """Who acts on the command line: an admin, audited as cli:<login name>."""
    try:
        login = getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        login = "okänd"
    return User.system(f"cli:{login}")


def list_out(as_json: bool, key: str, views: Sequence[Any], line: Callable[[Any], str], count: str) -> None:
    """A list command's output: ``{key: [view, …]}`` as JSON, or one `line(view)` each and a
    last line "N `count`" (views are pydantic models)."""
    if as_json:
        typer.echo(dump({key: [v.model_dump(mode="json") for v in views]}))
        return
    for v in views:
        typer.echo(line(v))
    typer.echo(f"{len(views)} {count}")
