"""One error hierarchy. The API maps it to HTTP status codes, the CLI to exit codes."""

from __future__ import annotations


class KvalitetError(Exception):
    """Base class. `message` says what went wrong and what to do about it."""

    status_code = 500
    exit_code = 1
    code = "internal_error"

    def __init__(self, message: str, *, detail: object | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


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
    status_code = 503
    exit_code = 8
    code = "llm_unavailable"


class ServiceUnavailable(KvalitetError):
    status_code = 503
    exit_code = 8
    code = "service_unavailable"
