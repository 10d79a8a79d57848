"""Cross-cutting HTTP safety: security headers, closed CORS, a request-size guard, request ids,
JSON access logs and a JSON 500 for unhandled errors.

One pure ASGI middleware (`SafetyMiddleware`) sits outermost, so that even a refused request, a
CORS preflight or a crash gets the security headers, a request id and an access-log line:

* Size guard: a request whose Content-Length exceeds ``max_upload_bytes`` plus a small margin
  for form fields gets 413 before a byte of its body is read. A body without Content-Length
  (chunked) is counted as it streams; once it passes the limit the app's receive fails and the
  client gets the same 413 (FastAPI sets no limit on file parts of a multipart form).
* Headers: CSP without inline script or style (the web UI serves its own files from /static),
  nosniff, no framing, no referrer, a closed Permissions-Policy, and Cache-Control: no-store on
  the API and on pages (not on /static/ assets).
* Access log (logger ``kvalitet.access``): method, path without the query string, status, ms,
  request id and the user if a dependency put one on ``request.state.user``. Headers, cookies and
  query strings are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kvalitet.settings import Settings
from kvalitet.ops.logging import request_id_var
from kvalitet.ingest.documents import human_size

access_log = logging.getLogger("kvalitet.access")
error_log = logging.getLogger("kvalitet.api")

# Room for the multipart framing and small form fields beside the file itself.
FORM_MARGIN_BYTES = 64 * 1024

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The API docs (/docs) are served from local files too (kvalitet/web/docs.py): one policy for all.

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), browsing-topics=()"
)


def _error(code: str, message: str, status: int, request_id: str | None, **extra_headers: str) -> JSONResponse:
    from kvalitet.api import error_body  # the app's one error shape, plus the request id

    body = error_body(code, message)
    if request_id:
        body["error"]["request_id"] = request_id
    return JSONResponse(body, status_code=status, headers=extra_headers or None)


def too_large_message(limit: int) -> str:
    size = human_size(limit)
    return (
        f"Begäran är för stor: filer får vara högst {size}. / "
        f"Request too large: files may be at most {size} (KVALITET_MAX_UPLOAD_BYTES)."
    )


class _BodyTooLarge(StarletteHTTPException):
    """Raised from receive() when a streamed body passes the limit.

    An HTTPException, so FastAPI re-raises it instead of calling it a parse error (400); the
    middleware replaces whatever response the app makes of it with its own 413.
    """

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="request body too large")


class SafetyMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, throttle=None) -> None:
        self.app = app
        self.settings = settings
        self.max_body = settings.max_upload_bytes + FORM_MARGIN_BYTES
        self.throttle = throttle  # workspace/throttle.py: a flooding address is refused here, first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        headers = Headers(scope=scope)
        incoming = headers.get("x-request-id", "")
        rid = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        path: str = scope.get("path", "")
        state = {"status": 0, "started": False, "too_large": False}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                state["status"] = message["status"]
                h = MutableHeaders(scope=message)
                self._security_headers(h, path, scope, rid)
            await send(message)

        async def respond(response: JSONResponse) -> None:
            await response(scope, receive, send_with_headers)

        try:
            if self.throttle is not None and path.startswith("/api/"):
                auth = headers.get("authorization", "")
                if auth[:7].lower() == "bearer ":
                    client = scope.get("client")
                    retry = self.throttle.refuse_early(client[0] if client else "unknown", auth[7:].strip())
                    if retry is not None:
                        from kvalitet.workspace.throttle import TARPIT_SECONDS, TOO_MANY_FAILURES

                        await asyncio.sleep(TARPIT_SECONDS)  # costs no CPU; slows a flooding client down
                        await respond(_error("too_many_requests", TOO_MANY_FAILURES.format(seconds=retry), 429, rid,
                                             **{"retry-after": str(retry)}))
                        return
            declared = headers.get("content-length")
            if declared is not None:
                try:
                    n = int(declared)
                    if n < 0:
                        raise ValueError
                except ValueError:
                    await respond(_error("invalid_input", "Ogiltig Content-Length / invalid Content-Length.", 400, rid, connection="close"))
                    return
                if n > self.max_body:
                    # Refuse before reading a byte of the body; the connection closes after.
                    await respond(_error("file_too_large", too_large_message(self.settings.max_upload_bytes), 413, rid, connection="close"))
                    return

            received = 0

            async def limited_receive() -> Message:
                nonlocal received
                if state["too_large"]:
                    raise _BodyTooLarge()
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body:
                        state["too_large"] = True
                        raise _BodyTooLarge()
                return message

            async def guarded_send(message: Message) -> None:
                # Once the body was cut off, the app's own response (a 413/400 from the
                # exception) is dropped and ours is sent instead.
                if not state["too_large"]:
                    await send_with_headers(message)

            try:
                await self.app(scope, limited_receive, guarded_send)
            except _BodyTooLarge:
                pass
            if state["too_large"] and not state["started"]:
                await respond(_error("file_too_large", too_large_message(self.settings.max_upload_bytes), 413, rid, connection="close"))
        except Exception:
            error_log.exception("unhandled error", extra={"request_id": rid, "path": path})
            if not state["started"]:
                await respond(_error(
                    "internal_error",
                    "Ett oväntat fel inträffade; ange request-id vid felanmälan. / "
                    "An unexpected error occurred; quote the request id when reporting it.",
                    500, rid,
                ))
            else:  # the response is half sent: all we can do is let the server drop it
                raise
        finally:
            request_id_var.reset(token)
            self._log(scope, state["status"] or 500, started_at, rid)

    def _security_headers(self, h: MutableHeaders, path: str, scope: Scope, rid: str) -> None:
        h["X-Request-ID"] = rid
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "no-referrer"
        h["Permissions-Policy"] = PERMISSIONS_POLICY
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Cross-Origin-Resource-Policy"] = "same-origin"
        if "content-security-policy" not in h:
            h["Content-Security-Policy"] = CSP
        # Answers and pages carry personal data: never in a browser's or proxy's cache. The API
        # always; pages unless they chose a policy; static assets (CSS, JS) may be cached.
        if path == "/api" or path.startswith("/api/"):
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        elif not path.startswith(("/static/", "/docs/assets/")) and "cache-control" not in h:
            h["Cache-Control"] = "no-store"
        if scope.get("scheme") == "https":
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    def _log(self, scope: Scope, status: int, started_at: float, rid: str) -> None:
        user = scope.get("state", {}).get("user")
        if user is not None and not isinstance(user, (str, int)):
            user = getattr(user, "username", None) or getattr(user, "id", None)
        access_log.info(
            "%s %s %s",
            scope.get("method", ""),
            scope.get("path", ""),
            status,
            extra={
                "request_id": rid,
                "method": scope.get("method", ""),
                "path": scope.get("path", ""),
                "status": status,
                "ms": round((time.perf_counter() - started_at) * 1000, 1),
                "user": None if user is None else str(user),
            },
        )


_HTTP_CODES = {
    400: ("bad_request", "Felaktig begäran / bad request"),
    401: ("unauthorized", "Inloggning krävs / authentication required"),
    403: ("forbidden", "Åtkomst nekad / forbidden"),
    404: ("not_found", "Finns inte / not found"),
    405: ("method_not_allowed", "Metoden stöds inte här / method not allowed"),
    413: ("file_too_large", "Begäran är för stor / request too large"),
    415: ("unsupported_media_type", "Innehållstypen stöds inte / unsupported media type"),
}


async def http_error(request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's and FastAPI's own HTTP errors (unknown route, wrong method, unparsable body,
    broken multipart) in the same error shape as every KvalitetError."""
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP-fel / HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else None
    if detail and detail.lower() not in ("not found", "method not allowed", "bad request"):
        message = f"{message}: {detail}"
    rid = getattr(request.state, "request_id", None)
    return _error(code, message, exc.status_code, rid, **(exc.headers or {}))


def install_middleware(app, settings: Settings) -> None:
    """Called by create_app: logging, one JSON error shape for HTTP errors, CORS (closed unless
    configured), then the safety layer."""
    from kvalitet.ops.logging import setup_logging

    setup_logging(settings)
    app.add_exception_handler(StarletteHTTPException, http_error)
    origins = [o.rstrip("/") for o in settings.cors_origins]
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        # Credentials (cookies) only ever to named origins, never to "*".
        allow_credentials=bool(origins) and "*" not in origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
        max_age=600,
    )
    # Added last, so it is the outermost layer and sees every request first.
    from kvalitet.workspace.throttle import FailureThrottle

    app.state.auth_throttle = FailureThrottle(settings.auth_failures_per_minute)
    app.add_middleware(SafetyMiddleware, settings=settings, throttle=app.state.auth_throttle)
