"""The command line: the same services as the API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from kvalitet.cli.common import dump, fail, services
from kvalitet.cli.common import settings as load_settings
from kvalitet.errors import KvalitetError
from kvalitet.domain.types import SearchFilters
from kvalitet.pii import shown

app = typer.Typer(help="Kvalitet: stöd för uppföljningar och kvalitetsrapporter.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure retrieval, roll-up, extraction and drafting quality.")
app.add_typer(eval_app, name="eval")


# One set of helpers for every group (kvalitet/cli/common.py).
_services, _fail, _dump = services, fail, dump


def hit_json(hit) -> dict:
    p = hit.passage
    return {
        "id": p.id,
        "text": p.text,
        "snippet": hit.snippet,
        "score": round(hit.score, 6),
        "kind": p.section_kind,
        "doc_kind": p.doc_kind,
        "year": p.year,
        "activity": p.activity,
        "status": p.status,
        "committee": p.committee,
        "perspective": p.perspective,
        "source": p.source.model_dump(),
        "sources": [x.model_dump() for x in (hit.sources or [p.source])],
        "duplicates": hit.duplicates,
    }


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: the corpus dir)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and build it anew."),
    as_json: bool = typer.Option(False, "--json"),
):
    """Read documents into the index. Exit 0 when all went in, 2 when something was skipped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    try:
        svc = _services()
        with Progress(
            TextColumn("[bold]Läser in"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
            transient=True, disable=as_json or not sys.stderr.isatty(),
        ) as bar:
            task = bar.add_task("", total=None)

            def progress(path: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=path)

            svc.recover()  # what a killed publish or upload left: finished or taken out first
            report = svc.ingest(list(paths) if paths else None, rebuild=rebuild, progress=progress)
    except KvalitetError as exc:
        _fail(exc)
    if as_json:
        typer.echo(_dump({
            "files": report.files, "records": report.records, "passages": report.passages,
            "embedded": report.embedded, "unchanged_files": report.unchanged_files,
            "removed": report.removed, "kinds": report.kinds, "pii_findings": report.pii_findings,
            "warnings": report.warnings,
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
        }))
    else:
        typer.echo(
            f"Filer: {report.files} (oförändrade: {report.unchanged_files}), poster: {report.records}, "
            f"passager: {report.passages}, nyinbäddade: {report.embedded}, borttagna: {report.removed}"
        )
        for path, kind in sorted(report.kinds.items()):
            found = report.pii_findings.get(path, 0)
            typer.echo(f"  {path}: {kind}" + (f" · {found} {'personuppgift' if found == 1 else 'personuppgifter'}"
                                               " (namn, identitetsnummer eller e-post)" if found else ""))
            for warning in report.warnings.get(path, []):
                typer.echo(f"    Obs: {warning}")
        for path, reason in report.skipped:
            typer.echo(f"  HOPPADE ÖVER {path}: {reason}", err=True)
    raise typer.Exit(2 if report.skipped else 0)


@app.command()
def search(
    query: str = typer.Argument(..., help="The question, or - to read one query per line from stdin."),
    k: int = typer.Option(5, "--k"),
    year: Optional[int] = typer.Option(None, "--year"),
    year_from: Optional[int] = typer.Option(None, "--from"),
    year_to: Optional[int] = typer.Option(None, "--to"),
    status: Optional[str] = typer.Option(None, "--status"),
    kind: Optional[str] = typer.Option(None, "--kind", help="Section kind: analys, uppfoljning, risk, kostnad, …"),
    doc_kind: Optional[str] = typer.Option(None, "--doc-kind"),
    committee: Optional[str] = typer.Option(None, "--committee"),
    perspective: Optional[str] = typer.Option(None, "--perspective"),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, bm25 or dense"),
    as_json: bool = typer.Option(False, "--json"),
    literal: bool = typer.Option(False, "--literal", help="Do not read kinds, years or names from the question."),
    ignore: list[str] = typer.Option([], "--ignore", help="Undo one reading: kind, status, year, committee, perspective, accents."),
):
    """Search earlier years' follow-ups and quality reports. Exit 2 for an invalid query or an
    unknown kind/status (the message lists the valid values)."""
    filters = SearchFilters(
        year=year, year_from=year_from, year_to=year_to, status=status, section_kind=kind,
        doc_kind=doc_kind, committee=committee, perspective=perspective,
    )
    svc = _services()
    queries = [line.rstrip("\n") for line in sys.stdin] if query == "-" else [query]
    failed = False
    for q in queries:
        if query == "-" and not q.strip():
            typer.echo(_dump({"query": q, "hits": []}))
            continue
        try:
            res = svc.retriever.run(q, k=k, filters=filters, mode=mode,
                                    understand_query=not literal, ignore=set(ignore))
        except KvalitetError as exc:
            if query != "-":
                _fail(exc)
            typer.echo(_dump({"query": q, "hits": [], "error": exc.message}))
            failed = True
            continue
        mask = svc.settings.mask_personal_data
        hits = shown(res.hits, mask)  # every field, as the API and web show it
        year_filtered = year is not None or year_from is not None or year_to is not None
        no_year = svc.db.documents_without_year() if year_filtered else 0
        if as_json or query == "-":
            out = {"query": q, "hits": [hit_json(h) for h in hits], **res.as_json()}
            if year_filtered:
                out["documents_without_year"] = no_year
            typer.echo(_dump(shown(out, mask)))
        else:
            if no_year:
                typer.echo(f"({no_year} dokument saknar årtal och kan inte hittas med årsfiltret.)")
            labels = res.understood.labels()
            if labels:
                typer.echo("Tolkade: " + "; ".join(f"{text} (ta bort: --ignore {key})" for key, text in labels))
            if not hits:
                typer.echo(res.suggestion or "Inga träffar.")
            for i, h in enumerate(hits, 1):
                p = h.passage
                src = p.source
                where = f"{src.path}" + (f" s. {src.page}" if src.page else "") + f" rad {src.line_start}-{src.line_end}"
                typer.echo(f"{i}. [{p.year or '?'} · {p.section_kind}{' · ' + p.status if p.status else ''}] {where}")
                typer.echo("   " + p.text[:300].replace("\n", " "))
                for other in h.sources[1:]:
                    typer.echo(f"   Samma text också i {other.path} rad {other.line_start}-{other.line_end}")
    if failed:
        raise typer.Exit(2)


@app.command()
def activities(
    as_json: bool = typer.Option(False, "--json"),
    year: Optional[int] = typer.Option(None, "--year"),
    status: Optional[str] = typer.Option(None, "--status"),
    query: Optional[str] = typer.Option(None, "--query"),
    history: Optional[str] = typer.Option(None, "--history", help="Show the history of the activity with this id."),
):
    """List activity rows (or one activity's history across years)."""
    svc = _services()
    hist = svc.history()
    mask = svc.settings.mask_personal_data
    if history:
        rows = shown(hist.history(history), mask)
        if not rows:
            typer.echo(f"Fel: ingen aktivitet med id {history}", err=True)
            raise typer.Exit(4)
        if as_json:
            typer.echo(_dump({"id": history, "history": [r.model_dump() for r in rows]}))
        else:
            for r in rows:
                typer.echo(f"{r.year} · {r.section_kind} · {r.status or '-'} · {r.deadline or '-'} · {r.activity[:90]}")
        return
    try:
        rows = shown(hist.activities(year=year, status=status, query=query), mask)
    except KvalitetError as exc:  # an unknown status: its message lists the statuses
        fail(exc)
    if as_json:
        typer.echo(_dump({"activities": [r.model_dump() for r in rows]}))
    else:
        for r in rows:
            typer.echo(f"{r.id}  {r.year} {r.perspective or '-':12} {r.status or '-':10} {r.deadline or '-':12} {r.activity[:80]}")
        typer.echo(f"{len(rows)} aktiviteter")


@eval_app.command("retrieval")
def eval_retrieval(
    gold: Path = typer.Argument(..., exists=True, help="JSON list of {query, relevant: [substrings]} ([] = no answer)"),
    folds: int = typer.Option(5, "--folds", help="Cross-validation folds."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Also the naive chunk baseline."),
    as_json: bool = typer.Option(False, "--json"),
):
    """In one run: the search with its settings chosen by k-fold cross-validation (held-out
    figures), today's ranking (the settings before), a naive baseline (1,000-character chunks,
    BM25 + e5, RRF) and each retriever alone: success@1/@5, MRR@10, nDCG@10, no-answer
    precision and recall."""
    from kvalitet.ops.evaluation import cross_validate, evaluate, evaluate_baseline, format_table, load_gold, split

    svc = _services()
    items = load_gold(json.loads(gold.read_text(encoding="utf-8")))
    cv = cross_validate(svc.retriever, items, k=folds)
    tune_items, held_items = split(items, "tune"), split(items, "heldout")
    table = {
        f"hybrid, settings by {folds}-fold cross-validation (held-out folds)": cv["cross_validated"],
        "today's ranking (dense weight 1.5, no reading of the question, no floor)": cv["today"],
    }
    naive = None
    if baseline:
        from kvalitet.ops.baseline import NaiveBaseline

        snap = svc.index.snapshot()
        files = []
        for path in sorted({p.doc_path for p in snap.ordered}):
            f = Path(path) if Path(path).is_absolute() else svc.settings.corpus_dir / path
            if f.exists():
                files.append(f)
        naive = NaiveBaseline(files, svc.index.embedder, svc.settings)
        table[f"naive baseline ({len(naive.chunks)} chunks of 1,000 characters, BM25 + e5, RRF)"] = evaluate_baseline(naive, tune_items)
    per_mode = evaluate(svc.retriever, tune_items)
    for mode, r in per_mode.items():
        table[f"{mode} alone (no reading, no floor)"] = r
    if held_items:
        table["HELD-OUT split: hybrid, settings tuned on all tune questions"] = cv["heldout"]
        table["HELD-OUT split: today's ranking"] = cv["heldout_today"]
        if naive is not None:
            table["HELD-OUT split: naive baseline"] = evaluate_baseline(naive, held_items)
    if as_json:
        typer.echo(_dump({"table": table, "tuned_on_all": cv["tuned_on_all"], "chosen_per_fold": cv["chosen_per_fold"]}))
        return
    typer.echo(f"{len(tune_items)} questions to tune on ({cv['cross_validated']['no_answer']} without an answer), "
               f"{folds} folds; {len(held_items)} held-out questions")
    typer.echo(format_table(table))
    typer.echo("Settings tuned on all tune questions (what the service ships): " + _dump(cv["tuned_on_all"]))
    for name, r in table.items():
        if r["misses@5"]:
            typer.echo(f"Missed in the top 5 by {name.split(',')[0].split(' (')[0]}: " + "; ".join(r["misses@5"][:8]))

ROLE_NAMES = {"rektor": "rektor", "granskare": "granskare", "kvalitetsutvecklare": "kvalitetsutvecklare",
              "admin": "administratör"}


def start_banner(url: str, users: list[tuple[str, str, str]]) -> str:
    """The short block `make run` ends with: where Kvalitet answers and how to sign in."""
    rule = "─" * 72
    lines = [rule, f"Kvalitet körs på {url}", f"  Webben:              {url}/",
             f"  API-dokumentation:   {url}/docs"]
    if users:
        lines += ["", "Logga in med ett demokonto (användarnamn och nyckel):"]
        lines += [f"  {name:26} {ROLE_NAMES.get(role, role):20} {token}" for name, role, token in users]
    lines += ["", "Stoppa med Ctrl+C.", rule]
    return "\n".join(lines)


@eval_app.command("drafting")
def eval_drafting(
    cases: Path = typer.Argument(..., exists=True, help="JSON list of cases (see kvalitet/ops/draft_eval.py)"),
    split: Optional[str] = typer.Option(None, "--split", help="a split of the cases: tune or heldout4 (default: all)"),
    corpus: Optional[str] = typer.Option(None, "--corpus", help="sample or kommuner (default: all)"),
    as_json: bool = typer.Option(False, "--json"),
):
    """Citation precision, expected-evidence recall, notes placed once, shared risk texts,
    grounding failures and latency of extractive drafts on the cases."""
    from kvalitet.ops.draft_eval import evaluate, format_summary, load_cases

    svc = _services()
    out = evaluate(svc.drafter, svc.retriever, load_cases(cases), split=split, corpus=corpus)
    if as_json:
        typer.echo(_dump(out))
        return
    typer.echo(format_summary(out))
    for r in out["cases"]:
        problems = []
        if r["off_topic"]:
            problems.append("utanför ämnet: " + "; ".join(f"{o['why']} {o['text'][:70]}" for o in r["off_topic"]))
        if r["missed"]:
            problems.append("saknas: " + "; ".join(r["missed"]))
        if r["notes_repeated"] or r["notes_missing"]:
            problems.append(f"anteckningar: {len(r['notes_repeated'])} upprepade, {len(r['notes_missing'])} saknas")
        if r["grounding_failures"]:
            problems.append(f"ej belagt: {r['grounding_failures']}")
        if problems:
            typer.echo(f"- {r['name']} ({r['split']}): " + " | ".join(problems))


@eval_app.command("fit-relevance")
def eval_fit_relevance(
    cases: Path = typer.Argument(..., exists=True, help="JSON list of cases (see kvalitet/ops/draft_eval.py)"),
    split: str = typer.Option("tune", "--split", help="the split to fit on (never a held-out one)"),
    out: Path = typer.Option(None, "--out", help="where to write the model (default: the shipped relevance_model.json)"),
    target: float = typer.Option(0.9, "--target-precision", help="cross-validated passage precision the threshold must reach"),
):
    """Fit the drafter's relevance model (kvalitet/drafting/relevance.py) on the labelled cases of
    a split over the current index (built with the e5 embedder); print the cross-validated figures."""
    from kvalitet.drafting.relevance import MODEL_PATH, fit
    from kvalitet.ops.draft_eval import load_cases, relevance_examples

    chosen = [c for c in load_cases(cases) if c.get("split", "tune") == split]
    if not chosen:
        typer.echo(f"Fel: inga fall i delen {split!r}. / No cases in split {split!r}.", err=True)
        raise typer.Exit(2)
    svc = _services()
    try:
        examples, expected = relevance_examples(svc.drafter, chosen)
        model = fit(examples, expected, target_precision=target, fitted={
            "cases": len(chosen), "split": split, "file": cases.name, "embedder": svc.settings.embedder,
            "passages_in_index": len(svc.index.snapshot().ordered)})
    except ValueError as exc:
        typer.echo(f"Fel: modellen kunde inte anpassas: {exc}. / The model could not be fitted: {exc}.", err=True)
        raise typer.Exit(2) from exc
    target_path = out or MODEL_PATH
    target_path.write_text(model.to_json(), encoding="utf-8")
    cv = model.fitted["cross_validated"]
    typer.echo(f"{len(examples)} kandidater ur {len(chosen)} fall; tröskel {model.threshold}; korsvaliderat per "
               f"passage: precision {cv['precision']}, recall {cv['recall']} ({cv['chosen']} valda) → {target_path}")


def serve(
    host: Optional[str] = typer.Option(None, "--host"),
    port: Optional[int] = typer.Option(None, "--port"),
    workers: Optional[int] = typer.Option(None, "--workers"),
    demo_users: bool = typer.Option(
        False, "--demo-users", help="Make (or give fresh keys to) the demo users and list them once the server is up."),
):
    """Run the API and the web interface (default http://127.0.0.1:8000). When the server is up,
    a short block says where it answers (and, with --demo-users, each demo user with their key)."""
    import os
    import sys

    import uvicorn

    overrides: dict[str, Any] = {
        k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v is not None}
    settings = load_settings(**overrides)
    for k, v in overrides.items():  # workers re-read settings from the environment
        os.environ[f"KVALITET_{k.upper()}"] = str(v)
    from kvalitet.storage import index_lock

    try:  # a second server (or a running ingest/restore) on the same embedded index: say so now
        index_lock.acquire(settings, "kvalitet serve")
    except KvalitetError as exc:
        _fail(exc)
    users: list = []
    if demo_users:
        from kvalitet.cli.reports import demo_users as make_demo_users

        svc = _services()
        try:
            users = make_demo_users(svc.workspace)
        except KvalitetError as exc:
            _fail(exc)
        finally:
            svc.close()
    shown = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    banner = start_banner(f"http://{shown}:{settings.port}", users)

    def show() -> None:
        print("\n" + banner + "\n", file=sys.stderr, flush=True)

    config = uvicorn.Config(
        "kvalitet.app:create_app_from_env", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, log_level=settings.log_level.lower(),
    )
    if settings.workers > 1:  # several processes: no hook in the parent, show it first
        show()
        uvicorn.run(
            "kvalitet.app:create_app_from_env", factory=True, host=settings.host, port=settings.port,
            workers=settings.workers, log_level=settings.log_level.lower(),
        )
        return

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:
                show()

    Server(config).run()


app.command("serve")(serve)


# The command groups, listed by name: each module adds its commands with `register(app)`.
from kvalitet.cli import carry as _carry  # noqa: E402
from kvalitet.cli import draft as _draft  # noqa: E402
from kvalitet.cli import inspect as _inspect  # noqa: E402
from kvalitet.cli import ops as _ops  # noqa: E402
from kvalitet.cli import reports as _reports  # noqa: E402
from kvalitet.cli import results as _results  # noqa: E402
from kvalitet.cli import rollup as _rollup  # noqa: E402

for _group in (_draft, _reports, _ops, _carry, _results, _rollup, _inspect):
    _group.register(app)


def main() -> None:  # pragma: no cover
    app()
