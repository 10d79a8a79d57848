"""`kvalitet units …`, `kvalitet rollup …` and `kvalitet eval rollup DIR`: the roll-up of the
units' reports from the shell (the same services as the API; the command line acts as admin)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kvalitet.errors import KvalitetError
from kvalitet.workspace.auth import User
from kvalitet.cli.common import dump, fail, services
from kvalitet.pii import shown

units_app = typer.Typer(help="Enhetsregistret: förskolor, skolor, gymnasier, fritidshem.", no_args_is_help=True)
rollup_app = typer.Typer(help="Sammanställning av enheternas rapporter för huvudmannen.", no_args_is_help=True)





def _rollup():
    return services().rollup


# ---- units --------------------------------------------------------------------------------
def units_list(as_json: bool = typer.Option(False, "--json")):
    """The unit register."""
    try:
        units = _rollup().list_units(User.system())
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump({"units": [u.model_dump() for u in units]}))
        return
    for u in units:
        typer.echo(f"{u.name:40} {u.kind or '-':12} {u.parent or '-':30} {u.kolada_id or ''}")
    typer.echo(f"{len(units)} enheter")


def units_add(
    name: str = typer.Argument(...),
    kind: Optional[str] = typer.Option(None, "--kind", help="förskola, grundskola, gymnasium, fritidshem …"),
    parent: Optional[str] = typer.Option(None, "--parent"),
    kolada_id: Optional[str] = typer.Option(None, "--kolada-id"),
):
    """Add a unit (or change one with the same name)."""
    from kvalitet.rollup.model import UnitInfo

    try:
        u = _rollup().save_unit(UnitInfo(name=name, kind=kind, parent=parent, kolada_id=kolada_id), User.system())
    except KvalitetError as exc:
        fail(exc)
    typer.echo(f"{u.name} ({u.kind})")


def units_import(path: Path = typer.Argument(..., exists=True, help='JSON: {"units": [{name, kind, parent, kolada_id}]}')):
    """Read units from a JSON file."""
    try:
        units = _rollup().import_units(path, User.system())
    except KvalitetError as exc:
        fail(exc)
    typer.echo(f"{len(units)} enheter inlästa")


def units_documents(as_json: bool = typer.Option(False, "--json")):
    """Every ingested document and its unit (recognised from its text, or set by hand)."""
    try:
        docs = _rollup().document_units(User.system())
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump({"documents": docs}))
        return
    for d in docs:
        typer.echo(f"{d['path'][:60]:60} {d['year'] or '-':6} {d['unit'] or '(ingen enhet)':30} {d['how'] or ''}")


def units_set_document(path: str = typer.Argument(..., help="The document's path as ingest shows it"),
                       unit: str = typer.Argument(...)):
    """Say which unit a document belongs to (kept when recognition runs again)."""
    try:
        u = _rollup().set_document_unit(path, unit, User.system())
    except KvalitetError as exc:
        fail(exc)
    typer.echo(f"{path} → {u.name}")


# ---- roll-up ------------------------------------------------------------------------------
def rollup_show(
    year: Optional[int] = typer.Option(None, "--year"),
    unit: Optional[list[str]] = typer.Option(None, "--unit", help="Repeat for several; default: all"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Themes of the units' reports for a year, with counts and the units behind them."""
    try:
        ro = _rollup()
        res = shown(ro.rollup(User.system(), year=year, units=unit or None), ro.settings.mask_personal_data)
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(res.model_dump_json())
        return
    typer.echo(f"{res.n_reported} av {res.n_units} enheter har lämnat underlag för {year or 'alla år'}")
    if res.missing:
        typer.echo("Underlag saknas från: " + ", ".join(res.missing))
    for t in res.themes:
        typer.echo(f"\n{t.summary}")
        for c in t.counts:
            typer.echo(f"  - {c.text}: {', '.join(c.units)}")


def rollup_export(
    year: Optional[int] = typer.Option(None, "--year"),
    unit: Optional[list[str]] = typer.Option(None, "--unit"),
    fmt: str = typer.Option("docx", "--format", help="docx, html or md"),
    out: Optional[Path] = typer.Option(None, "--out", help="Default: the file name the export suggests"),
):
    """The roll-up as a Word (or HTML, Markdown) file with the matrix of units × themes as a table."""
    try:
        r = _rollup()
        f = r.export(shown(r.rollup(User.system(), year=year, units=unit or None), r.settings.mask_personal_data), fmt)
    except KvalitetError as exc:
        fail(exc)
    target = out or Path(f.filename)
    target.write_bytes(f.content)
    typer.echo(str(target))


def rollup_huvudman(
    year: int = typer.Option(..., "--year"),
    title: Optional[str] = typer.Option(None, "--title"),
    huvudman: Optional[str] = typer.Option(None, "--huvudman", help="The municipality, for the title"),
    draft: bool = typer.Option(True, "--draft/--no-draft", help="Draft every section from the roll-up"),
    generator: Optional[str] = typer.Option(None, "--generator", help="extractive or llm"),
):
    """Create the huvudman's report for a year (and draft its sections from the roll-up)."""
    try:
        r = _rollup()
        rep = r.create_huvudman_report(year, User.system(), title=title, huvudman=huvudman)
        n = len(r.draft_huvudman(rep.id, User.system(), generator=generator)) if draft else 0
    except KvalitetError as exc:
        fail(exc)
    typer.echo(f"Rapport {rep.id}: {rep.title} ({n} förslag att granska)")


def eval_rollup(
    directory: Path = typer.Argument(..., exists=True, file_okay=False, help="Unit documents, units.json, truth.json"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Precision and recall of unit–theme links against hand labels; every count checked
    against its citations. Exit 1 when a count does not stand on its citations."""
    from kvalitet.rollup.evaluate import evaluate
    from kvalitet.settings import Settings

    try:
        r = evaluate(directory, Settings())
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump(r))
    else:
        typer.echo(f"{r['documents']} dokument, {r['units']} enheter; länkar enhet–tema: "
                   f"{r['links_predicted']} funna, {r['links_truth']} i facit")
        typer.echo(f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}")
        typer.echo(f"saknade enheter: {', '.join(r['missing_units']) or '-'} "
                   f"({'rätt' if r['missing_units_right'] else 'FEL'})")
        typer.echo(f"teman funna i underlaget: {', '.join(r['discovered_themes']) or '-'}")
        typer.echo(f"antal kontrollerade mot sina källor: {r['counts']}, fel: {len(r['count_problems'])}")
        for x in r["false_positives"]:
            typer.echo(f"  falsk träff: {x}")
        for x in r["false_negatives"]:
            typer.echo(f"  missad: {x}")
        for x in r["problems"]:
            typer.echo(f"  problem: {x}")
    if r["count_problems"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Adds the `units` and `rollup` groups and `eval rollup`."""
    from kvalitet.cli import eval_app

    units_app.command("list")(units_list)
    units_app.command("add")(units_add)
    units_app.command("import")(units_import)
    units_app.command("documents")(units_documents)
    units_app.command("set-document")(units_set_document)
    rollup_app.command("show")(rollup_show)
    rollup_app.command("export")(rollup_export)
    rollup_app.command("huvudman")(rollup_huvudman)
    eval_app.command("rollup")(eval_rollup)
    app.add_typer(units_app, name="units")
    app.add_typer(rollup_app, name="rollup")
