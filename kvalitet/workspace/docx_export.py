"""Word export: the report's HTML (from its template) laid out as the document a committee
receives.

The structure comes from the HTML template, so a municipality that overrides
`<kind>.html.j2` gets the same structure in Word. What the Word file has:

* A4 with 2.5 cm margins (2 cm top and bottom); Swedish (sv-SE) as the language of the
  document defaults and of every style, so Word's spelling check reads Swedish.
* A title page (report, kind, unit, year, date, status: "Ej färdiggranskad" until every
  section is reviewed, else "Granskad"), then a table of contents: a TOC field whose entries
  are written out already (heading text and a PAGEREF field to a bookmark on the heading), so
  the list shows before anyone updates it; Word is asked to update fields when the file opens.
* A header "unit · report · year" and a footer "Sida N av M" (PAGE and NUMPAGES fields), not
  on the title page.
* Headings as Word headings (Heading 1–4, numbered as the templates number them), tables as
  Word tables whose header row repeats on every page (tblHeader), the source list as a
  numbered list "[n] title (year), s. N: ”quoted words”".

A municipality's own Word template: if `<kind>.docx` lies in KVALITET_TEMPLATES_DIR (or the
shipped templates/), it is opened and everything is added to it, so its styles, page set-up,
logo, header and footer are used; its body (a logo, a letterhead) stays first. Its header and
footer are kept when they have content (a footer without a page number gets one). Styles
missing from such a document fall back to direct formatting instead of failing.

Only HTML our templates produce is read (escaped text, a small set of tags); tags not listed
here are walked through for their text. <header class="rapporthuvud"> (the HTML title block)
is left out: the title page says the same.
"""

from __future__ import annotations

import io
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import overload

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from lxml import etree

from kvalitet.workspace.render import BUILTIN_TEMPLATES, STATUS_REVIEWED, unreviewed

MEDIA_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SKIP = {"head", "style", "script", "title"}
LANGUAGE = "sv-SE"
A4 = (Cm(21.0), Cm(29.7))
TOC_LEVELS = 3
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)  # headings: a sober dark blue
MUTED = RGBColor(0x59, 0x59, 0x59)
PENDING = RGBColor(0xA3, 0x33, 0x33)
TOC_HINT = ("Innehållsförteckningen uppdateras när dokumentet öppnas i Word. Sidnumren stämmer inte? "
            "Högerklicka i förteckningen och välj ”Uppdatera fält”.")


def base_document_path(kind: str, templates_dir: Path | None) -> Path | None:
    """The municipality's `<kind>.docx` (templates dir first, then the shipped templates), or None."""
    for d in ([templates_dir] if templates_dir else []) + [BUILTIN_TEMPLATES]:
        p = Path(d) / f"{kind}.docx"
        if p.is_file():
            return p
    return None


# ---- raw OOXML helpers ----------------------------------------------------------------------
def _el(tag: str, **attrs) -> etree._Element:
    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(k.replace("_", ":", 1)), str(v))
    return e


def _field(paragraph, instruction: str, cached: str = "", *, bold: bool | None = None, size: Pt | None = None):
    """A complex field (fldChar begin/separate/end) in `paragraph`, showing `cached` until
    Word (or LibreOffice) computes it."""
    def run():
        r = paragraph.add_run()
        if bold is not None:
            r.bold = bold
        if size is not None:
            r.font.size = size
        return r

    run()._r.append(_el("w:fldChar", w_fldCharType="begin", w_dirty="true"))
    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run()._r.append(instr)
    run()._r.append(_el("w:fldChar", w_fldCharType="separate"))
    r = run()
    r.text = cached
    run()._r.append(_el("w:fldChar", w_fldCharType="end"))
    return r


def _set_lang(rpr) -> None:
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = _el("w:lang", w_val=LANGUAGE, w_eastAsia=LANGUAGE, w_bidi="ar-SA")
    rpr.append(lang)
    _order_rpr(rpr)


# rPr children must keep the schema's order or Word refuses the file.
_RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
    "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
    "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
    "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]
_RPR_RANK = {qn(f"w:{t}"): i for i, t in enumerate(_RPR_ORDER)}


_TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]
_TBLPR_RANK = {qn(f"w:{t}"): i for i, t in enumerate(_TBLPR_ORDER)}


def _order_tblpr(tbl_pr) -> None:
    children = sorted(list(tbl_pr), key=lambda c: _TBLPR_RANK.get(c.tag, len(_TBLPR_ORDER)))
    for c in children:
        tbl_pr.remove(c)
        tbl_pr.append(c)


def _order_rpr(rpr) -> None:
    children = list(rpr)
    children.sort(key=lambda c: _RPR_RANK.get(c.tag, len(_RPR_ORDER)))
    for c in children:
        rpr.remove(c)
        rpr.append(c)


def set_language(doc) -> None:
    """Swedish on the document defaults, on every style, and as the theme's language."""
    styles = doc.styles.element
    doc_defaults = styles.find(qn("w:docDefaults"))
    if doc_defaults is None:
        doc_defaults = _el("w:docDefaults")
        styles.insert(0, doc_defaults)
    rpr_default = doc_defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = _el("w:rPrDefault")
        doc_defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = _el("w:rPr")
        rpr_default.append(rpr)
    _set_lang(rpr)
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) not in ("paragraph", "character", "table"):
            continue
        srpr = style.find(qn("w:rPr"))
        if srpr is None:
            srpr = _el("w:rPr")
            # rPr follows pPr (and comes before tblPr etc.): append then let order be fixed
            tail = [c for c in style if c.tag in (qn("w:tblPr"), qn("w:trPr"), qn("w:tcPr"), qn("w:tblStylePr"))]
            if tail:
                tail[0].addprevious(srpr)
            else:
                style.append(srpr)
        _set_lang(srpr)
    settings = doc.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is None:
        theme = _el("w:themeFontLang")
        settings.append(theme)
    theme.set(qn("w:val"), LANGUAGE)
    doc.core_properties.language = LANGUAGE


def _settings_child(doc, tag: str, **attrs) -> None:
    """Add (once) a w:settings child such as updateFields, in a schema-valid place (early)."""
    settings = doc.settings.element
    if settings.find(qn(tag)) is not None:
        return
    el = _el(tag, **attrs)
    # CT_Settings is a sequence; updateFields comes after zoom/removePersonalInformation/…,
    # before defaultTabStop. Put it just before defaultTabStop when there is one.
    anchor = settings.find(qn("w:defaultTabStop"))
    if anchor is not None:
        anchor.addprevious(el)
    else:
        settings.insert(0, el)


def _has_content(part) -> bool:
    """A header/footer with text, a picture or a field of its own (not inherited)."""
    if part.is_linked_to_previous:
        return False
    el = part._element
    return bool("".join(el.itertext()).strip()) or el.find(".//" + qn("w:drawing")) is not None \
        or el.find(".//" + qn("w:pict")) is not None


def _has_page_field(part) -> bool:
    xml = part._element.xml
    return "PAGE" in xml and ("fldSimple" in xml or "instrText" in xml)


def _paragraph_border(paragraph, side: str, size: int = 4, color: str = "A6A6A6") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = ppr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = _el("w:pBdr")
        ppr.append(pbdr)
    pbdr.append(_el(f"w:{side}", w_val="single", w_sz=size, w_space=4, w_color=color))


def _ensure_style(doc, name: str, style_id: str, based_on: str | None = "Normal", *, left_cm: float = 0.0,
                  bold: bool = False, size: float | None = None, space_after: float = 2.0):
    """A paragraph style by its Word name (e.g. "toc 1"), made if the document lacks it."""
    styles = doc.styles
    for s in styles:
        if s.name and s.name.lower() == name.lower():
            return s
    el = _el("w:style", w_type="paragraph", w_styleId=style_id)
    el.append(_el("w:name", w_val=name))
    if based_on:
        el.append(_el("w:basedOn", w_val=based_on))
    el.append(_el("w:next", w_val="Normal"))
    el.append(_el("w:uiPriority", w_val=39))
    el.append(_el("w:unhideWhenUsed"))
    styles.element.append(el)
    style = styles[name] if name in [s.name for s in styles] else None
    if style is None:  # pragma: no cover - python-docx maps some names
        return None
    pf = style.paragraph_format
    pf.left_indent = Cm(left_cm)
    pf.space_after = Pt(space_after)
    pf.tab_stops.add_tab_stop(Cm(16.0), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    if bold:
        style.font.bold = True
    if size:
        style.font.size = Pt(size)
    return style


# ---- the page set-up and styles of our own document ------------------------------------------
def _house_style(doc) -> None:
    """A4, margins, Calibri 11 with 1.15 lines, sober headings: for a document without a base."""
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.header_distance = section.footer_distance = Cm(1.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    sizes = {1: 18, 2: 15, 3: 12.5, 4: 11}
    for level, size in sizes.items():
        st = doc.styles[f"Heading {level}"]
        st.font.name = "Calibri"
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.italic = False
        st.font.color.rgb = ACCENT
        st.paragraph_format.space_before = Pt({1: 18, 2: 16, 3: 12, 4: 10}[level])
        st.paragraph_format.space_after = Pt(4)
        st.paragraph_format.keep_with_next = True
        rpr = st.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:  # the theme's heading font would win over the name
            for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(a), None)
    title = doc.styles["Title"]
    title.font.name = "Calibri"
    title.font.size = Pt(28)
    title.font.color.rgb = ACCENT
    tppr = title.element.get_or_add_pPr()
    for b in tppr.findall(qn("w:pBdr")):  # the default template underlines the title
        tppr.remove(b)
    sub = doc.styles["Subtitle"]
    sub.font.name = "Calibri"
    sub.font.size = Pt(15)
    sub.font.italic = False
    sub.font.color.rgb = MUTED
    for name in ("Title", "Subtitle"):
        rpr = doc.styles[name].element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:
            for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(a), None)


def _header_footer(doc, meta: dict, *, own: bool) -> None:
    """Header "unit · report · year" and footer "Sida N av M" on every page but the title page
    (for our own document); a base document keeps a header/footer it has."""
    section = doc.sections[0]
    if own:
        section.different_first_page_header_footer = True
    header, footer = section.header, section.footer
    if not _has_content(header):
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.text = ""
        title, year = meta.get("title") or "", meta.get("year")
        parts = [meta.get("unit"), title, year if year and str(year) not in title else None]
        run = p.add_run(" · ".join(str(x) for x in parts if x))
        run.font.size = Pt(9)
        run.font.color.rgb = MUTED
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _paragraph_border(p, "bottom")
    if not _has_page_field(footer):
        if _has_content(footer):
            p = footer.add_paragraph()
        else:
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.text = ""
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        size = Pt(9)
        r = p.add_run("Sida ")
        r.font.size = size
        _field(p, "PAGE", "1", size=size)
        r = p.add_run(" av ")
        r.font.size = size
        _field(p, "NUMPAGES", "1", size=size)


def _title_page(doc, meta: dict) -> None:
    """Report, kind, unit, year, date and review status; then a page break."""
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_before = Pt(120)
    title_style = _style(doc, "Title")
    p = doc.add_paragraph(style=title_style) if title_style is not None else doc.add_paragraph()
    r = p.add_run(meta.get("title") or "")
    if title_style is None:
        r.bold, r.font.size = True, Pt(26)
    if meta.get("kind_label"):
        sub = _style(doc, "Subtitle")
        p = doc.add_paragraph(style=sub) if sub is not None else doc.add_paragraph()
        p.add_run(meta["kind_label"])
    rows = [("Enhet", meta.get("unit")), ("År", meta.get("year")), ("Datum", meta.get("date")),
            ("Status", meta.get("status"))]
    first = True
    for label, value in rows:
        if value in (None, ""):
            continue
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(2)
        if first:
            p.paragraph_format.space_before = Pt(36)
            first = False
        lr = p.add_run(f"{label}: ")
        lr.font.color.rgb = MUTED
        vr = p.add_run(str(value))
        vr.bold = True
        if label == "Status" and value != STATUS_REVIEWED:
            vr.font.color.rgb = PENDING
    if meta.get("pending_sections") or meta.get("empty_sections"):
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(12)
        r = p.add_run(f"{unreviewed(meta)}. Endast godkänd text ingår.")  # "2 avsnitt väntar …"
        r.italic = True
        r.font.color.rgb = PENDING
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _style(doc, name: str):
    try:
        return doc.styles[name]
    except KeyError:
        return None


class _Run:
    __slots__ = ("text", "bold", "italic", "br", "cls")

    def __init__(self, text="", bold=False, italic=False, br=False, cls=None):
        self.text, self.bold, self.italic, self.br, self.cls = text, bold, italic, br, cls


class _Builder(HTMLParser):
    """Walks the HTML and writes blocks into a python-docx Document; records the headings
    (level, text, bookmark name) for the table of contents."""

    def __init__(self, doc, *, skip_header: bool = False):
        super().__init__(convert_charrefs=True)
        self.doc = doc
        self.skip = 0
        self.skip_header = skip_header
        self.runs: list[_Run] | None = None  # the inline content being collected
        self.block: tuple[str, dict] | None = None  # ("p"|"h2"|"li"|"td"…, attrs)
        self.bold = 0
        self.italic = 0
        self.cls_stack: list[str | None] = []
        self.lists: list[list] = []  # [tag, counter, class]
        self.row_cells: list[tuple[list[list[_Run]], bool]] | None = None
        self.cell_paras: list[list[_Run]] | None = None
        self.in_thead = False
        self.rows: list[tuple[list, bool]] = []
        self.headings: list[tuple[int, str, str]] = []
        self.after_heading: dict[int, str | None] = {}  # heading index -> the paragraph right after it
        self._awaiting: int | None = None
        self._bookmark_id = 100

    # -- helpers -------------------------------------------------------------------------
    def _style(self, name: str):
        return _style(self.doc, name)

    def _start_inline(self, tag: str, attrs: dict) -> None:
        self._flush()
        self.block = (tag, attrs)
        self.runs = []

    def _add_runs(self, paragraph, runs: list[_Run], *, force_bold=False, italic_all=False, size=None) -> None:
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
            if size is not None:
                run.font.size = size
            if r.cls == "ej-granskat":
                run.italic = True
                run.font.color.rgb = PENDING
            elif r.cls == "oppet":
                run.italic = True
                run.font.color.rgb = MUTED
            first = False
        if paragraph.runs and paragraph.runs[-1].text.endswith(" "):
            paragraph.runs[-1].text = paragraph.runs[-1].text.rstrip()

    def _bookmark(self, paragraph) -> str:
        self._bookmark_id += 1
        name = f"_Toc{self._bookmark_id:08d}"
        start = _el("w:bookmarkStart", w_id=self._bookmark_id, w_name=name)
        end = _el("w:bookmarkEnd", w_id=self._bookmark_id)
        ppr = paragraph._p.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            paragraph._p.insert(0, start)
        paragraph._p.append(end)
        return name

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
            if level <= TOC_LEVELS:
                self.headings.append((level, p.text, self._bookmark(p)))
                self.after_heading[len(self.headings) - 1] = None
                self._awaiting = len(self.headings) - 1
            else:
                self._awaiting = None
            return
        if tag == "li":
            kind, counter, lcls = self.lists[-1] if self.lists else ("ul", 0, "")
            if kind == "ol":
                n = int(attrs.get("value") or counter)
                p = self.doc.add_paragraph()
                small = "kallor" in (lcls or "")
                p.paragraph_format.left_indent = Cm(0.9)
                p.paragraph_format.first_line_indent = Cm(-0.9)
                p.paragraph_format.tab_stops.add_tab_stop(Cm(0.9))
                p.paragraph_format.space_after = Pt(3)
                num = p.add_run(f"[{n}]\t")
                num.bold = True
                size = Pt(9.5) if small else None
                if size:
                    num.font.size = size
                self._add_runs(p, runs, size=size)
            else:
                style = self._style("List Bullet")
                p = self.doc.add_paragraph(style=style) if style is not None else self.doc.add_paragraph("• ")
                self._add_runs(p, runs)
            return
        if tag == "figcaption":
            style = self._style("Caption")
            p = self.doc.add_paragraph(style=style) if style is not None else self.doc.add_paragraph()
            self._add_runs(p, runs, size=Pt(9.5))
            return
        p = self.doc.add_paragraph()
        self._add_runs(p, runs, italic_all="ej-granskat" in cls or "oppet" in cls)
        if self._awaiting is not None:  # the text under a heading ("1. Uppdrag/Aktivitet" → the activity)
            self.after_heading[self._awaiting] = p.text
            self._awaiting = None
        if "ej-granskat" in cls or "oppet" in cls:
            for r in p.runs:
                r.font.color.rgb = PENDING if "ej-granskat" in cls else MUTED
        if "meta" in cls:
            for r in p.runs:
                r.font.color.rgb = MUTED

    # -- HTMLParser callbacks --------------------------------------------------------------
    def handle_starttag(self, tag, attrs_list):
        attrs = dict(attrs_list)
        if tag in SKIP or (tag == "header" and self.skip_header and "rapporthuvud" in (attrs.get("class") or "")):
            self.skip += 1
            return
        if self.skip:
            if tag == "header":
                self.skip += 1
            return
        if tag in HEADINGS or tag == "p":
            self._start_inline(tag, attrs)
        elif tag in ("ol", "ul"):
            self._flush()
            self.lists.append([tag, 0, attrs.get("class") or ""])
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
        elif tag in ("div", "section", "header", "figure"):
            self._flush()
        elif tag == "img":
            self._picture(attrs)
        elif tag == "figcaption":
            self._start_inline("figcaption", attrs)

    def _picture(self, attrs: dict) -> None:
        """An <img> with a PNG data URI (a results chart) as a picture 16 cm wide, its alt text
        in the drawing's description (what a screen reader reads in Word). Other images are left out."""
        import base64
        import binascii
        import io

        src = attrs.get("src") or ""
        if not src.startswith("data:image/png;base64,"):
            return
        self._flush()
        try:
            data = base64.b64decode(src.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            return
        width = min(Cm(16), self._text_width())
        self.doc.add_picture(io.BytesIO(data), width=width)
        paragraph = self.doc.paragraphs[-1]
        paragraph.paragraph_format.keep_with_next = True
        doc_pr = paragraph._p.find(".//" + qn("wp:docPr"))
        if doc_pr is not None:
            doc_pr.set("descr", xml_safe(attrs.get("alt") or "") or "")
            doc_pr.set("title", "Diagram")

    def handle_endtag(self, tag):
        if tag in SKIP or (tag == "header" and self.skip):
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in HEADINGS or tag in ("p", "li", "figcaption"):
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
        assert self.runs is not None  # a paragraph is open (_start_inline opened one)
        cls = next((c for c in reversed(self.cls_stack) if c), None)
        self.runs.append(_Run(data, bold=self.bold > 0, italic=self.italic > 0, cls=cls))

    def close(self):
        super().close()
        self._flush()

    # -- tables --------------------------------------------------------------------------
    def _text_width(self) -> int:
        s = self.doc.sections[-1]
        return int(s.page_width - s.left_margin - s.right_margin)

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
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        # Column widths: each column at least as wide as its longest word (so "Nämndmål" is not
        # broken letter by letter), the rest shared by how much text the column holds.
        small = Pt(9) if ncols >= 5 else Pt(10)
        char_cm = 0.16 if ncols >= 5 else 0.18
        longest = [0] * ncols
        amount = [0.0] * ncols
        for cells, is_head in rows:
            for i, (paras, _) in enumerate(cells):
                text = " ".join(r.text for runs in paras for r in runs)
                words = [len(w) for w in text.split()] or [0]
                # the header's words must fit whole; a cell's long word may wrap past 9 letters
                longest[i] = max(longest[i], max(words) + 1 if is_head else min(9, max(words)))
                amount[i] += 0 if is_head else len(text)
        total_w = self._text_width()
        floor = [Cm(min(4.5, 0.35 + char_cm * max(3, n))) for n in longest]
        spare = max(0, total_w - sum(floor))
        share = [math.sqrt(a / max(1, len(rows))) + 1 for a in amount]
        widths = [Emu(int(f + spare * (sh / sum(share) if sum(share) else 1 / ncols))) for f, sh in zip(floor, share, strict=True)]
        for cells, is_head in rows:
            row = table.add_row()
            if is_head:  # repeat the header row on every page
                tr_pr = row._tr.get_or_add_trPr()
                tr_pr.append(_el("w:tblHeader", w_val="true"))
            for i, (paras, is_th) in enumerate(cells):
                cell = row.cells[i]
                cell.width = widths[i]
                if is_head:
                    tc_pr = cell._tc.get_or_add_tcPr()
                    tc_pr.append(_el("w:shd", w_val="clear", w_color="auto", w_fill="DCE3EC"))
                first = True
                for runs in paras or [[]]:
                    p = cell.paragraphs[0] if first else cell.add_paragraph()
                    first = False
                    p.paragraph_format.space_after = Pt(2)
                    p.paragraph_format.line_spacing = 1.0
                    self._add_runs(p, runs, force_bold=is_th or is_head, size=small)
        for i, col in enumerate(table.columns):
            col.width = widths[i]
        # The grid is what LibreOffice (and Word, with autofit off) lays the table out by.
        for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            gc.set(qn("w:w"), str(int(w.twips if hasattr(w, "twips") else w / 635)))
        tbl_pr = table._tbl.tblPr
        for old in tbl_pr.findall(qn("w:tblW")):
            tbl_pr.remove(old)
        tbl_w = _el("w:tblW", w_w=str(sum(int(w / 635) for w in widths)), w_type="dxa")
        style_el = tbl_pr.find(qn("w:tblStyle"))
        (style_el.addnext(tbl_w) if style_el is not None else tbl_pr.insert(0, tbl_w))
        for old in tbl_pr.findall(qn("w:tblLayout")):
            tbl_pr.remove(old)
        tbl_pr.append(_el("w:tblLayout", w_type="fixed"))
        _order_tblpr(tbl_pr)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _table_of_contents(doc, anchor, headings: list[tuple[int, str, str]], after: dict[int, str | None] | None = None) -> None:
    """Before `anchor` (a paragraph): the heading "Innehåll", a TOC field whose result is the
    entries written out (text, dotted tab, PAGEREF to the heading's bookmark), a hint, a page break."""
    toc_heading = _style(doc, "TOC Heading")
    def before(style=None):
        p = doc.add_paragraph(style=style) if style is not None else doc.add_paragraph()
        anchor._p.addprevious(p._p)
        return p

    h = before(toc_heading)
    h.add_run("Innehåll")
    if toc_heading is None:
        h.runs[0].bold, h.runs[0].font.size = True, Pt(16)
    levels = {lvl: _ensure_style(doc, f"toc {lvl}", f"TOC{lvl}", left_cm=0.6 * (lvl - 1), bold=lvl == 1)
              for lvl in range(1, TOC_LEVELS + 1)}
    # The top level of the report is h2 (h1 is the title): h2 is "toc 1". The level below is
    # listed too unless its headings repeat ("Planerad insats …" under every insats): then
    # they say nothing about where to look.
    top = min((lvl for lvl, _, _ in headings), default=1)
    below = [(i, text) for i, (lvl, text, _) in enumerate(headings) if lvl == top + 1]
    generic = {re.sub(r"^\d+[.)]\s*", "", t) for _, t in below}
    named = dict(below)
    if below and len(generic) < len(below):
        # "1. Uppdrag/Aktivitet", "2. Uppdrag/Aktivitet": numbered generic headings are named by
        # the text under them (the activity); other repeating headings are left out.
        numbered = all(re.match(r"^\d+[.)]", t) and (after or {}).get(i) for i, t in below)
        if numbered:
            for i, t in below:
                m = re.match(r"^(\d+[.)])", t)
                under = (after or {}).get(i)
                assert m is not None and under  # `numbered` checked both
                n = m.group(1)
                text = " ".join(under.split())
                named[i] = f"{n} {text if len(text) <= 90 else text[:89].rstrip() + ' …'}"
            deepest = top + 1
        else:
            deepest = top
    else:
        deepest = top + 1 if below else top
    entries = [(lvl, named.get(i, text), mark) for i, (lvl, text, mark) in enumerate(headings) if top <= lvl <= deepest]
    first_p = None
    for i, (lvl, text, mark) in enumerate(entries):
        p = before(levels.get(min(TOC_LEVELS, lvl - top + 1)))
        if i == 0:
            first_p = p
            p.add_run()._r.append(_el("w:fldChar", w_fldCharType="begin", w_dirty="true"))
            instr = _el("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f' TOC \\o "{top}-{deepest}" \\h \\z \\u '
            p.add_run()._r.append(instr)
            p.add_run()._r.append(_el("w:fldChar", w_fldCharType="separate"))
        link = _el("w:hyperlink", w_anchor=mark, w_history="1")
        p._p.append(link)
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
        link.append(r)
        p.add_run("\t")
        _field(p, f"PAGEREF {mark} \\h", "")
        if i == len(entries) - 1:
            p.add_run()._r.append(_el("w:fldChar", w_fldCharType="end"))
    if first_p is None:  # no headings: an empty field Word fills on update
        p = before()
        _field(p, f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u', "")
    hint = before()
    hint.paragraph_format.space_before = Pt(12)
    r = hint.add_run(TOC_HINT)
    r.italic, r.font.size = True, Pt(8.5)
    r.font.color.rgb = MUTED
    brk = before()
    brk.add_run().add_break(WD_BREAK.PAGE)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@overload
def xml_safe(text: str) -> str: ...


@overload
def xml_safe(text: None) -> None: ...


def xml_safe(text: str | None) -> str | None:
    """Word's XML cannot hold C0 control characters: drop them (tab and newline stay)."""
    return _NOT_XML.sub("", text) if text else text


EXPORT_PIECE = 64 * 1024  # characters of HTML laid out between two looks at the clock


def check_deadline(deadline: float | None) -> None:
    """ServiceUnavailable (503) once time.monotonic() has passed `deadline`."""
    import time

    if deadline is not None and time.monotonic() > deadline:
        from kvalitet.errors import ServiceUnavailable

        raise ServiceUnavailable(
            "Exporten tog för lång tid och avbröts (KVALITET_EXPORT_TIMEOUT_SECONDS); dela upp rapporten eller "
            "exportera som Markdown / the export took too long and was stopped: split the report or export Markdown")


def html_to_docx(html: str, *, base: Path | None = None, title: str | None = None,
                 subject: str | None = None, author: str | None = None, meta: dict | None = None,
                 deadline: float | None = None) -> bytes:
    """The HTML of a report as a .docx file (bytes).

    `meta` (title, kind_label, unit, year, date, status, pending_sections, empty_sections) adds the title page,
    the table of contents, the header and the page-numbered footer; without it the HTML alone is
    laid out (its <h1> and meta lines included). `base`: a municipality's Word template.
    `deadline` (time.monotonic()): ServiceUnavailable when the layout runs past it (the HTML is
    laid out in pieces and the clock checked between them), so an export cannot run for minutes."""
    html = xml_safe(html)
    title, subject, author = (xml_safe(x) for x in (title, subject, author))
    if meta:
        meta = {k: xml_safe(v) if isinstance(v, str) else v for k, v in meta.items()}
    doc = Document(str(base)) if base else Document()
    if base is None:
        _house_style(doc)
    if title:
        doc.core_properties.title = title[:255]
    if subject:
        doc.core_properties.subject = subject[:255]
    if author:
        doc.core_properties.author = author[:255]
    anchor = None
    if meta:
        _header_footer(doc, meta, own=base is None)
        _title_page(doc, meta)
        anchor = doc.add_paragraph()  # the table of contents goes here once the headings are known
    builder = _Builder(doc, skip_header=bool(meta))
    for i in range(0, len(html), EXPORT_PIECE):
        builder.feed(html[i:i + EXPORT_PIECE])
        check_deadline(deadline)
    builder.close()
    if anchor is not None:
        _table_of_contents(doc, anchor, builder.headings, builder.after_heading)
        anchor._p.getparent().remove(anchor._p)
        _settings_child(doc, "w:updateFields", w_val="true")
    set_language(doc)  # last: every style, the ones made above included
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
