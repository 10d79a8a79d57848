"""The document page of the web interface (/dokument/oversikt): the outline, the records by kind
and the warnings of one indexed document, as recognition made them, over real HTTP."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.helpers.site import USERS, add_users, make_corpus, serving, services_on

INDICATORS = (
    "Uppföljning nämndmål 2023\n\n"
    "Trygghet\n"
    "Verksamheterna ska arbeta för att alla elever känner sig trygga i skolan.\n\n"
    "Nämndmål\tIndikator\tUtfall\tMålnivå\tBedömning\tKommentar\n"
    "Trygga elever\tAndel elever som känner sig trygga\t84\t>80\tGrön\tEnkäten gjordes i mars.\n\n"
    "Ekonomi\n"
    "Läxhjälp 350 tkr\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("webdoc"), texts={
        "nammdmal-2023.txt": INDICATORS,
        "anteckningar.txt": "Anteckningar\n\nVi talade om frånvaro och trygghet.\n",
    })
    svc = services_on(corpus)
    with serving(svc, tokens=add_users(svc, {k: USERS[k] for k in ("admin", "rektor")})) as site:
        yield site


NAMES = {"admin": "Ada Admin", "rektor": "Rut Rektor"}


def client(site, key: str) -> httpx.Client:
    """A browser session signed in through the form (the web pages take cookies, not Bearer)."""
    c = httpx.Client(base_url=site.base, timeout=60)
    page = c.get("/logga-in")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)
    r = c.post("/logga-in", data={"name": NAMES[key], "token": site.tokens[key], "nasta": "/rapporter",
                                  "csrf_token": csrf})
    assert r.status_code == 303, r.text[:300]
    return c


def test_document_page_shows_outline_records_by_kind_and_facts(site):
    c = client(site, "admin")
    listing = c.get("/dokument")
    assert listing.status_code == 200
    assert 'href="/dokument/oversikt?path=nammdmal-2023.txt"' in listing.text
    r = c.get("/dokument/oversikt", params={"path": "nammdmal-2023.txt"})
    assert r.status_code == 200, r.text[:500]
    html = r.text
    assert "Uppföljning av verksamhetsplan" in html  # the kind, in Swedish
    assert re.search(r"<dt>År</dt><dd>2023 \(ur texten\)</dd>", html)
    # The outline: the headings, each linking to its line.
    assert "Uppföljning nämndmål 2023" in html and ">Trygghet</a>" in html
    # Records by kind, with Swedish field names and values.
    assert "Indikatorer (1)" in html and "Kostnader (1)" in html
    assert "<th scope=\"col\">Målnivå</th>" in html and "Andel elever som känner sig trygga" in html
    assert "&gt;80" in html and "Grön" in html and "350.0" in html
    assert "Inga anmärkningar." in html


def test_document_page_is_for_admins_and_says_when_a_document_is_missing(site):
    assert client(site, "rektor").get("/dokument/oversikt", params={"path": "nammdmal-2023.txt"}).status_code == 403
    missing = client(site, "admin").get("/dokument/oversikt", params={"path": "finns-inte.txt"})
    assert missing.status_code == 404 and "finns inte" in missing.text


def test_a_year_filter_says_how_many_documents_have_no_year(site):
    api = httpx.Client(base_url=site.base, timeout=60, headers={"Authorization": f"Bearer {site.tokens['admin']}"})
    filtered = api.get("/api/search", params={"q": "trygghet", "year": 2023})
    assert filtered.status_code == 200
    assert filtered.json()["documents_without_year"] == 1  # anteckningar.txt has no year
    assert all(h["year"] == 2023 for h in filtered.json()["hits"])
    unfiltered = api.get("/api/search", params={"q": "frånvaro trygghet"}).json()
    assert unfiltered["documents_without_year"] is None
    assert any(h["source"]["path"] == "anteckningar.txt" for h in unfiltered["hits"])  # never lost


def test_the_search_page_says_how_many_documents_a_year_filter_cannot_find(site):
    c = client(site, "admin")
    with_year = c.get("/sok", params={"q": "trygghet", "ar": "2023"})
    assert with_year.status_code == 200
    assert "1 dokument saknar årtal och kommer inte med när du väljer år" in with_year.text
    without = c.get("/sok", params={"q": "trygghet"})
    assert "saknar årtal" not in without.text
