"""Sessions and CSRF protection for the web interface.

The session is one signed cookie (itsdangerous, HMAC-SHA1 over a JSON payload with a time
stamp), HttpOnly and SameSite=Lax, Secure when ``KVALITET_COOKIE_SECURE`` is set. It carries:

    u  the user id (None before sign-in: the sign-in form needs a CSRF token too)
    c  the CSRF token of this session (random, 32 bytes); a new one at every sign-in
    f  a one-shot message for the next page ("flash"), a code from FLASH_MESSAGES
    s  the session id (random, 32 bytes), signed-in sessions only

Nothing secret is in it (only ids); it cannot be forged without the key, which comes from
``settings.secret_key`` or is generated once and kept in ``<index_dir>/web-secret.key`` (0600).

Sessions are also kept on the server (table web_sessions, by the SHA-256 of the session id):
a signed-in cookie counts only while its row exists, is not revoked and has not expired.
Signing out revokes the row, so a copied cookie stops working at once (`SessionStore`).

CSRF: every form carries the token in a hidden field ``csrf_token``; every state-changing
``fetch`` sends it in the ``X-CSRF-Token`` header (app.js reads it from ``<meta name="csrf-token">``).
The check is made in two places, so nothing state-changing escapes it:
* the web's own form routes (`require_csrf`);
* the session loader registered with the API (`SessionLoader`): a cookie-authenticated API
  request with an unsafe method and no valid header is refused with 403 before any router runs.
Bearer-authenticated API calls never reach the loader and need no token.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from kvalitet.errors import ConfigError, Forbidden
from kvalitet.storage.keys import read_or_make_key
from kvalitet.workspace.sessions import SESSION_MAX_AGE, SessionStore

log = logging.getLogger("kvalitet.web")

COOKIE_NAME = "kvalitet_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECRET_FILE = "web-secret.key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SALT = "kvalitet.web.session.v1"


class CsrfError(Forbidden, code="csrf_failed"):
    """A form or an unsafe API request without the session's CSRF token."""


class SessionExpired(CsrfError):
    """A form sent after the session ended (12 hours, or signed out in another tab)."""


CSRF_MESSAGE = (
    "Sidan har varit öppen för länge eller skickades från fel ställe. Ladda om sidan och försök igen. / "
    "missing or invalid CSRF token"
)


@dataclass(frozen=True)
class Session:
    user_id: int | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    flash: str | None = None
    key: str | None = None  # the id of the key signed in with: rotating it ends the session
    sid: str | None = None  # the server-side session's id (signed-in sessions)

    def payload(self) -> dict:
        data: dict = {"u": self.user_id, "c": self.csrf}
        if self.key:
            data["k"] = self.key
        if self.sid:
            data["s"] = self.sid
        if self.flash:
            data["f"] = self.flash
        return data


def load_secret(settings) -> str:
    """settings.secret_key, else the key kept under the index dir (made once, mode 0600)."""
    if settings.secret_key:
        if len(settings.secret_key) < 16:
            raise ConfigError("KVALITET_SECRET_KEY är för kort: minst 16 tecken / the secret key is too short")
        return settings.secret_key
    path = Path(settings.index_dir) / SECRET_FILE
    secret = read_or_make_key(path)
    if len(secret) < 32:  # another worker is writing it this very moment, or it was truncated
        raise ConfigError(f"{path} är tom eller trasig; ta bort den och starta om / the web secret file is broken")
    return secret


class SessionManager:
    def __init__(self, settings):
        self.secure = bool(settings.cookie_secure)
        self.serializer = URLSafeTimedSerializer(load_secret(settings), salt=_SALT)

    # -- reading and writing the cookie --------------------------------------------------
    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE_NAME)
        if not raw or len(raw) > 4096:
            return None
        try:
            data = self.serializer.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        uid = data.get("u")
        if uid is not None and not isinstance(uid, int):
            return None
        flash = data.get("f") if isinstance(data.get("f"), str) else None
        key = data.get("k") if isinstance(data.get("k"), str) else None
        sid = data.get("s") if isinstance(data.get("s"), str) and len(data["s"]) <= 128 else None
        if uid is not None and (key is None or sid is None):
            return None  # a signed-in session always names its key and its server-side id
        return Session(user_id=uid, csrf=data["c"], flash=flash, key=key, sid=sid)

    def write(self, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE_NAME, self.serializer.dumps(session.payload()), max_age=SESSION_MAX_AGE, path="/",
            httponly=True, samesite="lax", secure=self.secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=self.secure)

    # -- CSRF ----------------------------------------------------------------------------
    @staticmethod
    def token_matches(session: Session | None, sent: str | None) -> bool:
        if session is None or not sent:
            return False
        return hmac.compare_digest(session.csrf.encode(), str(sent).encode())

    def signed_in(self, request: Request) -> Session | None:
        """The cookie's session if it is signed in and still live on the server (not signed
        out, not expired), else None."""
        session = self.read(request)
        if session is None or session.user_id is None:
            return None
        store = SessionStore(request.app.state.services.db)
        if not store.is_live(session.sid, session.user_id):
            return None
        return session

    def check_api_request(self, request: Request) -> tuple[int, str | None] | None:
        """The session loader handed to the API: (user id, key id) of a valid cookie, or None.
        An unsafe method without the session's CSRF token in X-CSRF-Token is refused (403)."""
        session = self.signed_in(request)
        if session is None or session.user_id is None:  # signed_in gives only signed-in sessions
            return None
        if request.method not in SAFE_METHODS and not self.token_matches(session, request.headers.get(CSRF_HEADER)):
            raise CsrfError(CSRF_MESSAGE)
        return session.user_id, session.key


def new_session(user_id: int | None = None, key: str | None = None, sid: str | None = None) -> Session:
    return Session(user_id=user_id, key=key, sid=sid)


def with_flash(session: Session, code: str | None) -> Session:
    return replace(session, flash=code)


def manager(request: Request) -> SessionManager:
    mgr = getattr(request.app.state, "web_sessions", None)
    if mgr is None:  # the lifespan did not run (e.g. a bare TestClient): build it now
        mgr = SessionManager(request.app.state.settings)
        request.app.state.web_sessions = mgr
    return mgr


async def require_csrf(request: Request) -> None:
    """For the web's form routes: the hidden field (or the header, for fetch) must match."""
    if request.method in SAFE_METHODS:
        return
    mgr = manager(request)
    session = mgr.read(request)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached on the request: the route reads it again
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not mgr.token_matches(session, sent):
        if (session is None or session.user_id is None) and request.url.path != "/logga-in":
            raise SessionExpired(CSRF_MESSAGE)  # the form came from a page of a session that has ended
        raise CsrfError(CSRF_MESSAGE)
