"""`kvalitet users …` and `kvalitet reports …`: the same workspace services as the API.

The command line acts as an operator of the server (an admin in the audit log as
"cli:<login>"); API users are made here and their token is printed once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kvalitet.errors import KvalitetError
from kvalitet.workspace.models import ROLES
from kvalitet.cli.common import actor, dump, fail, list_out, services

users_app = typer.Typer(help="Användare och deras API-token.", no_args_is_help=True)
reports_app = typer.Typer(help="Rapporter: lista, exportera, publicera.", no_args_is_help=True)

DEMO_UNIT = "Demoskolan"
DEMO_USERS = (
    ("demo-rektor", "rektor", DEMO_UNIT),
    ("demo-granskare", "granskare", None),
    ("demo-kvalitetsutvecklare", "kvalitetsutvecklare", None),
    ("demo-admin", "admin", None),
)






@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="The user's name (unique)."),
    role: str = typer.Option(..., "--role", help="rektor | kvalitetsutvecklare | granskare | admin"),
    unit: Optional[str] = typer.Option(None, "--unit", help="The unit (enhet) a rektor works for."),
    as_json: bool = typer.Option(False, "--json"),
):
    """Create a user and print their API token once (it is stored only as a hash)."""
    if role not in ROLES:
        typer.echo(f"Fel: okänd roll {role!r}; välj en av {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    try:
        new = services().workspace.add_user(name, role, unit, actor=actor())
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump({"user": new.user.model_dump(), "token": new.token}))
        return
    typer.echo(f"Användare {new.user.name} ({new.user.role}{', ' + new.user.unit if new.user.unit else ''}) skapad.")
    typer.echo("Token (visas bara nu, spara den):")
    typer.echo(new.token)


@users_app.command("list")
def users_list(as_json: bool = typer.Option(False, "--json")):
    """List users (never their tokens)."""
    try:
        users = services().workspace.list_users(actor=actor())
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump({"users": [u.model_dump() for u in users]}))
        return
    for u in users:
        typer.echo(f"{u.id:>4}  {u.name:30} {u.role:20} {u.unit or '-':20} {'aktiv' if u.active else 'inaktiv'}")
    typer.echo(f"{len(users)} användare")


@users_app.command("token")
def users_token(name: str = typer.Argument(...)):
    """Give the user a new token (the old one stops working) and print it once."""
    try:
        new = services().workspace.rotate_token(name, actor=actor())
    except KvalitetError as exc:
        fail(exc)
    typer.echo(new.token)


@users_app.command("deactivate")
def users_deactivate(name: str = typer.Argument(...)):
    """Stop a user's access; the user and everything they did stay in the audit log."""
    try:
        services().workspace.set_active(name, False, actor=actor())
    except KvalitetError as exc:
        fail(exc)
    typer.echo(f"{name} inaktiverad.")


def demo_users(ws) -> list[tuple[str, str, str]]:
    """Make the demo users (one per role; the rektor of "Demoskolan"), or give those that exist
    a fresh token: [(name, role, token)]. The tokens are shown once, never stored in clear."""
    existing = {u.name for u in ws.list_users(actor=actor())}
    out = []
    for name, role, unit in DEMO_USERS:
        if name in existing:
            new = ws.rotate_token(name, actor=actor())
        else:
            new = ws.add_user(name, role, unit, actor=actor())
        out.append((name, role, new.token))
    return out


@users_app.command("demo")
def users_demo():
    """Demo users, one per role (rektor of "Demoskolan"), each with a fresh token printed."""
    try:
        for name, role, token in demo_users(services().workspace):
            typer.echo(f"{name:26} {role:20} {token}")
    except KvalitetError as exc:
        fail(exc)


@reports_app.command("list")
def reports_list(as_json: bool = typer.Option(False, "--json")):
    """All reports with their review progress."""
    ws = services().workspace
    reports = ws.list_reports(actor())
    list_out(as_json, "reports", reports,
             lambda r: f"{r.id:>4}  {r.year}  {r.kind:28} {r.state:10} {r.unit:20} {r.title}", "rapporter")


@reports_app.command("export")
def reports_export(
    report_id: int = typer.Argument(...),
    fmt: str = typer.Option("docx", "--format", help="md, html or docx"),
    out: Optional[Path] = typer.Option(None, "--out", help="File to write (default: the suggested name)."),
):
    """Write the report as Markdown, HTML or Word."""
    try:
        f = services().workspace.export(report_id, fmt, actor())
    except KvalitetError as exc:
        fail(exc)
    target = out or Path(f.filename)
    target.write_bytes(f.content)
    typer.echo(str(target))


@reports_app.command("publish")
def reports_publish(report_id: int = typer.Argument(...)):
    """Put a fully reviewed report into the corpus (rapporter/) and index it."""
    try:
        res = services().workspace.publish(report_id, actor())
    except KvalitetError as exc:
        fail(exc)
    typer.echo(f"Publicerad: {res.path} ({res.doc_kind or 'okänd typ'}, {res.passages} passager)")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(reports_app, name="reports")
