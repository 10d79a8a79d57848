"""Users, tokens and roles of the workspace.

A token looks like ``kv_<token_id>_<secret>``. `token_id` (12 hex characters, not secret) is
stored in clear and finds the user's row; the whole token is stored only as a keyed hash,
``hmac-sha256$<hex>`` = HMAC-SHA256(server key, token). So authenticating costs one indexed
lookup and one HMAC (microseconds), never a scan over every user's hash, and a flood of wrong
tokens cannot turn password hashing into a denial of service.

Why a keyed hash and not argon2: the secret carries 256 bits from `secrets`, so nothing is
gained by a slow hash (it protects guessable passwords, and nobody guesses 2^256); a stolen
database without the server key gives no usable tokens either. The key is
``KVALITET_TOKEN_SECRET`` or, when unset, ``<index_dir>/token-secret.key`` (made once, 0600, and
kept in backups with the database it belongs to; losing it means issuing new keys).

Tokens issued before (argon2 hashes, ``$argon2…``) still work: they are checked with argon2 at
most ARGON2_CONCURRENCY at a time (a request that cannot get a slot within ARGON2_WAIT seconds
gets 429) and rewritten as the keyed hash on their first successful use.

Roles (what each may do is decided here, for the API, the CLI, a web UI and a chat alike):
  rektor              works on the reports of their own unit: create, add items, draft, read
  kvalitetsutvecklare reads every report (and its audit log)
  granskare           reads every report; accepts, edits and rejects suggestions; publishes
  admin               everything, and manages users
Published reports are public documents (offentlighetsprincipen): every signed-in role may read
them (`can_read_published`), as search and the document view already show their text.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kvalitet.storage.keys import read_or_make_key
from kvalitet.errors import ConfigError, Forbidden
from kvalitet.workspace.models import ROLES

# The unit of the huvudman's own report (kind huvudmannarapport), written from the units' reports.
HUVUDMAN_UNIT = "Huvudman"

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # legacy hashes only
TOKEN_RE = re.compile(r"^kv_([0-9a-f]{12})_([A-Za-z0-9_-]{20,128})$")
HMAC_PREFIX = "hmac-sha256$"
TOKEN_KEY_FILE = "token-secret.key"
ARGON2_CONCURRENCY = 2  # legacy argon2 checks at once (19 MiB each)
ARGON2_WAIT = 2.0  # seconds a request waits for a slot, then 429
_argon2_slots = threading.BoundedSemaphore(ARGON2_CONCURRENCY)


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
    """(token, token_id): the token is shown once; only its id and keyed hash are kept."""
    token_id = secrets.token_hex(6)
    return f"kv_{token_id}_{secrets.token_urlsafe(32)}", token_id


def token_key(settings) -> bytes:
    """The server key of the token hashes: KVALITET_TOKEN_SECRET, else the key file in the
    index folder (made once with 256 random bits, mode 0600). ConfigError when it is too short
    or the file is broken."""
    configured = getattr(settings, "token_secret", None)
    if configured:
        if len(configured) < 32:
            raise ConfigError("KVALITET_TOKEN_SECRET är för kort: minst 32 tecken / the token secret is too short "
                              "(at least 32 characters)")
        return configured.encode("utf-8")
    path = Path(settings.index_dir) / TOKEN_KEY_FILE
    key = read_or_make_key(path)
    if len(key) < 32:
        raise ConfigError(f"{path} är tom eller trasig: återställ den ur säkerhetskopian, eller ta bort den och "
                          "ge alla användare nya nycklar / the token key file is broken")
    return key.encode("ascii")


def hash_token(token: str, key: bytes) -> str:
    """The stored form of a token: ``hmac-sha256$<64 hex>``."""
    return HMAC_PREFIX + hmac.new(key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def token_id_of(token: str) -> str | None:
    m = TOKEN_RE.match(token or "")
    return m.group(1) if m else None


def is_legacy_hash(token_hash: str | None) -> TypeGuard[str]:
    """Whether the stored hash is an argon2 hash from before the keyed hashes (not empty, no HMAC prefix)."""
    return bool(token_hash and not token_hash.startswith(HMAC_PREFIX))


def verify_token(token_hash: str | None, token: str, key: bytes) -> bool:
    """Whether `token` matches the stored hash. A keyed hash is one HMAC and a constant-time
    compare; a missing hash costs the same (no way to tell which token ids exist). A legacy
    argon2 hash is checked in one of ARGON2_CONCURRENCY slots; TooManyRequests (429) when no
    slot frees within ARGON2_WAIT seconds."""
    expected = hash_token(token, key)
    if not is_legacy_hash(token_hash):
        return hmac.compare_digest(expected, token_hash or HMAC_PREFIX + "0" * 64) and token_hash is not None
    if not _argon2_slots.acquire(timeout=ARGON2_WAIT):
        from kvalitet.errors import TooManyRequests

        raise TooManyRequests("För många inloggningar just nu; försök igen om en stund / too many sign-ins at once, "
                              "try again shortly", retry_after=2)
    try:
        return _hasher.verify(token_hash, token)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    finally:
        _argon2_slots.release()


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


def can_read_published(user: User) -> bool:
    """A published report is a public document (offentlighetsprincipen): every role may read it
    (its text is in search and the document view for everyone signed in anyway)."""
    return user.role in ROLES


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
