"""The document model the readers give: blocks (kind, level, number, table cells and header),
pages and line ranges, metadata and warnings, per format; and the file-quirk cases in
../shared/cases/inputs read as their README says (at the reader level).

Every fixture except the shared cases is built here with the real libraries (python-docx and
raw WordprocessingML, reportlab, openpyxl, HTML strings, zipfile).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kvalitet.ingest.model import Block, Document
from kvalitet.ingest.readers import (
    MEDIA_HTML,
    MEDIA_MARKDOWN,
    MEDIA_TEXT,
    decode_text,
    normalize_text,
    read_document,
    read_document_model,
)
from kvalitet.ingest.warnings import WARNING_TEXTS, warning_text, warning_texts
from kvalitet.ingest.model import ReadWarning
from kvalitet.ingest.recognise import recognise
from kvalitet.settings import Settings
from tests.helpers.paths import REPO

ROOT = REPO
CORPUS = ROOT / "corpus"


def _cases_dir() -> Path:
    """../shared/cases beside the clone (CI), or the nearest shared/cases above this file."""
    first = ROOT.parent / "shared" / "cases"
    if first.is_dir():
        return first
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "cases").is_dir():
            return parent / "shared" / "cases"
    return first  # the tests using it fail with a clear "no such file"


INPUTS = _cases_dir() / "inputs"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(index_dir=tmp_path / "index", corpus_dir=CORPUS, embedder="hash")


def kinds(doc: Document) -> list[str]:
    return [b.kind for b in doc.blocks]


def block_with(doc: Document, text: str) -> Block:
    hits = [b for b in doc.blocks if text in b.text]
    assert hits, f"no block contains {text!r}: {[b.text for b in doc.blocks]}"
    return hits[0]


def lines_of(doc: Document, block: Block) -> list[str]:
    return [doc.lines[i - 1].text for i in range(block.line_start, block.line_end + 1)]


# --------------------------------------------------------------------------------------------
# The shared normaliser and the warning texts
# --------------------------------------------------------------------------------------------


def test_normalize_text_nfc_nbsp_soft_hyphen_ligatures():
    decomposed = unicodedata.normalize("NFD", "Förskolans måluppfyllelse Åtgärd")
    assert decomposed != "Förskolans måluppfyllelse Åtgärd"
    assert normalize_text(decomposed) == "Förskolans måluppfyllelse Åtgärd"
    assert normalize_text("1\u00a0200\u202ftkr") == "1 200 tkr"
    assert normalize_text("matema\u00adtik") == "matematik"
    assert normalize_text("kon\ufb02ikt e\ufb00ekt \ufb01nns \ufb03 \ufb04") == "konflikt effekt finns ffi ffl"
    assert normalize_text("a\tb") == "a\tb"


def test_every_warning_code_has_both_texts():
    for code, (sv, en) in WARNING_TEXTS.items():
        assert sv and en and sv != en, code
    sv, en = warning_texts(ReadWarning("scanned_page", {"page": 2}))
    assert sv.startswith("Sidan 2 har ingen text (inskannad?)")
    assert en.startswith("Page 2 has no text layer (scanned?)")
    assert warning_text(ReadWarning("truncated", {})).startswith("Dokumentet kortades efter ? rader")
    assert warning_texts(ReadWarning("okänd_kod", {"x": 1})) == ("okänd_kod (x=1)", "okänd_kod (x=1)")


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------


def test_encodings_per_file(tmp_path, settings):
    text = "Förskolans måluppfyllelse är god.\nÅtgärd: öka – snart.\n"
    cases = {
        "utf8.txt": (text.encode("utf-8"), []),
        "utf8bom.txt": (b"\xef\xbb\xbf" + text.encode("utf-8"), []),
        "utf16bom.txt": (text.encode("utf-16"), []),
        "utf16le.txt": (text.encode("utf-16-le"), []),
        "utf16be.txt": (text.encode("utf-16-be"), []),
        "cp1252.txt": (text.encode("cp1252"), ["encoding_guessed"]),
    }
    for name, (data, codes) in cases.items():
        (tmp_path / name).write_bytes(data)
        doc = read_document_model(tmp_path / name, settings=settings)
        assert [line.text for line in doc.lines] == text.rstrip("\n").split("\n"), name
        assert [w.code for w in doc.warnings] == codes, name
    guessed = read_document_model(tmp_path / "cp1252.txt", settings=settings).warnings[0]
    assert guessed.params == {"encoding": "cp1252"}


def test_utf8_with_stray_cp1252_bytes_is_repaired_with_a_warning():
    data = "Årshjulet används sedan våren ".encode("utf-8") + b"\x96" + " enligt plan, ".encode() + b"\x93bra\x94"
    text, warnings = decode_text(data)
    assert text == "Årshjulet används sedan våren – enligt plan, “bra”"
    assert [(w.code, w.params) for w in warnings] == [("bytes_repaired", {"encoding": "cp1252", "count": 3})]


def test_decomposed_text_file_is_composed(tmp_path, settings):
    path = tmp_path / "nfd.txt"
    path.write_bytes(unicodedata.normalize("NFD", "Måluppfyllelse\u00a0och\u00a0ökning").encode("utf-8"))
    doc = read_document_model(path, settings=settings)
    assert doc.lines[0].text == "Måluppfyllelse och ökning"


# --------------------------------------------------------------------------------------------
# Text and Markdown
# --------------------------------------------------------------------------------------------


def test_text_lines_stay_and_blocks_cover_them(settings):
    path = CORPUS / "2022-uppfoljning-verksamhetsplan-linkoping.txt"
    doc = read_document_model(path, settings=settings)
    raw = path.read_text(encoding="utf-8").split("\n")
    assert all(raw[line.number - 1] == line.text for line in doc.lines)
    # Every non-blank line is in exactly one block; blank lines in none.
    covered = [n for b in doc.blocks for n in range(b.line_start, b.line_end + 1)]
    assert len(covered) == len(set(covered))
    assert set(covered) == {line.number for line in doc.lines if line.text.strip()}
    header = ["Nämndmål", "Aktivitet", "Nämnd", "Slutfört", "Status", "Kommentar"]
    tables = [b for b in doc.blocks if b.kind == "table" and b.header == header]
    assert len(tables) >= 2
    for table in tables:
        assert table.header_rows == 1
        assert lines_of(doc, table) == ["\t".join(r) for r in table.rows]
    assert not any(b.kind == "heading" for b in doc.blocks)  # plain text: recognition judges


def test_plain_text_paragraphs_and_tab_table(tmp_path, settings):
    path = tmp_path / "plan.txt"
    path.write_text(
        "Uppföljning 2023\n\nFörsta stycket\nfortsätter här.\n\n"
        "Aktivitet\tAnsvarig\tKlart\nLäsa mer\tRektor\tJuni\nSkriva\tEHT\tOktober\n"
        "Efter tabellen.\n",
        encoding="utf-8",
    )
    doc = read_document_model(path, settings=settings)
    assert kinds(doc) == ["paragraph", "paragraph", "table", "paragraph"]
    para = doc.blocks[1]
    assert (para.text, para.line_start, para.line_end) == ("Första stycket\nfortsätter här.", 3, 4)
    table = doc.blocks[2]
    assert table.header == ["Aktivitet", "Ansvarig", "Klart"]
    assert table.body == [["Läsa mer", "Rektor", "Juni"], ["Skriva", "EHT", "Oktober"]]
    assert (table.line_start, table.line_end) == (6, 8)
    # A table whose first row is a sentence has no header row.
    path.write_text("Vi läste mer.\tRektor\nSkriva\tEHT\n", encoding="utf-8")
    assert read_document_model(path, settings=settings).blocks[0].header_rows == 0


def test_markdown_headings_lists_and_tables(tmp_path, settings):
    path = tmp_path / "rapport.md"
    path.write_text(
        "# Kvalitetsrapport 2023\n\nInledande text.\n\n## Resultat\n"
        "- Första punkten\n  fortsätter\n  - underpunkt\n1. Numrerad\n2) Andra\n\n"
        "| Mål | Utfall |\n|---|---:|\n| Läsa | 84 |\n\n### Analys ###\nSlut.\n",
        encoding="utf-8",
    )
    doc = read_document_model(path, settings=settings)
    assert doc.media_type == MEDIA_MARKDOWN
    heads = [(b.text, b.level, b.line_start) for b in doc.blocks if b.kind == "heading"]
    assert heads == [("Kvalitetsrapport 2023", 1, 1), ("Resultat", 2, 5), ("Analys", 3, 16)]
    items = [(b.text, b.level, b.number) for b in doc.blocks if b.kind == "list_item"]
    assert items == [
        ("• Första punkten\nfortsätter", 0, None),
        ("• underpunkt", 1, None),
        ("1. Numrerad", 0, "1."),
        ("2) Andra", 0, "2)"),
    ]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == [["Mål", "Utfall"], ["Läsa", "84"]] and table.header_rows == 1
    assert (table.line_start, table.line_end) == (12, 14)
    # The lines are still the file's lines.
    assert doc.lines[5].text == "- Första punkten"


def test_line_cap_truncates_with_a_warning(tmp_path):
    path = tmp_path / "lang.txt"
    path.write_text("".join(f"Rad {i}\n" for i in range(1000)), encoding="utf-8")
    small = Settings(index_dir=tmp_path / "index", max_document_lines=100)
    doc = read_document_model(path, settings=small)
    assert len(doc.lines) == 100 and doc.blocks[-1].line_end == 100
    assert [(w.code, w.params) for w in doc.warnings] == [("truncated", {"limit": 100})]


def test_bytes_source_and_name(settings):
    doc = read_document_model("# Rubrik\ntext\n".encode(), "uppladdad.md", settings=settings)
    assert doc.path == "uppladdad.md" and doc.media_type == MEDIA_MARKDOWN
    assert doc.blocks[0].kind == "heading"


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="sv"><head>
<meta charset="utf-8"><title>Kvalitetsrapport – Kommunen</title>
<meta property="og:title" content="Kvalitetsrapport 2023">
<meta name="dcterms.created" content="2023-11-30">
<meta property="article:modified_time" content="2023-12-02T10:00:00Z">
</head><body>
<div id="cookieConsent"><p>Vi använder kakor.</p></div>
<a class="skip-link" href="#main">Hoppa till innehållet</a>
<header><p>Kommunen</p><ul class="main-menu"><li>Start</li></ul></header>
<div class="breadcrumbs">Start / Skola</div>
<main id="main">
  <h1>Kvalitetsrapport 2023</h1>
  <p>Inledning med<br>två rader.</p>
  <div class="sidebar-widget"><p>Relaterat innehåll</p></div>
  <p hidden>Dold text</p>
  <ol start="3"><li>Tredje<ol type="a"><li>Under a</li><li>Under b</li></ol></li><li value="7">Sjunde</li></ol>
  <ul><li>Punkt</li></ul>
  <h2>Resultat</h2>
  <table>
    <caption>Tabell 1</caption>
    <thead><tr><th rowspan="2">Mål</th><th colspan="2">Utfall</th></tr>
           <tr><th>2022</th><th>2023</th></tr></thead>
    <tbody><tr><td>Läsa</td><td colspan="2">84 %</td></tr>
           <tr><td rowspan="2">Skriva</td><td>70</td><td>75</td></tr>
           <tr><td>71</td><td><table><tr><td>inre</td></tr></table></td></tr></tbody>
  </table>
  <footer><p>Publicerad 2023-11-30</p></footer>
  <div class="page-tools"><a class="print">Skriv ut</a> <a class="share">Dela</a></div>
</main>
<aside><p>Dela sidan</p></aside>
<footer><p>Kommunhuset</p></footer>
</body></html>"""


def test_html_structure_and_chrome(tmp_path, settings):
    path = tmp_path / "sida.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = read_document_model(path, settings=settings)
    assert doc.media_type == MEDIA_HTML
    assert doc.metadata["title"] == "Kvalitetsrapport 2023"
    assert doc.metadata["created"] == "2023-11-30"
    assert doc.metadata["modified"].startswith("2023-12-02")
    assert doc.metadata["language"] == "sv"
    text = "\n".join(line.text for line in doc.lines)
    for chrome in ("kakor", "Hoppa", "Kommunen", "Start", "Relaterat", "Dold", "Dela", "Skriv ut", "Kommunhuset"):
        assert chrome not in text, chrome
    heads = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert heads == [("Kvalitetsrapport 2023", 1), ("Resultat", 2)]
    intro = block_with(doc, "Inledning")
    assert intro.text == "Inledning med\ntvå rader." and intro.line_end == intro.line_start + 1
    items = [(b.text, b.level, b.number) for b in doc.blocks if b.kind == "list_item"]
    assert items == [
        ("3. Tredje", 0, "3."),
        ("a. Under a", 1, "a."),
        ("b. Under b", 1, "b."),
        ("7. Sjunde", 0, "7."),
        ("• Punkt", 0, None),
    ]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.header_rows == 2
    assert table.rows == [
        ["Mål", "Utfall", "Utfall"],
        ["Mål", "2022", "2023"],
        ["Läsa", "84 %", "84 %"],
        ["Skriva", "70", "75"],
        ["Skriva", "71", "inre"],
    ]
    assert table.header == ["Mål", "2022", "2023"]
    assert block_with(doc, "Tabell 1").kind == "paragraph"
    # The content's own footer stays (inside <main>), the page's does not.
    assert "Publicerad 2023-11-30" in text


HTML_CASES = {  # name: (HTML, the blocks read: (kind, text, header rows))
    # without <main> the body is read, without the page's chrome (navigation, header, forms, footer)
    "sida.html": ("<html><body><nav><a>Meny</a></nav><header>Sidhuvud</header>"
                  "<div role='navigation'>Länkar</div><div aria-label='Huvudmeny'>Huvudmeny</div>"
                  "<h2>Rubrik</h2><p>Text.</p><form><p>Sök</p></form><footer>Sidfot</footer></body></html>",
                  [("heading", "Rubrik", 0), ("paragraph", "Text.", 0)]),
    # a table used for layout is read as its content; a real table inside it stays a table
    "layout.html": ("<html><body><table><tr><td><h2>Resultat</h2><p>Första stycket.</p></td>"
                    "<td><table><tr><th>Mål</th><th>Utfall</th></tr><tr><td>Läsa</td><td>84</td></tr></table></td></tr>"
                    "</table><table><tr><td>Ensam kolumn</td></tr><tr><td>Rad två</td></tr></table></body></html>",
                    [("heading", "Resultat", 0), ("paragraph", "Första stycket.", 0), ("table", "Mål\tUtfall\nLäsa\t84", 1),
                     ("paragraph", "Ensam kolumn", 0), ("paragraph", "Rad två", 0)]),
}


@pytest.mark.parametrize("name", sorted(HTML_CASES))
def test_html_page_chrome_and_layout_tables(settings, name):
    html, blocks = HTML_CASES[name]
    doc = read_document_model(html.encode(), name, settings=settings)
    assert [(b.kind, b.text, b.header_rows) for b in doc.blocks] == blocks


# --------------------------------------------------------------------------------------------
# The shared cases (inputs/): text and HTML
# --------------------------------------------------------------------------------------------


def test_case_utf8_with_one_cp1252_byte(settings):
    path = INPUTS / "uppfoljning-utf8-med-en-cp1252-byte.txt"
    doc = read_document_model(path, settings=settings)
    assert doc.media_type == MEDIA_TEXT
    assert [(w.code, w.params) for w in doc.warnings] == [("bytes_repaired", {"encoding": "cp1252", "count": 1})]
    line = next(line for line in doc.lines if line.text.startswith("Årshjulet"))
    assert line.text == "Årshjulet är framtaget och används av samtliga förskolechefer sedan våren – enligt plan."
    assert "\ufffd" not in "\n".join(t.text for t in doc.lines)
    # Read like a clean file: the same lines (and numbers) as its clean UTF-8 twin.
    clean = path.read_bytes().replace(b"\x96", "–".encode("utf-8"))
    twin = read_document_model(clean, path.name, settings=settings)
    assert [(x.number, x.text) for x in twin.lines] == [(x.number, x.text) for x in doc.lines]
    assert twin.warnings == []
    assert [(b.kind, b.line_start, b.line_end) for b in twin.blocks] == [
        (b.kind, b.line_start, b.line_end) for b in doc.blocks
    ]


def test_case_webpage_only_report_text(settings):
    doc = read_document_model(INPUTS / "uppfoljning-2023-webbsida.html", settings=settings)
    text = "\n".join(line.text for line in doc.lines)
    for chrome in ("kakor", "Exempelstads kommun", "Förskola och skola", "Sök", "Dela", "Telefon", "Organisationsnummer"):
        assert chrome not in text, chrome
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs[-1] == "Avtalet med trafikbolaget är klart och gäller från höstterminen."
    assert "Alla förskolor har utsett språkombud som deltagit i fyra nätverksträffar under året." in paragraphs
    assert "Språkombuden har gjort modellen känd, men arbetet behöver följas upp i verksamheten." in paragraphs
    heads = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert heads[0] == ("Uppföljning av fjolårets aktiviteter 2023", 1)
    assert ("1. Uppdrag/Aktivitet", 2) in heads and ("Uppföljning", 3) in heads
    assert doc.lines[-1].text == "Avtalet med trafikbolaget är klart och gäller från höstterminen."
    assert doc.metadata["title"] == "Uppföljning 2023 – Exempelstads kommun"


def test_case_ande_reads_as_written(settings):
    """The -ande case is about search (BM25 stemming); the reader's part is the exact text."""
    doc = read_document_model(INPUTS / "uppfoljning-2024-ande.txt", settings=settings)
    line = next(x for x in doc.lines if "kränkande" in x.text)
    assert line.text == "Personalen har utrett varje anmälan om kränkande behandling inom två veckor."
    assert line.number == 9 and doc.warnings == []


def test_old_api_is_the_model_as_lines(settings):
    path = CORPUS / "2019-uppfoljning-fjolarets-aktiviteter.txt"
    assert read_document(path, settings=settings) == read_document_model(path, settings=settings).as_text()


# --------------------------------------------------------------------------------------------
# XLSX and CSV
# --------------------------------------------------------------------------------------------


def _workbook_bytes() -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Aktiviteter"
    ws.append(["Uppföljning tertial 3 2022 – Barn- och utbildningsnämnden"])
    ws.append([])
    ws.append(["Mål", "Aktivitet", "Status", "Utfall"])
    ws.append(["Trygghet", "Införa rastvärdar", "Pågående", 0.291])
    ws["D4"].number_format = "0.0%"
    ws.append([None, "Läsa mer", "Genomfört", 84])
    ws.merge_cells("A4:A5")
    ws2 = wb.create_sheet("Indikatorer")
    ws2.append(["Indikator", "Utfall", "Målvärde"])
    ws2.append(["Andel behöriga lärare", 12.5, ">80"])
    wb.create_sheet("Tomt")
    wb.properties.title = "Stratsys-export"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_sheets_as_tables_with_header_below_title_rows(settings):
    doc = read_document_model(_workbook_bytes(), "export.xlsx", settings=settings)
    assert doc.media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [(b.kind, b.text if b.kind != "table" else None) for b in doc.blocks] == [
        ("heading", "Aktiviteter"),
        ("paragraph", "Uppföljning tertial 3 2022 – Barn- och utbildningsnämnden"),
        ("table", None),
        ("heading", "Indikatorer"),
        ("table", None),
    ]
    first = doc.blocks[2]
    assert first.header == ["Mål", "Aktivitet", "Status", "Utfall"]
    assert first.body == [
        ["Trygghet", "Införa rastvärdar", "Pågående", "29,1 %"],
        ["Trygghet", "Läsa mer", "Genomfört", "84"],  # the merged Mål cell repeated
    ]
    assert doc.blocks[4].rows == [["Indikator", "Utfall", "Målvärde"], ["Andel behöriga lärare", "12,5", ">80"]]
    assert doc.metadata["title"] == "Stratsys-export"
    assert [(w.code, w.params) for w in doc.warnings] == [("sheet_empty", {"sheet": "Tomt"})]
    assert lines_of(doc, first) == ["\t".join(r) for r in first.rows]


def test_csv_semicolon_cp1252_with_title_row(settings):
    data = "Aktivitetslista 2024\n\nAktivitet;Ansvarig;Klart\nLäsa mer;Rektor;Juni\n\"Skriva; räkna\";EHT;Oktober\n"
    doc = read_document_model(data.encode("cp1252"), "lista.csv", settings=settings)
    assert doc.media_type == "text/csv" and doc.metadata["delimiter"] == ";"
    assert [b.kind for b in doc.blocks] == ["paragraph", "table"]
    assert doc.blocks[1].rows == [
        ["Aktivitet", "Ansvarig", "Klart"],
        ["Läsa mer", "Rektor", "Juni"],
        ["Skriva; räkna", "EHT", "Oktober"],
    ]
    assert doc.blocks[1].header_rows == 1
    assert [w.code for w in doc.warnings] == ["encoding_guessed"]
    tabbed = read_document_model("Mål\tUtfall\nLäsa\t84\n".encode(), "x.csv", settings=settings)
    assert tabbed.blocks[0].rows == [["Mål", "Utfall"], ["Läsa", "84"]]


# --------------------------------------------------------------------------------------------
# Archives: real inflated bytes counted and capped (issue 17, item 1)
# --------------------------------------------------------------------------------------------


def lying_zip(base: bytes, member: str, real_size: int, claimed: int = 1000) -> bytes:
    """`base` (a zip) plus `member` holding `real_size` zero bytes, whose local and central
    headers claim it unpacks to `claimed` bytes."""
    import io
    import struct
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != member:  # a member of the same name is replaced
                dst.writestr(info, src.read(info.filename))
        chunk = bytes(1 << 20)
        with dst.open(member, "w") as fh:
            for _ in range(real_size // len(chunk)):
                fh.write(chunk)
    data = bytearray(out.getvalue())
    name = member.encode()
    # Patch the local header of `member` (sizes at +22) and its central directory entry (+24).
    pos = 0
    while True:
        pos = data.find(b"PK\x03\x04", pos)
        if pos < 0:
            break
        n = struct.unpack_from("<H", data, pos + 26)[0]
        if data[pos + 30 : pos + 30 + n] == name:
            struct.pack_into("<I", data, pos + 22, claimed)
        pos += 4
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + n] == name:
            struct.pack_into("<I", data, central + 24, claimed)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_xlsx_whose_entry_lies_about_its_size_is_stopped(tmp_path):
    from kvalitet.errors import UnreadableFile

    # 400 MB of zeros (about 0.4 MB compressed) that claims to be 1000 bytes; the child may use
    # 300 MB: inflating it whole would kill the child instead of giving the clear refusal.
    data = lying_zip(_workbook_bytes(), "xl/media/image1.bin", 400 << 20)
    assert len(data) < 3_000_000
    strict = Settings(index_dir=tmp_path / "index", pdf_memory_mb=300)
    with pytest.raises(UnreadableFile, match="manipulated|zip bomb") as info:
        read_document_model(data, "export.xlsx", settings=strict)
    assert "memory" not in info.value.message


def test_xlsx_that_inflates_past_the_cap_is_a_zip_bomb(tmp_path):
    from kvalitet.errors import UnreadableFile

    data = lying_zip(_workbook_bytes(), "xl/media/image1.bin", 64 << 20, claimed=64 << 20)
    capped = Settings(index_dir=tmp_path / "index", max_docx_uncompressed_bytes=32 << 20)
    with pytest.raises(UnreadableFile, match="zip bomb"):
        read_document_model(data, "export.xlsx", settings=capped)
    # Claims under the cap, real bytes over it: the streaming count stops it.
    from kvalitet.ingest.readers.archive import SafeZip

    archive = SafeZip(data, max_bytes=128 << 20, max_members=100, kind="XLSX")
    archive.max_bytes = 16 << 20  # as if the claims had been small
    with pytest.raises(UnreadableFile, match="zip bomb"):
        archive.read("xl/media/image1.bin")
    assert archive.used <= (16 << 20) + (64 << 10)


def test_activity_import_reads_xlsx_through_the_safe_reader(tmp_path):
    from kvalitet.errors import UnreadableFile
    from kvalitet.workspace.importer import read_table

    strict = Settings(index_dir=tmp_path / "index", pdf_memory_mb=300)
    table = read_table(_workbook_bytes(), strict)
    assert table.sheet == "Aktiviteter" and table.rows[2] == ["Mål", "Aktivitet", "Status", "Utfall"]
    with pytest.raises(UnreadableFile, match="manipulated|zip bomb"):
        read_table(lying_zip(_workbook_bytes(), "xl/media/image1.bin", 400 << 20), strict)


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (
    f'xmlns:w="{W_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
)

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {NSDECL}>
  <w:abstractNum w:abstractNumId="10">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="11">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="12">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="21"><w:abstractNumId w:val="10"/></w:num>
  <w:num w:numId="22"><w:abstractNumId w:val="11"/></w:num>
  <w:num w:numId="23"><w:abstractNumId w:val="10"/>
    <w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
  <w:num w:numId="24"><w:abstractNumId w:val="12"/></w:num>
</w:numbering>"""

FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes {NSDECL}>
  <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
  <w:footnote w:id="7"><w:p><w:r><w:t xml:space="preserve"> Källa: Skolverkets statistik 2023.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""

STYLES_EXTRA = [
    f'<w:style {NSDECL} w:type="paragraph" w:customStyle="1" w:styleId="Minrubrik"><w:name w:val="Min rubrik"/>'
    '<w:basedOn w:val="Heading2"/></w:style>',
    f'<w:style {NSDECL} w:type="paragraph" w:customStyle="1" w:styleId="Avsnitt"><w:name w:val="Avsnitt"/>'
    '<w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>',
    f'<w:style {NSDECL} w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/></w:style>',
]


def _p(inner: str, ppr: str = "") -> str:
    return f"<w:p {NSDECL}>{('<w:pPr>' + ppr + '</w:pPr>') if ppr else ''}{inner}</w:p>"


def _r(text: str, rpr: str = "") -> str:
    return f'<w:r>{("<w:rPr>" + rpr + "</w:rPr>") if rpr else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _num(num_id: int, ilvl: int = 0) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def build_rich_docx(path: Path) -> None:
    """A DOCX with Word's features: styles, numbering, merged and nested table cells, a text box,
    tracked changes, content controls, a footnote and core properties."""
    import io
    import zipfile

    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.core_properties.title = "Kvalitetsrapport 2023"
    document.core_properties.author = "Förvaltningen"
    styles_el = document.styles.element
    for xml in STYLES_EXTRA:
        styles_el.append(parse_xml(xml))
    body = document.element.body
    sect = body[-1]

    def add(xml: str) -> None:
        sect.addprevious(parse_xml(xml))

    # A table of contents: a content control of the TOC gallery, and a line in a "toc 1" style.
    add(f'<w:sdt {NSDECL}><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
        '<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>'
        + _p(_r("Resultat 2")) + _p(_r("Analys 3")) + "</w:sdtContent></w:sdt>")
    add(_p(_r("Bilaga 9"), '<w:pStyle w:val="TOC1"/>'))
    document.add_heading("Kvalitetsrapport 2023", level=0)  # Title
    document.add_heading("Resultat", level=1)
    add(_p(_r("Egen rubrik"), '<w:pStyle w:val="Minrubrik"/>'))
    add(_p(_r("Avsnitt med dispositionsnivå"), '<w:pStyle w:val="Avsnitt"/>'))
    add(_p(_r("Rubrik genom styckets nivå"), '<w:outlineLvl w:val="0"/>'))
    add(_p(_r("Fet kort rad", "<w:b/>")))
    for text, num_id, ilvl in [
        ("Första", 21, 0), ("Andra", 21, 0), ("Andra ett", 21, 1), ("Andra två", 21, 1),
        ("Bokstav", 21, 2), ("Bokstav två", 21, 2), ("Tredje", 21, 0), ("Punkt", 22, 0), ("Femte", 23, 0),
    ]:
        add(_p(_r(text), _num(num_id, ilvl)))
    add(_p(_r("Numrerad rubrik"), '<w:pStyle w:val="Heading2"/>' + _num(24, 0)))
    # Tracked changes, accepted.
    add(_p(
        _r("Närvaron ökade från 88 till ")
        + '<w:del w:id="1" w:author="G"><w:r><w:delText>90</w:delText></w:r></w:del>'
        + '<w:ins w:id="2" w:author="G">' + _r("93") + "</w:ins>"
        + _r(" procent.")
        + '<w:moveFrom w:id="3" w:author="G">' + _r(" Flyttad bort.") + "</w:moveFrom>"
        + '<w:moveTo w:id="4" w:author="G">' + _r(" Flyttad hit.") + "</w:moveTo>"
    ))
    # Content controls: a drop-down (run level), a placeholder, a block-level control.
    add(_p(
        _r("Status: ")
        + '<w:sdt><w:sdtPr><w:dropDownList><w:listItem w:displayText="Pågående" w:value="Pågående"/>'
        + '<w:listItem w:displayText="Klar" w:value="Klar"/></w:dropDownList></w:sdtPr>'
        + "<w:sdtContent>" + _r("Klar") + "</w:sdtContent></w:sdt>"
        + '<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>'
        + _r(" Klicka eller tryck här för att ange text.") + "</w:sdtContent></w:sdt>"
    ))
    add(f'<w:sdt {NSDECL}><w:sdtPr/><w:sdtContent>' + _p(_r("Text i blockkontroll")) + "</w:sdtContent></w:sdt>")
    # A text box, in Word's AlternateContent (choice and fallback): read once.
    box = _p(_r("Text i textruta"))
    add(_p(
        _r("Stycke med textruta.")
        + "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic><a:graphicData>"
        + f"<wps:wsp><wps:txbx><w:txbxContent>{box}</w:txbxContent></wps:txbx></wps:wsp>"
        + "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        + f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{box}</w:txbxContent></v:textbox></v:shape></w:pict>"
        + "</mc:Fallback></mc:AlternateContent></w:r>"
    ))
    # A footnote reference.
    add(_p(_r("Andelen behöriga lärare ökade.") + '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
           '<w:footnoteReference w:id="7"/></w:r>'))
    # A table with a header row, a horizontal and a vertical merge, and a nested table.
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Mål", "Aktivitet", "Status"], strict=True):
        cell.text = text
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Trygghet"
    table.cell(1, 1).text = "Rastvärdar"
    table.cell(1, 2).text = "Pågår"
    table.cell(2, 1).text = "Kamratstödjare"
    table.cell(2, 2).text = "Klar"
    table.cell(3, 0).merge(table.cell(3, 1)).text = "Summa"
    table.cell(3, 2).text = "2"
    inner = table.cell(2, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "Inre A"
    inner.cell(0, 1).text = "Inre B"
    # A layout table of one cell: its content is the document's.
    layout = document.add_table(rows=1, cols=1)
    layout.cell(0, 0).text = "Text i layouttabell"
    document.add_paragraph("Slut.")
    buf = io.BytesIO()
    document.save(buf)
    # numbering.xml replaced, footnotes.xml added (with its relationship and content type).
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body_bytes = src.read(info.filename)
            if info.filename == "word/numbering.xml":
                body_bytes = NUMBERING.encode("utf-8")
            elif info.filename == "word/_rels/document.xml.rels":
                body_bytes = body_bytes.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFn" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
                )
            elif info.filename == "[Content_Types].xml":
                body_bytes = body_bytes.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            dst.writestr(info, body_bytes)
        dst.writestr("word/footnotes.xml", FOOTNOTES)
    path.write_bytes(out.getvalue())


def test_docx_structure(tmp_path, settings):
    path = tmp_path / "rik.docx"
    build_rich_docx(path)
    doc = read_document_model(path, settings=settings)
    assert doc.metadata["title"] == "Kvalitetsrapport 2023" and doc.metadata["author"] == "Förvaltningen"
    assert doc.metadata["created"]
    heads = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert heads == [
        ("Kvalitetsrapport 2023", 1),  # Title
        ("Resultat", 1),
        ("Egen rubrik", 2),  # custom style based on Heading 2
        ("Avsnitt med dispositionsnivå", 3),  # outline level 2 in the style
        ("Rubrik genom styckets nivå", 1),  # outline level 0 on the paragraph
        ("I Numrerad rubrik", 2),  # a numbered heading keeps its number
    ]
    assert block_with(doc, "Fet kort rad").style == "bold"
    items = [(b.text, b.level, b.number) for b in doc.blocks if b.kind == "list_item"]
    assert items == [
        ("1. Första", 0, "1."),
        ("2. Andra", 0, "2."),
        ("2.1 Andra ett", 1, "2.1"),
        ("2.2 Andra två", 1, "2.2"),
        ("a) Bokstav", 2, "a)"),
        ("b) Bokstav två", 2, "b)"),
        ("3. Tredje", 0, "3."),
        ("• Punkt", 0, None),
        ("5. Femte", 0, "5."),
    ]
    texts = [b.text for b in doc.blocks]
    assert "Närvaron ökade från 88 till 93 procent. Flyttad hit." in texts
    assert not any("90" in t or "Flyttad bort" in t for t in texts)
    assert "Status: Klar" in texts  # the drop-down's value; the placeholder gives nothing
    assert not any("Klicka eller tryck" in t for t in texts)
    assert "Text i blockkontroll" in texts
    assert texts.count("Text i textruta") == 1
    at = texts.index("Stycke med textruta.")
    assert texts[at + 1] == "Text i textruta"  # after the paragraph that anchors it
    note_at = texts.index("Andelen behöriga lärare ökade.1")
    assert texts[note_at + 1] == "[1] Källa: Skolverkets statistik 2023."
    assert doc.blocks[note_at + 1].style == "footnote"
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 2  # the table and its nested table; the layout table is unwrapped
    main, nested = tables
    assert main.header_rows == 1 and main.header == ["Mål", "Aktivitet", "Status"]
    assert main.body == [
        ["Trygghet", "Rastvärdar", "Pågår"],
        ["Trygghet", "Kamratstödjare", "Klar"],  # vertical merge repeated
        ["Summa", "Summa", "2"],  # horizontal merge repeated
    ]
    assert nested.rows == [["Inre A", "Inre B"]]
    assert doc.blocks.index(nested) == doc.blocks.index(main) + 1
    assert "Text i layouttabell" in texts and texts[-1] == "Slut."
    assert not any(t in texts for t in ("Resultat 2", "Analys 3", "Bilaga 9"))  # the table of contents
    assert all(line.page is None for line in doc.lines)
    assert lines_of(doc, main)[2] == "Trygghet\tKamratstödjare\tKlar"


def test_case_docx_tracked_changes_accepted(settings):
    doc = read_document_model(INPUTS / "uppfoljning-2023-spara-andringar.docx", settings=settings)
    texts = [b.text for b in doc.blocks]
    assert "Den genomsnittliga närvaron ökade från 88 till 93 procent mellan höstterminen och vårterminen." in texts
    assert not any("90 procent" in t for t in texts)
    assert "Den tidiga kontakten med vårdnadshavare har gett tydlig effekt och bör fortsätta nästa läsår." in texts
    # Sommarskolan... is the paragraph after activity 2's Uppföljning heading-like line.
    at = texts.index("2. Uppdrag/Aktivitet")
    assert texts[at + 1 : at + 4] == [
        "Utöka sommarskolan",
        "Uppföljning",
        "Sommarskolan hade 140 deltagare, dubbelt så många som året innan.",
    ]


def test_case_docx_content_control_statuses(settings):
    doc = read_document_model(INPUTS / "uppfoljning-verksamhetsplan-2023-kontroller.docx", settings=settings)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.header == ["Nämndmål", "Aktivitet", "Nämnd", "Slutfört", "Status", "Kommentar"]
    status = {row[1]: row[4] for row in table.body}
    assert status == {
        "Införa läsfrämjande insatser i förskoleklass": "Pågående",
        "Utveckla rutiner för mottagande av nyanlända elever": "Genomfört",
        "Erbjuda simundervisning till alla elever i årskurs 3": "Ej påbörjad",
    }
    assert any(line.text.split("\t")[4:5] == ["Ej påbörjad"] for line in doc.lines)


def test_docx_with_250000_identical_paragraphs_is_capped_in_the_child(tmp_path):
    """Issue 17: a small DOCX that expands to 250,000 paragraphs is cut at the line cap, in the
    child (whose memory is limited), with a "truncated" warning."""
    import io
    import zipfile

    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    para = '<w:p><w:r><w:t>Samma stycke igen och igen.</w:t></w:r></w:p>'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>", 1)
                data = head + b"<w:body>" + (para * 250_000).encode() + tail
            dst.writestr(info, data)
    raw = out.getvalue()
    assert len(raw) < 200_000
    capped = Settings(index_dir=tmp_path / "index", max_document_lines=20_000, pdf_memory_mb=400)
    doc = read_document_model(raw, "flod.docx", settings=capped)
    assert len(doc.lines) == 20_000
    assert [(w.code, w.params) for w in doc.warnings] == [("truncated", {"limit": 20_000})]


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(DEJAVU_DIR / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"


def one_page_pdf(path: Path, strings: list[tuple[float, float, str]]) -> Path:
    """An A4 PDF at `path` of one page with each (x, y, text) of `strings` drawn in DejaVu Sans 10 pt."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    regular, _ = _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(regular, 10)
    for x, y, text in strings:
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    return path


def build_report_pdf(path: Path) -> None:
    """Four pages: a running header and "Sida N av 4" on the first three; a title and headings
    by size and weight; hyphenated line ends; a paragraph running on over a page break; a ruled
    table with a vertically merged cell; a two-column page; a page that is only an image."""
    from PIL import Image
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    regular, bold = _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Kvalitetsrapport 2023")

    def chrome(page: int) -> None:
        c.setFont(regular, 8)
        c.drawString(50, 815, "Exempelstads kommun | Kvalitetsrapport 2023")
        c.drawCentredString(297, 30, f"Sida {page} av 4")

    def lines(x: float, y: float, texts: list[str], size: float = 10, pitch: float = 14) -> float:
        c.setFont(regular, size)
        for t in texts:
            c.drawString(x, y, t)
            y -= pitch
        return y

    chrome(1)
    c.setFont(bold, 18)
    c.drawString(50, 770, "Kvalitetsrapport 2023")
    c.setFont(bold, 13)
    c.drawString(50, 735, "Resultat och analys")
    y = lines(50, 710, [
        "Lärarna har under hela läsåret arbetat tillsammans med den nya matematik-",
        "undervisningen i alla årskurser, och det gemensamma IT-",
        "stödet har fungerat väl under året enligt alla skolor.",
    ])
    y = lines(50, y - 14, [
        "Frånvaron har minskat på samtliga skolor under våren, men den långa frånvaron",
        "är lika stor som tidigare år. Sammantaget har arbetet gett effekt, och vi bedömer",
    ])
    # Fill the page down to the footer, ending without a full stop: it runs on.
    y = lines(50, y - 14, [f"Rad {i} i ett långt stycke som fyller sidan med vanlig löptext utan slut." for i in range(38)])
    lines(50, y, ["Vi bedömer att samarbetet med skolorna och med elevhälsan och med"])
    c.showPage()

    chrome(2)
    y = lines(50, 770, ["socialtjänsten behöver stärkas under nästa läsår."])
    table = Table(
        [["Mål", "Indikator", "Utfall"], ["Trygghet", "Andel trygga elever", "84 %"], ["", "Andel nöjda", "90 %"]],
        colWidths=[120, 180, 80],
    )
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("SPAN", (0, 1), (0, 2)),
        ("FONT", (0, 0), (-1, -1), regular, 10),
    ]))
    _, h = table.wrapOn(c, 400, 200)
    table.drawOn(c, 50, y - 20 - h)
    lines(50, y - 60 - h, ["Efter tabellen följer en avslutande mening."])
    c.showPage()

    chrome(3)
    c.setFont(bold, 13)
    c.drawString(50, 770, "Två spalter")
    lines(50, 745, [f"Vänster spalt rad {i} med flera ord i sig" for i in range(1, 7)])
    lines(310, 745, [f"Höger spalt rad {i} med flera ord i sig" for i in range(1, 7)])
    c.showPage()

    image = Image.new("RGB", (200, 100), (120, 120, 120))
    c.drawImage(ImageReader(image), 100, 400, width=300, height=150)
    c.showPage()
    c.save()


def test_pdf_structure(tmp_path, settings):
    path = tmp_path / "rapport.pdf"
    build_report_pdf(path)
    doc = read_document_model(path, settings=settings)
    assert doc.metadata["title"] == "Kvalitetsrapport 2023"
    texts = [b.text for b in doc.blocks]
    joined = "\n".join(line.text for line in doc.lines)
    assert "Exempelstads kommun" not in joined and "Sida" not in joined
    heads = [(b.text, b.level, b.page) for b in doc.blocks if b.kind == "heading"]
    assert heads == [("Kvalitetsrapport 2023", 1, 1), ("Resultat och analys", 2, 1), ("Två spalter", 2, 3)]
    first = block_with(doc, "Lärarna har")
    assert "matematikundervisningen" in first.text and "matematik-" not in first.text
    assert "IT-stödet" in first.text
    assert first.kind == "paragraph" and first.page == 1
    # The paragraph that runs on over the page break is one block, its lines on their pages.
    runs_on = block_with(doc, "Vi bedömer att samarbetet med")
    assert runs_on.text.endswith("Vi bedömer att samarbetet med skolorna och med elevhälsan och med\n"
                                 "socialtjänsten behöver stärkas under nästa läsår.")
    assert (runs_on.page, runs_on.page_end) == (1, 2)
    pages = [doc.lines[i - 1].page for i in range(runs_on.line_start, runs_on.line_end + 1)]
    assert pages[0] == 1 and pages[-1] == 2 and pages.count(2) == 1
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.page == 2 and table.header == ["Mål", "Indikator", "Utfall"]
    assert table.body == [["Trygghet", "Andel trygga elever", "84 %"], ["Trygghet", "Andel nöjda", "90 %"]]
    assert texts.index(table.text) < texts.index("Efter tabellen följer en avslutande mening.")
    # Two columns: the left column is read before the right one.
    left = [i for i, t in enumerate(texts) if "Vänster spalt" in t]
    right = [i for i, t in enumerate(texts) if "Höger spalt" in t]
    assert left and right and max(left) < min(right)
    column_text = "\n".join(t for t in texts if "spalt rad" in t)
    assert column_text.split("\n")[:2] == ["Vänster spalt rad 1 med flera ord i sig", "Vänster spalt rad 2 med flera ord i sig"]
    assert [(w.code, w.params) for w in doc.warnings] == [("scanned_page", {"page": 4})]


def test_pdf_aligned_table_without_rules(tmp_path, settings):
    rows = [("Månad", "Aktivitet", "Ansvarig"), ("Augusti", "Planering av läsåret", "Rektor"),
            ("Oktober", "Trygghetsenkät", "Kurator"), ("Juni", "Kvalitetsrapport", "Rektor")]
    cells = [(x, 740 - 16 * i, text) for i, row in enumerate(rows) for x, text in zip((50, 200, 400), row, strict=True)]
    path = one_page_pdf(tmp_path / "arshjul.pdf", [(50, 780, "Årshjul för det systematiska kvalitetsarbetet"), *cells,
                                                  (50, 640, "Årshjulet följs upp varje år.")])
    doc = read_document_model(path, settings=settings)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.header == ["Månad", "Aktivitet", "Ansvarig"]
    assert table.body[1] == ["Oktober", "Trygghetsenkät", "Kurator"]
    assert [b.kind for b in doc.blocks] == ["paragraph", "table", "paragraph"]


def test_case_pdf_ligatures(settings):
    doc = read_document_model(INPUTS / "uppfoljning-2023-ligaturer.pdf", settings=settings)
    text = "\n".join(line.text for line in doc.lines)
    assert "konflikthantering" in text and "flerspråkiga" in text and "effekt" in text
    assert "kvalificerade" in text and "träffats" in text and "hälsoprofil" in text
    assert not any(ch in text for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04")


def test_case_pdf_hyphenation(settings):
    doc = read_document_model(INPUTS / "uppfoljning-2023-avstavning.pdf", settings=settings)
    words = set(" ".join(line.text for line in doc.lines).replace(".", " ").replace(",", " ").split())
    for word in ("matematikundervisning", "Vårdnadshavarna", "observationsmall", "introduktionsutbildning", "IT-stödet"):
        assert word in words, word
    assert not any(w.endswith("-") for w in words)
    para = block_with(doc, "Lärarna i årskurs 4–6")
    assert para.kind == "paragraph" and "\n" in para.text


def test_case_pdf_running_header_and_page_numbers(settings):
    doc = read_document_model(INPUTS / "uppfoljning-2023-sidhuvud.pdf", settings=settings)
    text = "\n".join(line.text for line in doc.lines)
    assert "Barn- och utbildningsförvaltningen | Uppföljning 2023" not in text
    assert "Sida" not in text
    para = block_with(doc, "Vi bedömer att skolornas")
    flat = " ".join(para.text.split("\n"))
    assert "Vi bedömer att skolornas samarbete med socialtjänsten och barn- och ungdomspsykiatrin behöver stärkas" in flat
    assert (para.page, para.page_end) == (1, 2)
    assert [doc.lines[i - 1].page for i in range(para.line_start, para.line_end + 1)] == [1, 1, 2, 2]


def test_case_pdf_scanned_page(settings):
    doc = read_document_model(INPUTS / "uppfoljning-2023-skannad-sida.pdf", settings=settings)
    assert [(w.code, w.params) for w in doc.warnings] == [("scanned_page", {"page": 2})]
    assert warning_text(doc.warnings[0]).startswith("Sidan 2 har ingen text (inskannad?)")
    assert any("Läsgrupperna har startat" in line.text and line.page == 1 for line in doc.lines)
    # What page 1 holds is recognised as its clean siblings are: a follow-up, not one plain text.
    parsed = recognise(doc)
    assert [(r.section_kind, r.activity) for r in parsed.records] == [
        ("aktivitet", "Införa läsgrupper i årskurs 1"), ("uppfoljning", "Införa läsgrupper i årskurs 1")]
    assert parsed.records[-1].text == "Läsgrupperna har startat på alla skolor och träffas tre gånger i veckan."


@pytest.mark.parametrize("name", [
    "uppfoljning-2023-avstavning.pdf", "uppfoljning-2023-ligaturer.pdf", "uppfoljning-2023-sidhuvud.pdf",
    "uppfoljning-2023-spara-andringar.docx", "uppfoljning-2023-webbsida.html", "uppfoljning-2024-ande.txt",
    "uppfoljning-utf8-med-en-cp1252-byte.txt",
])
def test_case_numbered_uppdrag_blocks_give_one_activity_record_a_block(settings, name):
    """The clean follow-ups of the "N. Uppdrag/Aktivitet" layout, read by its named recogniser,
    give the activity record the scanned sibling gets from the generic reading: one a block,
    before its Uppföljning and Analys, named as they name it (the web's "Aktiviteter")."""
    parsed = recognise(read_document_model(INPUTS / name, settings=settings))
    assert parsed.layout == "numbered_uppdrag_blocks" and parsed.doc_kind == "aktivitetsuppfoljning"
    blocks: list[list] = []
    for r in parsed.records:
        if r.section_kind == "aktivitet":
            blocks.append([r])
        else:
            assert blocks and r.activity == blocks[-1][0].activity and r.title == blocks[-1][0].title
            blocks[-1].append(r)
    titles = [b[0].title for b in blocks]
    assert titles == [f"{i}. Uppdrag/Aktivitet" for i in range(1, len(blocks) + 1)] and len(blocks) >= 1
    for act, *parts in blocks:
        assert act.text == act.activity and act.status is None and act.comment is None
        assert parts and act.source.line_end < parts[0].source.line_start


def test_pdf_whose_paragraphs_are_mostly_one_line_is_split_at_its_paragraph_gaps(tmp_path, settings):
    """A PDF in one font whose paragraphs are mostly one line (headings set in body text, short
    items): the most common gap between lines is then the space between paragraphs, not the line
    pitch. Paragraphs end at those gaps, and the lines are judged by shape, so the follow-up and
    the analysis are records of their own, of the activity named above them, and the next item's name
    stays out of the analysis."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    regular, _ = _fonts()
    path = tmp_path / "uppfoljning.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(regular, 11)
    paragraphs = [["Uppföljning av aktiviteter 2024"], ["Fler vuxna ute på rasterna"], ["Uppföljning"],
                  ["Rastvärdarna finns nu på alla skolgårdar varje dag och", "har egna västar."], ["Analys"],
                  ["Eleverna känner sig tryggare på rasterna enligt enkäten, och", "färre konflikter har rapporterats."],
                  ["Läxhjälp på biblioteket"], ["Uppföljning"], ["Läxhjälpen har haft öppet två dagar i veckan."]]
    y = 780
    for lines in paragraphs:
        for text in lines:
            c.drawString(50, y, text)
            y -= 14
        y -= 14
    c.showPage()
    c.save()
    doc = read_document_model(path, settings=settings)
    assert [b.text.split("\n") for b in doc.blocks] == paragraphs
    # The name above the sections (a heading of the same judged level) is the activity they follow up.
    records = [(r.section_kind, r.activity, r.text) for r in recognise(doc).records]
    rast, laxa = "Fler vuxna ute på rasterna", "Läxhjälp på biblioteket"
    assert records == [
        ("aktivitet", rast, rast),
        ("uppfoljning", rast, "Rastvärdarna finns nu på alla skolgårdar varje dag och har egna västar."),
        ("analys", rast, "Eleverna känner sig tryggare på rasterna enligt enkäten, och färre konflikter har rapporterats."),
        ("aktivitet", laxa, laxa),
        ("uppfoljning", laxa, "Läxhjälpen har haft öppet två dagar i veckan."),
    ]


def test_docx_whose_entry_lies_about_its_size_is_stopped(tmp_path):
    import io

    import docx

    from kvalitet.errors import UnreadableFile

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Rapporttext.")
    document.save(buf)
    strict = Settings(index_dir=tmp_path / "index", pdf_memory_mb=300)
    # The main part itself lies: refused, in the child, without inflating 400 MB.
    data = lying_zip(buf.getvalue(), "word/document.xml", 400 << 20)
    with pytest.raises(UnreadableFile, match="manipulated|zip bomb") as info:
        read_document_model(data, "rapport.docx", settings=strict)
    assert "memory" not in info.value.message
    # A lying picture is never inflated at all: reading needs only the XML parts.
    data = lying_zip(buf.getvalue(), "word/media/image1.png", 400 << 20)
    assert [line.text for line in read_document_model(data, "rapport.docx", settings=strict).lines] == ["Rapporttext."]


def test_pdf_table_of_contents_lines_are_left_out(tmp_path, settings):
    path = one_page_pdf(tmp_path / "toc.pdf", [
        (50, 780, "Innehåll"),
        (50, 760, "1. Resultat ........................................ 3"),
        (50, 745, "2. Analys . . . . . . . . . . . . . . . . . . . . . . 5"),
        (50, 700, "Rapporten beskriver läsåret 2022/23."),
    ])
    doc = read_document_model(path, settings=settings)
    assert [line.text for line in doc.lines] == ["Innehåll", "Rapporten beskriver läsåret 2022/23."]


def test_tab_indented_text_is_a_paragraph_and_excel_sep_line(settings):
    doc = read_document_model("Inledning\n\tEtt indraget stycke.\n\tFortsätter här.\n".encode(), "a.txt", settings=settings)
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph"]
    assert doc.lines[1].text == "\tEtt indraget stycke."
    csv_doc = read_document_model("sep=,\nAktivitet,Status\nLäsa mer,Klar\n".encode(), "x.csv", settings=settings)
    assert csv_doc.blocks[0].rows == [["Aktivitet", "Status"], ["Läsa mer", "Klar"]]


def test_xlsx_hidden_sheets_are_left_out(settings):
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["Aktivitet", "Status"])
    wb.active.append(["Läsa mer", "Klar"])
    hidden = wb.create_sheet("Hjälpdata")
    hidden.append(["hemlig", "uppslagstabell"])
    hidden.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    doc = read_document_model(buf.getvalue(), "x.xlsx", settings=settings)
    assert [b.kind for b in doc.blocks] == ["table"]
    assert "hemlig" not in "\n".join(line.text for line in doc.lines)
