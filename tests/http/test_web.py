"""The web interface on the server side, over real HTTP (uvicorn on 127.0.0.1, httpx):
sign-in (failure message, session cookie flags, the secret file), CSRF on forms and on
cookie-authenticated API calls (Bearer calls need none), escaping of document text, role checks
with Swedish error pages, the admin-only Dokument page, and review without JavaScript (POST,
redirect, a 409 that keeps the reviewer's text)."""

from __future__ import annotations

import re
import stat
import time

import httpx
import pytest

from kvalitet.web.session import COOKIE_NAME, SECRET_FILE
from kvalitet.web.views import snippet_markup, source_text, suggestion_markup, sv_date, sv_datetime
from tests.helpers.paths import REPO
from tests.helpers.site import SAMPLE_CORPUS, USERS, add_users, make_corpus, serving, services_on

EVIL = (
    "Uppföljning av verksamhetsplan 2021\n\n"
    "Ett stycke med <script>alert('xss')</script> och <img src=x onerror=alert(2)> i texten.\n"
    "Vi följde upp skadegörelsen på skolgården varje månad.\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("web"), SAMPLE_CORPUS, {"2021-elak-uppfoljning.txt": EVIL})
    svc = services_on(corpus)
    users = {**USERS, "rektor2": ("Rolf Rektor", "rektor", "Byskolan")}
    with serving(svc, tokens=add_users(svc, users), users=users, root=corpus.parent) as site:
        yield site


def csrf_of(html: str) -> str:
    m = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def signed_in(site, key: str) -> httpx.Client:
    c = httpx.Client(base_url=site.base, timeout=60)
    page = c.get("/logga-in")
    r = c.post("/logga-in", data={"name": site.users[key][0], "token": site.tokens[key], "nasta": "/rapporter",
                                  "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/rapporter", r.text[:300]
    return c


def bearer(site, key: str) -> dict:
    return {"Authorization": f"Bearer {site.tokens[key]}"}


def seeded_report(site, title="Kvalitetsrapport Åbyskolan 2025"):
    """A report of Åbyskolan with one activity and its drafted (pending) suggestions."""
    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    rep = ws.create_report(title, "kvalitetsrapport", 2025, None, rektor)
    item = ws.add_item(rep.id, {"activity": "Minska frånvaron i årskurs 7–9"}, rektor)
    sgs = ws.draft_item(rep.id, item.id, None, rektor)
    assert len(sgs) >= 3
    return rep, item, sgs


# ---- sign-in -----------------------------------------------------------------------------
def test_sign_in_failure_says_what_to_check_and_sets_no_session(site):
    c = httpx.Client(base_url=site.base, timeout=30)
    page = c.get("/logga-in")
    assert page.status_code == 200
    assert 'lang="sv"' in page.text and "Nyckel" in page.text and "kvalitet users add" in page.text
    token = csrf_of(page.text)
    for name, key in (("Rut Rektor", "kv_000000000000_" + "x" * 43), ("Fel Namn", site.tokens["rektor"]), ("", "")):
        r = c.post("/logga-in", data={"name": name, "token": key, "csrf_token": token})
        assert r.status_code == 400
        assert ("Användarnamnet eller nyckeln stämmer inte" in r.text) or ("Fyll i både" in r.text)
        assert site.tokens["rektor"] not in r.text  # the key is never echoed back
    assert c.get("/rapporter", follow_redirects=False).headers["location"].startswith("/logga-in")


def test_session_cookie_is_signed_httponly_lax_and_the_secret_file_is_private(site):
    c = httpx.Client(base_url=site.base, timeout=30)
    page = c.get("/logga-in")
    r = c.post("/logga-in", data={"name": "rut rektor", "token": site.tokens["rektor"], "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303  # the name is matched without regard to case
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie
    secret = site.settings.index_dir / SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    # A tampered cookie is no session.
    value = c.cookies[COOKIE_NAME]
    forged = httpx.Client(base_url=site.base, timeout=30, cookies={COOKIE_NAME: value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]})
    assert forged.get("/rapporter").headers["location"].startswith("/logga-in")
    assert c.get("/rapporter").status_code == 200
    # Signing out ends the session.
    r = c.post("/logga-ut", data={"csrf_token": csrf_of(c.get("/rapporter").text)})
    assert r.status_code == 303
    out = c.get("/logga-in")
    assert "Du är utloggad" in out.text
    assert c.get("/rapporter", follow_redirects=False).status_code == 303


def test_next_page_after_sign_in_is_only_a_local_path(site):
    c = httpx.Client(base_url=site.base, timeout=30)
    for target, expected in (("/sok?q=fr%C3%A5nvaro", "/sok?q=fr%C3%A5nvaro"), ("//evil.example/x", "/rapporter"),
                             ("https://evil.example/", "/rapporter"), ("/\\evil.example", "/rapporter")):
        c.cookies.clear()
        page = c.get("/logga-in")
        r = c.post("/logga-in", data={"name": "Rut Rektor", "token": site.tokens["rektor"], "nasta": target,
                                      "csrf_token": csrf_of(page.text)})
        assert r.headers["location"] == expected, target


# ---- CSRF --------------------------------------------------------------------------------
def test_forms_without_the_csrf_token_are_refused(site):
    c = signed_in(site, "rektor")
    good = csrf_of(c.get("/rapporter").text)
    data = {"title": "Utan token", "kind": "kvalitetsrapport", "year": "2025"}
    for sent in ({}, {"csrf_token": "fel"}, {"csrf_token": ""}):
        r = c.post("/rapporter", data={**data, **sent})
        assert r.status_code == 403
        assert "Formuläret kunde inte skickas" in r.text and 'lang="sv"' in r.text
    assert not [x for x in site.svc.workspace.list_reports(site.svc.workspace.authenticate(site.tokens["rektor"]))
                if x.title == "Utan token"]
    r = c.post("/rapporter", data={**data, "csrf_token": good})
    assert r.status_code == 303
    # The sign-in form is protected too (login CSRF): no token, no session.
    anon = httpx.Client(base_url=site.base, timeout=30)
    r = anon.post("/logga-in", data={"name": "Rut Rektor", "token": site.tokens["rektor"]})
    assert r.status_code == 403
    assert anon.get("/rapporter").headers["location"].startswith("/logga-in")


def test_cookie_api_calls_need_the_csrf_header_bearer_calls_do_not(site):
    rep, item, sgs = seeded_report(site, "CSRF-rapport")
    g = signed_in(site, "granskare")
    token = csrf_of(g.get(f"/rapporter/{rep.id}").text)
    # Reading with the cookie needs no token.
    assert g.get(f"/api/reports/{rep.id}").status_code == 200
    # Changing with the cookie does.
    r = g.post(f"/api/suggestions/{sgs[0].id}/accept", json={"version": 1})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = g.post(f"/api/suggestions/{sgs[0].id}/accept", json={"version": 1}, headers={"X-CSRF-Token": "x" * 43})
    assert r.status_code == 403
    assert site.svc.workspace.get_suggestion(sgs[0].id, site.svc.workspace.authenticate(site.tokens["granskare"])).state == "pending"
    r = g.post(f"/api/suggestions/{sgs[0].id}/accept", json={"version": 1}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    # Another session's token does not fit this session.
    other = csrf_of(signed_in(site, "granskare").get("/rapporter").text)
    r = g.post(f"/api/suggestions/{sgs[1].id}/reject", json={"version": 1}, headers={"X-CSRF-Token": other})
    assert r.status_code == 403
    # Bearer: no cookie, no CSRF token needed.
    r = httpx.post(f"{site.base}/api/suggestions/{sgs[1].id}/reject", json={"version": 1}, headers=bearer(site, "granskare"))
    assert r.status_code == 200 and r.json()["state"] == "rejected"


# ---- escaping ------------------------------------------------------------------------------
def test_a_document_with_script_is_shown_escaped(site):
    c = signed_in(site, "rektor")
    r = c.get("/sok", params={"q": "skadegörelsen skolgården"})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "onerror=alert" not in r.text.replace("onerror=alert(2)&gt;", "")
    hit = re.search(r'href="(/dokument/visa\?path=2021-elak-uppfoljning\.txt[^"]*)"', r.text)
    assert hit, "the document with a script is found"
    page = c.get(hit.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert '<tr class="traffrad"' in page.text and "<mark>" in page.text  # the passage is marked
    # The only scripts of the page are our own file; the CSP forbids inline ones anyway.
    assert re.findall(r"<script[^>]*>", page.text) == [re.search(r'<script src="/static/app\.js\?v=\w+" defer>', page.text).group(0)]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    frag = c.get(hit.group(1).replace("&amp;", "&") + "&fragment=1")
    assert "<html" not in frag.text and "&lt;script&gt;" in frag.text


def test_markup_helpers_trust_only_what_they_made():
    assert str(snippet_markup("a <mark>b</mark> &lt;c&gt;")) == "a <mark>b</mark> &lt;c&gt;"
    # Anything but <mark> in a snippet means it was not made by the retriever: escaped whole.
    assert "<script>" not in str(snippet_markup("<mark>x</mark><script>alert(1)</script>"))
    from kvalitet.domain.types import Citation, Source

    cit = Citation(passage_id="p_0123456789abcdef", quote="q", source=Source(path="a.txt", line_start=1, line_end=2))
    html = str(suggestion_markup("Text <b>fet</b> [p_0123456789abcdef] och [p_ffffffffffffffff].\n\nNytt stycke", [cit], "k"))
    assert "&lt;b&gt;fet&lt;/b&gt;" in html and '<a class="ref" href="#k-1">1</a>' in html
    assert html.count("<p>") == 2 and "?" in html  # an unknown source is marked, not linked


def test_swedish_dates():
    from datetime import date, datetime, timezone

    assert sv_date(date(2025, 5, 3)) == "3 maj 2025"
    assert sv_datetime(datetime(2025, 1, 31, 23, 5, tzinfo=timezone.utc)) == "1 februari 2025 kl. 00.05"
    assert sv_datetime(datetime(2025, 7, 1, 12, 0)) == "1 juli 2025 kl. 14.00"  # naive = UTC (SQLite)


# ---- roles ---------------------------------------------------------------------------------
def test_a_rektor_of_another_unit_gets_a_swedish_403_page(site):
    rep, item, sgs = seeded_report(site, "Åbyskolans rapport")
    other = signed_in(site, "rektor2")
    r = other.get(f"/rapporter/{rep.id}")
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>Du har inte behörighet</h1>" in r.text and 'lang="sv"' in r.text
    assert "Åbyskolans rapport" not in r.text and "Minska frånvaron" not in r.text
    assert "Byskolan" in r.text  # the header shows who is signed in
    token = csrf_of(r.text)
    for path in (f"/rapporter/{rep.id}/exportera?format=docx", f"/rapporter/{rep.id}?del=innehall&fragment=1"):
        assert other.get(path).status_code == 403
    r = other.post(f"/rapporter/{rep.id}/aktiviteter", data={"csrf_token": token, "activity": "Smyga in"})
    assert r.status_code == 403 and "Du har inte behörighet" in r.text
    r = other.post(f"/forslag/{sgs[0].id}/godkann", data={"csrf_token": token})
    assert r.status_code == 403
    assert "Åbyskolans rapport" not in other.get("/rapporter").text  # not in their list either
    # The rektor of the unit sees it; an unknown report is a Swedish 404 page.
    own = signed_in(site, "rektor")
    assert own.get(f"/rapporter/{rep.id}").status_code == 200
    missing = own.get("/rapporter/999999")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.text
    assert own.get(f"/rapporter/{2**70}").status_code == 422  # never a 500


def test_a_rektor_cannot_review_and_sees_no_review_buttons(site):
    rep, item, sgs = seeded_report(site, "Rektorns egen rapport")
    c = signed_in(site, "rektor")
    page = c.get(f"/rapporter/{rep.id}").text
    assert "Skapa nya förslag" in page and "Lägg till aktivitet" in page
    assert "/godkann" not in page and "En granskare godkänner" in page
    r = c.post(f"/forslag/{sgs[0].id}/godkann", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 403 and "granskare" in r.text


def test_the_dokument_page_is_for_admins_only(site):
    for key in ("rektor", "granskare"):
        c = signed_in(site, key)
        page = c.get("/rapporter").text
        assert 'href="/dokument"' not in page  # not in the menu
        r = c.get("/dokument")
        assert r.status_code == 403 and "Bara administratörer" in r.text
        r = c.post("/dokument", data={"csrf_token": csrf_of(page)}, files={"file": ("a.txt", b"Text")})
        assert r.status_code == 403
    admin = signed_in(site, "admin")
    page = admin.get("/dokument")
    assert page.status_code == 200 and 'href="/dokument"' in page.text
    assert "2019-uppfoljning-verksamhetsplan.txt" in page.text and "Uppföljning av verksamhetsplan" in page.text
    # The file picker offers every format the readers read (XLSX and CSV too, e.g. a Stratsys export).
    from kvalitet.ingest.readers.base import SUPPORTED_SUFFIXES
    accept = re.search(r'<input id="falt-file"[^>]*accept="([^"]*)"', page.text).group(1).split(",")
    assert SUPPORTED_SUFFIXES <= set(accept) and "Excel (.xlsx), CSV" in page.text


def upload_result(admin, r, deadline_s: float = 60.0):
    """Follow an upload's redirect to its result page until the job has ended; the last answer."""
    assert r.status_code == 303 and r.headers["location"].startswith("/dokument/inlasning/"), r.text[:300]
    url = r.headers["location"]
    deadline = time.monotonic() + deadline_s
    while True:
        page = admin.get(url)
        if 'data-state="done"' in page.text or 'data-state="failed"' in page.text or time.monotonic() > deadline:
            return page
        assert "steg" in page.text and "<progress" in page.text  # the progress while it runs
        time.sleep(0.3)


def test_upload_runs_as_a_job_and_its_page_shows_what_was_recognised_and_what_was_refused(site):
    admin = signed_in(site, "admin")
    token = csrf_of(admin.get("/dokument").text)
    sample = (REPO / "corpus" / "2020-kvalitetsrapport-utvecklingsomraden.txt").read_bytes()
    r = admin.post("/dokument", data={"csrf_token": token},
                   files={"file": ("Kvalitetsrapport 2020 (kopia).txt", sample, "text/plain")})
    page = upload_result(admin, r)
    assert page.status_code == 200, page.text[:500]
    result = re.search(r'<section class="resultat".*?</section>', page.text, re.S).group(0)
    assert "är inläst" in result and "Kvalitetsrapport" in result and "2020" in result
    assert "Risker" in result and "Kostnader" in result  # sections by kind, in Swedish
    assert "uploads/Kvalitetsrapport 2020 (kopia).txt" in admin.get("/dokument").text  # in the list
    bad = admin.post("/dokument", data={"csrf_token": token},
                     files={"file": ("trasig.pdf", b"%PDF-1.7\n\x00\x01 trasig", "application/pdf")})
    failed = upload_result(admin, bad)
    assert failed.status_code in (415, 422)
    assert "trasig.pdf lästes inte in" in failed.text and "/ the document" not in failed.text
    empty = admin.post("/dokument", data={"csrf_token": token}, files={"file": ("tom.txt", b"", "text/plain")})
    assert empty.status_code == 422 and "Filen är tom" in empty.text  # refused at once, no job
    # another admin's browser, or a rektor, cannot read the job's page without the admin role
    rektor = signed_in(site, "rektor")
    assert rektor.get(r.headers["location"]).status_code == 403


# ---- review without JavaScript ------------------------------------------------------------
def test_review_forms_work_without_javascript_and_a_conflict_keeps_the_text(site):
    rep, item, sgs = seeded_report(site, "Granskning utan JS")
    g = signed_in(site, "granskare")
    token = csrf_of(g.get(f"/rapporter/{rep.id}").text)
    r = g.post(f"/forslag/{sgs[0].id}/godkann", data={"csrf_token": token, "version": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/rapporter/{rep.id}#forslag-{sgs[0].id}"
    page = g.get(f"/rapporter/{rep.id}").text
    assert "Förslaget är godkänt." in page  # the one-shot message …
    assert "Förslaget är godkänt." not in g.get(f"/rapporter/{rep.id}").text  # … is shown once
    r = g.post(f"/forslag/{sgs[1].id}/redigera", data={"csrf_token": token, "version": "1", "text": "Min version."})
    assert r.status_code == 303
    # Someone else edits the third suggestion meanwhile (over the API).
    httpx.patch(f"{site.base}/api/suggestions/{sgs[2].id}", json={"text": "Kollegans text.", "version": 1},
                headers=bearer(site, "admin")).raise_for_status()
    r = g.post(f"/forslag/{sgs[2].id}/redigera", data={"csrf_token": token, "version": "1", "text": "Min egen text."})
    assert r.status_code == 409
    assert "Någon annan har ändrat förslaget – ladda om" in r.text
    assert "Min egen text." in r.text  # what the reviewer wrote is still there to copy
    r = g.post(f"/forslag/{sgs[2].id}/avvisa", data={"csrf_token": token, "version": "1"})
    assert r.status_code == 303
    assert "Någon annan har ändrat förslaget" in g.get(r.headers["location"]).text
    view = site.svc.workspace.get_report(rep.id, site.svc.workspace.authenticate(site.tokens["granskare"]))
    states = {s.id: s.state for it in view.items for sec in it.sections for s in sec.suggestions}
    assert states[sgs[0].id] == "accepted" and states[sgs[1].id] == "edited" and states[sgs[2].id] == "edited"


def test_new_report_form_explains_what_is_missing(site):
    c = signed_in(site, "rektor")
    token = csrf_of(c.get("/rapporter/ny").text)
    r = c.post("/rapporter", data={"csrf_token": token, "title": " ", "kind": "", "year": "25", "unit": "Annan skola"})
    assert r.status_code == 422
    assert "Något behöver rättas" in r.text and "Skriv en titel." in r.text
    assert "Välj vilken typ av rapport" in r.text and "fyra siffror" in r.text
    assert 'aria-invalid="true"' in r.text
    # A rektor's report is always for their own unit, whatever the form says.
    r = c.post("/rapporter", data={"csrf_token": token, "title": "Min rapport", "kind": "aktivitetsuppfoljning",
                                   "year": "2025", "unit": "Annan skola"})
    assert r.status_code == 303
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    assert site.svc.workspace.get_report(rid, site.svc.workspace.authenticate(site.tokens["rektor"])).unit == "Åbyskolan"


def test_pages_are_not_cached_and_static_files_are_served(site):
    c = signed_in(site, "rektor")
    r = c.get("/rapporter")
    assert r.headers["cache-control"] == "no-store"
    js = re.search(r'src="(/static/app\.js\?v=\w+)"', r.text).group(1)
    css = re.search(r'href="(/static/app\.css\?v=\w+)"', r.text).group(1)
    assert httpx.get(site.base + js).headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert httpx.get(site.base + css).headers["content-type"].startswith("text/css")
    assert not re.search(r"<style|style=\"|\son\w+=\"", r.text)  # nothing inline: the CSP forbids it


def test_reviewers_edit_numbered_references_and_the_text_keeps_passage_ids():
    from kvalitet.domain.types import Citation, Source
    from kvalitet.web.views import marker_text, numbered_text

    cits = [Citation(passage_id=f"p_{n:016x}", quote="q", source=Source(path="a.txt", line_start=n, line_end=n))
            for n in (1, 2)]
    text = f"Första [{cits[0].passage_id}]. Båda [{cits[0].passage_id}, {cits[1].passage_id}]. Okänd [p_ffffffffffffffff]."
    shown = numbered_text(text, cits)
    assert shown == "Första [1]. Båda [1, 2]. Okänd [p_ffffffffffffffff]."
    assert marker_text(shown, cits) == text
    # Numbers that name no source, and brackets of other kinds, stay as written.
    assert marker_text("Se [3] och [2020] och [a].", cits) == "Se [3] och [2020] och [a]."
    assert marker_text("Utan källor [1].", []) == "Utan källor [1]."


def test_a_form_sent_after_the_session_ended_leads_to_sign_in_with_a_message(site):
    c = signed_in(site, "rektor")
    token = csrf_of(c.get("/rapporter").text)
    c.cookies.clear()  # the session ended (12 hours passed, or signed out in another tab)
    r = c.post("/rapporter", data={"csrf_token": token, "title": "Sent", "kind": "kvalitetsrapport", "year": "2025"})
    assert r.status_code == 303 and r.headers["location"] == "/logga-in"
    assert "Du hann bli utloggad" in c.get("/logga-in").text


def test_parser_warnings_are_shown_in_swedish_with_their_line():
    from kvalitet.web.views import warning_sv

    assert warning_sv("line 12: a table row without activity text") == {"text": "En tabellrad utan aktivitetstext", "line": 12}
    assert warning_sv("line 40: Uppföljning of 'Insats 2' is empty")["text"] == "Uppföljning i ”Insats 2” är tom"
    assert warning_sv("something new")["text"] == "Something new"  # unknown ones as they are


def test_carry_forward_import_and_draft_all_from_the_report_page(site):
    """Issue 10 in the web interface: next year's report, an activity list, drafts for all."""
    import time

    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    rep = ws.create_report("Uppföljning Åbyskolan 2024", "verksamhetsplan_uppfoljning", 2024, None, rektor)
    ws.add_item(rep.id, {"activity": "Minska frånvaron i årskurs 7–9", "status": "Pågående"}, rektor)
    ws.add_item(rep.id, {"activity": "Införa schemasystem i förskolan", "status": "Genomfört"}, rektor)
    c = signed_in(site, "rektor")
    page = c.get(f"/rapporter/{rep.id}").text
    assert "Fler sätt att fylla rapporten" in page and "Skapa nästa års rapport" in page
    token = csrf_of(page)

    # An activity list from a CSV file (semicolons, Swedish headers, one unknown column, a duplicate).
    csv = ("Perspektiv;Aktivitet;Status;Okänd kolumn\n"
           "Medborgare;Stärka elevhälsans förebyggande arbete;Pågående;x\n"
           "Medborgare;Minska frånvaron i årskurs 7–9;Pågående;y\n").encode("utf-8")
    r = c.post(f"/rapporter/{rep.id}/importera", data={"csrf_token": token},
               files={"file": ("aktiviteter.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text[:500]
    assert "Inläst aktivitetslista" in r.text and "Okänd kolumn" in r.text
    assert "<strong>1</strong> aktiviteter lades till" in r.text
    assert "<strong>1</strong> rader slogs ihop" in r.text
    assert c.post(f"/rapporter/{rep.id}/importera", data={}, files={"file": ("a.csv", csv, "text/csv")}).status_code == 403
    bad = c.post(f"/rapporter/{rep.id}/importera", data={"csrf_token": token},
                 files={"file": ("fel.csv", "Namn;Ålder\nA;3\n".encode(), "text/csv")})
    assert bad.status_code == 422 and "Aktivitet" in bad.text  # says which column is missing

    # Drafts for all activities, as a background job; the page shows its progress.
    r = c.post(f"/rapporter/{rep.id}/utkast-alla", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].endswith("#utkast-alla")
    # Wait for the job to end, not for a fixed time: on a loaded machine three activities' drafts
    # can take minutes (speed is measured in benchmarks, not here).
    from kvalitet.workspace.jobs import list_jobs
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        jobs = list_jobs(ws, rektor, report_id=rep.id)
        if jobs and all(j.state not in ("queued", "running") for j in jobs):
            break
        time.sleep(0.5)
    assert [j.state for j in jobs] == ["done"], [(j.state, j.message, j.errors) for j in jobs]
    job = jobs[0]
    # Every section of every activity was dealt with, none failed. A section whose sources hold
    # nothing about the activity stores no suggestion (issue 16: a notice, never a thin draft),
    # so not every section need exist; every stored one holds the job's suggestions.
    assert (job.total, job.done, job.failed) == (12, 12, 0)
    view = ws.get_report(rep.id, rektor)
    assert len(view.items) == 3 and all(it.sections for it in view.items)
    stored = [sg for it in view.items for sec in it.sections for sg in sec.suggestions]
    assert all(sec.suggestions for it in view.items for sec in it.sections)
    assert len(stored) == job.suggestions > 0

    # Next year's report: the unfinished activities come across, the finished one does not.
    r = c.post(f"/rapporter/{rep.id}/nasta-ar", data={"csrf_token": token, "year": "2025"})
    assert r.status_code == 303
    new_page = c.get(r.headers["location"]).text
    assert "Nästa års rapport är skapad" in new_page
    new_id = int(r.headers["location"].rstrip("/").split("/")[-1])
    new = ws.get_report(new_id, rektor)
    assert new.year == 2025
    acts = {it.activity: it for it in new.items}
    assert "Minska frånvaron i årskurs 7–9" in acts and "Införa schemasystem i förskolan" not in acts
    assert acts["Minska frånvaron i årskurs 7–9"].carried_from == 2024


def test_rotating_a_key_ends_the_sessions_signed_in_with_it(site):
    ws = site.svc.workspace
    admin = ws.authenticate(site.tokens["admin"])
    new = ws.add_user("Sara Sessionsson", "kvalitetsutvecklare", None, actor=admin)
    site.users["sessions"] = ("Sara Sessionsson", "kvalitetsutvecklare", None)
    site.tokens["sessions"] = new.token
    c = signed_in(site, "sessions")
    assert c.get("/rapporter").status_code == 200
    assert c.get("/api/me").status_code == 200  # the cookie works for the API too
    ws.rotate_token("Sara Sessionsson", actor=admin)
    r = c.get("/rapporter")
    assert r.status_code == 303 and r.headers["location"].startswith("/logga-in")
    assert c.get("/api/me").status_code == 401


def test_an_insats_gets_its_development_area_from_the_form(site):
    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    rep = ws.create_report("Kvalitetsrapport med områden", "kvalitetsrapport", 2025, None, rektor)
    c = signed_in(site, "rektor")
    token = csrf_of(c.get(f"/rapporter/{rep.id}").text)
    r = c.post(f"/rapporter/{rep.id}/aktiviteter", data={
        "csrf_token": token, "activity": "Införa digitala läromedel", "area": "IT", "responsible": "IT-samordnare",
        "committee": "BoU"})
    assert r.status_code == 303
    page = c.get(f"/rapporter/{rep.id}").text
    assert "<dt>Utvecklingsområde</dt><dd>IT</dd>" in page
    assert ws.get_report(rep.id, rektor).items[0].area == "IT"
    md = ws.render(rep.id, "md", rektor)
    assert "## 1. Insatser inom ramen för utvecklingsområdet IT" in md
    assert "### Ansvar\n\nIT-samordnare" in md and "Nämnd: BoU" in md
    too_long = c.post(f"/rapporter/{rep.id}/aktiviteter", data={"csrf_token": token, "activity": "X", "area": "Å" * 201})
    assert too_long.status_code == 422 and "Högst 200 tecken" in too_long.text


def test_waiting_for_me_and_the_change_log_follow_the_user_s_rights(site):
    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    empty = ws.create_report("Väntar på utkast", "aktivitetsuppfoljning", 2025, None, rektor)
    ws.add_item(empty.id, {"activity": "Läsfrämjande insats"}, rektor)
    drafted, _item, _sgs = seeded_report(site, "Väntar på granskning")
    r = signed_in(site, "rektor")
    mine = r.get("/rapporter", params={"visa": "vantar"}).text
    assert "Väntar på utkast" in mine and "Väntar på granskning" not in mine  # the rektor drafts, others review
    g = signed_in(site, "granskare")
    theirs = g.get("/rapporter", params={"visa": "vantar"}).text
    assert "Väntar på granskning" in theirs and "Väntar på utkast" not in theirs
    assert 'aria-current="page">Väntar på mig' in theirs
    log = r.get(f"/rapporter/{drafted.id}/andringar")
    assert log.status_code == 200 and "Skapade utkast" in log.text and "Skapade rapporten" in log.text
    # the suggestions' texts cite their sources by number, as the report page does
    assert "Lade in ett förslag" in log.text and "[p_" not in log.text and re.search(r"\[\d+\]", log.text)
    assert signed_in(site, "rektor2").get(f"/rapporter/{drafted.id}/andringar").status_code == 403
    # publishing needs a reviewer: the rektor gets no confirmation page and cannot post it
    assert r.get(f"/rapporter/{drafted.id}/publicera").status_code == 403
    token = csrf_of(r.get(f"/rapporter/{drafted.id}").text)
    assert r.post(f"/rapporter/{drafted.id}/publicera", data={"csrf_token": token}).status_code == 403
    # with suggestions still waiting the reviewer's confirmation page says so and offers no button
    page = g.get(f"/rapporter/{drafted.id}/publicera").text
    assert "väntar på granskning" in page and "Ja, publicera rapporten" not in page


def test_api_docs_page_is_served_by_the_web_layer_from_local_files(site):
    r = httpx.get(f"{site.base}/docs", timeout=30)
    assert r.status_code == 200
    assert 'data-openapi-url="/openapi.json"' in r.text and "<title>Kvalitet – API-dokumentation</title>" in r.text
    js = re.search(r'src="(/static/api-docs\.js\?v=[0-9a-f]{10})"', r.text)
    assert js and httpx.get(site.base + js.group(1), timeout=30).status_code == 200
    bundle = httpx.get(f"{site.base}/docs/assets/swagger-ui-bundle.js", timeout=30)
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    redoc = httpx.get(f"{site.base}/redoc", timeout=30)
    assert redoc.status_code == 307 and redoc.headers["location"] == "/docs"
    assert "/docs" not in httpx.get(f"{site.base}/openapi.json", timeout=30).json()["paths"]


def test_a_section_with_nothing_relevant_shows_its_notice_and_stores_nothing(site):
    """Issue 16: a section whose evidence is not about the activity gets a notice on the page,
    never a suggestion that a reviewer could accept."""
    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    rep = ws.create_report("Utkast med notiser", "kvalitetsrapport", 2025, None, rektor)
    item = ws.add_item(rep.id, {"activity": "Utveckla samarbetet med universitet och högskola kring "
                                            "verksamhetsförlagd utbildning"}, rektor)
    c = signed_in(site, "rektor")
    page = c.get(f"/rapporter/{rep.id}")
    r = c.post(f"/rapporter/{rep.id}/aktiviteter/{item.id}/utkast", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200, r.text[:300]
    assert "fick inget förslag" in r.text and "Inget förslag: Kvalitet hittade ingen kostnadspost" in r.text
    again = c.get(f"/rapporter/{rep.id}")  # kept with the activity: a reload still says why
    assert "Inget förslag: Kvalitet hittade ingen kostnadspost" in again.text
    # the judgement can miss what the documents say in other words: the page offers the search
    assert "/sok?q=Utveckla+samarbetet+med+universitet" in again.text and "Sök själv i tidigare års dokument" in again.text
    view = ws.get_report(rep.id, rektor)
    kinds = {sec.kind for it in view.items for sec in it.sections}
    assert "kostnader" not in kinds  # nothing stored for it, so nothing can be accepted
    # the API says the same
    r = httpx.post(f"{site.base}/api/reports/{rep.id}/items/{item.id}/draft", json={"sections": ["kostnader"]},
                   headers=bearer(site, "rektor"), timeout=60)
    assert r.status_code == 201 and r.json()["suggestions"] == []
    assert r.json()["notices"]["kostnader"].startswith("Inget förslag:")


def test_the_report_page_counts_sections_without_text_as_not_reviewed(site):
    """Every suggestion accepted, but some sections got only a notice (no text): the page must
    not say "Alla … avsnitt är granskade"; it counts every section of every activity, says how
    many have no text, and the API's progress, the publish page and the export agree."""
    ws = site.svc.workspace
    rektor = ws.authenticate(site.tokens["rektor"])
    granskare = ws.authenticate(site.tokens["granskare"])
    rep = ws.create_report("Allt godkänt men inte allt skrivet", "kvalitetsrapport", 2025, None, rektor)
    item = ws.add_item(rep.id, {"activity": "Minska frånvaron i årskurs 7–9"}, rektor)
    notices: dict[str, str] = {}
    for sg in ws.draft_item(rep.id, item.id, None, rektor, notices=notices):
        ws.accept(sg.id, granskare, expected_version=sg.version)
    view = ws.get_report(rep.id, rektor)
    with_text = {sec.kind for sec in view.items[0].sections}
    empty = 4 - len(with_text)
    assert notices and empty == len(notices) >= 1, notices  # the fixture corpus has no costs for it
    g = signed_in(site, "granskare")
    page = g.get(f"/rapporter/{rep.id}").text
    progress = " ".join(re.search(r'<p class="framsteg-text">(.*?)</p>', page, re.S).group(1).split())
    progress = re.sub(r"<[^>]+>", "", progress)
    assert "Alla" not in progress and "Allt är granskat" not in page
    assert progress.startswith(f"{len(with_text)} av 4 avsnitt är granskade.") and f"{empty} avsnitt saknar text" in progress
    assert "förslag väntar" not in progress  # nothing waits
    assert f"Inget väntar på granskning, men {empty} avsnitt saknar text." in page
    api = httpx.get(f"{site.base}/api/reports/{rep.id}", headers=bearer(site, "granskare"), timeout=30).json()
    assert api["progress"]["total"] == 4 and api["progress"]["sections"] == {"reviewed": len(with_text), "empty": empty}
    assert api["progress"]["all_reviewed"] is False and api["progress"]["ready_to_publish"] is True
    confirm = g.get(f"/rapporter/{rep.id}/publicera").text
    assert f"{empty} avsnitt saknar text" in confirm and "Ja, publicera rapporten" in confirm
    md = g.get(f"/rapporter/{rep.id}/exportera", params={"format": "md"}).text
    assert "Status: Ej färdiggranskad" in md and f"{empty} avsnitt saknar text" in md


def test_an_edit_without_markers_shows_no_removed_source_and_says_a_reviewer_wrote_it(site):
    """The reviewer rewrites a drafted suggestion without [n]: its page block is labelled as
    edited (not "Sammanställt direkt ur källorna"), lists no source and is not called grounded;
    the API returns no citations for it; the drafter's sources stay only under the old text."""
    rep, item, sgs = seeded_report(site, "Redigering utan källor")
    sg = next(s for s in sgs if s.citations and s.generator == "extractive")
    g = signed_in(site, "granskare")

    def block(page: str) -> str:
        start = page.index(f'id="forslag-{sg.id}"')
        return page[start:page.index("</article>", start)]

    page = g.get(f"/rapporter/{rep.id}").text
    c = sg.citations[0]
    source = source_text(c.source.path, c.source.page, c.source.line_start, c.source.line_end)
    before = block(page)
    assert "Sammanställt direkt ur källorna" in before and source in before
    r = g.post(f"/forslag/{sg.id}/redigera",
               data={"csrf_token": csrf_of(page), "version": str(sg.version), "text": "Granskarens egen text."})
    assert r.status_code == 303
    after = block(g.get(f"/rapporter/{rep.id}").text)
    current, _, history = after.partition('<details class="ursprung">')
    history, _, rest = history.partition("</details>")
    current += rest
    assert "Granskarens egen text." in current and "Redigerat av granskare" in current
    assert "direkt ur källorna" not in after
    assert source not in current and 'class="kallor"' not in current
    assert "Förslaget har inga källor." in current and "Förslaget stöds inte av källorna." in current
    assert source in history  # the drafter's text and sources are still there to compare
    api = httpx.get(f"{site.base}/api/suggestions/{sg.id}", headers=bearer(site, "granskare")).json()
    assert api["citations"] == [] and api["grounding"]["supported"] is False
    assert api["original_text"] == sg.text and api["original_citations"]

