"""Word export: the report's HTML (from its template) laid out as a real Word document.

The structure comes from the HTML template, so a municipality that overrides
`<kind>.html.j2` gets the same structure in Word. Headings become Word headings
(Heading 1–4), tables become Word tables (header row repeated on each page, bold), the
source list becomes a numbered list of paragraphs "[n] …" under the heading "Källor".

A base document: if `<kind>.docx` lies in KVALITET_TEMPLATES_DIR (or the shipped templates/),
it is opened and the content appended, so its styles, headers, footers and logo are used.
Styles missing from such a document fall back to direct formatting instead of failing.

Only HTML our templates produce is read (escaped text, a small set of tags); tags not
listed here are walked through for their text.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from kvalitet.workspace.render import BUILTIN_TEMPLATES

MEDIA_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SKIP = {"head", "style", "script", "title"}


def base_document_path(kind: str, templates_dir: Path | None) -> Path | None:
    for d in ([templates_dir] if templates_dir else []) + [BUILTIN_TEMPLATES]:
        p = Path(d) / f"{kind}.docx"
        if p.is_file():
            return p
    return None


class _Run:
    __slots__ = ("text", "bold", "italic", "br", "cls")

    def __init__(self, text="", bold=False, italic=False, br=False, cls=None):
        self.text, self.bold, self.italic, self.br, self.cls = text, bold, italic, br, cls


class _Builder(HTMLParser):
    """Walks the HTML and writes blocks into a python-docx Document."""

    def __init__(self, doc):
        super().__init__(convert_charrefs=True)
        self.doc = doc
        self.skip = 0
        self.runs: list[_Run] | None = None  # the inline content being collected
        self.block: tuple[str, dict] | None = None  # ("p"|"h2"|"li"|"td"…, attrs)
        self.bold = 0
        self.italic = 0
        self.cls_stack: list[str | None] = []
        self.lists: list[list] = []  # [tag, counter]
        self.table = None
        self.row_cells: list[tuple[list[list[_Run]], bool]] | None = None
        self.cell_paras: list[list[_Run]] | None = None
        self.in_thead = False
        self.rows: list[tuple[list, bool]] = []

    # -- helpers -------------------------------------------------------------------------
    def _style(self, name: str):
        try:
            return self.doc.styles[name]
        except KeyError:
            return None

    def _start_inline(self, tag: str, attrs: dict) -> None:
        self._flush()
        self.block = (tag, attrs)
        self.runs = []

    def _add_runs(self, paragraph, runs: list[_Run], *, force_bold=False, italic_all=False) -> None:
        # Collapse whitespace as a browser would, keeping explicit <br> breaks.
        first = True
        for r in runs:
            if r.br:
                paragraph.add_run().add_break(WD_BREAK.LINE)
                first = True
                continue
            text = " ".join(r.text.split())
            if r.text[:1].isspace() and not first:
                text = " " + text
            if r.text[-1:].isspace() and text:
                text = text + " "
            if first:
                text = text.lstrip()
            if not text:
                continue
            run = paragraph.add_run(text)
            run.bold = True if (r.bold or force_bold) else None
            run.italic = True if (r.italic or italic_all) else None
            if r.cls == "ej-granskat":
                run.italic = True
                run.font.color.rgb = RGBColor(0xA3, 0x33, 0x33)
            first = False
        # trailing space of the last run is harmless but untidy
        if paragraph.runs and paragraph.runs[-1].text.endswith(" "):
            paragraph.runs[-1].text = paragraph.runs[-1].text.rstrip()

    def _flush(self) -> None:
        """Write the inline content collected so far as its block."""
        if self.runs is None:
            return
        runs, (tag, attrs) = self.runs, self.block or ("p", {})
        self.runs, self.block = None, None
        if self.cell_paras is not None:  # inside a table cell: keep for the cell
            if any(r.text.strip() or r.br for r in runs):
                self.cell_paras.append(runs)
            return
        if not any(r.text.strip() for r in runs):
            return
        cls = attrs.get("class") or ""
        if tag in HEADINGS:
            level = HEADINGS[tag]
            style = self._style(f"Heading {level}")
            p = self.doc.add_paragraph(style=style) if style is not None else self.doc.add_paragraph()
            self._add_runs(p, runs, force_bold=style is None)
            if style is None:
                for r in p.runs:
                    r.font.size = Pt({1: 18, 2: 15, 3: 13}.get(level, 12))
            return
        if tag == "li":
            kind, counter = self.lists[-1] if self.lists else ("ul", 0)
            if kind == "ol":
                n = int(attrs.get("value") or counter)
                p = self.doc.add_paragraph()
                p.paragraph_format.left_indent = Pt(18)
                p.paragraph_format.first_line_indent = Pt(-18)
                p.add_run(f"[{n}] ")
                self._add_runs(p, runs)
            else:
                style = self._style("List Bullet")
                p = self.doc.add_paragraph(style=style) if style is not None else self.doc.add_paragraph("• ")
                self._add_runs(p, runs)
            return
        p = self.doc.add_paragraph()
        self._add_runs(p, runs, italic_all="ej-granskat" in cls)
        if "ej-granskat" in cls:
            for r in p.runs:
                r.font.color.rgb = RGBColor(0xA3, 0x33, 0x33)

    # -- HTMLParser callbacks --------------------------------------------------------------
    def handle_starttag(self, tag, attrs_list):
        attrs = dict(attrs_list)
        if tag in SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in HEADINGS or tag == "p":
            self._start_inline(tag, attrs)
        elif tag in ("ol", "ul"):
            self._flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            if self.lists:
                self.lists[-1][1] += 1
            self._start_inline("li", attrs)
        elif tag == "table":
            self._flush()
            self.rows = []
        elif tag == "thead":
            self.in_thead = True
        elif tag == "tr":
            self.row_cells = []
        elif tag in ("td", "th"):
            self.cell_paras = []
            self._start_inline(tag, attrs)
            self.block = (tag, attrs)
        elif tag == "br":
            if self.runs is not None:
                self.runs.append(_Run(br=True))
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
            self.cls_stack.append(attrs.get("class"))
        elif tag == "div" or tag == "section":
            self._flush()

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in HEADINGS or tag in ("p", "li"):
            self._flush()
            if tag == "p" and self.cell_paras is not None:
                self.runs, self.block = [], ("td", {})  # text after a <p> inside a cell
        elif tag in ("ol", "ul"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag in ("td", "th"):
            self._flush()
            if self.row_cells is not None and self.cell_paras is not None:
                self.row_cells.append((self.cell_paras, tag == "th"))
            self.cell_paras = None
        elif tag == "tr":
            if self.row_cells is not None:
                self.rows.append((self.row_cells, self.in_thead))
            self.row_cells = None
        elif tag == "thead":
            self.in_thead = False
        elif tag == "table":
            self._write_table()
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
            if self.cls_stack:
                self.cls_stack.pop()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br",):
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self.skip:
            return
        if self.runs is None:
            if not data.strip():
                return
            self._start_inline("p", {})
        cls = next((c for c in reversed(self.cls_stack) if c), None)
        self.runs.append(_Run(data, bold=self.bold > 0, italic=self.italic > 0, cls=cls))

    def close(self):
        super().close()
        self._flush()

    # -- tables --------------------------------------------------------------------------
    def _write_table(self) -> None:
        rows = [r for r in self.rows if r[0]]
        self.rows = []
        if not rows:
            return
        ncols = max(len(cells) for cells, _ in rows)
        table = self.doc.add_table(rows=0, cols=ncols)
        grid = self._style("Table Grid")
        if grid is not None:
            table.style = grid
        for cells, is_head in rows:
            row = table.add_row()
            if is_head:  # repeat the header row on every page
                tr_pr = row._tr.get_or_add_trPr()
                el = OxmlElement("w:tblHeader")
                el.set(qn("w:val"), "true")
                tr_pr.append(el)
            for i, (paras, is_th) in enumerate(cells):
                cell = row.cells[i]
                first = True
                for runs in paras or [[]]:
                    p = cell.paragraphs[0] if first else cell.add_paragraph()
                    first = False
                    self._add_runs(p, runs, force_bold=is_th or is_head)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str | None) -> str | None:
    """Word's XML cannot hold C0 control characters: drop them (tab and newline stay)."""
    return _NOT_XML.sub("", text) if text else text


def html_to_docx(html: str, *, base: Path | None = None, title: str | None = None,
                 subject: str | None = None, author: str | None = None) -> bytes:
    html, title, subject, author = (xml_safe(x) for x in (html, title, subject, author))
    doc = Document(str(base)) if base else Document()
    if base is None:
        normal = doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(11)
    if title:
        doc.core_properties.title = title[:255]
    if subject:
        doc.core_properties.subject = subject[:255]
    if author:
        doc.core_properties.author = author[:255]
    doc.core_properties.language = "sv-SE"
    builder = _Builder(doc)
    builder.feed(html)
    builder.close()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
