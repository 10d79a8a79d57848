"""Driving Debian's Chromium through Playwright: the launch arguments, the viewports, and checks
the browser tests share (labels on every control, no sideways scrolling)."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000


def expect(locator):
    """Playwright's ``expect`` (imported late, so collecting the tests needs no browser)."""
    from playwright.sync_api import expect as _expect

    return _expect(locator)


def load_playwright():
    """Playwright's ``sync_playwright``; fails (never skips) when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium saknas: {CHROMIUM} finns inte. Installera Debians paket (apt-get install chromium, "
            "eller scripts/system-deps.sh); webbläsartesterna hoppas inte över. / Chromium is missing.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra is installed in CI
        pytest.fail("Playwright saknas: pip install -e '.[test]' / playwright is not installed", pytrace=False)
    return sync_playwright


def unlabelled_controls(page) -> list[str]:
    """Visible form controls without a label (or aria-label)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map(el => el.outerHTML.slice(0, 120))""")


def overflows(page) -> bool:
    """True when the page scrolls sideways (wider than the viewport)."""
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


def open_page(browser, viewport=DESKTOP, **context):
    """A page in a new context (Swedish locale, the shared timeout, `context` options such as
    accept_downloads) that records JavaScript errors in `page.js_errors` and Content Security
    Policy reports in `page.csp`."""
    ctx = browser.new_context(viewport=viewport, locale="sv-SE", **context)
    ctx.set_default_timeout(TIMEOUT_MS)
    pg = ctx.new_page()
    pg.js_errors = []
    pg.csp = []
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    pg.on("console", lambda m: pg.csp.append(m.text) if "Content Security Policy" in m.text else None)
    return pg


def sign_in(page, site, key: str) -> None:
    """Sign in through the form at site.base/logga-in as the user `key` of site.users (name, role,
    unit) with site.tokens[key] (cookies cleared first); returns on /rapporter."""
    page.context.clear_cookies()
    page.goto(site.base + "/logga-in")
    page.get_by_label("Användarnamn").fill(site.users[key][0])
    page.get_by_label("Nyckel", exact=True).fill(site.tokens[key])
    page.locator("main").get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/rapporter")


def take_errors(page, csp: bool = False) -> None:
    """Asserts that `page` (from open_page) raised no JavaScript error since the last call, nor
    (with `csp`) any Content Security Policy report; clears what it read."""
    errors, page.js_errors[:] = list(page.js_errors), []
    reports, page.csp[:] = list(page.csp), []
    assert not errors, errors
    assert not (csp and reports), reports


def upload_document(page, source: Path, name: str, folder: Path) -> None:
    """From any page of a signed-in admin: open Dokument, upload a copy of `source` named `name`
    (written in `folder`), and wait for the upload's own result page."""
    import re
    import shutil

    page.get_by_role("link", name="Dokument").click()
    sample = folder / name
    shutil.copy(source, sample)
    page.get_by_label("Fil", exact=True).set_input_files(str(sample))
    page.get_by_role("button", name="Ladda upp och läs in").click()
    page.wait_for_url(re.compile(r".*/dokument/inlasning/[0-9a-f]+$"))
