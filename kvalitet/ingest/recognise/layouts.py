"""The named layout recognisers: the sample layouts whose structure the reader lost.

kvalitet.ingest.recognise chooses one of these by evidence in the document (see its module
docstring for the names); everything else goes through the generic recognition. This module is
also the sample layouts' own API, kept for its checks (kvalitet.ingest.parsing re-exports it):

    detect_kind(doc)     one of types.DOC_KINDS, from the text only (never the file name)
    detect_year(doc)     the year the document reports on, from the content
    parse_document(doc)  a ParsedDocument with one Record per unit of meaning

Every Record carries `source` = doc.source(first, last) for exactly the lines it came from
and a clean `text` (HTML tags, bullets and extra whitespace removed) that is embedded and shown.

The shapes recognised are those of the sample corpus (see corpus/ and DESIGN.md):

* verksamhetsplan_uppfoljning: tables per perspective, either as tab-separated rows
  (DOCX/HTML, the 2022 follow-up with HTML lists inside cells) or as PDF text where the
  cells run into each other (the 2019 follow-up: "Q4 PågåendeLikvärdiga möjligheter").
* aktivitetsuppfoljning: numbered "N. Uppdrag/Aktivitet" blocks: an activity record each, with Uppföljning and Analys.
* kvalitetsrapport: Bakgrund, Nulägesanalys, numbered "Insatser inom ...", Risker,
  Tidplan och kostnader, Kostnadsberäkning (amounts in tkr).
* arshjul: "NÄR VEM VAD" tables of the yearly process.
* okand: anything else, split into headed sections so that every document stays searchable.

Run `python -m kvalitet.ingest.parsing FILE...` for a summary of what kvalitet.ingest.recognise
(the ingest path) recognises in each file, and `--check tests/data/activities_checked.json` to
compare activity rows with the hand-checked list.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from kvalitet.domain.types import PERSPECTIVES, DocumentText, Line, ParsedDocument, Record, Source
from kvalitet.domain.vocabulary import normalise_committee, normalise_status
from kvalitet.ingest.recognise.generic import labelled_text, split_long
from kvalitet.ingest.recognise.textblocks import blank_separated

log = logging.getLogger(__name__)

__all__ = ["clean", "detect_kind", "detect_year", "parse_document"]

# ============================================================================================
# Text cleaning
# ============================================================================================

_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
# Bullets as PDF readers give them (Symbol/Wingdings private-use code points) and the usual ones.
_BULLET_CHARS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf02d\u2022\u25cb\u25e6\u25aa\u25ab\u25a0\u25a1\u25cf\u25c6\u25ba\u27a2\u2023\u2043"
_BULLET_RE = re.compile("[" + re.escape(_BULLET_CHARS) + "]")
_WS_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
_ITEM_START_RE = re.compile(r"^\s*(?:[" + re.escape(_BULLET_CHARS) + r"]|<ul\b|<li\b|[-–*]\s)")


def clean(text: str) -> str:
    """Readable text: HTML tags and bullets removed, entities decoded, whitespace collapsed."""
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _BULLET_RE.sub(" ", text)
    text = _CONTROL_RE.sub(" ", text)  # what a PDF reader makes of a bullet it has no glyph for
    text = text.replace("\u00ad", "")  # soft hyphen
    return _WS_RE.sub(" ", text).strip()


_HYPHEN_END_RE = re.compile(r"[A-Za-zÅÄÖåäöÉé0-9]-$")
_KEEP_SPACE_AFTER_HYPHEN = {"och", "eller", "samt", "till", "respektive", "resp", "som"}


def join_lines(parts: Sequence[str]) -> str:
    """Join wrapped lines: "T1-" + "resultat" -> "T1-resultat", "kompetens-" + "och" keeps the space."""
    out = ""
    for part in parts:
        p = clean(part)
        if not p:
            continue
        if not out:
            out = p
            continue
        first_word = p.split(" ", 1)[0].strip(",.;:").lower()
        if _HYPHEN_END_RE.search(out[-3:]) and p[:1].islower() and first_word not in _KEEP_SPACE_AFTER_HYPHEN:
            out += p
        else:
            out += " " + p
    return out


def _ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in ".!?:;…"


def _labelled(parts: Sequence[tuple[str, str | None]]) -> str:
    """ "Aktivitet: X. Status: Y." from (label, value) pairs; values only stripped (already clean)."""
    return labelled_text(parts, str.strip)


def _shorten(text: str, limit: int = 150) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;: ")
    return cut + " …"


def _is_item_start(raw: str) -> bool:
    """A bullet item starts here: a bullet character, or the single leading space that is
    all a PDF reader leaves of a Symbol-font bullet (" Intensifiering av …")."""
    if _ITEM_START_RE.match(raw):
        return True
    return raw.startswith(" ") and not raw.startswith("  ") and raw[1:2].isupper()


def _para_text(raws: Sequence[str]) -> str:
    """The text of one paragraph; bullet items without final punctuation get a period."""
    items: list[list[str]] = []
    for raw in raws:
        if not items or _is_item_start(raw):
            items.append([raw])
        else:
            items[-1].append(raw)
    texts = [t for t in (join_lines(it) for it in items) if t]
    for i in range(len(texts) - 1):
        if not _ends_sentence(texts[i]):
            texts[i] += "."
    return " ".join(texts)


def _runs(doc: DocumentText, lines: Sequence[Line]) -> list[list[Line]]:
    """Runs of lines that follow each other in the document (a parser may hand on the lines it
    did not use, with gaps where other records stand)."""
    pos = {ln.number: i for i, ln in enumerate(doc.lines)}
    runs: list[list[Line]] = []
    for ln in lines:
        if runs and pos.get(ln.number, -9) == pos.get(runs[-1][-1].number, -9) + 1:
            runs[-1].append(ln)
        else:
            runs.append([ln])
    return runs


def _paragraphs(lines: Sequence[Line]) -> list[list[Line]]:
    """Paragraphs: lines with readable text (`clean`), broken at lines without."""
    return blank_separated(lines, clean)


def _paras_text(paras: Sequence[Sequence[Line]]) -> str:
    """Paragraphs joined; a paragraph broken by a page (next starts lowercase) joins plainly."""
    out = ""
    for para in paras:
        t = _para_text([ln.text for ln in para])
        if not t:
            continue
        if not out:
            out = t
        elif _ends_sentence(out) or not t[:1].isupper():
            out += " " + t
        else:
            out += ". " + t
    return out


def _has_words(text: str, n: int = 1) -> bool:
    return len(re.findall(r"[A-Za-zÅÄÖåäöÉé0-9]{2,}", text)) >= n


# ============================================================================================
# Vocabulary
# ============================================================================================

_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)
_MONTH_ANY = r"(?:" + "|".join(_MONTHS) + r"|jan|feb|apr|jun|jul|aug|sept?|okt|nov|dec)"
_MONTH_CAP = r"(?:" + "|".join(m.capitalize() for m in _MONTHS) + r")"

_STATUS_WORDS = (
    "Ej påbörjad", "Ej påbörjat", "Ej genomförd", "Ej genomfört", "Ej aktuell", "Pågående", "Pågår",
    "Genomfört", "Genomförd", "Klart", "Klar", "Kvarstår", "Pausad", "Pausat", "Avslutad",
    "Avslutat", "Påbörjad", "Påbörjat", "Försenad", "Avbruten", "Avbrutet", "Utgår", "Stoppad",
)
_STATUS_ALT = "|".join(sorted(_STATUS_WORDS, key=len, reverse=True))
_STATUS_CELL_RE = re.compile(rf"^(?:{_STATUS_ALT})\s*[.*]?$", re.I)

_DL_UNIT = (
    rf"(?:Q[1-4]|T[1-3]|{_MONTH_ANY}|v(?:ecka)?\s*\d{{1,2}}|(?:vt|ht)\s*-?\s*\d{{2,4}}"
    r"|(?:våren|hösten|vår|höst)(?:\s+\d{4})?|\d{4}(?:-\d{2}(?:-\d{2})?)?|löpande|årligen|årsskiftet)"
)
_DEADLINE_CELL_RE = re.compile(
    rf"^(?:(?:förskjuts|framflyttad|framflyttat|flyttad|flyttat|senarelagd|skjuts)\b.{{0,60}}"
    rf"|{_DL_UNIT}(?:\s*[/–-]\s*{_DL_UNIT})*(?:\s+\d{{4}})?\s*\**)$",
    re.I,
)
_POSTPONED_RE = re.compile(r"\*|förskjut|framflytt|flyttad|flyttat|senarelagd|skjuts", re.I)

_COMMITTEES = {"bin": "BiN", "bou": "BoU", "bun": "BUN", "un": "UN", "ks": "KS", "kf": "KF"}
_COMMITTEE_TOKEN = r"(?:[Bb][Ii][Nn]|[Bb][Oo][Uu]|BUN|UN|KS|KF|[A-ZÅÄÖ]{2,4})"
_COMMITTEE_CELL_RE = re.compile(rf"^{_COMMITTEE_TOKEN}(?:\s*(?:,|&|/|\+|och)\s*{_COMMITTEE_TOKEN})*$")

_CARRIED_END_RE = re.compile(
    r"\s*(?:<i>\s*)?\(?\s*Kvarstår\s+från\s+(?:budget\s+)?(20\d\d)\s*\.?\s*\)?\s*\.?\s*(?:</i>)?\s*$", re.I
)
_CARRIED_ANY_RE = re.compile(r"Kvarstår\s+från\s+(?:budget\s+)?(20\d\d)", re.I)

_HEADER_RE = re.compile(r"^\W*Nämndmål\s+Aktivitet\b", re.I)
_MUNI_RE = re.compile(r"^Kommunövergripande\s+mål\s*:\s*(.+)$", re.I)
STRAT_RE = re.compile(r"^Strategisk(?:t|a)?\s+utvecklingsuppdrag\s*:?\s*", re.I)
SEPARATOR_RE = re.compile(r"^[\s\-–—_=|+:]*-{2,}[\s\-–—_=|+:]*$")
_PAGE_NO_RE = re.compile(r"^(?:(?:sida|page|s\.)\s*)?\d{1,3}(?:\s*(?:av|/|of)\s*\d{1,3})?$", re.I)


def _norm_status(s: str) -> str:
    s = clean(s).rstrip(".*").strip()
    return s[:1].upper() + s[1:].lower()


def _norm_committee(s: str) -> str | None:
    out: list[str] = []
    for tok in re.split(r"\s*(?:,|&|/|\+|\boch\b)\s*", clean(s)):
        tok = tok.strip(" .")
        if not tok:
            continue
        value = _COMMITTEES.get(tok.lower(), tok.upper() if len(tok) <= 4 else tok)
        if value not in out:
            out.append(value)
    return ", ".join(out) or None


def _perspective_of(s: str) -> str | None:
    s = s.strip().rstrip(":")
    for p in PERSPECTIVES:
        if s == p or s == p.upper():
            return p
    return None


# ============================================================================================
# Kind and year
# ============================================================================================


def _collapsed(doc: DocumentText) -> str:
    return _WS_RE.sub(" ", clean(doc.text) if "<" in doc.text else doc.text)


def _stripped_lines(doc: DocumentText) -> list[str]:
    return [clean(ln.text) for ln in doc.lines]


_AU_BLOCK_RE = re.compile(r"^\s*(\d{1,3})\s*[.):]?\s*Uppdrag\s*/\s*aktivitet\b\s*:?\s*(.*)$", re.I)
_AU_SUB_RE = re.compile(r"^(Uppföljning|Analys|Kommentar|Resultat|Risker|Kostnader)(?:\s*:\s*(.*)|\s*)$", re.I)
INSATS_RE = re.compile(r"^(\d{1,2})\s*[.)]\s*(Insats(?:er)?\s+inom\b.*)$", re.I)
WHEN_HEADER_RE = re.compile(r"\bNÄR\s+VEM\s+VAD\b", re.I)


def kind_scores(doc: DocumentText) -> dict[str, float]:
    lines = [s for s in _stripped_lines(doc) if s]
    flat = _collapsed(doc)
    scores: dict[str, float] = {}

    # Follow-up of the activity plan: the table header, perspective headings, Qn + status.
    headers = len(re.findall(r"Nämndmål\s+Aktivitet\b", flat, re.I))
    perspectives = sum(1 for s in lines if _perspective_of(s))
    munis = sum(1 for s in lines if _MUNI_RE.match(s))
    anchors = len(re.findall(rf"\bQ[1-4]\s*(?:{_STATUS_ALT})", flat))
    cells = sum(
        1 for ln in doc.lines if "\t" in ln.text and any(_STATUS_CELL_RE.match(clean(c)) for c in ln.text.split("\t"))
    )
    vp = 4 * min(headers, 3) + min(perspectives, 5) + min(munis, 3) + 0.5 * min(anchors + cells, 10)
    if headers or (perspectives >= 2 and anchors + cells >= 3):
        scores["verksamhetsplan_uppfoljning"] = vp

    # Follow-up of last year's activities: numbered Uppdrag/Aktivitet blocks.
    blocks = sum(1 for s in lines if _AU_BLOCK_RE.match(s))
    subs = sum(1 for s in lines if _AU_SUB_RE.match(s))
    if blocks >= 2 or (blocks >= 1 and subs >= 2):
        scores["aktivitetsuppfoljning"] = 3 * min(blocks, 5) + min(subs, 5)

    # Quality report: numbered "Insatser inom ..." and the report's own headings.
    insatser = sum(1 for s in lines if INSATS_RE.match(s))
    kr_heads = {_kr_heading(s) for s in lines} - {None}
    tkr = sum(1 for s in lines if _COST_RE.match(s))
    kr = 3 * min(insatser, 4) + 1.5 * len(kr_heads) + 0.5 * min(tkr, 6)
    if (insatser and len(kr_heads) >= 2) or len(kr_heads) >= 4:
        scores["kvalitetsrapport"] = kr

    # The yearly process: NÄR VEM VAD tables, rows starting with a month and a role.
    when_headers = len(WHEN_HEADER_RE.findall(flat))
    month_rows = sum(1 for s in lines if _WHEN_RE.match(s) and _VEM_RE.match(_WHEN_RE.sub("", s, 1).strip()))
    tertial = len(re.findall(r"\bT[123]\b|\btertial", flat, re.I))
    if when_headers or month_rows >= 4:
        scores["arshjul"] = 6 * min(when_headers, 2) + min(month_rows, 6) + min(tertial, 3)
    return scores


def detect_kind(doc: DocumentText) -> str:
    """The kind of document, from its text only. "okand" when no shape is recognised.

    A report published from the workspace (Markdown) is recognised as the kind of report it
    is, since it has that kind's shape; "rapport" is not given from the text alone."""
    return kind_of_prepared(demarkdown(doc))


def kind_of_prepared(doc: DocumentText) -> str:
    scores = kind_scores(doc)
    if not scores:
        return "okand"
    return max(scores.items(), key=lambda kv: kv[1])[0]


_YEAR_RE = re.compile(r"(?<![\d-])(20\d\d)(?!\d)")
_EXPLICIT_YEAR_RES = [
    re.compile(r"\bverksamhetsplan(?:en)?\s+(?:för\s+)?(?:år\s+)?(20\d\d)(?!\d)", re.I),
    re.compile(r"\bkvalitetsrapport(?:en)?\s+(?:för\s+)?(?:år\s+|läsåret\s+)?(20\d\d)(?!\d)", re.I),
    re.compile(r"\bverksamhetsberättelse(?:n)?\s+(?:för\s+)?(20\d\d)(?!\d)", re.I),
    re.compile(r"\bårsredovisning(?:en)?\s+(?:för\s+)?(20\d\d)(?!\d)", re.I),
    re.compile(r"\bläsåret\s+(20\d\d)\s*[/–-]\s*(?:20)?\d\d(?!\d)", re.I),
    re.compile(r"(?:^|·\s*)År:\s*(20\d\d)(?!\d)", re.M),  # the meta line of a published report
]
# Years that point elsewhere: carried over from, postponed to.
_NOT_THE_YEAR_RE = re.compile(
    r"(?:\b(?:från|till|t\.o\.m\.?|tom|senast|inför)\s+(?:budget\s+|hösten\s+|våren\s+)?)(20\d\d)(?!\d)", re.I
)


def detect_year(doc: DocumentText) -> int | None:
    """The year the document reports on.

    An explicit "verksamhetsplan 2022" / "kvalitetsrapport 2020" / "läsåret 2020/2021" near
    the top wins; then such a pattern anywhere (the first); else the most frequent year
    2000-2099 of the text (not counting "Kvarstår från 2021", "Förskjuts till 2023"), ties to
    the latest.
    """
    return year_of_prepared(demarkdown(doc))


def year_of_prepared(doc: DocumentText) -> int | None:
    texts = [clean(ln.text) for ln in doc.lines]
    nonempty = [t for t in texts if t]
    head = " \n ".join(nonempty[:15])
    whole = " \n ".join(nonempty)
    for region in (head, whole):
        best: tuple[int, int] | None = None  # (position, year)
        for rx in _EXPLICIT_YEAR_RES:
            m = rx.search(region)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), int(m.group(1)))
        if best:
            return best[1]
    masked = _NOT_THE_YEAR_RE.sub(" ", whole)
    counts = Counter(int(y) for y in _YEAR_RE.findall(masked))
    if not counts:
        counts = Counter(int(y) for y in _YEAR_RE.findall(whole))
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def doc_title(doc: DocumentText) -> str | None:
    for ln in doc.lines:
        s = clean(ln.text)
        if not s:
            continue
        if "\t" in ln.text or len(s) > 120 or _ends_sentence(s) or _kr_heading(s):
            return None
        return s.capitalize() if _is_caps_title(s) else s
    return None


# ============================================================================================
# Narrative sections (any document)
# ============================================================================================

_MAX_CHARS = 1500


def _is_heading_like(s: str) -> bool:
    s = clean(s)
    if not s or len(s) > 90 or len(s.split()) > 12:
        return False
    if s[-1] in ".,;!?…":
        return False
    return s[0].isupper() or s[0].isdigit()


def _trivial(lines: Sequence[Line]) -> bool:
    """Titles, lists of names, tables of contents: nothing worth a passage in a typed document."""
    texts = [clean(ln.text) for ln in lines]
    if not _has_words(" ".join(texts), 6):
        return True
    return not any(_ends_sentence(t) or len(t) > 80 for t in texts)


def narrative_records(
    doc: DocumentText,
    lines: Sequence[Line],
    *,
    kind: str = "text",
    skip_trivial: bool = False,
    title: str | None = None,
) -> list[Record]:
    """Headed sections ("headings = short lines without final period followed by text") as
    records of `kind`; long sections are cut at paragraph boundaries."""
    runs = _runs(doc, lines)
    if len(runs) > 1:
        return [r for run in runs for r in narrative_records(doc, run, kind=kind, skip_trivial=skip_trivial, title=title)]
    paras = []
    for para in _paragraphs(lines):
        # "Beslut om budget" / "Nämnden beslutar …": a heading right on top of its text.
        if len(para) >= 2 and _is_heading_like(para[0].text) and len(clean(para[0].text)) <= 70:
            second = clean(para[1].text)
            if second[:1].isupper() and not _wants_more(clean(para[0].text)) and not _is_heading_like(para[1].text):
                paras += [[para[0]], para[1:]]
                continue
        paras.append(para)
    if skip_trivial:
        # A heading left alone at the end of a region (the next heading is another parser's).
        while paras and len(paras[-1]) == 1 and _is_heading_like(paras[-1][0].text):
            paras.pop()
    sections: list[tuple[Line | None, list[list[Line]]]] = []
    heading: Line | None = None
    body: list[list[Line]] = []
    for i, para in enumerate(paras):
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        is_heading = (
            len(para) == 1
            and _is_heading_like(para[0].text)
            and nxt is not None
            and not (len(nxt) == 1 and _is_heading_like(nxt[0].text))
        )
        if is_heading:
            if heading is not None or body:
                sections.append((heading, body))
            heading, body = para[0], []
        else:
            body.append(para)
    if heading is not None or body:
        sections.append((heading, body))

    records: list[Record] = []
    for head, paras_ in sections:
        sec_title = clean(head.text) if head is not None else title
        chunks: list[list[list[Line]]] = [[]]
        size = 0
        for para in _cut_long(paras_):
            n = sum(len(ln.text) for ln in para)
            if chunks[-1] and size + n > _MAX_CHARS:
                chunks.append([])
                size = 0
            chunks[-1].append(para)
            size += n
        for ci, chunk in enumerate(chunks):
            if not chunk:
                continue
            text = _paras_text(chunk)
            if not text or (skip_trivial and _trivial([ln for p in chunk for ln in p])):
                continue
            first = head if (ci == 0 and head is not None) else chunk[0][0]
            for piece in split_long(text):
                records.append(
                    Record(
                        section_kind=kind,
                        text=piece,
                        title=sec_title,
                        source=doc.source(first.number, chunk[-1][-1].number),
                    )
                )
    return records


def _cut_long(paras: Sequence[list[Line]]) -> list[list[Line]]:
    """Paragraphs longer than a passage cut between lines (after a sentence when possible)."""
    out: list[list[Line]] = []
    for para in paras:
        if sum(len(ln.text) for ln in para) <= _MAX_CHARS:
            out.append(para)
            continue
        cur: list[Line] = []
        size = 0
        for ln in para:
            cur.append(ln)
            size += len(ln.text)
            if size > _MAX_CHARS * 0.8 and (_ends_sentence(clean(ln.text)) or size > _MAX_CHARS):
                out.append(cur)
                cur, size = [], 0
        if cur:
            out.append(cur)
    return out


def _parse_okand(doc: DocumentText, warnings: list[str]) -> list[Record]:
    return narrative_records(doc, doc.lines)


# ============================================================================================
# Follow-up of the activity plan (verksamhetsplan_uppfoljning)
# ============================================================================================


def _perspective_headings(lines: Sequence[Line]) -> dict[int, str]:
    """Index -> perspective for lines that are a perspective heading: the line is exactly the
    perspective and a table header or a "Kommunövergripande mål:" follows within 3 lines."""
    out: dict[int, str] = {}
    for i, ln in enumerate(lines):
        if "\t" in ln.text:
            continue
        p = _perspective_of(clean(ln.text))
        if not p:
            continue
        seen = 0
        for ln2 in lines[i + 1 :]:
            t = clean(ln2.text)
            if not t:
                continue
            seen += 1
            if _HEADER_RE.match(t) or _MUNI_RE.match(t):
                out[i] = p
                break
            if seen >= 3:
                break
    return out


def _is_tabular(lines: Sequence[Line]) -> bool:
    rows = 0
    for ln in lines:
        if "\t" not in ln.text:
            continue
        cells = ln.text.split("\t")
        if _HEADER_RE.match(clean(" ".join(cells))):
            return True
        if any(_STATUS_CELL_RE.match(clean(c)) for c in cells[1:]):
            rows += 1
    return rows >= 2


def _parse_vp(doc: DocumentText, warnings: list[str]) -> list[Record]:
    lines = doc.lines
    heads = _perspective_headings(lines)
    first_table = min(
        [i for i in heads] + [i for i, ln in enumerate(lines) if _HEADER_RE.match(clean(ln.text))] + [len(lines)]
    )
    records = narrative_records(doc, lines[:first_table], skip_trivial=True)
    body = lines[first_table:]
    body_heads = {i - first_table: p for i, p in heads.items() if i >= first_table}
    if not _is_tabular(body):
        # Tables whose cells came out separated by runs of spaces instead of tabs.
        spaced = [Line(ln.number, re.sub(r" {3,}", "\t", ln.text), ln.page) for ln in body]
        if _is_tabular(spaced):
            body = spaced
    if _is_tabular(body):
        records += _VPTable(doc, warnings).run(body, body_heads)
    else:
        records += _VPPdf(doc, warnings).run(body, body_heads)
    return records


def _activity_text(
    activity: str,
    *,
    carried: int | None = None,
    strategic: str | None = None,
    goal: str | None = None,
    municipal_goal: str | None = None,
    perspective: str | None = None,
    committee: str | None = None,
    deadline: str | None = None,
    status: str | None = None,
    comment: str | None = None,
) -> str:
    return _labelled(
        [
            ("Aktivitet", activity),
            ("", f"Kvarstår från {carried}" if carried else None),
            ("Strategiskt utvecklingsuppdrag", strategic),
            ("Nämndmål", goal),
            ("Kommunövergripande mål", municipal_goal),
            ("Perspektiv", perspective),
            ("Nämnd", committee),
            ("Slutfört", deadline),
            ("Status", status),
            ("Kommentar", comment),
        ]
    )


class _Facts(TypedDict):
    """What a plan's row says of an activity besides its text, goal and carried year."""

    municipal_goal: str | None
    perspective: str | None
    committee: str | None
    deadline: str | None
    status: str | None
    comment: str | None


def _activity_record(text: str, activity: str, goal: str | None, facts: _Facts, carried: int | None,
                     source: Source, title: str | None = None) -> Record:
    """The "aktivitet" Record of a plan's row: `text` (from _activity_text) with the row's facts as
    fields; postponed when the deadline says so ("Förskjuts", an asterisk)."""
    deadline = facts["deadline"]
    return Record(section_kind="aktivitet", text=text, title=title, activity=activity, goal=goal, carried_from=carried,
                  postponed=bool(deadline and _POSTPONED_RE.search(deadline)), source=source, **facts)


# ---------------------------------------------------------------- tab-separated tables (2022)


def _goal_cell(raw: str) -> str | None:
    """ "Name <i>description</i>" -> "Name – description"."""
    desc = clean(" ".join(re.findall(r"<i>(.*?)</i>", raw, re.S | re.I)))
    name = clean(re.sub(r"<i>.*?</i>", " ", raw, flags=re.S | re.I))
    if not name and not desc:
        return None
    if name and desc:
        return f"{name.rstrip(' .:–-')} – {desc}"
    return name or desc


def _is_bullet_cell(raw: str) -> bool:
    r = raw.lstrip()
    return bool(re.match(r"<(?:ul|li|ol)\b", r, re.I)) or r[:1] in _BULLET_CHARS


def _split_carried(raw: str) -> tuple[str, int | None]:
    """Remove a trailing "Kvarstår från 2021" marker (with or without <i>); find it anywhere."""
    m = _CARRIED_END_RE.search(raw)
    if m:
        return raw[: m.start()], int(m.group(1))
    m = _CARRIED_ANY_RE.search(clean(raw))
    return raw, int(m.group(1)) if m else None


@dataclass
class _Row:
    kind: str  # "activity" | "strategic"
    raw: str  # the activity cell(s), raw, continuation lines appended
    start: int
    end: int
    perspective: str | None
    municipal_goal: str | None
    goal: str | None
    committee: str | None = None
    deadline: str | None = None
    status: str | None = None
    comment: str | None = None
    parent: "_Row | None" = None  # the strategic assignment a bullet activity belongs to


class _VPTable:
    """Tables as tab-separated rows: Nämndmål | Aktivitet | Nämnd | Slutfört | Status | Kommentar.

    Rows may lack the leading (empty) goal cell, so cells are found by content: the status,
    deadline and committee cells anchor the row; the cell before them is the activity and
    anything before that the goal."""

    def __init__(self, doc: DocumentText, warnings: list[str]):
        self.doc = doc
        self.warnings = warnings
        self.rows: list[_Row] = []

    def run(self, lines: Sequence[Line], heads: dict[int, str]) -> list[Record]:
        perspective: str | None = None
        muni: str | None = None
        goal: str | None = None
        strategic: _Row | None = None
        last: _Row | None = None
        narrative: list[Line] = []

        def reset(*, keep_goal: bool = False) -> None:
            nonlocal goal, strategic, last
            if not keep_goal:
                goal = None
            strategic = None
            last = None

        for i, ln in enumerate(lines):
            raw = ln.text
            s = clean(raw)
            if not s:
                continue
            if i in heads:
                perspective, muni = heads[i], None
                reset()
                continue
            m = _MUNI_RE.match(s)
            if m and "\t" not in raw.strip():
                muni = m.group(1).strip()
                reset()
                continue
            if _HEADER_RE.match(s):
                reset()
                continue
            if SEPARATOR_RE.match(raw):
                reset()
                continue
            if "\t" not in raw and STRAT_RE.match(s):
                raw = "\t" + raw  # a strategic assignment whose empty cells were stripped
            if "\t" not in raw:
                if last is not None and (s[:1].islower() or s[:1] == "("):
                    last.raw += " " + raw
                    last.end = ln.number
                elif not _PAGE_NO_RE.match(s):
                    narrative.append(ln)
                continue

            cells = raw.split("\t")
            texts = [clean(c) for c in cells]
            s_idx = next((k for k, t in enumerate(texts) if k > 0 and _STATUS_CELL_RE.match(t)), None)
            limit = s_idx if s_idx is not None else len(texts)
            d_idx = next((k for k in range(1, limit) if _DEADLINE_CELL_RE.match(texts[k])), None)
            c_idx = next((k for k in range(1, limit) if _COMMITTEE_CELL_RE.match(texts[k])), None)
            found = [k for k in (c_idx, d_idx, s_idx) if k is not None]
            nonempty = [k for k, t in enumerate(texts) if t]

            if found:
                anchor = min(found)
                a_idx = anchor - 1
                while a_idx > 0 and not texts[a_idx]:
                    a_idx -= 1
                if not texts[a_idx]:
                    self.warnings.append(f"line {ln.number}: a table row without activity text")
                    continue
                goal_raw = " ".join(c for c in cells[:a_idx] if clean(c))
                if goal_raw:
                    goal = _goal_cell(goal_raw)
                    strategic = None
                act_raw = cells[a_idx]
                comment = " ".join(t for t in texts[max(found) + 1 :] if t) or None
                row = _Row(
                    kind="activity",
                    raw=act_raw,
                    start=ln.number,
                    end=ln.number,
                    perspective=perspective,
                    municipal_goal=muni,
                    goal=goal,
                    committee=_norm_committee(texts[c_idx]) if c_idx is not None else None,
                    deadline=texts[d_idx] if d_idx is not None else None,
                    status=_norm_status(texts[s_idx]) if s_idx is not None else None,
                    comment=comment,
                )
            elif len(nonempty) == 1:
                k = nonempty[0]
                t = texts[k]
                if STRAT_RE.match(t):
                    row = _Row("activity", cells[k], ln.number, ln.number, perspective, muni, goal)
                elif last is not None and (
                    t[:1].islower() or t[:1] in "(-–," or (not _ends_sentence(clean(last.raw)) and not _is_bullet_cell(cells[k]))
                ):
                    last.raw += " " + cells[k]
                    last.end = ln.number
                    continue
                elif k == 0 and re.search(r"<i>", cells[k], re.I):
                    goal = _goal_cell(cells[k])
                    strategic = None
                    last = None
                    continue
                else:
                    self.warnings.append(f"line {ln.number}: a table row with only one cell, kept as an activity")
                    row = _Row("activity", cells[k], ln.number, ln.number, perspective, muni, goal)
            else:
                # Several cells but nothing recognisable: keep the text as an activity.
                k = nonempty[0] if nonempty else 0
                row = _Row("activity", cells[k], ln.number, ln.number, perspective, muni, goal)
                rest = " ".join(texts[j] for j in nonempty[1:])
                row.comment = rest or None
                self.warnings.append(f"line {ln.number}: a table row without status, deadline or committee")

            if STRAT_RE.match(clean(row.raw)):
                row.kind = "strategic"
                strategic = row
            elif _is_bullet_cell(row.raw):
                row.parent = strategic
            else:
                strategic = None
            self.rows.append(row)
            last = row

        records = narrative_records(self.doc, narrative, skip_trivial=True)
        records += [self._record(r) for r in self.rows]
        records.sort(key=lambda r: r.source.line_start)
        return records

    def _record(self, row: _Row) -> Record:
        raw, carried = _split_carried(row.raw.strip())
        text = clean(raw)
        source = self.doc.source(row.start, row.end)
        # the facts both kinds of row give their text and record (the review's D3)
        facts = _Facts(municipal_goal=row.municipal_goal, perspective=row.perspective, committee=row.committee,
                       deadline=row.deadline, status=row.status, comment=row.comment)
        if row.kind == "strategic":
            body = STRAT_RE.sub("", text).strip()
            return _activity_record(_activity_text("", strategic=body, goal=row.goal, **facts), body, row.goal, facts,
                                    carried, source, title="Strategiskt utvecklingsuppdrag")
        parent = None
        title = None
        goal = row.goal
        if row.parent is not None:
            parent = _shorten(STRAT_RE.sub("", clean(row.parent.raw)).strip())
            title = f"Strategiskt utvecklingsuppdrag: {parent}"
            if goal is None:
                goal = f"Strategiskt utvecklingsuppdrag: {STRAT_RE.sub('', clean(row.parent.raw)).strip()}"
        return _activity_record(_activity_text(text, carried=carried, strategic=parent, goal=row.goal, **facts), text,
                                goal, facts, carried, source, title=title)


# ---------------------------------------------------------------- PDF text (2019)

_PDF_STATUS_RE = re.compile(rf"(?<![\wÅÄÖåäö])({_STATUS_ALT})(?![a-zåäö])(?!\s+från\s+\d{{4}})")
_PDF_DL_TAIL_RE = re.compile(
    rf"(?:^|\s)(Q[1-4]\*?|{_MONTH_CAP}\*?|Förskjuts\s+till\s+(?:hösten\s+|våren\s+)?\d{{4}}\*?)\s*$"
)
_PDF_COMMITTEE_TAIL_RE = re.compile(
    r"(?:^|\s)((?:BiN|BoU|BIN|BOU|Bin|Bou)(?:\s*(?:,|och|&)\s*(?:BiN|BoU|BIN|BOU|Bin|Bou))*)\s*$"
)
_MIXED_RE = re.compile(r"^(.*?[a-zåäö0-9,)])\s+([A-ZÅÄÖ][a-zåäö]{3,}\s+\S.*)$")
_COMMENT_WIDTH = 26


@dataclass
class _Anchor:
    pre: str
    deadline: str | None
    status: str | None
    post: str
    glued: bool


def _pdf_anchor(s: str) -> _Anchor | None:
    """Deadline and/or status on a PDF line: "X Q4 Pågående Y", "X Q4", "PågåendeGoal"."""
    m = _PDF_STATUS_RE.search(s)
    if m:
        pre = s[: m.start()]
        dl = None
        md = _PDF_DL_TAIL_RE.search(pre)
        if md:
            dl = md.group(1)
            pre = pre[: md.start()]
        post = s[m.end() :]
        glued = bool(post) and not post[0].isspace() and post[0].isupper()
        return _Anchor(pre.strip(), dl, m.group(1), post.strip(), glued)
    md = _PDF_DL_TAIL_RE.search(s)
    if md:
        return _Anchor(s[: md.start()].strip(), md.group(1), None, "", False)
    return None


_FUNCTION_WORDS = frozenset(
    "med av i till för och att som är har mot på om samt eller en ett den det de inom vid under efter "
    "genom utan från hos alla sina sitt sin kan ska skall blir bli vara sker både".split()
)


def _wants_more(text: str) -> bool:
    """Text that stops mid-sentence: no final punctuation and a last word that needs more."""
    text = text.rstrip()
    if not text or _ends_sentence(text):
        return False
    last = text.split()[-1].lower().strip(",")
    return text.endswith((",", "-", "–")) or last in _FUNCTION_WORDS


@dataclass(eq=False)
class _Goal:
    parts: list[tuple[int, str]] = field(default_factory=list)

    def text(self) -> str | None:
        out = ""
        dashed = False
        for _, t in self.parts:
            t = clean(t)
            if not t:
                continue
            if not out:
                out = t
                dashed = bool(re.search(r"\s[-–]\s", t))
            elif not dashed and re.search(r"\s?[-–]$", out):
                out = re.sub(r"\s*[-–]$", "", out) + " – " + t
                dashed = True
            elif not dashed and t[:1] in "-–":
                out += " – " + t.lstrip("-– ")
                dashed = True
            elif not dashed and t[:1].isupper():
                out += " – " + t
                dashed = True
            else:
                out = join_lines([out, t])
        out = re.sub(r"\s[-–]\s", " – ", out, count=1).strip(" -–")
        return out or None


def _soft_blocks(block: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Text boxes guessed in PDF text without blank lines between them: a new box before a
    line that starts with a deadline or status, after a row that ends in its status, and
    where narrow lines (goal and comment columns) give way to a wide line in capitals."""
    out: list[list[tuple[int, str]]] = []
    prev: tuple[int, str] | None = None
    for no, s in block:
        brk = False
        if prev is not None:
            a_prev = _pdf_anchor(prev[1])
            a = _pdf_anchor(s)
            if a and not a.pre:
                brk = True
            elif a_prev and a_prev.status and not a_prev.post:
                brk = True
            elif len(prev[1]) <= _COMMENT_WIDTH < len(s) and s[:1].isupper():
                brk = True
            elif a_prev and a_prev.status and a_prev.post and not a_prev.glued and s[:1].islower():
                brk = True  # after "Pågående Löpande arbete": a comment or a goal goes on
            elif _ends_sentence(prev[1]) and s[:1].isupper() and re.search(r"\s[-–]$", s):
                brk = True  # "… arbete." then "Lust och engagemang -": a goal text starts

        if brk or not out:
            out.append([])
        out[-1].append((no, s))
        prev = (no, s)
    return out


@dataclass(eq=False)
class _Act:
    start: int
    end: int
    perspective: str | None
    lines: list[str] = field(default_factory=list)
    deadline: str | None = None
    status: str | None = None
    comment: list[str] = field(default_factory=list)
    goal: _Goal | None = None

    def add(self, no: int, text: str) -> None:
        if text.strip():
            self.lines.append(text)
        self.end = max(self.end, no)


class _VPPdf:
    """PDF text of the follow-up tables, where the cells run into each other.

    Lines come in blocks separated by blank lines. An activity is text that ends in a
    deadline and/or status (on its last line or in the next block: "Q4 Pågående", "Q4" then
    "Pågående"); what follows the status on the same line is a comment, or, when glued to it
    ("PågåendeLikvärdiga möjligheter"), the start of a goal text. A block without deadline or
    status is an activity when the next block starts with one (or continues in lowercase),
    otherwise a goal text. Goal texts sit in merged cells, vertically centred, so a goal is
    given only where that is sure: to the activity it is glued to, to the first activity after
    it, and to the activities between two parts of the same goal text; others get None.
    """

    IDLE, PENDING, HAVE_DL, COMMENT, GOAL = range(5)

    def __init__(self, doc: DocumentText, warnings: list[str]):
        self.doc = doc
        self.warnings = warnings
        self.acts: list[_Act] = []
        self.munis: list[tuple[int, str | None]] = []  # (line, "Kommunövergripande mål" in force)

    def run(self, lines: Sequence[Line], heads: dict[int, str]) -> list[Record]:
        # Sections per perspective; headers, page numbers and stray characters out; blocks.
        sections: list[tuple[str | None, list[list[tuple[int, str]]]]] = []
        perspective: str | None = None
        blocks: list[list[tuple[int, str]]] = []
        cur: list[tuple[int, str]] = []
        after_header = 0
        for i, ln in enumerate(lines):
            s = clean(ln.text)
            if i in heads:
                if cur:
                    blocks.append(cur)
                    cur = []
                if blocks or perspective is not None:
                    sections.append((perspective, blocks))
                perspective, blocks = heads[i], []
                self.munis.append((ln.number, None))
                continue
            m = _MUNI_RE.match(s)
            if m:
                if cur:
                    blocks.append(cur)
                    cur = []
                self.munis.append((ln.number, m.group(1).strip()))
                continue
            if not s:
                if cur:
                    blocks.append(cur)
                    cur = []
                continue
            if _HEADER_RE.match(s):
                after_header = 3
                continue
            if after_header:
                after_header -= 1
                if re.fullmatch(r"(?:ev\.?\s+)?kommentar(?:er)?|ev\.?", s, re.I):
                    continue
            if _PAGE_NO_RE.match(s) or (len(s) <= 2 and not _pdf_anchor(s)):
                continue
            cur.append((ln.number, s))
        if cur:
            blocks.append(cur)
        if blocks or perspective is not None:
            sections.append((perspective, blocks))

        for perspective, blocks in sections:
            n_lines = sum(len(b) for b in blocks)
            if blocks and n_lines / len(blocks) > 6:  # hardly any blank lines: guess the text boxes
                blocks = [soft for b in blocks for soft in _soft_blocks(b)]
            self._section(perspective, blocks)

        records = [self._record(a) for a in self.acts]
        records.sort(key=lambda r: r.source.line_start)
        return records

    # -- the state machine, one perspective section at a time

    def _section(self, perspective: str | None, blocks: list[list[tuple[int, str]]]) -> None:
        self.perspective = perspective
        self.mode = self.IDLE
        self.cur: _Act | None = None
        self.goal: _Goal | None = None
        self.goals: list[_Goal] = []
        self.next_goal: _Goal | None = None  # the first activity after a goal text takes it
        self.since_goal: list[_Act] = []  # activities since the last part of the last goal
        self.pending_dl: str | None = None
        for bi, block in enumerate(blocks):
            nxt = blocks[bi + 1] if bi + 1 < len(blocks) else None
            for li, (no, s) in enumerate(block):
                self._line(no, s, li == 0, block[li:], nxt)
        self._close()

    def _line(self, no: int, s: str, first: bool, rest, nxt) -> None:
        a = _pdf_anchor(s)
        if self.mode == self.PENDING:
            assert self.cur is not None
            if a and a.status:
                self.cur.add(no, a.pre)
                self.cur.deadline = a.deadline or self.cur.deadline
                self.cur.status = a.status
                self._after_status(no, a)
                return
            if a and a.deadline:
                self.cur.add(no, a.pre)
                self.cur.deadline = a.deadline
                self.mode = self.HAVE_DL
                return
            if not (first and s[:1].isupper()):
                self.cur.add(no, s)
                return
            # A new block in capitals while waiting for a status: the activity ends without one.
            self.warnings.append(f"line {self.cur.start}: an activity without status")
            self._close()
        elif self.mode == self.HAVE_DL:
            assert self.cur is not None
            if a and a.status and not a.pre:
                self.cur.status = a.status
                self.cur.deadline = self.cur.deadline or a.deadline
                self._after_status(no, a)
                return
            self._close()
        elif self.mode == self.COMMENT:
            if self._is_comment(s, a, first, len(rest)):
                assert self.cur is not None
                self.cur.comment.append(s)
                self.cur.end = no
                return
            self._close()
        elif self.mode == self.GOAL:
            assert self.goal is not None
            m = _MIXED_RE.match(s)
            if (
                m
                and not a
                and len(m.group(1).split()) >= 2
                and len(m.group(1)) <= _COMMENT_WIDTH
                and (not first or len(s) > _COMMENT_WIDTH)
            ):
                # "Ekonomi i balans Utveckla formerna för …": goal column, then activity.
                self.goal.parts.append((no, m.group(1)))
                self._idle(no, m.group(2), None, first, rest, nxt, force=True)
                return
            if not first and not (a and a.status and len(a.pre.split()) >= 2):
                self.goal.parts.append((no, s))
                return
            self.mode = self.IDLE
        self._idle(no, s, a, first, rest, nxt)

    def _is_comment(self, s: str, a: _Anchor | None, first: bool, block_len: int = 1) -> bool:
        if first:  # a new block continues the comment only in lowercase ...
            if not s[:1].islower() or (a and a.status):
                return False
            # ... and not when it rather continues an unfinished goal text ("… verksamheter mot"
            # / "uppsatta mål med mod, …") than the comment ("Ej aktuellt med" / "inrättande").
            assert self.cur is not None
            comment = join_lines(self.cur.comment)
            goal = self.goals[-1].text() if self.goals else None
            if not comment or _wants_more(comment):
                return True
            return not (goal and _wants_more(goal))
        if a and a.status and len(a.pre.split()) >= 2:
            return False
        return s[:1].islower() or len(s) <= _COMMENT_WIDTH

    def _new(self, no: int, text: str) -> _Act:
        act = _Act(start=no, end=no, perspective=self.perspective)
        act.add(no, text)
        act.goal = self.next_goal
        self.next_goal = None
        if self.pending_dl:
            act.deadline, self.pending_dl = self.pending_dl, None
        self.since_goal.append(act)
        self.cur = act
        return act

    def _after_status(self, no: int, a: _Anchor) -> None:
        assert self.cur is not None
        self.cur.end = no
        if a.glued and a.post:
            g = _Goal(parts=[(no, a.post)])
            self.goals.append(g)
            self.cur.goal = g
            self._close()
            self.goal = g
            self.next_goal = g
            self.since_goal = []
            self.mode = self.GOAL
        else:
            if a.post:
                self.cur.comment.append(a.post)
            self.mode = self.COMMENT

    def _close(self) -> None:
        if self.cur is not None:
            self.acts.append(self.cur)
            self.cur = None
        self.mode = self.IDLE

    def _block_is_activity(self, rest, nxt) -> bool:
        for _, t in rest:
            a = _pdf_anchor(t)
            if a and (a.status or a.deadline):
                return True
        if nxt:
            t = nxt[0][1]
            a = _pdf_anchor(t)
            if a and not a.pre:
                return True
            if t[:1].islower():
                return True
        return bool(self.pending_dl)

    def _idle(self, no: int, s: str, a: _Anchor | None, first: bool, rest, nxt, force: bool = False) -> None:
        if force:
            a = _pdf_anchor(s)
        if a and a.status:
            if a.pre:
                act = self._new(no, a.pre)
                act.deadline = a.deadline or act.deadline
                act.status = a.status
                self._after_status(no, a)
            else:
                last = self.acts[-1] if self.acts else None
                if last is not None and last.status is None:
                    last.status = a.status
                    last.deadline = last.deadline or a.deadline
                    last.end = no
                else:
                    self.warnings.append(f"line {no}: a status without an activity")
            return
        if a and a.deadline:
            if a.pre:
                act = self._new(no, a.pre)
                act.deadline = a.deadline
                self.mode = self.HAVE_DL
            else:
                self.pending_dl = a.deadline
            return
        if force or self._block_is_activity(rest, nxt):
            self._new(no, s)
            self.mode = self.PENDING
            return
        # Goal text: a new goal, or the continuation of the last one ("- …", lowercase).
        if self.goals and (s[:1] in "-–" or s[:1].islower()):
            g = self.goals[-1]
            for act in self.since_goal:
                if act.goal is None:
                    act.goal = g
        else:
            g = _Goal()
            self.goals.append(g)
        g.parts.append((no, s))
        self.goal = g
        self.next_goal = g
        self.since_goal = []
        self.mode = self.GOAL

    def _record(self, act: _Act) -> Record:
        raw, carried = _split_carried(join_lines(act.lines))
        activity = clean(raw)
        committee = None
        m = _PDF_COMMITTEE_TAIL_RE.search(activity)
        if m and m.start() > 0:  # "… kvalitetsrapporter BiN, BoU" before "December Pågående"
            committee = _norm_committee(m.group(1))
            activity = activity[: m.start()].strip()
        comment = join_lines(act.comment) or None
        goal = act.goal.text() if act.goal else None
        muni = None
        for no, value in self.munis:
            if no < act.start:
                muni = value
        facts = _Facts(municipal_goal=muni, perspective=act.perspective, committee=committee, deadline=act.deadline,
                       status=act.status, comment=comment)
        return _activity_record(_activity_text(activity, carried=carried, goal=goal, **facts), activity, goal, facts,
                                carried, self.doc.source(act.start, act.end))


# ============================================================================================
# Follow-up of last year's activities (aktivitetsuppfoljning)
# ============================================================================================

_AU_KINDS = {
    "uppföljning": "uppfoljning",
    "resultat": "uppfoljning",
    "analys": "analys",
    "kommentar": "kommentar",
    "risker": "risk",
    "kostnader": "kostnad",
}


# A fact of the activity written on a line of its own between "N. Uppdrag/Aktivitet" and its
# first Uppföljning/Analys ("Status: Pågående", "Ansvarig: Rektor", "Nämnd: BUN", "Klart: Juni").
_AU_FACT_RE = re.compile(
    r"^(Status|Ansvarig|Ansvar|Nämnd|Klart|Tidplan|Slutfört|Slutförs|Deadline)\s*:\s*(\S.*)$", re.I
)
_AU_FACT_FIELD = {
    "status": "status", "ansvarig": "responsible", "ansvar": "responsible", "nämnd": "committee",
    "klart": "deadline", "tidplan": "deadline", "slutfört": "deadline", "slutförs": "deadline", "deadline": "deadline",
}


def _au_activity_record(doc: DocumentText, title: str, activity: str, activity_lines: Sequence[Line],
                        facts: dict[str, str], comment: str | None) -> Record:
    """The "aktivitet" Record of one "N. Uppdrag/Aktivitet" block, as the generic reading gives
    it (kvalitet.ingest.recognise.generic): the activity's text, its status normalised beside
    the status as written, responsible, committee, deadline and the block's Kommentar. The text
    is the activity alone, or "Aktivitet: X. Status: Y." when the block states facts."""
    raw = facts.get("status")
    status, assessment = normalise_status(raw)
    committee = normalise_committee(facts["committee"]) if facts.get("committee") else None
    if facts:
        text = _labelled([("Aktivitet", activity), ("Ansvarig", facts.get("responsible")), ("Nämnd", committee),
                          ("Klart", facts.get("deadline")), ("Status", raw)])
    else:
        text = activity
    return Record(
        section_kind="aktivitet", text=text, title=title, activity=activity, committee=committee,
        deadline=facts.get("deadline"), status=status, status_raw=raw, assessment=assessment,
        responsible=facts.get("responsible"), comment=comment,
        postponed=bool(facts.get("deadline") and _POSTPONED_RE.search(facts["deadline"])),
        source=doc.source(activity_lines[0].number, activity_lines[-1].number),
    )


def _parse_au(doc: DocumentText, warnings: list[str]) -> list[Record]:
    """Numbered "N. Uppdrag/Aktivitet" blocks: per block one "aktivitet" record (the activity
    and the facts written under it) and one record per Uppföljning/Analys/Kommentar/Risker/
    Kostnader part, each carrying the activity; the text before the first block as sections."""
    lines = doc.lines
    starts = [i for i, ln in enumerate(lines) if _AU_BLOCK_RE.match(clean(ln.text))]
    records = narrative_records(doc, lines[: starts[0]] if starts else lines, skip_trivial=True)
    for bi, start in enumerate(starts):
        end = starts[bi + 1] if bi + 1 < len(starts) else len(lines)
        m = _AU_BLOCK_RE.match(clean(lines[start].text))
        assert m is not None
        title = f"{int(m.group(1))}. Uppdrag/Aktivitet"
        activity_lines: list[Line] = []
        fact_lines: list[Line] = []
        facts: dict[str, str] = {}
        if m.group(2):
            activity_lines.append(Line(lines[start].number, m.group(2), lines[start].page))
        subs: list[tuple[str, Line, list[Line]]] = []
        for ln in lines[start + 1 : end]:
            sm = _AU_SUB_RE.match(clean(ln.text))
            fm = None if subs else _AU_FACT_RE.match(clean(ln.text))
            if sm:
                body = [Line(ln.number, sm.group(2), ln.page)] if sm.group(2) else []
                subs.append((_AU_KINDS[sm.group(1).lower()], ln, body))
            elif subs:
                subs[-1][2].append(ln)
            elif fm:
                facts.setdefault(_AU_FACT_FIELD[fm.group(1).lower()], clean(fm.group(2)).rstrip(".").strip())
                fact_lines.append(ln)
            else:
                activity_lines.append(ln)
        activity = _paras_text(_paragraphs(activity_lines)) or None
        parts: list[Record] = []
        for kind, head, body in subs:
            paras = _paragraphs(body)
            text = _paras_text(paras)
            if not _has_words(text):
                warnings.append(f"line {head.number}: {clean(head.text)} of '{title}' is empty")
                continue
            parts.append(
                Record(
                    section_kind=kind,
                    text=text,
                    title=title,
                    activity=activity,
                    source=doc.source(head.number, paras[-1][-1].number),
                )
            )
        if activity:
            # One activity record a block, as the generic reading gives (the web's "Aktiviteter",
            # drafting's similar activities); it replaces the plain section of a block without parts.
            comment = " ".join(r.text for r in parts if r.section_kind == "kommentar") or None
            named = [ln for p in _paragraphs(activity_lines) for ln in p] + fact_lines
            named.sort(key=lambda ln: ln.number)
            records.append(_au_activity_record(doc, title, activity, named, facts, comment))
        records.extend(parts)
    return records


# ============================================================================================
# Quality report (kvalitetsrapport)
# ============================================================================================

# (heading pattern, section kind), matched against the whole heading, ignoring case
_KR_HEADINGS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern, re.I), kind) for pattern, kind in (
    (r"bakgrund", "bakgrund"),
    (r"delaktighet", "bakgrund"),
    (r"nulägesanalys(?:en)?", "nulagesanalys"),
    (r"planerade?\s+insats(?:er)?(?:\s+och\s+koppling\s+till\s+utvecklingsområdet.*)?", "planerad"),
    (r"deltagare\s+och\s+planering(?:\s+av\s+insatsen)?", "deltagare"),
    (r"mål\s+och\s+förväntade\s+effekter", "mal"),
    (r"ansvar(?:sfördelning)?", "ansvar"),
    (r"(?:uppföljning|utvärdering)(?:\s*(?:,|och)\s*(?:och\s+)?(?:uppföljning|utvärdering|delaktighet))*", "uppfoljning"),
    (r"analys", "analys"),
    (r"styrkor\s+och\s+svagheter.{0,60}", "styrkor_svagheter"),
    (r"risker(?:\s+(?:med|och|för)\s+.{0,50})?", "risk"),
    (r"erfarenhetsspridning", "erfarenhetsspridning"),
    (r"tidplan(?:\s+och\s+kostnader)?", "tidplan"),
    (r"kostnadsberäkning|kostnader", "kostnad"),
)]
_COST_RE = re.compile(
    r"^(?P<label>.*?\S)\s+(?P<amount>\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,](?P<dec>\d+))?\s*(?P<unit>tkr|mnkr|mkr|kr)\b\.?\s*$",
    re.I,
)


def _kr_heading(s: str) -> str | None:
    s = clean(s).rstrip(":").strip()
    if not s or len(s) > 90 or _ends_sentence(s):
        return None
    s = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", s)
    for rx, kind in _KR_HEADINGS:
        if rx.fullmatch(s):
            return kind
    return None


def _amount_tkr(m: re.Match[str]) -> float:
    value = float(re.sub(r"\D", "", m.group("amount")) + ("." + m.group("dec") if m.group("dec") else ""))
    unit = m.group("unit").lower()
    if unit in ("mkr", "mnkr"):
        return value * 1000
    if unit == "kr":
        return value / 1000
    return value


def _insats_area(heading: str) -> str | None:
    m = re.search(r"\binom\s+(?:ramen\s+för\s+)?(?:utvecklingsområdet\s+)?(.+)$", heading, re.I)
    if not m:
        return None
    area = m.group(1).strip(" .:")
    if area.lower().endswith("området") and len(area) > len("området"):
        area = area[: -len("området")]
    return area[:1].upper() + area[1:] if area else None


@dataclass
class _Section:
    kind: str
    title: str | None
    head: Line | None
    activity: str | None = None
    entries: list[tuple[Line, str | None]] = field(default_factory=list)  # (line, replacement)


def _entries_paras(entries: Sequence[tuple[Line, str | None]]) -> list[list[Line]]:
    """Paragraphs of a section; a replacement (a label) becomes a paragraph of its own."""
    lines: list[Line] = []
    for ln, repl in entries:
        if repl is None:
            lines.append(ln)
        elif repl:
            lines += [Line(ln.number, "", ln.page), Line(ln.number, repl, ln.page), Line(ln.number, "", ln.page)]
    return _paragraphs(lines)


def _parse_kr(doc: DocumentText, warnings: list[str]) -> list[Record]:
    lines = doc.lines
    sections: list[_Section] = []
    pre: list[Line] = []
    insats: tuple[str, str | None] | None = None  # (heading, area)
    cur: _Section | None = None
    i = 0
    while i < len(lines):
        ln = lines[i]
        s = clean(ln.text)
        m = INSATS_RE.match(s) if s else None
        if m and len(s) <= 200:
            parts = [ln.text]
            j = i + 1
            while j < len(lines):
                t = clean(lines[j].text)
                if not t:
                    # One blank line inside a wrapped heading, if the heading is unfinished.
                    if re.search(r"(?:\boch|\bför|\bi|\bsamt|,|-)$", join_lines(parts)) and j + 1 < len(lines):
                        t2 = clean(lines[j + 1].text)
                        if t2[:1].islower() and len(t2) <= 100 and not _kr_heading(t2):
                            parts.append(lines[j + 1].text)
                            j += 2
                            continue
                    break
                if (t[:1].islower() or re.search(r"(?:\boch|\bför|,|-)$", join_lines(parts))) and len(t) <= 100 and not _kr_heading(t):
                    parts.append(lines[j].text)
                    j += 1
                    continue
                break
            heading = join_lines(parts)
            insats = (heading, _insats_area(heading))
            cur = _Section("insats", heading, ln, insats[1])
            for k in range(i + 1, j):
                cur.entries.append((lines[k], ""))
            sections.append(cur)
            i = j
            continue
        kind = _kr_heading(s) if s else None
        if kind:
            if kind in ("planerad", "deltagare") and cur is not None and cur.kind == "insats":
                label = "" if kind == "planerad" and not _has_words(_paras_text(_entries_paras(cur.entries))) else s.rstrip(":") + ":"
                cur.entries.append((ln, label))
            elif kind in ("planerad", "deltagare"):
                cur = _Section("insats", s, ln, insats[1] if insats else None)
                cur.entries.append((ln, ""))
                sections.append(cur)
            elif kind in ("mal", "ansvar", "uppfoljning", "analys") and insats is not None:
                cur = _Section(kind, insats[0], ln, insats[1])
                sections.append(cur)
            else:
                if kind not in ("mal", "ansvar", "uppfoljning", "analys"):
                    insats = None
                cur = _Section(kind, s.rstrip(":"), ln)
                sections.append(cur)
            i += 1
            continue
        if cur is None:
            pre.append(ln)
        else:
            cur.entries.append((ln, None))
        i += 1

    records = narrative_records(doc, pre, skip_trivial=True)
    for sec in sections:
        records += _kr_section(doc, sec, warnings)
    records.sort(key=lambda r: r.source.line_start)
    return records


def _last_line(paras: Sequence[Sequence[Line]]) -> int:
    return paras[-1][-1].number


def _kr_section(doc: DocumentText, sec: _Section, warnings: list[str]) -> list[Record]:
    paras = _entries_paras(sec.entries)
    if sec.kind == "risk":
        return _kr_items(doc, sec)
    if sec.kind == "tidplan":
        return _kr_tidplan(doc, sec)
    if sec.kind == "kostnad":
        return _kr_costs(doc, sec, warnings)
    text = _paras_text(paras)
    if not _has_words(text):
        where = f"line {sec.head.number}" if sec.head else "a section"
        warnings.append(f"{where}: no text under '{clean(sec.head.text) if sec.head else sec.kind}' ({sec.title})")
        return []
    if sec.kind == "insats":
        heading = re.sub(r"^\d+\s*[.)]\s*", "", sec.title or "")
        text = f"{heading}. {text}" if heading and heading != text else text
    first = sec.head.number if sec.head else paras[0][0].number
    if len(text) > _MAX_CHARS * 1.5 and sec.kind != "insats":
        out = narrative_records(doc, [ln for ln, repl in sec.entries if repl is None], kind=sec.kind, title=sec.title)
        for r in out:
            r.title = sec.title
            r.activity = sec.activity
        if out:
            out[0].source = doc.source(first, out[0].source.line_end)
        return out
    return [
        Record(
            section_kind=sec.kind,
            text=text,
            title=sec.title,
            activity=sec.activity,
            source=doc.source(first, _last_line(paras)),
        )
    ]


def _own_lines(sec: _Section) -> Iterator[tuple[Line, str]]:
    """The section's own lines (not those another record took), each with its cleaned text."""
    for ln, repl in sec.entries:
        if repl is None:
            yield ln, clean(ln.text)


def _kr_items(doc: DocumentText, sec: _Section) -> list[Record]:
    """One record per bullet (or per paragraph when the bullets are gone)."""
    items: list[list[Line]] = []
    blank = True
    for ln, s in _own_lines(sec):
        if not s:
            blank = True
            continue
        if not items or _is_item_start(ln.text) or (blank and not s[:1].islower()):
            items.append([ln])
        else:
            items[-1].append(ln)
        blank = False
    out = []
    for item in items:
        text = join_lines([ln.text for ln in item])
        if _has_words(text):
            out.append(
                Record(
                    section_kind=sec.kind,
                    text=text,
                    title=sec.title,
                    source=doc.source(item[0].number, item[-1].number),
                )
            )
    return out


def _kr_tidplan(doc: DocumentText, sec: _Section) -> list[Record]:
    """Sub-blocks: a short heading line ("Elevhälsa") and the text under it. A short line is a
    heading when the block before it has text and that text has ended (blank line, final
    period, or a short last line), so "Rekryteringar vårterminen 2020" under its heading stays
    text; this works with or without blank lines between the blocks."""
    blocks: list[tuple[Line | None, list[Line]]] = []
    prev: str | None = None
    blank = True
    for ln, s in _own_lines(sec):
        if not s:
            blank = True
            if blocks:
                blocks[-1][1].append(ln)
            continue
        has_text = bool(blocks) and any(clean(x.text) for x in blocks[-1][1])
        ended = blank or prev is None or _ends_sentence(prev) or len(prev) <= 40
        is_head = _is_heading_like(ln.text) and len(s) <= 60 and (not blocks or (has_text and ended))
        if is_head:
            blocks.append((ln, []))
        elif blocks:
            blocks[-1][1].append(ln)
        else:
            blocks.append((None, [ln]))
        prev, blank = s, False
    out = []
    for head, body in blocks:
        sub = clean(head.text) if head is not None else None
        body_paras = _paragraphs(body)
        text = _paras_text(body_paras)
        if not text and not sub:
            continue
        text = f"{sub}: {text}" if sub and text else (text or sub or "")
        first = head.number if head is not None else body_paras[0][0].number
        last = _last_line(body_paras) if body_paras else first
        out.append(
            Record(section_kind="tidplan", text=text, title=sec.title, activity=sub, source=doc.source(first, last))
        )
    return out


def _kr_costs(doc: DocumentText, sec: _Section, warnings: list[str]) -> list[Record]:
    out = []
    other: list[Line] = []
    for ln, s in _own_lines(sec):
        if not s:
            continue
        m = _COST_RE.match(s)
        if m:
            label = m.group("label").strip(" :.–-")
            out.append(
                Record(
                    section_kind="kostnad",
                    text=f"{sec.title or 'Kostnadsberäkning'}: {s}",
                    title=sec.title,
                    activity=label,
                    amount_tkr=_amount_tkr(m),
                    source=doc.source(ln.number, ln.number),
                )
            )
        else:
            other.append(ln)
    if other:
        out += narrative_records(doc, other, title=sec.title)
    return out


# ============================================================================================
# The yearly process (arshjul)
# ============================================================================================

_WHEN_RE = re.compile(
    rf"^(?:{_MONTH_CAP}(?:\s*[–-]\s*(?:{_MONTH_ANY}\b)?)?|Under året|Hela året|Löpande|Varje månad|Vid behov)(?=\s|$)"
)
_ROLE = (
    r"(?:[Ff]örvaltningschef(?:er(?:na)?|en)?|[Ee]nhetschef(?:er(?:na)?|en)?|[Nn]ämnd(?:en|er(?:na)?)?"
    r"|[Pp]olitiker(?:na)?|[Rr]ektor(?:er(?:na)?|n)?|[Ff]örskolechef(?:er)?|[Hh]uvudman(?:nen)?"
    r"|[Uu]tbildningschef(?:en)?|[Kk]valitetsutvecklare(?:n)?|[Ff]örvaltningsledning(?:en)?|[Ss]kolledare"
    r"|[Ff]örvaltnings-|[Ee]nhets-|KS|KF|BUN|UN)"
)
_CONN = r"(?:&|,|och)"
_VEM_RE = re.compile(rf"^(?:ev\.?\s+)?{_ROLE}(?:\s*{_CONN}\s*(?:ev\.?\s+)?{_ROLE})*(?:\s*{_CONN})?(?=\s|$)")
_VEM_CONT_RE = re.compile(rf"^(?:{_CONN}\s*)?(?:ev\.?\s+)?{_ROLE}(?:\s*{_CONN}\s*(?:ev\.?\s+)?{_ROLE})*(?:\s*{_CONN})?(?=\s|$)")
_ROLE_TWICE_RE = re.compile(rf"^({_ROLE})\s+({_ROLE})")
_AH_END_RE = re.compile(r"^(?:Befattning|Sammanställt|Not\b|Obs\b|Källa|Anm\b|\*)", re.I)


def _is_caps_title(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and not WHEN_HEADER_RE.search(s)


@dataclass
class _Step:
    when: str
    start: int
    end: int
    title: str | None
    vem: str = ""
    vad: list[str] = field(default_factory=list)
    when_open: bool = False  # "September –" waits for "november"

    def vem_open(self) -> bool:
        return not self.vem or bool(re.search(rf"{_CONN}$", self.vem.strip()))


def _parse_ah(doc: DocumentText, warnings: list[str]) -> list[Record]:
    steps: list[_Step] = []
    narrative: list[Line] = []
    caps: list[str] = []
    title: str | None = None
    in_table = False
    cur: _Step | None = None

    def start(no: int, when: str, rest: str) -> _Step:
        step = _Step(when=when, start=no, end=no, title=title)
        step.when_open = bool(re.search(r"[–-]$", when))
        steps.append(step)
        take_vem(step, rest)
        return step

    def take_vem(step: _Step, rest: str) -> None:
        rest = rest.strip()
        if not rest:
            return
        m = _VEM_CONT_RE.match(rest) if step.vem else _VEM_RE.match(rest)
        if m and (step.vem_open() or re.match(rf"^{_CONN}\s", rest)) and not step.vad:
            step.vem = (step.vem + " " + m.group(0)).strip()
            rest = rest[m.end() :].strip()
        if rest:
            step.vad.append(rest)

    for ln in doc.lines:
        raw = ln.text
        if "\t" in raw and in_table:
            cells = [clean(c) for c in raw.split("\t")]
            if sum(1 for c in cells if c) >= 2 and len(cells) >= 3:
                when, vem, vad = cells[0], cells[1], " ".join(c for c in cells[2:] if c)
                if not when and cur is not None:
                    when = cur.when
                cur = _Step(when=when, start=ln.number, end=ln.number, title=title, vem=vem, vad=[vad] if vad else [])
                steps.append(cur)
                continue
        s = clean(raw)
        if not s:
            continue
        if WHEN_HEADER_RE.search(s):
            in_table = True
            title = " – ".join(c.capitalize() for c in caps) or title
            caps = []
            cur = None
            continue
        if _is_caps_title(s):
            in_table = False
            cur = None
            caps.append(s)
            continue
        if not in_table or _AH_END_RE.match(s):
            in_table = False
            cur = None
            narrative.append(ln)
            continue
        indented = bool(re.match(r"^[ \t]+\S", raw))
        wm = _WHEN_RE.match(s)
        if wm and not indented:
            cur = start(ln.number, wm.group(0), s[wm.end() :])
            continue
        if cur is not None and cur.when_open and re.match(rf"^{_MONTH_ANY}\b", s, re.I):
            mm = re.match(rf"^{_MONTH_ANY}\b", s, re.I)
            assert mm is not None
            cur.when = f"{cur.when} {mm.group(0)}"
            cur.when_open = False
            cur.end = ln.number
            take_vem(cur, s[mm.end() :])
            continue
        if (
            cur is not None
            and not cur.vad
            and (cur.vem_open() or re.match(rf"^{_CONN}\s", s))
            and (_VEM_CONT_RE.match(s) if cur.vem else _VEM_RE.match(s))
        ):
            take_vem(cur, s)
            cur.end = ln.number
            continue
        vm = _VEM_RE.match(s)
        new_row = vm is not None and (
            indented or (s[:1].isupper() and (vm.end() == len(s) or bool(_ROLE_TWICE_RE.match(s))))
        )
        if new_row and cur is not None and (cur.vad or not cur.vem_open()):
            cur = start(ln.number, cur.when, s)
            continue
        if cur is None:
            narrative.append(ln)
            continue
        cur.vad.append(s)
        cur.end = ln.number

    records = narrative_records(doc, narrative)
    for st in steps:
        when = clean(st.when)
        who = re.sub(rf"\s*{_CONN}$", "", clean(st.vem)) or None
        what = join_lines(st.vad) or None
        if not what and not who:
            continue
        records.append(
            Record(
                section_kind="process",
                text=_labelled([("När", when), ("Vem", who), ("Vad", what)]),
                title=st.title,
                month=when or None,
                role=who,
                source=doc.source(st.start, st.end),
            )
        )
    records.sort(key=lambda r: r.source.line_start)
    return records


# ============================================================================================
# Entry point
# ============================================================================================

PARSERS: dict[str, Callable[[DocumentText, list[str]], list[Record]]] = {
    "verksamhetsplan_uppfoljning": _parse_vp,
    "aktivitetsuppfoljning": _parse_au,
    "kvalitetsrapport": _parse_kr,
    "arshjul": _parse_ah,
    "okand": _parse_okand,
    "rapport": _parse_okand,
}


_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MD_TABLE_RE = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE_CELL_RE = re.compile(r"^:?-{2,}:?$")
_MD_PLACEHOLDERS = {"–", "-", "—"}
# The workspace templates' marks for rejected and unreviewed text (service/workspace/render.py).
_MD_MARKS_RE = re.compile(
    r"(?:\b(?:Analys|Risker|Kostnader|Uppföljning):\s*)?(?:Ej granskat – förslag väntar på granskning|Inget godkänt förslag|Inget godkänt underlag)\.?"
)


def _md_text(text: str) -> str:
    text = _MD_MARKS_RE.sub(" ", _md_inline(text)).strip()
    return "" if text in _MD_PLACEHOLDERS else text


def _md_inline(text: str) -> str:
    """Markdown inline markup off: emphasis, links, citation marks [1], backslash escapes."""
    text = re.sub(r"(?<!\\)\*\*(?=\S)(.+?)(?<=[^\s\\])\*\*", r"\1", text)
    text = re.sub(r"(?<![\\\w*])\*(?=[^\s*])(.+?)(?<=[^\s\\*])\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\\\w])_(?=\S)(.+?)(?<=[^\s\\])_(?!\w)", r"\1", text)
    text = re.sub(r"(?<!\\)\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?<!\\)\[\d+(?:,\s*\d+)*\]", "", text)
    return re.sub(r"\\([\\`*_\[\]<>|~&#+\-=.!(){}])", r"\1", text)


def demarkdown(doc: DocumentText) -> DocumentText:
    """A Markdown text (a report published from the workspace) read as the plain shapes:
    headings without "#", pipe tables as tab-separated rows, inline markup off. One line in,
    one line out, so the line numbers stay those of the file."""
    heads = sum(1 for ln in doc.lines if _MD_HEADING_RE.match(ln.text))
    tables = sum(1 for ln in doc.lines if _MD_TABLE_RE.match(ln.text))
    if doc.media_type != "text/markdown" and heads < 2 and tables < 2:
        return doc
    out: list[Line] = []
    sources_level = 0  # inside the "## Källor" list of a published report (citations, not content)
    for ln in doc.lines:
        t = ln.text
        m = _MD_HEADING_RE.match(t)
        if m:
            level = len(t.lstrip()) - len(t.lstrip().lstrip("#"))
            if sources_level and level > sources_level:
                t = ""
            elif _md_inline(m.group(1)).strip().lower() in ("källor", "källförteckning", "referenser"):
                sources_level, t = level, ""
            else:
                sources_level = 0
                t = _md_inline(m.group(1))
        elif sources_level:
            t = ""
        elif _MD_TABLE_RE.match(t):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", t.strip())[1:-1]]
            if cells and all(_MD_RULE_CELL_RE.match(c) for c in cells if c) and any(cells):
                t = "\t".join("--" for _ in cells)
            else:
                t = "\t".join(_md_text(c) for c in cells)
        else:
            t = _md_text(t)
        out.append(Line(ln.number, t, ln.page))
    return DocumentText(path=doc.path, lines=out, media_type=doc.media_type)


def normalise_spacing(doc: DocumentText) -> DocumentText:
    """A double-spaced text (a blank line after nearly every line, as some PDF and DOCX
    readers give) loses its single blank lines; two or more blank lines become one. Line
    numbers are kept, so sources still point at the file's lines."""
    lines = doc.lines
    single = multi = joined = wrapped = 0
    i = 0
    while i < len(lines):
        if not lines[i].text.strip():
            j = i
            while j < len(lines) and not lines[j].text.strip():
                j += 1
            if i > 0 and j < len(lines):
                if j - i == 1:
                    single += 1
                    # A sentence going on after the blank line: wrapped lines, not paragraphs.
                    if clean(lines[j].text)[:1].islower():
                        wrapped += 1
                else:
                    multi += 1
            i = j
            continue
        if i + 1 < len(lines) and lines[i + 1].text.strip():
            joined += 1
        i += 1
    if single + multi < 10 or joined > 0.2 * (single + multi + joined) or wrapped < 0.1 * single:
        return doc
    kept: list[Line] = []
    i = 0
    while i < len(lines):
        if lines[i].text.strip():
            kept.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and not lines[j].text.strip():
            j += 1
        if j - i >= 2:
            kept.append(lines[i])
        i = j
    return DocumentText(path=doc.path, lines=kept, media_type=doc.media_type)


def parse_document(doc: DocumentText) -> ParsedDocument:
    """Recognise the document's kind and year and cut it into records. Never raises on odd
    input: a parser that fails falls back to plain sections, with a warning."""
    doc = normalise_spacing(demarkdown(doc))
    kind = kind_of_prepared(doc)
    year = year_of_prepared(doc)
    title = doc_title(doc)
    warnings: list[str] = []
    try:
        records = PARSERS.get(kind, _parse_okand)(doc, warnings)
    except Exception as exc:  # one odd file must not stop an ingest
        log.exception("parsing %s as %s failed", doc.path, kind)
        warnings.append(f"the {kind} parser failed ({type(exc).__name__}: {exc}); kept as plain sections")
        records = narrative_records(doc, doc.lines)
    if not records and kind != "okand":
        records = narrative_records(doc, doc.lines)
    return ParsedDocument(path=doc.path, doc_kind=kind, year=year, title=title, records=records, warnings=warnings)


# ============================================================================================
# python -m kvalitet.ingest.parsing FILE... [--check tests/data/activities_checked.json]
# ============================================================================================


def _read(path: str) -> DocumentText:
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() in (".txt", ".md", ""):
        return DocumentText.from_text(path, p.read_text(encoding="utf-8"))
    from kvalitet.ingest.readers import read_document

    return read_document(p, display_path=path)


def check_activities(parsed: Sequence[ParsedDocument], checked: Sequence[dict]) -> list[tuple[dict, list[str]]]:
    """Compare hand-checked activity rows with the parser's; (entry, problems) per entry.

    An entry is found by year and activity: the whole activity text, or a prefix when it ends
    in "…"; `occurrence` picks the n-th row with that activity (the same activity can stand
    under several goals). Other keys (perspective, deadline, status, committee, comment,
    carried_from, postponed, municipal_goal, line, line_end) must be equal; `goal` is a prefix.
    An entry with `doc` (a file name) is looked for in that document only.
    """
    out: list[tuple[dict, list[str]]] = []
    for entry in checked:
        want_act = entry["activity"]
        prefix = want_act.endswith("…")
        want_act = want_act.rstrip("…").rstrip()
        candidates = [
            r
            for p in parsed
            if p.year == entry["year"] and ("doc" not in entry or re.split(r"[\\/]", p.path)[-1] == entry["doc"])
            for r in p.records
            if r.section_kind == "aktivitet"
            and r.activity
            and (r.activity.startswith(want_act) if prefix else r.activity == want_act)
        ]
        n = entry.get("occurrence", 1)
        if len(candidates) < n:
            out.append((entry, ["not found"]))
            continue
        rec = candidates[n - 1]
        problems = []
        for key in (
            "perspective", "deadline", "status", "committee", "comment",
            "carried_from", "postponed", "municipal_goal", "goal",
        ):
            if key not in entry:
                continue
            got = getattr(rec, key)
            want = entry[key]
            if key == "status" and want is not None and want in (rec.status, rec.status_raw):
                continue  # the hand-checked list has the status as written
            if key == "goal" and isinstance(want, str):
                if not (got or "").startswith(want):
                    problems.append(f"goal: {got!r} does not start with {want!r}")
            elif got != want:
                problems.append(f"{key}: {got!r} != {want!r}")
        if "line" in entry and rec.source.line_start != entry["line"]:
            problems.append(f"line: {rec.source.line_start} != {entry['line']}")
        if "line_end" in entry and rec.source.line_end != entry["line_end"]:
            problems.append(f"line_end: {rec.source.line_end} != {entry['line_end']}")
        out.append((entry, problems))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m kvalitet.ingest.parsing", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--check", help="a JSON list of hand-checked activity rows")
    ap.add_argument("--records", action="store_true", help="print every record")
    args = ap.parse_args(argv)

    from kvalitet.ingest.recognise import recognise

    parsed = []
    for path in args.paths:
        doc = _read(path)
        p = recognise(doc)
        parsed.append(p)
        kinds = Counter(r.section_kind for r in p.records)
        print(f"{path}: {p.doc_kind} ({p.layout}), year {p.year}, {len(p.records)} records {dict(kinds)}")
        acts = [r for r in p.records if r.section_kind == "aktivitet"]
        if acts:
            rows = [r for r in acts if r.title != "Strategiskt utvecklingsuppdrag"]
            per = Counter(r.perspective for r in rows)
            print(
                f"  activity rows: {len(rows)} (+{len(acts) - len(rows)} strategiska utvecklingsuppdrag); "
                f"per perspective {dict(per)}; with goal {sum(1 for r in rows if r.goal)}"
            )
        for w in p.warnings:
            print(f"  warning: {w}")
        if args.records:
            for r in p.records:
                print(f"  [{r.source.line_start}-{r.source.line_end}] {r.section_kind}: {r.text}")
    if args.check:
        with open(args.check, encoding="utf-8") as fh:
            checked = json.load(fh)
        results = check_activities(parsed, checked)
        bad = [(e, probs) for e, probs in results if probs]
        for e, probs in bad:
            print(f"  MISMATCH {e['year']} {e['activity'][:60]!r}: {'; '.join(probs)}")
        print(f"hand-checked activity rows: {len(results)}, right: {len(results) - len(bad)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
