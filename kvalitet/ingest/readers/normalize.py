"""The one text normaliser every reader uses.

NFC (decomposed å/ä/ö composed), no-break and other fixed-width spaces to a plain space, soft
hyphens and zero-width characters removed, typographic ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ) folded to
their letters. Tabs and newlines are kept (they carry table and line structure). The length of
a line may change (a ligature becomes two or three letters); line numbers never do.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text", "collapse_spaces"]

_TRANSLATE = {
    0x00A0: " ",  # no-break space
    0x2007: " ",  # figure space
    0x202F: " ",  # narrow no-break space
    0x2000: " ", 0x2001: " ", 0x2002: " ", 0x2003: " ", 0x2004: " ", 0x2005: " ",
    0x2006: " ", 0x2008: " ", 0x2009: " ", 0x200A: " ", 0x205F: " ", 0x3000: " ",
    0x00AD: None,  # soft hyphen
    0x200B: None,  # zero-width space
    0x200C: None,  # zero-width non-joiner
    0x200D: None,  # zero-width joiner
    0x2060: None,  # word joiner
    0xFEFF: None,  # BOM / zero-width no-break space inside text
    0xFB00: "ff",
    0xFB01: "fi",
    0xFB02: "fl",
    0xFB03: "ffi",
    0xFB04: "ffl",
    0xFB05: "st",
    0xFB06: "st",
}
_NEEDS = re.compile("[\u00a0\u00ad\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff\ufb00-\ufb06]")
_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """`text` NFC-normalised with NBSP→space, soft hyphens removed and ligatures folded."""
    if _NEEDS.search(text):
        text = text.translate(_TRANSLATE)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def collapse_spaces(text: str) -> str:
    """`text` normalised, with every run of whitespace (newlines too) one space, stripped."""
    return _WS.sub(" ", normalize_text(text)).strip()
