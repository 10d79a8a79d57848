"""`kvalitet draft`: the same Drafter as the API, with Swedish output for people."""

from __future__ import annotations

import json
import textwrap
from typing import Optional

import typer

from kvalitet.errors import KvalitetError
from kvalitet.domain.types import DRAFT_SECTIONS, Draft, DraftRequest

TITLES = {"uppfoljning": "Uppföljning", "analys": "Analys", "risker": "Risker", "kostnader": "Kostnader"}
GENERATOR_NAMES = {"extractive": "sammanställt ur källorna", "llm": "språkmodell"}


def format_draft(draft: Draft, width: int = 100) -> str:
    out = [f"Utkast för aktiviteten: {draft.activity}", ""]
    for section in draft.sections:
        out.append(f"== {TITLES.get(section.kind, section.kind)} ==")
        if section.notice:
            out.extend(textwrap.wrap(section.notice, width, initial_indent="  Obs: ", subsequent_indent="  "))
            out.append("")
        if not section.suggestions and not section.notice:
            out.append("  (inget förslag)")
        for i, s in enumerate(section.suggestions, 1):
            if not s.grounding.supported:
                check = "EJ BELAGT: " + "; ".join(s.grounding.unsupported)
            else:
                check = "källorna bär texten" if s.citations else "bygger bara på rektorns anteckningar"
            out.append(f"Förslag {i} ({GENERATOR_NAMES.get(s.generator, s.generator)}) – {check}")
            if s.grounding.pii:
                out.append(f"  Personuppgifter i texten: {', '.join(s.grounding.pii)}")
            for para in s.text.split("\n\n"):
                out.extend(textwrap.wrap(para, width, initial_indent="  ", subsequent_indent="  ") or [""])
                out.append("")
            if s.citations:
                out.append("  Källor:")
            for c in s.citations:
                src = c.source
                where = src.path + (f" s. {src.page}" if src.page else "") + f" rad {src.line_start}–{src.line_end}"
                quote = c.quote if len(c.quote) <= 120 else c.quote[:117] + "…"
                out.append(f"    [{c.passage_id}] {where}: »{quote}«")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def register(app: typer.Typer) -> None:
    @app.command()
    def draft(
        activity: str = typer.Option(..., "--activity", help="Den nya aktiviteten, som den ska stå i planen."),
        goal: Optional[str] = typer.Option(None, "--goal", help="Nämndmål eller mål som aktiviteten hör till."),
        status: Optional[str] = typer.Option(None, "--status", help="Status enligt rektorn, t.ex. Pågående."),
        notes: Optional[str] = typer.Option(None, "--notes", help="Rektorns egna anteckningar."),
        sections: str = typer.Option(",".join(DRAFT_SECTIONS), "--sections",
                                     help="Avsnitt, kommaseparerade: uppfoljning,analys,risker,kostnader"),
        history: Optional[str] = typer.Option(None, "--history", help="Id:n (kommaseparerade) ur aktivitetens historik."),
        generator: Optional[str] = typer.Option(None, "--generator", help="extractive (standard) eller llm"),
        as_json: bool = typer.Option(False, "--json"),
    ):
        """Ett första utkast med källor för en ny aktivitet (uppföljning, analys, risker, kostnader)."""
        from pydantic import ValidationError

        from kvalitet.settings import Settings
        from kvalitet.container import Services
        from kvalitet.pii import shown

        kinds = [s.strip() for s in sections.split(",") if s.strip()]
        try:
            req = DraftRequest(activity=activity, goal=goal, status=status, notes=notes, sections=kinds,
                               history_ids=[h.strip() for h in (history or "").split(",") if h.strip()])
        except ValidationError as exc:
            msg = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
            typer.echo(f"Fel: ogiltiga uppgifter: {msg}", err=True)
            raise typer.Exit(2) from exc
        try:
            svc = Services(Settings())
            try:
                result = shown(svc.drafter.draft(req, generator), svc.settings.mask_personal_data)
            finally:
                svc.close()
        except KvalitetError as exc:
            typer.echo(f"Fel: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from exc
        if as_json:
            typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
        else:
            typer.echo(format_draft(result), nl=False)
