"""View helpers for the web pages: the Jinja2 environment, Swedish labels, dates and numbers.

Templates live in templates/web/ and are rendered with autoescape ON and StrictUndefined (a
missing variable is an error, not an empty string). The only strings marked safe are made here
from escaped parts: the retriever's snippet (escaped text with <mark>), and suggestion text
whose [p_…] markers become links to its citations.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date, datetime, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from kvalitet.settings import WEB_TEMPLATES
from kvalitet.domain.types import DRAFT_SECTIONS, PERSPECTIVES, STATUSES
from kvalitet.domain.vocabulary import SECTION_KIND_LABELS

TEMPLATES_DIR = WEB_TEMPLATES
STATIC_DIR = Path(__file__).resolve().parent / "static"

try:
    from zoneinfo import ZoneInfo

    LOCAL_TZ: tzinfo = ZoneInfo("Europe/Stockholm")
except Exception:  # pragma: no cover - no time zone database: show UTC
    LOCAL_TZ = timezone.utc

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")

ROLE_LABELS = {
    "rektor": "Rektor",
    "kvalitetsutvecklare": "Kvalitetsutvecklare",
    "granskare": "Granskare",
    "admin": "Administratör",
}
REPORT_KIND_LABELS = {
    "verksamhetsplan_uppfoljning": "Uppföljning av verksamhetsplan",
    "aktivitetsuppfoljning": "Uppföljning av fjolårets aktiviteter",
    "kvalitetsrapport": "Kvalitetsrapport",
    "huvudmannarapport": "Huvudmannens kvalitetsrapport",
}
DOC_KIND_LABELS = {
    **REPORT_KIND_LABELS,
    "verksamhetsberattelse": "Verksamhetsberättelse eller årsredovisning",
    "delarsrapport": "Delårs-, tertial- eller månadsrapport",
    "verksamhetsplan": "Verksamhetsplan",
    "protokoll": "Protokoll eller nämndhandling",
    "arshjul": "Årshjul (planering över året)",
    "rapport": "Rapport skriven i Kvalitet",
    "okand": "Okänd dokumenttyp",
}
# One passage's kind (the search filter, a hit's label): the vocabulary's section labels, singular
# where one passage is one of a kind, in the order the filter offers them.
_SINGULAR = {"aktivitet": "Aktivitet", "kommentar": "Kommentar", "insats": "Insats",
             "mal": "Mål och förväntade effekter", "process": "Årshjul"}
_FILTER_ORDER = ("aktivitet", "uppfoljning", "analys", "kommentar", "insats", "mal", "ansvar", "risk",
                 "styrkor_svagheter", "kostnad", "tidplan", "bakgrund", "nulagesanalys", "erfarenhetsspridning",
                 "process", "indikator", "nulage", "text")
PASSAGE_KIND_LABELS = {k: _SINGULAR.get(k, SECTION_KIND_LABELS[k]) for k in _FILTER_ORDER}
# Record fields as the document page names them (same order as `kvalitet inspect`).
RECORD_FIELD_LABELS = {
    "activity": "Aktivitet", "goal": "Mål", "municipal_goal": "Kommunövergripande mål", "committee": "Nämnd",
    "responsible": "Ansvarig", "perspective": "Perspektiv", "deadline": "Klart", "status": "Status",
    "status_raw": "Status som skrivet", "comment": "Kommentar", "indicator": "Indikator", "outcome": "Utfall",
    "target": "Målnivå", "assessment": "Bedömning", "item": "Post", "amount_tkr": "Belopp (tkr)",
    "month": "När", "period": "Period",
}
YEAR_SOURCE_LABELS = {"text": "ur texten", "metadata": "ur filens egenskaper", "filename": "ur filnamnet"}
SECTION_LABELS = {"uppfoljning": "Uppföljning", "analys": "Analys", "risker": "Risker", "kostnader": "Kostnader"}
COMMITTEE_LABELS = {"BiN": "Bildningsnämnden (BiN)", "BoU": "Barn- och ungdomsnämnden (BoU)"}
SUGGESTION_STATE_LABELS = {
    "pending": "Väntar på granskning",
    "accepted": "Godkänt",
    "edited": "Redigerat",
    "rejected": "Avvisat",
}
# A section at a glance (see section_display).
SECTION_STATE_LABELS = {**SUGGESTION_STATE_LABELS, "empty": "Inget förslag än"}
# The same, short enough for the overview table (the caption says what they are about).
SECTION_STATE_SHORT = {"pending": "Väntar", "accepted": "Godkänt", "edited": "Redigerat", "rejected": "Avvisat",
                       "empty": "Inget än"}
GENERATOR_LABELS = {
    "extractive": "Sammanställt direkt ur källorna",
    "llm": "Skrivet av språkmodellen",
    "chat": "Från chatten",
}
# Where a suggestion's text comes from once a reviewer has edited it (instead of GENERATOR_LABELS).
EDITED_LABEL = "Redigerat av granskare"
REPORT_STATE_LABELS = {"draft": "Utkast", "published": "Publicerad"}
PII_LABELS = {"namn": "namn", "personnummer": "personnummer", "samordningsnummer": "samordningsnummer",
              "epost": "e-postadress", "e-post": "e-postadress", "telefon": "telefonnummer"}

_PID = r"p_[0-9A-Za-z]{4,64}"
_CITE_RE = re.compile(rf"\[\s*({_PID}(?:\s*[,;]\s*{_PID})*)\s*\]")
_PID_RE = re.compile(_PID)
_PARA_SPLIT = re.compile(r"\n[ \t]*\n+")


# ---- dates and numbers --------------------------------------------------------------------
def _local(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LOCAL_TZ)


def sv_date(value: datetime | date | None) -> str:
    """3 maj 2025"""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def sv_datetime(value: datetime | None) -> str:
    """3 maj 2025 kl. 14.05 (Swedish time)"""
    if value is None:
        return ""
    local = _local(value)
    return f"{sv_date(local)} kl. {local.hour:02d}.{local.minute:02d}"


def iso(value: datetime | None) -> str:
    return _local(value).isoformat(timespec="minutes") if value else ""


def sv_number(value: int | float | None) -> str:
    """5 000 (non-breaking space between thousands), 2,5"""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        whole, frac = f"{value:.1f}".split(".")
        return f"{int(whole):,}".replace(",", "\u00a0") + "," + frac
    return f"{int(value):,}".replace(",", "\u00a0")


def plural(n: int, one: str, many: str) -> str:
    return f"{sv_number(n)} {one if n == 1 else many}"


# ---- safe markup made from escaped parts ----------------------------------------------
def snippet_markup(snippet: str) -> Markup:
    """The retriever's snippet is escaped text in which only <mark> and </mark> are tags.
    Trust it only after checking exactly that (so a change upstream cannot open a hole)."""
    check = snippet.replace("<mark>", "").replace("</mark>", "")
    if "<" in check or ">" in check:
        return Markup(escape(html.unescape(check)))
    return Markup(snippet)


def suggestion_markup(text: str, citations: list, anchor_prefix: str) -> Markup:
    """The suggestion's text as paragraphs; [p_…] markers become numbered links to its sources
    (the numbers of the source list below it). Everything else is escaped."""
    numbers = {c.passage_id: i for i, c in enumerate(citations, 1)}
    paras = []
    for para in _PARA_SPLIT.split(text.strip()):
        out, pos = [], 0
        for m in _CITE_RE.finditer(para):
            out.append(str(escape(para[pos:m.start()])))
            refs = []
            for pid in _PID_RE.findall(m.group(1)):
                n = numbers.get(pid)
                if n is None:
                    refs.append('<span class="ref-okand" title="Källan finns inte">?</span>')
                else:
                    refs.append(f'<a class="ref" href="#{escape(anchor_prefix)}-{n}">{n}</a>')
            out.append("[" + ", ".join(refs) + "]")
            pos = m.end()
        out.append(str(escape(para[pos:])))
        paras.append("<p>" + "".join(out).replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(paras))


def numbered_text(text: str, citations: list) -> str:
    """[p_…] markers as the numbers of the source list ([1], [2, 3]): what a reviewer edits."""
    numbers = {c.passage_id: i for i, c in enumerate(citations, 1)}

    def repl(m: re.Match) -> str:
        pids = _PID_RE.findall(m.group(1))
        if not all(p in numbers for p in pids):
            return m.group(0)
        return "[" + ", ".join(str(numbers[p]) for p in pids) + "]"

    return _CITE_RE.sub(repl, text)


_NUM_REF = re.compile(r"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]")


def marker_text(text: str, citations: list) -> str:
    """Back from numbers to [p_…] markers, for the numbers that name a source of the suggestion
    (anything else in brackets is left as the reviewer wrote it)."""
    ids = [c.passage_id for c in citations]

    def repl(m: re.Match) -> str:
        ns = [int(x) for x in re.findall(r"\d+", m.group(1))]
        if not all(1 <= n <= len(ids) for n in ns):
            return m.group(0)
        return "[" + ", ".join(ids[n - 1] for n in ns) + "]"

    return _NUM_REF.sub(repl, text) if ids else text


# The parser's warnings are English; the admin reads them in Swedish (unknown ones as they are).
_WARNINGS = [
    (re.compile(r"^a table row without activity text$"), "en tabellrad utan aktivitetstext"),
    (re.compile(r"^a table row with only one cell, kept as an activity$"), "en tabellrad med bara en cell, sparad som aktivitet"),
    (re.compile(r"^a table row without status, deadline or committee$"), "en tabellrad utan status, slutdatum eller nämnd"),
    (re.compile(r"^an activity without status$"), "en aktivitet utan status"),
    (re.compile(r"^a status without an activity$"), "en status utan aktivitet"),
    (re.compile(r"^(?P<head>.+) of '(?P<title>.*)' is empty$"), "{head} i ”{title}” är tom"),
    (re.compile(r"^no text under '(?P<head>.*)' \((?P<title>.*)\)$"), "ingen text under ”{head}” ({title})"),
    (re.compile(r"^the (?P<kind>\S+) parser failed \((?P<why>.*)\); kept as plain sections$"),
     "tolkningen som {kind} misslyckades ({why}); texten sparades som vanliga avsnitt"),
]
_WARNING_LINE = re.compile(r"^line (\d+): (.*)$", re.S)


def warning_sv(warning: str) -> dict:
    """{"text": the warning in Swedish, "line": its line number or None}."""
    line = None
    rest = warning
    m = _WARNING_LINE.match(warning)
    if m:
        line, rest = int(m.group(1)), m.group(2)
    elif warning.startswith("a section: "):
        rest = warning[len("a section: "):]
    for rx, sv in _WARNINGS:
        w = rx.match(rest)
        if w:
            rest = sv.format(**w.groupdict())
            break
    text = rest[:1].upper() + rest[1:]
    return {"text": text, "line": line}


def flag_text(flag: str) -> str:
    """A grounding flag ("siffra: 5 000 tkr") as a reviewer reads it ("siffra 5 000 tkr")."""
    kind, sep, rest = flag.partition(": ")
    if not sep:
        return flag
    kind = {"källa saknas": "källan finns inte", "citat stämmer inte": "citatet stämmer inte med källan"}.get(kind, kind)
    return f"{kind} {rest}"


# ---- links -----------------------------------------------------------------------------
def passage_url(path: str, passage_id: str | None = None, line_start: int | None = None,
                line_end: int | None = None, **extra) -> str:
    params: dict = {"path": path}
    if passage_id:
        params["passage"] = passage_id
    if line_start:
        params["fran"] = line_start
    if line_end:
        params["till"] = line_end
    params.update({k: v for k, v in extra.items() if v is not None})
    return "/dokument/visa?" + urlencode(params)


def source_text(path: str, page: int | None, line_start: int, line_end: int) -> str:
    parts = [path]
    if page:
        parts.append(f"sidan {page}")
    parts.append(f"rad {line_start}" if line_start == line_end else f"rad {line_start}–{line_end}")
    return ", ".join(parts)


# ---- sections at a glance --------------------------------------------------------------
def section_display(section) -> str:
    """pending | accepted | edited | rejected | empty: the one word a reviewer needs."""
    states = [s.state for s in section.suggestions]
    if not states:
        return "empty"
    if "pending" in states:
        return "pending"
    if "edited" in states:
        return "edited"
    if "accepted" in states:
        return "accepted"
    return "rejected"


# ---- the environment -------------------------------------------------------------------
@lru_cache(maxsize=64)
def _file_version(name: str, mtime: float) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """/static/app.css?v=<content hash>: a new file is fetched at once after an update."""
    path = STATIC_DIR / name
    return f"/static/{name}?v={_file_version(name, path.stat().st_mtime)}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        sv_date=sv_date, sv_datetime=sv_datetime, iso=iso, sv_number=sv_number, flag_text=flag_text,
        snippet=snippet_markup,
    )
    env.globals.update(
        static_url=static_url, passage_url=passage_url, source_text=source_text, plural=plural,
        section_display=section_display, suggestion_markup=suggestion_markup, numbered_text=numbered_text,
        warning_sv=warning_sv, clean_line=clean_line,
        ROLE_LABELS=ROLE_LABELS, REPORT_KIND_LABELS=REPORT_KIND_LABELS, DOC_KIND_LABELS=DOC_KIND_LABELS,
        PASSAGE_KIND_LABELS=PASSAGE_KIND_LABELS, SECTION_LABELS=SECTION_LABELS,
        RECORD_FIELD_LABELS=RECORD_FIELD_LABELS, YEAR_SOURCE_LABELS=YEAR_SOURCE_LABELS,
        COMMITTEE_LABELS=COMMITTEE_LABELS, SUGGESTION_STATE_LABELS=SUGGESTION_STATE_LABELS,
        SECTION_STATE_LABELS=SECTION_STATE_LABELS, SECTION_STATE_SHORT=SECTION_STATE_SHORT, GENERATOR_LABELS=GENERATOR_LABELS, EDITED_LABEL=EDITED_LABEL,
        REPORT_STATE_LABELS=REPORT_STATE_LABELS, PII_LABELS=PII_LABELS, DRAFT_SECTIONS=DRAFT_SECTIONS,
        PERSPECTIVES=PERSPECTIVES, STATUSES=STATUSES,
    )
    return env


def render(template_name: str, /, **context) -> str:
    return environment().get_template(template_name).render(**context)


# ---- the audit view ----------------------------------------------------------------------
ACTION_LABELS = {
    "report.create": "Skapade rapporten",
    "report.export": "Exporterade rapporten",
    "report.publish": "Publicerade rapporten",
    "report.reopen": "Öppnade rapporten igen",
    "report.carry_forward": "Skapade nästa års rapport",
    "report.from_document": "Skapade rapporten ur ett dokument",
    "report.import": "Läste in en aktivitetslista",
    "item.create": "Lade till en aktivitet",
    "item.draft": "Skapade utkast",
    "item.add_suggestions": "Lade in förslag",
    "suggestion.create": "Lade in ett förslag",
    "suggestion.accept": "Godkände ett förslag",
    "suggestion.reject": "Avvisade ett förslag",
    "suggestion.edit": "Redigerade ett förslag",
    "job.create": "Startade utkast för alla aktiviteter",
    "job.cancel": "Avbröt utkast för alla aktiviteter",
}
OBJECT_LABELS = {"report": "Rapporten", "item": "Aktivitet", "suggestion": "Förslag", "job": "Jobb", "user": "Användare"}
FIELD_LABELS = {
    "state": "Läge", "text": "Text", "original_text": "Ursprunglig text", "title": "Titel", "kind": "Typ",
    "year": "År", "unit": "Enhet", "published_path": "Publicerad som", "activity": "Aktivitet", "goal": "Nämndmål",
    "status": "Status", "notes": "Vad har hänt?", "perspective": "Perspektiv", "area": "Utvecklingsområde",
    "committee": "Nämnd", "deadline": "Slutfört", "comment": "Kommentar", "responsible": "Ansvar",
    "carried_from": "Kvarstår från", "format": "Format", "sections": "Avsnitt", "passages": "Stycken i indexet",
    "doc_kind": "Känns igen som", "items": "Aktiviteter", "total": "Avsnitt att skriva", "reviewed_by": "Granskad av",
    "generator": "Skrivet av", "generators": "Skrivet av", "suggestions": "Förslag",
}
_HIDDEN_FIELDS = {"version", "owner_id", "position", "history_ids", "prompt_version", "bytes", "created_by",
                  "reviewed_by", "draft_ref", "item_id", "section_id", "report_id", "citations", "grounding", "id"}
_MAX_VALUE = 400


def _audit_value(key: str, value, citations: list | None = None) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if key in ("text", "original_text") and citations:
        value = numbered_text(str(value), citations)  # [p_…] as the source numbers the report page shows
    if key == "state":
        return {**SUGGESTION_STATE_LABELS, **REPORT_STATE_LABELS}.get(str(value), str(value))
    if key == "kind":
        return REPORT_KIND_LABELS.get(str(value)) or SECTION_LABELS.get(str(value)) or str(value)
    if key == "doc_kind":
        return DOC_KIND_LABELS.get(str(value), str(value))
    if key == "sections" and isinstance(value, list):
        return ", ".join(SECTION_LABELS.get(str(v), str(v)) for v in value)
    if key in ("generator", "generators"):
        values = value if isinstance(value, list) else [value]
        return ", ".join(GENERATOR_LABELS.get(str(v), str(v)) for v in values)
    if key == "suggestions" and isinstance(value, list):
        return sv_number(len(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE].rstrip() + " …"


def audit_row(entry, citations: list | None = None) -> dict:
    """One line of a report's change log: when, who, what (in Swedish), on what, and the fields
    that changed with their value before and after ("–" for none). A creation lists what was set.
    `citations`: the suggestion's sources (objects with passage_id), if the entry is about one:
    its texts then cite [1], [2] as on the report page instead of the passages' ids."""
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for key in list(dict.fromkeys([*before.keys(), *after.keys()])):
        if key in _HIDDEN_FIELDS or key.endswith("_at"):
            continue
        b, a = before.get(key), after.get(key)
        if entry.before is not None and b == a:
            continue
        if entry.before is None and a in (None, "", []):
            continue
        changes.append({"field": FIELD_LABELS.get(key, key),
                        "before": _audit_value(key, b, citations) if entry.before is not None else None,
                        "after": _audit_value(key, a, citations)})
    return {
        "at": entry.at, "actor": entry.actor, "action": ACTION_LABELS.get(entry.action, entry.action),
        "code": entry.action, "object": f"{OBJECT_LABELS.get(entry.object_type, entry.object_type)} {entry.object_id}"
        if entry.object_type != "report" else OBJECT_LABELS["report"], "changes": changes,
    }


# ---- a source line as clean text ---------------------------------------------------------
# Layout markup that some sources carry in their text (the 2022 follow-up's cells hold
# <ul style=…>, <li>, <i>): read as structure, not shown as tags. Any other tag (<script>,
# <img …>) is document text and is shown as written, escaped, never run.
_LAYOUT_TAG = re.compile(r"</?(?:ul|ol|p|div|span|font|u|sup|sub|b|strong|small|center)(?:\s[^<>]*)?/?>", re.I)
_ITALIC_TAG = re.compile(r"</?(?:i|em)(?:\s[^<>]*)?>", re.I)
_BREAK_TAG = re.compile(r"<br\s*/?>|</li\s*>", re.I)
_ITEM_TAG = re.compile(r"<li(?:\s[^<>]*)?>", re.I)
_BULLET = re.compile(r"\s*([•○▪◦])\s+")
_PLACE_I, _PLACE_END_I = "\ue000", "\ue001"


def _inline_clean(text: str) -> str:
    """Escaped text with <i>…</i> kept as <em> (and nothing else as markup)."""
    depth, out = 0, []
    for piece in re.split(f"([{_PLACE_I}{_PLACE_END_I}])", text):
        if piece == _PLACE_I:
            out.append("<em>")
            depth += 1
        elif piece == _PLACE_END_I:
            if depth:
                out.append("</em>")
                depth -= 1
        else:
            out.append(str(escape(piece)))
    out.extend("</em>" for _ in range(depth))
    return "".join(out)


def _list_items(items: list[tuple[str, str]]) -> list[str]:
    """The opened <li> elements (without their </li>) for (bullet mark, text) pairs: a "○" or
    "◦" item after another item is nested in a <ul> inside the one before; empty items dropped."""
    lis: list[str] = []
    nested: list[str] = []

    def close_nested() -> None:
        if nested:
            lis[-1] = lis[-1] + "<ul>" + "".join(nested) + "</ul>"
            nested.clear()

    for mark, body in items:
        body = _inline_clean(" ".join(body.split()))
        if not body:
            continue
        if mark in "○◦" and lis:
            nested.append(f"<li>{body}</li>")
        else:
            close_nested()
            lis.append(f"<li>{body}")
    close_nested()
    return lis


def clean_line(text: str) -> Markup:
    """A line of a source document as a reader should see it: its cells (tab-separated) side by
    side, bullets ("•", "○", <li>) as a list ("○" nested), <i> as emphasis, other layout tags
    gone, everything else escaped."""
    cells = []
    for cell in (text or "").split("\t"):
        cell = _ITEM_TAG.sub(" • ", cell)
        cell = _BREAK_TAG.sub("\n", cell)
        cell = _LAYOUT_TAG.sub(" ", cell)
        cell = _ITALIC_TAG.sub(lambda m: _PLACE_END_I if m.group(0)[1] == "/" else _PLACE_I, cell)
        parts = _BULLET.split(cell)
        head, items = parts[0], [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
        html_parts = []
        head = " ".join(head.split())
        if head:
            html_parts.append(f'<span class="radcell-text">{_inline_clean(head)}</span>')
        lis = _list_items(items)
        if lis:
            html_parts.append('<ul class="radcell-lista">' + "".join(li + "</li>" for li in lis) + "</ul>")
        if html_parts:
            cells.append('<span class="radcell">' + "".join(html_parts) + "</span>")
    return Markup("".join(cells) or "&nbsp;")
