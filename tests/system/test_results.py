"""Results over the years (issue 19): series from documents' indicator records and from Kolada."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from kvalitet.errors import Forbidden, InvalidInput
from kvalitet.results import KOLADA_LABEL, ResultsService
from kvalitet.results.charts import alt_text, chart_png, chart_svg, chart_table
from kvalitet.results.series import group_wordings, similarity
from kvalitet.results.values import format_value, parse_figure
from kvalitet.storage.db import Database
from kvalitet.storage.results import KoladaValueRow
from tests.fakes.kolada_server import FakeKolada
from tests.helpers.results import TRYGG, add_indicator_doc

BEHORIG = "N15419"


@pytest.fixture
def db(settings):
    d = Database(settings)
    d.create_all()
    yield d
    d.dispose()


def test_figures_are_read_as_swedish_reports_write_them():
    assert parse_figure("29,1 %").value == 29.1 and parse_figure("29,1 %").unit == "%"
    f = parse_figure("minst 85 %")
    assert (f.value, f.unit, f.comparator) == (85.0, "%", ">=")
    assert parse_figure(">80", "Andel elever som känner sig trygga").comparator == ">"
    assert parse_figure("1 200 kr").value == 1200.0
    assert parse_figure("Grön") is None
    assert format_value(29.1, "%") == "29,1\u00a0%"


def test_changed_wordings_are_one_series_and_grade_levels_are_not():
    keys = group_wordings(["Andel elever som känner sig trygga",
                           "Andelen elever som känner sig trygga i skolan (%)",
                           "Andel elever som är nöjda med skolmaten"])
    assert keys["Andel elever som känner sig trygga"] == keys["Andelen elever som känner sig trygga i skolan (%)"]
    assert keys["Andel elever som är nöjda med skolmaten"] != keys["Andel elever som känner sig trygga"]
    assert similarity("Andel elever i åk 9 som nått kunskapskraven", "Andel elever i åk 6 som nått kunskapskraven") == 0


def test_document_series_join_years_cite_their_lines_and_describe_the_change(db):
    add_indicator_doc(db, "t3-2021.docx", 2021, [("Andel elever som känner sig trygga", "84 %", "85 %", "Gul", 12)],
                      title="Tertialrapport 3")
    add_indicator_doc(db, "t3-2022.docx", 2022, [("Andelen elever som känner sig trygga i skolan", "82 %", "85 %",
                                                  "Gul", 14)])
    add_indicator_doc(db, "t3-2023.pdf", 2023, [("Andel elever som känner sig trygga", "80 %", "85 %", "Röd", 9),
                                               ("Andel legitimerade förskollärare", "29,1 %", "33 %", "Röd", 10)])
    svc = ResultsService(db)
    series = svc.search("trygga")
    assert len(series) == 1
    s = series[0]
    assert [p.year for p in s.points] == [2021, 2022, 2023]
    assert [p.value for p in s.points] == [84.0, 82.0, 80.0]
    assert s.unit == "%" and len(s.wordings) == 2
    first = s.points[0].source
    assert (first.path, first.page, first.line_start, first.passage_id) == ("t3-2021.docx", 2, 12, "p_t3-2021.docx_0")
    assert "Tertialrapport 3" in first.label
    assert svc.describe(s) == ("Andelen elever som känner sig trygga har gått från 84\u00a0% 2021 till 80\u00a0% 2023 "
                               "(−4 procentenheter), under målnivån 85\u00a0%.")
    assert [x.title for x in svc.relevant("Trygghetsarbete: fler elever ska känna sig trygga i skolan")] == [s.title]
    assert svc.relevant("Matematiklyftet i åk 4") == []


def test_an_admin_corrects_the_matching_and_others_may_not(db):
    add_indicator_doc(db, "a.docx", 2021, [("Andel förskollärare med legitimation", "30 %", "33 %", "Gul", 3)])
    add_indicator_doc(db, "b.docx", 2022, [("Andel pedagoger med förskollärarexamen", "31 %", "33 %", "Gul", 3)])
    svc = ResultsService(db)
    before = svc.search("förskol")
    assert len(before) == 2
    target = next(s for s in before if s.title.startswith("Andel förskollärare"))
    with pytest.raises(Forbidden):
        svc.set_alias("Andel pedagoger med förskollärarexamen", target.id, "rektor", "rektor1")
    merged = svc.set_alias("Andel pedagoger med förskollärarexamen", target.id, "admin", "admin1")
    assert merged.id == target.id and [p.year for p in merged.points] == [2021, 2022]
    assert len(svc.search("förskol")) == 1


def kolada_fake() -> FakeKolada:
    values = []
    for year, v in ((2019, 78.0), (2020, 80.1), (2021, 81.5), (2022, 79.0), (2023, 83.2)):
        values.append({"kpi": BEHORIG, "municipality": "0580", "period": year,
                       "values": [{"gender": "T", "count": 1, "status": "", "value": v},
                                  {"gender": "K", "count": 1, "status": "", "value": v + 2},
                                  {"gender": "M", "count": 1, "status": "", "value": v - 2}]})
    for ou, years in (("V15E058000101", (2021, 2022, 2023)), ("V15E058000202", (2021, 2023))):  # 2022 missing
        for year in years:
            values.append({"kpi": BEHORIG, "ou": ou, "period": year,
                           "values": [{"gender": "T", "count": 1, "status": "", "value": 70.0 + year - 2021}]})
    return FakeKolada(kpis={BEHORIG: "Elever i åk 9 som är behöriga till ett yrkesprogram, hemkommun, andel (%)"},
                      values=values, page_size=4,
                      units={"0580": [{"id": "V15E058000101", "title": "Björkskolan"},
                                      {"id": "V15E058000202", "title": "Ekskolan"}]})


def test_kolada_api_with_paging_gives_series_with_their_source(db):
    with kolada_fake() as fake:
        svc = ResultsService(db, kolada_url=fake.base_url)
        summary = svc.fetch([BEHORIG], municipality="0580", units=["V15E058000101", "V15E058000202"],
                            years=list(range(2019, 2024)))
        assert any("page=2" in r for r in fake.requests)  # followed next_url
    assert summary.values == 15 + 5 and summary.years == [2019, 2020, 2021, 2022, 2023]
    kommun = [s for s in svc.search(source="kolada") if s.entity_kind == "kommun"]
    assert {s.gender for s in kommun} == {"T", "K", "M"}
    total = next(s for s in kommun if s.gender == "T")
    assert total.kpi_id == BEHORIG and [p.value for p in total.points][-1] == 83.2
    assert all(p.source.label == KOLADA_LABEL for p in total.points)
    ek = next(s for s in svc.search(entity="Ekskolan"))
    assert [p.year for p in ek.points] == [2021, 2023]  # the missing year stays missing
    assert ResultsService.describe(total) == (
        "Andelen elever i åk 9 som är behöriga till ett yrkesprogram, hemkommun i 0580 har gått från 78\u00a0% 2019 "
        f"till 83,2\u00a0% 2023 (+5,2 procentenheter). {KOLADA_LABEL}.")
    # Re-fetching updates in place: no duplicates.
    with kolada_fake() as fake:
        ResultsService(db, kolada_url=fake.base_url).fetch([BEHORIG], municipality="0580", years=[2023])
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(KoladaValueRow)) == 20


def test_kolada_down_or_not_configured_is_a_clear_error_and_changes_nothing(db):
    from kvalitet.adapters.kolada import KoladaUnavailable

    with pytest.raises(InvalidInput, match="KVALITET_KOLADA_URL"):
        ResultsService(db).fetch([BEHORIG], municipality="0580", years=[2023])
    with kolada_fake() as fake:
        fake.fail_status = 503
        with pytest.raises(KoladaUnavailable, match="Kolada svarade 503"):
            ResultsService(db, kolada_url=fake.base_url).fetch([BEHORIG], municipality="0580", years=[2023])
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(KoladaValueRow)) == 0


def test_kolada_files_json_long_csv_and_wide_xlsx(db):
    svc = ResultsService(db)
    api_json = {"values": [{"kpi": TRYGG, "municipality": "0580", "period": 2022,
                            "values": [{"gender": "T", "count": 1, "status": "", "value": 81.0}]}],
                "count": 1}
    assert svc.import_file(json.dumps(api_json).encode(), "kolada.json").values == 1
    csv_text = ("Nyckeltals-ID;Nyckeltal;Kommun-ID;Kommun;År;Kön;Värde\n"
                f"{TRYGG};Elever i åk 5: Jag känner mig trygg i skolan, andel (%);0580;Linköping;2023;Totalt;79,5\n"
                f"{TRYGG};Elever i åk 5: Jag känner mig trygg i skolan, andel (%);0580;Linköping;2023;Flickor;77,0\n")
    s1 = svc.import_file(csv_text.encode("cp1252"), "export.csv")
    assert s1.values == 2 and s1.entities == ["Linköping"]
    wb = Workbook()
    ws = wb.active
    ws.append([f"{BEHORIG} Elever i åk 9 som är behöriga till ett yrkesprogram, andel (%)"])
    ws.append([])
    ws.append(["Kommun", "Kommun-ID", "2021", "2022", "2023"])
    ws.append(["Linköping", "0580", 81.5, None, "83,2"])
    ws.append(["Norrköping", "0581", 78.0, 79.1, 80.4])
    buf = io.BytesIO()
    wb.save(buf)
    s2 = svc.import_file(buf.getvalue(), "kolada-export.xlsx")
    assert s2.kpis == [BEHORIG] and s2.years == [2021, 2022, 2023] and s2.values == 6
    lkpg = next(s for s in svc.search(entity="Linköping") if s.kpi_id == BEHORIG)
    assert lkpg.title.startswith("Elever i åk 9") and [p.value for p in lkpg.points] == [81.5, None, 83.2]
    trygg = next(s for s in svc.search(source="kolada") if s.kpi_id == TRYGG and s.gender == "T")
    assert [p.year for p in trygg.points] == [2022, 2023]


def test_a_bad_kolada_file_names_the_row_and_writes_nothing(db):
    svc = ResultsService(db)
    bad = ("Nyckeltals-ID;Kommun-ID;År;Värde\n"
           f"{TRYGG};0580;2022;81\n"
           f"{TRYGG};0580;2023;många\n")
    with pytest.raises(InvalidInput, match="rad 3.*många"):
        svc.import_file(bad.encode(), "trasig.csv")
    with pytest.raises(InvalidInput, match="filtypen stöds inte"):
        svc.import_file(b"%PDF-1.4", "kolada.pdf")
    with pytest.raises(InvalidInput, match="ingen rubrikrad"):
        svc.import_file(b"a;b\n1;2\n", "fel.csv")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(KoladaValueRow)) == 0


def test_charts_are_accessible_svg_and_png_with_a_data_table(db):
    add_indicator_doc(db, "x.docx", 2021, [("Andel elever som känner sig trygga", "84 %", "85 %", "Gul", 1)])
    add_indicator_doc(db, "y.docx", 2023, [("Andel elever som känner sig trygga", "80 %", "85 %", "Röd", 1)])
    s = ResultsService(db).search("trygga")
    svg = chart_svg(s, "Trygghet")
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:400]
    assert 'role="img"' in svg and "<title>Trygghet</title>" in svg and "<desc>Diagram." in svg
    assert "Målnivå 85" in svg or "M\u00e5lniv\u00e5" in svg
    png = chart_png(s)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    table = chart_table(s)
    assert table["columns"][0] == "År" and table["rows"] == [["2021", "84\u00a0%"], ["2023", "80\u00a0%"]]
    assert "84\u00a0% 2021 och 80\u00a0% 2023; målnivå 85\u00a0%" in alt_text(s)


def test_the_results_tables_agree_with_their_migration(db):
    from tests.helpers.migrations import schema_diffs

    mine = [d for d in schema_diffs(db) if "kolada_values" in repr(d) or "series_aliases" in repr(d)]
    assert mine == []


# ---- over HTTP and on the command line -----------------------------------------------------------
@pytest.fixture
def api(tmp_path):
    import httpx

    from kvalitet.app import create_app
    from tests.helpers.server import running_server
    from tests.helpers.workspace import World, make_settings

    world = World(make_settings(tmp_path))
    add_indicator_doc(world.svc.db, "t3-2021.docx", 2021, [("Andel elever som känner sig trygga", "84 %", "85 %",
                                                            "Gul", 12)])
    add_indicator_doc(world.svc.db, "t3-2023.docx", 2023, [("Andel elever som känner sig trygga", "80 %", "85 %",
                                                            "Röd", 9)])
    app = create_app(world.settings, services=world.svc)
    with running_server(app) as base:
        clients = {n: httpx.Client(base_url=base, headers={"Authorization": f"Bearer {t}"}, timeout=60)
                   for n, t in world.tokens.items()}
        yield world, clients
        for c in clients.values():
            c.close()
    world.close()


def test_results_api_lists_shows_charts_and_imports(api):
    world, c = api
    r = c["rektor"].get("/api/results", params={"q": "trygga"})
    assert r.status_code == 200 and r.json()["count"] == 1
    sid = r.json()["series"][0]["id"]
    one = c["rektor"].get(f"/api/results/{sid}").json()
    assert one["sentence"].startswith("Andelen elever som känner sig trygga har gått från 84")
    assert one["table"]["rows"][0][0] == "2021" and one["alt"].startswith("Diagram.")
    svg = c["rektor"].get(f"/api/results/{sid}/chart.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<desc>" in svg.text
    assert c["rektor"].get(f"/api/results/{sid}/chart.png").content[:4] == b"\x89PNG"
    assert c["rektor"].get("/api/results/s_000000000000").status_code == 404
    csv_text = f"Nyckeltals-ID;Kommun-ID;Kommun;År;Värde\n{TRYGG};0580;Linköping;2023;79,5\n".encode()
    files = {"file": ("kolada.csv", csv_text, "text/csv")}
    assert c["rektor"].post("/api/results/import", files=files).status_code == 403
    r = c["kvalitet"].post("/api/results/import", files=files)
    assert r.status_code == 200 and r.json()["values"] == 1
    bad = c["kvalitet"].post("/api/results/import", files={"file": ("x.csv", b"a;b\n1;2\n", "text/csv")})
    assert bad.status_code == 422 and "rubrikrad" in bad.text
    assert c["admin"].post("/api/results/fetch", json={"kpis": [TRYGG], "municipality": "0580",
                                                        "years": [2023]}).status_code == 422  # not configured


def test_results_cli_lists_shows_and_imports(tmp_path):
    import os
    import subprocess
    import sys

    from kvalitet.settings import Settings
    from kvalitet.storage.db import Database as Db

    env = {**os.environ, "KVALITET_INDEX_DIR": str(tmp_path / "index"), "KVALITET_EMBEDDER": "hash",
           "PYTHONPATH": os.getcwd()}
    db = Db(Settings(index_dir=tmp_path / "index", embedder="hash"))
    db.create_all()
    add_indicator_doc(db, "a.docx", 2022, [("Andel elever som känner sig trygga", "82 %", "85 %", "Gul", 4)])
    db.dispose()
    f = tmp_path / "kolada.csv"
    f.write_text(f"Nyckeltals-ID;Kommun-ID;Kommun;År;Värde\n{TRYGG};0580;Linköping;2023;79,5\n", encoding="utf-8")

    def kv(*args):
        return subprocess.run([sys.executable, "-m", "kvalitet.cli", "results", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    r = kv("import", str(f), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["values"] == 1
    r = kv("list", "--json")
    listed = json.loads(r.stdout)
    assert listed["count"] == 2
    sid = next(s["id"] for s in listed["series"] if s["source_kind"] == "dokument")
    r = kv("show", sid)
    assert r.returncode == 0 and "Andelen elever som känner sig trygga var 82" in r.stdout
    r = kv("show", "s_000000000000")
    assert r.returncode == 4 and "finns inte" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n")
    r = kv("import", str(bad))
    assert r.returncode == 2 and "rubrikrad" in r.stderr


def test_a_report_carries_its_results_as_figures_in_word_html_and_markdown(tmp_path):
    from docx import Document as Docx

    from tests.helpers.workspace import World, make_settings

    world = World(make_settings(tmp_path))
    try:
        db = world.svc.db
        add_indicator_doc(db, "t-2021.docx", 2021, [("Andel elever som känner sig trygga", "84 %", "85 %", "Gul", 4)])
        add_indicator_doc(db, "t-2023.docx", 2023, [("Andel elever som känner sig trygga", "80 %", "85 %", "Röd", 4)])
        ws = world.ws
        rep = ws.create_report("Fjolårets aktiviteter", "aktivitetsuppfoljning", 2024, "Åbyskolan", world.rektor)
        ws.add_item(rep.id, {"activity": "Trygghetsvandringar så att fler elever känner sig trygga"}, world.rektor)
        ws.add_item(rep.id, {"activity": "Läsfrämjande lektioner i åk 1–3"}, world.rektor)
        md = ws.render(rep.id, "md", world.rektor)
        assert md.count("*Figur ") == 1 and "*Figur 1. Andel elever som känner sig trygga.*" in md
        assert "| År | Andel elever som känner sig trygga |" in md and "| 2023 | 80\u00a0% |" in md
        html = ws.render(rep.id, "html", world.rektor)
        assert html.count("<figure") == 1 and 'alt="Diagram. Andel elever som känner sig trygga' in html
        out = tmp_path / "r.docx"
        out.write_bytes(ws.export(rep.id, "docx", world.rektor).content)
        doc = Docx(str(out))
        pics = doc.inline_shapes
        assert len(pics) == 1
        descr = pics[0]._inline.docPr.get("descr")
        assert descr.startswith("Diagram. Andel elever som känner sig trygga: 84")
        captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
        assert captions and captions[0].startswith("Figur 1. Andel elever som känner sig trygga.")
        assert "Källa: " in captions[0]
        # The figure stands under its activity's Uppföljning, before the next activity.
        texts = [p.text for p in doc.paragraphs]
        i_cap = texts.index(captions[0])
        i_second = next(i for i, t in enumerate(texts) if t.startswith("Läsfrämjande lektioner"))
        i_first = next(i for i, t in enumerate(texts) if t.startswith("Trygghetsvandringar"))
        assert i_first < i_cap < i_second
    finally:
        world.close()


def test_errors_carry_swedish_and_english_as_separate_fields():
    """(issue 14) One error type with both texts; the API body gives them separately."""
    from kvalitet.api import error_body
    from kvalitet.errors import InvalidInput, LLMUnavailable

    e = InvalidInput("Filen är tom", "the file is empty")
    assert (e.sv, e.en, e.message) == ("Filen är tom", "the file is empty", "Filen är tom / the file is empty")
    legacy = InvalidInput("Rapportmallen är felaktig: trasig rad / the template is broken: bad line")
    assert legacy.sv == "Rapportmallen är felaktig: trasig rad"
    body = error_body(e.code, e.message, sv=e.sv, en=e.en)["error"]
    assert body["message_sv"] == "Filen är tom" and body["message_en"] == "the file is empty"
    assert LLMUnavailable("x", "y", reason="timeout").reason == "timeout"
    assert LLMUnavailable("x", "y", reason="nonsense").reason == "error"


def test_the_chat_answers_a_results_question_with_numbers_and_the_figure(tmp_path):
    """Without an LLM, "Hur har … utvecklats sedan …?" gets the series' sentence, sources and figure."""
    from kvalitet.chat import ChatRequest
    from tests.helpers.workspace import World, make_settings

    world = World(make_settings(tmp_path))
    try:
        add_indicator_doc(world.svc.db, "t-2019.docx", 2019, [("Andel elever behöriga till gymnasiet", "81 %",
                                                               "85 %", "Gul", 7)])
        add_indicator_doc(world.svc.db, "t-2023.docx", 2023, [("Andel elever behöriga till gymnasiet", "86 %",
                                                               "85 %", "Grön", 7)])
        chat = world.svc.chat
        reply = chat.ask(world.rektor, ChatRequest(message="Hur har behörigheten till gymnasiet utvecklats sedan 2019?")).reply
        text = reply.text
        assert "från 81\u00a0% 2019 till 86\u00a0% 2023" in text and "över målnivån 85\u00a0%" in text
        assert "/resultat/s_" in text
        assert {c.passage_id for c in reply.citations} == {"p_t-2019.docx_0", "p_t-2023.docx_0"}
        other = chat.ask(world.rektor, ChatRequest(message="Vad gjorde vi åt frånvaron?")).reply
        assert "Så här har resultaten" not in other.text
    finally:
        world.close()
