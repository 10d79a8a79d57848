"""The roll-up page in Debian's Chromium (issue 20): themes with counts and their citations, the
matrix of units × themes with a drill-down to a unit's passage, the units without a report, the
Word export read back, the huvudman's report created from the page; a rektor sees their own row
only. Desktop and phone widths, screenshots in /tmp/kvalitet-shots."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from kvalitet.workspace.auth import User
from tests.helpers.browser import DESKTOP, PHONE, expect, open_page, sign_in, unlabelled_controls
from tests.helpers.paths import DATA as TESTS_DATA
from tests.helpers.site import add_users, make_corpus, serving, services_on

pytestmark = pytest.mark.browser
SHOTS = "/tmp/kvalitet-shots"
DATA = TESTS_DATA / "enheter"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("rollup-browser"), [f for f in DATA.iterdir() if f.suffix != ".json"])
    svc = services_on(corpus)
    svc.rollup.import_units(DATA / "units.json", User.system())
    users = {"kvalitet": ("Kim Kvalitet", "kvalitetsutvecklare", None), "rektor": ("Rut Rektor", "rektor", "Hagaskolan")}
    with serving(svc, users=users, tokens=add_users(svc, users)) as site:
        yield site


def signed_in(browser, site, viewport, key):
    """(context, page, its JavaScript errors) of the user `key` signed in at `viewport`."""
    pg = open_page(browser, viewport, accept_downloads=True)
    sign_in(pg, site, key)
    return pg.context, pg, pg.js_errors


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_rollup_page_matrix_drill_down_and_export(browser, site, viewport):
    ctx, pg, errors = signed_in(browser, site, viewport, "kvalitet")
    tag = "desktop" if viewport is DESKTOP else "phone"
    try:
        pg.goto(site.base + "/sammanstallning?ar=2023")
        expect(pg.get_by_role("heading", level=1)).to_have_text("Sammanställning av enheternas rapporter 2023")
        assert "13 av 14 enheter har lämnat underlag" in pg.locator(".sammanstallning-fakta").inner_text()
        assert "Underlag saknas från Lönnskolan" in pg.locator(".sammanstallning-fakta").inner_text()
        matrix = pg.locator("table.matris")
        assert matrix.locator("tbody tr").count() == 14
        assert "Ingen rapport" in matrix.locator("tr", has_text="Lönnskolan").inner_text()
        assert not unlabelled_controls(pg)
        # the page itself does not scroll sideways on a phone; the matrix does, inside its region
        assert not pg.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
        pg.screenshot(path=f"{SHOTS}/sammanstallning-{tag}.png", full_page=False)
        # a count opens to its units and their quotes
        theme = pg.locator("section#tema-lasforstaelse")
        theme.scroll_into_view_if_needed()
        theme.locator("details summary").first.click()
        units = theme.locator("details[open] li")
        assert units.count() == 3
        assert "Björkskolan" in units.first.inner_text()
        pg.screenshot(path=f"{SHOTS}/sammanstallning-tema-{tag}.png", full_page=False)
        # drill-down: a cell of the matrix opens the unit's passage in its document
        cell = matrix.locator("tr", has_text="Rönnskolan").get_by_role("link", name="Rönnskolan, Närvaro och frånvaro")
        cell.scroll_into_view_if_needed()
        cell.click()
        pg.wait_for_url("**/dokument/visa**")
        assert "ronnskolan-2023" in pg.url
        assert "frånvaro" in pg.locator("main").inner_text().lower()
        if viewport is DESKTOP:
            # a document's unit set by hand on the page: Vallaskolan's report counted as Lönnskolan's
            pg.goto(site.base + "/sammanstallning?ar=2023")
            field = pg.get_by_label("Enhet för vallaskolan-2023.md")
            assert field.input_value() == "Vallaskolan"
            field.fill("Lönnskolan")
            field.locator("xpath=..").get_by_role("button", name="Spara").click()
            pg.wait_for_url("**/sammanstallning?ar=2023*")
            assert "Underlag saknas från Vallaskolan" in pg.locator(".sammanstallning-fakta").inner_text()
            assert pg.get_by_label("Enhet för vallaskolan-2023.md").input_value() == "Lönnskolan"
            pg.get_by_label("Enhet för vallaskolan-2023.md").fill("Vallaskolan")
            pg.get_by_label("Enhet för vallaskolan-2023.md").locator("xpath=..").get_by_role("button", name="Spara").click()
            pg.wait_for_url("**/sammanstallning?ar=2023*")
            assert "Underlag saknas från Lönnskolan" in pg.locator(".sammanstallning-fakta").inner_text()
            with pg.expect_download() as dl:
                pg.get_by_role("link", name="Exportera till Word").click()
            doc = Document(io.BytesIO(Path(dl.value.path()).read_bytes()))
            header = [c.text for c in doc.tables[0].rows[0].cells]
            assert header[0] == "Enhet" and "Närvaro och frånvaro" in header
            assert len(doc.tables[0].rows) == 15
            # the huvudman's report from the page: created, drafted, opened
            pg.get_by_role("button", name="Skapa huvudmannens rapport 2023").click()
            pg.wait_for_url("**/rapporter/*")
            expect(pg.get_by_role("heading", level=1)).to_contain_text("Huvudmannens kvalitetsrapport 2023")
            assert "Samlad bild" in pg.locator("main").inner_text()
            pg.screenshot(path=f"{SHOTS}/huvudmannarapport-{tag}.png", full_page=False)
        assert not errors, errors
    finally:
        ctx.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_rektor_sees_their_row_and_totals(browser, site, viewport):
    ctx, pg, errors = signed_in(browser, site, viewport, "rektor")
    tag = "desktop" if viewport is DESKTOP else "phone"
    try:
        pg.get_by_role("link", name="Sammanställning").first.click()
        pg.wait_for_url("**/sammanstallning")
        rows = pg.locator("table.matris tbody tr")
        assert rows.count() == 1 and "Hagaskolan" in rows.first.inner_text()
        text = pg.locator("main").inner_text()
        assert "Björkskolan" not in text and "Lönnskolan" not in text
        assert "Underlag saknas från 1 enhet" in text
        assert "som rapporterat" in text  # the totals are there
        assert pg.get_by_role("button", name="Skapa huvudmannens rapport 2023").count() == 0
        pg.screenshot(path=f"{SHOTS}/sammanstallning-rektor-{tag}.png", full_page=False)
        assert not errors, errors
    finally:
        ctx.close()
