"""DOCX: WordprocessingML read with lxml from the archive's parts, in the child process.

The parts (document, styles, numbering, footnotes, core properties) come out of the archive
through archive.SafeZip (real inflated bytes counted and capped) and are parsed without entity
resolution or network access. python-docx is not used for reading (it opens the archive itself,
uncounted); the tests build their files with it.

What is read, as Word shows the document:
- headings from paragraph styles: "Heading N"/"Rubrik N" (any case), "Title"/"Rubrik" as level
  1, custom styles through their basedOn chain, and w:outlineLvl in the style or the paragraph;
- Word's automatic numbering rendered as written ("1.", "2.1", "a)", "iv.") from numbering.xml:
  abstractNum lvlText, numFmt, start and isLgl, w:num lvlOverride/startOverride, counters per
  numId and level (deeper levels restart when a level counts up); numbered paragraphs are list
  items (level = ilvl) unless their style is a heading (then the number leads the heading text);
  bullet levels give "• ";
- tracked changes accepted: w:ins and w:moveTo kept, w:del, w:delText and w:moveFrom dropped;
- content controls (w:sdt) at block, row, cell and run level: their shown content; a control
  still showing its placeholder text gives nothing; a drop-down gives its chosen value;
- text boxes (w:txbxContent) as paragraphs after the paragraph that anchors them, read once
  (mc:AlternateContent: the Choice, else the Fallback);
- tables with w:gridSpan and w:vMerge resolved (the value repeated into every grid cell it
  covers), gridBefore/gridAfter as empty cells, header rows from w:tblHeader or a first row
  that looks like a header. A nested table becomes its own table block after its parent table
  (its text is not repeated in the parent's cell). A table of one column (or one cell) is a
  layout table: its content is read as blocks (headings, paragraphs, tables);
- footnotes as paragraphs "[n] text" (style "footnote") right after the paragraph that refers
  to them, numbered in order of reference as Word does;
- a short paragraph that is bold throughout keeps style "bold" (a heading hint for recognition);
- a table of contents (its content control, or paragraphs in "TOC N"/"Innehåll N" styles) is
  left out: the headings are read where they stand;
- core properties: title, author, created, modified.
Pages: DOCX has none (page=None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvalitet.errors import UnreadableFile
from kvalitet.ingest.model import Block, Document, ReadWarning
from kvalitet.ingest.readers.base import MEDIA_DOCX, finish, grid_from_spans, looks_like_header
from kvalitet.ingest.readers.html import render_number
from kvalitet.ingest.readers.normalize import collapse_spaces, normalize_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_R_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _R, _T, _TBL, _TR, _TC, _SDT = w("p"), w("r"), w("t"), w("tbl"), w("tr"), w("tc"), w("sdt")
_SKIP = frozenset(
    {
        w("del"), w("delText"), w("moveFrom"), w("instrText"), w("delInstrText"), w("pPr"), w("rPr"),
        w("sdtPr"), w("sdtEndPr"), w("tblPr"), w("trPr"), w("tcPr"), w("tblGrid"), w("sectPr"),
        w("commentReference"), w("annotationRef"), w("endnoteReference"), w("fldData"),
        w("bookmarkStart"), w("bookmarkEnd"), w("proofErr"), w("lastRenderedPageBreak"),
    }
)
_HEADING_NAME = re.compile(r"^(?:heading|rubrik|überschrift|titre)\s*(\d)$", re.I)
_TITLE_NAMES = frozenset({"title", "rubrik", "titel"})
_TOC_STYLE = re.compile(r"^(?:toc|innehåll|innehållsförteckning|table of contents)(?:\s*(?:\d|heading|rubrik))?$", re.I)
_LIST_STYLE = re.compile(r"\blist\b|\blista\b|punktlista|numrerad", re.I)


class _Full(Exception):
    """The line budget is spent."""


def _xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(
            f"DOCX-filen är skadad (XMLSyntaxError: {exc}). Öppna den i Word och spara den igen.",
            f"the DOCX file is corrupt (XMLSyntaxError: {exc}). Open it in Word and save it again.",
        ) from exc


def _val(el, tag: str, attr: str = "val") -> str | None:
    if el is None:
        return None
    child = el.find(w(tag))
    if child is None:
        return None
    return child.get(w(attr))


def _on(el, tag: str) -> bool:
    """A toggle property (w:b, w:tblHeader...) that is present and not switched off."""
    if el is None:
        return False
    child = el.find(w(tag))
    if child is None:
        return False
    return (child.get(w("val")) or "true").lower() not in ("0", "false", "off", "none")


# --------------------------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------------------------


@dataclass
class _Style:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None
    bold: bool = False


@dataclass
class _Styles:
    styles: dict[str, _Style] = field(default_factory=dict)
    default_para: str | None = None

    def chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            yield self.styles[style_id]
            style_id = self.styles[style_id].based_on

    def name(self, style_id: str | None) -> str | None:
        style = self.styles.get(style_id or "") if style_id else None
        return style.name if style else None

    def heading_level(self, style_id: str | None) -> int | None:
        for style in self.chain(style_id):
            m = _HEADING_NAME.match(style.name.strip())
            if m:
                return max(1, int(m.group(1)))
            if style.name.strip().lower() in _TITLE_NAMES:
                return 1
            if style.outline is not None and style.outline < 9:
                return style.outline + 1
        return None

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        for style in self.chain(style_id):
            if style.num_id is not None:
                return style.num_id, style.ilvl
        return None, None

    def bold(self, style_id: str | None) -> bool:
        return any(style.bold for style in self.chain(style_id))

    def is_list(self, style_id: str | None) -> bool:
        return any(_LIST_STYLE.search(style.name or "") for style in self.chain(style_id))


def _styles(root) -> _Styles:
    out = _Styles()
    if root is None:
        return out
    for el in root.iter(w("style")):
        if (el.get(w("type")) or "paragraph") != "paragraph":
            continue
        sid = el.get(w("styleId")) or ""
        ppr = el.find(w("pPr"))
        numpr = ppr.find(w("numPr")) if ppr is not None else None
        outline = _val(ppr, "outlineLvl")
        ilvl = _val(numpr, "ilvl")
        out.styles[sid] = _Style(
            name=_val(el, "name") or sid,
            based_on=_val(el, "basedOn"),
            outline=int(outline) if outline and outline.isdigit() else None,
            num_id=_val(numpr, "numId"),
            ilvl=int(ilvl) if ilvl and ilvl.isdigit() else None,
            bold=_on(el.find(w("rPr")), "b"),
        )
        if (el.get(w("default")) or "").lower() in ("1", "true"):
            out.default_para = sid
    return out


# --------------------------------------------------------------------------------------------
# Numbering
# --------------------------------------------------------------------------------------------


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    legal: bool = False


class _Numbering:
    """numbering.xml: renders the number of a numbered paragraph as Word shows it."""

    def __init__(self, root) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = {}
        self.counters: dict[str, list[int | None]] = {}
        if root is None:
            return
        for an in root.iter(w("abstractNum")):
            self.abstract[an.get(w("abstractNumId")) or ""] = {
                int(lvl.get(w("ilvl")) or 0): self._level(lvl) for lvl in an.iter(w("lvl"))
            }
        for num in root.iter(w("num")):
            overrides: dict[int, _Level] = {}
            starts: dict[int, int] = {}
            for ov in num.iter(w("lvlOverride")):
                ilvl = int(ov.get(w("ilvl")) or 0)
                start = _val(ov, "startOverride")
                if start and start.lstrip("-").isdigit():
                    starts[ilvl] = int(start)
                lvl = ov.find(w("lvl"))
                if lvl is not None:
                    overrides[ilvl] = self._level(lvl)
            self.nums[num.get(w("numId")) or ""] = (_val(num, "abstractNumId") or "", overrides, starts)

    @staticmethod
    def _level(lvl) -> _Level:
        start = _val(lvl, "start")
        text = _val(lvl, "lvlText")
        return _Level(
            fmt=_val(lvl, "numFmt") or "decimal",
            text=text if text is not None else "%1.",
            start=int(start) if start and start.lstrip("-").isdigit() else 1,
            legal=_on(lvl, "isLgl"),
        )

    def levels(self, num_id: str) -> dict[int, _Level] | None:
        if num_id not in self.nums:
            return None
        abstract_id, overrides, _ = self.nums[num_id]
        levels = dict(self.abstract.get(abstract_id, {}))
        levels.update(overrides)
        return levels

    def next(self, num_id: str, ilvl: int) -> tuple[str | None, bool] | None:
        """(rendered number or None for a bullet, is_bullet) of the next paragraph of `num_id`
        at level `ilvl`, counting it; None when the numbering is unknown or switched off."""
        if num_id in ("", "0"):
            return None
        levels = self.levels(num_id)
        if not levels:
            return None
        ilvl = max(0, min(ilvl, 8))
        level = levels.get(ilvl, _Level())
        starts = self.nums[num_id][2]
        counters = self.counters.setdefault(num_id, [None] * 9)
        current = counters[ilvl]
        counters[ilvl] = (starts.get(ilvl, level.start) if current is None else current + 1)
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if level.fmt == "bullet":
            return None, True
        if level.fmt == "none":
            return "", False

        def render(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            lv = levels.get(k, _Level())
            value = counters[k] if counters[k] is not None else starts.get(k, lv.start)
            fmt = "decimal" if (level.legal and k < ilvl) else lv.fmt
            return _format(value or 0, fmt)

        return re.sub(r"%([1-9])", render, level.text).strip(), False


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter",):
        return render_number(n, "a")[:-1]
    if fmt in ("upperLetter",):
        return render_number(n, "A")[:-1]
    if fmt == "lowerRoman":
        return render_number(n, "i")[:-1]
    if fmt == "upperRoman":
        return render_number(n, "I")[:-1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


# --------------------------------------------------------------------------------------------
# The walk
# --------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, styles: _Styles, numbering: _Numbering, footnotes: dict[str, list[str]], max_lines: int):
        self.styles = styles
        self.numbering = numbering
        self.footnotes = footnotes
        self.footnote_seen: dict[str, int] = {}
        self.max_lines = max_lines
        self.lines = 0
        self.blocks: list[Block] = []

    def emit(self, block: Block) -> None:
        n = len(block.rows) if block.kind == "table" and block.rows else block.text.count("\n") + 1
        if block.kind != "table" and not block.text.strip():
            return
        if self.max_lines and self.lines + n > self.max_lines:
            raise _Full
        self.lines += n
        self.blocks.append(block)

    # -- block level ---------------------------------------------------------------------

    def body(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == _P:
                self.paragraph(child)
            elif tag == _TBL:
                self.table(child)
            elif tag == _SDT:
                if not self._placeholder(child) and not self._toc(child):
                    content = child.find(w("sdtContent"))
                    if content is not None:
                        self.body(content)
            elif tag in (w("customXml"), w("ins"), w("moveTo"), w("smartTag")):
                self.body(child)
            elif tag == f"{{{MC}}}AlternateContent":
                chosen = self._alternate(child)
                if chosen is not None:
                    self.body(chosen)

    @staticmethod
    def _alternate(el):
        choice = el.find(f"{{{MC}}}Choice")
        if choice is not None and len(choice):
            return choice
        return el.find(f"{{{MC}}}Fallback")

    @staticmethod
    def _toc(sdt) -> bool:
        """A table of contents (a content control of the "Table of Contents" gallery)."""
        pr = sdt.find(w("sdtPr"))
        if pr is None:
            return False
        gallery = pr.find(f"{w('docPartObj')}/{w('docPartGallery')}")
        return gallery is not None and "content" in (gallery.get(w("val")) or "").lower()

    @staticmethod
    def _placeholder(sdt) -> bool:
        pr = sdt.find(w("sdtPr"))
        return pr is not None and _on(pr, "showingPlcHdr")

    # -- paragraphs ------------------------------------------------------------------------

    def runs_text(self, el, out: list[str], boxes: list, notes: list[str], bold: list[bool], style_bold: bool) -> None:
        """The text of `el`'s descendants in order (tracked changes accepted), collecting text
        boxes and footnote references on the way."""
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                if child.text:
                    out.append(child.text)
                    rpr = child.getparent().find(w("rPr")) if child.getparent() is not None else None
                    bold.append(_on(rpr, "b") if rpr is not None and rpr.find(w("b")) is not None else style_bold)
            elif tag == w("tab") or tag == w("ptab"):
                out.append(" ")
            elif tag in (w("br"), w("cr")):
                out.append("\n")
            elif tag == w("noBreakHyphen"):
                out.append("-")
            elif tag == w("softHyphen"):
                continue
            elif tag == w("sym"):
                continue
            elif tag == w("footnoteReference"):
                fid = child.get(w("id")) or ""
                if fid in self.footnotes:
                    n = self.footnote_seen.setdefault(fid, len(self.footnote_seen) + 1)
                    out.append(str(n))
                    notes.append(fid)
            elif tag == w("txbxContent"):
                boxes.append(child)
            elif tag == f"{{{MC}}}AlternateContent":
                chosen = self._alternate(child)
                if chosen is not None:
                    self.runs_text(chosen, out, boxes, notes, bold, style_bold)
            elif tag == _SDT:
                if not self._placeholder(child):
                    content = child.find(w("sdtContent"))
                    if content is not None:
                        self.runs_text(content, out, boxes, notes, bold, style_bold)
            elif tag == _P:  # a paragraph inside a run-level container (rare): its text, spaced
                out.append(" ")
                self.runs_text(child, out, boxes, notes, bold, style_bold)
                out.append(" ")
            elif tag == _TBL:
                continue
            else:  # w:r, w:hyperlink, w:ins, w:moveTo, w:smartTag, w:fldSimple, w:drawing, ...
                self.runs_text(child, out, boxes, notes, bold, style_bold)

    def paragraph_text(self, p) -> tuple[str, list, list[str], bool]:
        ppr = p.find(w("pPr"))
        style_id = _val(ppr, "pStyle") or self.styles.default_para
        out: list[str] = []
        boxes: list = []
        notes: list[str] = []
        bold: list[bool] = []
        self.runs_text(p, out, boxes, notes, bold, self.styles.bold(style_id))
        lines = [collapse_spaces(t) for t in normalize_text("".join(out)).split("\n")]
        text = "\n".join(t for t in lines if t)
        all_bold = bool(bold) and all(bold)
        return text, boxes, notes, all_bold

    def paragraph(self, p) -> None:
        ppr = p.find(w("pPr"))
        style_id = _val(ppr, "pStyle") or self.styles.default_para
        style_name = self.styles.name(style_id)
        if style_name and _TOC_STYLE.match(style_name.strip()):
            return  # a table of contents line: the headings are read where they stand
        text, boxes, notes, all_bold = self.paragraph_text(p)
        level = None
        outline = _val(ppr, "outlineLvl")
        if outline is not None and outline.isdigit():
            level = int(outline) + 1 if int(outline) < 9 else None
        else:
            level = self.styles.heading_level(style_id)
        numpr = ppr.find(w("numPr")) if ppr is not None else None
        num_id = _val(numpr, "numId")
        ilvl_raw = _val(numpr, "ilvl")
        if num_id is None:
            num_id, ilvl = self.styles.numbering(style_id)
        else:
            ilvl = int(ilvl_raw) if ilvl_raw and ilvl_raw.isdigit() else None
        if ilvl is None:
            ilvl = int(ilvl_raw) if ilvl_raw and ilvl_raw.isdigit() else 0
        number: str | None = None
        numbered = None
        if num_id is not None and text:
            numbered = self.numbering.next(num_id, ilvl)
        if numbered is not None:
            number, bullet = numbered
            if level is not None:
                if number:
                    text = f"{number} {text}"
                self.emit(Block("heading", text, level=level, number=number or None, style=style_name))
            else:
                shown = f"• {text}" if bullet else (f"{number} {text}" if number else text)
                self.emit(Block("list_item", shown, level=ilvl, number=None if bullet else (number or None), style=style_name))
        elif level is not None and text:
            self.emit(Block("heading", text, level=level, style=style_name))
        elif text and self.styles.is_list(style_id):
            self.emit(Block("list_item", f"• {text}", level=ilvl, style=style_name))
        elif text:
            hint = style_name
            if all_bold and len(text) <= 120 and "\n" not in text and not text.rstrip().endswith((".", ":", ";", ",")):
                hint = "bold"
            self.emit(Block("paragraph", text, style=hint))
        for fid in notes:
            note = " ".join(self.footnotes.get(fid, []))
            if note:
                self.emit(Block("paragraph", f"[{self.footnote_seen[fid]}] {note}", style="footnote"))
        for box in boxes:
            self.body(box)

    # -- tables ----------------------------------------------------------------------------

    def _rows(self, tbl):
        for child in tbl:
            if child.tag == _TR:
                yield child
            elif child.tag == _SDT and not self._placeholder(child):
                content = child.find(w("sdtContent"))
                if content is not None:
                    yield from self._rows(content)
            elif child.tag in (w("customXml"), w("ins")):
                yield from self._rows(child)

    def _cells(self, tr):
        for child in tr:
            if child.tag == _TC:
                yield child
            elif child.tag == _SDT and not self._placeholder(child):
                content = child.find(w("sdtContent"))
                if content is not None:
                    yield from self._cells(content)
            elif child.tag in (w("customXml"), w("ins")):
                yield from self._cells(child)

    def cell_text(self, tc, nested: list) -> str:
        parts: list[str] = []
        self._cell_parts(tc, parts, nested)
        return collapse_spaces(" ".join(parts))

    def _cell_parts(self, container, parts: list[str], nested: list) -> None:
        for child in container:
            if child.tag == _P:
                text, boxes, notes, _ = self.paragraph_text(child)
                ppr = child.find(w("pPr"))
                numpr = ppr.find(w("numPr")) if ppr is not None else None
                num_id = _val(numpr, "numId")
                if num_id is not None and text:
                    ilvl = _val(numpr, "ilvl")
                    numbered = self.numbering.next(num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0)
                    if numbered is not None and numbered[0]:
                        text = f"{numbered[0]} {text}"
                if text:
                    parts.append(text)
                for fid in notes:
                    note = " ".join(self.footnotes.get(fid, []))
                    if note:
                        parts.append(f"[{self.footnote_seen[fid]}] {note}")
                for box in boxes:
                    self._cell_parts(box, parts, nested)
            elif child.tag == _TBL:
                nested.append(child)
            elif child.tag == _SDT and not self._placeholder(child):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self._cell_parts(content, parts, nested)
            elif child.tag in (w("customXml"), w("ins"), w("moveTo")):
                self._cell_parts(child, parts, nested)

    def table(self, tbl) -> None:
        rows = list(self._rows(tbl))
        grid = tbl.find(w("tblGrid"))
        width = len(grid.findall(w("gridCol"))) if grid is not None else 0
        cells_per_row = [list(self._cells(tr)) for tr in rows]
        if rows and (width <= 1 and max((len(c) for c in cells_per_row), default=0) <= 1 or
                     (len(rows) == 1 and len(cells_per_row[0]) == 1)):
            # A layout table: its content is the document's.
            for cells in cells_per_row:
                for tc in cells:
                    self.body(tc)
            return
        spans: list[list[tuple[str, int, int]]] = []
        header_flags: list[bool] = []
        nested: list = []
        continues: list[list[bool]] = []
        for tr, cells in zip(rows, cells_per_row, strict=True):
            trpr = tr.find(w("trPr"))
            before = int(_val(trpr, "gridBefore") or 0) if (_val(trpr, "gridBefore") or "0").isdigit() else 0
            after = int(_val(trpr, "gridAfter") or 0) if (_val(trpr, "gridAfter") or "0").isdigit() else 0
            row: list[tuple[str, int, int]] = [("", 1, 1)] * before
            cont: list[bool] = [False] * before
            col = before
            for tc in cells:
                tcpr = tc.find(w("tcPr"))
                span_raw = _val(tcpr, "gridSpan") or "1"
                span = int(span_raw) if span_raw.isdigit() else 1
                vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
                is_continue = vmerge is not None and (vmerge.get(w("val")) or "continue") == "continue"
                text = "" if is_continue else self.cell_text(tc, nested)
                row.append((text, max(1, span), 1))
                cont.append(is_continue)
                col += max(1, span)
            row.extend([("", 1, 1)] * after)
            cont.extend([False] * after)
            spans.append(row)
            continues.append(cont)
            header_flags.append(_on(trpr, "tblHeader"))
        table_rows = grid_from_spans(spans)
        # Vertical merges: a continuing cell takes the text of the cell above in its grid column.
        for r, row in enumerate(spans):
            col = 0
            for i, (_, span, _) in enumerate(row):
                if continues[r][i] and r > 0:
                    for c in range(col, col + span):
                        if c < len(table_rows[r]) and c < len(table_rows[r - 1]):
                            table_rows[r][c] = table_rows[r - 1][c]
                col += span
        header = 0
        for flag in header_flags:
            if not flag:
                break
            header += 1
        if header >= len(table_rows):
            header = 0
        if header == 0 and len(table_rows) > 1 and looks_like_header(table_rows[0]):
            header = 1
        self.emit(Block("table", "", rows=table_rows, header_rows=header))
        for inner in nested:
            self.table(inner)


def _footnotes(root) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if root is None:
        return out
    for note in root.iter(w("footnote")):
        if (note.get(w("type")) or "normal") != "normal":
            continue
        texts = []
        for p in note.iter(_P):
            parts: list[str] = []
            for t in p.iter(_T):
                if t.text and not any(a.tag in (w("del"), w("moveFrom")) for a in t.iterancestors()):
                    parts.append(t.text)
            text = collapse_spaces("".join(parts))
            if text:
                texts.append(text)
        out[note.get(w("id")) or ""] = texts
    return out


def _core(root) -> dict:
    meta: dict = {}
    if root is None:
        return meta
    names = {
        "{http://purl.org/dc/elements/1.1/}title": "title",
        "{http://purl.org/dc/elements/1.1/}creator": "author",
        "{http://purl.org/dc/terms/}created": "created",
        "{http://purl.org/dc/terms/}modified": "modified",
    }
    for el in root:
        key = names.get(el.tag)
        if key and el.text and el.text.strip():
            meta[key] = collapse_spaces(el.text)
    return meta


def _main_part(archive) -> str:
    rels = archive.read_optional("_rels/.rels")
    if rels:
        root = _xml(rels)
        for rel in root.iter(f"{{{_R_NS}}}Relationship"):
            if rel.get("Type") == _OFFICE_DOC:
                target = (rel.get("Target") or "").lstrip("/")
                if target in archive.names:
                    return target
    return "word/document.xml"


def docx_blocks(data: bytes, limits: dict) -> tuple[list[Block], dict, list[ReadWarning]]:
    """In the child: the blocks, metadata and warnings of a DOCX (see the module docstring).

    Raises UnreadableFile for a broken archive or XML, a zip bomb, or a document without text.
    """
    from kvalitet.ingest.readers.archive import SafeZip

    archive = SafeZip(
        data, max_bytes=limits["max_archive_bytes"], max_members=limits["max_archive_members"], kind="DOCX"
    )
    try:
        main = _main_part(archive)
        if main not in archive.names:
            raise UnreadableFile(
                "DOCX-filen saknar sitt huvuddokument (word/document.xml). Öppna den i Word och spara den igen.",
                "the DOCX file has no main document part (word/document.xml). Open it in Word and save it again.",
            )
        folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""

        def part(name: str):
            raw = archive.read_optional(folder + name)
            return _xml(raw) if raw else None

        document = _xml(archive.read(main))
        styles = _styles(part("styles.xml"))
        numbering = _Numbering(part("numbering.xml"))
        footnotes = _footnotes(part("footnotes.xml"))
        core_raw = archive.read_optional("docProps/core.xml")
        metadata = _core(_xml(core_raw)) if core_raw else {}
    finally:
        archive.close()
    max_lines = int(limits.get("max_lines") or 0)
    reader = _Reader(styles, numbering, footnotes, max_lines)
    warnings: list[ReadWarning] = []
    body = document.find(w("body"))
    try:
        reader.body(body if body is not None else document)
    except _Full:
        warnings.append(ReadWarning("truncated", {"limit": max_lines}))
    return reader.blocks, metadata, warnings


def read_docx(data: bytes, *, path: str, settings) -> Document:
    """The Document of a DOCX, read in the child process (limits: child.py).

    Raises UnreadableFile for a corrupt file, a zip bomb, a time-out or memory exhaustion, or a
    document without text in its body.
    """
    from kvalitet.ingest.readers.child import run_child

    blocks, metadata, warnings = run_child("docx", data, settings)
    doc = finish(blocks, path=path, media_type=MEDIA_DOCX, metadata=metadata, warnings=warnings,
                 max_lines=int(settings.max_document_lines))
    if not doc.lines:
        raise UnreadableFile(
            "DOCX-filen innehåller ingen text. Kontrollera att rätt fil valdes.",
            "the DOCX file has no text in its body. Check that the right file was chosen.",
        )
    return doc
