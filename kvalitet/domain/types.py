"""The project's own types. Pipeline modules speak these; library types never leak out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

# Document kinds recognised from the text itself.
DocKind = Literal[
    "verksamhetsplan_uppfoljning",  # follow-up of the activity plan (tables per perspective)
    "aktivitetsuppfoljning",  # follow-up of last year's activities (Uppdrag/Aktivitet blocks)
    "kvalitetsrapport",  # quality report (insatser, risker, kostnader)
    "arshjul",  # the yearly process: when, who, what
    "rapport",  # a report published from the workspace
    "okand",  # not recognised: kept as narrative sections
]
DOC_KINDS: tuple[str, ...] = DocKind.__args__  # type: ignore[attr-defined]

# Section kinds carried by passages.
SectionKind = Literal[
    "aktivitet",  # an activity row of a follow-up table
    "uppfoljning",
    "analys",
    "kommentar",
    "insats",  # planned action of a quality report
    "mal",  # goals and expected effects
    "ansvar",
    "risk",
    "styrkor_svagheter",
    "kostnad",  # a cost line, amount in tkr
    "tidplan",
    "bakgrund",
    "nulagesanalys",
    "erfarenhetsspridning",
    "process",  # a step of the yearly process (årshjul)
    "text",  # anything else
]
SECTION_KINDS: tuple[str, ...] = SectionKind.__args__  # type: ignore[attr-defined]

PERSPECTIVES = ("Samhälle", "Medborgare", "Ekonomi", "Verksamhet", "Medarbetare")
STATUSES = ("Pågående", "Pågår", "Genomfört", "Klart", "Kvarstår", "Pausad", "Avslutad", "Ej påbörjad")
# Statuses that mean the activity is not finished and carries forward.
UNFINISHED_STATUSES = ("Pågående", "Pågår", "Kvarstår", "Pausad", "Ej påbörjad")


class Source(BaseModel):
    """Where a record stands: path relative to the corpus dir when possible; 1-based lines."""

    path: str
    page: int | None = None
    line_start: int
    line_end: int


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
        """A Source for an inclusive 1-based line range, with the page of its first line."""
        page = None
        for line in self.lines:
            if line.number == line_start:
                page = line.page
                break
        return Source(path=self.path, page=page, line_start=line_start, line_end=line_end)


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
    role: str | None = None  # årshjul
    source: Source


class ParsedDocument(BaseModel):
    path: str
    doc_kind: str
    year: int | None
    title: str | None = None
    records: list[Record] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


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
    page: int | None = None
    line_start: int = 0
    line_end: int = 0
    ordinal: int = 0  # position of the record in its document
    pii: list[str] = Field(default_factory=list)  # kinds of personal data found, e.g. ["namn"]

    @property
    def source(self) -> Source:
        return Source(path=self.doc_path, page=self.page, line_start=self.line_start, line_end=self.line_end)

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


# ---- drafting ---------------------------------------------------------------------------
DraftSection = Literal["uppfoljning", "analys", "risker", "kostnader"]
DRAFT_SECTIONS: tuple[str, ...] = DraftSection.__args__  # type: ignore[attr-defined]


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


class Draft(BaseModel):
    activity: str
    sections: list[SectionDraft]
