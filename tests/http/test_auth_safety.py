"""Authentication that a flood cannot turn into a denial of service, and sign-out that ends the
session on the server. Real HTTP (uvicorn on loopback), real SQLite.

* A flood of well-formed wrong tokens (32 clients) runs no argon2 check at all; the signed-in
  user's requests all succeed meanwhile (speed is measured in benchmarks/flood_bench.py).
* Failed attempts are counted per address: past the limit, 429 with Retry-After, on the API and
  on the sign-in form; valid keys from the same address still work.
* Signing out revokes the session on the server: a copied cookie stops working at once, on
  pages and on the API; signing in again and every user's key still work."""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from kvalitet.app import create_app
from kvalitet.container import Services
from kvalitet.settings import Settings
from kvalitet.web.session import COOKIE_NAME
from tests.helpers.paths import REPO
from tests.helpers.server import running_server

LIMIT = 20
USERS = {
    "rektor": ("Rut Rektor", "rektor", "Åbyskolan"),
    "granskare": ("Greta Granskare", "granskare", None),
    "kvalitet": ("Kim Kvalitet", "kvalitetsutvecklare", None),
    "admin": ("Ada Admin", "admin", None),
}


def make_site(root: Path):
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(REPO / "corpus" / "2019-uppfoljning-fjolarets-aktiviteter.txt", corpus)
    settings = Settings(index_dir=root / "index", corpus_dir=corpus, embedder="hash", auth_failures_per_minute=LIMIT)
    svc = Services(settings)
    svc.ingest()
    tokens = {k: svc.workspace.add_user(name, role, unit).token for k, (name, role, unit) in USERS.items()}
    return settings, svc, tokens


@pytest.fixture
def site(tmp_path):
    """A fresh server per test: the throttle's memory starts empty."""
    settings, svc, tokens = make_site(tmp_path)
    with running_server(create_app(settings, services=svc)) as base:
        yield SimpleNamespace(base=base, svc=svc, settings=settings, tokens=tokens)
    svc.close()


def wrong_token(site, key="granskare") -> str:
    """Well formed, with a token id that exists: the costliest kind of wrong token before."""
    good = site.tokens[key]
    return good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(site, key: str, token: str | None = None) -> tuple[httpx.Client, httpx.Response]:
    c = httpx.Client(base_url=site.base, timeout=60)
    page = c.get("/logga-in")
    r = c.post("/logga-in", data={"name": USERS[key][0], "token": token or site.tokens[key], "nasta": "/rapporter",
                                  "csrf_token": csrf_of(page.text)})
    return c, r


# ---- the flood --------------------------------------------------------------------------------
def test_a_flood_of_wrong_tokens_runs_no_argon2_and_the_signed_in_user_is_served(site, monkeypatch):
    import argon2

    calls = []
    real = argon2.PasswordHasher.verify
    monkeypatch.setattr(argon2.PasswordHasher, "verify", lambda self, h, p: calls.append(1) or real(self, h, p))
    bad = {"Authorization": f"Bearer {wrong_token(site)}"}
    unknown = {"Authorization": "Bearer kv_000000000000_" + "x" * 43}
    stop = threading.Event()
    answers: list[int] = []

    def flood(headers):
        with httpx.Client(base_url=site.base, timeout=30) as c:
            while not stop.is_set():
                answers.append(c.get("/api/me", headers=headers).status_code)

    mine = {"Authorization": f"Bearer {site.tokens['rektor']}"}
    assert httpx.get(f"{site.base}/api/me", headers=mine).status_code == 200  # at work before the flood
    threads = [threading.Thread(target=flood, args=(bad if n % 2 else unknown,)) for n in range(32)]
    for t in threads:
        t.start()
    try:
        with httpx.Client(base_url=site.base, timeout=30,
                          headers={"Authorization": f"Bearer {site.tokens['rektor']}"}) as me:
            served, until = [], time.monotonic() + 4
            while len(served) < 30 or time.monotonic() < until:
                served.append(me.get("/api/me").status_code)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert len(served) >= 30 and set(served) == {200}
    assert len(answers) > 64 and set(answers) <= {401, 429} and 429 in answers
    assert calls == []  # not one argon2 check for the whole flood


# ---- throttling ---------------------------------------------------------------------------------
def test_failed_tokens_are_throttled_per_address_with_429_and_valid_keys_still_work(site):
    in_use = [k for k in USERS if k != "admin"]
    for key in in_use:  # colleagues working from the same address
        assert httpx.get(f"{site.base}/api/me", headers={"Authorization": f"Bearer {site.tokens[key]}"}).status_code == 200
    bad = {"Authorization": f"Bearer {wrong_token(site)}"}
    codes = [httpx.get(f"{site.base}/api/me", headers=bad).status_code for _ in range(LIMIT + 5)]
    assert codes[:LIMIT] == [401] * LIMIT and codes[LIMIT:] == [429] * 5
    r = httpx.get(f"{site.base}/api/me", headers=bad)
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(r.headers["retry-after"]) <= 60 and "försök igen" in r.json()["error"]["message"]
    for key in in_use:  # the keys in use from the same address still work
        assert httpx.get(f"{site.base}/api/me", headers={"Authorization": f"Bearer {site.tokens[key]}"}).status_code == 200
    # A key not used lately waits out the minute like any unknown token (refused before any work).
    r = httpx.get(f"{site.base}/api/me", headers={"Authorization": f"Bearer {site.tokens['admin']}"})
    assert r.status_code == 429 and "retry-after" in r.headers


def test_failed_sign_ins_on_the_form_are_throttled_too(site):
    statuses = [sign_in(site, "rektor", token=wrong_token(site, "rektor"))[1].status_code for _ in range(LIMIT + 2)]
    assert statuses[:LIMIT] == [400] * LIMIT and statuses[LIMIT:] == [429, 429]
    c, r = sign_in(site, "rektor", token=wrong_token(site, "rektor"))
    assert r.status_code == 429 and "Vänta" in r.text and int(r.headers["retry-after"]) >= 1
    c, r = sign_in(site, "rektor")  # the right key still signs in
    assert r.status_code == 303 and c.get("/rapporter").status_code == 200


# ---- sign-out ---------------------------------------------------------------------------------
def test_sign_out_revokes_the_session_so_a_copied_cookie_stops_working(site):
    browser, r = sign_in(site, "granskare")
    assert r.status_code == 303
    stolen = browser.cookies.get(COOKIE_NAME)
    thief = httpx.Client(base_url=site.base, timeout=60, cookies={COOKIE_NAME: stolen})
    assert thief.get("/api/me").status_code == 200 and thief.get("/rapporter").status_code == 200

    page = browser.get("/rapporter").text
    r = browser.post("/logga-ut", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/logga-in"

    assert thief.get("/api/me").status_code == 401
    r = thief.get("/rapporter")
    assert r.status_code == 303 and r.headers["location"].startswith("/logga-in")
    token = csrf_of(browser.get("/logga-in").text)
    r = thief.post("/api/reports", json={"title": "T", "kind": "kvalitetsrapport", "year": 2025, "unit": "Åbyskolan"},
                   headers={"X-CSRF-Token": token})
    assert r.status_code in (401, 403)

    # Signing in again works, in the same browser and elsewhere, and every key still works.
    again, r = sign_in(site, "granskare")
    assert r.status_code == 303 and again.get("/api/me").json()["name"] == USERS["granskare"][0]
    for key in USERS:
        c, r = sign_in(site, key)
        assert r.status_code == 303 and c.get("/rapporter").status_code == 200, key
        assert httpx.get(f"{site.base}/api/me", headers={"Authorization": f"Bearer {site.tokens[key]}"}).status_code == 200
    assert thief.get("/api/me").status_code == 401  # the old session stays dead


def test_web_sessions_table_matches_its_migration(site):
    import kvalitet.web.session  # noqa: F401 - the table on Base.metadata
    from tests.helpers.migrations import schema_diffs

    assert schema_diffs(site.svc.db, ["web_sessions"]) == []
