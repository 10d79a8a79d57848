"""Documents as uploaded files: reading an upload within the size limit, for the API routers
and the web pages alike (neither imports the other; both import this)."""

from __future__ import annotations

from typing import Protocol

from kvalitet.errors import FileTooLarge


class AsyncReadable(Protocol):
    """What an upload offers (Starlette's UploadFile does): ``await read(n)`` -> up to n bytes."""

    async def read(self, size: int = -1) -> bytes: ...


def human_size(n: int) -> str:
    """A byte count as Swedish readers expect it: "25 MB" from 1 MiB up, else "12 kB" (at least 1)."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, round(n / 1024))} kB"


async def read_limited(file: AsyncReadable, limit: int) -> bytes:
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
