"""Zip archives (DOCX, XLSX) read with the bytes actually unpacked counted and capped.

The sizes an archive's entries claim are never trusted: every byte that comes out of the
decompressor is counted as it streams, across the whole archive, and reading stops with a clear
error as soon as the count passes the cap (KVALITET_MAX_DOCX_UNCOMPRESSED_BYTES), before the
rest is inflated. An entry whose data does not match its header (size or checksum) is refused
as corrupt or manipulated. The number of entries is capped too (KVALITET_MAX_DOCX_MEMBERS).
"""

from __future__ import annotations

import io
import zipfile

from kvalitet.errors import UnreadableFile

__all__ = ["SafeZip", "check_archive"]

_CHUNK = 64 * 1024


def _corrupt(kind: str, exc: Exception) -> UnreadableFile:
    return UnreadableFile(
        f"{kind}-filen är skadad (trasig zip: {exc}). Öppna den i programmet den gjordes i och spara den igen.",
        f"the {kind} file is corrupt (broken zip: {exc}). Open it in the program that made it and save it again.",
    )


class SafeZip:
    """A zip archive in memory whose reads count real inflated bytes against one budget.

    `max_bytes`: bytes all reads together may inflate; `max_members`: entries the archive may
    have; `kind`: "DOCX"/"XLSX" for the messages. Raises UnreadableFile (a broken zip, too many
    entries) on construction; `read` raises UnreadableFile when the budget is exceeded (a
    possible zip bomb) or an entry is corrupt.
    """

    def __init__(self, data: bytes, *, max_bytes: int, max_members: int, kind: str = "DOCX"):
        self.kind = kind
        self.max_bytes = int(max_bytes)
        self.used = 0
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise _corrupt(kind, exc) from exc
        if len(infos) > max_members:
            raise UnreadableFile(
                f"{kind}-filen avvisades som möjlig zip-bomb: {len(infos)} delar i arkivet, högst "
                f"{max_members} tillåts (KVALITET_MAX_DOCX_MEMBERS). Spara om dokumentet.",
                f"the {kind} file was rejected as a possible zip bomb: {len(infos)} members in the archive, "
                f"at most {max_members} allowed (KVALITET_MAX_DOCX_MEMBERS). Re-save the document.",
            )
        self.names = {info.filename for info in infos}
        if sum(max(info.file_size, 0) for info in infos) > self.max_bytes:
            raise self._bomb()  # claims alone are over the cap: no need to inflate anything

    def _bomb(self) -> UnreadableFile:
        return UnreadableFile(
            f"{self.kind}-filen avvisades som möjlig zip-bomb: den packas upp till mer än {self.max_bytes} "
            "byte (KVALITET_MAX_DOCX_UNCOMPRESSED_BYTES), vad delarna än påstår. Ta bort stora "
            "inbäddade bilder eller dela upp dokumentet.",
            f"the {self.kind} file was rejected as a possible zip bomb: it unpacks to more than "
            f"{self.max_bytes} bytes (KVALITET_MAX_DOCX_UNCOMPRESSED_BYTES), whatever its entries claim. "
            "Remove large embedded media or split the document.",
        )

    def stream(self, name: str):
        """The inflated bytes of entry `name` in chunks, counted against the budget."""
        try:
            with self.zf.open(name) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    self.used += len(chunk)
                    if self.used > self.max_bytes:
                        raise self._bomb()
                    yield chunk
        except UnreadableFile:
            raise
        except KeyError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
            raise UnreadableFile(
                f"{self.kind}-filen är skadad eller manipulerad ({name}: {exc}). Spara om den.",
                f"the {self.kind} file is corrupt or manipulated ({name}: {exc}). Re-save it.",
            ) from exc
        except Exception as exc:  # zlib.error and friends
            detail = f"{name}: {type(exc).__name__}: {exc}"
            raise UnreadableFile(
                f"{self.kind}-filen är skadad ({detail}). Spara om den.",
                f"the {self.kind} file is corrupt ({detail}). Re-save it.",
            ) from exc

    def read(self, name: str) -> bytes:
        """The whole inflated entry `name` (KeyError when missing), counted against the budget."""
        return b"".join(self.stream(name))

    def read_optional(self, name: str) -> bytes | None:
        """Entry `name`, or None when the archive has no such entry."""
        if name not in self.names:
            return None
        return self.read(name)

    def close(self) -> None:
        self.zf.close()


def check_archive(data: bytes, *, max_bytes: int, max_members: int, kind: str) -> SafeZip:
    """Inflate every entry of `data` once, counting real bytes (nothing kept), so that a library
    that opens the archive itself (openpyxl) only ever sees an archive that stays under the cap.
    Returns the SafeZip (its budget reset) for further counted reads."""
    archive = SafeZip(data, max_bytes=max_bytes, max_members=max_members, kind=kind)
    for info in archive.zf.infolist():
        if info.is_dir():
            continue
        for _ in archive.stream(info.filename):
            pass
    archive.used = 0
    return archive
