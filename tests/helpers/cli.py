"""The command line in-process (typer's CliRunner) against a corpus and an index of the test's own."""

from __future__ import annotations

from pathlib import Path


def ingested_cli(monkeypatch, index_dir: Path, corpus_dir: Path):
    """`kvalitet` with KVALITET_INDEX_DIR, KVALITET_CORPUS_DIR and the hash embedder set through
    `monkeypatch`, after a successful `kvalitet ingest`: run(args, **invoke_options) -> the Result."""
    from typer.testing import CliRunner

    from kvalitet.cli import app

    monkeypatch.setenv("KVALITET_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("KVALITET_CORPUS_DIR", str(corpus_dir))
    monkeypatch.setenv("KVALITET_EMBEDDER", "hash")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest"]).exit_code == 0

    def run(args: list[str], **options):
        return runner.invoke(app, args, **options)

    return run
