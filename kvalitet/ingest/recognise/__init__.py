"""Recognition: from a read Document (blocks with page and line provenance) to records.

    recognise(doc, metadata=None, hint=None) -> ParsedDocument
    inspect_dict(parsed)                        the JSON shape of `kvalitet inspect`

One mechanism for every layout (kvalitet.ingest.recognise.generic): sections by heading
hierarchy, tables through their header row, numbered and labelled blocks, planning-system rows,
amounts, years and periods (meta). The document kind is a hint, never a gate: an `okand`
document still gets sections and records.

Named layout recognisers (kvalitet.ingest.recognise.layouts) remain for layouts where the
generic reading cannot recover the structure because the reader lost it; each is chosen only by
evidence in the document itself, never by the file name:

- "pdf_text_merged_cells": follow-up tables whose PDF text has no cell boundaries ("Q4
  PågåendeLikvärdiga möjligheter"): a perspective/"Nämndmål Aktivitet" table without tabs.
- "table_rows_by_content": follow-up tables whose rows lack cells (goal cells merged, HTML
  lists inside cells, "Strategiskt utvecklingsuppdrag" rows), cells found by content.
- "numbered_uppdrag_blocks": "N. Uppdrag/Aktivitet" blocks with Uppföljning and Analys.
- "numbered_insatser": a quality report of numbered "Insatser inom …" with cost tables.
- "nar_vem_vad": an årshjul written as NÄR/VEM/VAD columns in text.
"""

from __future__ import annotations

import logging
import re

from kvalitet.domain.types import DocumentText, OutlineEntry, ParsedDocument, Record
from kvalitet.domain.vocabulary import DOC_KINDS, normalise_status
from kvalitet.ingest.model import Document
from kvalitet.ingest.recognise import layouts
from kvalitet.ingest.recognise.generic import recognise_blocks
from kvalitet.ingest.recognise.meta import doc_kind_from_title, find_dates
from kvalitet.ingest.recognise.textblocks import blocks_from_lines, to_document

log = logging.getLogger(__name__)

__all__ = ["recognise", "inspect_dict", "to_document", "choose_layout", "FIELDS"]

# The record fields `kvalitet inspect` shows, in this order, when they have a value.
FIELDS = (
    "activity", "goal", "municipal_goal", "committee", "responsible", "perspective", "deadline",
    "status", "status_raw", "comment", "indicator", "outcome", "target", "assessment", "item",
    "amount_tkr", "column", "month", "period",
)

_TAB_HTML_RE = re.compile(r"<(?:ul|li|ol|p|i|br)\b", re.I)


def choose_layout(text: DocumentText) -> str | None:
    """The named layout recogniser the document's evidence asks for, or None (generic)."""
    scores = layouts.kind_scores(text)
    if not scores:
        return None
    kind = max(scores.items(), key=lambda kv: kv[1])[0]
    lines = [ln.text for ln in text.lines]
    if kind == "verksamhetsplan_uppfoljning":
        tab_rows = [t for t in lines if "\t" in t.strip()]
        if len(tab_rows) < 2:
            return "pdf_text_merged_cells"
        # Rows that lack cells: HTML lists inside cells, "Strategiskt utvecklingsuppdrag" rows,
        # separator rows of a table exported to text.
        evidence = sum(1 for t in lines if layouts.STRAT_RE.search(t) or layouts.SEPARATOR_RE.match(t))
        evidence += sum(1 for t in tab_rows if _TAB_HTML_RE.search(t))
        return "table_rows_by_content" if evidence else None
    if kind == "aktivitetsuppfoljning":
        return "numbered_uppdrag_blocks"
    if kind == "kvalitetsrapport":
        if any(layouts.INSATS_RE.match(layouts.clean(t)) for t in lines):
            return "numbered_insatser"
        return None
    if kind == "arshjul":
        if any(layouts.WHEN_HEADER_RE.search(t) for t in lines):
            return "nar_vem_vad"
        return None
    return None


_LAYOUT_KIND = {
    "pdf_text_merged_cells": "verksamhetsplan_uppfoljning",
    "table_rows_by_content": "verksamhetsplan_uppfoljning",
    "numbered_uppdrag_blocks": "aktivitetsuppfoljning",
    "numbered_insatser": "kvalitetsrapport",
    "nar_vem_vad": "arshjul",
}


def _outline(doc: Document) -> list[OutlineEntry]:
    return [
        OutlineEntry(level=b.level or 1, title=" ".join(b.text.split()), page=b.page, line=b.line_start)
        for b in doc.blocks
        if b.kind == "heading" and b.text.strip()
    ]


def _doc_kind(doc: Document, records: list[Record], text: DocumentText, hint: str | None) -> str:
    candidates = [str(doc.metadata.get("title") or "")]
    for b in doc.blocks[:4]:
        if b.kind in ("heading", "paragraph") and len(b.text) <= 160:
            candidates.append(b.text)
    for c in candidates:
        k = doc_kind_from_title(c) if c else None
        if k:
            return k
    legacy = layouts.kind_of_prepared(text)
    if legacy != "okand":
        return legacy
    kinds = [r.section_kind for r in records]
    if kinds.count("process") >= 3:
        return "arshjul"
    with_status = sum(1 for r in records if r.section_kind == "aktivitet" and (r.status or r.status_raw))
    if with_status >= 3 and with_status >= 0.5 * kinds.count("aktivitet"):
        return "verksamhetsplan_uppfoljning"  # a follow-up of planned activities (e.g. a planning-system export)
    heads = " ".join(b.text for b in doc.blocks if b.kind == "heading")
    k = doc_kind_from_title(heads) if heads else None
    if k in ("kvalitetsrapport", "delarsrapport", "verksamhetsberattelse"):
        return k
    if hint in DOC_KINDS:
        return hint
    return "okand"


def _title(doc: Document) -> str | None:
    t = str(doc.metadata.get("title") or "").strip()
    if t:
        return t
    for b in doc.blocks[:3]:
        if b.kind == "heading":
            return " ".join(b.text.split())
        if b.kind == "paragraph" and len(b.text) <= 120 and b.text.strip()[-1:] not in ".!?":
            return re.sub(r"^\d{1,3}\s+(?=[A-ZÅÄÖ])", "", " ".join(b.text.split()))
        break
    return None


def _finish(records: list[Record], period: str | None, layout: str | None) -> None:
    """Status as written kept beside the normalised one; the document's period on indicators."""
    for r in records:
        if layout and r.section_kind == "aktivitet" and r.status and r.status_raw is None:
            r.status_raw = r.status
        if r.section_kind == "indikator" and r.period is None and period:
            r.period = period
        if r.section_kind == "aktivitet" and r.status_raw and r.status is None and r.assessment is None:
            s, a = normalise_status(r.status_raw)
            r.status, r.assessment = s, a
        if r.section_kind == "process" and r.responsible is None and r.role:
            r.responsible = r.role


def _bold_headings(doc: Document) -> None:
    """A whole-bold short paragraph with the shape of a heading ("Förutsättningar"), followed by
    text, is a heading: Word documents written without heading styles."""
    from kvalitet.ingest.recognise.textblocks import is_heading_text

    blocks = doc.blocks
    has_headings = any(b.kind == "heading" for b in blocks)
    for i, b in enumerate(blocks):
        if b.kind != "paragraph" or (b.style or "").lower() not in ("bold", "strong", "b"):
            continue
        if not is_heading_text(b.text) or i + 1 >= len(blocks):
            continue
        b.kind = "heading"
        b.level = 1 if i == 0 and not has_headings else 2


def _needs_judging(doc: Document) -> bool:
    if any(b.kind in ("heading", "list_item") or b.style for b in doc.blocks):
        return False
    if doc.media_type in ("text/plain", "application/pdf"):
        # Plain text, and a PDF set in one font: the reader found no heading by size or weight,
        # so headings, labels and list items can only be judged from the lines' shapes.
        return True
    return any(b.kind == "paragraph" and b.line_end > b.line_start for b in doc.blocks)


def recognise(document: Document | DocumentText, *, metadata: dict | None = None, hint: str | None = None) -> ParsedDocument:
    """Recognise a document's kind, title, year/läsår/period, outline and records.

    `document` is what a reader returns (a Document; a DocumentText is read into blocks by
    kvalitet.ingest.recognise.textblocks). `metadata` adds to the document's own (title,
    created...). `hint` is a document kind to fall back on when the text names none. Never raises
    on odd input: a recogniser that fails falls back to plain sections, with a warning.
    """
    doc = to_document(document, metadata)
    if _needs_judging(doc):
        # A reader that gives paragraphs and tables only (plain text; a PDF whose page came out
        # as lines): headings, labels and list items are judged here from the lines' shapes
        # (kvalitet.ingest.recognise.textblocks).
        breaks = frozenset(b.line_end for b in doc.blocks) if doc.media_type == "application/pdf" else frozenset()
        doc = Document(path=doc.path, media_type=doc.media_type, blocks=blocks_from_lines(doc.lines, breaks),
                       lines=doc.lines, metadata=doc.metadata, warnings=doc.warnings)
    _bold_headings(doc)
    if metadata:
        doc.metadata = {**metadata, **doc.metadata}
    text = layouts.normalise_spacing(layouts.demarkdown(doc.as_text()))
    warnings: list[str] = []
    layout = None
    try:
        layout = choose_layout(text)
    except Exception:  # pragma: no cover - evidence must never stop recognition
        log.exception("choosing a layout for %s failed", doc.path)
    records: list[Record] = []
    if layout:
        kind = _LAYOUT_KIND[layout]
        try:
            records = layouts.PARSERS[kind](text, warnings)
        except Exception as exc:  # one odd file must not stop an ingest
            log.exception("layout %s failed on %s", layout, doc.path)
            warnings.append(f"the {layout} layout failed ({type(exc).__name__}: {exc}); read generically")
            layout, records = None, []
    if not layout:
        try:
            records = recognise_blocks(doc, warnings)
        except Exception as exc:
            log.exception("generic recognition failed on %s", doc.path)
            warnings.append(f"recognition failed ({type(exc).__name__}: {exc}); kept as plain sections")
            records = layouts.narrative_records(text, text.lines)
    texts = [b.text for b in doc.blocks if b.text.strip()]
    dates = find_dates(texts, doc.metadata, doc.path)
    if layout:
        kind = _LAYOUT_KIND[layout]
        legacy_year = layouts.year_of_prepared(text)
        if legacy_year is not None:
            dates["year"], dates["year_source"] = legacy_year, "text"
        title = layouts.doc_title(text)
    else:
        kind = _doc_kind(doc, records, text, hint)
        title = _title(doc)
    if dates["period"] is None and dates["year"] and kind in ("verksamhetsberattelse", "verksamhetsplan_uppfoljning") \
            and (kind == "verksamhetsberattelse" or re.search(r"31 december|helår|hela året", " ".join(texts[:20]), re.I)):
        dates["period"] = f"helår {dates['year']}"  # an annual report covers the whole year
    _finish(records, dates["period"], layout)
    for w in doc.warnings:
        warnings.append(_warning_text(w))
    return ParsedDocument(
        path=doc.path, doc_kind=kind, year=dates["year"], title=title, records=records, warnings=warnings,
        year_source=dates["year_source"], school_year=dates["school_year"], period=dates["period"],
        media_type=doc.media_type, outline=_outline(doc), layout=layout or "generic",
    )


def _warning_text(w) -> str:
    """A reader's warning as "Swedish / English" (kvalitet.ingest.warnings holds the texts)."""
    from kvalitet.ingest.warnings import warning_texts

    sv, en = warning_texts(w)
    return sv if sv == en else f"{sv} / {en}"


def inspect_dict(parsed: ParsedDocument, path: str | None = None) -> dict:
    """The JSON object `kvalitet inspect --json` prints for one document (issue 13, part 3)."""
    return {
        "path": path or parsed.path,
        "media_type": parsed.media_type,
        "doc_kind": parsed.doc_kind,
        "title": parsed.title,
        "year": parsed.year,
        "year_source": parsed.year_source,
        "school_year": parsed.school_year,
        "period": parsed.period,
        "outline": [{"level": o.level, "title": o.title, "page": o.page, "line": o.line} for o in parsed.outline],
        "records": [
            {
                "kind": r.section_kind,
                "title": r.title,
                "text": r.text,
                "fields": {f: getattr(r, f) for f in FIELDS if getattr(r, f, None) not in (None, "")},
                "source": {"path": path or r.source.path, "page": r.source.page,
                           "line_start": r.source.line_start, "line_end": r.source.line_end},
            }
            for r in parsed.records
        ],
        "warnings": list(parsed.warnings),
    }
