"""`kvalitet reports carry-forward|from-document|import|draft-all` and `kvalitet jobs …`.

The same services as the API; the command line acts as an operator (an admin, audited as
"cli:<login>"). `reports draft-all` runs the job here in the foreground: Ctrl-C leaves it
running, and `kvalitet jobs resume` (or the next start of the server) continues it.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from kvalitet.errors import KvalitetError
from kvalitet.cli.common import actor, dump, fail, list_out, services

jobs_app = typer.Typer(help="Bakgrundsjobb: utkast för alla aktiviteter.", no_args_is_help=True)






def _print_seed(res, as_json: bool) -> None:
    if as_json:
        typer.echo(dump(res.model_dump(mode="json")))
        return
    r = res.report
    typer.echo(f"Rapport {r.id}: {r.title} ({r.year}, {r.unit}) från {res.source}")
    for c in res.carried:
        extra = f", {len(c.goals)} mål" if len(c.goals) > 1 else ""
        typer.echo(f"  + {c.item_id:>4} [{c.status or '-'} · {c.deadline or '-'}{extra}] {c.activity[:90]}"
                   f"  (historik: {len(c.history_ids)})")
    for x in res.skipped:
        typer.echo(f"  - [{x.status or '-'}] {x.activity[:70]}: {x.reason}")
    typer.echo(f"{len(res.carried)} förda vidare, {res.merged} sammanslagna, {len(res.skipped)} lämnade")


def reports_carry_forward(
    report_id: int = typer.Argument(..., help="The earlier report."),
    year: Optional[int] = typer.Option(None, "--year", help="The new report's year (default: next year)."),
    title: Optional[str] = typer.Option(None, "--title"),
    as_json: bool = typer.Option(False, "--json"),
):
    """A new report for next year with the activities that were not finished."""
    from kvalitet.workspace.carry_forward import carry_forward

    try:
        res = carry_forward(services().workspace, report_id, year, actor(), title=title)
    except KvalitetError as exc:
        fail(exc)
    _print_seed(res, as_json)


def reports_from_document(
    path: str = typer.Argument(..., help="An ingested follow-up, e.g. 2022-uppfoljning-verksamhetsplan-linkoping.txt"),
    unit: str = typer.Option(..., "--unit", help="The unit (enhet) the report is for."),
    year: Optional[int] = typer.Option(None, "--year", help="Default: the document's year + 1."),
    title: Optional[str] = typer.Option(None, "--title"),
    kind: Optional[str] = typer.Option(None, "--kind", help="Report kind (default: from the document)."),
    as_json: bool = typer.Option(False, "--json"),
):
    """A new report seeded from an ingested follow-up's unfinished activities."""
    from kvalitet.workspace.carry_forward import seed_from_document

    try:
        res = seed_from_document(services().workspace, path, year, unit, actor(), title=title, kind=kind)
    except KvalitetError as exc:
        fail(exc)
    _print_seed(res, as_json)


def reports_import(
    report_id: int = typer.Argument(...),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="XLSX or CSV"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Import an activity list (XLSX or CSV) into a report; duplicates are merged."""
    from kvalitet.workspace.importer import import_activities

    svc = services()
    try:
        data = file.read_bytes()
        if len(data) > svc.settings.max_upload_bytes:
            from kvalitet.errors import FileTooLarge

            raise FileTooLarge(f"Filen är för stor (högst {svc.settings.max_upload_bytes} byte) / too large")
        res = import_activities(svc.workspace, report_id, data, actor(), filename=file.name)
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump(res.model_dump(mode="json")))
        return
    typer.echo(f"{res.file_type.upper()}{' (' + res.sheet + ')' if res.sheet else ''}, rubrikrad {res.header_row}: "
               + ", ".join(f"{c.header}→{c.field or '?'}" for c in res.columns))
    for msg in res.messages:
        typer.echo(f"  ! {msg}", err=True)
    for m in res.merged:
        typer.echo(f"  = rad {m.row}: {m.reason}")
    for x in res.skipped:
        typer.echo(f"  - rad {x.row}: {x.reason}")
    typer.echo(f"{len(res.added)} tillagda, {len(res.merged)} sammanslagna, {len(res.skipped)} hoppade över "
               f"(av {res.rows} rader)")


def _progress_printer(quiet: bool):
    def hook(job_id: str, item_id: int, section: str, state: str) -> None:
        if not quiet:
            typer.echo(f"  {state:8} aktivitet {item_id} · {section}", err=True)

    return hook


def _run_here(svc, job_id: str, quiet: bool):
    from kvalitet.workspace.jobs import Interrupted, run_job

    try:
        return run_job(svc.workspace, job_id, on_section=_progress_printer(quiet))
    except (Interrupted, KeyboardInterrupt) as exc:
        typer.echo(f"Avbrutet: jobbet {job_id} återupptas med `kvalitet jobs resume`.", err=True)
        raise typer.Exit(130) from exc


def _print_job(v, as_json: bool) -> None:
    if as_json:
        typer.echo(dump(v.model_dump(mode="json")))
        return
    typer.echo(f"Jobb {v.id} · rapport {v.report_id} · {v.state} · {v.done}/{v.total} klara "
               f"({v.drafted} skrivna, {v.no_draft} utan förslag, {v.skipped} fanns redan, {v.failed} fel) · {v.suggestions} förslag")
    for e in v.errors:
        typer.echo(f"  fel: aktivitet {e.item_id} · {e.section}: {e.message}", err=True)
    if v.message:
        typer.echo(f"  {v.message}")


def reports_draft_all(
    report_id: int = typer.Argument(...),
    sections: Optional[List[str]] = typer.Option(None, "--section", help="uppfoljning, analys, risker, kostnader (repeat)."),
    generator: Optional[str] = typer.Option(None, "--generator", help="extractive or llm"),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Draft every activity of the report (a job, run here; resumable)."""
    from kvalitet.workspace.jobs import create_draft_all

    svc = services()
    try:
        job = create_draft_all(svc.workspace, report_id, actor(), sections=sections or None, generator=generator)
    except KvalitetError as exc:
        fail(exc)
    if not quiet and not as_json:
        typer.echo(f"Jobb {job.id}: {job.total} avsnitt", err=True)
    view = _run_here(svc, job.id, quiet or as_json)
    if view is None:
        typer.echo(f"Fel: jobbet {job.id} togs av en annan process", err=True)
        raise typer.Exit(6)
    _print_job(view, as_json)
    raise typer.Exit(0 if view.state == "done" and not view.failed else 1)


@jobs_app.command("resume")
def jobs_resume(
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Resume the jobs left running (or queued) by a process that stopped; run them here."""
    from kvalitet.workspace.jobs import resumable

    svc = services()
    ids = resumable(svc.db)
    if not ids and not as_json:
        typer.echo("Inga jobb att återuppta.")
    views = []
    for job_id in ids:
        v = _run_here(svc, job_id, quiet or as_json)
        if v is not None:
            views.append(v)
            if not as_json:
                _print_job(v, False)
    if as_json:
        typer.echo(dump({"resumed": [v.model_dump(mode="json") for v in views]}))


@jobs_app.command("list")
def jobs_list(
    report_id: Optional[int] = typer.Option(None, "--report"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Jobs, newest first."""
    from kvalitet.workspace.jobs import list_jobs

    try:
        views = list_jobs(services().workspace, actor(), report_id=report_id)
    except KvalitetError as exc:
        fail(exc)
    list_out(as_json, "jobs", views, lambda v: f"{v.id}  rapport {v.report_id:>4}  {v.state:9} {v.done:>4}/{v.total:<4} "
                                              f"{v.owner}  {v.created_at:%Y-%m-%d %H:%M}", "jobb")


@jobs_app.command("show")
def jobs_show(job_id: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")):
    """One job's progress."""
    from kvalitet.workspace.jobs import get_job

    try:
        _print_job(get_job(services().workspace, job_id, actor()), as_json)
    except KvalitetError as exc:
        fail(exc)


@jobs_app.command("cancel")
def jobs_cancel(job_id: str = typer.Argument(...)):
    """Stop a queued or running job."""
    from kvalitet.workspace.jobs import cancel_job

    try:
        _print_job(cancel_job(services().workspace, job_id, actor()), False)
    except KvalitetError as exc:
        fail(exc)


def register(app: typer.Typer) -> None:
    """Adds to the `reports` group of kvalitet.cli.reports (registered before this module) and
    adds the `jobs` group."""
    from kvalitet.cli.reports import reports_app

    reports_app.command("carry-forward")(reports_carry_forward)
    reports_app.command("from-document")(reports_from_document)
    reports_app.command("import")(reports_import)
    reports_app.command("draft-all")(reports_draft_all)
    app.add_typer(jobs_app, name="jobs")
