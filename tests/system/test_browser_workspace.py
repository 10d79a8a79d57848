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
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.helpers.paths import REPO
from tests.helpers.site import USERS, add_users, make_corpus, serving, services_on
from tests.helpers.browser import DESKTOP, PHONE, expect, open_page, overflows, sign_in, upload_document

pytestmark = pytest.mark.browser

CORPUS_FILES = ("2022-uppfoljning-verksamhetsplan-linkoping.txt", "2019-uppfoljning-verksamhetsplan.txt",
                "2020-kvalitetsrapport-utvecklingsomraden.txt")
SHOTS = os.environ.get("KVALITET_SCREENSHOTS")
ACCEPT_DIALOGS = True  # the `page` fixture answers confirmations yes
CHECK_CSP = True  # and no test may leave a Content Security Policy report


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("browser-ws"), [REPO / "corpus" / name for name in CORPUS_FILES])
    svc = services_on(corpus)
    with serving(svc, tokens=add_users(svc, USERS), users=USERS, state={}, root=corpus.parent) as site:
        yield site


# ---- /docs on a closed network ------------------------------------------------------------------
def test_api_docs_render_with_the_network_cut_off(browser, site):
    pg = open_page(browser)
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
        expect(pg.locator(".swagger-ui .info .title")).to_contain_text("Kvalitet", timeout=60_000)
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


# ---- draft-all shows its progress while it runs ------------------------------------------------
def make_report(site, title: str, activities: list[str]):
    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    rep = ws.create_report(title, "verksamhetsplan_uppfoljning", 2024, None, rektor)
    for a in activities:
        ws.add_item(rep.id, {"activity": a, "status": "Pågående", "perspective": "Medborgare"}, rektor)
    return rep


def test_draft_all_shows_progress_live_without_a_reload(page, site):
    rep = make_report(site, "Uppföljning med utkast för alla", [
        "Minska frånvaron i grundskolan", "Stärka elevhälsans förebyggande arbete",
        "Utveckla samarbetet med vårdnadshavare"])
    site.state["report_id"] = rep.id
    runner = site.svc.jobs
    runner.on_section = lambda *a: time.sleep(0.35)  # slow enough to be seen between polls
    try:
        sign_in(page, site, "rektor")
        page.goto(f"{site.base}/rapporter/{rep.id}")
        assert page.locator("article.forslag").count() == 0
        page.evaluate("""() => {
            window.__sameDocument = true; window.__seen = [];
            const box = document.getElementById('jobb-status');
            new MutationObserver(() => window.__seen.push(box.querySelector('.jobb-text').textContent))
                .observe(box, {subtree: true, childList: true, characterData: true});
        }""")
        page.get_by_role("button", name="Skapa utkast för alla aktiviteter").click()
        status = page.locator("#jobb-status")
        expect(status).to_be_visible()
        expect(status).to_contain_text("avsnitt klara")
        shoot(page, "draft-all-running-1280")
        expect(status).to_contain_text("Klart:", timeout=60_000)
        seen = page.evaluate("window.__seen")
        progress = [int(m.group(1)) for t in seen if (m := re.search(r"(\d+) av 12 avsnitt klara", t))]
        assert any(0 < n < 12 for n in progress), seen  # in between, not only start and end
        assert progress == sorted(progress)
        assert page.evaluate("window.__sameDocument") is True  # no reload
        expect(page.locator("article.forslag").first).to_be_visible()  # the drafts appeared in place
        assert page.locator("article.forslag").count() >= 3
        assert page.get_by_role("button", name="Skapa utkast för alla aktiviteter").is_enabled()
        shoot(page, "draft-all-done-1280")
        # "N avsnitt fick utkast" counts sections that got a suggestion; a notice is not a draft
        done = re.search(r"Klart: (\d+) avsnitt fick utkast(?:, (\d+) fick inget förslag)?",
                         status.locator(".jobb-text").inner_text())
        assert done, status.inner_text()
        page.reload()
        cells = [" ".join(t.split()) for t in page.locator("table.oversikt tbody td").all_inner_texts()]
        assert len(cells) == 12
        drafted = sum(c != "Inget än" for c in cells)
        assert int(done.group(1)) == drafted and int(done.group(2) or 0) == 12 - drafted, (done.group(0), cells)
        assert f"{drafted} avsnitt fick utkast" in page.locator("#jobb-senast").inner_text()
    finally:
        runner.on_section = None


# ---- the reviewer: "väntar på mig", publish and reopen with confirmation, the change log ---------
def test_waiting_for_me_publish_and_reopen_with_confirmation(page, site):
    ws = site.svc.workspace
    rep_id = site.state["report_id"]
    other = make_report(site, "Rapport utan förslag", ["Läsfrämjande insats"])
    sign_in(page, site, "granskare")
    page.get_by_role("link", name=re.compile(r"^Väntar på mig")).click()
    cards = page.locator("li.kort")
    expect(cards.first).to_be_visible()
    titles = cards.locator("h2").all_inner_texts()
    assert "Uppföljning med utkast för alla" in titles and "Rapport utan förslag" not in titles
    shoot(page, "waiting-for-me-1280")

    # everything reviewed (through the service: the review buttons have their own tests)
    granskare = ws.authenticate(site.tokens["granskare"])
    for item in ws.get_report(rep_id, granskare).items:
        for sec in item.sections:
            for n, sg in enumerate(sec.suggestions):
                if n == 0 and sec.kind != "kostnader":
                    ws.accept(sg.id, granskare, expected_version=sg.version)
                else:
                    ws.reject(sg.id, granskare, expected_version=sg.version)

    page.goto(f"{site.base}/rapporter/{rep_id}")
    page.get_by_role("link", name="Publicera …").click()
    expect(page.get_by_role("heading", name="Publicera rapporten?")).to_be_visible()
    shoot(page, "publish-confirm-1280")
    page.get_by_role("link", name="Avbryt").click()  # nothing happens on "Avbryt"
    page.wait_for_url(f"**/rapporter/{rep_id}")
    assert ws.get_report(rep_id, granskare).state == "draft"
    page.get_by_role("link", name="Publicera …").click()
    page.get_by_role("button", name="Ja, publicera rapporten").click()
    page.wait_for_url(f"**/rapporter/{rep_id}")
    expect(page.locator(".meddelande").first).to_contain_text("Rapporten är publicerad")
    expect(page.locator(".rapport-meta .etikett-published")).to_have_text("Publicerad")
    published = ws.get_report(rep_id, granskare)
    assert published.state == "published" and published.published_path

    page.get_by_role("link", name="Öppna igen …").click()
    expect(page.get_by_role("heading", name="Öppna rapporten igen?")).to_be_visible()
    page.get_by_role("button", name="Ja, öppna rapporten igen").click()
    page.wait_for_url(f"**/rapporter/{rep_id}")
    expect(page.locator(".meddelande").first).to_contain_text("öppnad igen")
    assert ws.get_report(rep_id, granskare).state == "draft"
    assert ws.get_report(other.id, granskare).state == "draft"


def test_the_change_log_shows_who_when_what_before_and_after(page, site):
    rep_id = site.state["report_id"]
    page.goto(f"{site.base}/rapporter/{rep_id}")
    page.get_by_role("link", name="Ändringar").click()
    expect(page.get_by_role("heading", name="Ändringar i rapporten")).to_be_visible()
    rows = page.locator("li.logg-rad")
    first = rows.first  # newest first: the reopening
    expect(first).to_contain_text("Greta Granskare")
    expect(first).to_contain_text("Öppnade rapporten igen")
    assert re.search(r"\d{1,2} [a-zé]+ \d{4} kl\. \d{2}\.\d{2}", first.locator("time").inner_text())
    state_row = first.locator("tr", has_text="Läge")
    assert state_row.locator("td.logg-fore").inner_text() == "Publicerad"
    assert state_row.locator("td.logg-efter").inner_text() == "Utkast"
    publish = rows.filter(has_text="Publicerade rapporten").first
    assert publish.locator("tr", has_text="Läge").locator("td.logg-efter").inner_text() == "Publicerad"
    accept = rows.filter(has_text="Godkände ett förslag").first
    assert accept.locator("tr", has_text="Läge").locator("td.logg-fore").inner_text() == "Väntar på granskning"
    assert accept.locator("tr", has_text="Läge").locator("td.logg-efter").inner_text() == "Godkänt"
    expect(rows.filter(has_text="Startade utkast för alla aktiviteter").first).to_contain_text("Rut Rektor")
    expect(rows.last).to_contain_text("Skapade rapporten")
    shoot(page, "audit-1280")


@pytest.mark.parametrize("path", ["/rapporter?visa=vantar", "REPORT", "REPORT/publicera", "REPORT/andringar", "/docs"])
def test_the_changed_pages_fit_a_phone(browser, site, path):
    pg = open_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        sign_in(pg, site, "granskare")
        url = path.replace("REPORT", f"/rapporter/{site.state['report_id']}")
        pg.goto(site.base + url)
        if path == "/docs":
            pg.locator(".swagger-ui .info .title").wait_for(timeout=60_000)
        assert not overflows(pg), f"{url} scrolls sideways at 390 px"
        name = re.sub(r"[^a-z]+", "-", path.lower().replace("report", "rapport")).strip("-") or "sida"
        shoot(pg, f"{name}-390")
        if path != "/docs":
            pg.set_viewport_size(DESKTOP)
            shoot(pg, f"{name}-1280")
        assert not pg.js_errors and not pg.csp, (pg.js_errors, pg.csp)
    finally:
        pg.context.close()


def test_the_citation_viewer_shows_clean_text_with_lists(page, site):
    sign_in(page, site, "rektor")
    page.goto(site.base + "/sok?q=genomströmning+gymnasieskolan")
    page.locator(".traff-kalla a").first.click()
    dialog = page.get_by_role("dialog")
    hit = dialog.locator("tr.traffrad").first
    hit.wait_for()
    text = "\n".join(dialog.locator("tr.traffrad").all_inner_texts())
    assert "<ul" not in text and "<li" not in text and "style=" not in text and "○" not in text
    assert dialog.locator("tr.traffrad .radcell-lista li").count() >= 1
    assert dialog.locator("tr.traffrad .radcell-lista li").first.is_visible()
    page.keyboard.press("Escape")
    href = page.locator(".traff-kalla a").first.get_attribute("href")
    page.goto(site.base + href)
    shoot(page, "kalla-1280")
    page.set_viewport_size(PHONE)
    assert not overflows(page)
    shoot(page, "kalla-390")
    page.set_viewport_size(DESKTOP)


# ---- an upload runs as a job with a result page -------------------------------------------------
def test_an_upload_runs_as_a_job_and_its_result_page_follows_it(page, site, tmp_path):
    runner = site.svc.uploads
    runner.before_run = lambda job_id: time.sleep(2.0)  # long enough to see it wait, then work
    try:
        sign_in(page, site, "admin")
        upload_document(page, REPO / "corpus" / "2020-kvalitetsrapport-utvecklingsomraden.txt",
                        "Kvalitetsrapport 2020 (kopia).txt", tmp_path)
        job_url = page.url
        page.evaluate("() => { window.__sameDocument = true; }")
        status = page.locator("#inlasning .jobb-text")
        expect(status).to_contain_text("av 3")  # the job's stage while it waits and works
        expect(page.locator("#inlasning progress")).to_be_visible()
        shoot(page, "upload-running-1280")
        result = page.locator("section.resultat")
        expect(result).to_contain_text("är inläst", timeout=60_000)
        assert page.evaluate("window.__sameDocument") is True  # shown in place, no reload
        assert "Kvalitetsrapport" in result.inner_text() and "Risker" in result.inner_text()
        shoot(page, "upload-done-1280")
        page.set_viewport_size(PHONE)
        assert not overflows(page)
        shoot(page, "upload-done-390")
        page.set_viewport_size(DESKTOP)
        # the result page stays: opened again later it shows the result at once
        page.goto(job_url)
        expect(page.locator("section.resultat")).to_contain_text("är inläst")
        page.get_by_role("link", name="Till dokumenten").click()
        expect(page.locator("table.dokumenttabell").get_by_text("uploads/Kvalitetsrapport 2020 (kopia).txt")).to_be_visible()
    finally:
        runner.before_run = None


def test_a_broken_upload_says_why_on_its_result_page(page, site, tmp_path):
    page.goto(site.base + "/dokument")
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\n\x00\x01 trasig")
    page.get_by_label("Fil", exact=True).set_input_files(str(broken))
    page.get_by_role("button", name="Ladda upp och läs in").click()
    page.wait_for_url(re.compile(r".*/dokument/inlasning/[0-9a-f]+$"))
    expect(page.locator("#inlasning .meddelande-fel")).to_contain_text("trasig.pdf lästes inte in", timeout=60_000)


# ---- a section without text is not reviewed --------------------------------------------------------
def test_the_progress_counts_sections_without_text_as_not_reviewed(browser, site):
    """Every suggestion accepted, some sections with only a notice: the page says how many of all
    sections are reviewed and how many have no text, never "Alla … avsnitt är granskade"; at
    1366 px and on a phone (390 px) without sideways scrolling."""
    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    granskare = ws.authenticate(site.tokens["granskare"])
    rep = make_report(site, "Allt godkänt, några avsnitt utan text", ["Minska frånvaron i grundskolan",
                                                                   "Utveckla samarbetet med vårdnadshavare"])
    for item in ws.get_report(rep.id, rektor).items:
        for sg in ws.draft_item(rep.id, item.id, None, rektor):
            ws.accept(sg.id, granskare, expected_version=sg.version)
    progress = ws.get_report(rep.id, rektor).progress
    empty = progress.sections.get("empty", 0)
    assert progress.total == 8 and empty > 0 and not progress.sections.get("pending"), progress
    for name, viewport in (("1366", {"width": 1366, "height": 900}), ("390", PHONE)):
        pg = open_page(browser, viewport=viewport, **({"is_mobile": True, "has_touch": True} if name == "390" else {}))
        try:
            sign_in(pg, site, "granskare")
            pg.goto(f"{site.base}/rapporter/{rep.id}")
            text = " ".join(pg.locator(".framsteg-text").inner_text().split())
            assert text == f"{8 - empty} av 8 avsnitt är granskade. {empty} avsnitt saknar text (”Inget än” i tabellen).", text
            assert "Alla" not in pg.locator(".framsteg").inner_text()
            cells = [" ".join(t.split()) for t in pg.locator("table.oversikt tbody td").all_inner_texts()]
            assert cells.count("Inget än") == empty
            expect(pg.locator(".granskning")).to_contain_text(f"Inget väntar på granskning, men {empty} avsnitt saknar text.")
            assert pg.locator(".granskning").get_by_text("Allt är granskat.").count() == 0
            assert not overflows(pg), f"the report page scrolls sideways at {name} px"
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                if name == "390":  # the progress, not only the page's head
                    pg.evaluate("document.querySelector('.granskning').scrollIntoView()")
                pg.screenshot(path=str(Path(SHOTS) / f"rapport-utan-text-{name}.png"), full_page=False)
            assert not pg.js_errors and not pg.csp, (pg.js_errors, pg.csp)
        finally:
            pg.context.close()
