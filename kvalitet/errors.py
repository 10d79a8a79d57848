"""One error hierarchy. The API maps it to HTTP status codes, the CLI to exit codes."""

from __future__ import annotations


class KvalitetError(Exception):
    """Base class. Says what went wrong and what to do about it, in Swedish (`sv`, what the web and
    documents show) and English (`en`), as separate fields; `message` is both, for logs and the CLI.

    `KvalitetError(sv, en, detail=...)`. A single argument written the older way, "sv / en", is
    split once here (the one place that reads that form) until every raise site passes two texts.
    `detail` carries structured facts (codes, parameters) for the API body.

    A subclass names its kind in the class line: `class NotFound(KvalitetError, code="not_found",
    status_code=404, exit_code=4)`; what it leaves out it inherits.
    """

    status_code = 500
    exit_code = 1
    code = "internal_error"

    def __init_subclass__(cls, *, code: str | None = None, status_code: int | None = None,
                          exit_code: int | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in (("code", code), ("status_code", status_code), ("exit_code", exit_code)):
            if value is not None:
                setattr(cls, name, value)

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


class ConfigError(KvalitetError, code="config_error", exit_code=3):
    """A setting or the environment does not allow it (KVALITET_* settings, the database kind)."""


class InvalidInput(KvalitetError, code="invalid_input", status_code=422, exit_code=2):
    """A request or argument that breaks a rule (length, form, allowed values)."""


class UnsupportedFile(InvalidInput, code="unsupported_file", status_code=415):
    """A file of a type no reader takes."""


class FileTooLarge(InvalidInput, code="file_too_large", status_code=413):
    """A file, archive member or upload over the size limit."""


class UnreadableFile(InvalidInput, code="unreadable_file"):
    """A file that claims a supported type but cannot be read (corrupt, empty, encrypted)."""


class NotFound(KvalitetError, code="not_found", status_code=404, exit_code=4):
    """No report, document, series or user with that id or path (or not one the user may see)."""


class Unauthorized(KvalitetError, code="unauthorized", status_code=401, exit_code=5):
    """No valid token or session."""


class Forbidden(KvalitetError, code="forbidden", status_code=403, exit_code=5):
    """Signed in, but the role may not do this."""


class Conflict(KvalitetError, code="conflict", status_code=409, exit_code=6):
    """The object changed since it was read (version), or the change breaks its state."""


class IndexMismatch(KvalitetError, code="index_mismatch", status_code=409, exit_code=3):
    """The index was built by another embedder than the one configured."""


class IndexBusy(KvalitetError, code="index_busy", status_code=409, exit_code=7):
    """Another ingest holds the index lock."""


class LLMUnavailable(KvalitetError, code="llm_unavailable", status_code=503, exit_code=8):
    """The language model could not answer. `reason` says why as a value, never read from the
    text: "timeout", "unreachable", "auth", "model_not_found", "empty", "not_configured", "error"."""

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


class ServiceUnavailable(KvalitetError, code="service_unavailable", status_code=503, exit_code=8):
    """Something the request needs (Chroma, Kolada) cannot be reached, or the work took too long: retry later."""


class TooManyRequests(KvalitetError, code="too_many_requests", status_code=429, exit_code=9):
    """Too many failed sign-ins from one address, or too much work asked at once: wait and retry.
    `retry_after` (seconds) becomes the Retry-After header."""

    def __init__(self, sv: str, en: str | None = None, *, retry_after: int = 60, detail: object | None = None):
        super().__init__(sv, en, detail=detail)
        self.retry_after = int(retry_after)
