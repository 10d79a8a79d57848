"""PDF (interim: pypdf page text, one paragraph block per page's lines)."""

from __future__ import annotations

from kvalitet.errors import UnreadableFile
from kvalitet.ingest.model import Block, Document, ReadWarning
from kvalitet.ingest.readers.normalize import normalize_text


def pdf_blocks(data: bytes, limits: dict) -> tuple[list[Block], dict, list[ReadWarning]]:
    from kvalitet.ingest.readers._old import _extract_pdf_pages

    result = _extract_pdf_pages(data)
    if not result.get("ok"):
        raise UnreadableFile(result["message"])
    blocks: list[Block] = []
    warnings: list[ReadWarning] = []
    for page_no, page_text in enumerate(result["pages"], 1):
        lines = [normalize_text(t) for t in page_text.replace("\r\n", "\n").split("\n")]
        while lines and lines[-1] == "":
            lines.pop()
        if not any(t.strip() for t in lines):
            warnings.append(ReadWarning("scanned_page", {"page": page_no}))
            continue
        blocks.append(Block("paragraph", "\n".join(lines), page=page_no, page_end=page_no))
    return blocks, {}, warnings


def read_pdf(data: bytes, *, path: str, settings) -> Document:
    """The Document of a PDF, read in the child process (limits: see child.py).

    Raises UnreadableFile when the PDF is encrypted, corrupt, too slow or big, or has no text
    layer on any page (scanned).
    """
    from kvalitet.ingest.readers.base import MEDIA_PDF, finish
    from kvalitet.ingest.readers.child import run_child

    blocks, metadata, warnings = run_child("pdf", data, settings)
    doc = finish(blocks, path=path, media_type=MEDIA_PDF, metadata=metadata, warnings=warnings,
                 max_lines=int(settings.max_document_lines))
    if not any(line.text.strip() for line in doc.lines):
        raise UnreadableFile(
            "PDF-filen: ingen text kunde läsas; är det en inskannad bild? / no extractable text "
            "(scanned image?). Kör textigenkänning (OCR) eller ladda upp originaldokumentet / run "
            "OCR or upload the original document."
        )
    return doc
