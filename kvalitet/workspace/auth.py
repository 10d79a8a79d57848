"""Users, tokens and roles of the workspace.

A token looks like ``kv_<token_id>_<secret>``. `token_id` (12 hex characters, not secret) is
stored in clear and finds the user's row; the whole token is stored only as an argon2 hash and
checked with one argon2 verification. So authenticating costs one indexed lookup and one
hash check, never a scan over every user's hash.

The secret carries 256 bits from `secrets`, so the argon2 parameters are not what keeps it
safe from guessing; they are set to OWASP's minimum (19 MiB, t=2, p=1) to keep a request
cheap on a small server while a stolen database still does not give usable tokens.

Roles (what each may do is decided here, for the API, the CLI, a web UI and a chat alike):
  rektor              works on the reports of their own unit: create, add items, draft, read
  kvalitetsutvecklare reads every report (and its audit log)
  granskare           reads every report; accepts, edits and rejects suggestions; publishes
  admin               everything, and manages users
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kvalitet.errors import Forbidden
from kvalitet.workspace.models import ROLES

# The unit of the huvudman's own report (kind huvudmannarapport), written from the units' reports.
HUVUDMAN_UNIT = "Huvudman"

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
TOKEN_RE = re.compile(r"^kv_([0-9a-f]{12})_([A-Za-z0-9_-]{20,128})$")
# Run against a dummy hash when the token id is unknown, so a wrong id and a wrong secret
# take the same time (no way to probe which token ids exist).
_DUMMY_HASH = _hasher.hash("kv_000000000000_" + "x" * 43)


@dataclass(frozen=True)
class User:
    """Who is acting: the project's own type (never the ORM row) handed to the services."""

    id: int | None
    name: str
    role: str
    unit: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def system(cls, name: str = "cli") -> "User":
        """The command line: acts with the rights of an admin; audited under `name`."""
        return cls(id=None, name=name, role="admin", unit=None)


def new_token() -> tuple[str, str]:
    """(token, token_id): the token is shown once; only its id and argon2 hash are kept."""
    token_id = secrets.token_hex(6)
    return f"kv_{token_id}_{secrets.token_urlsafe(32)}", token_id


def hash_token(token: str) -> str:
    return _hasher.hash(token)


def token_id_of(token: str) -> str | None:
    m = TOKEN_RE.match(token or "")
    return m.group(1) if m else None


def verify_token(token_hash: str | None, token: str) -> bool:
    """One argon2 check; a missing hash still costs one check (constant work per request)."""
    try:
        return _hasher.verify(token_hash or _DUMMY_HASH, token) and token_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_role(role: str) -> str:
    if role not in ROLES:
        from kvalitet.errors import InvalidInput

        raise InvalidInput(f"Okänd roll {role!r}; välj en av {', '.join(ROLES)} / unknown role")
    return role


# ---- what a user may do with a report ----------------------------------------------------
def can_read(user: User, unit: str) -> bool:
    if user.role in ("admin", "kvalitetsutvecklare", "granskare"):
        return True
    return user.role == "rektor" and user.unit is not None and user.unit == unit


def can_write(user: User, unit: str) -> bool:
    """Create a report, add items, ask for drafts. The huvudman's report is a quality
    developer's to write."""
    if user.role == "admin":
        return True
    if user.role == "kvalitetsutvecklare" and unit == HUVUDMAN_UNIT:
        return True
    return user.role == "rektor" and user.unit is not None and user.unit == unit


def can_review(user: User) -> bool:
    """Accept, edit, reject suggestions and publish a report: granskare and admin."""
    return user.role in ("granskare", "admin")


def require_read(user: User, unit: str) -> None:
    if not can_read(user, unit):
        raise Forbidden(f"{user.name} får inte läsa rapporter för enheten {unit!r} / not allowed to read")


def require_write(user: User, unit: str) -> None:
    if not can_write(user, unit):
        raise Forbidden(
            f"{user.name} ({user.role}) får inte ändra rapporter för enheten {unit!r} / not allowed to write"
        )


def require_review(user: User) -> None:
    if not can_review(user):
        raise Forbidden(
            f"Bara granskare och admin får granska förslag; {user.name} är {user.role} / reviewers only"
        )


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden(f"Bara admin får hantera användare / admins only ({user.name} är {user.role})")
