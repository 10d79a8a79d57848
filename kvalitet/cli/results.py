"""`kvalitet results list|show|import|fetch|alias`: indicator series from reports and Kolada."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kvalitet.cli.common import dump, fail, services
from kvalitet.errors import KvalitetError

results_app = typer.Typer(help="Resultat över åren: indikatorer ur rapporterna och Kolada.", no_args_is_help=True)


def _years(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        if not a.strip().isdigit() or (b and not b.strip().isdigit()):
            raise typer.BadParameter(f"»{spec}« är inga år (t.ex. 2019-2023 eller 2021,2023)")
        out += list(range(int(a), int(b) + 1)) if b else [int(a)]
    return out


@results_app.command("list")
def list_cmd(
    q: Optional[str] = typer.Argument(None, help="Ord ur indikatorns namn"),
    entity: Optional[str] = typer.Option(None, "--entity", help="Enhet eller kommun (del av namnet)"),
    source: Optional[str] = typer.Option(None, "--source", help="dokument eller kolada"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Lista serier: titel, enhet, år och senaste värde."""
    svc = services()
    try:
        found = svc.results.search(q, entity=entity, source=source)
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump({"count": len(found), "series": [s.model_dump(mode="json") for s in found]}))
        return
    if not found:
        typer.echo("Inga serier / no series.")
    for s in found:
        years = s.years
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "–")
        typer.echo(f"{s.id}  {s.title}  [{s.entity or s.source_kind}{', ' + s.gender if s.gender else ''}] {span}")


@results_app.command("show")
def show_cmd(series_id: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")):
    """En serie: värden per år med mål och källa, och en mening om utvecklingen."""
    svc = services()
    try:
        s = svc.results.get(series_id)
    except KvalitetError as exc:
        fail(exc)
    sentence = svc.results.describe(s)
    if as_json:
        typer.echo(dump({"series": s.model_dump(mode="json"), "sentence": sentence}))
        return
    typer.echo(s.title)
    for p in sorted(s.points, key=lambda p: p.year):
        target = f"  mål {p.target_raw or p.target}" if p.target is not None else ""
        typer.echo(f"  {p.period}: {p.value_raw or p.value if p.value is not None else '–'}{target}  ({p.source.label})")
    typer.echo(sentence)


@results_app.command("import")
def import_cmd(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Kolada-export (JSON, CSV, XLSX)"),
               as_json: bool = typer.Option(False, "--json")):
    """Importera nyckeltal ur en fil exporterad från Kolada. Allt eller inget."""
    svc = services()
    try:
        summary = svc.results.import_file(path.read_bytes(), path.name)
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(dump(summary.__dict__))
    else:
        typer.echo(f"{summary.values} värden importerade: nyckeltal {', '.join(summary.kpis)}; "
                   f"år {', '.join(map(str, summary.years))}")


@results_app.command("fetch")
def fetch_cmd(
    kpis: str = typer.Argument(..., help="Nyckeltals-id, kommaseparerade (N15419,N15613)"),
    years: str = typer.Option(..., "--years", help="2019-2023 eller 2021,2023"),
    municipality: Optional[str] = typer.Option(None, "--municipality", help="Kommun-id (fyra siffror)"),
    units: Optional[str] = typer.Option(None, "--units", help="Skolenheters id, kommaseparerade"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Hämta nyckeltal från Koladas API (kräver KVALITET_KOLADA_URL)."""
    svc = services()
    try:
        summary = svc.results.fetch([k for k in kpis.split(",") if k],
                                    municipality=municipality or svc.settings.kolada_municipality,
                                    units=[u for u in (units or "").split(",") if u], years=_years(years))
    except KvalitetError as exc:
        fail(exc)
    typer.echo(dump(summary.__dict__) if as_json else f"{summary.values} värden hämtade från Kolada.")


@results_app.command("alias")
def alias_cmd(wording: str = typer.Argument(..., help="Indikatorns formulering"),
              series_id: str = typer.Argument(..., help="Serien den hör till")):
    """Rätta matchningen: en formulering hör till en annan serie (som admin)."""
    svc = services()
    try:
        s = svc.results.set_alias(wording, series_id, "admin", "cli")
    except KvalitetError as exc:
        fail(exc)
    typer.echo(f"{s.id}: {s.title} ({len(s.points)} värden)")


def register(app: typer.Typer) -> None:
    app.add_typer(results_app, name="results")
