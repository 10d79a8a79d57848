"""Mechanical checks of the kommuner corpus: label schema, phrases present in the documents,
questions, split rule. Run: .venv/bin/python tests/data/kommuner/check_labels.py
Exits 1 and lists the problems when anything is wrong.

The document text is extracted independently of the product: python-docx's package (OOXML
walked with lxml: body incl. tables, text boxes, content controls, footnotes; tracked
insertions kept, deletions dropped), pypdf, the HTML source stripped of tags, openpyxl, and
plain reads (UTF-8 with or without BOM, else cp1252).
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC_EXT = {".docx", ".pdf", ".html", ".htm", ".xlsx", ".csv", ".md", ".txt"}
DOC_KINDS = {"kvalitetsrapport", "verksamhetsberattelse", "delarsrapport", "verksamhetsplan",
             "verksamhetsplan_uppfoljning", "aktivitetsuppfoljning", "arshjul", "protokoll", "okand"}
SECTION_KINDS = {"uppfoljning", "analys", "risk", "insats", "mal", "bakgrund", "styrkor_svagheter",
                 "tidplan", "text"}
RECORD_KINDS = {"aktivitet", "indikator", "kostnad", "process"} | SECTION_KINDS
STATUSES = {"Genomfört", "Pågående", "Delvis genomfört", "Ej påbörjad", "Uppskjuten", "Kvarstår",
            "Pausad", "Ej genomfört"}
# status as written -> normalised (None: a colour, kept only as status_raw/assessment)
STATUS_RAW = {
    "genomförd": "Genomfört", "genomfört": "Genomfört", "klar": "Genomfört", "klart": "Genomfört",
    "uppnått": "Genomfört", "slutförd": "Genomfört", "slutfört": "Genomfört", "avslutad": "Genomfört",
    "avslutat": "Genomfört", "pågår": "Pågående", "påbörjad": "Pågående", "påbörjat": "Pågående",
    "pågående": "Pågående", "delvis genomförd": "Delvis genomfört", "delvis genomfört": "Delvis genomfört",
    "ej påbörjad": "Ej påbörjad", "ej påbörjat": "Ej påbörjad", "ej startad": "Ej påbörjad",
    "inte påbörjad": "Ej påbörjad", "inte påbörjat": "Ej påbörjad", "skjuts upp": "Uppskjuten",
    "uppskjuten": "Uppskjuten", "uppskjutet": "Uppskjuten", "flyttas till nästa år": "Uppskjuten",
    "kvarstår": "Kvarstår", "pausad": "Pausad", "pausat": "Pausad", "ej genomförd": "Ej genomfört",
    "ej genomfört": "Ej genomfört", "inte genomförd": "Ej genomfört",
    "grön": None, "gul": None, "röd": None,
}
FIELDS = {
    "aktivitet": {"activity", "goal", "municipal_goal", "committee", "responsible", "perspective",
                  "deadline", "status", "status_raw", "comment", "assessment"},
    "indikator": {"goal", "indicator", "outcome", "target", "assessment", "comment", "period",
                  "perspective"},
    "kostnad": {"item", "amount_tkr", "column"},
    "process": {"month", "activity", "responsible"},
}
NOT_VERBATIM = {"status", "period", "amount_tkr", "column"}

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


# ---------------------------------------------------------------- text extraction
def _walk_ooxml(el, out):
    tag = el.tag
    if tag == MC_FALLBACK:
        return  # the VML copy of a text box: the DrawingML copy is read
    if tag == W + "p":
        out.append("\n")
        for ch in el:
            _walk_ooxml(ch, out)
        out.append("\n")
        return
    if tag == W + "t":
        out.append(el.text or "")
    elif tag == W + "tab":
        out.append("\t")
    elif tag in (W + "br", W + "cr"):
        out.append("\n")
    elif tag in (W + "delText", W + "instrText"):
        return
    elif tag == W + "tc":
        out.append("\t")
    for ch in el:
        _walk_ooxml(ch, out)


def text_docx(path):
    from lxml import etree
    out = []
    with zipfile.ZipFile(path) as z:
        for name in ("word/document.xml", "word/footnotes.xml"):
            if name in z.namelist():
                _walk_ooxml(etree.fromstring(z.read(name)), out)
    return "".join(out)


def text_pdf(path):
    from pypdf import PdfReader
    return "\n".join((pg.extract_text() or "") for pg in PdfReader(str(path)).pages)


def text_html(path):
    s = Path(path).read_text(encoding="utf-8")
    s = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", s)
    s = re.sub(r"(?s)<!--.*?-->", " ", s)
    s = re.sub(r"(?i)<br\s*/?>|</(p|li|h\d|tr|div|td|th|caption|dt|dd)>", "\n", s)
    s = re.sub(r"<[^>]+>", " ", s)
    return html.unescape(s)


def text_xlsx(path):
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    lines = []
    for ws in wb.worksheets:
        lines.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def read_plain(path):
    b = Path(path).read_bytes()
    try:
        return b.decode("utf-8-sig")
    except UnicodeDecodeError:
        return b.decode("cp1252")


def text_csv(path):
    s = read_plain(path)
    delim = ";" if s.count(";") > s.count(",") else ","
    return "\n".join("\t".join(r) for r in csv.reader(io.StringIO(s), delimiter=delim))


def extract(path):
    ext = path.suffix.lower()
    return {".docx": text_docx, ".pdf": text_pdf, ".html": text_html, ".htm": text_html,
            ".xlsx": text_xlsx, ".csv": text_csv}.get(ext, read_plain)(path)


def variants(text):
    """Whitespace-normalised readings, allowing for hyphenation at line ends."""
    t = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("\u00a0", " ")
    t = re.sub(r"[ \t]+\n", "\n", t)
    joined = re.sub(r"(\w)-\n\s*(\w)", r"\1\2", t)      # matematik-\nundervisningen
    kept = re.sub(r"(\w)-\n\s*(\w)", r"\1-\2", t)       # IT-\nstödet
    md = t.replace("**", "").replace("\\|", "|")
    return [re.sub(r"\s+", " ", v) for v in (t, joined, kept, md)]


def norm_phrase(p):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", p)).strip()


def occurs(phrase, vs):
    p = norm_phrase(phrase)
    return any(p in v for v in vs)


# ---------------------------------------------------------------- checks
def main():
    problems = []
    docs = {}
    for split in ("tune", "heldout"):
        for f in sorted((HERE / split).iterdir()):
            if f.suffix.lower() in DOC_EXT and not f.name.endswith(".labels.json"):
                docs[f.name] = (split, f)
    if len(docs) < 33:
        problems.append(f"only {len(docs)} documents")
    texts = {}
    for name, (split, f) in docs.items():
        try:
            texts[name] = variants(extract(f))
        except Exception as e:  # noqa: BLE001
            problems.append(f"{name}: cannot extract text: {e}")
            texts[name] = [""]

    # split rule: every third planned document is held out
    sys.path.insert(0, str(HERE))
    try:
        from make_corpus import PLAN  # noqa: WPS433
        for i, (fname, _fn) in enumerate(PLAN, 1):
            want = "heldout" if i % 3 == 0 else "tune"
            if fname not in docs:
                problems.append(f"planned {fname} missing")
            elif docs[fname][0] != want:
                problems.append(f"{fname}: in {docs[fname][0]}, split rule says {want}")
        if len(PLAN) != len(docs):
            problems.append(f"{len(docs)} documents on disk, {len(PLAN)} planned")
    except ImportError as e:
        problems.append(f"cannot import PLAN from make_corpus.py: {e}")

    for split in ("tune", "heldout"):
        exts = {f.suffix.lower() for n, (s, f) in docs.items() if s == split}
        for need in (".docx", ".pdf", ".html", ".xlsx", ".csv", ".md", ".txt"):
            if need not in exts:
                problems.append(f"{split}/ has no {need}")

    counts = {"records": 0}
    for name, (split, f) in docs.items():
        lp = f.with_name(name + ".labels.json")
        if not lp.exists():
            problems.append(f"{name}: no labels file")
            continue
        try:
            lab = json.loads(lp.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            problems.append(f"{lp.name}: bad JSON {e}")
            continue
        vs = texts[name]
        P = lambda msg: problems.append(f"{split}/{name}: {msg}")  # noqa: E731
        want_keys = {"file", "municipality", "layout", "doc_kind", "year", "school_year", "period",
                     "records", "outline"}
        if set(lab) != want_keys:
            P(f"top-level keys {sorted(set(lab) ^ want_keys)}")
        if lab.get("file") != name:
            P(f"file field {lab.get('file')!r}")
        if lab.get("doc_kind") not in DOC_KINDS:
            P(f"doc_kind {lab.get('doc_kind')!r}")
        y = lab.get("year")
        if not (y is None or (isinstance(y, int) and 2010 <= y <= 2030)):
            P(f"year {y!r}")
        sy = lab.get("school_year")
        if sy is not None:
            m = re.fullmatch(r"(\d{4})/(\d{2})", str(sy))
            if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
                P(f"school_year {sy!r}")
            elif y is not None and int(m.group(1)) + 1 != y:
                P(f"school_year {sy} but year {y} (the end year is the year)")
        if not (lab.get("period") is None or isinstance(lab.get("period"), str)):
            P("period not a string")
        for k in ("municipality", "layout"):
            if not isinstance(lab.get(k), str) or not lab.get(k):
                P(f"{k} empty")
        outline = lab.get("outline", [])
        if not outline and f.suffix.lower() != ".csv":
            P("empty outline")
        titles = set()
        for o in outline:
            if set(o) != {"level", "title"} or not isinstance(o["level"], int) or not 1 <= o["level"] <= 4:
                P(f"outline entry {o}")
                continue
            titles.add(o["title"])
            if not occurs(o["title"], vs):
                P(f"outline title not in text: {o['title']!r}")
        for r in lab.get("records", []):
            counts["records"] += 1
            kind = r.get("kind")
            counts[kind] = counts.get(kind, 0) + 1
            if kind not in RECORD_KINDS:
                P(f"record kind {kind!r}")
                continue
            fields = r.get("fields")
            if not isinstance(fields, dict):
                P(f"record without fields: {r}")
                continue
            if kind in SECTION_KINDS:
                if set(r) != {"kind", "fields", "title", "text_contains"}:
                    P(f"section record keys {sorted(r)}")
                if set(fields) - {"activity"}:
                    P(f"section record fields {sorted(fields)}")
                tc = r.get("text_contains", "")
                nw = len(tc.split())
                if not 5 <= nw <= 12:
                    P(f"text_contains has {nw} words: {tc!r}")
                if not occurs(tc, vs):
                    P(f"text_contains not in text: {tc!r}")
                if r.get("title") not in titles:
                    P(f"section title not a heading of the outline: {r.get('title')!r}")
                if fields.get("activity") and not occurs(fields["activity"], vs):
                    P(f"section activity not in text: {fields['activity']!r}")
                continue
            extra = set(fields) - FIELDS[kind]
            if extra:
                P(f"{kind} fields not in the schema: {sorted(extra)}")
            need = {"aktivitet": "activity", "indikator": "indicator", "kostnad": "item", "process": "month"}[kind]
            if not fields.get(need):
                P(f"{kind} without {need}: {fields}")
            if kind == "indikator" and "outcome" not in fields:
                P(f"indikator without outcome: {fields}")
            if kind == "process" and not fields.get("activity"):
                P(f"process without activity: {fields}")
            if kind == "kostnad" and not isinstance(fields.get("amount_tkr"), (int, float)):
                P(f"amount_tkr not a number: {fields}")
            if kind == "aktivitet":
                st, raw = fields.get("status"), fields.get("status_raw")
                if st is not None and st not in STATUSES:
                    P(f"status {st!r} is not a normalised status")
                if raw is not None:
                    key = raw.strip().lower()
                    if key not in STATUS_RAW:
                        P(f"status_raw {raw!r} has no known normalisation")
                    elif STATUS_RAW[key] != st:
                        P(f"status_raw {raw!r} should normalise to {STATUS_RAW[key]!r}, not {st!r}")
                    elif STATUS_RAW[key] is None and fields.get("assessment") != raw.strip().capitalize():
                        P(f"colour status {raw!r} without assessment")
            for k, v in fields.items():
                if k in NOT_VERBATIM or not isinstance(v, str):
                    continue
                if not occurs(v, vs):
                    P(f"{kind}.{k} not in text: {v!r}")

    qpath = HERE / "questions.json"
    nq = nno = 0
    if not qpath.exists():
        problems.append("questions.json missing")
    else:
        q = json.loads(qpath.read_text(encoding="utf-8"))
        if set(q) != {"description", "questions"}:
            problems.append("questions.json top-level keys")
        ids = set()
        splits_no = {"tune": 0, "heldout": 0}
        for item in q.get("questions", []):
            nq += 1
            qid = item.get("id")
            if qid in ids:
                problems.append(f"question id {qid} twice")
            ids.add(qid)
            if set(item) != {"id", "split", "question", "answers", "no_answer"}:
                problems.append(f"{qid}: keys {sorted(item)}")
            if item.get("split") not in ("tune", "heldout"):
                problems.append(f"{qid}: split {item.get('split')!r}")
            if item.get("no_answer"):
                nno += 1
                splits_no[item.get("split")] = splits_no.get(item.get("split"), 0) + 1
                if item.get("answers"):
                    problems.append(f"{qid}: no_answer with answers")
                continue
            if not item.get("answers"):
                problems.append(f"{qid}: no answers")
            for a in item.get("answers", []):
                fn = a.get("file")
                if fn not in docs:
                    problems.append(f"{qid}: answer file {fn!r} unknown")
                    continue
                if docs[fn][0] != item.get("split"):
                    problems.append(f"{qid}: split {item.get('split')} but {fn} is in {docs[fn][0]}")
                c = a.get("contains", "")
                if not 4 <= len(c.split()) <= 12:
                    problems.append(f"{qid}: contains has {len(c.split())} words: {c!r}")
                if not occurs(c, texts[fn]):
                    problems.append(f"{qid}: {c!r} not in {fn}")
        if nq < 90:
            problems.append(f"only {nq} questions")
        if nno < 12:
            problems.append(f"only {nno} unanswerable questions")
        if abs(splits_no["tune"] - splits_no["heldout"]) > 1:
            problems.append(f"unanswerable questions not split evenly: {splits_no}")

    size = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    if size > 8 * 1024 * 1024:
        problems.append(f"corpus folder is {size / 1e6:.1f} MB")

    print(f"{len(docs)} documents, {counts['records']} records, {nq} questions ({nno} without answer), "
          f"{size / 1e6:.2f} MB")
    print("records per kind:", {k: v for k, v in sorted(counts.items()) if k != "records"})
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print(" -", p)
        return 1
    print("all checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
