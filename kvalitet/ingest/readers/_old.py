"""Readers: turn a file (text, Markdown, HTML, PDF, DOCX) into numbered lines.

The type always comes from the content (magic bytes), never from the file name alone; the name
only tells Markdown from plain text. Every failure is a KvalitetError subclass whose message says,
in Swedish and English, what is wrong and what to do about it.

PDFs are parsed in a child process (``python -m kvalitet.ingest.readers --pdf -``) with a time-out and an
address-space limit, so a PDF that hangs or exhausts memory cannot take the service down.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from kvalitet.errors import NotFound, UnreadableFile, UnsupportedFile
from kvalitet.domain.types import DocumentText, Line

if TYPE_CHECKING:  # pragma: no cover
    from kvalitet.settings import Settings

__all__ = [
    "SUPPORTED_SUFFIXES",
    "MEDIA_PDF",
    "MEDIA_DOCX",
    "MEDIA_HTML",
    "MEDIA_MARKDOWN",
    "MEDIA_TEXT",
    "read_document",
    "sniff_media_type",
]

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}

MEDIA_PDF = "application/pdf"
MEDIA_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_HTML = "text/html"
MEDIA_MARKDOWN = "text/markdown"
MEDIA_TEXT = "text/plain"

_SUPPORTED_LIST = "Supported: PDF, DOCX, HTML, Markdown, text"
_PKG_PARENT = Path(__file__).resolve().parent.parent.parent
# A sanity cap on the text a PDF may yield (characters), against "text bombs".
_PDF_MAX_TEXT_CHARS = 50_000_000
# Exit code of the PDF child for a handled failure (JSON with the reason on stdout).
_CHILD_HANDLED_FAILURE = 3


# --------------------------------------------------------------------------------------------
# Sniffing
# --------------------------------------------------------------------------------------------


def _unsupported(what: str) -> UnsupportedFile:
    return UnsupportedFile(
        f"Filtypen stöds inte / unsupported file type: {what}. "
        f"Spara filen som PDF, DOCX, HTML, Markdown eller text / {_SUPPORTED_LIST}."
    )


def _empty() -> UnreadableFile:
    return UnreadableFile(
        "Filen är tom / the file is empty: den innehåller ingen text. "
        "Kontrollera att rätt fil valdes / check that the right file was chosen."
    )


_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def _mostly_printable(text: str, *, max_ratio: float = 0.02) -> bool:
    """True if (almost) no control characters other than ordinary whitespace occur."""
    if "\x00" in text:
        return False
    if not text:
        return True
    bad = sum(1 for ch in text if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    return bad <= max_ratio * len(text)


def _decode_text(data: bytes) -> str | None:
    """The text of `data`, or None if it is not text.

    UTF-8 (BOM stripped) first; UTF-16 only with a BOM (Notepad's "Unicode"); cp1252 as a last
    resort when the bytes have no NULs and decode to mostly printable text.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        text = text.lstrip("\ufeff")
        return text if _mostly_printable(text) else None
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None
    text = text.removeprefix("\ufeff")
    return text if _mostly_printable(text) else None


_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_HTML_BODY = re.compile(r"<body[\s>/]", re.I)


def _zip_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        if name.lower().endswith(".docx") or b"word/document.xml" in data[:65536]:
            raise UnreadableFile(
                "DOCX-filen är skadad och kan inte öppnas / the DOCX file is corrupt "
                f"(broken zip: {exc}). Öppna den i Word och spara den igen / "
                "open it in Word and save it again."
            ) from exc
        raise _unsupported("a damaged zip archive") from exc
    if "word/document.xml" in names:
        return MEDIA_DOCX
    if "xl/workbook.xml" in names:
        raise _unsupported("an Excel workbook (XLSX)")
    if "ppt/presentation.xml" in names:
        raise _unsupported("a PowerPoint presentation (PPTX)")
    if "content.xml" in names and "mimetype" in names:
        raise _unsupported("an OpenDocument file (ODT/ODS); save it as DOCX or PDF")
    raise _unsupported("a zip archive that is not a Word document (no word/document.xml)")


def sniff_media_type(data: bytes, name: str = "") -> str:
    """The media type of `data`, from its content; `name` only tells Markdown from plain text.

    Returns one of application/pdf, the DOCX media type, text/html, text/markdown, text/plain.
    Raises UnsupportedFile for anything else (binary data, other zip formats, old .doc) and
    UnreadableFile for empty data or a corrupt DOCX zip.
    """
    if not data:
        raise _empty()
    head = data[:1024]
    if head.lstrip(b" \t\r\n").startswith(b"%PDF-"):
        return MEDIA_PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, name)
    if data.startswith(b"PK\x05\x06"):
        raise _unsupported("an empty zip archive")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _unsupported("an old Word/Office binary file (.doc/.xls); save it as DOCX or PDF")
    if head.lstrip().startswith(b"{\\rtf"):
        raise _unsupported("an RTF document; save it as DOCX or PDF")
    text = _decode_text(data)
    if text is None:
        raise _unsupported("binary data that is neither PDF, DOCX nor text")
    if _HTML_START.match(text[:4096]):
        return MEDIA_HTML
    if name.lower().endswith((".md", ".markdown")):
        return MEDIA_MARKDOWN
    if _HTML_BODY.search(text):
        return MEDIA_HTML
    return MEDIA_TEXT


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def read_document(
    path: Path, *, settings: "Settings | None" = None, display_path: str | None = None
) -> DocumentText:
    """Read `path` into numbered lines. `display_path` (default str(path)) goes into .path."""
    if settings is None:
        from kvalitet.settings import Settings

        settings = Settings()
    path = Path(path)
    shown = display_path if display_path is not None else str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(f"Filen finns inte / file not found: {shown}") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile(f"Sökvägen är en mapp, inte en fil / the path is a directory: {shown}") from exc
    except OSError as exc:
        raise UnreadableFile(
            f"Filen kunde inte läsas / the file could not be read: {shown} ({exc.strerror or exc}). "
            "Kontrollera behörigheterna / check the file permissions."
        ) from exc

    if not data.strip():
        raise _empty()
    media_type = sniff_media_type(data, path.name)
    if media_type == MEDIA_PDF:
        lines = _read_pdf(data, settings)
    elif media_type == MEDIA_DOCX:
        lines = _read_docx(data, settings)
    else:
        text = _decode_text(data)
        assert text is not None  # sniff_media_type said it is text
        if not text.strip():
            raise _empty()
        if media_type == MEDIA_HTML:
            lines = _number(_html_lines(text))
            if not any(line.text.strip() for line in lines):
                raise UnreadableFile(
                    "HTML-filen innehåller ingen synlig text / the HTML file has no visible text."
                )
        else:
            lines = _number(_split_text(text))
    return DocumentText(path=shown, lines=lines, media_type=media_type)


def _split_text(text: str) -> list[str]:
    """Lines of `text` with \\r\\n and \\r normalised; a final newline does not open a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\n")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _number(texts: Iterable[str], page: int | None = None, start: int = 1) -> list[Line]:
    return [Line(number=i, text=t, page=page) for i, t in enumerate(texts, start)]


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template", "title", "meta", "link", "iframe", "object", "svg"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
        "menu", "nav", "ol", "p", "section", "summary", "table", "tbody", "thead", "tfoot", "ul",
    }
)


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


class _HtmlLines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.prefix = ""

    def flush(self, *, keep_empty: bool = False) -> None:
        text = _collapse("".join(self.buf))
        if text:
            self.lines.append(self.prefix + text)
            self.prefix = ""
        elif keep_empty:
            self.lines.append("")
        self.buf = []

    def walk(self, el) -> None:  # el: lxml.html.HtmlElement
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment, processing instruction, entity
            if el.tail:
                self.buf.append(el.tail)
            return
        tag = tag.lower().rsplit("}", 1)[-1]
        if tag in _SKIP_TAGS:
            pass
        elif tag == "br":
            self.flush(keep_empty=True)
        elif tag == "pre":
            self.flush()
            text = "".join(_visible_text(el))
            self.lines.extend(_split_text(text.strip("\n")))
        elif tag == "table":
            self.flush()
            self.table(el)
        elif tag == "li":
            self.flush()
            self.prefix = "• "
            self.children(el)
            self.flush()
            self.prefix = ""
        elif tag in _BLOCK_TAGS:
            self.flush()
            self.children(el)
            self.flush()
        else:  # inline
            self.children(el)
        if el.tail:
            self.buf.append(el.tail)

    def children(self, el) -> None:
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)

    def table(self, table) -> None:
        for caption in table.findall("caption"):
            text = _collapse("".join(_visible_text(caption)))
            if text:
                self.lines.append(text)
        for row in _table_rows(table):
            cells = [_collapse("".join(_visible_text(cell))) for cell in row]
            if any(cells):
                self.lines.append("\t".join(cells))


def _table_rows(table) -> Iterator[list]:
    """The rows (<tr>) of `table` in order, without descending into nested tables."""
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield [c for c in child if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        elif tag in ("thead", "tbody", "tfoot"):
            yield from _table_rows(child)


def _visible_text(el, *, tail: bool = False) -> Iterator[str]:
    """The text of `el` without script/style contents; <br> a newline, blocks a space."""
    tag = el.tag.lower() if isinstance(el.tag, str) else None
    if tag is not None and tag not in _SKIP_TAGS:
        if tag == "br":
            yield "\n"
        elif tag in _BLOCK_TAGS or tag in ("td", "th"):
            yield " "
        if el.text:
            yield el.text
        for child in el:
            yield from _visible_text(child, tail=True)
        if tag in _BLOCK_TAGS or tag in ("td", "th"):
            yield " "
    if tail and el.tail:
        yield el.tail


def _html_lines(text: str) -> list[str]:
    import lxml.html
    from lxml import etree

    # lxml refuses str input carrying an XML encoding declaration; the text is decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableFile(f"HTML-filen kunde inte tolkas / the HTML file could not be parsed: {exc}") from exc
    body = root.find("body")
    builder = _HtmlLines()
    builder.walk(body if body is not None else root)
    builder.flush()
    # No leading/trailing blank lines.
    lines = builder.lines
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------


def _check_docx_zip(data: bytes, settings: "Settings") -> None:
    """Refuse zip bombs before python-docx inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableFile(
            f"DOCX-filen är skadad / the DOCX file is corrupt (broken zip: {exc}). "
            "Öppna den i Word och spara den igen / open it in Word and save it again."
        ) from exc
    if len(infos) > settings.max_docx_members:
        raise UnreadableFile(
            f"DOCX-filen avvisades som möjlig zip-bomb / rejected as a possible zip bomb: "
            f"{len(infos)} members in the archive, at most {settings.max_docx_members} allowed "
            "(KVALITET_MAX_DOCX_MEMBERS). Spara om dokumentet i Word / re-save it from Word."
        )
    total = sum(max(info.file_size, 0) for info in infos)
    if total > settings.max_docx_uncompressed_bytes:
        raise UnreadableFile(
            f"DOCX-filen avvisades som möjlig zip-bomb / rejected as a possible zip bomb: "
            f"{total} bytes uncompressed, at most {settings.max_docx_uncompressed_bytes} allowed "
            "(KVALITET_MAX_DOCX_UNCOMPRESSED_BYTES). Ta bort stora inbäddade bilder eller dela upp "
            "dokumentet / remove large embedded media or split the document."
        )


def _read_docx(data: bytes, settings: "Settings") -> list[Line]:
    _check_docx_zip(data, settings)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        texts = list(_docx_body_lines(document))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise UnreadableFile(
            f"DOCX-filen kunde inte läsas / the DOCX file could not be read ({type(exc).__name__}: {exc}). "
            "Öppna den i Word och spara den igen som .docx / open it in Word and save it again as .docx."
        ) from exc
    except Exception as exc:  # lxml.etree.XMLSyntaxError and other parser failures
        if type(exc).__module__.startswith(("lxml", "docx")):
            raise UnreadableFile(
                f"DOCX-filen är skadad / the DOCX file is corrupt ({type(exc).__name__}: {exc}). "
                "Öppna den i Word och spara den igen / open it in Word and save it again."
            ) from exc
        raise
    if not any(t.strip() for t in texts):
        raise UnreadableFile(
            "DOCX-filen innehåller ingen text / the DOCX file has no text in its body. "
            "Kontrollera att rätt fil valdes / check that the right file was chosen."
        )
    return _number(texts)


def _docx_body_lines(document) -> Iterator[str]:
    from docx.oxml.ns import qn

    yield from _docx_block_lines(document.element.body, document, qn)


def _docx_block_lines(container, parent, qn) -> Iterator[str]:
    """Paragraphs and tables of a body (or content control) in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield from _docx_paragraph_lines(Paragraph(child, parent), qn)
        elif child.tag == qn("w:tbl"):
            yield from _docx_table_lines(Table(child, parent), qn)
        elif child.tag == qn("w:sdt"):  # content control, e.g. a table of contents
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_block_lines(content, parent, qn)


def _docx_is_list(paragraph, qn) -> bool:
    try:
        style_name = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):
        style_name = ""
    style_name = style_name or ""
    if "List" in style_name:
        return True
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.find(qn("w:numPr")) is not None:
        return not style_name.startswith(("Heading", "Title"))
    return False


def _docx_paragraph_lines(paragraph, qn) -> Iterator[str]:
    parts = paragraph.text.replace("\r", "\n").split("\n")
    if _docx_is_list(paragraph, qn) and parts[0].strip():
        parts[0] = "• " + parts[0].lstrip()
    yield from parts


def _docx_cell_text(tc, parent, qn) -> str:
    """All paragraph text of a cell (nested tables included), on one line."""
    from docx.text.paragraph import Paragraph

    texts = [Paragraph(p, parent).text for p in tc.iter(qn("w:p"))]
    return _collapse(" ".join(texts).replace("\t", " "))


def _docx_row_tcs(row) -> list:
    """The <w:tc> elements of a row, one per grid column, merged cells given once."""
    try:
        tcs = [cell._tc for cell in row.cells]
    except Exception:  # malformed vertical merges: fall back to the row's own cells
        tcs = list(row._tr.tc_lst)
    deduped: list = []
    for tc in tcs:
        if deduped and deduped[-1] is tc:
            continue
        deduped.append(tc)
    return deduped


def _docx_table_lines(table, qn) -> Iterator[str]:
    for row in table.rows:
        cells = [_docx_cell_text(tc, table, qn) for tc in _docx_row_tcs(row)]
        if any(cells):
            yield "\t".join(cells)


# --------------------------------------------------------------------------------------------
# PDF (parsed in a child process)
# --------------------------------------------------------------------------------------------


def _read_pdf(data: bytes, settings: "Settings") -> list[Line]:
    timeout = float(settings.pdf_timeout_seconds)
    cmd = [
        sys.executable,
        "-m",
        f"{__package__}.readers",
        "--pdf",
        "-",
        "--memory-mb",
        str(int(settings.pdf_memory_mb)),
    ]

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PKG_PARENT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    try:
        proc = subprocess.run(
            cmd,
            input=data,
            capture_output=True,
            timeout=timeout,
            cwd=str(_PKG_PARENT),
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise UnreadableFile(
            f"PDF-filen tog för lång tid att läsa och avbröts efter {timeout:g} s / reading the PDF "
            f"timed out after {timeout:g} s (KVALITET_PDF_TIMEOUT_SECONDS). Filen kan vara skadad "
            "eller mycket stor; spara om den eller dela upp den / the file may be corrupt or very "
            "large; re-save or split it."
        ) from exc
    except OSError as exc:
        raise UnreadableFile(f"PDF-läsaren kunde inte startas / the PDF reader could not start: {exc}") from exc

    result = None
    if proc.stdout:
        try:
            result = json.loads(proc.stdout.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            result = None
    if proc.returncode == 0 and isinstance(result, dict) and result.get("ok"):
        pages = result["pages"]
    elif isinstance(result, dict) and not result.get("ok") and result.get("message"):
        raise UnreadableFile(result["message"])
    else:
        reason = (
            f"killed by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"exit code {proc.returncode}"
        )
        raise UnreadableFile(
            f"PDF-läsaren kraschade eller fick slut på minne / the PDF reader crashed or ran out of "
            f"memory ({reason}; memory limit {settings.pdf_memory_mb} MB, KVALITET_PDF_MEMORY_MB). "
            "Filen kan vara skadad; spara om den som PDF / the file may be corrupt; re-save it as PDF."
        )

    lines: list[Line] = []
    for page_no, page_text in enumerate(pages, 1):
        if not page_text:
            continue
        lines.extend(_number(_split_text(page_text), page=page_no, start=len(lines) + 1))
    if not any(line.text.strip() for line in lines):
        raise UnreadableFile(
            "PDF-filen: ingen text kunde läsas; är det en inskannad bild? / no extractable text "
            "(scanned image?). Kör textigenkänning (OCR) eller ladda upp originaldokumentet / run "
            "OCR or upload the original document."
        )
    return lines


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    limit = int(memory_mb) * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover
        pass


def _extract_pdf_pages(data: bytes) -> dict:
    """In the child: the text of each page, or a failure with a message (never raises)."""
    import logging

    logging.disable(logging.WARNING)  # pypdf warns on stderr about every small defect
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except (DependencyError, NotImplementedError, PdfReadError, ValueError):
                decrypted = 0
            if not decrypted:
                return {
                    "ok": False,
                    "message": "PDF-filen är lösenordsskyddad (krypterad) / the PDF is encrypted. "
                    "Ta bort lösenordet och spara om den / remove the password and save it again.",
                }
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            try:
                text = page.extract_text() or ""
            except FileNotDecryptedError:
                raise
            except Exception:  # one broken page must not lose the others
                text = ""
            # No lone surrogates (they cannot be encoded) and no NULs in the lines we hand on.
            text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
            total += len(text)
            if total > _PDF_MAX_TEXT_CHARS:
                return {
                    "ok": False,
                    "message": "PDF-filen ger orimligt mycket text / the PDF yields an unreasonable "
                    f"amount of text (over {_PDF_MAX_TEXT_CHARS} characters); dela upp den / split it.",
                }
            pages.append(text)
        return {"ok": True, "pages": pages}
    except MemoryError:
        return {
            "ok": False,
            "message": "PDF-läsaren fick slut på minne / the PDF reader ran out of memory "
            "(KVALITET_PDF_MEMORY_MB). Filen kan vara skadad; spara om den som PDF / the file may "
            "be corrupt; re-save it as PDF.",
        }
    except Exception as exc:  # pypdf raises many kinds on corrupt input
        name = type(exc).__name__
        if "Decrypt" in name or "encrypt" in str(exc).lower():
            message = (
                "PDF-filen är lösenordsskyddad (krypterad) / the PDF is encrypted. "
                "Ta bort lösenordet och spara om den / remove the password and save it again."
            )
        else:
            message = (
                f"PDF-filen är skadad och kan inte läsas / the PDF is corrupt ({name}: {exc}). "
                "Spara om den som PDF / re-save it as PDF."
            )
        return {"ok": False, "message": message[:2000]}


def _main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog=f"python -m {__name__}")
    parser.add_argument("--pdf", required=True, help="PDF file to read, or - for stdin")
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space limit (MB)")
    args = parser.parse_args(argv)
    if args.memory_mb > 0:
        _limit_memory(args.memory_mb)
    data = sys.stdin.buffer.read() if args.pdf == "-" else Path(args.pdf).read_bytes()
    result = _extract_pdf_pages(data)
    out = json.dumps(result, ensure_ascii=False).encode("utf-8")
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0 if result.get("ok") else _CHILD_HANDLED_FAILURE


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
