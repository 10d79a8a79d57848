"""The results pages in Debian's Chromium (issue 19): list, one series with its chart, data table and
sources, a comparison of units, at desktop and phone widths; the chart's image loads under the CSP."""

from __future__ import annotations


import pytest

from tests.helpers.browser import DESKTOP, PHONE, expect, open_page, sign_in
from tests.helpers.site import add_users, make_corpus, serving, services_on
from tests.helpers.results import TRYGG, add_indicator_doc

pytestmark = pytest.mark.browser
SHOTS = "/tmp/kvalitet-shots"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("results-browser")
    svc = services_on(make_corpus(root), ingest=False)
    svc.db.create_all()
    for year, value in ((2021, "84 %"), (2022, "82 %"), (2023, "80 %")):
        add_indicator_doc(svc.db, f"tertial-{year}.docx", year,
                          [("Andel elever som känner sig trygga", value, "85 %", "Gul", 10)], title="Tertialrapport 3")
    csv = ("Nyckeltals-ID;Nyckeltal;Enhets-ID;Enhet;År;Värde\n"
           + "".join(f"{TRYGG};Elever som känner sig trygga, andel (%);V15E0580001{u};{name};{y};{v}\n"
                     for u, name, vals in (("01", "Björkskolan", (81, 83, 85)), ("02", "Ekskolan", (77, None, 74)))
                     for y, v in zip((2021, 2022, 2023), vals, strict=True) if v is not None))
    svc.results.import_file(csv.encode(), "kolada.csv")
    users = {"kvalitet": ("Kim Kvalitet", "kvalitetsutvecklare", None)}
    with serving(svc, users=users, tokens=add_users(svc, users)) as site:
        yield site


def signed_in(browser, site, viewport):
    """(context, page, its JavaScript errors) of a quality developer signed in at `viewport`."""
    pg = open_page(browser, viewport)
    sign_in(pg, site, "kvalitet")
    return pg.context, pg, pg.js_errors


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
