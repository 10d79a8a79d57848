"""Logging: one stderr handler (JSON lines or plain text) with a filter that redacts secrets.

`setup_logging(settings)` is idempotent: it replaces only the handler it installed itself, so
handlers added by others (pytest's caplog, a hosting platform) keep working. The redaction
filter removes bearer tokens, API keys, `token=`/`password=` values, cookies and anything that
looks like a personnummer or samordningsnummer, whether in the message, its arguments, extra
fields or an exception's text. Our own access log never passes those in the first place; the
filter is the second line of defence for everything else (library warnings, tracebacks).

uvicorn's access log (which prints the full request line, query string included) is switched
off: the middleware writes its own access record without the query string.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from kvalitet.settings import Settings

REDACTED = "[REDACTED]"

# The id of the request being served (set by the API middleware); every log line written while
# serving it, in the event loop or the thread pool, carries it.
request_id_var: ContextVar[str | None] = ContextVar("kvalitet_request_id", default=None)

_SECRET_KEYS = (
    r"access_token|refresh_token|id_token|token|api[_-]?key|apikey|password|passwd|pwd|secret|"
    r"client_secret|session|sessionid|csrf_token|authorization|cookie|set-cookie|x-api-key"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization: Bearer abc / Basic abc (also inside repr()'d headers)
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{6,}"), r"\1 " + REDACTED),
    # key=value in query strings, form bodies, log lines; "key": "value" in JSON; key: value
    (
        re.compile(r"""(?i)(["']?\b(?:%s)\b["']?\s*[:=]\s*["']?)([^"'&\s,;}]+)""" % _SECRET_KEYS),
        r"\1" + REDACTED,
    ),
    # Well-known API key shapes (OpenAI-style sk-…, GitHub, generic long hex/base64url secrets).
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"), REDACTED),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), REDACTED),
    (re.compile(r"\bkv_[A-Za-z0-9_\-]{16,}"), REDACTED),
    # JWTs
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), REDACTED),
    # Personnummer / samordningsnummer, 10 or 12 digits, with or without separator. In logs we
    # redact the shape without checking the check digit: better a masked order number than a
    # leaked identity number.
    (
        re.compile(
            r"(?<![\w-])(?:(?:18|19|20)\d{2}|\d{2})(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])"
            r"[-+ ]?\d{4}(?!\w)"
        ),
        "[PERSONNUMMER]",
    ),
]


def redact(text: str) -> str:
    """`text` with tokens, keys, passwords and personal identity numbers replaced."""
    if not text:
        return text
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


# Attributes every LogRecord has; anything else came in through `extra=`. (uvicorn's
# `color_message` repeats the message with terminal colour codes.)
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName", "color_message"}


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: (REDACTED if _is_secret_key(k) else _redact_value(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_redact_value(v) for v in value)
    return value


_SECRET_KEY_RE = re.compile(r"(?i)^(?:%s)$" % _SECRET_KEYS)


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY_RE.match(key))


class RedactingFilter(logging.Filter):
    """Rewrites a record in place so that no handler after it sees a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = request_id_var.get()
        if rid is not None and not hasattr(record, "request_id"):
            record.request_id = rid
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what we have
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The formatted text replaces the live exception (whose str() may hold secrets).
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD_ATTRS:
                continue
            setattr(record, key, REDACTED if _is_secret_key(key) else _redact_value(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                out[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return redact(json.dumps(out, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """Lines for a person at a terminal: "14:05:03 INFO  kvalitet.api: message key=value".
    An access record reads "14:05:03 INFO  GET /rapporter 200 12 ms (user 3)"."""

    _ACCESS_KEYS = ("method", "path", "status", "ms", "user", "request_id")

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-5s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        extras = {
            k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")
        }
        if record.name == "kvalitet.access" and "status" in extras:
            when = self.formatTime(record, self.datefmt)
            user = f" (användare {extras['user']})" if extras.get("user") not in (None, "None") else ""
            return redact(f"{when} {record.levelname:<5} {extras.get('method', '')} {extras.get('path', '')} "
                          f"{extras['status']} {extras.get('ms', '')} ms{user}")
        extras.pop("request_id", None)
        text = super().format(record)
        if extras:
            text += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return redact(text)


def wants_json(settings: "Settings", stream: IO[str] | None = None) -> bool:
    """KVALITET_LOG_JSON when set; otherwise JSON unless the log goes to a terminal."""
    if settings.log_json is not None:
        return bool(settings.log_json)
    target = stream or sys.stderr
    try:
        return not target.isatty()
    except (AttributeError, ValueError):
        return True


class KvalitetHandler(logging.StreamHandler):
    """Our handler on the root logger: a class of its own, so setup_logging can replace it."""


def setup_logging(settings: "Settings", stream: IO[str] | None = None) -> logging.Handler:
    """Install (or replace) our handler on the root logger and quiet uvicorn's access log."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, KvalitetHandler):
            root.removeHandler(h)
    handler = KvalitetHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if wants_json(settings, stream) else TextFormatter())
    root.addHandler(handler)
    level = logging.getLevelName(str(settings.log_level).upper())
    root.setLevel(level if isinstance(level, int) else logging.INFO)
    # uvicorn's own loggers: errors through our handler, its access log off (ours has no query).
    for name in ("uvicorn", "uvicorn.error"):
        lg = logging.getLogger(name)
        lg.handlers = []
        lg.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True
    return handler
