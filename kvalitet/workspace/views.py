"""What the workspace hands out: our own pydantic shapes (API responses, CLI, web UI, chat)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kvalitet.domain.types import DRAFT_SECTIONS, Citation, Grounding

ReportKind = Literal["verksamhetsplan_uppfoljning", "aktivitetsuppfoljning", "kvalitetsrapport", "huvudmannarapport"]
Role = Literal["rektor", "kvalitetsutvecklare", "granskare", "admin"]
SuggestionState = Literal["pending", "accepted", "edited", "rejected"]
# A section at a glance:
#   empty    no suggestion yet
#   pending  at least one suggestion waits for review
#   reviewed nothing waits, at least one accepted or edited text goes into the report
#   rejected nothing waits and every suggestion was rejected (nothing goes in)
SectionState = Literal["empty", "pending", "reviewed", "rejected"]
ExportFormat = Literal["md", "html", "docx"]

KIND_LABELS = {
    "verksamhetsplan_uppfoljning": "Uppföljning av verksamhetsplan",
    "aktivitetsuppfoljning": "Uppföljning av fjolårets aktiviteter",
    "kvalitetsrapport": "Kvalitetsrapport",
    "huvudmannarapport": "Huvudmannens kvalitetsrapport",
}



def report_sections(kind: str) -> tuple[str, ...]:
    """The sections every activity of a report of `kind` has, in order: uppföljning, analys,
    risker and kostnader (DRAFT_SECTIONS); an item of the huvudman's report is one text (analys).
    What the page's overview shows and what progress counts (a missing one is empty)."""
    return ("analys",) if kind == "huvudmannarapport" else DRAFT_SECTIONS


class UserView(BaseModel):
    id: int | None
    name: str
    role: Role
    unit: str | None = None
    active: bool = True


class NewUser(BaseModel):
    """A user just created (or given a new token): the token is shown this once."""

    user: UserView
    token: str


class SuggestionView(BaseModel):
    """A suggestion as the API and the web show it (`GET /api/reports/{id}`, the review page)."""

    # where it stands: the report, the activity (item) and the section (uppfoljning, analys, ...)
    id: int
    report_id: int
    item_id: int
    section_id: int
    kind: str
    # what it says: the text as it is now, and as drafted when a reviewer has edited it
    text: str
    original_text: str | None = None
    # how it was made: extractive or llm, the prompt version, its sources and the grounding check
    generator: str
    prompt_version: str | None = None
    # `citations` are the sources the current text cites: after an edit only those its [p_…]
    # markers still name (none when the reviewer removed them all, and then grounding.supported is
    # False); `original_citations` the drafter's sources of original_text (empty unless edited)
    citations: list[Citation] = Field(default_factory=list)
    original_citations: list[Citation] = Field(default_factory=list)
    grounding: Grounding
    # its review: state, optimistic-locking version, the draft it came from, who and when
    state: SuggestionState
    version: int
    draft_ref: str | None = None
    created_by: str | None = None
    reviewed_by: str | None = None
    created_at: datetime
    reviewed_at: datetime | None = None


class SectionView(BaseModel):
    id: int
    kind: str
    state: SectionState
    suggestions: list[SuggestionView]


class ItemView(BaseModel):
    id: int
    report_id: int
    position: int
    activity: str
    goal: str | None = None
    status: str | None = None
    notes: str | None = None
    perspective: str | None = None
    area: str | None = None
    committee: str | None = None
    deadline: str | None = None
    comment: str | None = None
    responsible: str | None = None
    history_ids: list[str] = Field(default_factory=list)
    carried_from: int | None = None
    sections: list[SectionView] = Field(default_factory=list)
    # {section kind: notice}: sections the last draft left without a suggestion, and why
    draft_notices: dict[str, str] = Field(default_factory=dict)


class Progress(BaseModel):
    """Counts of sections by state and of suggestions by state.

    Every activity has one section of each draft kind (uppföljning, analys, risker,
    kostnader), so `total` is activities × 4; `sections` counts them by state (empty, pending,
    reviewed, rejected), "empty" counting sections with no suggestion at all: nothing written,
    or a draft that left only a notice ("Inget förslag: …"). A section with no text is not
    reviewed: `all_reviewed` holds only when no section is empty or pending.
    `ready_to_publish`: nothing waits and some text is approved (publishing may leave empty
    sections out; the page and the export say how many)."""

    total: int = 0
    sections: dict[str, int] = Field(default_factory=dict)
    suggestions: dict[str, int] = Field(default_factory=dict)
    ready_to_publish: bool = False
    all_reviewed: bool = False


class ReportSummary(BaseModel):
    id: int
    title: str
    kind: ReportKind
    kind_label: str
    year: int
    unit: str
    owner: str | None = None
    state: Literal["draft", "published"]
    published_path: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class ReportView(ReportSummary):
    items: list[ItemView] = Field(default_factory=list)
    progress: Progress = Field(default_factory=Progress)


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    user_id: int | None = None
    action: str
    object_type: str
    object_id: str
    report_id: int | None = None
    before: dict | None = None
    after: dict | None = None


class PublishResult(BaseModel):
    report: ReportSummary
    path: str  # relative to the corpus dir
    doc_kind: str | None = None  # as the parser recognised it
    passages: int = 0


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    media_type: str
    filename: str


# ---- input shapes (the API's request bodies; the services validate with the same) --------
class ReportIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: str = Field(..., min_length=1, max_length=500)
    kind: ReportKind
    year: int = Field(..., ge=2000, le=2100)
    unit: str | None = Field(None, min_length=1, max_length=200)


class ItemIn(BaseModel):
    """An activity (or, in a quality report, an insats: `area` is then its utvecklingsområde
    and `responsible` its Ansvar). Limits as DraftRequest's."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    activity: str = Field(..., min_length=1, max_length=2000)
    goal: str | None = Field(None, max_length=2000)
    status: str | None = Field(None, max_length=64)
    notes: str | None = Field(None, max_length=5000)
    perspective: str | None = Field(None, max_length=64)
    area: str | None = Field(None, max_length=200)
    committee: str | None = Field(None, max_length=64)
    deadline: str | None = Field(None, max_length=128)
    comment: str | None = Field(None, max_length=5000)
    responsible: str | None = Field(None, max_length=2000)
    history_ids: list[str] = Field(default_factory=list, max_length=200)
    carried_from: int | None = Field(None, ge=1900, le=2100)
