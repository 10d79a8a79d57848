"""Readers: turn a file (text, Markdown, HTML, PDF, DOCX, XLSX, CSV) into a Document.

`read_document_model(source, name, settings=...)` gives the document model
(kvalitet.ingest.model.Document: blocks of heading, paragraph, list item and table with page
and line provenance, metadata and warnings). `read_document(path, ...)` gives the numbered lines
of the same reading (`Document.as_text()`), which the ingest pipeline has used so far.

The type always comes from the content (magic bytes; see sniff.py), never from the file name
alone; the name only tells Markdown and CSV from plain text. Every failure is a KvalitetError
subclass whose message says, in Swedish and English, what is wrong and what to do about it.
PDF, DOCX and XLSX are read in a child process (child.py) with a time-out and an address-space
limit; archives are inflated with the bytes actually unpacked counted and capped (archive.py).

Per format: text.py (text and Markdown), html.py, docx.py, pdf.py, sheets.py (XLSX and CSV);
normalize.py is the one text normaliser they all use (NFC, NBSP, soft hyphens, ligatures).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kvalitet.errors import NotFound, UnreadableFile
from kvalitet.ingest.model import Document
from kvalitet.ingest.readers.base import MEDIA_CSV, MEDIA_DOCX, MEDIA_HTML, MEDIA_MARKDOWN, MEDIA_PDF, MEDIA_TEXT
from kvalitet.ingest.readers.base import MEDIA_XLSX, DOCUMENT_LIKE_SUFFIXES, SUPPORTED_SUFFIXES, DecodedText, empty_file
from kvalitet.ingest.readers.normalize import normalize_text
from kvalitet.ingest.readers.sniff import decode_text, sniff_media_type

if TYPE_CHECKING:  # pragma: no cover (the child process imports this package: it stays light)
    from kvalitet.domain.types import DocumentText
    from kvalitet.settings import Settings

__all__ = [
    "DOCUMENT_LIKE_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "MEDIA_PDF",
    "MEDIA_DOCX",
    "MEDIA_XLSX",
    "MEDIA_CSV",
    "MEDIA_HTML",
    "MEDIA_MARKDOWN",
    "MEDIA_TEXT",
    "read_document",
    "read_document_model",
    "read_bytes_model",
    "sniff_media_type",
    "decode_text",
    "normalize_text",
]


def _load(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(f"Filen finns inte: {shown}", f"file not found: {shown}") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile(
            f"Sökvägen är en mapp, inte en fil: {shown}", f"the path is a directory, not a file: {shown}"
        ) from exc
    except OSError as exc:
        reason = exc.strerror or exc
        raise UnreadableFile(
            f"Filen kunde inte läsas: {shown} ({reason}). Kontrollera behörigheterna.",
            f"the file could not be read: {shown} ({reason}). Check the file permissions.",
        ) from exc


def _settings(settings: "Settings | None") -> "Settings":
    if settings is None:
        from kvalitet.settings import Settings

        settings = Settings()
    return settings


def read_document_model(
    source: Path | str | bytes, name: str | None = None, *, settings: "Settings | None" = None
) -> Document:
    """Read a file into the document model.

    `source` is a path or the file's bytes; `name` is the path the Document carries (what
    citations show; default str(path)), and its suffix tells Markdown/CSV from plain text.
    Raises NotFound for a missing path, UnsupportedFile (415) for a type we do not read and
    UnreadableFile for an empty, corrupt, encrypted, too large or scanned-only file.
    """
    settings = _settings(settings)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        shown = name or ""
    else:
        path = Path(source)
        shown = name if name is not None else str(path)
        data = _load(path, shown)
    return read_bytes_model(data, shown, settings=settings)


def read_bytes_model(data: bytes, name: str, *, settings: "Settings | None" = None) -> Document:
    """The Document of the file content `data` shown as `name` (see read_document_model)."""
    settings = _settings(settings)
    if not data.strip():
        raise empty_file()
    media_type = sniff_media_type(data, name)
    max_lines = int(settings.max_document_lines)
    if media_type == MEDIA_PDF:
        from kvalitet.ingest.readers.pdf import read_pdf

        return read_pdf(data, path=name, settings=settings)
    if media_type == MEDIA_DOCX:
        from kvalitet.ingest.readers.docx import read_docx

        return read_docx(data, path=name, settings=settings)
    if media_type == MEDIA_XLSX:
        from kvalitet.ingest.readers.sheets import read_xlsx

        return read_xlsx(data, path=name, settings=settings)
    decoded = decode_text(data)
    assert decoded is not None  # sniff_media_type said it is text
    text, warnings = decoded
    if not text.strip():
        raise empty_file()
    src = DecodedText(text, name, media_type, warnings, max_lines)
    if media_type == MEDIA_HTML:
        from kvalitet.ingest.readers.html import read_html

        return read_html(src)
    if media_type == MEDIA_CSV:
        from kvalitet.ingest.readers.sheets import read_csv

        return read_csv(src)
    from kvalitet.ingest.readers.text import read_text

    return read_text(src)


def read_document(
    path: Path, *, settings: "Settings | None" = None, display_path: str | None = None
) -> "DocumentText":
    """Read `path` into numbered lines (`read_document_model(...).as_text()`).

    `display_path` (default str(path)) goes into .path. Errors as read_document_model.
    """
    return read_document_model(Path(path), display_path, settings=settings).as_text()
