"""One error hierarchy. The API maps it to HTTP status codes, the CLI to exit codes."""

from __future__ import annotations


class KvalitetError(Exception):
    """Base class. Says what went wrong and what to do about it, in Swedish (`sv`, what the web and
    documents show) and English (`en`), as separate fields; `message` is both, for logs and the CLI.

    `KvalitetError(sv, en, detail=...)`. A single argument written the older way, "sv / en", is
    split once here (the one place that reads that form) until every raise site passes two texts.
    `detail` carries structured facts (codes, parameters) for the API body.
    """

    status_code = 500
    exit_code = 1
    code = "internal_error"

    def __init__(self, sv: str, en: str | None = None, *, detail: object | None = None):
        if en is None:
            sv, en = split_bilingual(sv)
        self.sv = sv
        self.en = en
        self.message = sv if not en or en == sv else f"{sv} / {en}"
        self.detail = detail
        super().__init__(self.message)


def split_bilingual(message: str) -> tuple[str, str | None]:
    """ "Filen är tom / the file is empty" -> ("Filen är tom", "the file is empty"); a message
    without " / " is Swedish only. A colon-introduced reason that is itself bilingual keeps its
    Swedish half on the Swedish side: "X: sv / en" -> ("X: sv", "en")."""
    head, sep, tail = message.partition(" / ")
    if not sep:
        return message, None
    en, colon, rest = tail.partition(": ")
    if colon and " / " in rest:
        sv2, en2 = split_bilingual(rest)
        return f"{head}: {sv2}", f"{en}: {en2}"
    return head, tail


class ConfigError(KvalitetError):
    status_code = 500
    exit_code = 3
    code = "config_error"


class InvalidInput(KvalitetError):
    status_code = 422
    exit_code = 2
    code = "invalid_input"


class UnsupportedFile(InvalidInput):
    status_code = 415
    code = "unsupported_file"


class FileTooLarge(InvalidInput):
    status_code = 413
    code = "file_too_large"


class UnreadableFile(InvalidInput):
    """A file that claims a supported type but cannot be read (corrupt, empty, encrypted)."""

    code = "unreadable_file"


class NotFound(KvalitetError):
    status_code = 404
    exit_code = 4
    code = "not_found"


class Unauthorized(KvalitetError):
    status_code = 401
    exit_code = 5
    code = "unauthorized"


class Forbidden(KvalitetError):
    status_code = 403
    exit_code = 5
    code = "forbidden"


class Conflict(KvalitetError):
    status_code = 409
    exit_code = 6
    code = "conflict"


class IndexMismatch(KvalitetError):
    """The index was built by another embedder than the one configured."""

    status_code = 409
    exit_code = 3
    code = "index_mismatch"


class IndexBusy(KvalitetError):
    """Another ingest holds the index lock."""

    status_code = 409
    exit_code = 7
    code = "index_busy"


class LLMUnavailable(KvalitetError):
    """The language model could not answer. `reason` says why as a value, never read from the
    text: "timeout", "unreachable", "auth", "model_not_found", "empty", "not_configured", "error"."""

    status_code = 503
    exit_code = 8
    code = "llm_unavailable"
    REASONS = ("timeout", "unreachable", "auth", "model_not_found", "empty", "not_configured", "error")
    # What happened, in Swedish, as the predicate of "Språkmodellen …" (no address, no number).
    REASON_SV = {
        "timeout": "svarade inte i tid",
        "unreachable": "gick inte att nå",
        "auth": "nekade nyckeln (KVALITET_LLM_API_KEY)",
        "model_not_found": "hittade inte modellen (KVALITET_LLM_MODEL)",
        "empty": "gav ett tomt svar",
        "not_configured": "är inte konfigurerad (KVALITET_LLM_BASE_URL)",
        "error": "svarade med ett fel",
    }

    def __init__(self, sv: str, en: str | None = None, *, reason: str = "error", detail: object | None = None):
        super().__init__(sv, en, detail=detail)
        self.reason = reason if reason in self.REASONS else "error"

    @property
    def reason_sv(self) -> str:
        """The reason in Swedish, to follow "Språkmodellen" ("gick inte att nå")."""
        return self.REASON_SV[self.reason]


class ServiceUnavailable(KvalitetError):
    status_code = 503
    exit_code = 8
    code = "service_unavailable"


class TooManyRequests(KvalitetError):
    """Too many failed sign-ins from one address, or too much work asked at once: wait and retry.
    `retry_after` (seconds) becomes the Retry-After header."""

    status_code = 429
    exit_code = 9
    code = "too_many_requests"

    def __init__(self, sv: str, en: str | None = None, *, retry_after: int = 60, detail: object | None = None):
        super().__init__(sv, en, detail=detail)
        self.retry_after = int(retry_after)
