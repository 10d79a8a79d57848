"""The web interface in a real browser: Debian's Chromium driven by Playwright against a real
uvicorn server on 127.0.0.1 with a tmp index (the sample corpus plus a 2023 follow-up that
continues a 2022 activity, and a document that contains a <script>).

One browser and one server for the module; the tests run in file order and build on each
other (a principal signs in, searches, creates a report, drafts, asks the chat and places a
draft; a reviewer accepts, edits and rejects; the Word file is downloaded and read).

Chromium must be installed (CI installs it with scripts/system-deps.sh): without it the module
FAILS with a clear message instead of being skipped.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest

from tests.helpers.browser import (
    PHONE, expect, open_page, overflows, sign_in, unlabelled_controls, upload_document,
)
from tests.helpers.paths import REPO
from tests.helpers.site import SAMPLE_CORPUS, USERS, add_users, make_corpus, serving, services_on

pytestmark = pytest.mark.browser


FOLLOW_UP_2023 = (
    "Uppföljning av Utbildningsförvaltningens verksamhetsplan 2023\n\n"
    "Barn- och ungdomsnämnden\n\nBildningsnämnden\n\nMedarbetare\n\n"
    "Kommunövergripande mål: Attraktiv arbetsgivare\n\n"
    "Nämndmål\tAktivitet\tNämnd\tSlutfört\tStatus\tKommentar\n"
    "Goda arbetsplatser <i>Varje medarbetare känner arbetsglädje och stolthet samt har inflytande och "
    "möjlighet att utvecklas.</i>\tTa fram och utveckla en rutin och arbetsätt för kartläggning och åtgärder "
    "kopplat till korttidsfrånvaro. <i>Kvarstår från 2022</i>\tBiN, BoU\tDecember\tGenomfört\t"
    "Rutinen för korttidsfrånvaro är framtagen och används på alla enheter sedan hösten.\n"
)
EVIL = (
    "Uppföljning av verksamhetsplan 2021\n\n"
    "Trygghetsvandringen på skolgården <script>document.title='HACKAD'</script> "
    "<img src=x onerror=\"document.title='HACKAD'\"> gjordes varje termin.\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("browser"), SAMPLE_CORPUS,
                        {"2023-uppfoljning-verksamhetsplan.txt": FOLLOW_UP_2023, "2021-trygghet.txt": EVIL})
    svc = services_on(corpus)
    with serving(svc, tokens=add_users(svc, USERS), users=USERS, state={}, root=corpus.parent) as site:
        yield site


# ---- 1. sign in ------------------------------------------------------------------------
def test_sign_in(page, site):
    page.goto(site.base + "/")
    assert page.url.endswith("/logga-in")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert "kvalitet users add" in page.locator("#nyckel-hjalp").inner_text()
    page.get_by_label("Användarnamn").fill("Rut Rektor")
    page.get_by_label("Nyckel", exact=True).fill("kv_000000000000_fel")
    page.locator("main").get_by_role("button", name="Logga in").click()
    alert = page.get_by_role("alert")
    assert "Användarnamnet eller nyckeln stämmer inte" in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "inloggning-fel"  # focus goes to the message
    sign_in(page, site, "rektor")
    assert page.get_by_role("heading", level=1).inner_text() == "Rapporter"
    assert "Rut Rektor" in page.locator("header").inner_text()
    # Keyboard: the first Tab reaches the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innehall"


# ---- 2. search, a passage in its document, the history ---------------------------------
def test_search_with_a_filter_opens_passages_and_history(page, site):
    page.get_by_role("link", name="Sök i tidigare år").click()
    page.get_by_label("Sökord").fill("korttidsfrånvaro")
    page.get_by_label("År").select_option("2022")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url(re.compile(r".*/sok\?q=korttidsfr.*ar=2022.*"))
    hits = page.locator("li.traff")
    assert hits.count() > 0
    years = hits.locator(".traff-meta li").filter(has_text=re.compile(r"^(År: )?\d{4}$")).all_inner_texts()
    assert years and all(y.endswith("2022") for y in years), years
    first = hits.filter(has_text="korttidsfrånvaro").first
    assert first.locator(".traff-utdrag mark").count() >= 1  # matched words are marked

    # The activity's path across years, in place, on one click.
    first.locator("details.historik summary").click()
    timeline = first.locator(".tidslinje")
    timeline.wait_for()
    assert timeline.locator(".tidslinje-ar").all_inner_texts() == ["2022", "2023"]
    assert "Genomfört" in timeline.inner_text() and "Kvarstår" in timeline.inner_text()

    # The source opens in a side panel beside the results; Esc closes it and focus returns.
    link = first.locator(".traff-kalla a")
    source = link.inner_text()
    assert re.match(r"2022-uppfoljning-verksamhetsplan-linkoping\.txt, rad \d+", source)
    link.click()
    dialog = page.get_by_role("dialog")
    dialog.locator("tr.traffrad mark").first.wait_for()
    assert "korttidsfrånvaro" in dialog.locator("tr.traffrad").first.inner_text()
    assert dialog.locator("td.radnummer").count() > 3  # lines around it, numbered
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == source

    # The same passage as a page of its own.
    page.goto(site.base + link.get_attribute("href"))
    assert page.locator("h1").inner_text() == "2022-uppfoljning-verksamhetsplan-linkoping.txt"
    assert page.locator("#stycket mark").count() == 1
    assert not unlabelled_controls(page)


def test_search_status_choices_are_one_per_status_and_an_unknown_filter_says_which_exist(page, site):
    """"Pågår" and "Pågående" (and "Klart" and "Genomfört") are one choice, labelled with both
    wordings; the hits keep their own. An unknown committee in the address is a message on the
    page listing the committees, not a page without hits."""
    page.goto(site.base + "/sok")
    labels = [" ".join(t.split()) for t in page.locator("#falt-status option").all_inner_texts()]
    assert "Pågående / Pågår" in labels and "Genomfört / Klart" in labels, labels
    assert "Pågår" not in labels and "Klart" not in labels
    page.get_by_label("Sökord").fill("aktiviteten pågår")
    page.get_by_label("Status").select_option(label="Pågående / Pågår")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url(re.compile(r".*/sok\?q=.*status=P%C3%A5g%C3%A5ende.*"))
    shown = page.locator("li.traff .traff-meta li").filter(has_text=re.compile(r"^Status: ")).all_inner_texts()
    assert shown and {t.removeprefix("Status: ") for t in shown} <= {"Pågående", "Pågår"}, shown
    assert page.locator("#falt-status option:checked").inner_text().strip() == "Pågående / Pågår"
    page.goto(site.base + "/sok?q=frånvaro&namnd=XYZ")
    alert = page.locator("main .meddelande-fel")
    expect(alert).to_contain_text("Okänt värde för nämnd: »XYZ«. Giltiga värden:")
    assert "BoU" in alert.inner_text() and "Unknown" not in alert.inner_text()
    assert page.locator("li.traff").count() == 0


def test_a_document_with_a_script_is_shown_and_never_run(page, site):
    page.goto(site.base + "/sok?q=trygghetsvandringen")
    page.locator(".traff-kalla a").first.click()
    dialog = page.get_by_role("dialog")
    dialog.locator("tr.traffrad").first.wait_for()
    text = "\n".join(dialog.locator("tr.traffrad").all_inner_texts())
    assert "<script>document.title='HACKAD'</script>" in text and "onerror=" in text
    assert page.title() != "HACKAD"
    page.keyboard.press("Escape")
    page.goto(site.base + page.locator(".traff-kalla a").first.get_attribute("href"))
    assert page.title() != "HACKAD" and "<script>" in "\n".join(page.locator("tr.traffrad").all_inner_texts())


# ---- 3. a report: create, add an activity, draft -----------------------------------------
def test_create_report_add_activity_and_draft(page, site):
    page.goto(site.base + "/rapporter")
    page.get_by_role("link", name="Ny rapport").first.click()
    page.get_by_role("button", name="Skapa rapporten").click()  # nothing filled in
    assert "Något behöver rättas" in page.get_by_role("alert").inner_text()
    page.get_by_label("Titel").fill("Kvalitetsrapport Åbyskolan 2025")
    page.get_by_role("radio", name=re.compile("^Kvalitetsrapport")).check()
    page.get_by_label("År", exact=True).fill("2025")
    assert page.get_by_label("Enhet").input_value() == "Åbyskolan"
    assert not unlabelled_controls(page)
    page.get_by_role("button", name="Skapa rapporten").click()
    page.wait_for_url(re.compile(r".*/rapporter/\d+$"))
    site.state["report_url"] = page.url
    assert "Rapporten är skapad" in page.get_by_role("status").first.inner_text()

    page.get_by_label("Aktivitet", exact=True).fill("Minska frånvaron i årskurs 7–9")
    page.get_by_label("Vad har hänt?").fill("Vi följer upp frånvaron varje vecka och kontaktar hemmet tidigt.")
    page.get_by_label("Status").select_option("Pågående")
    page.get_by_role("button", name="Lägg till aktiviteten").click()
    page.wait_for_url(re.compile(r".*/rapporter/\d+#aktivitet-\d+$"))
    item = page.locator("section.aktivitet").first
    assert "Minska frånvaron i årskurs 7–9" in item.locator("h2").inner_text()
    assert not unlabelled_controls(page)

    # Drafting is slow work: the button is disabled and the page says so while it runs.
    held = []
    page.route("**/api/reports/*/items/*/draft", lambda route: held.append(route))
    button = item.get_by_role("button", name=re.compile("^Skapa utkast"))
    button.click()
    page.wait_for_function("() => document.querySelector('form[data-draft] button').disabled")
    assert item.locator(".upptagen").is_visible() and "Skapar utkast" in item.locator(".upptagen").inner_text()
    assert item.locator("form[data-draft]").get_attribute("aria-busy") == "true"
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()
    page.unroute("**/api/reports/*/items/*/draft")
    cards = page.locator("article.forslag")
    cards.first.wait_for()
    assert cards.count() >= 3
    expect(page.locator("#live-status")).to_have_text(re.compile("^Utkastet är klart"))
    assert page.evaluate("document.activeElement.tagName") == "H2"  # focus back at the activity
    assert page.locator("table.oversikt .etikett-pending").count() >= 3  # sections at a glance
    # A suggestion shows its sources; a click opens the cited passage beside it.
    cited = cards.filter(has=page.locator(".kallor")).first
    cite = cited.locator(".kallor a").first
    cite.click()
    page.get_by_role("dialog").locator("tr.traffrad").first.wait_for()
    page.get_by_role("dialog").get_by_role("button", name=re.compile("^Stäng")).click()
    assert page.evaluate("document.activeElement.classList.contains('kalla-lank')")


# ---- 4. the chat ------------------------------------------------------------------------
def test_chat_answers_with_sources_and_places_a_draft(page, site):
    page.goto(site.state["report_url"])
    chat = page.locator("aside.chatt")
    assert chat.get_by_role("heading", name="Fråga om underlaget").is_visible()
    chat.get_by_label("Gäller aktivitet").select_option(label="1. Minska frånvaron i årskurs 7–9")
    before = page.locator("article.forslag").count()

    # A search-type question: the answer streams in and cites its passages.
    chat.get_by_label("Din fråga").fill("Vad gjorde vi för att minska frånvaron 2022?")
    chat.get_by_role("button", name="Skicka").click()
    answer = chat.locator("li.chatt-inlagg").nth(1)
    answer.locator(".chatt-kallor a").first.wait_for()
    assert "Det här hittade jag" in answer.inner_text()
    assert answer.locator("a.ref").count() >= 1  # [p_…] became numbered references
    answer.locator(".chatt-kallor a").first.click()
    page.get_by_role("dialog").locator("tr.traffrad").first.wait_for()
    page.keyboard.press("Escape")

    # Without an LLM the chat says plainly what needs one.
    chat.get_by_label("Din fråga").fill("Gör texten kortare och skriv i vi-form")
    chat.get_by_role("button", name="Skicka").click()
    needs = chat.locator("li.chatt-inlagg").nth(3)
    needs.locator(".chatt-not").wait_for()
    assert "språkmodell" in needs.inner_text()

    # A draft, placed into a section as a pending suggestion.
    chat.get_by_label("Din fråga").fill("utkast analys")
    chat.get_by_role("button", name="Skicka").click()
    draft = chat.locator("li.chatt-inlagg").nth(5)
    place = draft.get_by_role("button", name="Lägg in som förslag")
    place.wait_for()
    place.click()
    form = draft.locator("form.placera")
    form.get_by_label("Aktivitet").select_option(label="1. Minska frånvaron i årskurs 7–9")
    assert form.get_by_label("Avsnitt").locator("option").all_inner_texts() == ["Analys"]
    form.get_by_role("button", name="Lägg in").click()
    placed = chat.locator("li.chatt-inlagg").nth(7)
    placed.get_by_text("Inlagt som förslag").wait_for()
    page.wait_for_function(f"() => document.querySelectorAll('article.forslag').length > {before}")
    new_id = placed.locator(".chatt-not a").first.get_attribute("href").lstrip("#")
    card = page.locator(f"#{new_id}")
    assert "Väntar på granskning" in card.inner_text()
    assert card.locator("xpath=ancestor::section[contains(@class,'avsnitt')]").locator("h3").inner_text().startswith("Analys")
    site.state["placed"] = new_id


# ---- 5. review: accept, edit, reject; a conflict; export --------------------------------
def test_review_accept_edit_reject_and_conflict(page, site):
    sign_in(page, site, "granskare")
    page.goto(site.state["report_url"])
    cards = page.locator("article.forslag")
    conflict_id = site.state["placed"]
    ids = [cards.nth(i).get_attribute("id") for i in range(cards.count())]
    accept_id, edit_id, reject_id = [i for i in ids if i != conflict_id][:3]
    site.state["accepted_text"] = page.locator(f"#{accept_id} > .forslag-text").inner_text().split("\n")[0][:60]
    site.state["rejected_text"] = page.locator(f"#{reject_id} > .forslag-text").inner_text().split("\n")[0][:60]

    page.locator(f"#{accept_id}").get_by_role("button", name=re.compile("^Godkänn")).click()
    page.locator(f"#{accept_id} .etikett-accepted").wait_for()
    expect(page.locator("#live-status")).to_have_text("Förslaget är godkänt.")

    card = page.locator(f"#{edit_id}")
    card.locator("summary", has_text="Redigera").click()
    box = card.get_by_label("Din version av texten")
    box.fill("Frånvaron har följts upp varje vecka under läsåret, och hemmen har kontaktats tidigt.")
    card.get_by_role("button", name="Spara ändringen").click()
    page.locator(f"#{edit_id} .etikett-edited").wait_for()
    assert "kontaktats tidigt" in page.locator(f"#{edit_id} > .forslag-text").inner_text()

    page.locator(f"#{reject_id}").get_by_role("button", name=re.compile("^Avvisa")).click()
    page.locator(f"#{reject_id} .etikett-rejected").wait_for()

    # Someone else changes a suggestion while it is open here: saving says so and keeps the text.
    sid = int(conflict_id.split("-")[1])
    card = page.locator(f"#{conflict_id}")
    card.locator("summary", has_text="Redigera").click()
    card.get_by_label("Din version av texten").fill("Min version av analysen.")
    httpx.patch(f"{site.base}/api/suggestions/{sid}", json={"text": "Kollegans version.", "version": 1},
                headers={"Authorization": f"Bearer {site.tokens['admin']}"}).raise_for_status()
    card.get_by_role("button", name="Spara ändringen").click()
    status = card.locator(".forslag-status")
    status.get_by_text("Någon annan har ändrat förslaget – ladda om").wait_for()
    assert card.get_by_label("Din version av texten").input_value() == "Min version av analysen."
    assert status.get_by_role("button", name="Ladda om sidan").is_visible()

    # Progress and the state of every section at a glance.
    assert "är granskade" in page.locator(".framsteg").inner_text()
    states = [" ".join(t.split()) for t in page.locator("table.oversikt tbody td .etikett").all_text_contents()]
    assert {"Godkänt", "Avvisat", "Väntar på granskning"} <= set(states), states  # analys: one still waits
    assert "Redigerat" in page.locator(f"#{edit_id} .forslag-huvud").inner_text()
    assert not unlabelled_controls(page)


def test_export_word_html_and_markdown(page, site):
    from docx import Document

    page.goto(site.state["report_url"])
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Word")).click()
    download = info.value
    assert download.suggested_filename == "2025-kvalitetsrapport-abyskolan-2025.docx"
    path = download.path()
    data = Path(path).read_bytes()
    assert data[:2] == b"PK"
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    text += "\n".join(c.text for t in Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    assert "kontaktats tidigt" in text  # the edited text
    assert site.state["accepted_text"][:40] in text  # the accepted text
    assert site.state["rejected_text"][:40] not in text  # never the rejected one
    for label, start in (("HTML", b"<!DOCTYPE html>"), ("Markdown", b"# Kvalitetsrapport")):
        with page.expect_download() as info:
            page.get_by_role("link", name=label, exact=True).click()
        assert Path(info.value.path()).read_bytes().lstrip().startswith(start), label


def test_review_works_without_javascript(browser, site):
    pg = open_page(browser, java_script_enabled=False)
    try:
        # A fresh activity with a fresh draft, so that this test has pending suggestions of its own
        # whatever the review test before it left.
        report_id = int(re.search(r"/rapporter/(\d+)", site.state["report_url"]).group(1))
        auth = {"Authorization": f"Bearer {site.tokens['rektor']}"}
        item = httpx.post(f"{site.base}/api/reports/{report_id}/items", headers=auth, timeout=60,
                          json={"activity": "Minska frånvaron i årskurs 4–6",
                                "notes": "Frånvaron följs upp varje månad."})
        item.raise_for_status()
        drafted = httpx.post(f"{site.base}/api/reports/{report_id}/items/{item.json()['id']}/draft",
                             headers=auth, json={}, timeout=120)
        drafted.raise_for_status()
        assert drafted.json()["suggestions"], drafted.text
        sign_in(pg, site, "granskare")
        pg.goto(site.state["report_url"])
        assert pg.locator("aside.chatt noscript").count() == 1  # the chat says it needs JavaScript
        pending = pg.locator("article.forslag-pending").first
        sid = pending.get_attribute("id")
        pending.get_by_role("button", name=re.compile("^Godkänn")).click()
        pg.wait_for_url(re.compile(rf".*#{sid}$"))
        assert "Förslaget är godkänt." in pg.locator(".meddelande").first.inner_text()
        assert pg.locator(f"#{sid} .etikett-accepted").count() == 1
    finally:
        pg.context.close()


# ---- 6. admin: documents; phones -----------------------------------------------------------
def test_admin_uploads_a_document_and_sees_what_was_recognised(page, site, tmp_path):
    sign_in(page, site, "admin")
    upload_document(page, REPO / "corpus" / "2019-uppfoljning-fjolarets-aktiviteter.txt", "Uppföljning 2019 (kopia).txt",
                    tmp_path)  # on to the upload's own result page
    result = page.locator("section.resultat")
    result.wait_for()
    assert "är inläst" in result.inner_text()
    assert "Uppföljning av fjolårets aktiviteter" in result.inner_text()
    assert "Analys" in result.inner_text() and "Uppföljning" in result.inner_text()
    page.get_by_role("link", name="Till dokumenten").click()
    assert page.locator("table.dokumenttabell").get_by_text("uploads/Uppföljning 2019 (kopia).txt").is_visible()


@pytest.mark.parametrize("path", ["/rapporter", "/sok?q=frånvaro", "REPORT", "/dokument"])
def test_pages_fit_a_phone(browser, site, path):
    pg = open_page(browser, PHONE, is_mobile=True, has_touch=True)
    try:
        sign_in(pg, site, "admin")
        pg.goto(site.state["report_url"] if path == "REPORT" else site.base + path)
        assert not overflows(pg), f"{path} scrolls sideways at 390 px"
        assert pg.locator("nav[aria-label='Huvudmeny']").is_visible()
    finally:
        pg.context.close()
