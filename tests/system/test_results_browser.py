"""The results pages in Debian's Chromium (issue 19): list, one series with its chart, data table and
sources, a comparison of units, at desktop and phone widths; the chart's image loads under the CSP."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kvalitet.app import create_app
from kvalitet.container import Services
from kvalitet.settings import Settings
from tests.helpers.server import running_server
from tests.helpers.browser import ARGS, CHROMIUM, DESKTOP, PHONE, TIMEOUT_MS, load_playwright, expect
from tests.helpers.results import TRYGG, add_indicator_doc

pytestmark = pytest.mark.browser
SHOTS = "/tmp/kvalitet-shots"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("results-browser")
    settings = Settings(index_dir=root / "index", corpus_dir=root / "corpus", embedder="hash")
    svc = Services(settings)
    svc.db.create_all()
    for year, value in ((2021, "84 %"), (2022, "82 %"), (2023, "80 %")):
        add_indicator_doc(svc.db, f"tertial-{year}.docx", year,
                          [("Andel elever som känner sig trygga", value, "85 %", "Gul", 10)], title="Tertialrapport 3")
    csv = ("Nyckeltals-ID;Nyckeltal;Enhets-ID;Enhet;År;Värde\n"
           + "".join(f"{TRYGG};Elever som känner sig trygga, andel (%);V15E0580001{u};{name};{y};{v}\n"
                     for u, name, vals in (("01", "Björkskolan", (81, 83, 85)), ("02", "Ekskolan", (77, None, 74)))
                     for y, v in zip((2021, 2022, 2023), vals, strict=True) if v is not None))
    svc.results.import_file(csv.encode(), "kolada.csv")
    token = svc.workspace.add_user("Kim Kvalitet", "kvalitetsutvecklare", None).token
    with running_server(create_app(settings, services=svc)) as base:
        yield SimpleNamespace(base=base, svc=svc, token=token)
    svc.close()


@pytest.fixture(scope="module")
def browser():
    with load_playwright()() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def signed_in(browser, site, viewport):
    ctx = browser.new_context(viewport=viewport, locale="sv-SE")
    ctx.set_default_timeout(TIMEOUT_MS)
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(site.base + "/logga-in")
    pg.get_by_label("Användarnamn").fill("Kim Kvalitet")
    pg.get_by_label("Nyckel", exact=True).fill(site.token)
    pg.get_by_role("button", name="Logga in").click()
    pg.wait_for_url("**/rapporter")
    return ctx, pg, errors


def chart_loaded(pg) -> None:
    """The chart's SVG was fetched and decoded (served under its own CSP)."""
    import time

    js = "(() => { const i = document.querySelector('figure.diagram img'); return i.complete ? i.naturalWidth : -1; })()"
    deadline = time.monotonic() + 60
    while (width := pg.evaluate(js)) < 0 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert width > 100, width


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_results_list_series_chart_table_and_comparison(browser, site, viewport):
    ctx, pg, errors = signed_in(browser, site, viewport)
    try:
        pg.goto(site.base + "/resultat?q=trygg")
        expect(pg.get_by_role("heading", name="Resultat över åren")).to_be_visible()
        items = pg.locator("li.traff")
        expect(items).to_have_count(3)
        tag = "desktop" if viewport is DESKTOP else "phone"
        pg.screenshot(path=f"{SHOTS}/resultat-{tag}.png", full_page=True)
        pg.get_by_role("link", name="Andel elever som känner sig trygga").click()
        expect(pg.locator("p.ingress").first).to_contain_text("har gått från 84\u00a0% 2021 till 80\u00a0% 2023")
        alt = pg.locator("figure.diagram img").get_attribute("alt")
        assert alt.startswith("Diagram.") and "målnivå 85" in alt
        chart_loaded(pg)
        rows = pg.locator("table.datatabell tbody tr")
        expect(rows).to_have_count(3)
        expect(pg.locator("ul.kallor a").first).to_contain_text("Tertialrapport 3")
        pg.screenshot(path=f"{SHOTS}/resultat-serie-{tag}.png", full_page=True)
        pg.goto(site.base + "/resultat?kalla=kolada")
        for box in pg.locator("input[name=ids]").all():
            box.check()
        pg.get_by_role("button", name="Jämför markerade").click()
        expect(pg.locator("table.datatabell thead th")).to_have_count(3)  # År, Björkskolan, Ekskolan
        expect(pg.locator("table.datatabell tbody tr").nth(1)).to_contain_text("–")  # Ekskolan lacks 2022
        chart_loaded(pg)
        pg.screenshot(path=f"{SHOTS}/resultat-jamfor-{tag}.png", full_page=True)
        assert errors == []
    finally:
        ctx.close()
