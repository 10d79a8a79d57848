"""Operations commands: `kvalitet backup PATH`, `kvalitet restore PATH [--force]`,
`kvalitet backup-check PATH`. Registered by kvalitet.cli through `register(app)`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kvalitet.errors import KvalitetError
from kvalitet.cli.common import fail, settings




def _summary(manifest: dict) -> dict:
    return {k: manifest.get(k) for k in (
        "created_at", "passages", "documents", "embedder_id", "index_version", "alembic_revision",
        "versions", "database", "chroma", "checksum",
    )}


def backup_cmd(
    path: Path = typer.Argument(..., help="The .tar.gz to write, or a folder to write it in."),
    as_json: bool = typer.Option(False, "--json"),
):
    """Säkerhetskopiera index och databas till en .tar.gz (konsistent ögonblicksbild)."""
    from kvalitet.ops.backup import backup

    try:
        result = backup(settings(), path)
    except KvalitetError as exc:
        fail(exc)
    m = result.manifest
    if as_json:
        typer.echo(json.dumps({"path": str(result.path), "size": result.size, **_summary(m)}, ensure_ascii=False))
        return
    typer.echo(f"Säkerhetskopia skriven / backup written: {result.path} ({result.size} bytes)")
    typer.echo(f"  passager {m['passages']}, dokument {m['documents']}, embedder {m['embedder_id']}, "
               f"databas {m['database']['kind']}, kontrollsumma {m['checksum'][:16]}…")
    typer.echo("  Filen innehåller personuppgifter: förvara den skyddat / it contains personal data: store it safely.")


def restore_cmd(
    path: Path = typer.Argument(..., help="A .tar.gz written by `kvalitet backup`."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty index (the old one is kept beside it)."),
    as_json: bool = typer.Option(False, "--json"),
):
    """Återställ en säkerhetskopia (verifierar manifest och kontrollsummor; byter mapp atomiskt)."""
    from kvalitet.ops.backup import check_restored, restore

    cfg = settings()
    try:
        result = restore(cfg, path, force=force)
        check = check_restored(cfg, result.manifest)
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps({
            "index_dir": str(result.index_dir), "previous": str(result.previous) if result.previous else None,
            "kept": result.kept,
            "warnings": result.warnings, "check": check, **_summary(result.manifest),
        }, ensure_ascii=False))
    else:
        typer.echo(f"Återställt / restored: {result.manifest['passages']} passager, "
                   f"{result.manifest['documents']} dokument i {result.index_dir}")
        if result.previous:
            typer.echo(f"  Det tidigare indexet finns kvar i / the previous index is kept in: {result.previous}")
        for line in result.kept:
            typer.echo(f"  Ersatt och sparat / replaced and kept: {line}")
        typer.echo(f"  Kontroll / check: katalog {check['catalog_passages']}, vektorer {check['vectors']} "
                   f"-> {'OK' if check['ok'] else 'STÄMMER INTE / MISMATCH'}")
        for w in result.warnings:
            typer.echo(f"  Varning: {w}", err=True)
    if not check["ok"]:
        typer.echo("Fel: det återställda indexet stämmer inte med manifestet; kör `kvalitet ingest` för att "
                   "stämma av / the restored index does not match its manifest: run `kvalitet ingest`.", err=True)
        raise typer.Exit(1)


def backup_check_cmd(
    path: Path = typer.Argument(..., help="A .tar.gz written by `kvalitet backup`."),
    as_json: bool = typer.Option(False, "--json"),
):
    """Kontrollera en säkerhetskopia (manifest, alla kontrollsummor) utan att återställa den."""
    from kvalitet.ops.backup import verify

    try:
        manifest = verify(path)
    except KvalitetError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(_summary(manifest), ensure_ascii=False))
    else:
        typer.echo(f"OK: {path} ({manifest['passages']} passager, {len(manifest['files'])} filer, "
                   f"skapad {manifest['created_at']})")


def retention_cmd(as_json: bool = typer.Option(False, "--json")):
    """Ta bort det som passerat sin lagringstid: samtal, undanflyttade kopior från återställningar,
    utgångna sessioner (KVALITET_CONVERSATION_RETENTION_DAYS, KVALITET_RESTORED_COPY_RETENTION_DAYS)."""
    from kvalitet.container import Services
    from kvalitet.ops.retention import apply_retention

    svc = Services(settings())
    try:
        done = apply_retention(svc.settings, svc.db)
    except KvalitetError as exc:
        fail(exc)
    finally:
        svc.close()
    if as_json:
        typer.echo(json.dumps(done))
        return
    typer.echo(f"Borttaget / removed: {done['conversations']} samtal ({done['messages']} meddelanden), "
               f"{done['restored_copies']} undanflyttade kopior, {done['sessions']} avslutade sessioner")


def register(app: typer.Typer) -> None:
    app.command("retention")(retention_cmd)
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
    app.command("backup-check")(backup_check_cmd)
