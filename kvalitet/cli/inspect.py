"""`kvalitet inspect PATH... [--json]`: what ingest would make of each file, without indexing;
`kvalitet eval extraction DIR [--json]`: records against hand labels (.labels.json)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer

from kvalitet.errors import KvalitetError
from kvalitet.pii import shown as pii_shown


def inspect_file(path: Path, settings) -> dict:
    """The `kvalitet inspect --json` object for one file (issue 13, part 3); a file that cannot
    be read gives {"path", "error"} with the reason in Swedish and English."""
    from kvalitet.ingest.pipeline import read_document_model
    from kvalitet.ingest.recognise import inspect_dict, recognise

    shown = str(path)
    try:
        doc = read_document_model(path, shown, settings)
        return inspect_dict(recognise(doc), path=shown)
    except KvalitetError as exc:
        return {"path": shown, "error": exc.message}
    except Exception as exc:  # a recogniser bug must not stop the other files
        return {"path": shown, "error": f"oväntat fel / unexpected error: {type(exc).__name__}: {exc}"}


def _files(paths: list[Path]) -> list[Path]:
    from kvalitet.ingest.pipeline import collect_files

    files, _ = collect_files(paths)
    return [f for f in files if not f.name.endswith(".labels.json")]


def _human(d: dict) -> str:
    if "error" in d:
        return f"{d['path']}: FEL {d['error']}"
    kinds = Counter(r["kind"] for r in d["records"])
    lines = [
        f"{d['path']}: {d['doc_kind']}, år {d['year']} ({d['year_source'] or '-'})"
        + (f", läsår {d['school_year']}" if d["school_year"] else "")
        + (f", period {d['period']}" if d["period"] else "")
        + (f" – {d['title']}" if d["title"] else ""),
        "  rubriker: " + "; ".join(("  " * (o["level"] - 1)) + o["title"] for o in d["outline"][:30]),
        "  poster: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
    ]
    for r in d["records"]:
        if r["kind"] in ("aktivitet", "indikator", "kostnad", "process"):
            fields = ", ".join(f"{k}={v}" for k, v in r["fields"].items())
            lines.append(f"  [{r['source']['line_start']}] {r['kind']}: {fields}"[:240])
    for w in d["warnings"]:
        lines.append(f"  varning: {w}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    from kvalitet.cli import eval_app

    @app.command("inspect")
    def inspect_cmd(
        paths: list[Path] = typer.Argument(..., help="Files or folders to read (nothing is indexed)."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per file (a list for several)."),
    ):
        """What ingest would make of each file: kind, year, outline, records, warnings. Exit 2 when a
        file could not be read."""
        from kvalitet.settings import Settings

        settings = Settings()
        files = _files(paths)
        if not files:
            typer.echo("Fel: inga filer hittades / no files found: ange filer eller mappar som finns.", err=True)
            raise typer.Exit(2)
        # every field (outline, records, warnings) as the other surfaces show it
        out = [pii_shown(inspect_file(f, settings), settings.mask_personal_data) for f in files]
        if as_json:
            typer.echo(json.dumps(out[0] if len(paths) == 1 and len(out) == 1 and paths[0].is_file() else out,
                                  ensure_ascii=False, indent=1))
        else:
            for d in out:
                typer.echo(_human(d))
        if any("error" in d for d in out):
            raise typer.Exit(2)

    @eval_app.command("extraction")
    def eval_extraction_cmd(
        directory: Path = typer.Argument(..., exists=True, file_okay=False,
                                         help="A folder of documents with a .labels.json beside each."),
        as_json: bool = typer.Option(False, "--json"),
    ):
        """Record recall and precision per kind and overall, field accuracy per field, doc kind and
        year accuracy, against the hand labels beside each document."""
        from kvalitet.ops.extraction_eval import evaluate_dir, format_report
        from kvalitet.settings import Settings

        result = evaluate_dir(directory, Settings())
        if not result["documents"]:
            typer.echo(f"Fel: inga .labels.json i {directory} / no labelled documents found.", err=True)
            raise typer.Exit(2)
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_report(result))
