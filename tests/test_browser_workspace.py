"""The reviewer's and the secretary's work in a real browser (Debian's Chromium via Playwright,
a real uvicorn on 127.0.0.1): /docs with the network cut off, draft-all progress that updates
itself, an upload that runs as a job with a result page, publish and reopen with confirmation,
the audit view, "väntar på mig", and the citation viewer's clean text.

The tests run in file order and build on each other. Screenshots of the pages this work changed
are written to $KVALITET_SCREENSHOTS (when set) at 1280 and 390 px, for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest

from kvalitet.api import create_app
from kvalitet.container import Services
from kvalitet.settings import Settings
from tests.support import running_server
from tests.test_browser import ARGS, CHROMIUM, DESKTOP, PHONE, TIMEOUT_MS, _playwright, overflows

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CORPUS_FILES = ("2022-uppfoljning-verksamhetsplan-linkoping.txt", "2019-uppfoljning-verksamhetsplan.txt",
                "2020-kvalitetsrapport-utvecklingsomraden.txt")
USERS = {
    "rektor": ("Rut Rektor", "rektor", "Åbyskolan"),
    "granskare": ("Greta Granskare", "granskare", None),
    "admin": ("Ada Admin", "admin", None),
}
SHOTS = os.environ.get("KVALITET_SCREENSHOTS")


def expect(locator):
    from playwright.sync_api import expect as _expect

    return _expect(locator)


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-ws")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(REPO / "corpus" / name, corpus / name)
    settings = Settings(index_dir=root / "index", corpus_dir=corpus, embedder="hash")
    svc = Services(settings)
    assert not svc.ingest().skipped
    tokens = {key: svc.workspace.add_user(name, role, unit).token for key, (name, role, unit) in USERS.items()}
    app = create_app(settings, services=svc)
    with running_server(app) as base:
        yield SimpleNamespace(base=base, svc=svc, tokens=tokens, state={}, root=root)
    svc.close()


@pytest.fixture(scope="module")
def browser(site):
    sync_playwright = _playwright()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def new_page(browser, viewport=DESKTOP, **kw):
    ctx = browser.new_context(viewport=viewport, locale="sv-SE", **kw)
    ctx.set_default_timeout(TIMEOUT_MS)
    pg = ctx.new_page()
    pg.js_errors = []
    pg.csp = []
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    pg.on("console", lambda m: pg.csp.append(m.text) if "Content Security Policy" in m.text else None)
    return pg


@pytest.fixture(scope="module")
def page(browser):
    pg = new_page(browser)
    pg.on("dialog", lambda d: d.accept())  # confirmations are answered yes (and recorded)
    yield pg
    pg.context.close()


@pytest.fixture(autouse=True)
def no_js_errors(request):
    yield
    if "page" in request.fixturenames:
        pg = request.getfixturevalue("page")
        errors, pg.js_errors[:] = list(pg.js_errors), []
        csp, pg.csp[:] = list(pg.csp), []
        assert not errors, errors
        assert not csp, csp


def sign_in(page, site, key: str) -> None:
    page.context.clear_cookies()
    page.goto(site.base + "/logga-in")
    page.get_by_label("Användarnamn").fill(USERS[key][0])
    page.get_by_label("Nyckel", exact=True).fill(site.tokens[key])
    page.locator("main").get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/rapporter")


# ---- /docs on a closed network ------------------------------------------------------------------
def test_api_docs_render_with_the_network_cut_off(browser, site):
    pg = new_page(browser)
    blocked, served = [], []

    def only_loopback(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            served.append(route.request.url)
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    try:
        pg.context.route("**/*", only_loopback)
        pg.goto(site.base + "/docs")
        expect(pg.locator(".swagger-ui .info .title")).to_contain_text("Kvalitet")
        pg.locator(".opblock-tag").first.wait_for()
        assert pg.locator(".opblock").count() > 20  # every operation is listed
        csp = pg.evaluate("() => fetch('/docs').then(r => r.headers.get('content-security-policy'))")
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "http" not in csp
        assert blocked == [], blocked
        assert any("/docs/assets/swagger-ui-bundle.js" in u for u in served)
        assert not pg.js_errors and not pg.csp, (pg.js_errors, pg.csp)
        shoot(pg, "docs-1280")
    finally:
        pg.context.close()
