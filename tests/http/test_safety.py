"""Safety over real HTTP: headers, CORS, the size guard, uploads (types, names, atomicity,
roles), the passage view, output escaping, personal-data masking, logs without secrets, and a
JSON 500."""

from __future__ import annotations

import io
import json
import logging
import shutil
import socket
import threading
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from kvalitet.app import create_app
from kvalitet.ingest.documents import safe_filename
from kvalitet.settings import Settings
from kvalitet.ops.logging import setup_logging
from kvalitet.ingest.readers import MEDIA_DOCX, MEDIA_HTML, MEDIA_MARKDOWN, MEDIA_PDF, MEDIA_TEXT
from kvalitet.container import Services
from tests.helpers.paths import REPO
from tests.helpers.server import running_server

SAMPLE = (REPO / "corpus" / "2019-uppfoljning-fjolarets-aktiviteter.txt").read_bytes()
LIMIT = 300_000


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("safety")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    settings = Settings(index_dir=root / "index", corpus_dir=corpus, embedder="hash", max_upload_bytes=LIMIT)
    svc = Services(settings)
    svc.ingest()
    tokens = {
        role: svc.workspace.add_user(f"Test {role}", role, unit="Böle skola" if role == "rektor" else None).token
        for role in ("admin", "rektor", "kvalitetsutvecklare", "granskare")
    }
    app = create_app(settings, services=svc)

    @app.get("/api/test-boom")
    def boom():  # a route that fails, to see what an unexpected error looks like
        raise RuntimeError("database said: Authorization: Bearer kv_leaked_secret_value_1234567890")

    @app.get("/api/test-log")
    def logs():  # a plain def: runs in the thread pool
        logging.getLogger("kvalitet.test").warning("inside a route")
        return {"ok": True}

    log = io.StringIO()
    with running_server(app) as base:
        setup_logging(settings, stream=log)  # after create_app: our handler writes here
        yield SimpleNamespace(base=base, svc=svc, settings=settings, tokens=tokens, corpus=corpus, root=root, log=log)
    svc.close()


def auth(world, role="admin") -> dict:
    return {"Authorization": f"Bearer {world.tokens[role]}"}


def passages(world) -> dict[str, str]:
    return {p.id: p.text for p in world.svc.db.all_passages()}


def files_outside_uploads(world) -> set[Path]:
    return {p for p in world.root.rglob("*") if p.is_file() and "uploads" not in p.parts and "index" not in p.parts}


def upload(world, name, data: bytes, role="admin", **params) -> httpx.Response:
    return httpx.post(f"{world.base}/api/documents", files={"file": (name, data)}, headers=auth(world, role),
                      params=params, timeout=60)


def raw_multipart(filename: bytes, data: bytes) -> tuple[bytes, dict]:
    """A multipart body with the file name bytes exactly as given (clients escape; attackers don't)."""
    b = b"kvalitetBOUNDARYx9"
    body = (b"--" + b + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n--" + b + b"--\r\n")
    return body, {"Content-Type": f"multipart/form-data; boundary={b.decode()}"}


# --------------------------------------------------------------------------------------------
# Headers, CORS, request ids
# --------------------------------------------------------------------------------------------

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_security_headers(r: httpx.Response, api: bool) -> None:
    for k, v in SECURITY_HEADERS.items():
        assert r.headers.get(k) == v, (r.request.url, k, r.headers.get(k))
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "script-src 'self';" in csp
    assert "camera=()" in r.headers["permissions-policy"]
    assert len(r.headers["x-request-id"]) >= 8
    if api:
        assert r.headers["cache-control"] == "no-store"


def test_security_headers_on_every_kind_of_response(world):
    b = world.base
    cases = [
        (httpx.get(f"{b}/healthz"), 200, False),
        (httpx.get(f"{b}/api/search", params={"q": "rektor"}, headers=auth(world)), 200, True),
        (httpx.get(f"{b}/api/search", params={"q": "rektor"}), None, True),  # whatever auth says
        (httpx.get(f"{b}/api/documents"), 401, True),
        (httpx.get(f"{b}/api/no-such-thing"), 404, True),
        (httpx.get(f"{b}/api/search", headers=auth(world)), 422, True),
        (httpx.get(f"{b}/api/test-boom"), 500, True),
    ]
    for r, status, api in cases:
        if status is not None:
            assert r.status_code == status, (r.request.url, r.status_code, r.text)
        assert_security_headers(r, api)
    docs = httpx.get(f"{b}/docs")
    assert docs.status_code == 200 and "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert docs.headers["cache-control"] == "no-store"  # pages too, not only the API


def test_framework_errors_have_our_error_shape(world):
    r = httpx.get(f"{world.base}/api/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = httpx.delete(f"{world.base}/healthz")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.headers["allow"]  # the handler keeps the exception's headers
    r = httpx.post(f"{world.base}/api/documents", content=b"--x\r\nbroken", headers={
        **auth(world), "Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code in (400, 422) and r.json()["error"]["code"] in ("bad_request", "invalid_input")


def test_request_id_is_echoed_only_when_harmless(world):
    r = httpx.get(f"{world.base}/healthz", headers={"X-Request-ID": "abc-123_def.456"})
    assert r.headers["x-request-id"] == "abc-123_def.456"
    r = httpx.get(f"{world.base}/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert r.headers["x-request-id"] != "<script>alert(1)</script>" and "<" not in r.headers["x-request-id"]


def test_cors_is_closed_by_default_and_opens_only_to_configured_origins(world):
    pre = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET",
           "Access-Control-Request-Headers": "authorization"}
    r = httpx.options(f"{world.base}/api/search", headers=pre)
    assert "access-control-allow-origin" not in r.headers and r.status_code >= 400
    r = httpx.get(f"{world.base}/api/search", params={"q": "rektor"}, headers={**auth(world), "Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers

    settings = world.settings.model_copy(update={"cors_origins": ["https://intranat.kommun.se"]})
    app = create_app(settings, services=world.svc)
    with running_server(app) as base:
        ok = httpx.options(f"{base}/api/search", headers={**pre, "Origin": "https://intranat.kommun.se"})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "https://intranat.kommun.se"
        bad = httpx.options(f"{base}/api/search", headers=pre)
        assert "access-control-allow-origin" not in bad.headers


# --------------------------------------------------------------------------------------------
# The size guard
# --------------------------------------------------------------------------------------------


def _raw_request(base: str, head: bytes, body_chunks=(), timeout=5.0) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(head)
        for chunk in body_chunks:
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        data = b""
        try:
            while b"\r\n\r\n" not in data or len(data) < 200:
                got = s.recv(65536)
                if not got:
                    break
                data += got
        except (ConnectionResetError, socket.timeout):
            pass
        return data


def test_declared_oversize_body_is_refused_before_it_is_read(world):
    """Content-Length says 1 GB and not a byte of body follows: a server that read the body
    first would wait; ours answers 413 at once."""
    head = (b"POST /api/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + world.tokens["admin"].encode()
            + b"\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 1000000000\r\n\r\n")
    answer = _raw_request(world.base, head, timeout=5)
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status_line, answer[:300]
    head_text, body_bytes = rest.split(b"\r\n\r\n", 1)
    headers = dict(line.decode().lower().split(": ", 1) for line in head_text.split(b"\r\n"))
    for k, v in SECURITY_HEADERS.items():
        assert headers[k] == v.lower()
    assert headers["cache-control"] == "no-store" and headers["connection"] == "close"
    body = json.loads(body_bytes.decode())
    assert body["error"]["code"] == "file_too_large"
    assert "för stor" in body["error"]["message"] and "too large" in body["error"]["message"]


def test_chunked_oversize_body_is_cut_off_while_streaming(world):
    before = passages(world)
    uploads_before = set((world.corpus / "uploads").glob("*")) if (world.corpus / "uploads").exists() else set()

    def body():
        yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="stor.txt"\r\n\r\n'
        for _ in range(LIMIT // 10_000 + 20):  # well past the limit, never announced
            yield b"Uppf\xc3\xb6ljning " * 1000
        yield b"\r\n--B--\r\n"

    r = httpx.post(f"{world.base}/api/documents", content=body(),
                   headers={**auth(world), "Content-Type": "multipart/form-data; boundary=B"}, timeout=30)
    assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large"
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert passages(world) == before
    uploads_after = set((world.corpus / "uploads").glob("*")) if (world.corpus / "uploads").exists() else set()
    assert uploads_after == uploads_before


def test_a_file_just_under_the_limit_is_accepted_and_just_over_is_not(world):
    para = "Uppföljning av aktiviteten visar att arbetet pågår enligt plan. " * 80 + "\n\n"
    text = ("Uppföljning av verksamhetsplan\n\n" + para * 100).encode("utf-8")
    under = text[: LIMIT - 1000]
    over = text[: LIMIT + 10]
    r = upload(world, "nastan-for-stor.txt", under)
    assert r.status_code == 201, r.text
    r = upload(world, "for-stor.txt", over)  # within the form margin, caught by the route
    assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large"
    assert not (world.corpus / "uploads" / "for-stor.txt").exists()


# --------------------------------------------------------------------------------------------
# Uploads
# --------------------------------------------------------------------------------------------


def test_upload_needs_an_admin(world):
    r = httpx.post(f"{world.base}/api/documents", files={"file": ("a.txt", SAMPLE)})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    for role in ("rektor", "kvalitetsutvecklare", "granskare"):
        r = upload(world, "a.txt", SAMPLE, role=role)
        assert r.status_code == 403, role
    assert not (world.corpus / "uploads" / "a.txt").exists()


def test_upload_reports_what_was_recognised_and_lists_it(world):
    text = SAMPLE + "\nEn rad som lagts till i en ny version.\n".encode()
    r = upload(world, "aktiviteter-2019.txt", SAMPLE)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "indexed" and out["path"] == "uploads/aktiviteter-2019.txt"
    assert out["doc_kind"] == "aktivitetsuppfoljning" and out["year"] == 2019
    assert out["media_type"] == MEDIA_TEXT and out["records"] > 10
    assert out["sections"].get("analys", 0) >= 5 and out["sections"].get("uppfoljning", 0) >= 5
    assert out["pii"] == ["namn"]
    assert (world.corpus / "uploads" / "aktiviteter-2019.txt").read_bytes() == SAMPLE
    again = upload(world, "aktiviteter-2019.txt", SAMPLE)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    conflict = upload(world, "aktiviteter-2019.txt", text)
    assert conflict.status_code == 409 and "replace=true" in conflict.json()["error"]["message"]
    listed = httpx.get(f"{world.base}/api/documents", headers=auth(world, "granskare")).json()["documents"]
    row = next(d for d in listed if d["path"] == "uploads/aktiviteter-2019.txt")
    assert row["doc_kind"] == "aktivitetsuppfoljning" and row["year"] == 2019 and row["passages"] == out["passages"]
    assert {d["path"] for d in listed} >= {"2019-uppfoljning-verksamhetsplan.txt", "2015-plan-mal-och-resultatuppfoljning.txt"}


def test_type_comes_from_the_content_not_the_name(world):
    import docx

    d = docx.Document()
    for para in SAMPLE.decode("utf-8").split("\n\n"):
        d.add_paragraph(para.replace("\n", " ").strip())
    buf = io.BytesIO()
    d.save(buf)
    r = upload(world, "kvalitet.txt", buf.getvalue())  # a DOCX that claims to be text
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == MEDIA_DOCX and r.json()["filename"] == "kvalitet.docx"
    assert r.json()["doc_kind"] == "aktivitetsuppfoljning"

    before = passages(world)
    for name, data, status in [
        ("rapport.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, 415),  # an image
        ("rapport.docx", b"MZ\x90\x00\x03" + b"\x00" * 200, 415),  # a Windows program
        ("rapport.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, 415),  # old Word
        ("tom.txt", b"", 422),
        ("trasig.pdf", b"%PDF-1.4\n1 0 obj garbage", 422),
    ]:
        r = upload(world, name, data)
        assert r.status_code == status, (name, r.status_code, r.text)
        assert r.json()["error"]["message"]
    assert passages(world) == before  # nothing indexed, nothing lost
    left = {p.name for p in (world.corpus / "uploads").iterdir()}
    assert not left & {"rapport.pdf", "rapport.docx", "rapport.doc", "tom.txt", "trasig.pdf"}
    assert not [n for n in left if n.startswith(".upload-")]  # no temp files left behind


@pytest.mark.parametrize(
    "raw, media, expected",
    [
        ("../../etc/passwd", MEDIA_TEXT, "passwd.txt"),
        ("/etc/cron.d/evil", MEDIA_TEXT, "evil.txt"),
        ("..\\..\\Windows\\win.ini", MEDIA_TEXT, "win.txt"),
        ("C:\\Users\\rektor\\Kvalitetsrapport 2020.pdf", MEDIA_PDF, "Kvalitetsrapport 2020.pdf"),
        ("\\\\server\\share\\uppföljning.docx", MEDIA_DOCX, "uppföljning.docx"),
        ("rapp\x00ort.txt", MEDIA_TEXT, "rapport.txt"),
        ("rad\r\nbrytning.md", MEDIA_MARKDOWN, "radbrytning.md"),
        ("..", MEDIA_TEXT, "dokument.txt"),
        (".hemlig.txt", MEDIA_TEXT, "hemlig.txt"),
        ("", MEDIA_TEXT, "dokument.txt"),
        (None, MEDIA_PDF, "dokument.pdf"),
        ("CON.txt", MEDIA_TEXT, "CON-dokument.txt"),
        ("README.md", MEDIA_MARKDOWN, "README-dokument.md"),
        ("rapport <script>.html", MEDIA_HTML, "rapport _script_.html"),
        ("bild.png", MEDIA_PDF, "bild.pdf"),
        ("rapport.pdf.exe", MEDIA_TEXT, "rapport.pdf.txt"),
        ("Skäggetorpsskolans kvalitetsrapport.htm", MEDIA_HTML, "Skäggetorpsskolans kvalitetsrapport.htm"),
    ],
)
def test_file_names_are_neutralised(raw, media, expected):
    assert safe_filename(raw, media) == expected


def test_overlong_and_unicode_trick_names_stay_short_and_plain():
    name = safe_filename("å" * 300 + ".txt", MEDIA_TEXT)
    assert len(name.encode("utf-8")) <= 130 and name.endswith(".txt") and "/" not in name
    assert safe_filename("rapport\u202etxt.exe", MEDIA_TEXT) == "rapporttxt.txt"  # right-to-left override


@pytest.mark.parametrize("raw", [b"../../../../tmp/kv-escape.txt", b"..\\..\\kv-escape.txt", b"/tmp/kv-escape.txt",
                                 b"kv-esc\x00ape.txt", b"uploads/../../kv-escape.txt"])
def test_hostile_names_over_http_never_leave_the_uploads_folder(world, raw):
    outside_before = files_outside_uploads(world)
    body, headers = raw_multipart(raw, SAMPLE.replace(b"Martin", b"Mattias " + raw.replace(b"\x00", b"")))
    r = httpx.post(f"{world.base}/api/documents", content=body, headers={**auth(world), **headers},
                   params={"replace": "true"}, timeout=60)
    assert r.status_code in (200, 201), r.text
    stored = world.corpus / r.json()["path"]
    assert stored.parent == world.corpus / "uploads" and stored.is_file()
    assert "\x00" not in stored.name and ".." not in stored.name
    assert files_outside_uploads(world) == outside_before
    assert not Path("/tmp/kv-escape.txt").exists()


def test_a_failed_replacement_keeps_the_indexed_version(world):
    r = upload(world, "ersatt-mig.txt", SAMPLE)
    assert r.status_code == 201
    before = passages(world)
    n_before = world.svc.index.vectors.count()
    bad = upload(world, "ersatt-mig.txt", b"\xff\xfe\x00\x00garbage\x00" * 10, replace="true")
    assert bad.status_code in (415, 422)
    bad = upload(world, "ersatt-mig.txt", b"%PDF-1.7\n%broken beyond repair", replace="true")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unreadable_file"
    assert passages(world) == before and world.svc.index.vectors.count() == n_before
    assert (world.corpus / "uploads" / "ersatt-mig.txt").read_bytes() == SAMPLE


def test_parallel_uploads_serialise_and_all_arrive(world):
    before = len(passages(world))
    results = []

    def go(i):
        text = SAMPLE.replace(b"Karl Brunn", f"Karl Brunn {i}".encode())
        results.append(upload(world, f"parallell-{i}.txt", text).status_code)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] * 4
    after = passages(world)
    assert len(after) > before
    assert world.svc.index.vectors.count() == len(after)


# --------------------------------------------------------------------------------------------
# The passage in its document, and output escaping
# --------------------------------------------------------------------------------------------

HOSTILE = (
    b"Uppf\xc3\xb6ljning av fj\xc3\xb6l\xc3\xa5rets planerade aktiviteter\n\n1. Uppdrag/Aktivitet\n\n"
    b"Skydda webbgr\xc3\xa4nssnittet mot skript.\n\nUppf\xc3\xb6ljning\n\n"
    b"Testet &lt;script&gt;alert(1)&lt;/script&gt; visade att skriptinjektion stoppas i rapporten.\n"
    b"Raden <script>alert(2)</script> med r\xc3\xa5 tagg och <img src=x onerror=alert(3)> bild.\n\n"
    b"Analys\n\nSkriptinjektion kr\xc3\xa4ver att all text escapas innan den visas.\n"
)


def test_script_in_a_document_comes_back_as_data_never_as_markup(world):
    r = upload(world, "skript.txt", HOSTILE)
    assert r.status_code == 201, r.text
    r = httpx.get(f"{world.base}/api/search", params={"q": "skriptinjektion script alert", "k": 5}, headers=auth(world))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    hits = [h for h in r.json()["hits"] if h["source"]["path"] == "uploads/skript.txt"]
    assert hits
    with_script = [h for h in hits if "<script>alert(1)</script>" in h["text"]]
    assert with_script, "the literal script text should survive as data"  # precondition
    for h in hits:
        unmarked = h["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert set(unmarked) & set("<>") == set()  # every angle bracket of the text is escaped
        if "<script>" in h["text"]:
            assert "&lt;script&gt;" in unmarked

    pid = with_script[0]["id"]
    view = httpx.get(f"{world.base}/api/documents/uploads/skript.txt/passages",
                     params={"passage": pid, "context": 3, "format": "html"}, headers=auth(world))
    assert view.status_code == 200 and view.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in view.headers["content-security-policy"]
    page = view.text
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and "&amp;lt;script&amp;gt;" in page
    as_json = httpx.get(f"{world.base}/api/documents/uploads/skript.txt/passages",
                        params={"passage": pid, "context": 3}, headers=auth(world)).json()
    assert any("<script>alert(2)</script>" in ln["text"] for ln in as_json["lines"])  # JSON: the text as is


def test_passage_view_gives_numbered_lines_around_the_passage(world):
    p = next(p for p in world.svc.db.all_passages()
             if p.doc_path == "2019-uppfoljning-fjolarets-aktiviteter.txt" and "Susanne Wadell" in p.text)
    r = httpx.get(f"{world.base}/api/documents/{p.doc_path}/passages", params={"passage": p.id, "context": 2},
                  headers=auth(world, "rektor"))
    assert r.status_code == 200, r.text
    out = r.json()
    numbers = [ln["number"] for ln in out["lines"]]
    assert numbers == list(range(p.line_start - 2, p.line_end + 3))
    inside = [ln for ln in out["lines"] if ln["in_passage"]]
    assert [ln["number"] for ln in inside] == list(range(p.line_start, p.line_end + 1))
    assert any("Susanne Wadell" in ln["text"] for ln in inside)
    assert out["changed_since_ingest"] is False
    by_line = httpx.get(f"{world.base}/api/documents/{p.doc_path}/passages", params={"line": 3, "context": 1},
                        headers=auth(world)).json()
    assert [ln["number"] for ln in by_line["lines"]] == [2, 3, 4]


@pytest.mark.parametrize("path", [
    "/api/documents/../../etc/passwd/passages",
    "/api/documents/%2e%2e/%2e%2e/etc/passwd/passages",
    "/api/documents//etc/passwd/passages",
    "/api/documents/ingen-sadan.txt/passages",
])
def test_passage_view_serves_only_catalogued_documents(world, path):
    r = httpx.get(world.base + path, params={"line": 1}, headers=auth(world))
    assert r.status_code == 404, (path, r.status_code, r.text[:200])
    assert "root:" not in r.text


def test_passage_of_another_document_is_not_found(world):
    other = next(p for p in world.svc.db.all_passages() if p.doc_path == "2019-uppfoljning-verksamhetsplan.txt")
    r = httpx.get(f"{world.base}/api/documents/2015-plan-mal-och-resultatuppfoljning.txt/passages",
                  params={"passage": other.id}, headers=auth(world))
    assert r.status_code == 404


def test_masking_hides_names_in_search_and_in_the_passage_view(world):
    q = {"q": "Martin Eriksson vuxenutbildningen struktur", "k": 3}
    plain = httpx.get(f"{world.base}/api/search", params=q, headers=auth(world)).json()["hits"]
    assert any("Martin Eriksson" in h["text"] for h in plain)  # precondition: names are there
    settings = world.settings.model_copy(update={"mask_personal_data": True})
    masked_svc = Services(settings)  # the same index, read with masking on
    with running_server(create_app(settings, services=masked_svc)) as base:
        hits = httpx.get(f"{base}/api/search", params=q, headers=auth(world)).json()["hits"]
        named = [h for h in hits if "namn" in h["pii"]]
        assert named
        for h in hits:
            for part in ("Martin", "Eriksson", "Brunn"):  # also in the highlighted snippet
                assert part not in h["text"] and part not in h["snippet"], (part, h["snippet"])
        assert "[namn]" in named[0]["text"]
        p = next(p for p in world.svc.db.all_passages()
                 if p.doc_path == "2019-uppfoljning-fjolarets-aktiviteter.txt" and "Martin Eriksson" in p.text)
        view = httpx.get(f"{base}/api/documents/{p.doc_path}/passages", params={"passage": p.id},
                         headers=auth(world)).json()
        text = "\n".join(ln["text"] for ln in view["lines"])
        assert "Martin Eriksson" not in text and "[namn]" in text
    masked_svc.close()


# --------------------------------------------------------------------------------------------
# Logs and errors
# --------------------------------------------------------------------------------------------


def test_logs_are_json_and_hold_no_secrets(world):
    token = world.tokens["kvalitetsutvecklare"]
    setup_logging(world.settings, stream=world.log)  # other tests' apps installed their own handler
    world.log.seek(0)
    world.log.truncate()
    httpx.get(f"{world.base}/api/search", params={"q": "rektor 850412-1230", "token": "qs-secret-123456"},
              headers={"Authorization": f"Bearer {token}", "Cookie": "session=cookie-secret-987654"})
    httpx.get(f"{world.base}/api/documents", headers={"Authorization": f"Bearer {token}"})
    httpx.get(f"{world.base}/api/documents", headers={"Authorization": "Bearer kv_000000000000_wrongwrongwrongwrongwrong"})
    httpx.get(f"{world.base}/api/test-boom", headers={"Authorization": f"Bearer {token}"})
    logging.getLogger("kvalitet.test").warning("calling out with api_key=sk-abcdefghijklmnopqrstuvwx and %s", token)
    text = world.log.getvalue()
    # kv_<id>_<secret>: the secret part whole (token_urlsafe may itself hold "_", so never the
    # last "_" piece, which can be one letter and found anywhere in the log)
    for secret in (token, token.split("_", 2)[2], "qs-secret-123456", "cookie-secret-987654", "850412-1230",
                   "kv_leaked_secret_value_1234567890", "sk-abcdefghijklmnopqrstuvwx", "wrongwrongwrong"):
        assert secret not in text, secret
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    access = [r for r in records if r["logger"] == "kvalitet.access"]
    search = next(r for r in access if r["path"] == "/api/search")
    assert search["method"] == "GET" and search["status"] == 200 and search["ms"] >= 0
    assert len(search["request_id"]) >= 8
    assert "q=" not in json.dumps(search) and "?" not in search["path"]
    docs = [r for r in access if r["path"] == "/api/documents"]
    assert [r["status"] for r in docs] == [200, 401]
    assert docs[0]["user"] is not None and "Test" not in docs[0]["user"]  # the user's id, not a name
    assert docs[1]["user"] is None
    boom = next(r for r in records if r["logger"] == "kvalitet.api" and r["message"] == "unhandled error")
    assert "RuntimeError" in boom["exception"] and "[REDACTED]" in boom["exception"]
    assert not [r for r in records if r["logger"] == "uvicorn.access"]


def test_log_lines_written_while_serving_a_request_carry_its_id(world):
    setup_logging(world.settings, stream=world.log)
    world.log.seek(0)
    world.log.truncate()
    r = httpx.get(f"{world.base}/api/test-log", headers={"X-Request-ID": "logtrace-123456"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "logtrace-123456"
    records = [json.loads(line) for line in world.log.getvalue().splitlines() if line.strip()]
    inside = [rec for rec in records if rec["message"] == "inside a route"]
    assert inside and inside[0]["request_id"] == "logtrace-123456"
    logging.getLogger("kvalitet.test").warning("outside any request")
    outside = json.loads(world.log.getvalue().splitlines()[-1])
    assert outside["message"] == "outside any request" and "request_id" not in outside


def test_an_unexpected_error_is_a_json_500_with_a_request_id(world):
    r = httpx.get(f"{world.base}/api/test-boom", headers={"X-Request-ID": "felsok-123456"})
    assert r.status_code == 500
    err = r.json()["error"]
    assert err["code"] == "internal_error" and err["request_id"] == "felsok-123456"
    assert "Bearer" not in r.text and "database said" not in r.text  # no internals to the client


def test_health_and_readiness(world):
    assert httpx.get(f"{world.base}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{world.base}/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    assert ready.json()["checks"]["index"]["passages"] == world.svc.index.vectors.count()
