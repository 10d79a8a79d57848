"""Reading PDF, DOCX and XLSX in a child process with an address-space limit and a time-out.

The parent starts ``python -m kvalitet.ingest.readers --format FMT -`` with the file's bytes on
stdin; the child reads them into blocks (the format's reader), and writes one JSON object on
stdout: ``{"ok": true, "blocks": [...], "metadata": {...}, "warnings": [...]}`` or
``{"ok": false, "sv": "...", "en": "..."}`` for a handled failure (exit code 3). A file that hangs or
exhausts memory kills only the child; the parent reports it as UnreadableFile.
Limits: KVALITET_PDF_TIMEOUT_SECONDS and KVALITET_PDF_MEMORY_MB, for every format alike.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kvalitet.errors import UnreadableFile
from kvalitet.ingest.model import Block, ReadWarning

if TYPE_CHECKING:  # pragma: no cover
    from kvalitet.settings import Settings

CHILD_HANDLED_FAILURE = 3
_PKG_PARENT = Path(__file__).resolve().parents[3]
_NAMES = {"pdf": "PDF", "docx": "DOCX", "xlsx": "XLSX", "xlsx-rows": "XLSX"}
_RESAVE = {  # (Swedish, English)
    "pdf": ("spara om den som PDF", "re-save it as PDF"),
    "docx": ("öppna den i Word och spara den igen", "open it in Word and save it again"),
    "xlsx": ("öppna den i Excel och spara den igen", "open it in Excel and save it again"),
}
_RESAVE["xlsx-rows"] = _RESAVE["xlsx"]


def blocks_to_json(blocks: list[Block]) -> list[dict]:
    """Blocks as plain dicts (JSON), without empty fields."""
    out = []
    for b in blocks:
        d = dataclasses.asdict(b)
        out.append({k: v for k, v in d.items() if v is not None and k not in ("line_start", "line_end")})
    return out


def blocks_from_json(items: list[dict]) -> list[Block]:
    """The blocks that blocks_to_json wrote."""
    fields = {f.name for f in dataclasses.fields(Block)}
    return [Block(**{k: v for k, v in d.items() if k in fields}) for d in items]


def run_child(fmt: str, data: bytes, settings: "Settings") -> tuple[list[Block], dict, list[ReadWarning]]:
    """Read `data` of format `fmt` ("pdf", "docx", "xlsx", or "xlsx-rows": one table block per
    sheet with every row as it stands, the sheet's name as `style`) in the child; (blocks,
    metadata, warnings). Raises UnreadableFile with the child's message, on a time-out, or when the child
    was killed (memory)."""
    name = _NAMES[fmt]
    timeout = float(settings.pdf_timeout_seconds)
    cmd = [
        sys.executable,
        "-m",
        "kvalitet.ingest.readers",
        "--format",
        fmt,
        "-",
        "--memory-mb",
        str(int(settings.pdf_memory_mb)),
        "--max-lines",
        str(int(settings.max_document_lines)),
        "--max-archive-bytes",
        str(int(settings.max_docx_uncompressed_bytes)),
        "--max-archive-members",
        str(int(settings.max_docx_members)),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PKG_PARENT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    try:
        proc = subprocess.run(
            cmd, input=data, capture_output=True, timeout=timeout, cwd=str(_PKG_PARENT), env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise UnreadableFile(
            f"{name}-filen tog för lång tid att läsa och avbröts efter {timeout:g} s "
            "(KVALITET_PDF_TIMEOUT_SECONDS). Filen kan vara skadad eller mycket stor; spara om den eller dela upp den.",
            f"reading the {name} timed out after {timeout:g} s (KVALITET_PDF_TIMEOUT_SECONDS). "
            "The file may be corrupt or very large; re-save or split it.",
        ) from exc
    except OSError as exc:
        raise UnreadableFile(f"{name}-läsaren kunde inte startas: {exc}", f"the {name} reader could not start: {exc}") from exc

    result = None
    if proc.stdout:
        try:
            result = json.loads(proc.stdout.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            result = None
    if proc.returncode == 0 and isinstance(result, dict) and result.get("ok"):
        blocks = blocks_from_json(result.get("blocks") or [])
        warnings = [ReadWarning(w["code"], w.get("params") or {}) for w in result.get("warnings") or []]
        return blocks, dict(result.get("metadata") or {}), warnings
    if isinstance(result, dict) and not result.get("ok") and result.get("sv"):
        raise UnreadableFile(str(result["sv"]), str(result.get("en") or result["sv"]))
    reason = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
    raise UnreadableFile(
        f"{name}-läsaren kraschade eller fick slut på minne ({reason}; minnesgräns {settings.pdf_memory_mb} MB, "
        f"KVALITET_PDF_MEMORY_MB). Filen kan vara skadad; {_RESAVE[fmt][0]}.",
        f"the {name} reader crashed or ran out of memory ({reason}; memory limit {settings.pdf_memory_mb} MB, "
        f"KVALITET_PDF_MEMORY_MB). The file may be corrupt; {_RESAVE[fmt][1]}.",
    )


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at `memory_mb` MB (POSIX; a no-op elsewhere)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    limit = int(memory_mb) * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover
        pass


def child_main(argv: list[str]) -> int:
    """The child's entry point (see the module docstring)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kvalitet.ingest.readers")
    parser.add_argument("--format", choices=sorted(_NAMES), default=None)
    parser.add_argument("--pdf", default=None, help="(old form) PDF file to read, or - for stdin")
    parser.add_argument("source", nargs="?", default="-", help="file to read, or - for stdin")
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space limit (MB)")
    parser.add_argument("--max-lines", type=int, default=0)
    parser.add_argument("--max-archive-bytes", type=int, default=200 * 1024 * 1024)
    parser.add_argument("--max-archive-members", type=int, default=2000)
    args = parser.parse_args(argv)
    fmt = args.format or "pdf"
    source = args.pdf if args.pdf is not None else args.source
    if args.memory_mb > 0:
        limit_memory(args.memory_mb)
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    limits = {
        "max_lines": args.max_lines,
        "max_archive_bytes": args.max_archive_bytes,
        "max_archive_members": args.max_archive_members,
    }
    result = read_in_child(fmt, data, limits)
    out = json.dumps(result, ensure_ascii=False).encode("utf-8")
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0 if result.get("ok") else CHILD_HANDLED_FAILURE


def read_in_child(fmt: str, data: bytes, limits: dict) -> dict:
    """In the child: read `data` into the JSON result (never raises)."""
    from kvalitet.errors import KvalitetError

    name = _NAMES.get(fmt, fmt)
    try:
        if fmt == "pdf":
            from kvalitet.ingest.readers.pdf import pdf_blocks

            blocks, metadata, warnings = pdf_blocks(data, limits)
        elif fmt == "docx":
            from kvalitet.ingest.readers.docx import docx_blocks

            blocks, metadata, warnings = docx_blocks(data, limits)
        elif fmt in ("xlsx", "xlsx-rows"):
            from kvalitet.ingest.readers.sheets import xlsx_blocks

            blocks, metadata, warnings = xlsx_blocks(data, {**limits, "raw": fmt == "xlsx-rows"})
        else:  # pragma: no cover - argparse refuses it
            return {"ok": False, "sv": f"okänt format {fmt}", "en": f"unknown format {fmt}"}
        return {
            "ok": True,
            "blocks": blocks_to_json(blocks),
            "metadata": metadata,
            "warnings": [{"code": w.code, "params": w.params} for w in warnings],
        }
    except KvalitetError as exc:
        return {"ok": False, "sv": exc.sv[:4000], "en": (exc.en or exc.sv)[:4000]}
    except MemoryError:
        sv, en = _RESAVE.get(fmt, ("", ""))
        return {
            "ok": False,
            "sv": f"{name}-läsaren fick slut på minne (KVALITET_PDF_MEMORY_MB). Filen kan vara skadad eller "
            f"mycket stor; {sv}.",
            "en": f"the {name} reader ran out of memory (KVALITET_PDF_MEMORY_MB). The file may be corrupt or "
            f"very large; {en}.",
        }
    except RecursionError:
        return {"ok": False, "sv": f"{name}-filen är för djupt nästlad.", "en": f"the {name} file is nested too deeply."}
    except Exception as exc:  # parsers raise many kinds on corrupt input
        sv, en = _RESAVE.get(fmt, ("", ""))
        detail = f"{type(exc).__name__}: {exc}"[:1500]
        return {
            "ok": False,
            "sv": f"{name}-filen är skadad och kan inte läsas ({detail}). {sv}.",
            "en": f"the {name} is corrupt ({detail}). {en}.",
        }
