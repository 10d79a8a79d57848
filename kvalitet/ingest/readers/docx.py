"""DOCX (interim: the line reader, one paragraph block per line)."""

from __future__ import annotations

from kvalitet.ingest.model import Block, Document
from kvalitet.ingest.readers.base import MEDIA_DOCX, finish
from kvalitet.ingest.readers.normalize import normalize_text


def read_docx(data: bytes, *, path: str, settings) -> Document:
    from kvalitet.ingest.readers._old import _read_docx

    lines = _read_docx(data, settings)
    blocks = [Block("paragraph", normalize_text(line.text)) for line in lines if line.text.strip()]
    return finish(blocks, path=path, media_type=MEDIA_DOCX, max_lines=int(settings.max_document_lines))
