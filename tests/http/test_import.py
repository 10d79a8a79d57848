"""Importing activity lists: XLSX and CSV files built here (openpyxl, csv), Swedish and English
headers, ; and , delimiters, UTF-8 with and without BOM and cp1252; unknown columns reported; a
file without an activity column refused with the columns it has; duplicates merged (in the file
and against the report); 1,000 rows; over real HTTP and through the CLI. Real SQLite, no mocks."""

from __future__ import annotations

import csv
import io
import json
import time

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from kvalitet.app import create_app
from kvalitet.errors import Forbidden, InvalidInput, UnsupportedFile
from kvalitet.workspace.importer import field_of, import_activities
from tests.helpers.server import running_server
from tests.helpers.workspace import World, make_settings

SV_HEADER = ["Perspektiv", "Nämndmål", "Aktivitet", "Nämnd", "Slutfört", "Status", "Kommentar", "Ansvarig", "Extra kolumn"]


@pytest.fixture
def world(tmp_path):
    w = World(make_settings(tmp_path))
    yield w
    w.close()


def xlsx(rows: list[list], title_row: str | None = "Aktivitetslista 2024 – Åbyskolan") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Aktiviteter"
    if title_row:
        ws.append([title_row])
        ws.append([])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], delimiter: str, encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def test_header_names_in_swedish_and_english():
    for h, f in [("Aktivitet", "activity"), ("  AKTIVITET ", "activity"), ("Activity", "activity"),
                 ("Nämndmål", "goal"), ("Namndmal", "goal"), ("nämnd mål", "goal"), ("Goal", "goal"),
                 ("Slutfört", "deadline"), ("Slutfort", "deadline"), ("Due", "deadline"), ("Deadline", "deadline"),
                 ("Due date", "deadline"), ("Nämnd", "committee"), ("Committee", "committee"),
                 ("Perspective", "perspective"), ("perspektiv", "perspective"), ("Status", "status"),
                 ("Kommentar", "comment"), ("Comment", "comment"), ("Kommunövergripande mål", "municipal_goal")]:
        assert field_of(h) == f, h
    assert field_of("Extra kolumn") is None and field_of("Budget (tkr)") is None


def test_xlsx_with_a_title_row_unknown_columns_and_duplicates(world):
    rep = world.report()
    world.ws.add_item(rep.id, {"activity": "Minska frånvaron i åk 7–9"}, world.rektor)
    data = xlsx([
        SV_HEADER,
        ["Medborgare", "Maximalt lärande", "Följa upp rutiner för övergång mellan förskola och förskoleklass",
         "BoU", "December", "pågående", "Följs upp efter överlämning", "Rektor", "x"],
        ["Verksamhet", "Trygghet", "Införa ny rutin för frånvaroanmälan", "BoU", "Q2", "Kvarstår", None, None, None],
        [None, None, None, None, None, None, None, None, None],  # blank: ignored
        ["Medborgare", "Likvärdighet", "  följa upp rutiner för övergång mellan förskola och förskoleklass. ",
         "BiN", None, "Pågående", "Även BiN", None, None],  # same activity, another goal: merged
        ["Verksamhet", "Trygghet", None, "BoU", "Q3", "Pågående", "rad utan aktivitet", None, None],
        ["Verksamhet", "Trygghet", "MINSKA FRÅNVARON I ÅK 7–9!", "BoU", "Q4", "Pågående", None, None, None],
        ["Ekonomi", "Budget", "x" * 2500, "BoU", None, None, None, None, None],  # too long for an activity
        ["Ekonomi", "Budget i balans", "Ta fram nyckeltal", "BoU", 2024, "Pausad", None, None, None],
    ])
    res = import_activities(world.ws, rep.id, data, world.rektor, filename="lista.xlsx")
    assert res.file_type == "xlsx" and res.sheet == "Aktiviteter" and res.header_row == 3
    assert res.unknown_columns == ["Extra kolumn"]
    assert any("Extra kolumn" in m for m in res.messages)
    assert {c.header: c.field for c in res.columns}["Nämndmål"] == "goal"
    assert [a.row for a in res.added] == [4, 5, 11]
    merged = {m.row: m for m in res.merged}
    assert set(merged) == {7, 9}
    assert merged[7].into_row == 4 and merged[7].item_id == res.added[0].item_id
    assert merged[9].into_row is None and "already in the report" in merged[9].reason
    assert [s.row for s in res.skipped] == [8, 10]
    assert "no activity" in res.skipped[0].reason and "Aktivitet" in res.skipped[1].reason
    view = world.ws.get_report(rep.id, world.rektor)
    assert len(view.items) == 4  # 1 before + 3 added, nothing doubled
    first = next(i for i in view.items if i.id == res.added[0].item_id)
    assert first.status == "Pågående" and first.goal == "Maximalt lärande" and first.committee == "BoU"
    assert first.perspective == "Medborgare" and first.deadline == "December" and first.responsible == "Rektor"
    assert "Likvärdighet" in first.notes and "Även BiN" in first.notes  # the merged row's goal and comment
    last = next(i for i in view.items if i.id == res.added[2].item_id)
    assert last.deadline == "2024" and last.status == "Pausad"
    log = [e for e in world.ws.audit(rep.id, world.granskare) if e.action == "report.import"]
    assert len(log) == 1 and log[0].after["added"] == 3 and log[0].after["merged"] == 2


@pytest.mark.parametrize("delimiter,encoding", [(";", "cp1252"), (",", "utf-8-sig"), (";", "utf-8"), ("\t", "utf-8")])
def test_csv_delimiters_and_encodings_with_english_headers(world, delimiter, encoding):
    rep = world.report()
    rows = [
        [" Perspective", "GOAL", "Activity ", "Committee", "Due", "Status", "Comment"],
        ["Medarbetare", "Goda arbetsplatser", "Säkerställa planeringstid för förskollärare i förskolan", "BoU",
         "December*", "Kvarstår", "Förskjuts; se rad 3, även \"citat\""],
        ["Ekonomi", "Hög avtalstrohet", "Följa upp inköpsorganisationen", "BiN, BoU", "Q4", "Genomfört", ""],
    ]
    res = import_activities(world.ws, rep.id, csv_bytes(rows, delimiter, encoding), world.rektor)
    assert res.file_type == "csv" and res.delimiter == delimiter and res.unknown_columns == []
    assert res.encoding == {"cp1252": "cp1252", "utf-8-sig": "utf-8-sig", "utf-8": "utf-8"}[encoding]
    assert [a.row for a in res.added] == [2, 3] and not res.merged and not res.skipped
    items = world.ws.get_report(rep.id, world.rektor).items
    assert items[0].activity == "Säkerställa planeringstid för förskollärare i förskolan"
    assert items[0].comment == "Förskjuts; se rad 3, även \"citat\"" and items[0].deadline == "December*"
    assert items[1].committee == "BiN, BoU" and items[1].status == "Genomfört"


def test_a_file_without_an_activity_column_is_refused_naming_its_columns(world):
    rep = world.report()
    data = csv_bytes([["Nämndmål", "Beskrivning", "Klart"], ["Mål", "Något", "Q1"]], ";", "utf-8")
    with pytest.raises(InvalidInput) as exc:
        import_activities(world.ws, rep.id, data, world.rektor)
    msg = exc.value.message
    assert "Aktivitet" in msg and "'Nämndmål'" in msg and "'Beskrivning'" in msg and "'Klart'" in msg
    assert exc.value.detail == {"columns": ["Nämndmål", "Beskrivning", "Klart"]}
    assert world.ws.get_report(rep.id, world.rektor).items == []
    with pytest.raises(UnsupportedFile):  # an old binary .xls, recognised by its content
        import_activities(world.ws, rep.id, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, world.rektor)
    with pytest.raises(Forbidden):
        import_activities(world.ws, rep.id, csv_bytes([["Aktivitet"], ["A"]], ";", "utf-8"), world.rektor2)


def test_a_thousand_rows_with_duplicates(world):
    rep = world.report()
    rows = [["Aktivitet", "Nämndmål", "Status", "Slutfört"]]
    for i in range(1000):
        n = i % 400
        wording = f"Aktivitet nummer {n} för bättre studiero" if i < 400 else f"aktivitet  nummer {n} för bättre studiero."
        rows.append([wording, f"Mål {i % 7}", "Pågående", "Q4"])
    t = time.perf_counter()
    res = import_activities(world.ws, rep.id, csv_bytes(rows, ",", "utf-8"), world.rektor)
    took = time.perf_counter() - t
    assert res.rows == 1000 and len(res.added) == 400 and len(res.merged) == 600 and not res.skipped
    assert res.merged[0].row == 402 and res.merged[0].into_row == 2
    items = world.ws.get_report(rep.id, world.rektor).items
    assert len(items) == 400 and len({i.activity for i in items}) == 400
    assert [i.position for i in items] == list(range(1, 401))
    assert "Listad under flera mål" in items[0].notes
    assert took < 60, took
    # the same file again: everything is already there
    again = import_activities(world.ws, rep.id, csv_bytes(rows, ",", "utf-8"), world.rektor)
    assert not again.added and len(again.merged) == 1000
    assert len(world.ws.get_report(rep.id, world.rektor).items) == 400
    # and an XLSX of 1,000 rows reads the same way
    rep2 = world.ws.create_report("Annan", "verksamhetsplan_uppfoljning", 2024, None, world.rektor)
    res = import_activities(world.ws, rep2.id, xlsx(rows, title_row=None), world.rektor)
    assert len(res.added) == 400 and len(res.merged) == 600


def test_import_over_http_and_cli(world, tmp_path, monkeypatch):
    rep = world.report()
    data = xlsx([["Aktivitet", "Status", "Okänd"], ["Införa ny rutin", "Pågående", "x"]])
    app = create_app(world.settings, services=world.svc)
    with running_server(app) as base:
        h = lambda name: {"Authorization": f"Bearer {world.tokens[name]}"}  # noqa: E731
        with httpx.Client(base_url=base, timeout=60) as c:
            files = {"file": ("lista.xlsx", data, "application/octet-stream")}
            assert c.post(f"/api/reports/{rep.id}/import", files=files).status_code == 401
            r = c.post(f"/api/reports/{rep.id}/import", files=files, headers=h("rektor2"))
            assert r.status_code == 403
            r = c.post(f"/api/reports/{rep.id}/import", files=files, headers=h("rektor"))
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["unknown_columns"] == ["Okänd"] and [a["row"] for a in body["added"]] == [4]
            bad = {"file": ("lista.csv", "Mål;Text\nA;B\n".encode(), "text/csv")}
            r = c.post(f"/api/reports/{rep.id}/import", files=bad, headers=h("rektor"))
            assert r.status_code == 422 and "'Text'" in r.json()["error"]["message"]
    from kvalitet.cli import app as cli

    for k, v in {"INDEX_DIR": world.settings.index_dir, "CORPUS_DIR": world.settings.corpus_dir, "EMBEDDER": "hash"}.items():
        monkeypatch.setenv(f"KVALITET_{k}", str(v))
    f = tmp_path / "lista.csv"
    f.write_bytes(csv_bytes([["Aktivitet", "Status"], ["införa ny rutin", "Pågående"], ["Ny aktivitet", "Kvarstår"]],
                            ";", "cp1252"))
    r = CliRunner().invoke(cli, ["reports", "import", str(rep.id), str(f), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [a["row"] for a in out["added"]] == [3] and [m["row"] for m in out["merged"]] == [2]
    f.write_bytes(b"Foo;Bar\n1;2\n")
    r = CliRunner().invoke(cli, ["reports", "import", str(rep.id), str(f)])
    assert r.exit_code == InvalidInput.exit_code and "'Foo'" in r.output
