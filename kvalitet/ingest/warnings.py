"""The texts of the readers' warnings, in one place: code -> (Swedish, English) templates.

A reader reports what it could not do perfectly as a `ReadWarning(code, params)`; the ingest
summary, the document view and `kvalitet inspect` turn it into text here. Templates use
str.format with the warning's params; a missing param shows as "?" rather than failing.
"""

from __future__ import annotations

from string import Formatter

from kvalitet.ingest.model import ReadWarning

__all__ = ["WARNING_TEXTS", "warning_text", "warning_texts"]

WARNING_TEXTS: dict[str, tuple[str, str]] = {
    "scanned_page": (
        "Sidan {page} har ingen text (inskannad?); kör textigenkänning (OCR) om den behövs",
        "Page {page} has no text layer (scanned?); run OCR if it is needed",
    ),
    "bytes_repaired": (
        "{count} byte som inte var giltig UTF-8 lästes som {encoding}; kontrollera tecknen",
        "{count} byte(s) that were not valid UTF-8 were read as {encoding}; check the characters",
    ),
    "encoding_guessed": (
        "Teckenkodningen gissades till {encoding}; spara filen som UTF-8 för säkerhets skull",
        "The character encoding was guessed as {encoding}; save the file as UTF-8 to be sure",
    ),
    "truncated": (
        "Dokumentet kortades efter {limit} rader (KVALITET_MAX_DOCUMENT_LINES); dela upp det",
        "The document was cut after {limit} lines (KVALITET_MAX_DOCUMENT_LINES); split it",
    ),
    "page_failed": (
        "Sidan {page} kunde inte läsas och hoppades över",
        "Page {page} could not be read and was skipped",
    ),
    "sheet_empty": (
        "Bladet {sheet} är tomt och hoppades över",
        "Sheet {sheet} is empty and was skipped",
    ),
    "passage_cap": (
        "Bara de första {limit} stycken av dokumentet finns i sökindexet"
        " (KVALITET_MAX_PASSAGES_PER_DOCUMENT); dela upp det",
        "passage cap reached: only the first {limit} passages of the document are indexed"
        " (KVALITET_MAX_PASSAGES_PER_DOCUMENT); split it",
    ),
    "repeated_passages": (
        "{count} stycken med samma text som ett annat utelämnades (högst {limit} av varje kommer med)",
        "{count} passages repeating the same text were left out (at most {limit} of each are indexed)",
    ),
}


class _Lenient(Formatter):
    def get_value(self, key, args, kwargs):  # string.Formatter API
        if isinstance(key, str):
            return kwargs.get(key, "?")
        return super().get_value(key, args, kwargs)


_FORMATTER = _Lenient()


def warning_texts(warning: ReadWarning) -> tuple[str, str]:
    """The (Swedish, English) text of `warning`; an unknown code is shown with its params."""
    templates = WARNING_TEXTS.get(warning.code)
    if templates is None:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(warning.params.items()))
        text = f"{warning.code}" + (f" ({detail})" if detail else "")
        return text, text
    sv, en = templates
    return _FORMATTER.format(sv, **warning.params), _FORMATTER.format(en, **warning.params)


def warning_text(warning: ReadWarning) -> str:
    """One line "Swedish / English" for `warning`, as errors are written elsewhere."""
    sv, en = warning_texts(warning)
    return f"{sv} / {en}"
