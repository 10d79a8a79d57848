"""HTML with lxml: headings, paragraphs, lists and tables of the page's content, without its
chrome.

Left out: script, style and other non-text elements; nav, aside, form, dialog and form controls;
header and footer outside the content; hidden elements (hidden, aria-hidden, display:none); and
any element whose id, class, role or aria-label names site chrome (cookie, consent, banner,
breadcrumb, menu, nav, sidebar, skip, share, social, print, tools, related; Swedish kakor, meny,
brödsmulor, sidofält, dela). When the page
marks its main content (<main>, role=main, else <article>), only that is read.

Blocks: h1–h6 headings (level = the number), paragraphs (every block element's own text; <br>
breaks lines inside one paragraph), list items (level = nesting depth from 0, `number` as the
browser renders it for <ol>, honouring start, value and type; the shown text keeps the marker),
tables (rows of cells, colspan/rowspan resolved by repeating the cell, header rows from <thead>
or leading rows of <th>, else the first row when it looks like a header; a nested table's text
stays in its cell; a layout table (one column, headings in its cells, or at most two rows of
nested tables or several paragraphs) is read as content), <pre> keeps its lines. Metadata: title (og:title, else <title>), created
and modified dates and author from <meta>, language from <html lang>.
"""

from __future__ import annotations

import re

from kvalitet.errors import UnreadableFile
from kvalitet.ingest.model import Block, Document
from kvalitet.ingest.readers.base import DecodedText, finish, grid_from_spans, looks_like_header
from kvalitet.ingest.readers.normalize import collapse_spaces, normalize_text

_SKIP_TAGS = frozenset(
    {
        "script", "style", "head", "noscript", "template", "title", "meta", "link", "iframe",
        "object", "embed", "svg", "canvas", "video", "audio", "map", "nav", "aside", "form",
        "dialog", "button", "select", "input", "textarea", "option", "menu",
    }
)
_PAGE_CHROME_TAGS = frozenset({"header", "footer"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "header", "hgroup", "hr", "html", "legend", "main", "p", "section", "summary", "tbody",
        "thead", "tfoot", "tr", "td", "th",
    }
)
_BR = "\ue000"  # a <br> in the text buffer (private use: never in a page's text we keep)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog", "alertdialog"}
)
# Words in id/class/aria-label that name site chrome: contained anywhere in a token...
_CHROME_WORDS = ("cookie", "consent", "banner", "breadcrumb", "sidebar", "kakor", "brödsmul", "brodsmul", "sidofält", "sidofalt")
# ...or starting a token (short words that occur inside content words).
_CHROME_PREFIXES = ("nav", "menu", "meny", "skip", "huvudmeny", "share", "social", "print", "tools", "related", "dela")
_TOKEN_SPLIT = re.compile(r"[\s_\-:]+")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_DATE_CREATED = ("article:published_time", "datepublished", "dcterms.created", "dcterms.date", "dc.date", "date", "dc.date.created")
_DATE_MODIFIED = ("article:modified_time", "datemodified", "dcterms.modified", "dc.date.modified", "last-modified", "og:updated_time")


def _tag(el) -> str | None:
    return el.tag.lower().rsplit("}", 1)[-1] if isinstance(el.tag, str) else None


def _names_chrome(value: str) -> bool:
    for token in _TOKEN_SPLIT.split(value.lower()):
        if not token:
            continue
        if any(w in token for w in _CHROME_WORDS):
            return True
        if token.startswith(_CHROME_PREFIXES):
            return True
    return False


def _is_hidden(el) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    return bool(_DISPLAY_NONE.search(el.get("style") or ""))


def _is_chrome(el, tag: str, in_content: bool) -> bool:
    if tag in _SKIP_TAGS:
        return True
    if tag in _PAGE_CHROME_TAGS and not in_content:
        return True
    if tag in ("html", "body", "main", "article") or (el.get("role") or "").lower() == "main":
        return False
    if _is_hidden(el):
        return True
    role = (el.get("role") or "").lower()
    if role in _CHROME_ROLES:
        return True
    for attr in ("id", "class", "aria-label"):
        value = el.get(attr)
        if value and _names_chrome(value):
            return True
    return False


def _roman(n: int) -> str:
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(ord("a") + r) + s
    return s or "a"


def render_number(n: int, kind: str) -> str:
    """The marker of item `n` in a list of `kind` ("1", "a", "A", "i", "I"), as "3.", "c.", "IV."."""
    if kind == "a":
        return _letters(n) + "."
    if kind == "A":
        return _letters(n).upper() + "."
    if kind == "i":
        return _roman(n) + "."
    if kind == "I":
        return _roman(n).upper() + "."
    return f"{n}."


def _int(value, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.lists: list[dict] = []  # {"ordered", "next", "type"}
        self.item: dict | None = None  # the <li> whose first text is pending

    # -- text -----------------------------------------------------------------------------

    def flush(self) -> None:
        parts = [collapse_spaces(p) for p in "".join(self.buf).split(_BR)]
        self.buf = []
        parts = [p for p in parts if p]
        if not parts:
            return
        item = self.item
        if item is not None and not item["used"]:
            item["used"] = True
            marker = item["number"] or "•"
            parts[0] = f"{marker} {parts[0]}"
            self.blocks.append(Block("list_item", "\n".join(parts), level=item["level"], number=item["number"]))
        else:
            self.blocks.append(Block("paragraph", "\n".join(parts)))

    def visible_text(self, el, in_content: bool) -> str:
        out: list[str] = []
        self._visible(el, out, in_content, top=True)
        return collapse_spaces("".join(out))

    def _visible(self, el, out: list[str], in_content: bool, top: bool = False) -> None:
        tag = _tag(el)
        if tag is not None and (top or not _is_chrome(el, tag, in_content)):
            if tag == "br":
                out.append(" ")
            elif tag in _BLOCK_TAGS or tag in ("li", "table") or tag in _HEADINGS:
                out.append(" ")
            if el.text:
                out.append(el.text)
            for child in el:
                self._visible(child, out, in_content)
            if tag in _BLOCK_TAGS or tag in ("li", "table") or tag in _HEADINGS:
                out.append(" ")
        if not top and el.tail:
            out.append(el.tail)

    # -- walking ----------------------------------------------------------------------------

    def walk(self, el, in_content: bool) -> None:
        tag = _tag(el)
        if tag is None:  # comment, processing instruction
            pass
        elif _is_chrome(el, tag, in_content):
            pass
        elif tag == "br":
            self.buf.append(_BR)
        elif tag in _HEADINGS:
            self.flush()
            text = self.visible_text(el, in_content)
            if text:
                self.blocks.append(Block("heading", text, level=_HEADINGS[tag], style=tag))
        elif tag == "table" and _is_layout_table(el):
            self.flush()
            for row, _ in _table_rows(el):
                for cell in row:
                    if _tag(cell) in ("td", "th"):
                        self.flush()
                        self.children(cell, in_content)
                        self.flush()
        elif tag == "table":
            self.flush()
            self.table(el, in_content)
        elif tag in ("ul", "ol"):
            self.flush()
            saved = self.item
            if saved is not None:
                saved["used"] = True
            kind = (el.get("type") or "1") if tag == "ol" else ""
            start = _int(el.get("start"), 1)
            self.lists.append({"ordered": tag == "ol", "next": start, "type": kind})
            self.children(el, in_content)
            self.flush()
            self.lists.pop()
            self.item = saved
        elif tag == "li":
            self.flush()
            current: dict = self.lists[-1] if self.lists else {"ordered": False, "next": 1, "type": ""}
            number = None
            if current["ordered"]:
                n = _int(el.get("value"), current["next"])
                current["next"] = n + 1
                number = render_number(n, el.get("type") or current["type"] or "1")
            saved = self.item
            self.item = {"level": max(0, len(self.lists) - 1), "number": number, "used": False}
            self.children(el, in_content)
            self.flush()
            self.item = saved
        elif tag == "pre":
            self.flush()
            text = "".join(el.itertext())
            lines = [normalize_text(t).rstrip() for t in text.strip("\n").split("\n")]
            if any(t.strip() for t in lines):
                self.blocks.append(Block("paragraph", "\n".join(lines)))
        elif tag in _BLOCK_TAGS or tag in ("ul", "ol"):
            self.flush()
            self.children(el, in_content)
            self.flush()
        else:  # inline
            self.children(el, in_content)
        if el.tail:
            self.buf.append(el.tail)

    def children(self, el, in_content: bool) -> None:
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child, in_content)

    def table(self, table, in_content: bool) -> None:
        for caption in table.findall("caption"):
            text = self.visible_text(caption, in_content)
            if text:
                self.blocks.append(Block("paragraph", text))
        spans: list[list[tuple[str, int, int]]] = []
        header_flags: list[bool] = []
        for row, in_head in _table_rows(table):
            cells = [c for c in row if _tag(c) in ("td", "th")]
            spans.append(
                [
                    (self.visible_text(c, in_content), _int(c.get("colspan"), 1), _int(c.get("rowspan"), 1))
                    for c in cells
                ]
            )
            header_flags.append(in_head or (bool(cells) and all(_tag(c) == "th" for c in cells)))
        rows = grid_from_spans(spans)
        # Rows without any text (spacers) go; header flags follow their rows.
        kept = [(r, h) for r, h in zip(rows, header_flags, strict=False) if any(c.strip() for c in r)]
        if not kept:
            return
        rows = [r for r, _ in kept]
        header = 0
        for _, is_head in kept:
            if not is_head:
                break
            header += 1
        if header == len(rows):
            header = min(header, 1) if len(rows) > 1 else 0
        if header == 0 and len(rows) > 1 and looks_like_header(rows[0]):
            header = 1
        self.blocks.append(Block("table", "", rows=rows, header_rows=header))


def _table_rows(table):
    """(<tr>, in <thead>) of `table` in order, without descending into nested tables."""
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            yield child, False
        elif tag in ("thead", "tbody", "tfoot"):
            for row in child:
                if _tag(row) == "tr":
                    yield row, tag == "thead"


def _is_layout_table(table) -> bool:
    """A table used for page layout, not data: one column, cells holding headings, or at most
    two rows whose cells hold other tables or several paragraphs. Its cells are read as content."""
    rows = [[c for c in row if _tag(c) in ("td", "th")] for row, _ in _table_rows(table)]
    if not rows:
        return False
    if max(len(r) for r in rows) <= 1:
        return True
    few_rows = len(rows) <= 2
    for row in rows:
        for cell in row:
            for el in cell.iterdescendants():
                tag = _tag(el)
                if tag in _HEADINGS:
                    return True
                if few_rows and (tag == "table" or (tag == "p" and sum(1 for _ in cell.iter("p")) > 2)):
                    return True
    return False


def _outermost(elements) -> list:
    """The elements of `elements` (in document order) not inside another of them."""
    chosen: list = []
    members = set(elements)
    for el in elements:
        parent = el.getparent()
        while parent is not None and parent not in members:
            parent = parent.getparent()
        if parent is None:
            chosen.append(el)
    return chosen


def _metadata(root) -> dict:
    meta: dict = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        value = collapse_spaces(el.get("content") or "")
        if not key or not value:
            continue
        if key == "og:title" and "title" not in meta:
            meta["title"] = value
        elif key in _DATE_CREATED and "created" not in meta:
            meta["created"] = value
        elif key in _DATE_MODIFIED and "modified" not in meta:
            meta["modified"] = value
        elif key in ("author", "dc.creator", "dcterms.creator") and "author" not in meta:
            meta["author"] = value
    if "title" not in meta:
        title = root.find(".//title")
        if title is not None:
            text = collapse_spaces(title.text_content())
            if text:
                meta["title"] = text
    lang = root.get("lang")
    if lang:
        meta["language"] = lang.strip()
    return meta


def read_html(src: DecodedText) -> Document:
    """The Document of decoded HTML (see the module docstring).

    Raises UnreadableFile when lxml cannot parse it or no visible text is left.
    """
    import lxml.html
    from lxml import etree

    text, path, media_type, warnings, max_lines = src.text, src.path, src.media_type, src.warnings, src.max_lines

    # lxml refuses str input carrying an XML encoding declaration; the text is decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableFile(f"HTML-filen kunde inte tolkas: {exc}", f"the HTML file could not be parsed: {exc}") from exc
    metadata = _metadata(root)
    mains = [el for el in root.iter() if _tag(el) == "main" or (isinstance(el.tag, str) and (el.get("role") or "").lower() == "main")]
    roots = _outermost(mains)
    if not roots:
        roots = _outermost([el for el in root.iter() if _tag(el) == "article"])
    in_content = bool(roots)
    if not roots:
        body = root.find("body")
        roots = [body if body is not None else root]
    builder = _Builder()
    for el in roots:
        builder.flush()
        builder.children(el, in_content)
        builder.flush()
    doc = finish(builder.blocks, path=path, media_type=media_type, metadata=metadata, warnings=warnings, max_lines=max_lines)
    if not doc.lines:
        raise UnreadableFile("HTML-filen innehåller ingen synlig text.", "the HTML file has no visible text.")
    return doc
