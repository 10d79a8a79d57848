"""The roll-up's own shapes (API responses, CLI --json, web page, Word export)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kvalitet.domain.types import Citation, Source

UNIT_KINDS = ("förskola", "grundskola", "grundsärskola", "gymnasium", "gymnasiesärskola", "fritidshem",
              "vuxenutbildning", "annan")
KIND_PLURAL = {
    "förskola": "förskolor", "grundskola": "grundskolor", "grundsärskola": "grundsärskolor",
    "gymnasium": "gymnasieskolor", "gymnasiesärskola": "gymnasiesärskolor", "fritidshem": "fritidshem",
    "vuxenutbildning": "vuxenutbildningar", "annan": "enheter", None: "enheter",
}
KIND_SINGULAR = {
    "förskola": "förskola", "grundskola": "grundskola", "grundsärskola": "grundsärskola",
    "gymnasium": "gymnasieskola", "gymnasiesärskola": "gymnasiesärskola", "fritidshem": "fritidshem",
    "vuxenutbildning": "vuxenutbildning", "annan": "enhet", None: "enhet",
}
# What a passage does for a theme, recognised from its heading, its section kind or its words.
ASPECTS = ("utvecklingsomrade", "insats", "resultat", "analys", "risk", "ovrigt")
ASPECT_LABELS = {
    "utvecklingsomrade": "utvecklingsområde", "insats": "insats", "resultat": "resultat",
    "analys": "analys", "risk": "risk", "ovrigt": "nämns",
}
OUTCOME_LABELS = {"forbattrat": "förbättrat", "forsamrat": "försämrat", "oforandrat": "oförändrat", "blandat": "blandat"}


class UnitInfo(BaseModel):
    """A unit of the register: name (unique), kind, parent (an area or the huvudman), Kolada id."""

    id: int | None = None
    name: str
    kind: str | None = None
    parent: str | None = None
    kolada_id: str | None = None


class Mention(BaseModel):
    """One sentence of a unit's document that speaks of a theme, with where it stands."""

    passage_id: str
    quote: str  # the sentence, verbatim from the passage text
    source: Source
    title: str | None = None  # the heading it stands under
    aspect: str
    outcome: str | None = None
    status: str | None = None


class UnitTheme(BaseModel):
    """What one unit says about one theme."""

    unit: str
    kind: str | None = None
    aspects: list[str] = Field(default_factory=list)
    status: str | None = None
    outcome: str | None = None  # forbattrat | forsamrat | oforandrat | blandat | None
    did: list[str] = Field(default_factory=list)  # insats sentences: what they did
    mentions: list[Mention] = Field(default_factory=list)  # all, in document order

    @property
    def citations(self) -> list[Citation]:
        return [Citation(passage_id=m.passage_id, quote=m.quote, source=m.source) for m in self.mentions]


class Count(BaseModel):
    """A verifiable count: `n` of `of` units (of a kind) do something; `units` and `citations`
    are the evidence, one citation at least per unit (empty when anonymised)."""

    measure: str  # tar_upp | utvecklingsomrade | forbattrat | forsamrat | risk
    kind: str | None = None
    n: int
    of: int
    text: str
    units: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class ThemeResult(BaseModel):
    key: str
    label: str
    discovered: bool = False
    units: list[UnitTheme] = Field(default_factory=list)
    counts: list[Count] = Field(default_factory=list)
    summary: str = ""
    representative: list[Mention] = Field(default_factory=list)
    n_units: int = 0  # units that raise the theme (kept when the list is anonymised)


class Cell(BaseModel):
    aspects: list[str] = Field(default_factory=list)
    outcome: str | None = None
    mentions: int = 0
    passage_id: str | None = None  # the first mention: the drill-down target


class MatrixRow(BaseModel):
    unit: str
    kind: str | None = None
    reported: bool
    documents: list[str] = Field(default_factory=list)
    cells: dict[str, Cell] = Field(default_factory=dict)


class RollupResult(BaseModel):
    """A roll-up for a year over a set of units. For a rektor (`anonymised`), only their own
    unit's row and citations are present; totals stay."""

    year: int | None
    huvudman: str | None = None
    units: list[UnitInfo] = Field(default_factory=list)
    reported: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    n_units: int = 0
    n_reported: int = 0
    n_missing: int = 0
    themes: list[ThemeResult] = Field(default_factory=list)
    matrix: list[MatrixRow] = Field(default_factory=list)
    documents: int = 0
    passages: int = 0
    anonymised: bool = False
    viewer_unit: str | None = None
