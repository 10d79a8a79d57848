"""The project's own types. Pipeline modules speak these; library types never leak out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal, get_args

from pydantic import BaseModel, Field, model_serializer

from kvalitet.domain.vocabulary import (  # noqa: F401  (re-exported: one vocabulary)
    DOC_KINDS,
    NORMAL_STATUSES,
    PERSPECTIVES,
    SECTION_KINDS,
    STATUSES,
    UNFINISHED_STATUSES,
    DocKind,
    SectionKind,
)


class Source(BaseModel):
    """Where a record stands: path relative to the corpus dir when possible; 1-based lines."""

    path: str
    page: int | None = None
    line_start: int
    line_end: int
    page_end: int | None = None  # the last page the text is on, when it runs over a page break

    @model_serializer(mode="wrap")
    def _without_empty_page_end(self, handler):
        """`page_end` appears in JSON only when the text runs over a page break."""
        data = handler(self)
        if isinstance(data, dict) and data.get("page_end") is None:
            data.pop("page_end", None)
        return data


@dataclass(frozen=True)
class Line:
    """One line of a document's text. `number` is 1-based across the whole document."""

    number: int
    text: str
    page: int | None = None


@dataclass
class DocumentText:
    """What a reader gives: the text of a file as numbered lines with their pages."""

    path: str
    lines: list[Line]
    media_type: str = "text/plain"

    @classmethod
    def from_text(cls, path: str, text: str, media_type: str = "text/plain") -> "DocumentText":
        return cls(
            path=path,
            lines=[Line(i + 1, t) for i, t in enumerate(text.split("\n"))],
            media_type=media_type,
        )

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def source(self, line_start: int, line_end: int) -> Source:
        """A Source for an inclusive 1-based line range: the page of its first line and, when
        the range runs onto later pages, `page_end` (the last page with text in the range)."""
        page = page_end = None
        idx = line_start - 1
        if not (0 <= idx < len(self.lines) and self.lines[idx].number == line_start):
            idx = next((i for i, ln in enumerate(self.lines) if ln.number == line_start), -1)
        if idx >= 0:
            page = self.lines[idx].page
            for ln in self.lines[idx:]:
                if ln.number > line_end:
                    break
                if ln.page is not None and ln.text.strip() and (page_end is None or ln.page > page_end):
                    page_end = ln.page
        if page_end is not None and page is not None and page_end <= page:
            page_end = None
        return Source(path=self.path, page=page, line_start=line_start, line_end=line_end, page_end=page_end)


class Record(BaseModel):
    """One unit of meaning recognised in a document: an activity row, a section, a cost line."""

    section_kind: str
    text: str
    title: str | None = None  # e.g. the heading of the section or insats
    activity: str | None = None
    goal: str | None = None  # nämndmål
    municipal_goal: str | None = None  # kommunövergripande mål
    perspective: str | None = None
    committee: str | None = None  # BiN, BoU, "BiN, BoU"
    deadline: str | None = None  # Q4, December, "Förskjuts till 2023*"
    postponed: bool = False  # moved relative to the plan (asterisk or "Förskjuts")
    status: str | None = None
    comment: str | None = None
    carried_from: int | None = None  # "Kvarstår från 2021" -> 2021
    amount_tkr: float | None = None
    month: str | None = None  # årshjul
    role: str | None = None  # årshjul (the role as the sample layout writes it)
    responsible: str | None = None  # Ansvarig: a role or function ("Rektor", "EHT")
    status_raw: str | None = None  # the status as written ("Delvis genomförd", "Grön")
    assessment: str | None = None  # Grön/Gul/Röd, Uppfyllt ...
    indicator: str | None = None  # indikator, nyckeltal, mått
    outcome: str | None = None  # utfall as written ("29,1 %")
    target: str | None = None  # målnivå/målvärde as written ("> 80")
    item: str | None = None  # the cost item of a kostnad record
    period: str | None = None  # "T3 2022", "2023", "delår augusti 2021"
    column: str | None = None  # the column header an amount stood under ("Budget 2023 (tkr)")
    source: Source


class OutlineEntry(BaseModel):
    """One heading of a document's outline (level 1 = top)."""

    level: int
    title: str
    page: int | None = None
    line: int = 0


class ParsedDocument(BaseModel):
    """What recognition makes of one document.

    `year_source` says where the year came from: "text", "metadata" or "filename" (None when
    there is no year). `school_year` is "2016/17" for a läsår; `period` a tertial, delår or
    month ("T3 2022", "delår augusti 2021"). `layout` names the layout recogniser that read the
    records when a named case was chosen by evidence (e.g. "pdf_text_merged_cells"), else
    "generic".
    """

    path: str
    doc_kind: str
    year: int | None
    title: str | None = None
    records: list[Record] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    year_source: str | None = None
    school_year: str | None = None
    period: str | None = None
    media_type: str = "text/plain"
    outline: list[OutlineEntry] = Field(default_factory=list)
    layout: str = "generic"


class Passage(BaseModel):
    """What is indexed: a record's text with flat metadata for filters and citations."""

    id: str
    text: str
    doc_path: str
    doc_kind: str
    year: int | None = None
    section_kind: str
    title: str | None = None
    activity: str | None = None
    goal: str | None = None
    municipal_goal: str | None = None
    perspective: str | None = None
    committee: str | None = None
    deadline: str | None = None
    postponed: bool = False
    status: str | None = None
    comment: str | None = None
    carried_from: int | None = None
    amount_tkr: float | None = None
    responsible: str | None = None
    status_raw: str | None = None
    assessment: str | None = None
    indicator: str | None = None
    outcome: str | None = None
    target: str | None = None
    item: str | None = None
    month: str | None = None
    period: str | None = None
    school_year: str | None = None
    year_source: str | None = None
    page: int | None = None
    page_end: int | None = None
    line_start: int = 0
    line_end: int = 0
    ordinal: int = 0  # position of the record in its document
    pii: list[str] = Field(default_factory=list)  # kinds of personal data found, e.g. ["namn"]

    @property
    def source(self) -> Source:
        return Source(
            path=self.doc_path, page=self.page, line_start=self.line_start, line_end=self.line_end,
            page_end=self.page_end,
        )

    @property
    def index_text(self) -> str:
        """What is embedded and BM25-indexed: the text, preceded by its activity (or heading)
        when the text does not name it, e.g. an Analys block under its Uppdrag/Aktivitet.
        Citations and quotes use `text` alone."""
        context = self.activity or self.title
        if context and context.lower() not in self.text.lower():
            return f"{context}: {self.text}"
        return self.text


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def passage_id(doc_path: str, record: Record) -> str:
    """Stable id: the same record of the same file always gets the same id."""
    key = "\x1f".join(
        [doc_path, record.section_kind, record.activity or "", record.text, str(record.source.line_start)]
    )
    return "p_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


class SearchFilters(BaseModel):
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    committee: str | None = None
    perspective: str | None = None
    status: str | None = None
    section_kind: str | None = None
    doc_kind: str | None = None


class Hit(BaseModel):
    passage: Passage
    score: float
    snippet: str  # text with matched words marked as <mark>…</mark> (HTML-escaped otherwise)
    ranks: dict[str, int] = Field(default_factory=dict)  # rank per retriever, 1-based
    sources: list[Source] = Field(default_factory=list)  # every place this text was found (duplicates collapsed)
    duplicates: list[str] = Field(default_factory=list)  # ids of the identical or near-identical passages folded in


@dataclass
class IngestReport:
    files: int = 0
    records: int = 0
    passages: int = 0
    embedded: int = 0  # passages whose vectors were computed (not from the cache)
    removed: int = 0
    unchanged_files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    kinds: dict[str, str] = field(default_factory=dict)  # path -> doc kind
    pii_findings: dict[str, int] = field(default_factory=dict)  # path -> personal-data findings
    # path -> the reader's and ingest's warnings ("Swedish / English"), only files that have any
    warnings: dict[str, list[str]] = field(default_factory=dict)


# ---- drafting ---------------------------------------------------------------------------
DraftSection = Literal["uppfoljning", "analys", "risker", "kostnader"]
DRAFT_SECTIONS: tuple[DraftSection, ...] = get_args(DraftSection)


class DraftRequest(BaseModel):
    activity: str = Field(..., min_length=1, max_length=2000)
    goal: str | None = Field(None, max_length=2000)
    status: str | None = Field(None, max_length=64)
    notes: str | None = Field(None, max_length=5000)
    sections: list[DraftSection] = Field(default_factory=lambda: list(DRAFT_SECTIONS))
    history_ids: list[str] = Field(default_factory=list)  # passage ids of this activity's history


class Citation(BaseModel):
    passage_id: str
    quote: str
    source: Source


class Grounding(BaseModel):
    supported: bool
    unsupported: list[str] = Field(default_factory=list)  # numbers, names, dates, bad citations
    pii: list[str] = Field(default_factory=list)  # kinds of personal data in the text
    # numbers that stand in no source but are derived from numbers that do, each with how:
    # "3 procentenheter = 14 % − 11 %", "fyra = 4 citerade rader"
    derived: list[str] = Field(default_factory=list)


class Suggestion(BaseModel):
    id: str
    kind: DraftSection
    text: str
    generator: str  # "extractive" | "llm"
    prompt_version: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    grounding: Grounding


class SectionDraft(BaseModel):
    kind: DraftSection
    suggestions: list[Suggestion]
    # Why the section has no suggestion (nothing in the evidence is about this activity): shown
    # to the reader, never a suggestion, so it can never be accepted into a report.
    notice: str | None = None


class Draft(BaseModel):
    activity: str
    sections: list[SectionDraft]
