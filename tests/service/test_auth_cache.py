"""Tokens are checked with a keyed hash (no cache needed): a rotated or deactivated key stops at
once, and a token issued as an argon2 hash by an older version is migrated on first use."""

import pytest
from sqlalchemy import select

from kvalitet.errors import Unauthorized
from kvalitet.workspace.auth import HMAC_PREFIX
from kvalitet.workspace.models import UserRow
from tests.helpers.workspace import World, make_settings


@pytest.fixture
def world(tmp_path):
    w = World(make_settings(tmp_path))
    yield w
    w.close()


def stored_hash(world, name: str) -> str:
    with world.ws.db.session() as s:
        return s.scalar(select(UserRow.token_hash).where(UserRow.name == name))


def test_tokens_are_stored_as_keyed_hashes_and_rotation_or_deactivation_still_bite(world):
    ws = world.ws
    token = world.tokens["granskare"]
    assert stored_hash(world, "granskare").startswith(HMAC_PREFIX) and token not in stored_hash(world, "granskare")
    for _ in range(20):
        assert ws.authenticate(token).name == "granskare"
    new = ws.rotate_token("granskare").token
    with pytest.raises(Unauthorized):
        ws.authenticate(token)
    assert ws.authenticate(new).name == "granskare"
    ws.set_active("granskare", False)
    with pytest.raises(Unauthorized):
        ws.authenticate(new)
    with pytest.raises(Unauthorized):
        ws.authenticate(new[:-2] + "xx")


def test_an_argon2_token_of_an_older_version_works_once_and_is_then_a_keyed_hash(world):
    from argon2 import PasswordHasher

    ws = world.ws
    token = world.tokens["rektor"]
    legacy = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(token)
    with ws.db.session() as s:
        s.scalar(select(UserRow).where(UserRow.name == "rektor")).token_hash = legacy
    with pytest.raises(Unauthorized):
        ws.authenticate(token[:-1] + ("a" if token[-1] != "a" else "b"))
    assert stored_hash(world, "rektor") == legacy  # a wrong token migrates nothing
    assert ws.authenticate(token).name == "rektor"
    assert stored_hash(world, "rektor").startswith(HMAC_PREFIX)
    assert ws.authenticate(token).name == "rektor"


def test_the_token_key_lives_in_a_private_file_and_is_stable(world, tmp_path):
    from kvalitet.workspace.auth import TOKEN_KEY_FILE, token_key

    path = world.settings.index_dir / TOKEN_KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert token_key(world.settings) == token_key(world.settings) == ws_key(world)


def ws_key(world) -> bytes:
    return world.ws.token_key
