"""The verified-token cache never outlives a rotation or a deactivation."""

import pytest

from kvalitet.errors import Unauthorized
from test_workspace_support import World, make_settings


@pytest.fixture
def world(tmp_path):
    w = World(make_settings(tmp_path))
    yield w
    w.close()


def test_cached_token_is_fast_and_rotation_or_deactivation_still_bite(world, monkeypatch):
    import kvalitet.workspace.service as ws_mod

    ws = world.ws
    token = world.tokens["granskare"]
    assert ws.authenticate(token).name == "granskare"  # verified with argon2, now cached
    calls = []
    real = ws_mod.verify_token
    monkeypatch.setattr(ws_mod, "verify_token", lambda h, t: calls.append(1) or real(h, t))
    for _ in range(20):
        assert ws.authenticate(token).name == "granskare"
    assert calls == []  # no argon2 check while cached
    new = ws.rotate_token("granskare").token
    with pytest.raises(Unauthorized):
        ws.authenticate(token)  # the old token's hash is gone: the cache cannot vouch for it
    assert ws.authenticate(new).name == "granskare"
    ws.set_active("granskare", False)
    with pytest.raises(Unauthorized):
        ws.authenticate(new)  # cached, but the user is deactivated
    with pytest.raises(Unauthorized):
        ws.authenticate(new[:-2] + "xx")  # a wrong token is checked, not taken from the cache
