"""What a file is (from its bytes, never from its name alone) and how its text is encoded.

`sniff_media_type` looks at magic bytes and, for zip archives, at the archive's directory (the
names only: nothing is inflated here). `decode_text` finds a text file's encoding per file:
UTF-8 (BOM or not), UTF-8 with a few stray Windows-1252 bytes (repaired byte by byte, with a
"bytes_repaired" warning), UTF-16 with or without a BOM, and legacy single-byte encodings
(cp1252, cp850, Mac Roman) chosen by charset-normalizer (with an "encoding_guessed" warning).
"""

from __future__ import annotations

import codecs
import io
import re
import threading
import unicodedata
import zipfile

from kvalitet.errors import UnreadableFile
from kvalitet.ingest.model import ReadWarning
from kvalitet.ingest.readers.base import MEDIA_CSV, MEDIA_DOCX, MEDIA_HTML, MEDIA_MARKDOWN, MEDIA_PDF, MEDIA_TEXT
from kvalitet.ingest.readers.base import MEDIA_XLSX, empty_file, unsupported

__all__ = ["sniff_media_type", "decode_text"]

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_LEGACY_CANDIDATES = ["cp1252", "cp850", "mac_roman"]
_UTF16_CANDIDATES = ["utf_16_le", "utf_16_be"]
_DETECT_BYTES = 64 * 1024


def _mostly_printable(text: str, *, max_ratio: float = 0.02) -> bool:
    """True if (almost) no control characters other than ordinary whitespace occur."""
    if "\x00" in text:
        return False
    if not text:
        return True
    bad = sum(1 for ch in text if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    return bad <= max_ratio * len(text)


_repairs = threading.local()


def _repair_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """codecs error handler: an invalid UTF-8 byte read as Windows-1252, counted per thread."""
    assert isinstance(exc, UnicodeDecodeError)
    bad = exc.object[exc.start : exc.end]
    _repairs.count = getattr(_repairs, "count", 0) + len(bad)
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error("kvalitet-cp1252", _repair_cp1252)


def _best_guess(data: bytes, candidates: list[str]) -> str | None:
    from charset_normalizer import from_bytes

    try:
        match = from_bytes(data[:_DETECT_BYTES], cp_isolation=candidates).best()
    except Exception:  # the detector must never take a file down with it
        return None
    return match.encoding if match is not None else None


_NORDIC = frozenset("åäöÅÄÖéÉüÜèàøæØÆ–—’‘”“…€§°½")


def _legacy_encoding(data: bytes) -> str:
    """The single-byte encoding of `data`: the candidate whose text has the most Swedish letters
    and typographic marks and the fewest other non-ASCII characters; charset-normalizer's choice
    breaks ties (short texts fool it: "Läsa" in cp1252 reads as Mac Roman "L‰sa")."""
    sample = data[:_DETECT_BYTES]
    guess = _best_guess(sample, _LEGACY_CANDIDATES)
    best, best_score = "cp1252", float("-inf")
    for encoding in _LEGACY_CANDIDATES:
        text = sample.decode(encoding, errors="replace")
        wide = [ch for ch in text if ord(ch) > 0x7F]
        good = sum(1 for ch in wide if ch in _NORDIC)
        score = good - 3 * (len(wide) - good) + (0.5 if encoding == guess else 0.0)
        if score > best_score:
            best, best_score = encoding, score
    return best


def decode_text(data: bytes) -> tuple[str, list[ReadWarning]] | None:
    """The text of `data` and the warnings about its encoding, or None when it is not text.

    The text keeps its line breaks as they are (no normalisation here) without a BOM.
    """
    warnings: list[ReadWarning] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        text = text.lstrip("\ufeff")
        return (text, warnings) if _mostly_printable(text) else None
    if b"\x00" in data:
        # UTF-16 without a BOM (every other byte NUL for Latin text), or binary data.
        encoding = _best_guess(data, _UTF16_CANDIDATES)
        if encoding is None:
            return None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return None
        if not _mostly_printable(text) or not text.strip():
            return None
        return text.lstrip("\ufeff"), warnings
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few stray bytes (a Windows-1252 "–" pasted into a UTF-8 file), or a legacy
    # single-byte encoding altogether: the first has valid multi-byte sequences besides its
    # invalid bytes, the second (almost) none.
    _repairs.count = 0
    text = data.decode("utf-8", errors="kvalitet-cp1252")
    repaired = _repairs.count
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - repaired
    if multibyte > 0 and repaired <= multibyte:
        warnings.append(ReadWarning("bytes_repaired", {"encoding": "cp1252", "count": repaired}))
    else:
        encoding = _legacy_encoding(data)
        text = data.decode(encoding, errors="replace")
        warnings.append(ReadWarning("encoding_guessed", {"encoding": encoding}))
    return (text, warnings) if _mostly_printable(text) else None


_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_HTML_BODY = re.compile(r"<body[\s>/]", re.I)


def _zip_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        if name.lower().endswith(".docx") or b"word/document.xml" in data[:65536]:
            raise UnreadableFile(
                f"DOCX-filen är skadad och kan inte öppnas (trasig zip: {exc}). Öppna den i Word och spara den igen.",
                f"the DOCX file is corrupt (broken zip: {exc}). Open it in Word and save it again.",
            ) from exc
        if name.lower().endswith(".xlsx") or b"xl/workbook.xml" in data[:65536]:
            raise UnreadableFile(
                f"XLSX-filen är skadad och kan inte öppnas (trasig zip: {exc}). Öppna den i Excel och spara den igen.",
                f"the XLSX file is corrupt (broken zip: {exc}). Open it in Excel and save it again.",
            ) from exc
        raise unsupported("en skadad zip-fil", "a damaged zip archive") from exc
    if "word/document.xml" in names:
        return MEDIA_DOCX
    if "xl/workbook.xml" in names:
        return MEDIA_XLSX
    if "ppt/presentation.xml" in names:
        raise unsupported("en PowerPoint-presentation (PPTX)", "a PowerPoint presentation (PPTX)")
    if "content.xml" in names and "mimetype" in names:
        raise unsupported(
            "en OpenDocument-fil (ODT/ODS); spara den som DOCX eller PDF",
            "an OpenDocument file (ODT/ODS); save it as DOCX or PDF",
        )
    raise unsupported(
        "en zip-fil som inte är ett Word- eller Excel-dokument", "a zip archive that is not a Word or Excel document"
    )


def sniff_media_type(data: bytes, name: str = "") -> str:
    """The media type of `data`, from its content; `name` only tells Markdown and CSV from plain
    text.

    Returns application/pdf, the DOCX or XLSX media type, text/html, text/markdown, text/csv or
    text/plain. Raises UnsupportedFile for anything else (binary data, other zip formats, old
    .doc/.xls) and UnreadableFile for empty data or a corrupt DOCX/XLSX zip.
    """
    if not data:
        raise empty_file()
    head = data[:1024]
    if head.lstrip(b" \t\r\n").startswith(b"%PDF-"):
        return MEDIA_PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, name)
    if data.startswith(b"PK\x05\x06"):
        raise unsupported("en tom zip-fil", "an empty zip archive")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise unsupported(
            "en äldre Word- eller Excel-fil (.doc/.xls); spara den som DOCX eller PDF",
            "an old Word/Office binary file (.doc/.xls); save it as DOCX or PDF",
        )
    if head.lstrip().startswith(b"{\\rtf"):
        raise unsupported("ett RTF-dokument; spara det som DOCX eller PDF", "an RTF document; save it as DOCX or PDF")
    decoded = decode_text(data)
    if decoded is None:
        raise unsupported(
            "binära data som varken är PDF, DOCX, XLSX eller text",
            "binary data that is neither PDF, DOCX, XLSX nor text",
        )
    text = decoded[0]
    if _HTML_START.match(text[:4096]):
        return MEDIA_HTML
    lower = name.lower()
    if lower.endswith((".md", ".markdown")):
        return MEDIA_MARKDOWN
    if lower.endswith((".csv", ".tsv")):
        return MEDIA_CSV
    if _HTML_BODY.search(text):
        return MEDIA_HTML
    return MEDIA_TEXT
