"""HTTP helpers shared by the routers and the web pages."""

from __future__ import annotations

from fastapi import UploadFile

from kvalitet.api.middleware import human_size
from kvalitet.errors import FileTooLarge


async def read_limited(file: UploadFile, limit: int) -> bytes:
    """An uploaded file's bytes, read in 1 MiB chunks; FileTooLarge (413) past `limit` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = await file.read(1024 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise FileTooLarge(
                f"Filen är för stor: högst {human_size(limit)} / the file is too large: at most "
                f"{human_size(limit)} (KVALITET_MAX_UPLOAD_BYTES)."
            )
        chunks.append(chunk)
    return b"".join(chunks)
