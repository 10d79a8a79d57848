"""Who is calling: the `current_user` dependency and role checks, for every router.

Bearer tokens (``Authorization: Bearer kv_…``, made by ``kvalitet users add``) are tried first.
Without one, a web interface may authenticate the same users by a signed session cookie: it
registers a loader with `set_session_loader(app, loader)`, where ``loader(request)`` returns the
user id it finds in a valid cookie (or None); the user is then loaded and checked for being
active exactly as for a token. A cookie-authenticated request that changes something needs CSRF
protection: that belongs to the web layer, which can read ``request.state.auth_method``.

A wrong Bearer token counts as a failed sign-in of the client's address (throttle.py): past
settings.auth_failures_per_minute it is 429 with Retry-After instead of 401.

A missing or invalid credential is 401 with ``WWW-Authenticate: Bearer``; a valid user without
the right is 403 (raised by the workspace, which makes every permission decision). Routers get
the WWW-Authenticate header by using `AuthRoute` as their route class
(``APIRouter(route_class=AuthRoute)``); the app-wide KvalitetError handler does not add headers.
"""

from __future__ import annotations

from typing import Callable

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kvalitet.workspace.throttle import TOO_MANY_FAILURES, client_address, throttle_of
from kvalitet.errors import Forbidden, TooManyRequests, Unauthorized
from kvalitet.workspace.auth import User

# A user id, or (user id, the id of the key the session was signed in with); None: no session.
SessionLoader = Callable[[Request], "int | tuple[int, str | None] | None"]
WWW_AUTHENTICATE = 'Bearer realm="kvalitet"'
# Declares the scheme in the OpenAPI document (the "Authorize" button of /docs); the header is
# parsed below, so that a malformed one is a clear 401 rather than a silent fall-through.
bearer_scheme = HTTPBearer(auto_error=False, description="Token från `kvalitet users add`")


def set_session_loader(app, loader: SessionLoader | None) -> None:
    """The web layer's hook: `loader(request)` -> user id (or user id and key id) from a valid
    signed cookie, or None."""
    app.state.session_user_loader = loader


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized("Använd 'Authorization: Bearer <token>' / expected a Bearer token")
    return credentials.strip()


def current_user(
    request: Request, _credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> User:
    """The authenticated user (Bearer token first, then the web layer's session cookie).
    A plain function: FastAPI runs it in the thread pool, so the argon2 check and the
    database lookup do not block the event loop."""
    workspace = request.app.state.services.workspace
    token = _bearer_token(request)
    if token is not None:
        try:
            user = workspace.authenticate(token)
        except Unauthorized:
            # A wrong token: counted per address; past the limit the answer is 429, not 401.
            retry = throttle_of(request.app).failed(client_address(request))
            if retry is not None:
                raise TooManyRequests(TOO_MANY_FAILURES.format(seconds=retry), retry_after=retry) from None
            raise
        throttle_of(request.app).accepted(token)
        method = "bearer"
    else:
        loader = getattr(request.app.state, "session_user_loader", None)
        found = loader(request) if loader is not None else None
        if found is None:
            raise Unauthorized("Inloggning krävs: skicka en Bearer-token / authentication required")
        # The loader gives a user id, or (user id, the key's id the session was signed in with).
        user_id, key = found if isinstance(found, tuple) else (found, None)
        user = workspace.get_user(int(user_id), token_id=key)
        method = "session"
    request.state.user = user.id  # for the access log: an id, not a name
    request.state.auth_method = method
    return user


def require_roles(*roles: str) -> Callable[..., User]:
    """A dependency: the current user, if their role is one of `roles` (else 403)."""

    def dependency(user: User = Depends(current_user)) -> User:
        if user.role not in roles:
            raise Forbidden(f"Kräver rollen {' eller '.join(roles)} / requires role {', '.join(roles)}")
        return user

    return dependency


require_admin = require_roles("admin")


class AuthRoute(APIRoute):
    """Route class that answers Unauthorized with 401 + WWW-Authenticate: Bearer (RFC 6750)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route_handler(request: Request):
            try:
                return await handler(request)
            except Unauthorized as exc:
                from kvalitet.api import error_body

                return JSONResponse(
                    error_body(exc.code, exc.message, exc.detail, sv=exc.sv, en=exc.en), status_code=exc.status_code,
                    headers={"WWW-Authenticate": WWW_AUTHENTICATE},
                )

        return route_handler
