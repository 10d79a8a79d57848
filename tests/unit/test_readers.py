"""Readers: text, Markdown, HTML, PDF and DOCX into numbered lines; broken inputs refused clearly.

Every fixture file is built at test time under tmp_path (PDFs with reportlab, DOCX with
python-docx, zips with zipfile).
"""

from __future__ import annotations

import io
import os
import random
import time
import zipfile
from pathlib import Path

import pytest

from kvalitet.settings import Settings
from kvalitet.errors import InvalidInput, KvalitetError, NotFound, UnreadableFile, UnsupportedFile
from kvalitet.ingest.readers import (
    MEDIA_DOCX,
    MEDIA_HTML,
    MEDIA_MARKDOWN,
    MEDIA_PDF,
    MEDIA_TEXT,
    SUPPORTED_SUFFIXES,
    read_document,
    sniff_media_type,
)
from tests.helpers.paths import CORPUS

VP_2019 = CORPUS / "2019-uppfoljning-verksamhetsplan.txt"
FJOL_2019 = CORPUS / "2019-uppfoljning-fjolarets-aktiviteter.txt"
VP_2022 = CORPUS / "2022-uppfoljning-verksamhetsplan-linkoping.txt"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
HEADER_2022 = ["Nämndmål", "Aktivitet", "Nämnd", "Slutfört", "Status", "Kommentar"]


def raw_line_number(path: Path, text: str) -> int:
    """The 1-based number of the line equal to `text` in the raw file (exactly one such line)."""
    raw = path.read_bytes().decode("utf-8").split("\n")
    hits = [i + 1 for i, line in enumerate(raw) if line == text]
    assert len(hits) == 1, hits
    return hits[0]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(index_dir=tmp_path / "index", corpus_dir=CORPUS, embedder="hash")


# --------------------------------------------------------------------------------------------
# Text and Markdown
# --------------------------------------------------------------------------------------------


def test_txt_line_numbers_match_the_file(settings):
    doc = read_document(VP_2019, settings=settings)
    target = "Prova digital medarbetare i skolan Q4 Kvarstår Påbörjas "  # trailing space kept
    expected = raw_line_number(VP_2019, target)
    found = [line for line in doc.lines if line.text == target]
    assert [line.number for line in found] == [expected]
    assert doc.media_type == MEDIA_TEXT
    assert doc.path == str(VP_2019)
    assert all(line.page is None for line in doc.lines)
    assert [line.number for line in doc.lines] == list(range(1, len(doc.lines) + 1))
    # Every line equals the raw file's line with the same number.
    raw = VP_2019.read_text(encoding="utf-8").split("\n")
    for line in doc.lines:
        assert raw[line.number - 1] == line.text


def test_txt_2022_keeps_tabs_and_html_fragments(settings):
    doc = read_document(VP_2022, settings=settings, display_path="2022.txt")
    assert doc.path == "2022.txt"
    assert doc.media_type == MEDIA_TEXT  # has <ul> fragments but no <body>: still text
    header = "\t".join(HEADER_2022)
    headers = [line for line in doc.lines if line.text == header]
    raw = VP_2022.read_text(encoding="utf-8").split("\n")
    assert [line.number for line in headers] == [i + 1 for i, t in enumerate(raw) if t == header]
    assert len(headers) >= 2
    fragment_lines = [line for line in doc.lines if '<ul style="list-style-type: none">' in line.text]
    assert fragment_lines, "HTML fragments inside .txt cells must be kept"
    assert all(raw[line.number - 1] == line.text for line in fragment_lines)


@pytest.mark.parametrize("name,media_type,target", [
    ("fjol.md", MEDIA_MARKDOWN, "4. Uppdrag/aktivitet"),
    ("egentligen-text.pdf", MEDIA_TEXT, "2. Uppdrag/Aktivitet "),  # text named .pdf is read as text
])
def test_corpus_text_under_another_name_keeps_its_lines(tmp_path, settings, name, media_type, target):
    path = tmp_path / name
    path.write_bytes(FJOL_2019.read_bytes())
    doc = read_document(path, settings=settings)
    assert doc.media_type == media_type
    assert [line.number for line in doc.lines if line.text == target] == [raw_line_number(FJOL_2019, target)]


def test_crlf_cr_bom_and_cp1252(tmp_path, settings):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes("\ufeffRad ett\r\nRad två\tmed tabb\rRad tre\r\n".encode("utf-8"))
    doc = read_document(crlf, settings=settings)
    assert [(line.number, line.text) for line in doc.lines] == [
        (1, "Rad ett"),
        (2, "Rad två\tmed tabb"),
        (3, "Rad tre"),
    ]
    notepad = tmp_path / "notepad.txt"
    notepad.write_bytes("Nämnd: BoU\r\nStatus: Pågående\r\n".encode("utf-16"))  # with BOM
    doc = read_document(notepad, settings=settings)
    assert [line.text for line in doc.lines] == ["Nämnd: BoU", "Status: Pågående"]
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Förskolans måluppfyllelse är god.\nÅtgärd: öka.\n".encode("cp1252"))
    doc = read_document(legacy, settings=settings)
    assert doc.lines[0].text == "Förskolans måluppfyllelse är god."
    assert doc.lines[1].text == "Åtgärd: öka."


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def test_html_table_list_script(tmp_path, settings):
    html = tmp_path / "rapport.html"
    html.write_text(
        """<!DOCTYPE html>
<html lang="sv"><head><title>Titel</title><style>td { color: red }</style></head>
<body>
<h1>Uppföljning &amp; analys</h1>
<p>Förvaltningens   aktiviteter
   följs upp.</p>
<script>var hemlig = "SKRIPTTEXT";</script>
<table>
  <thead><tr><th>Nämndmål</th><th>Aktivitet</th><th>Status</th></tr></thead>
  <tbody>
    <tr><td>Maximalt <i>lärande</i></td><td>Följa   upp rutiner</td><td>Kvarstår</td></tr>
    <tr><td></td><td><ul><li>Läsa</li><li>Skriva</li></ul></td><td>Pågående</td></tr>
  </tbody>
</table>
<ul><li>Första punkten</li><li>Andra &lt;punkten&gt;</li></ul>
</body></html>""",
        encoding="utf-8",
    )
    doc = read_document(html, settings=settings)
    assert doc.media_type == MEDIA_HTML
    texts = [line.text for line in doc.lines]
    assert texts == [
        "Uppföljning & analys",
        "Förvaltningens aktiviteter följs upp.",
        "Nämndmål\tAktivitet\tStatus",
        "Maximalt lärande\tFölja upp rutiner\tKvarstår",
        "\tLäsa Skriva\tPågående",
        "• Första punkten",
        "• Andra <punkten>",
    ]
    assert "SKRIPTTEXT" not in doc.text and "color: red" not in doc.text
    assert [line.number for line in doc.lines] == list(range(1, 8))


def test_html_detected_from_content_not_name(tmp_path, settings):
    page = tmp_path / "export.txt"
    page.write_text("  \n<html><body><p>Hej</p><p>Då</p></body></html>", encoding="utf-8")
    doc = read_document(page, settings=settings)
    assert doc.media_type == MEDIA_HTML
    assert [line.text for line in doc.lines] == ["Hej", "Då"]


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


def _pdf_font() -> str:
    if DEJAVU.exists():
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
        return "DejaVuSans"
    return "Helvetica"  # standard Latin-1 encoding covers å ä ö


def build_pdf(path: Path, lines: list[str], *, lines_per_page: int = 45) -> list[list[str]]:
    """A PDF with `lines_per_page` lines a page; returns the non-blank lines of each page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    while lines and not lines[-1].strip():
        lines = lines[:-1]
    font = _pdf_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    pages: list[list[str]] = []
    for start in range(0, len(lines), lines_per_page):
        chunk = lines[start : start + lines_per_page]
        c.setFont(font, 10)
        y = 800
        for text in chunk:
            c.drawString(40, y, text)
            y -= 16
        c.showPage()
        pages.append([t.strip() for t in chunk if t.strip()])
    c.save()
    return pages


@pytest.fixture
def fjol_pdf(tmp_path) -> tuple[Path, list[list[str]]]:
    path = tmp_path / "fjol.pdf"
    pages = build_pdf(path, FJOL_2019.read_text(encoding="utf-8").split("\n"))
    return path, pages


def test_pdf_pages_and_line_numbers(fjol_pdf, settings):
    path, pages = fjol_pdf
    assert len(pages) >= 3
    doc = read_document(path, settings=settings, display_path="fjol.pdf")
    assert doc.media_type == MEDIA_PDF
    assert doc.path == "fjol.pdf"
    numbers = [line.number for line in doc.lines]
    assert numbers == list(range(1, len(doc.lines) + 1))
    page_of = [line.page for line in doc.lines]
    assert page_of == sorted(page_of) and page_of[0] == 1 and page_of[-1] == len(pages)

    # Text known to be on page 2 (and only there) is read back with page 2.
    only_on_2 = [t for t in pages[1] if not any(t in other for i, p in enumerate(pages) if i != 1 for other in p)]
    assert only_on_2
    stripped = {line.text.strip(): line for line in doc.lines}
    for text in only_on_2[:5]:
        assert stripped[text].page == 2, text
    # Swedish characters survive.
    assert any("å" in line.text and "ä" in line.text for line in doc.lines)
    assert "Uppföljning av fjolårets planerade aktiviteter" in stripped
    assert stripped["Uppföljning av fjolårets planerade aktiviteter"].page == 1
    # The order of the text is kept across pages.
    expected = [t for page in pages for t in page]
    got = [line.text.strip() for line in doc.lines if line.text.strip()]
    assert got == expected


def test_pdf_without_text_is_refused_as_scanned(tmp_path, settings):
    from reportlab.pdfgen import canvas

    path = tmp_path / "skannad.pdf"
    c = canvas.Canvas(str(path))
    c.rect(50, 50, 200, 200, fill=1)  # a picture, no text
    c.showPage()
    c.save()
    with pytest.raises(UnreadableFile, match="inskannad bild"):
        read_document(path, settings=settings)


def test_encrypted_pdf_is_refused(fjol_pdf, tmp_path, settings):
    from pypdf import PdfReader, PdfWriter

    src, _ = fjol_pdf
    writer = PdfWriter()
    for page in PdfReader(src).pages:
        writer.add_page(page)
    writer.encrypt(user_password="hemligt", owner_password="ägare", algorithm="AES-128")
    path = tmp_path / "krypterad.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(UnreadableFile, match="encrypted"):
        read_document(path, settings=settings)


def test_truncated_pdf(fjol_pdf, tmp_path, settings):
    src, _ = fjol_pdf
    path = tmp_path / "trunkerad.pdf"
    path.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    with pytest.raises(UnreadableFile, match="corrupt"):
        read_document(path, settings=settings)


def test_pdf_header_then_random_bytes(tmp_path, settings):
    path = tmp_path / "slump.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(7).randbytes(20_000))
    assert sniff_media_type(path.read_bytes(), path.name) == MEDIA_PDF
    with pytest.raises(UnreadableFile):
        read_document(path, settings=settings)


def test_pdf_time_out_kills_the_parser(fjol_pdf, tmp_path):
    path, _ = fjol_pdf
    tiny = Settings(index_dir=tmp_path / "index", pdf_timeout_seconds=0.001)
    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="timed out"):
        read_document(path, settings=tiny)
    assert time.monotonic() - started < 2.0


def test_pdf_memory_limit_applies(fjol_pdf, tmp_path):
    path, _ = fjol_pdf
    # 16 MB of address space is not enough for the parser: the child fails, we do not.
    starved = Settings(index_dir=tmp_path / "index", pdf_memory_mb=16)
    with pytest.raises(UnreadableFile, match="memory"):
        read_document(path, settings=starved)


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------


def _rows_2022(n: int = 3) -> list[list[str]]:
    """Complete six-cell rows of the 2022 sample (HTML fragments removed for the DOCX)."""
    import re

    rows = []
    for raw in VP_2022.read_text(encoding="utf-8").split("\n"):
        cells = raw.split("\t")
        if len(cells) == 6 and cells[1].strip() and cells[2].strip() and cells[0] != "Nämndmål":
            clean = [re.sub(r"<[^>]+>", " ", c) for c in cells]
            rows.append([" ".join(c.split()) for c in clean])
        if len(rows) == n:
            break
    assert len(rows) == n
    return rows


def build_docx(path: Path) -> dict:
    import docx

    rows = _rows_2022()
    document = docx.Document()
    document.add_heading("Uppföljning av verksamhetsplan 2022", level=1)
    document.add_paragraph("Förvaltningens aktiviteter följs upp per den 31 augusti.")
    document.add_heading("Samhälle", level=2)
    document.add_paragraph("Första punkten", style="List Bullet")
    document.add_paragraph("Andra punkten", style="List Bullet")
    table = document.add_table(rows=1 + len(rows), cols=6)
    for cell, text in zip(table.rows[0].cells, HEADER_2022, strict=True):
        cell.text = text
    for r, values in enumerate(rows, 1):
        for cell, text in zip(table.rows[r].cells, values, strict=True):
            cell.text = text
    # A cell with two paragraphs: its newline becomes a space.
    table.rows[1].cells[5].text = "Rad ett\nRad två"
    document.add_paragraph("Text efter tabellen.")
    merged = document.add_table(rows=2, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Sammanslagen"
    merged.cell(0, 2).text = "Sist"
    merged.cell(1, 0).text = "a"
    merged.cell(1, 1).text = "b"
    merged.cell(1, 2).text = "c"
    document.add_paragraph("Slut.")
    document.save(str(path))
    return {"rows": rows}


def test_docx_in_order_with_tables(tmp_path, settings):
    path = tmp_path / "vp2022.docx"
    built = build_docx(path)
    rows = built["rows"]
    doc = read_document(path, settings=settings)
    assert doc.media_type == MEDIA_DOCX
    row1 = rows[0][:5] + ["Rad ett Rad två"]
    expected = [
        "Uppföljning av verksamhetsplan 2022",
        "Förvaltningens aktiviteter följs upp per den 31 augusti.",
        "Samhälle",
        "• Första punkten",
        "• Andra punkten",
        "\t".join(HEADER_2022),
        "\t".join(row1),
        *["\t".join(r) for r in rows[1:]],
        "Text efter tabellen.",
        "Sammanslagen\tSammanslagen\tSist",  # the merged cell repeated into each column it spans
        "a\tb\tc",
        "Slut.",
    ]
    assert [line.text for line in doc.lines] == expected
    assert [line.number for line in doc.lines] == list(range(1, len(expected) + 1))
    assert all(line.page is None for line in doc.lines)
    assert "BoU" in doc.text or "BiN" in doc.text


def _docx_bytes() -> bytes:
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Kort dokument.")
    document.save(buf)
    return buf.getvalue()


def _copy_zip(data: bytes, extra) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        extra(dst)
    return out.getvalue()


def test_docx_zip_bomb_many_members(tmp_path, settings):
    def add_members(zf: zipfile.ZipFile) -> None:
        for i in range(settings.max_docx_members + 1):
            zf.writestr(f"customXml/extra{i}.xml", "")

    path = tmp_path / "manga.docx"
    path.write_bytes(_copy_zip(_docx_bytes(), add_members))
    assert sniff_media_type(path.read_bytes(), path.name) == MEDIA_DOCX
    with pytest.raises(UnreadableFile, match="zip bomb"):
        read_document(path, settings=settings)


def test_docx_zip_bomb_huge_member(tmp_path, settings):
    limit = settings.max_docx_uncompressed_bytes

    def add_bomb(zf: zipfile.ZipFile) -> None:
        chunk = bytes(1 << 20)
        with zf.open("word/media/image1.png", "w", force_zip64=True) as fh:
            for _ in range(limit // len(chunk) + 2):
                fh.write(chunk)

    path = tmp_path / "bomb.docx"
    path.write_bytes(_copy_zip(_docx_bytes(), add_bomb))
    assert path.stat().st_size < 2_000_000  # small on disk, huge inflated
    with pytest.raises(UnreadableFile, match="zip bomb"):
        read_document(path, settings=settings)


def test_docx_within_limits_is_read(tmp_path, settings):
    path = tmp_path / "ok.docx"
    path.write_bytes(_docx_bytes())
    doc = read_document(path, settings=settings)
    assert [line.text for line in doc.lines] == ["Kort dokument."]


def test_corrupt_zip_named_docx(tmp_path, settings):
    data = _docx_bytes()
    path = tmp_path / "trasig.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match="corrupt"):
        read_document(path, settings=settings)


def test_docx_with_broken_xml(tmp_path, settings):
    data = _docx_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/document.xml":
                body = body[: len(body) // 2]
            dst.writestr(info, body)
    path = tmp_path / "halv.docx"
    path.write_bytes(out.getvalue())
    with pytest.raises(UnreadableFile):
        read_document(path, settings=settings)


def test_zip_that_is_not_docx(tmp_path, settings):
    path = tmp_path / "arkiv.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "inte ett Word-dokument")
    with pytest.raises(UnsupportedFile, match="Filtypen stöds inte") as info:
        read_document(path, settings=settings)
    # the Swedish text says what the file is in Swedish, not with the English words
    assert "(en zip-fil som inte är ett Word- eller Excel-dokument)" in info.value.sv
    assert "zip archive" not in info.value.sv and "a zip archive that is not a Word" in info.value.en


# --------------------------------------------------------------------------------------------
# Other broken inputs and sniffing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "])
def test_empty_file(tmp_path, settings, content):
    path = tmp_path / "tom.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as info:
        read_document(path, settings=settings)
    assert info.value.sv.startswith("Filen är tom") and info.value.en.startswith("the file is empty")


def test_binary_garbage_named_txt(tmp_path, settings):
    path = tmp_path / "skrap.txt"
    path.write_bytes(b"\x00\x01\x02binary\xff\xfe\x00" + os.urandom(4096))
    with pytest.raises(UnsupportedFile) as info:
        read_document(path, settings=settings)
    assert info.value.sv.startswith("Filtypen stöds inte (binära data som varken är PDF")
    assert info.value.en.startswith("unsupported file type")
    assert "Supported: PDF, DOCX, XLSX, CSV, HTML, Markdown, text" in info.value.en
    assert isinstance(info.value, InvalidInput) and info.value.status_code == 415


def test_missing_file(tmp_path, settings):
    with pytest.raises(NotFound):
        read_document(tmp_path / "finns-inte.txt", settings=settings)


def test_sniff_media_type():
    assert sniff_media_type(b"%PDF-1.4\n...") == MEDIA_PDF
    assert sniff_media_type(b"# Rubrik\ntext", "a.md") == MEDIA_MARKDOWN
    assert sniff_media_type(b"# Rubrik\ntext", "a.txt") == MEDIA_TEXT
    assert sniff_media_type(b"\n <!DOCTYPE html><p>x", "a.txt") == MEDIA_HTML
    assert sniff_media_type(b"<div>x</div><body>y</body>", "a") == MEDIA_HTML
    assert sniff_media_type(_docx_bytes(), "utan-andelse") == MEDIA_DOCX
    assert sniff_media_type("Måluppfyllelse".encode("cp1252")) == MEDIA_TEXT
    with pytest.raises(UnsupportedFile):
        sniff_media_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "gammal.doc")
    with pytest.raises(UnsupportedFile):
        sniff_media_type(b"\x89PNG\r\n\x1a\n" + bytes(100), "bild.txt")
    with pytest.raises(KvalitetError):
        sniff_media_type(b"")
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".csv"}
