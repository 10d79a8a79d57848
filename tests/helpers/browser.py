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
