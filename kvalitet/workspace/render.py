"""Render a report through its Jinja2 template into Markdown or HTML (DOCX is built from the HTML).

One environment for every report template: autoescape for *.html.j2, StrictUndefined for all,
templates loaded by name from KVALITET_TEMPLATES_DIR first and the shipped templates/ second,
so a municipality overrides one template by putting a file with the same name in its dir.

What goes in: only accepted or edited text. A section whose suggestions still wait for review
is marked "Ej granskat – förslag väntar på granskning"; rejected text never appears, but a
section that was rejected (or that the template always shows and nobody drafted) says "Inget
godkänt underlag", so the committee sees it is open. Empty fields are left out, never "–".
The passage ids the drafter writes in the text ([p_0123456789abcdef]) become [1], [2], … in
order of first appearance, and the cited passages are listed under "Källor" with the same
numbers. Citations of an included suggestion that its text does not mention are appended to
the text, so that every listed source is referred to somewhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    pass_context,
    select_autoescape,
)
from markupsafe import Markup

from kvalitet.settings import BUILTIN_TEMPLATES
from kvalitet.errors import ConfigError
from kvalitet.domain.types import PERSPECTIVES, Citation

PENDING_LABEL = "Ej granskat – förslag väntar på granskning"
NO_BASIS_LABEL = "Inget godkänt underlag"
REJECTED_LABEL = NO_BASIS_LABEL
EMPTY_LABEL = NO_BASIS_LABEL
STATUS_REVIEWED = "Granskad"
STATUS_UNREVIEWED = "Ej färdiggranskad"
OTHER_PERSPECTIVE = "Övrigt"

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")


def swedish_date(value: datetime) -> str:
    """ "3 maj 2025", in Swedish time (a naive datetime is taken as UTC)."""
    from datetime import timezone

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    try:
        from zoneinfo import ZoneInfo

        value = value.astimezone(ZoneInfo("Europe/Stockholm"))
    except Exception:  # pragma: no cover - no time zone database: UTC
        pass
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


# [p_…] or [p_…, p_…] as the drafter writes them.
_PID = r"p_[0-9A-Za-z]{4,64}"
CITE_RE = re.compile(rf"\[\s*({_PID}(?:\s*[,;]\s*{_PID})*)\s*\]")
_PID_RE = re.compile(_PID)
_PARA_SPLIT = re.compile(r"\n[ \t]*\n+")


# ---- the render model --------------------------------------------------------------------
@dataclass
class Text:
    """Document text that may cite passages: an accepted/edited suggestion's text."""

    raw: str
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Section:
    kind: str
    state: str  # empty | pending | reviewed | rejected
    texts: list[Text]
    pending: int  # how many suggestions still wait

    @property
    def show(self) -> bool:
        """Whether an optional section (risker, kostnader) appears: it was drafted at all
        (text, a pending marker, or "Inget godkänt underlag" when every suggestion was rejected)."""
        return self.state != "empty" or bool(self.texts) or self.pending > 0

    @property
    def open(self) -> bool:
        """Nothing accepted and nothing waiting: the report says "Inget godkänt underlag"."""
        return not self.texts and not self.pending


@dataclass
class Figure:
    """A result beside an activity: a chart (PNG, base64) with its alternative text, the sentence
    drafts use, the data table behind it and its source ("Källa: Kolada (RKA)" or the reports)."""

    n: int
    title: str
    sentence: str
    alt: str
    png_b64: str
    table: dict
    source: str


@dataclass
class Item:
    n: int
    activity: str
    goal: str | None
    status: str | None
    perspective: str | None
    committee: str | None
    deadline: str | None
    comment: str | None
    responsible: str | None
    carried_from: int | None
    sections: dict[str, Section]
    area: str | None = None  # utvecklingsområde (quality report)
    figures: list[Figure] = field(default_factory=list)  # results over the years on its topic

    @property
    def development_area(self) -> str | None:
        """The quality report's utvecklingsområde: `area`, or a perspective that is not one of
        the plan's five (reports seeded from an older quality report carry it there)."""
        if self.area:
            return self.area
        if self.perspective and self.perspective not in PERSPECTIVES:
            return self.perspective
        return None


@dataclass
class Source:
    """A cited passage as the source list shows it: the document's title and year (from the
    catalog), the page (or lines, for text without pages) and the quoted words."""

    n: int
    passage_id: str
    path: str
    page: int | None
    line_start: int
    line_end: int
    quote: str
    title: str | None = None
    year: int | None = None

    @property
    def name(self) -> str:
        """The document's title, else its file name without folders and suffix, readable."""
        if self.title:
            return self.title
        stem = Path(self.path).name.rsplit(".", 1)[0]
        return re.sub(r"[-_]+", " ", stem).strip().capitalize() or self.path

    @property
    def where(self) -> str:
        """ "s. 4" or "rad 20–21": where in the document the words stand."""
        if self.page:
            return f"s. {self.page}"
        if self.line_start == self.line_end:
            return f"rad {self.line_start}"
        return f"rad {self.line_start}–{self.line_end}"

    @property
    def label(self) -> str:
        """ "Uppföljning av verksamhetsplan 2022 (2022), s. 4" (no quote)."""
        year = f" ({self.year})" if self.year and str(self.year) not in self.name else ""
        return f"{self.name}{year}, {self.where}"


class References:
    """Numbers cited passages in order of first appearance while the template renders.

    One number a passage; its source line quotes every distinct part of the passage the report
    cites ("…första citatet … ” … ”andra citatet…"), so a number never stands for words the list
    does not show (two suggestions may quote different sentences of one passage)."""

    def __init__(self, documents: dict[str, tuple[str | None, int | None]] | None = None) -> None:
        self._by_id: dict[str, Source] = {}
        self._known: dict[str, Citation] = {}
        self._quotes: dict[str, list[str]] = {}
        self._documents = documents or {}  # path -> (title, year)

    @property
    def sources(self) -> list[Source]:
        return sorted(self._by_id.values(), key=lambda s: s.n)

    def know(self, citations: Iterable[Citation]) -> None:
        for c in citations:
            self._known.setdefault(c.passage_id, c)
            quote = " ".join(c.quote.split())
            quotes = self._quotes.setdefault(c.passage_id, [])
            if quote and quote not in quotes:
                quotes.append(quote)
                if c.passage_id in self._by_id:  # numbered already: its source line shows this too
                    self._by_id[c.passage_id].quote = self._quote(c.passage_id)

    def _quote(self, pid: str) -> str:
        return "” … ”".join(self._quotes.get(pid, []))

    def number(self, pid: str) -> int | None:
        if pid in self._by_id:
            return self._by_id[pid].n
        c = self._known.get(pid)
        if c is None:
            return None
        title, year = self._documents.get(c.source.path, (None, None))
        src = Source(
            n=len(self._by_id) + 1, passage_id=pid, path=c.source.path, page=c.source.page,
            line_start=c.source.line_start, line_end=c.source.line_end, quote=self._quote(pid),
            title=title, year=year,
        )
        self._by_id[pid] = src
        return src.n


# ---- escaping ----------------------------------------------------------------------------
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]\s))")


def md_escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup: emphasis, links, code, HTML,
    table pipes, entities, and headings/lists/rules at the start of a line."""
    out = []
    for line in text.split("\n"):
        line = _MD_ENTITY.sub(r"\\&", _MD_INLINE.sub(r"\\\1", line))
        m = _MD_LINE_START.match(line)
        if m:
            lead, mark = m.group(1), m.group(2)
            rest = line[m.end():]
            if mark[0].isdigit():  # "1. " -> "1\. "
                line = f"{lead}{mark}\\{rest}"
            else:
                line = f"{lead}\\{mark}{rest}"
        out.append(line)
    return "\n".join(out)


def _paragraphs(raw: str) -> list[str]:
    raw = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in _PARA_SPLIT.split(raw) if p.strip()] if raw else []


def _render_pieces(text: str, refs: References, html_mode: bool) -> str:
    """Escape `text` for the target format, turning [p_…] into [n] for known passages."""
    esc = (lambda s: str(html.escape(s, quote=True))) if html_mode else md_escape
    out: list[str] = []
    pos = 0
    for m in CITE_RE.finditer(text):
        found = [refs.number(pid) for pid in _PID_RE.findall(m.group(1))]
        nums = [n for n in found if n is not None]
        if len(nums) < len(found):  # an id we have no citation for: leave it as text
            continue
        out.append(esc(text[pos:m.start()]))
        out.append(_ref_markup(nums, html_mode))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _ref_markup(nums: list[int], html_mode: bool) -> str:
    label = "[" + ", ".join(str(n) for n in nums) + "]"
    if html_mode:
        return f'<a class="ref" href="#kalla-{nums[0]}">{label}</a>'
    return label


def _with_uncited(value: "Text | str", refs: References) -> list[str]:
    """The paragraphs of `value`; citations the text does not mention appended as [n]."""
    if isinstance(value, Text):
        refs.know(value.citations)
        paras = _paragraphs(value.raw)
        mentioned = set(_PID_RE.findall(value.raw))
        extra = [c.passage_id for c in value.citations if c.passage_id not in mentioned]
        extra = list(dict.fromkeys(extra))
        if extra:
            tail = "[" + ", ".join(extra) + "]"
            if paras:
                paras[-1] = paras[-1] + " " + tail
            else:
                paras = [tail]
        return paras
    return _paragraphs("" if value is None else str(value))


def _rendered(ctx, value) -> tuple[list[str], bool]:
    """The value's paragraphs with their citations rendered, and whether the output is HTML."""
    refs: References = ctx["refs"]
    html_mode = bool(ctx.eval_ctx.autoescape)
    return [_render_pieces(p, refs, html_mode) for p in _with_uncited(value, refs)], html_mode


@pass_context
def block_filter(ctx, value) -> str:
    """Block text: Markdown paragraphs separated by blank lines, or HTML <p> elements."""
    paras, html_mode = _rendered(ctx, value)
    if html_mode:
        return Markup("\n".join("<p>" + p.replace("\n", "<br>\n") + "</p>" for p in paras))
    return "\n\n".join(paras)


@pass_context
def inline_filter(ctx, value) -> str:
    """Inline text (a heading, a table cell): line breaks become <br> in both formats."""
    paras, html_mode = _rendered(ctx, value)
    joined = "<br><br>".join(p.replace("\n", "<br>") for p in paras)
    return Markup(joined) if html_mode else joined


# ---- the environment ---------------------------------------------------------------------
@lru_cache(maxsize=8)
def environment(templates_dir: str | None) -> Environment:
    dirs: list[str] = []
    if templates_dir and Path(templates_dir).resolve() != BUILTIN_TEMPLATES.resolve():
        dirs.append(templates_dir)
    dirs.append(str(BUILTIN_TEMPLATES))
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in dirs]),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
    )
    env.filters["block"] = block_filter
    env.filters["inline"] = inline_filter
    env.globals.update(
        PENDING_LABEL=PENDING_LABEL, REJECTED_LABEL=REJECTED_LABEL, EMPTY_LABEL=EMPTY_LABEL,
        NO_BASIS_LABEL=NO_BASIS_LABEL, unreviewed=unreviewed,
    )
    return env


def unreviewed(meta: dict) -> str:
    """Why a report is not fully reviewed, from its meta's counts: "2 avsnitt väntar på
    granskning och 1 avsnitt saknar text" ("" when none waits and none is empty). An empty
    section has no text: nothing was drafted, or the draft left only a notice."""
    parts = []
    if meta.get("pending_sections"):
        parts.append(f"{meta['pending_sections']} avsnitt väntar på granskning")
    if meta.get("empty_sections"):
        parts.append(f"{meta['empty_sections']} avsnitt saknar text")
    return " och ".join(parts)


def template_name(kind: str, fmt: str) -> str:
    return f"{kind}.{fmt}.j2"


def group_by_perspective(items: list[Item]) -> list[tuple[str, list[Item]]]:
    """Items per perspective in the samples' order (Samhälle, Medborgare, Ekonomi, Verksamhet,
    Medarbetare), any other perspective after them, items without one last under "Övrigt"."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault(it.perspective or OTHER_PERSPECTIVE, []).append(it)
    known = [p for p in PERSPECTIVES if p in groups]
    rest = [p for p in groups if p not in PERSPECTIVES and p != OTHER_PERSPECTIVE]
    order = known + rest + ([OTHER_PERSPECTIVE] if OTHER_PERSPECTIVE in groups else [])
    return [(p, groups[p]) for p in order]


def render(
    *,
    kind: str,
    fmt: str,
    report: dict,
    items: list[Item],
    templates_dir: str | None,
    generated_at: datetime,
    documents: dict[str, tuple[str | None, int | None]] | None = None,
) -> str:
    """Render `items` of a report (`report`: title, kind_label, year, unit, state, owner,
    status, date). `documents`: path -> (title, year) of the cited documents."""
    env = environment(templates_dir)
    name = template_name(kind, fmt)
    try:
        template = env.get_template(name)
        return template.render(
            report=report,
            items=items,
            perspectives=group_by_perspective(items),
            refs=References(documents),
            generated_at=generated_at,
        )
    except TemplateNotFound as exc:
        raise ConfigError(f"Rapportmallen {name} saknas / report template not found: {exc.name}") from exc
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", None)  # a TemplateSyntaxError knows its line
        where = f" (rad {lineno})" if lineno else ""
        raise ConfigError(
            f"Rapportmallen {name} är felaktig{where}: {exc.message} / the report template is broken"
        ) from exc
