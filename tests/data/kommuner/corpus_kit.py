"""Builders and label helpers used by make_corpus.py.

Each builder writes one real file with the real library (python-docx plus raw OOXML,
reportlab, openpyxl, plain text) and records the headings it wrote, so that the outline in
the labels is the outline of the file. The labels themselves are written by hand in the
document modules; helpers here only keep table cells and table-row records in step.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import random
import re
from pathlib import Path

# --------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------

STATUS_MAP = {
    "genomförd": "Genomfört", "genomfört": "Genomfört", "klar": "Genomfört", "klart": "Genomfört",
    "uppnått": "Genomfört", "slutförd": "Genomfört", "slutfört": "Genomfört",
    "avslutad": "Genomfört", "avslutat": "Genomfört",
    "pågår": "Pågående", "påbörjad": "Pågående", "pågående": "Pågående", "påbörjat": "Pågående",
    "delvis genomförd": "Delvis genomfört", "delvis genomfört": "Delvis genomfört",
    "ej påbörjad": "Ej påbörjad", "ej påbörjat": "Ej påbörjad", "ej startad": "Ej påbörjad",
    "inte påbörjad": "Ej påbörjad", "inte påbörjat": "Ej påbörjad",
    "skjuts upp": "Uppskjuten", "uppskjuten": "Uppskjuten", "uppskjutet": "Uppskjuten",
    "flyttas till nästa år": "Uppskjuten",
    "kvarstår": "Kvarstår", "pausad": "Pausad", "pausat": "Pausad",
    "ej genomförd": "Ej genomfört", "ej genomfört": "Ej genomfört", "inte genomförd": "Ej genomfört",
}
COLOURS = {"grön": "Grön", "gul": "Gul", "röd": "Röd"}


def norm_status(raw):
    """(status, assessment) for a status word as written."""
    if raw is None:
        return None, None
    key = raw.strip().lower()
    if key in COLOURS:
        return None, COLOURS[key]
    if key not in STATUS_MAP:
        raise ValueError(f"status word without a normalisation: {raw!r}")
    return STATUS_MAP[key], None


def strip_marks(s):
    """Text as a reader sees it: '~' marks a soft-hyphen point in PDF prose."""
    return s.replace("~", "") if isinstance(s, str) else s


def phrase(text, start=2, n=8):
    """A distinctive run of words from a paragraph (exact text, for text_contains)."""
    words = strip_marks(text).split()
    if len(words) <= n:
        return " ".join(words)
    start = min(start, len(words) - n)
    return " ".join(words[start:start + n])


class Labels:
    def __init__(self, file, municipality, layout, doc_kind, year, school_year=None, period=None):
        self.data = {"file": file, "municipality": municipality, "layout": layout,
                     "doc_kind": doc_kind, "year": year, "school_year": school_year,
                     "period": period, "records": [], "outline": []}

    @property
    def records(self):
        return self.data["records"]

    def act(self, activity, status_raw=None, status=None, **fields):
        f = {"activity": strip_marks(activity)}
        for k, v in fields.items():
            if v is not None:
                f[k] = strip_marks(v)
        if status_raw is not None:
            st, colour = norm_status(status_raw)
            f["status"] = status if status is not None else st
            f["status_raw"] = status_raw
            if colour and "assessment" not in f:
                f["assessment"] = colour
        elif status is not None:
            f["status"] = status
        self.records.append({"kind": "aktivitet", "fields": f})

    def ind(self, indicator, outcome, **fields):
        f = {"indicator": strip_marks(indicator), "outcome": outcome}
        for k, v in fields.items():
            if v is not None:
                f[k] = strip_marks(v)
        self.records.append({"kind": "indikator", "fields": f})

    def cost(self, item, amount_tkr, **fields):
        f = {"item": strip_marks(item), "amount_tkr": amount_tkr}
        f.update({k: v for k, v in fields.items() if v is not None})
        self.records.append({"kind": "kostnad", "fields": f})

    def proc(self, month, activity, responsible=None):
        f = {"month": month, "activity": strip_marks(activity)}
        if responsible:
            f["responsible"] = responsible
        self.records.append({"kind": "process", "fields": f})

    def sec(self, kind, title, text_contains, activity=None):
        rec = {"kind": kind, "fields": {}, "title": strip_marks(title),
               "text_contains": strip_marks(text_contains)}
        if activity:
            rec["fields"]["activity"] = strip_marks(activity)
        self.records.append(rec)

    def write(self, path, outline):
        self.data["outline"] = [{"level": lv, "title": strip_marks(t)} for lv, t in outline]
        Path(path).write_text(json.dumps(self.data, ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")


def tkr(text):
    """Amount as written -> number in tkr ('1,2 mnkr' -> 1200, '450 000 kr' -> 450)."""
    s = text.replace("\u2212", "-").replace("\u00a0", " ").strip()
    m = re.match(r"^([+-]?\s?[\d ]+(?:,\d+)?)\s*(tkr|mnkr|mkr|kr|miljoner kronor)?$", s)
    if not m:
        raise ValueError(text)
    num = float(m.group(1).replace(" ", "").replace(",", "."))
    unit = m.group(2) or "tkr"
    if unit in ("mnkr", "mkr", "miljoner kronor"):
        num *= 1000
    elif unit == "kr":
        num /= 1000
    num = round(num, 1)
    return int(num) if num == int(num) else num


# --------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------
from docx import Document  # noqa: E402
from docx.enum.style import WD_STYLE_TYPE  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: E402
from docx.opc.packuri import PackURI  # noqa: E402
from docx.opc.part import Part  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Pt, RGBColor  # noqa: E402

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def _x(s):
    return html.escape(s, quote=True)


class DocxB:
    """python-docx document with raw OOXML for what python-docx has no API for.

    heading_mode: 'builtin' (Heading 1-3), 'custom' (own style names with outline levels)
    or 'bold' (bold Normal paragraphs as headings).
    """

    def __init__(self, title, created, author="Barn- och utbildningsförvaltningen",
                 heading_mode="builtin", font="Calibri", size=11, heading_color="1F3864",
                 custom_names=("Rubrik nivå 1", "Rubrik nivå 2", "Rubrik nivå 3"),
                 header_text=None, footer_text=None, subject=None, keywords=None):
        self.doc = Document()
        self.outline = []
        self.heading_mode = heading_mode
        self._footnotes = []
        self._rev = 100
        self._shape_id = 1
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.3)
        sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)
        normal = self.doc.styles["Normal"]
        normal.font.name = font
        normal.font.size = Pt(size)
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), font)
        normal.paragraph_format.space_after = Pt(6)
        colour = RGBColor.from_string(heading_color)
        for i, sz in ((1, 16), (2, 13), (3, 11.5)):
            st = self.doc.styles[f"Heading {i}"]
            st.font.name = font
            st.font.size = Pt(sz)
            st.font.color.rgb = colour
            st.font.bold = True
            st.font.italic = False
        self.custom_names = custom_names
        if heading_mode == "custom":
            for lvl, name in enumerate(custom_names):
                st = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
                st.base_style = self.doc.styles["Normal"]
                st.next_paragraph_style = self.doc.styles["Normal"]
                st.font.bold = True
                st.font.size = Pt((15, 12.5, 11)[lvl])
                st.font.color.rgb = colour
                st.paragraph_format.space_before = Pt((18, 12, 8)[lvl])
                st.paragraph_format.space_after = Pt(6)
                st.paragraph_format.keep_with_next = True
                ppr = st.element.get_or_add_pPr()
                ppr.append(parse_xml(f'<w:outlineLvl {NSDECL} w:val="{lvl}"/>'))
        cp = self.doc.core_properties
        cp.title = title
        cp.author = author
        cp.last_modified_by = author
        cp.created = created
        cp.modified = created + dt.timedelta(days=3, hours=2)
        cp.revision = 4
        cp.language = "sv-SE"
        if subject:
            cp.subject = subject
        if keywords:
            cp.keywords = keywords
        self._head_num_id = None
        if header_text:
            hp = sec.header.paragraphs[0]
            hp.text = header_text
            hp.runs[0].font.size = Pt(8.5)
            hp.runs[0].font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        fp = sec.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if footer_text:
            r = fp.add_run(footer_text + "    ")
            r.font.size = Pt(8.5)
        self._field_run(fp, "Sida ", None)
        self._field_run(fp, None, "PAGE")
        self._field_run(fp, " av ", None)
        self._field_run(fp, None, "NUMPAGES")

    # ---- low level -------------------------------------------------------------------
    def _field_run(self, para, text, field):
        if text is not None:
            r = para.add_run(text)
            r.font.size = Pt(8.5)
            return
        fld = parse_xml(
            f'<w:fldSimple {NSDECL} w:instr=" {field} \\* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="17"/></w:rPr>'
            f'<w:t>1</w:t></w:r></w:fldSimple>')
        para._p.append(fld)

    def _numbering_el(self):
        return self.doc.part.numbering_part.element

    def _add_abstract(self, levels, multilevel=True):
        """levels: list of (fmt, lvlText, indent_twips, hanging). Returns abstractNumId."""
        numbering = self._numbering_el()
        existing = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
        aid = max(existing + [0]) + 1
        lv = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{txt}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{ind}" w:hanging="{hang}"/></w:pPr></w:lvl>'
            for i, (fmt, txt, ind, hang) in enumerate(levels))
        kind = "multilevel" if multilevel else "singleLevel"
        el = parse_xml(f'<w:abstractNum {NSDECL} w:abstractNumId="{aid}">'
                       f'<w:multiLevelType w:val="{kind}"/>{lv}</w:abstractNum>')
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(el)
        else:
            numbering.append(el)
        return aid

    def _add_num(self, aid, restart=True):
        numbering = self._numbering_el()
        existing = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
        nid = max(existing + [0]) + 1
        ov = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>' if restart else ""
        numbering.append(parse_xml(f'<w:num {NSDECL} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>{ov}</w:num>'))
        return nid

    @staticmethod
    def _set_numpr(par, num_id, ilvl):
        ppr = par._p.get_or_add_pPr()
        el = parse_xml(f'<w:numPr {NSDECL}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
        before = [qn(f"w:{t}") for t in ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl")]
        prev = [c for c in ppr if c.tag in before]
        if prev:
            prev[-1].addnext(el)
        else:
            ppr.insert(0, el)

    def numbered_headings(self):
        """Word automatic numbering for headings: '%1.' and '%1.%2' via numPr."""
        aid = self._add_abstract([("decimal", "%1.", 432, 432), ("decimal", "%1.%2", 576, 576),
                                  ("decimal", "%1.%2.%3", 720, 720)])
        self._head_num_id = self._add_num(aid, restart=False)

    # ---- content ---------------------------------------------------------------------
    def h(self, level, text, numbered=False, page_break_before=False):
        self.outline.append((level, text))
        if self.heading_mode == "builtin":
            par = self.doc.add_paragraph(text, style=f"Heading {level}")
        elif self.heading_mode == "custom":
            par = self.doc.add_paragraph(text, style=self.custom_names[level - 1])
        else:  # bold Normal paragraph
            par = self.doc.add_paragraph()
            r = par.add_run(text)
            r.bold = True
            r.font.size = Pt((14, 12, 11)[level - 1])
            par.paragraph_format.space_before = Pt(12 if level == 1 else 8)
            par.paragraph_format.keep_with_next = True
        if page_break_before:
            par.paragraph_format.page_break_before = True
        if numbered and self._head_num_id:
            self._set_numpr(par, self._head_num_id, level - 2 if self._num_from_level2 else level - 1)
        return par

    _num_from_level2 = True

    def title(self, text, sub=None):
        """Document title as Heading 1 (or custom level 1 / bold)."""
        p = self.h(1, text)
        if sub:
            q = self.doc.add_paragraph()
            r = q.add_run(sub)
            r.italic = True
            r.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        return p

    def p(self, text, bold=False, italic=False, style=None, footnote=None):
        par = self.doc.add_paragraph(style=style)
        r = par.add_run(text)
        r.bold = bold or None
        r.italic = italic or None
        if footnote:
            self.footnote(par, footnote)
        return par

    def label_p(self, label, text):
        """'Ansvarig: Rektor' with the label in bold."""
        par = self.doc.add_paragraph()
        par.add_run(label).bold = True
        par.add_run(" " + text)
        return par

    def ul(self, items):
        for it in items:
            self.doc.add_paragraph(it, style="List Bullet")

    def ol(self, items, levels=None):
        """Automatically numbered list ('%1.' / '%1.%2'); the numbers are not in the text."""
        aid = self._add_abstract([("decimal", "%1.", 360, 360), ("decimal", "%1.%2", 792, 432)])
        nid = self._add_num(aid)
        for i, it in enumerate(items):
            par = self.doc.add_paragraph(it, style="List Paragraph")
            self._set_numpr(par, nid, (levels[i] if levels else 0))

    def page_break(self):
        self.doc.add_page_break()

    def footnote(self, par, text):
        fid = len(self._footnotes) + 1
        self._footnotes.append(text)
        par._p.append(parse_xml(
            f'<w:r {NSDECL}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{fid}"/></w:r>'))

    def tracked(self, segments, style=None, author="Kvalitetsutvecklare", date="2023-05-12T09:14:00Z"):
        """Paragraph with tracked changes: segments of ('t'|'ins'|'del', text)."""
        par = self.doc.add_paragraph(style=style)
        for kind, text in segments:
            t = _x(text)
            if kind == "t":
                par._p.append(parse_xml(f'<w:r {NSDECL}><w:t xml:space="preserve">{t}</w:t></w:r>'))
            else:
                self._rev += 1
                if kind == "ins":
                    par._p.append(parse_xml(
                        f'<w:ins {NSDECL} w:id="{self._rev}" w:author="{author}" w:date="{date}">'
                        f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:ins>'))
                else:
                    par._p.append(parse_xml(
                        f'<w:del {NSDECL} w:id="{self._rev}" w:author="{author}" w:date="{date}">'
                        f'<w:r><w:delText xml:space="preserve">{t}</w:delText></w:r></w:del>'))
        return par

    def textbox(self, title, text, width_cm=7.0, height_cm=4.2):
        """A floating text box (DrawingML wps with a VML fallback) anchored to a new paragraph."""
        self._shape_id += 1
        sid = self._shape_id
        cx, cy = int(width_cm * 360000), int(height_cm * 360000)
        inner = (f'<w:p><w:pPr><w:spacing w:after="60"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{_x(title)}</w:t></w:r></w:p>'
                 f'<w:p><w:pPr><w:spacing w:after="0"/></w:pPr><w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve">{_x(text)}</w:t></w:r></w:p>')
        xml = (
            f'<w:r {NSDECL}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            f'<wp:anchor distT="45720" distB="45720" distL="114300" distR="114300" simplePos="0" '
            f'relativeHeight="{251659264 + sid}" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            f'<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="margin"><wp:align>right</wp:align></wp:positionH>'
            f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="{sid}" name="Textruta {sid}"/><wp:cNvGraphicFramePr/>'
            f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:cNvSpPr txBox="1"><a:spLocks noChangeArrowheads="1"/></wps:cNvSpPr>'
            f'<wps:spPr bwMode="auto"><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="EAF1F8"/></a:solidFill>'
            f'<a:ln w="9525"><a:solidFill><a:srgbClr val="4F81BD"/></a:solidFill><a:miter lim="800000"/></a:ln></wps:spPr>'
            f'<wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx>'
            f'<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" anchor="t" anchorCtr="0"><a:noAutofit/></wps:bodyPr>'
            f'</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            f'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            f'<v:shape id="Textruta {sid}" o:spid="_x0000_s{1025 + sid}" type="#_x0000_t202" '
            f'style="position:absolute;margin-left:0;margin-top:0;width:{width_cm * 28.35:.1f}pt;height:{height_cm * 28.35:.1f}pt;'
            f'z-index:{251659264 + sid};mso-wrap-style:square;mso-position-horizontal:right;mso-position-horizontal-relative:margin" '
            f'fillcolor="#eaf1f8" strokecolor="#4f81bd"><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox>'
            f'<w10:wrap type="square"/></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')
        par = self.doc.add_paragraph()
        par._p.append(parse_xml(xml))
        return par

    def table(self, rows, header_rows=1, merges=(), widths=None, style="Table Grid", font_size=9,
              sdt=None, shade="D9E2F3", bold_first_col=False):
        """rows: list of lists (None = covered by a merge). merges: (r1, c1, r2, c2).
        sdt: {(r, c): (chosen, [options])} drop-down content controls."""
        ncols = max(len(r) for r in rows)
        t = self.doc.add_table(rows=len(rows), cols=ncols)
        if style:
            t.style = self.doc.styles[style]
        for ri, row in enumerate(rows):
            for ci in range(ncols):
                val = row[ci] if ci < len(row) else None
                cell = t.cell(ri, ci)
                if val is None or (sdt and (ri, ci) in sdt):
                    continue
                par = cell.paragraphs[0]
                lines = str(val).split("\n")
                for li, line in enumerate(lines):
                    if li:
                        par = cell.add_paragraph()
                    run = par.add_run(line)
                    run.font.size = Pt(font_size)
                    if ri < header_rows or (bold_first_col and ci == 0):
                        run.bold = True
                par.paragraph_format.space_after = Pt(2)
        if sdt:
            for (ri, ci), (chosen, options) in sdt.items():
                self._rev += 1
                items = '<w:listItem w:displayText="Välj ett objekt." w:value=""/>' + "".join(
                    f'<w:listItem w:displayText="{_x(o)}" w:value="{_x(o)}"/>' for o in options)
                par = t.cell(ri, ci).paragraphs[0]
                par._p.append(parse_xml(
                    f'<w:sdt {NSDECL}><w:sdtPr><w:rPr><w:sz w:val="{int(font_size * 2)}"/></w:rPr>'
                    f'<w:alias w:val="Status"/><w:tag w:val="status"/><w:id w:val="{48213000 + self._rev}"/>'
                    f'<w:dropDownList w:lastValue="{_x(chosen)}">{items}</w:dropDownList></w:sdtPr>'
                    f'<w:sdtContent><w:r><w:rPr><w:sz w:val="{int(font_size * 2)}"/></w:rPr>'
                    f'<w:t>{_x(chosen)}</w:t></w:r></w:sdtContent></w:sdt>'))
        for (r1, c1, r2, c2) in merges:
            t.cell(r1, c1).merge(t.cell(r2, c2))
        for ri in range(header_rows):
            tr = t.rows[ri]._tr
            trpr = tr.get_or_add_trPr()
            trpr.append(parse_xml(f'<w:tblHeader {NSDECL}/>'))
            if shade:
                for tc in tr.findall(qn("w:tc")):
                    tcpr = tc.get_or_add_tcPr()
                    tcpr.append(parse_xml(f'<w:shd {NSDECL} w:val="clear" w:color="auto" w:fill="{shade}"/>'))
        if widths:
            t.autofit = False
            for ci, w in enumerate(widths[:ncols]):
                t.columns[ci].width = Cm(w)
            for ri, row in enumerate(t.rows):
                for ci, cell in enumerate(row.cells):
                    if ci < len(widths):
                        cell.width = Cm(widths[ci])
        self.doc.add_paragraph().paragraph_format.space_after = Pt(2)
        return t

    def caption(self, text):
        par = self.doc.add_paragraph()
        r = par.add_run(text)
        r.italic = True
        r.font.size = Pt(9)
        return par

    # ---- save ------------------------------------------------------------------------
    def _write_footnotes(self):
        if not self._footnotes:
            return
        body = (
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            '<w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            '<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>')
        for i, text in enumerate(self._footnotes, 1):
            body += (f'<w:footnote w:id="{i}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
                     f'<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="16"/></w:rPr><w:footnoteRef/></w:r>'
                     f'<w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> {_x(text)}</w:t></w:r></w:p></w:footnote>')
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<w:footnotes {NSDECL}>{body}</w:footnotes>').encode("utf-8")
        part = Part(PackURI("/word/footnotes.xml"),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                    xml, self.doc.part.package)
        self.doc.part.relate_to(part, RT.FOOTNOTES)
        settings = self.doc.settings.element
        fpr = parse_xml(f'<w:footnotePr {NSDECL}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
        later = {qn(f"w:{t}") for t in ("endnotePr", "compat", "docVars", "rsids", "attachedSchema",
                                       "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                                       "doNotAutoCompressPictures", "forceUpgrade", "captions",
                                       "readModeInkLockDown", "smartTagType", "schemaLibrary",
                                       "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")}
        later.add("{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr")
        nxt = next((c for c in settings if c.tag in later), None)
        if nxt is not None:
            nxt.addprevious(fpr)
        else:
            settings.append(fpr)

    def save(self, path):
        self._write_footnotes()
        self.doc.save(str(path))


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_LEFT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas as rl_canvas  # noqa: E402
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, Image, KeepTogether,  # noqa: E402
                                NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer,
                                Table, TableStyle)

_FONTS_DONE = False
FONT_FAMILIES = {
    "helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
    "times": ("Times-Roman", "Times-Bold", "Times-Italic"),
    "liberation": ("LiberationSans", "LiberationSans-Bold", "LiberationSans-Italic"),
    "dejavu": ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"),
    "dejavuserif": ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"),
}


def _register_fonts():
    global _FONTS_DONE
    if _FONTS_DONE:
        return
    base = {"LiberationSans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
            "LiberationSans-Bold": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
            "LiberationSans-Italic": "/usr/share/fonts/truetype/liberation2/LiberationSans-Italic.ttf",
            "DejaVuSans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "DejaVuSans-Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
            "DejaVuSans-Oblique": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
            "DejaVuSerif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
            "DejaVuSerif-Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
            "DejaVuSerif-Italic": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf"}
    for name, path in base.items():
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(name, path))
    _FONTS_DONE = True


def _pdf_text(s, hyphenate):
    s = html.escape(s, quote=False)
    return s.replace("~", "\u00ad" if hyphenate else "")


# First parts of compounds (with linking -s) and common last parts: where a Swedish word
# processor's hyphenation would break a long word.
_FIRST = sorted(set("""matematik undervisnings utbildnings utvecklings kvalitets verksamhets förskole
grundskole grundsärskole gymnasie fritids kunskaps vårdnadshavar vårdnads elevhälso elev skol studie
läs språk introduktions observations implementerings schablon personal medarbetar kompetens sjuk
närvaro frånvaro kommun nämnd barn lärar budget ekonomi region stats yrkes behörighets modersmåls
handlings planerings instrument grupp livsmedels medborgar anmälnings trygghets lokal bemannings
resurs fördelnings samverkans special kartläggnings samarbets prognos investerings sommar lov
läxhjälps uppföljnings dokumentations reflektions organisations besluts utrednings arbets klass
ämnes betygs merit bedömnings årskurs lednings skolskjuts omklädnings utemiljö natur hälso
matematiklärar undervisning utbildning förskollärar lärplattforms digitaliserings säkerhets
kultur tillsyns åtgärds ansvars omsorgs integrations mottagande kommunövergripande""".split()),
                key=len, reverse=True)
_LAST = sorted(set("""undervisningen undervisning utbildningen utbildning arbetet området områden
enkäten planen planeringar programmet program ersättning organisationen förmåga huvudmannen
kommuner verksamheten verksamhet insatser resultaten resultat lärare lärarna uppföljningen
uppföljning utvecklingen kostnader kostnaderna skolor skolorna handledning anpassningar
fortbildning dokumentation""".split()), key=len, reverse=True)


def auto_marks(word):
    """'matematikundervisningen' -> 'matematik~undervisningen' (only long plain words)."""
    core = word.strip(".,;:()»«\"")
    if "~" in word or len(core) < 13 or not core.isalpha() or core.isupper():
        return word
    low = core.lower()
    points = set()
    for first in _FIRST:
        if low.startswith(first) and len(low) - len(first) >= 5:
            points.add(len(first))
            break
    for last in _LAST:
        if low.endswith(last) and len(low) - len(last) >= 5:
            points.add(len(low) - len(last))
            break
    if not points:
        return word
    off = word.index(core)
    out = core
    for p in sorted(points, reverse=True):
        out = out[:p] + "~" + out[p:]
    return word[:off] + out + word[off + len(core):]


class PdfB:
    """reportlab Platypus document: running header, 'Sida N av M' footer on every page
    (except scanned pages), ruled tables, optional two-column pages and image-only pages."""

    def __init__(self, path, title, header_left, header_right="", footer_left="", family="helvetica",
                 base_size=10, hyphenate=True, accent="1F4E79", author="Barn- och utbildningsförvaltningen",
                 footer_style="right", heading_sizes=(17, 13.5, 11)):
        _register_fonts()
        self.path = str(path)
        self.outline = []
        self.story = []
        self.hyphenate = hyphenate
        reg, bold, ital = FONT_FAMILIES[family]
        self.fonts = (reg, bold, ital)
        self.accent = colors.HexColor("#" + accent)
        self.title_text = title
        self.st_body = ParagraphStyle("body", fontName=reg, fontSize=base_size, leading=base_size * 1.35,
                                      spaceAfter=base_size * 0.6, embeddedHyphenation=1 if hyphenate else 0,
                                      uriWasteReduce=0.3, alignment=TA_LEFT)
        self.st_cell = ParagraphStyle("cell", fontName=reg, fontSize=base_size - 1.5,
                                      leading=(base_size - 1.5) * 1.25, embeddedHyphenation=0)
        self.st_hcell = ParagraphStyle("hcell", parent=self.st_cell, fontName=bold, textColor=colors.white,
                                       fontSize=base_size - 2, leading=(base_size - 2) * 1.2)
        self.st_h = [ParagraphStyle(f"h{i + 1}", fontName=bold, fontSize=sz, leading=sz * 1.25,
                                    spaceBefore=sz * (0.9 if i else 0.3), spaceAfter=sz * 0.45,
                                    textColor=self.accent if i < 2 else colors.black, keepWithNext=1)
                     for i, sz in enumerate(heading_sizes)]
        self.st_bullet = ParagraphStyle("bul", parent=self.st_body, leftIndent=14, bulletIndent=4,
                                        spaceAfter=base_size * 0.3)
        self.st_small = ParagraphStyle("small", parent=self.st_body, fontName=ital, fontSize=base_size - 2,
                                       leading=(base_size - 2) * 1.3)
        hdr = (header_left, header_right, footer_left, reg, ital, footer_style)

        class NumberedCanvas(rl_canvas.Canvas):
            def __init__(self, *a, **k):
                super().__init__(*a, **k)
                self._states = []
                self._skip_decor = False

            def showPage(self):
                self._states.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                n = len(self._states)
                for st in self._states:
                    self.__dict__.update(st)
                    if not st.get("_skip_decor"):
                        self._decorate(n)
                    rl_canvas.Canvas.showPage(self)
                rl_canvas.Canvas.save(self)

            def _decorate(self, n):
                hl, hr, fl, f_reg, f_it, fstyle = hdr
                w, h = A4
                self.saveState()
                self.setFont(f_reg, 8)
                self.setFillColor(colors.HexColor("#404040"))
                self.drawString(2.2 * cm, h - 1.3 * cm, hl)
                if hr:
                    self.drawRightString(w - 2.2 * cm, h - 1.3 * cm, hr)
                self.setStrokeColor(colors.HexColor("#9A9A9A"))
                self.setLineWidth(0.4)
                self.line(2.2 * cm, h - 1.45 * cm, w - 2.2 * cm, h - 1.45 * cm)
                self.line(2.2 * cm, 1.55 * cm, w - 2.2 * cm, 1.55 * cm)
                label = f"Sida {self._pageNumber} av {n}"
                if fl:
                    self.drawString(2.2 * cm, 1.1 * cm, fl)
                if fstyle == "center":
                    self.drawCentredString(w / 2, 1.1 * cm, label)
                else:
                    self.drawRightString(w - 2.2 * cm, 1.1 * cm, label)
                self.restoreState()

        self.canvasmaker = NumberedCanvas
        self._cols = 1
        self.author = author

    # content
    def h(self, level, text):
        self.outline.append((level, text))
        self.story.append(Paragraph(_pdf_text(text, False), self.st_h[level - 1]))

    def _width(self, indent=0):
        w = A4[0] - 2 * 2.2 * cm - 12
        if self._cols == 2:
            w = (w + 12 - 0.8 * cm) / 2 - 12
        return w - indent - 1.5

    def _wrap_hyphenated(self, text, style, indent=0):
        """Break lines ourselves and hyphenate the words that carry '~' marks when they
        straddle the line end, as a word processor with hyphenation does."""
        width = self._width(indent)
        fn, fs = style.fontName, style.fontSize
        sw = lambda s: pdfmetrics.stringWidth(s, fn, fs)  # noqa: E731
        lines, cur = [], ""
        for word in text.split():
            word = auto_marks(word)
            plain = word.replace("~", "")
            cand = (cur + " " + plain) if cur else plain
            if sw(cand) <= width:
                cur = cand
                continue
            done = False
            if "~" in word:
                parts = word.split("~")
                for k in range(len(parts) - 1, 0, -1):
                    head = "".join(parts[:k]) + "-"
                    c2 = (cur + " " + head) if cur else head
                    if sw(c2) <= width:
                        lines.append(c2)
                        cur = "".join(parts[k:])
                        done = True
                        break
            if not done:
                if cur:
                    lines.append(cur)
                cur = plain
        if cur:
            lines.append(cur)
        return "<br/>".join(html.escape(x, quote=False) for x in lines)

    def p(self, text, style=None):
        st = style or self.st_body
        if self.hyphenate:
            self.story.append(Paragraph(self._wrap_hyphenated(text, st), st))
        else:
            self.story.append(Paragraph(_pdf_text(text, self.hyphenate), st))

    def label_p(self, label, text):
        self.story.append(Paragraph(f"<b>{html.escape(label)}</b> " + _pdf_text(text, self.hyphenate),
                                    self.st_body))

    def small(self, text):
        self.story.append(Paragraph(_pdf_text(text, False), self.st_small))

    def ul(self, items):
        for it in items:
            txt = (self._wrap_hyphenated(it, self.st_bullet, 14) if self.hyphenate
                   else _pdf_text(it, self.hyphenate))
            self.story.append(Paragraph(txt, self.st_bullet, bulletText="\u2022"))
        self.story.append(Spacer(1, 4))

    def ol(self, items, fmt="{}."):
        for i, it in enumerate(items, 1):
            self.story.append(Paragraph(_pdf_text(it, self.hyphenate), self.st_bullet, bulletText=fmt.format(i)))
        self.story.append(Spacer(1, 4))

    def spacer(self, h=6):
        self.story.append(Spacer(1, h))

    def table(self, rows, widths, header_rows=1, spans=(), align_right_cols=(), zebra=True,
              header_bg=None, font_delta=0, grid=True):
        data = []
        for ri, row in enumerate(rows):
            out = []
            for ci, val in enumerate(row):
                if val is None:
                    out.append("")
                    continue
                st = self.st_hcell if ri < header_rows else self.st_cell
                if ci in align_right_cols and ri >= header_rows:
                    st = ParagraphStyle("r", parent=st, alignment=2)
                out.append(Paragraph(_pdf_text(str(val), False).replace("\n", "<br/>"), st))
            data.append(out)
        t = Table(data, colWidths=[w * cm for w in widths], repeatRows=header_rows)
        cmds = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5)]
        if grid:
            cmds.append(("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#6F6F6F")))
        else:
            cmds.append(("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, colors.black))
        if header_rows:
            cmds.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), header_bg or self.accent))
        cmds += [
                ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
        if zebra:
            for ri in range(header_rows, len(rows)):
                if (ri - header_rows) % 2 == 1:
                    cmds.append(("BACKGROUND", (0, ri), (-1, ri), colors.HexColor("#F2F2F2")))
        for (c1, r1, c2, r2) in spans:
            cmds.append(("SPAN", (c1, r1), (c2, r2)))
        t.setStyle(TableStyle(cmds))
        self.story.append(t)
        self.story.append(Spacer(1, 8))

    def page_break(self):
        self.story.append(PageBreak())

    def cond_break(self, h_cm):
        self.story.append(CondPageBreak(h_cm * cm))

    def two_columns(self):
        """Following content flows in two columns from the next page."""
        self._cols = 2
        self.story.append(NextPageTemplate("two"))
        self.story.append(PageBreak())

    def one_column(self):
        self._cols = 1
        self.story.append(NextPageTemplate("one"))
        self.story.append(PageBreak())

    def scanned_page(self, seed=7):
        """A page holding only an image (a scanned appendix): no text layer at all."""
        from PIL import Image as PILImage, ImageDraw, ImageFilter
        rnd = random.Random(seed)
        W, H = 827, 1169
        img = PILImage.new("L", (W, H), 246)
        d = ImageDraw.Draw(img)
        y = 120
        d.rectangle([90, 70, 420, 92], fill=70)
        while y < H - 140:
            if rnd.random() < 0.12:
                y += 26
                d.rectangle([90, y, 90 + rnd.randint(180, 380), y + 13], fill=60)
                y += 30
                continue
            x = 90
            end = W - 90 - rnd.randint(0, 160) if rnd.random() < 0.2 else W - 90
            while x < end:
                wlen = rnd.randint(18, 80)
                d.rectangle([x, y, min(x + wlen, end), y + 8], fill=rnd.randint(70, 120))
                x += wlen + rnd.randint(7, 12)
            y += 19
        d.ellipse([560, H - 190, 700, H - 130], outline=90, width=3)
        img = img.rotate(0.6, fillcolor=246).filter(ImageFilter.GaussianBlur(0.8))
        noise = PILImage.effect_noise((W, H), 18).point(lambda v: v // 6)
        img = PILImage.blend(img, noise.convert("L"), 0.06)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=45)
        buf.seek(0)
        self.story.append(NextPageTemplate("scan"))
        self.story.append(PageBreak())
        self.story.append(Image(buf, width=A4[0], height=A4[1]))
        self.story.append(NextPageTemplate("one"))
        self.story.append(PageBreak())

    def save(self):
        w, h = A4
        m = 2.2 * cm
        doc = BaseDocTemplate(self.path, pagesize=A4, leftMargin=m, rightMargin=m, topMargin=2.0 * cm,
                              bottomMargin=2.0 * cm, title=self.title_text, author=self.author,
                              creator="Microsoft Word", invariant=1, lang="sv-SE",
                              pageCompression=1)
        fw, fh = w - 2 * m, h - 4.0 * cm
        one = Frame(m, 2.0 * cm, fw, fh, id="one")
        gap = 0.8 * cm
        cw = (fw - gap) / 2
        left = Frame(m, 2.0 * cm, cw, fh, id="left")
        right = Frame(m + cw + gap, 2.0 * cm, cw, fh, id="right")
        scan = Frame(0, 0, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="scan")

        def deco(c, d):
            c._skip_decor = False

        def nodeco(c, d):
            c._skip_decor = True

        doc.addPageTemplates([PageTemplate("one", [one], onPage=deco),
                              PageTemplate("two", [left, right], onPage=deco),
                              PageTemplate("scan", [scan], onPage=nodeco)])
        doc.build(self.story, canvasmaker=self.canvasmaker)


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------
class HtmlB:
    """The report part of a municipality web page (goes inside <main>/<article>)."""

    def __init__(self):
        self.parts = []
        self.outline = []

    def h(self, level, text, id_=None):
        self.outline.append((level, text))
        ida = f' id="{id_}"' if id_ else ""
        self.parts.append(f"<h{level}{ida}>{html.escape(text, quote=False)}</h{level}>")

    def p(self, text, cls=None):
        c = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{c}>{html.escape(text, quote=False)}</p>")

    def raw(self, s):
        self.parts.append(s)

    def ul(self, items):
        self.parts.append("<ul>\n" + "\n".join(f"  <li>{html.escape(i, quote=False)}</li>" for i in items) + "\n</ul>")

    def ol(self, items):
        self.parts.append("<ol>\n" + "\n".join(f"  <li>{html.escape(i, quote=False)}</li>" for i in items) + "\n</ol>")

    def table(self, header, rows, caption=None, cls="tabell"):
        cap = f"\n  <caption>{html.escape(caption, quote=False)}</caption>" if caption else ""
        th = "".join(f'<th scope="col">{html.escape(c, quote=False)}</th>' for c in header)
        body = "\n".join("    <tr>" + "".join(f"<td>{html.escape(str(c), quote=False)}</td>" for c in r) + "</tr>"
                         for r in rows)
        self.parts.append(f'<table class="{cls}">{cap}\n  <thead>\n    <tr>{th}</tr>\n  </thead>\n  <tbody>\n{body}\n  </tbody>\n</table>')

    def html(self, indent="      "):
        return "\n".join(indent + line if line else line for part in self.parts for line in part.split("\n"))


# --------------------------------------------------------------------------------------
# Markdown / text
# --------------------------------------------------------------------------------------
class TextB:
    def __init__(self, markdown=True):
        self.lines = []
        self.outline = []
        self.md = markdown

    def h(self, level, text, underline=None):
        self.outline.append((level, text))
        if self.md:
            self.lines += ["#" * level + " " + text, ""]
        else:
            self.lines.append(text)
            if underline:
                self.lines.append(underline * len(text))
            self.lines.append("")

    def p(self, text):
        self.lines += [text, ""]

    def raw(self, text):
        self.lines.append(text)

    def ul(self, items, mark="-"):
        self.lines += [f"{mark} {i}" for i in items] + [""]

    def ol(self, items):
        self.lines += [f"{n}. {i}" for n, i in enumerate(items, 1)] + [""]

    def tsv(self, rows):
        self.lines += ["\t".join(r) for r in rows] + [""]

    def pipe(self, rows):
        self.lines.append("| " + " | ".join(rows[0]) + " |")
        self.lines.append("|" + "|".join("---" for _ in rows[0]) + "|")
        self.lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        self.lines.append("")

    def save(self, path, encoding="utf-8"):
        Path(path).write_text("\n".join(self.lines).rstrip() + "\n", encoding=encoding)


def write_csv(path, rows, encoding, delimiter=";"):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for r in rows:
        w.writerow(r)
    Path(path).write_bytes(buf.getvalue().encode(encoding))
