"""PDF with pdfplumber (pdfminer.six), in the child process.

Per page: words with their positions, font size and weight; ruled tables (pdfplumber's table
finder on the page's lines) and clearly aligned tables (three or more consecutive lines whose
two or more column starts line up) become table blocks, their first row the header when it looks
like one; the words outside tables are set into lines. A page with a vertical gutter (a band in
its middle third that almost no line crosses, with text on both sides) is read column by column:
lines that span the gutter (a title) in place, the left column, then the right.

Across pages: running headers and footers (lines in the top or bottom eighth of the page that
repeat, digits aside, at the same height on most pages) and page numbers ("Sida 3 av 12",
"3 (12)", "3/12", "- 3 -", a bare number at the top or bottom) are removed. Lines become
blocks: a heading when its font is clearly larger than the body's (levels by size, largest 1)
or bold throughout and short; list items for lines opening with a bullet; paragraphs otherwise,
which end at a wider vertical gap, a change of font, or a short line (not ending in a hyphen).
A paragraph that runs on over a page break (no final punctuation, the next page opening with a
lower-case letter) is one block with `page` and `page_end`, its lines keeping their own pages.
Words hyphenated at a line end are joined ("matema-" + "tikundervisning" → "matematik-
undervisning" on the first line) when the next line opens with a lower-case letter; the hyphen
stays when the part before it ends in a capital ("IT-" + "stödet" → "IT-stödet") and nothing is
joined before "och", "eller", "samt" ("barn- och ungdomspsykiatrin"). Ligatures are expanded.
Table-of-contents lines ("Resultat ........ 3") are left out: the headings are read where they stand.

Warnings: "scanned_page" for every page without a text layer that has an image or drawing on
it (an empty page is simply empty); "page_failed" for a page pdfminer cannot read.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

from kvalitet.errors import UnreadableFile
from kvalitet.ingest.model import Block, Document, ReadWarning
from kvalitet.ingest.readers.base import MEDIA_PDF, finish, looks_like_header
from kvalitet.ingest.readers.normalize import collapse_spaces, normalize_text

# A sanity cap on the text a PDF may yield (characters), against "text bombs".
PDF_MAX_TEXT_CHARS = 50_000_000
_ENCRYPTED = (
    "PDF-filen är lösenordsskyddad (krypterad). Ta bort lösenordet och spara om den.",
    "the PDF is encrypted. Remove the password and save it again.",
)
_PAGE_NUMBER = re.compile(
    r"^(?:(?:sida|sid|s\.|page|p\.)\s*\d+(?:\s*(?:av|of|/|\()\s*\d+\)?)?"
    r"|\d+\s*(?:\(\s*\d+\s*\)|/\s*\d+|av\s+\d+)"
    r"|[-–—]\s*\d+\s*[-–—]"
    r"|\d{1,4})$",
    re.I,
)
_PAGE_FOOTER = re.compile(r"\b(?:sida|page)\s+\d+\s*(?:av|of|/)\s*\d+\s*$", re.I)
_BULLET_ONLY = re.compile(r"^[•●▪■◦‣○\-–*]$")
_TOC_LINE = re.compile(r"(?:\.\s*){5,}\d{1,4}$|…{2,}\s*\d{1,4}$")  # "Resultat ........ 3"
_CID = re.compile(r"\(cid:\d+\)")
_BULLET = re.compile(r"^([•●▪■◦‣○\-–*])\s+(\S.*)$")
_NO_JOIN_NEXT = frozenset({"och", "eller", "samt", "respektive", "resp", "till", "som", "alternativt"})
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    page: int
    words: list = field(default_factory=list)


@dataclass
class _Item:
    """A line or a table in a page's reading order."""

    top: float
    line: _Line | None = None
    table: list[list[str]] | None = None


# --------------------------------------------------------------------------------------------
# Lines from words
# --------------------------------------------------------------------------------------------


def _make_line(words: list[dict], page: int) -> _Line:
    words = sorted(words, key=lambda w: w["x0"])
    sizes = Counter(round(float(w.get("size") or 0), 1) for w in words for _ in w["text"])
    size = sizes.most_common(1)[0][0] if sizes else 0.0
    # A gap of a whole em or more is no space between words but between cells (a table drawn
    # without rules, or cells a text export padded with spaces): it becomes a tab, as in a text file.
    cell_gap = max(1.0 * (size or 10.0), 4.0)
    cells: list[list[str]] = [[]]
    for i, w in enumerate(words):
        if i and w["x0"] - words[i - 1]["x1"] >= cell_gap:
            cells.append([])
        cells[-1].append(w["text"])
    bold = all(_BOLD.search(str(w.get("fontname") or "")) for w in words)
    return _Line(
        text="\t".join(collapse_spaces(" ".join(c)) for c in cells),
        x0=min(w["x0"] for w in words),
        x1=max(w["x1"] for w in words),
        top=min(w["top"] for w in words),
        bottom=max(w["bottom"] for w in words),
        size=size,
        bold=bold,
        page=page,
        words=words,
    )


def _group_lines(words: list[dict], page: int) -> list[_Line]:
    """Words into lines by their vertical position (tolerance: 40 % of the font size)."""
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        tol = max(1.5, 0.4 * float(w.get("size") or w["bottom"] - w["top"] or 10))
        if rows and abs(rows[-1][0]["top"] - w["top"]) <= tol:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [_make_line(r, page) for r in rows if r]


def _split_gaps(line: _Line, min_gap: float) -> list[list[dict]]:
    """The line's words in segments separated by horizontal gaps of at least `min_gap`."""
    segments: list[list[dict]] = []
    last = None
    for w in line.words:
        if last is not None and w["x0"] - last["x1"] >= min_gap:
            segments.append([w])
        elif segments:
            segments[-1].append(w)
        else:
            segments.append([w])
        last = w
    return segments


def _gutter(lines: list[_Line], width: float) -> float | None:
    """The x of a column gutter in the page's middle third, or None for a one-column page.

    A gutter is crossed by (almost) no word and no line without a gap there, and has running
    text on both sides (at least three lines each, of four words or more as a rule): a table of
    short values or a ragged one-column page has no gutter."""
    body = [ln for ln in lines if len(ln.text) > 1]
    if len(body) < 6:
        return None
    best_x, best_cross = None, None
    x = width * 0.33
    while x <= width * 0.67:
        cross = sum(
            1 for ln in body
            if any(w["x0"] < x < w["x1"] for w in ln.words) or (ln.x0 < x < ln.x1 and not _has_gap_at(ln, x))
        )
        if best_cross is None or cross < best_cross:
            best_x, best_cross = x, cross
        x += 2.0
    if best_x is None or best_cross is None or best_cross > 0.15 * len(body):
        return None
    left = [sum(1 for w in ln.words if w["x1"] <= best_x) for ln in body]
    right = [sum(1 for w in ln.words if w["x0"] >= best_x) for ln in body]
    left = sorted(n for n in left if n)
    right = sorted(n for n in right if n)
    if len(left) < 3 or len(right) < 3:
        return None
    if left[len(left) // 2] < 4 or right[len(right) // 2] < 4:
        return None
    return best_x


def _has_gap_at(line: _Line, x: float) -> bool:
    words = line.words
    for a, b in zip(words, words[1:], strict=False):
        if a["x1"] <= x <= b["x0"] and b["x0"] - a["x1"] >= 8:
            return True
    return False


def _columns(lines: list[_Line], gutter: float, page: int) -> list[_Line]:
    """Reading order of a two-column page: spanning lines in place, between them the left
    column's lines, then the right column's."""
    ordered: list[_Line] = []
    left: list[_Line] = []
    right: list[_Line] = []

    def flush() -> None:
        ordered.extend(sorted(left, key=lambda ln: ln.top))
        ordered.extend(sorted(right, key=lambda ln: ln.top))
        left.clear()
        right.clear()

    for ln in sorted(lines, key=lambda ln: ln.top):
        if ln.x1 <= gutter + 1:
            left.append(ln)
        elif ln.x0 >= gutter - 1:
            right.append(ln)
        elif _has_gap_at(ln, gutter):
            lw = [w for w in ln.words if w["x1"] <= gutter]
            rw = [w for w in ln.words if w["x1"] > gutter]
            if lw:
                left.append(_make_line(lw, page))
            if rw:
                right.append(_make_line(rw, page))
        else:  # spans the gutter: a title or a full-width paragraph
            flush()
            ordered.append(ln)
    flush()
    return ordered


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _ruled_tables(page) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    """(bbox, rows) of the page's ruled tables; merged cells resolved by repeating the text."""
    out: list[tuple[tuple[float, float, float, float], list[list[str]]]] = []
    if len(page.lines) + len(page.rects) + len(page.curves) < 2:
        return out  # no rules on the page: no ruled table (and the table finder's cost saved)
    try:
        tables = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    except Exception:
        return out
    for table in tables:
        try:
            raw = table.extract()
        except Exception:
            continue
        rows_obj = table.rows
        covers: list[tuple[tuple, str]] = []
        for r, row in enumerate(rows_obj):
            for c, cell in enumerate(row.cells):
                if cell is not None and r < len(raw) and c < len(raw[r]):
                    covers.append((cell, raw[r][c] or ""))
        xs: dict[int, float] = {}
        for row in rows_obj:
            for c, cell in enumerate(row.cells):
                if cell is not None and c not in xs:
                    xs[c] = cell[0]
        rows: list[list[str]] = []
        for r, row in enumerate(rows_obj):
            texts: list[str] = []
            for c, cell in enumerate(row.cells):
                if cell is not None:
                    texts.append(collapse_spaces(raw[r][c] or "") if r < len(raw) and c < len(raw[r]) else "")
                    continue
                x = xs.get(c, row.bbox[0]) + 1
                y = row.bbox[1] + 1
                hit = ""
                for (x0, top, x1, bottom), text in covers:
                    if x0 - 0.5 <= x <= x1 + 0.5 and top - 0.5 <= y <= bottom + 0.5:
                        hit = collapse_spaces(text)
                        break
                texts.append(hit)
            rows.append(texts)
        rows = [r for r in rows if any(c.strip() for c in r)]
        if len(rows) >= 1 and max(len(r) for r in rows) >= 2:
            x0, top, x1, bottom = (float(v) for v in table.bbox)
            out.append(((x0, top, x1, bottom), rows))
    return out


def _aligned_with(segments: list[list[dict]], starts: list[float]) -> bool:
    """True when every segment starts at one of `starts` (within 4 pt)."""
    return all(any(abs(seg[0]["x0"] - x) <= 4 for x in starts) for seg in segments)


def _aligned_tables(lines: list[_Line]) -> list[tuple[int, int, list[list[str]]]]:
    """(first, last index, rows) of runs of at least three consecutive lines whose two or more
    segments (separated by gaps of 10 pt or more) start at the same x (within 4 pt). A line set
    tight below a row (a wrapped cell) whose segments start at column starts continues that row
    (its text appended to the cells it stands in)."""
    segs = [_split_gaps(ln, 10.0) for ln in lines]
    out: list[tuple[int, int, list[list[str]]]] = []
    i = 0
    while i < len(lines):
        if len(segs[i]) < 2 or _BULLET_ONLY.match(segs[i][0][0]["text"]):
            i += 1
            continue
        starts = [s[0]["x0"] for s in segs[i]]

        rows_of: list[list[int]] = [[i]]
        j = i + 1
        while j < len(lines) and _aligned_with(segs[j], starts):
            gap = lines[j].top - lines[j - 1].bottom
            size = max(lines[j].size, 6)
            if gap >= 2.5 * size:
                break
            tight = gap <= 0.6 * size
            first = segs[j][0]
            wraps = tight and len(rows_of) > 1 and (
                len(segs[j]) < len(starts)
                or abs(first[0]["x0"] - min(starts)) > 4
                or first[0]["text"][:1].islower()
            )
            if _BULLET_ONLY.match(first[0]["text"]):
                break
            if len(segs[j]) >= 2 and not wraps:
                rows_of.append([j])
            elif tight and len(rows_of) > 1:
                rows_of[-1].append(j)  # a wrapped cell's next line
            else:
                break
            j += 1
        if len(rows_of) >= 3:
            cols = sorted(starts)
            rows = []
            for members in rows_of:
                cells = [""] * len(cols)
                for k in members:
                    for seg in segs[k]:
                        col = min(range(len(cols)), key=lambda c: abs(cols[c] - seg[0]["x0"]))
                        text = " ".join(w["text"] for w in seg)
                        cells[col] = collapse_spaces(f"{cells[col]} {text}")
                rows.append(cells)
            out.append((i, j - 1, rows))
            i = j
        else:
            i += 1
    return out


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def _page_items(page, page_no: int) -> tuple[list[_Item], float, float]:
    """The page's lines and tables in reading order, and its width and height."""
    width, height = float(page.width), float(page.height)
    tables = _ruled_tables(page)
    words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False, use_text_flow=False)
    for w in words:
        text = w["text"]
        if "(cid:" in text:  # a glyph without a Unicode mapping: a bullet when it opens a line
            text = _CID.sub("•", text) if _CID.fullmatch(text) else _CID.sub("", text)
        w["text"] = normalize_text(text)
    if tables:
        def inside(w) -> bool:
            cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
            return any(x0 <= cx <= x1 and top <= cy <= bottom for (x0, top, x1, bottom), _ in tables)

        words = [w for w in words if not inside(w)]
    lines = _group_lines([w for w in words if w["text"].strip()], page_no)
    gutter = _gutter(lines, width)
    if gutter is not None:
        lines = _columns(lines, gutter, page_no)
    items: list[_Item] = []
    aligned = _aligned_tables(lines) if gutter is None else []
    taken: set[int] = set()
    for first, last, rows in aligned:
        items.append(_Item(top=lines[first].top, table=rows))
        taken.update(range(first, last + 1))
    for i, ln in enumerate(lines):
        if i not in taken:
            items.append(_Item(top=ln.top, line=ln))
    if gutter is None:
        for bbox, rows in tables:
            items.append(_Item(top=bbox[1], table=rows))
        items.sort(key=lambda it: it.top)
    else:
        # Column order is kept; tables go in before the first line below their top.
        for bbox, rows in tables:
            at = next((k for k, it in enumerate(items) if it.line is not None and it.top > bbox[1]), len(items))
            items.insert(at, _Item(top=bbox[1], table=rows))
    return items, width, height


def _running_keys(pages: list[list[_Item]], heights: list[float]) -> set[tuple[int, str]]:
    """(page index, text) of the lines that are running headers or footers: among the two
    outermost lines at the top or bottom of a page, in the top or bottom eighth, a page number,
    or the same text (the page's own number masked) at the same height on most pages."""
    n = len(pages)
    found: set[tuple[int, str]] = set()
    zone: Counter = Counter()
    where: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for p, items in enumerate(pages):
        h = heights[p] or 842.0
        seen = set()
        by_top = sorted((it.line for it in items if it.line is not None), key=lambda ln: ln.top)
        outer = {id(ln) for ln in by_top[:2] + by_top[-2:]}
        for ln in by_top:
            if id(ln) not in outer:
                continue
            edge = ln.top < h * 0.125 or ln.bottom > h * 0.875
            if not edge:
                continue
            if _PAGE_NUMBER.match(ln.text.strip()):
                found.add((p, ln.text))
                continue
            if _PAGE_FOOTER.search(ln.text):
                found.add((p, ln.text))
                continue
            masked = re.sub(rf"(?<!\d)(?:{p + 1}|{n})(?!\d)", "#", ln.text.lower())
            key = (masked, int(round(ln.top / 4.0)))
            if key not in seen:
                seen.add(key)
                zone[key] += 1
                where.setdefault(key, []).append((p, ln.text))
    if n >= 2:
        for key, count in zone.items():
            if count >= max(2, (n + 1) // 2):
                found.update(where[key])
    return found


def _heading_levels(lines: list[_Line]) -> tuple[float, dict[float, int]]:
    """The body font size (most characters) and the heading level of each larger size."""
    chars: Counter = Counter()
    for ln in lines:
        chars[ln.size] += len(ln.text)
    if not chars:
        return 0.0, {}
    body = chars.most_common(1)[0][0]
    larger = sorted({s for s in chars if s >= body * 1.15 and s > 0}, reverse=True)
    return body, {s: i + 1 for i, s in enumerate(larger[:6])}


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", ":", ";", "»", "”", ")")) and not text.rstrip().endswith("..")


def _join_hyphen(prev: str, nxt: str) -> tuple[str, str] | None:
    """(prev, next) with a word hyphenated at the end of `prev` joined onto `prev`, or None
    when nothing is to be joined."""
    if not prev.endswith("-") or len(prev) < 3 or not prev[-2].isalpha():
        return None
    first, _, rest = nxt.partition(" ")
    if not first or not first[0].islower():
        return None
    if first.rstrip(".,;:!?").lower() in _NO_JOIN_NEXT:
        return None
    if prev[-2].isupper():  # "IT-" + "stödet": the hyphen belongs to the word
        return prev + first, rest
    return prev[:-1] + first, rest


# --------------------------------------------------------------------------------------------
# The whole document
# --------------------------------------------------------------------------------------------


def _metadata(info: dict) -> dict:
    meta: dict = {}
    placeholders = {"", "untitled", "anonymous", "unknown", "unspecified", "none"}

    def text(v) -> str:
        if isinstance(v, bytes):
            try:
                v = v.decode("utf-16") if v.startswith(b"\xfe\xff") else v.decode("latin-1")
            except UnicodeDecodeError:
                return ""
        return collapse_spaces(str(v)) if v is not None else ""

    def date(v) -> str | None:
        m = re.match(r"^D?:?(\d{4})(\d{2})?(\d{2})?", text(v))
        if not m:
            return None
        return "-".join(g for g in m.groups() if g)

    title = text(info.get("Title"))
    if title.lower() not in placeholders:
        meta["title"] = title
    author = text(info.get("Author"))
    if author.lower() not in placeholders:
        meta["author"] = author
    for key, name in (("CreationDate", "created"), ("ModDate", "modified")):
        d = date(info.get(key))
        if d:
            meta[name] = d
    return meta


def _unopenable(exc: Exception) -> UnreadableFile:
    """What to say when pdfplumber cannot open the file or read its page list: encrypted, or corrupt."""
    if _is_encrypted(exc):
        return UnreadableFile(*_ENCRYPTED)
    name = type(exc).__name__
    return UnreadableFile(
        f"PDF-filen är skadad och kan inte läsas ({name}: {exc}). Spara om den som PDF.",
        f"the PDF is corrupt ({name}: {exc}). Re-save it as PDF.",
    )


def _is_encrypted(exc: BaseException) -> bool:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        name = type(current).__name__
        if "Password" in name or "Encrypt" in name or "encrypt" in str(current).lower():
            return True
        if any(isinstance(a, BaseException) and _is_encrypted(a) for a in current.args):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def pdf_blocks(data: bytes, limits: dict) -> tuple[list[Block], dict, list[ReadWarning]]:
    """In the child: the blocks, metadata and warnings of a PDF (see the module docstring).

    Raises UnreadableFile for an encrypted or corrupt PDF or one with an unreasonable amount
    of text.
    """
    import logging

    import pdfplumber

    logging.disable(logging.WARNING)  # pdfminer warns about every small defect
    warnings: list[ReadWarning] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise _unopenable(exc) from exc
    pages: list[list[_Item]] = []
    heights: list[float] = []
    total = 0
    max_lines = int(limits.get("max_lines") or 0)
    line_count = 0
    try:
        try:
            metadata = _metadata(dict(pdf.metadata or {}))
            page_list = list(pdf.pages)
        except Exception as exc:
            raise _unopenable(exc) from exc
        for page_no, page in enumerate(page_list, 1):
            try:
                items, _, height = _page_items(page, page_no)
                has_chars = bool(page.chars)
                has_picture = bool(page.images or page.rects or page.curves)
            except MemoryError:
                raise
            except Exception as exc:
                if _is_encrypted(exc):
                    raise UnreadableFile(*_ENCRYPTED) from exc
                warnings.append(ReadWarning("page_failed", {"page": page_no}))
                items, height, has_chars, has_picture = [], 842.0, True, False
            if not has_chars and has_picture:
                warnings.append(ReadWarning("scanned_page", {"page": page_no}))
            pages.append(items)
            heights.append(height)
            total += sum(len(it.line.text) for it in items if it.line is not None)
            if total > PDF_MAX_TEXT_CHARS:
                raise UnreadableFile(
                    f"PDF-filen ger orimligt mycket text (över {PDF_MAX_TEXT_CHARS} tecken); dela upp den.",
                    f"the PDF yields an unreasonable amount of text (over {PDF_MAX_TEXT_CHARS} characters); split it.",
                )
            line_count += len(items)
            if max_lines and line_count > max_lines * 2:
                break  # more than enough: the cap below cuts it with a warning
            if hasattr(page, "flush_cache"):
                page.flush_cache()
    finally:
        try:
            pdf.close()
        except Exception:
            pass
    running = _running_keys(pages, heights)
    all_lines = [it.line for p, items in enumerate(pages) for it in items
                 if it.line is not None and (p, it.line.text) not in running]
    body_size, levels = _heading_levels(all_lines)
    blocks = _blocks(pages, running, body_size, levels)
    return blocks, metadata, warnings


def _line_kind(ln: _Line, body_size: float, levels: dict[float, int]) -> tuple[str, int | None]:
    if ln.size in levels and len(ln.text) <= 200:
        return "heading", levels[ln.size]
    if ln.bold and body_size and len(ln.text) <= 100 and not _ends_sentence(ln.text) and ln.size >= body_size * 0.95:
        return "heading", len(levels) + 1
    if _BULLET.match(ln.text):
        return "list_item", 0
    return "paragraph", None


def _line_pitch(gaps: list[float]) -> int:
    """The distance (points, rounded) from one line of a paragraph to the next on a page.

    The most common gap between consecutive lines, unless a clearly smaller gap also recurs
    (at least twice, under 0.75 of the most common): then most paragraphs are one line long and
    the most common gap is the space between paragraphs, the smaller one the line pitch.
    0 when the page has no two lines close enough to measure."""
    if not gaps:
        return 0
    counts = Counter(round(x) for x in gaps)
    common = counts.most_common(1)[0][0]
    smaller = [g for g, n in counts.items() if n >= 2 and 0 < g < 0.75 * common]
    return max(smaller, key=lambda g: (counts[g], -g)) if smaller else common


def _blocks(pages: list[list[_Item]], running: set, body_size: float, levels: dict[float, int]) -> list[Block]:
    blocks: list[Block] = []
    # A paragraph being built: its lines (text, page), kind, and the last line's geometry.
    cur: dict | None = None

    def close() -> None:
        nonlocal cur
        if cur is None:
            return
        texts = [t for t, _ in cur["lines"]]
        pages_ = [p for _, p in cur["lines"]]
        kind = cur["kind"]
        if kind == "heading":
            block = Block("heading", " ".join(texts), level=cur["level"], page=pages_[0], page_end=pages_[-1])
        else:
            block = Block(kind, "\n".join(texts), page=pages_[0], page_end=pages_[-1],
                          line_pages=pages_ if len(set(pages_)) > 1 else None)
            if kind == "list_item":
                m = _BULLET.match(texts[0])
                block.level = 0
                if m and m.group(1) in "•●▪■◦‣○":
                    block.text = "\n".join([f"• {m.group(2)}", *texts[1:]])
        blocks.append(block)
        cur = None

    for p, items in enumerate(pages):
        page_no = p + 1
        lines = [it.line for it in items if it.line is not None and (p, it.line.text) not in running]
        right = max((ln.x1 for ln in lines), default=0.0)
        left = min((ln.x0 for ln in lines), default=0.0)
        pitches = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False) if 0 < b.top - a.top < 3 * max(a.size, 6)]
        pitch = _line_pitch(pitches)
        first_on_page = True
        for it in items:
            ln = it.line
            if it.table is not None:
                close()
                header = 1 if len(it.table) > 1 and looks_like_header(it.table[0]) else 0
                blocks.append(Block("table", "", rows=it.table, header_rows=header, page=page_no, page_end=page_no))
                first_on_page = False
                continue
            if ln is None or (p, ln.text) in running or not ln.text or _TOC_LINE.search(ln.text):
                continue
            kind, level = _line_kind(ln, body_size, levels)
            if cur is not None:
                prev_text, _ = cur["lines"][-1]
                last: _Line = cur["last"]
                same_page = last.page == page_no
                if first_on_page and not same_page:
                    # Over a page break: the paragraph runs on when it has no final punctuation
                    # and this page opens with a lower-case word of the same kind.
                    runs_on = (
                        cur["kind"] == "paragraph" and kind == "paragraph" and not _ends_sentence(prev_text)
                        and (ln.text[:1].islower() or prev_text.endswith("-"))
                    )
                else:
                    gap = ln.top - last.top
                    column_jump = gap < 0 or ln.x0 > last.x1  # a new column
                    short = last.x1 < left + 0.7 * (right - left) and not prev_text.endswith("-")
                    runs_on = (
                        kind == cur["kind"] == "paragraph"
                        and not column_jump
                        and (pitch == 0 or gap <= pitch * 1.3 + 0.5)
                        and abs(ln.size - last.size) < 0.6
                        and ln.bold == last.bold
                        and not short
                    ) or (
                        kind == cur["kind"] == "heading" and level == cur["level"]
                        and not column_jump and gap <= max(pitch, ln.size * 1.6) * 1.3
                    ) or (
                        kind == "paragraph" and cur["kind"] == "list_item" and not column_jump
                        and (pitch == 0 or gap <= pitch * 1.3 + 0.5) and ln.x0 > cur["first_x0"] + 2 and not short
                    )
                if runs_on:
                    text = ln.text
                    joined = _join_hyphen(prev_text, text)
                    if joined is not None:
                        cur["lines"][-1] = (joined[0], cur["lines"][-1][1])
                        text = joined[1]
                    if text:
                        cur["lines"].append((text, page_no))
                    cur["last"] = ln
                    first_on_page = False
                    continue
                close()
            cur = {"kind": kind, "level": level, "lines": [(ln.text, page_no)], "last": ln, "first_x0": ln.x0}
            first_on_page = False
    close()
    return blocks


def read_pdf(data: bytes, *, path: str, settings) -> Document:
    """The Document of a PDF, read in the child process (limits: see child.py).

    Raises UnreadableFile when the PDF is encrypted, corrupt, too slow or big, or has no text
    layer on any page (scanned).
    """
    from kvalitet.ingest.readers.child import run_child

    blocks, metadata, warnings = run_child("pdf", data, settings)
    doc = finish(blocks, path=path, media_type=MEDIA_PDF, metadata=metadata, warnings=warnings,
                 max_lines=int(settings.max_document_lines))
    if not any(line.text.strip() for line in doc.lines):
        raise UnreadableFile(
            "PDF-filen: ingen text kunde läsas; är det en inskannad bild? Kör textigenkänning (OCR) "
            "eller ladda upp originaldokumentet.",
            "the PDF has no extractable text (scanned image?). Run OCR or upload the original document.",
        )
    return doc
