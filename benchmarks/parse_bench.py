"""Parse time per page for each format, and what the structured readers cost beside the old
line readers on the synthetic corpus that the ingest benchmarks use.

Files are generated here: a report of N pages in each format (PDF with reportlab: a running
header, "Sida N av M", headings, paragraphs and a ruled table per page; DOCX with python-docx:
the same content with heading styles, lists and a table per page; HTML; Markdown; XLSX and CSV
with 45 rows a "page"). For formats without pages a page is the content of one PDF page (about
45 lines). Each file is read `--repeat` times with `read_document_model` (PDF, DOCX and XLSX in
the child process, as ingest reads them); the median is reported in ms per page.

The comparison reads the synthetic text documents of benchmarks/synthetic.py with the old line
reader (kvalitet/ingest/readers.py as of commit 8733b84, loaded from git) and with the new
package's `read_document`, and reports documents per second for each.

    python benchmarks/parse_bench.py [--pages 10] [--repeat 5] [--synthetic 20000] [--out FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

OLD_READER_COMMIT = "8733b84"
LINES = [
    "Lärarna har under läsåret arbetat med kollegialt lärande kring matematikundervisningen och",
    "har genomfört lektionsbesök enligt en gemensam observationsmall. Fortbildningen har",
    "finansierats med statsbidrag och följs upp av huvudmannen vid varje terminsslut.",
]
TABLE = [["Mål", "Aktivitet", "Ansvarig", "Status"],
         ["Trygghet", "Införa rastvärdar", "Rektor", "Pågående"],
         ["Kunskap", "Läsa mer i alla ämnen", "EHT", "Genomfört"],
         ["Hälsa", "Rörelse varje dag", "Förstelärare", "Ej påbörjad"]]


def page_content(n: int) -> list[tuple[str, object]]:
    """(kind, value) items of one page: a heading, eight paragraphs of three lines, a table."""
    items: list[tuple[str, object]] = [("heading", f"{n}. Uppföljning av område {n}")]
    for k in range(8):
        items.append(("paragraph", [f"{line} ({n}.{k})" for line in LINES]))
    items.append(("table", TABLE))
    return items


def make_pdf(path: Path, pages: int) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    font = "DejaVuSans"
    pdfmetrics.registerFont(TTFont(font, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont(font, 8)
        c.drawString(50, 815, "Exempelstads kommun | Kvalitetsrapport 2023")
        c.drawCentredString(297, 30, f"Sida {n} av {pages}")
        y = 780
        for kind, value in page_content(n):
            if kind == "heading":
                c.setFont(font, 14)
                c.drawString(50, y, str(value))
                y -= 26
            elif kind == "paragraph":
                c.setFont(font, 9)
                for line in value:  # type: ignore[union-attr]
                    c.drawString(50, y, line)
                    y -= 12
                y -= 8
            else:
                table = Table(value, colWidths=[100, 180, 100, 100])
                table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, -1), font, 9)]))
                _, h = table.wrapOn(c, 480, 200)
                table.drawOn(c, 50, y - h)
        c.showPage()
    c.save()


def make_docx(path: Path, pages: int) -> None:
    import docx

    document = docx.Document()
    for n in range(1, pages + 1):
        for kind, value in page_content(n):
            if kind == "heading":
                document.add_heading(str(value), level=1)
            elif kind == "paragraph":
                document.add_paragraph(" ".join(value))  # type: ignore[arg-type]
            else:
                rows = value  # type: ignore[assignment]
                table = document.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[arg-type]
                for r, row in enumerate(rows):  # type: ignore[arg-type]
                    for cell, text in zip(table.rows[r].cells, row, strict=True):
                        cell.text = text
        document.add_paragraph("Punkt ett", style="List Bullet")
    document.save(str(path))


def make_html(path: Path, pages: int) -> None:
    parts = ["<!DOCTYPE html><html lang='sv'><head><title>Rapport</title></head><body>",
             "<header><nav><a href='/'>Start</a></nav></header><main>"]
    for n in range(1, pages + 1):
        for kind, value in page_content(n):
            if kind == "heading":
                parts.append(f"<h2>{value}</h2>")
            elif kind == "paragraph":
                parts.append("<p>" + " ".join(value) + "</p>")  # type: ignore[arg-type]
            else:
                rows = value  # type: ignore[assignment]
                parts.append("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in rows[0]) + "</tr></thead><tbody>")  # type: ignore[index]
                for row in rows[1:]:  # type: ignore[index]
                    parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
                parts.append("</tbody></table>")
    parts.append("</main><footer>Kommunen</footer></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def make_markdown(path: Path, pages: int) -> None:
    out = []
    for n in range(1, pages + 1):
        for kind, value in page_content(n):
            if kind == "heading":
                out += [f"## {value}", ""]
            elif kind == "paragraph":
                out += [*value, ""]  # type: ignore[misc]
            else:
                out += ["\t".join(r) for r in value] + [""]  # type: ignore[union-attr]
    path.write_text("\n".join(out), encoding="utf-8")


def make_xlsx(path: Path, pages: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Aktivitetslista 2023"])
    ws.append(TABLE[0])
    for i in range(45 * pages):
        ws.append([f"Mål {i % 7}", f"Aktivitet nummer {i} med en beskrivning", "Rektor", "Pågående"])
    wb.save(str(path))


def make_csv(path: Path, pages: int) -> None:
    rows = ["Aktivitetslista 2023", ";".join(TABLE[0])]
    rows += [f"Mål {i % 7};Aktivitet nummer {i} med en beskrivning;Rektor;Pågående" for i in range(45 * pages)]
    path.write_text("\n".join(rows), encoding="utf-8")


MAKERS = {
    "pdf": (make_pdf, "rapport.pdf"),
    "docx": (make_docx, "rapport.docx"),
    "html": (make_html, "rapport.html"),
    "markdown": (make_markdown, "rapport.md"),
    "xlsx": (make_xlsx, "lista.xlsx"),
    "csv": (make_csv, "lista.csv"),
}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the reader's child processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def per_page(work: Path, pages: int, repeat: int, settings) -> dict:
    """Median wall and CPU ms per file and per page for each format (CPU counts the child
    process too: on a shared machine wall time mostly measures the neighbours)."""
    from kvalitet.ingest.readers import read_document_model

    out = {}
    for fmt, (make, name) in MAKERS.items():
        path = work / name
        make(path, pages)
        read_document_model(path, settings=settings)  # warm the page cache and imports
        times, cpus = [], []
        for _ in range(repeat):
            c = cpu_seconds()
            t = time.perf_counter()
            doc = read_document_model(path, settings=settings)
            times.append(time.perf_counter() - t)
            cpus.append(cpu_seconds() - c)
        median = statistics.median(times)
        cpu = statistics.median(cpus)
        out[fmt] = {
            "pages": pages,
            "bytes": path.stat().st_size,
            "lines": len(doc.lines),
            "blocks": len(doc.blocks),
            "median_ms_per_file": round(median * 1000, 1),
            "median_ms_per_page": round(median * 1000 / pages, 2),
            "median_cpu_ms_per_page": round(cpu * 1000 / pages, 2),
        }
    # What the old reader's PDF parse cost (pypdf page text, in process) on the same file.
    from pypdf import PdfReader

    data = (work / "rapport.pdf").read_bytes()
    cpus = []
    for _ in range(repeat):
        c = cpu_seconds()
        for page in PdfReader(io.BytesIO(data)).pages:
            page.extract_text()
        cpus.append(cpu_seconds() - c)
    out["pdf_old_pypdf_text"] = {"pages": pages, "median_cpu_ms_per_page": round(statistics.median(cpus) * 1000 / pages, 2)}
    return out


def load_old_reader():
    """The line reader as it was before the document model (from git), or None."""
    try:
        source = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{OLD_READER_COMMIT}:kvalitet/ingest/readers.py"],
            capture_output=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "old_readers.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("old_readers", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def synthetic_comparison(work: Path, passages: int, settings) -> dict:
    from benchmarks.synthetic import generate
    from kvalitet.ingest.readers import read_document

    corpus = work / "synthetic"
    generate(corpus, passages)
    files = sorted(corpus.glob("*.txt"))
    result: dict = {"documents": len(files), "lines": 0}
    old = load_old_reader()
    readers = {"new": lambda p: read_document(p, settings=settings)}
    if old is not None:
        readers["old"] = lambda p: old.read_document(p, settings=settings)
    for name in ("old", "new"):
        if name not in readers:
            result[name] = None
            continue
        runs = []
        for _ in range(3):
            c = cpu_seconds()
            lines = 0
            for f in files:
                lines += len(readers[name](f).lines)
            runs.append(cpu_seconds() - c)
        result["lines"] = lines
        best = statistics.median(runs)
        result[name] = {"cpu_seconds": round(best, 3), "documents_per_cpu_s": round(len(files) / best, 1),
                        "cpu_ms_per_1000_lines": round(best * 1e6 / max(lines, 1), 2)}
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--synthetic", type=int, default=20_000, help="activity rows of the synthetic corpus")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from kvalitet.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = Settings(index_dir=work / "index", corpus_dir=work, embedder="hash")
        formats = per_page(work, args.pages, args.repeat, settings)
        comparison = synthetic_comparison(work, args.synthetic, settings)
    result = {"per_format": formats, "synthetic_text_corpus": comparison}
    print(f"{'format':20s} {'pages':>5s} {'ms/file':>9s} {'ms/page':>8s} {'CPU ms/page':>11s} {'lines':>6s} {'blocks':>6s}")
    for fmt, r in formats.items():
        print(f"{fmt:20s} {r['pages']:5d} {r.get('median_ms_per_file', float('nan')):9.1f} "
              f"{r.get('median_ms_per_page', float('nan')):8.2f} {r['median_cpu_ms_per_page']:11.2f} "
              f"{r.get('lines', 0):6d} {r.get('blocks', 0):6d}")
    c = comparison
    for name in ("old", "new"):
        if c.get(name):
            print(f"synthetic text corpus, {name} reader: {c['documents']} documents, {c['lines']} lines, "
                  f"{c[name]['documents_per_cpu_s']} documents per CPU second, "
                  f"{c[name]['cpu_ms_per_1000_lines']} CPU ms per 1,000 lines")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
