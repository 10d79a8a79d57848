import json
import shutil
import threading

import pytest
from typer.testing import CliRunner

from kvalitet.settings import Settings
from kvalitet.errors import IndexBusy, IndexMismatch
from kvalitet.ingest.pipeline import ingest_lock
from kvalitet.container import Services
from tests.helpers.cli import ingested_cli


@pytest.fixture
def corpus_copy(tmp_path, corpus_dir):
    d = tmp_path / "corpus"
    shutil.copytree(corpus_dir, d)
    return d


@pytest.fixture
def svc(tmp_path, corpus_copy):
    s = Services(Settings(index_dir=tmp_path / "index", corpus_dir=corpus_copy, embedder="hash"))
    yield s
    s.close()


def test_ingest_recognises_every_sample_document(svc):
    r = svc.ingest()
    assert r.files == 5 and not r.skipped
    assert r.kinds == {
        "2015-plan-mal-och-resultatuppfoljning.txt": "arshjul",
        "2019-uppfoljning-fjolarets-aktiviteter.txt": "aktivitetsuppfoljning",
        "2019-uppfoljning-verksamhetsplan.txt": "verksamhetsplan_uppfoljning",
        "2020-kvalitetsrapport-utvecklingsomraden.txt": "kvalitetsrapport",
        "2022-uppfoljning-verksamhetsplan-linkoping.txt": "verksamhetsplan_uppfoljning",
    }
    # nothing was cached yet: every distinct text was embedded once
    assert r.embedded == len({p.text for p in svc.db.all_passages()})
    assert svc.index.vectors.count() == r.passages == len(svc.db.all_passages())


def test_reingest_of_unchanged_corpus_changes_nothing(svc):
    first = svc.ingest()
    ids = {p.id for p in svc.db.all_passages()}
    version = svc.db.index_version()
    again = svc.ingest()
    assert again.unchanged_files == 5 and again.embedded == 0 and again.passages == 0
    assert {p.id for p in svc.db.all_passages()} == ids
    assert svc.db.index_version() == version
    assert svc.index.vectors.count() == first.passages


def test_changed_file_replaces_its_records_and_removed_file_goes(svc, corpus_copy):
    svc.ingest()
    path = corpus_copy / "2019-uppfoljning-fjolarets-aktiviteter.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Denna utbildningsinsats är ej genomförd", "Utbildningen genomfördes i maj"), encoding="utf-8")
    r = svc.ingest()
    assert r.unchanged_files == 4 and r.files == 5
    texts = " ".join(p.text for p in svc.db.all_passages())
    assert "Utbildningen genomfördes i maj" in texts and "Denna utbildningsinsats är ej genomförd" not in texts
    assert r.embedded < r.passages  # unchanged blocks came from the cache
    (corpus_copy / "2015-plan-mal-och-resultatuppfoljning.txt").unlink()
    r = svc.ingest()
    assert r.removed > 0
    assert not [p for p in svc.db.all_passages() if p.doc_path.startswith("2015")]
    assert svc.index.vectors.count() == len(svc.db.all_passages())
    assert not svc.retriever.search("tertial 1 Stratsys", k=5, mode="bm25") or all(
        not h.passage.doc_path.startswith("2015") for h in svc.retriever.search("tertial 1 Stratsys", k=5)
    )


def test_broken_files_are_skipped_and_the_rest_goes_in(svc, corpus_copy):
    (corpus_copy / "trasig.pdf").write_bytes(b"%PDF-1.4\n garbage that is no pdf")
    (corpus_copy / "tom.txt").write_bytes(b"")
    (corpus_copy / "bild.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    r = svc.ingest()
    skipped = dict(r.skipped)
    assert set(skipped) == {"trasig.pdf", "tom.txt", "bild.png"}
    assert "tom" in skipped["tom.txt"].lower() or "empty" in skipped["tom.txt"].lower()
    assert "stöds inte" in skipped["bild.png"] and "PDF" in skipped["bild.png"]  # says what to save it as
    assert len(r.kinds) == 5
    assert (svc.settings.quarantine_dir).exists() and any(svc.settings.quarantine_dir.iterdir())


def test_cli_ingest_exit_codes_and_summary(tmp_path, corpus_copy, monkeypatch):
    from kvalitet.cli import app

    monkeypatch.setenv("KVALITET_INDEX_DIR", str(tmp_path / "cli-index"))
    monkeypatch.setenv("KVALITET_CORPUS_DIR", str(corpus_copy))
    monkeypatch.setenv("KVALITET_EMBEDDER", "hash")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["files"] == 5 and summary["skipped"] == []
    (corpus_copy / "trasig.docx").write_bytes(b"PK\x03\x04 not really a zip")
    res = runner.invoke(app, ["ingest", "--json"])
    assert res.exit_code == 2
    summary = json.loads(res.output)
    assert summary["skipped"][0]["path"] == "trasig.docx" and summary["unchanged_files"] == 5


def test_cli_ingest_summary_names_each_files_warnings(tmp_path, monkeypatch):
    """A file read with a warning (here a stray Windows-1252 byte) says so under its line in the
    summary, in Swedish and English, and in --json; a clean file has no warnings."""
    from kvalitet.cli import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ren.txt").write_text("Uppföljning 2023\n\nArbetet med frånvaron har gått bra.\n", encoding="utf-8")
    (corpus / "blandad.txt").write_bytes(
        "Uppföljning 2023\n\nÅrshjulet används av alla förskolor ".encode() + b"\x96 enligt plan.\n")
    monkeypatch.setenv("KVALITET_INDEX_DIR", str(tmp_path / "cli-index"))
    monkeypatch.setenv("KVALITET_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("KVALITET_EMBEDDER", "hash")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("blandad.txt:"))
    assert lines[at + 1].strip().startswith("Obs: 1 byte som inte var giltig UTF-8")
    assert "not valid UTF-8" in lines[at + 1]
    assert not any("Obs:" in line for line in lines if "ren.txt" in line)
    (corpus / "blandad.txt").write_bytes((corpus / "blandad.txt").read_bytes() + b"Mer text \x96.\n")
    summary = json.loads(runner.invoke(app, ["ingest", "--json"]).output)
    assert list(summary["warnings"]) == ["blandad.txt"]
    assert "cp1252" in summary["warnings"]["blandad.txt"][0]


def test_cli_activities_json_has_the_documented_shape(tmp_path, corpus_copy, monkeypatch):
    run = ingested_cli(monkeypatch, tmp_path / "cli-index", corpus_copy)
    res = run(["activities", "--json", "--year", "2019", "--status", "Kvarstår"])
    assert res.exit_code == 0, res.output
    acts = json.loads(res.output)["activities"]
    digital = [a for a in acts if a["activity"].startswith("Prova digital medarbetare")]
    assert len(digital) == 1
    a = digital[0]
    assert a["status"] == "Kvarstår" and a["deadline"] == "Q4" and a["perspective"] == "Verksamhet"
    assert a["year"] == 2019
    assert set(a["source"]) == {"path", "page", "line_start", "line_end"}
    assert a["source"]["path"] == "2019-uppfoljning-verksamhetsplan.txt"
    for key in ("id", "goal", "municipal_goal", "committee", "comment"):
        assert key in a
    assert all(x["status"] == "Kvarstår" and x["year"] == 2019 for x in acts)


def test_two_ingests_at_once_are_serialised(tmp_path):
    with ingest_lock(tmp_path):
        with pytest.raises(IndexBusy):
            with ingest_lock(tmp_path):
                pass
    with ingest_lock(tmp_path):  # released: can be taken again
        pass


def test_concurrent_ingest_gets_a_clear_busy_error(svc):
    started, release = threading.Event(), threading.Event()

    def slow_progress(path, done, total):
        started.set()
        release.wait(10)

    t = threading.Thread(target=lambda: svc.ingest(progress=slow_progress))
    t.start()
    assert started.wait(30)
    try:
        with pytest.raises(IndexBusy) as exc:
            svc.ingest()
        assert "inläsning pågår" in exc.value.message
    finally:
        release.set()
        t.join(60)


def test_opening_an_index_with_another_embedder_says_to_reindex(tmp_path, corpus_copy):
    s1 = Services(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus_copy, embedder="hash"))
    s1.ingest([corpus_copy / "2015-plan-mal-och-resultatuppfoljning.txt"])
    s1.close()
    s2 = Services(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus_copy, embedder="e5"))
    with pytest.raises(IndexMismatch) as exc:
        s2.retriever.search("tertial", k=3)
    assert "--rebuild" in exc.value.message
    r = s2.ingest(rebuild=True)
    assert r.passages > 0
    assert s2.retriever.search("tertial", k=3)
    s2.close()


def test_a_scanned_folder_reads_documents_not_the_data_beside_them(tmp_path):
    """Label files and scripts beside the documents are not read as documents; an image is taken
    (and then reported as skipped, see test_broken_files_are_skipped_and_the_rest_goes_in)."""
    from kvalitet.ingest.pipeline import collect_files

    (tmp_path / "rapport.txt").write_text("Uppföljning 2023\n\nText.", encoding="utf-8")
    (tmp_path / "rapport.txt.labels.json").write_text('{"records": []}', encoding="utf-8")
    (tmp_path / "make.py").write_text("print(1)", encoding="utf-8")
    (tmp_path / "bild.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "UTAN_ANDELSE").write_text("Kvalitetsrapport 2022", encoding="utf-8")
    files, dirs = collect_files([tmp_path])
    assert sorted(f.name for f in files) == ["UTAN_ANDELSE", "bild.png", "rapport.txt"] and dirs == [tmp_path]
    named, _ = collect_files([tmp_path / "make.py"])  # named on the command line: read all the same
    assert [f.name for f in named] == ["make.py"]
