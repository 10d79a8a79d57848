"""Blocks from plain lines: what a text or Markdown file (or any reader that still gives only
lines) is made of.

    to_document(x)          a Document from a Document (unchanged) or a DocumentText
    blocks_from_lines(lines) the blocks of numbered lines

Rules (plain text has no styles, so a heading is judged from its shape and its neighbours):
- Markdown headings ("## X") are headings of their level; pipe tables and runs of
  tab-separated lines are tables (the first row is the header when it reads like one).
- Paragraphs are split on blank lines. A paragraph's first line is a heading when it is short,
  has no final period or comma, starts with a capital or a number, is not a case number
  (Dnr), page number or image caption, and is followed by body text, not by its own wrapped
  continuation (a next line that starts in lower case).
- "Label: value" lines (Insats:, Ansvarig:, Kostnad: ...) are paragraphs of their own;
  "- x" and "1) x" lines are list items.
- A very long line with numbered headings run into it ("1. Nämndens uppdrag Nämnden ansvarar
  … 2. Periodens händelser …", a PDF page that came out as one line) is split into heading and
  paragraph blocks that all cite that line.

The Document's lines are the input lines, unchanged, so sources keep pointing at the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from kvalitet.domain.types import DocumentText, Line
from kvalitet.domain.vocabulary import header_field
from kvalitet.ingest.model import Block, BlockKind, Document

__all__ = ["to_document", "blocks_from_lines", "is_heading_text", "NOT_HEADING_RE"]

_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_TABLE_RE = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE_CELL_RE = re.compile(r"^:?-{2,}:?$")
_LIST_RE = re.compile(r"^\s*(?:([-–•*\u2022\uf0b7])|(\d{1,2}[.)]|[a-z][)]))\s+(\S.*)$")
_LABEL_RE = re.compile(
    r"^(Insats(?:er)?|Åtgärd(?:er)?|Aktivitet|Uppdrag|Utvecklingsområde|Ansvarig|Ansvar|Kostnad(?:er)?|Budget|"
    r"Status|Kommentar|Tidplan|Klart|Mål|Nämndmål|Indikator|Utfall|Målnivå|Målvärde|Resultat|Uppföljning|Analys|"
    r"Bedömning|Perspektiv|Nämnd|Period|Deltagare|Risk(?:er)?)\s*:\s*(.*)$",
    re.I,
)
# Never headings: case numbers, page numbers, captions, dates, table-of-contents lines.
NOT_HEADING_RE = re.compile(
    r"^(?:dnr\b|diarienr|diarienummer|ärendenr|sid(?:a|an)?\s*\d|page\s*\d|\d{1,3}\s*(?:\(\d+\)|av\s*\d+|/\s*\d+)?$"
    r"|(?:bild|figur|fig\.|foto|diagram|tabell|källa)\s*\d*\s*[:.–-]|\d{4}-\d{2}-\d{2}$|.*\.{4,}\s*\d+$)",
    re.I,
)
_END_PUNCT = ".,;!?…"
_WANTS_MORE = frozenset(
    "med av i till för och att som är har mot på om samt eller en ett den det de inom vid under efter "
    "genom utan från hos alla sina sitt sin kan ska skall blir bli vara där när".split()
)
_RUN_IN_RE = re.compile(r"(?:(?<=\s)|^)(\d{1,2})\.\s+(?=[A-ZÅÄÖ])")


def is_heading_text(text: str) -> bool:
    """The shape of a heading: short (≤ 90 characters, ≤ 12 words), no final period or comma,
    starting with a capital or a number, not a case number, page number or caption."""
    s = " ".join(text.split())
    if not s or len(s) > 90 or len(s.split()) > 12:
        return False
    if s[-1] in _END_PUNCT or s.endswith(("-", "–")):
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    if NOT_HEADING_RE.match(s) or "\t" in text:
        return False
    if not re.search(r"[A-Za-zÅÄÖåäö]{2}", s):
        return False
    last = s.split()[-1].lower()
    return last not in _WANTS_MORE


def _heading_level(text: str) -> int:
    m = re.match(r"^(\d+(?:\.\d+)*)\.?\s", text)
    if m:
        return min(4, 1 + m.group(1).count(".") + 1)
    return 2


def _split_cells(text: str) -> list[str]:
    return [c.strip() for c in text.split("\t")]


def _looks_like_header(row: list[str], nxt: list[str] | None) -> bool:
    cells = [c for c in row if c]
    if not cells:
        return False
    if sum(1 for c in cells if header_field(c)[0]) >= max(1, len(cells) // 2):
        return True
    if any(len(c) > 40 or c[-1:] in "." or re.fullmatch(r"[\d\s,.%<>≥≤-]+", c) for c in cells):
        return False
    return nxt is not None and any(len(c) > 40 for c in nxt)


def _table(lines: list[Line], md: bool = False) -> Block:
    rows: list[list[str]] = []
    for ln in lines:
        if md:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", ln.text.strip())[1:-1]]
            if cells and all(_MD_RULE_CELL_RE.match(c) for c in cells if c) and any(cells):
                continue
            rows.append(cells)
        else:
            rows.append(_split_cells(ln.text))
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = 1 if _looks_like_header(rows[0], rows[1] if len(rows) > 1 else None) else 0
    return Block(
        kind="table", text="\n".join("\t".join(r) for r in rows), rows=rows, header_rows=header,
        line_start=lines[0].number, line_end=lines[-1].number, page=lines[0].page, page_end=lines[-1].page,
    )


def _block(kind: BlockKind, lines: list[Line], text: str | None = None, **kw) -> Block:
    if text is None:
        text = " ".join(" ".join(ln.text.split()) for ln in lines)
    return Block(
        kind=kind, text=text, line_start=lines[0].number, line_end=lines[-1].number,
        page=lines[0].page, page_end=lines[-1].page, **kw,
    )


def _run_in_split(line: Line) -> list[Block] | None:
    """Numbered headings run into one long line: split at "N. Capital" markers numbered 1, 2, 3 …"""
    text = " ".join(line.text.split())
    if len(text) < 200:
        return None
    marks = [m for m in _RUN_IN_RE.finditer(text)]
    seq: list[re.Match[str]] = []
    for m in marks:
        n = int(m.group(1))
        if n == (int(seq[-1].group(1)) + 1 if seq else 1):
            seq.append(m)
    if len(seq) < 3:
        return None
    out: list[Block] = []
    pre = text[: seq[0].start()].strip()
    if pre:
        out.append(_block("paragraph", [line], re.sub(r"^\d{1,3}\s+", "", pre)))
    for i, m in enumerate(seq):
        end = seq[i + 1].start() if i + 1 < len(seq) else len(text)
        chunk = text[m.end() : end].strip()
        words = chunk.split()
        # The heading: its first word and the lower-case words after it (sentence case), up to
        # the first capitalised word, which starts the body.
        k = 1
        while k < len(words) and not words[k][:1].isupper() and not words[k][:1].isdigit() and k < 10:
            k += 1
        title = " ".join(words[:k])
        body = " ".join(words[k:])
        out.append(_block("heading", [line], title, level=2, number=f"{m.group(1)}."))
        if body:
            out.append(_block("paragraph", [line], body))
    return out


def blank_separated(lines: Sequence[Line], has_text: Callable[[str], object] = str.strip) -> list[list[Line]]:
    """Runs of consecutive lines with text, broken where `has_text(line.text)` is false (by
    default a line of white space only); blank lines belong to no run."""
    runs: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        if has_text(ln.text):
            cur.append(ln)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def blocks_from_lines(lines: list[Line], breaks: frozenset[int] = frozenset()) -> list[Block]:
    """The blocks of numbered lines (see the module docstring for the rules).

    Lines are judged in groups separated by blank lines; `breaks` holds the numbers of lines
    after which a reader saw a paragraph end although no blank line was written (a PDF's
    vertical gaps), and ends a group there too."""
    groups = []
    for run in blank_separated(lines):
        start = 0
        for k, ln in enumerate(run):
            if ln.number in breaks:
                groups.append(run[start:k + 1])
                start = k + 1
        if start < len(run):
            groups.append(run[start:])
    # A sentence that goes on after a blank line ("Trivselkväll – där vårdnadshavare" /
    # "(vårdnadshavare) och vi …") is one paragraph, not a heading and a paragraph.
    merged: list[list[Line]] = []
    for group in groups:
        if merged and _continues(merged[-1][-1].text, group[0].text):
            merged[-1] = merged[-1] + group
        else:
            merged.append(group)
    groups = merged

    blocks: list[Block] = []
    para: list[Line] = []  # the paragraph being gathered; each group ends with flush(), so it starts empty

    def flush() -> None:
        if para:
            blocks.append(_block("paragraph", list(para)))
            para.clear()

    for gi, group in enumerate(groups):
        nxt_group = groups[gi + 1] if gi + 1 < len(groups) else None
        i = 0
        while i < len(group):
            ln = group[i]
            t = ln.text
            s = " ".join(t.split())
            m = _MD_HEADING_RE.match(t)
            if m:
                flush()
                blocks.append(_block("heading", [ln], m.group(2).strip(), level=len(m.group(1))))
                i += 1
                continue
            if _MD_TABLE_RE.match(t) or "\t" in t.strip():
                md = bool(_MD_TABLE_RE.match(t))
                j = i
                while j < len(group) and (
                    (_MD_TABLE_RE.match(group[j].text) if md else "\t" in group[j].text.strip())
                ):
                    j += 1
                flush()
                blocks.append(_table(group[i:j], md=md))
                i = j
                continue
            split = _run_in_split(ln) if len(group) == 1 else None
            if split:
                flush()
                blocks += split
                i += 1
                continue
            lm = _LIST_RE.match(t)
            numbered_heading = bool(lm and lm.group(2) and is_heading_text(s) and (i == 0 or (
                i + 1 < len(group) and _LABEL_RE.match(" ".join(group[i + 1].text.split())))) and (
                (i + 1 < len(group) and not _LIST_RE.match(group[i + 1].text))
                or (len(group) == 1 and nxt_group is not None and not _LIST_RE.match(nxt_group[0].text))
            ))
            if lm and not numbered_heading:
                flush()
                j = i + 1
                while j < len(group) and group[j].text.strip() and not _LIST_RE.match(group[j].text) \
                        and group[j].text.lstrip()[:1].islower():
                    j += 1
                text = " ".join([lm.group(3)] + [" ".join(g.text.split()) for g in group[i + 1 : j]])
                blocks.append(_block("list_item", group[i:j], text, level=0,
                                     number=lm.group(2) if lm.group(2) else None))
                i = j
                continue
            if _LABEL_RE.match(s):
                flush()
                j = i + 1
                while j < len(group) and not _LABEL_RE.match(" ".join(group[j].text.split())) \
                        and not _LIST_RE.match(group[j].text) and "\t" not in group[j].text.strip() \
                        and group[j].text.lstrip()[:1].islower():
                    j += 1
                blocks.append(_block("paragraph", group[i:j]))
                i = j
                continue
            if lm and numbered_heading and i > 0:  # numbered_heading implies lm
                flush()
                blocks.append(_block("heading", [ln], s, level=_heading_level(s), number=lm.group(2)))
                i += 1
                continue
            if i == 0 and not para and _heading_here(group, nxt_group, blocks):
                blocks.append(_block("heading", [ln], s, level=_heading_level(s),
                                     number=(re.match(r"^(\d+(?:\.\d+)*\.?)\s", s) or [None, None])[1]))
                i += 1
                continue
            # A heading inside a run of lines without blank lines (PDF text): a short line after a
            # finished sentence, followed by a line in capitals that is not a heading itself.
            if i > 0 and i + 1 < len(group) and _inner_heading(group, i):
                flush()
                blocks.append(_block("heading", [ln], s, level=_heading_level(s),
                                     number=(re.match(r"^(\d+(?:\.\d+)*\.?)\s", s) or [None, None])[1]))
                i += 1
                continue
            # A line of a list of short lines (amount lines, names) after a heading: its own paragraph.
            if is_heading_text(s) and len(group) > 1 and not para and i > 0 and (
                i + 1 >= len(group) or is_heading_text(" ".join(group[i + 1].text.split()))
            ):
                blocks.append(_block("paragraph", [ln]))
                i += 1
                continue
            para.append(ln)
            i += 1
        flush()
    if blocks and blocks[0].kind == "heading" and not blocks[0].number and blocks[0].level == 2:
        blocks[0].level = 1  # the document's title
    return blocks


def _inner_heading(group: list[Line], i: int) -> bool:
    s = " ".join(group[i].text.split())
    if not is_heading_text(s) or len(s) > 60 or len(s.split()) > 8 or _LABEL_RE.match(s):
        return False
    prev = " ".join(group[i - 1].text.split())
    nxt = " ".join(group[i + 1].text.split())
    if not prev or prev[-1] not in ".!?:…" or "\t" in group[i + 1].text:
        return False
    if not nxt or not (nxt[0].isupper() or nxt[0].isdigit() or _LIST_RE.match(group[i + 1].text)):
        return False
    # Not a row of a list of short lines ("Läxhjälp 350 tkr" / "Lärarlyftet 1,2 mnkr").
    return not (is_heading_text(nxt) and len(nxt) <= 60)


def _continues(prev: str, nxt: str) -> bool:
    p, n = prev.strip(), nxt.strip()
    if not p or not n or "\t" in p or "\t" in n or p[-1] in ".!?:;…" or _MD_HEADING_RE.match(prev):
        return False
    if _LIST_RE.match(nxt) or _MD_TABLE_RE.match(nxt):
        return False
    return n[:1].islower() or (n[:1] == "(" and n[1:2].islower())


def _heading_here(group: list[Line], nxt_group: list[Line] | None, blocks: list[Block]) -> bool:
    """Is the first line of this paragraph group a heading?"""
    s = " ".join(group[0].text.split())
    if not is_heading_text(s):
        return False
    if len(group) > 1:
        second = group[1].text.strip()
        # "Trivselkväll – där vårdnadshavare" / "(vårdnadshavare) och …": a wrapped line.
        return bool(second) and (second[:1].isupper() or second[:1].isdigit() or _LIST_RE.match(group[1].text)
                                 or "\t" in group[1].text.strip()) and not second.startswith("(")
    if nxt_group is None:
        return False
    nxt = nxt_group[0].text.strip()
    if nxt[:1].islower() or (nxt.startswith("(") and nxt[1:2].islower()):
        return False  # the sentence goes on after a blank line
    # The previous paragraph stopped mid-sentence: this line continues it.
    if blocks and blocks[-1].kind == "paragraph":
        prev = blocks[-1].text.rstrip()
        if prev and prev[-1] not in ".!?:…" and prev.split()[-1].lower() in _WANTS_MORE and s[:1].islower():
            return False
    return True


def to_document(doc: Document | DocumentText, metadata: dict | None = None) -> Document:
    """A Document: itself when it is one; from a DocumentText's lines by the rules above."""
    if isinstance(doc, Document):
        return doc
    return Document(
        path=doc.path, media_type=doc.media_type, blocks=blocks_from_lines(doc.lines),
        lines=list(doc.lines), metadata=dict(metadata or {}),
    )
