"""The web pages: sign-in, search, a passage in its document, activity history, reports and
their review, documents (admin).

Every page is rendered on the server and works without JavaScript (forms post here and are
answered with a redirect, POST-redirect-GET); app.js enhances the report page (review and drafts
through the JSON API without a reload, the chat, citations in a side panel). Every permission
decision is the workspace's; this module only turns its answers into pages. Errors become a page
in Swedish with the right status (403, 404, 409 …), never a JSON body on a web page.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from kvalitet.storage.db import DocumentRow, PassageRow
from kvalitet.ingest.readers.base import (
    MEDIA_CSV, MEDIA_DOCX, MEDIA_HTML, MEDIA_MARKDOWN, MEDIA_PDF, MEDIA_TEXT, MEDIA_XLSX, SUPPORTED_SUFFIXES,
)
from kvalitet.errors import Conflict, Forbidden, InvalidInput, KvalitetError, NotFound, Unauthorized
from kvalitet.domain.types import PERSPECTIVES, STATUSES, SearchFilters
from kvalitet.workspace.auth import User, can_review, can_write, token_id_of
from kvalitet.workspace.views import KIND_LABELS, ItemIn, report_sections
from kvalitet.web import views
from kvalitet.pii import shown
from kvalitet.workspace.throttle import client_address, throttle_of
from kvalitet.web.session import (
    SessionStore,
    CSRF_MESSAGE,
    CsrfError,
    Session,
    SessionExpired,
    manager,
    new_session,
    require_csrf,
    with_flash,
)

log = logging.getLogger("kvalitet.web")

# One-shot messages after a redirect: (level, text). Only codes travel in the cookie.
FLASH: dict[str, tuple[str, str]] = {
    "utloggad": ("info", "Du är utloggad."),
    "utgangen": ("fel", "Du hann bli utloggad, så det du skickade sparades inte. Logga in och gör om det."),
    "rapport_skapad": ("ok", "Rapporten är skapad. Lägg till en aktivitet för att komma igång."),
    "aktivitet_tillagd": ("ok", "Aktiviteten är tillagd. Tryck på ”Skapa utkast” för att få förslag till texter."),
    "utkast_klart": ("ok", "Utkastet är klart. Förslagen väntar på granskning."),
    "utkast_tomt": ("info", "Det fanns inget underlag i tidigare års dokument för den här aktiviteten."),
    "godkant": ("ok", "Förslaget är godkänt."),
    "avvisat": ("ok", "Förslaget är avvisat."),
    "redigerat": ("ok", "Din ändring är sparad."),
    "konflikt": ("fel", "Någon annan har ändrat förslaget – ladda om sidan och gör om din ändring."),
    "publicerad": ("fel", "Rapporten är publicerad och kan inte ändras."),
    "utkast_alla": ("ok", "Utkast skapas nu för alla aktiviteter i bakgrunden. Förloppet visas nedan."),
    "utkast_alla_pagar": ("info", "Utkast skapas redan för den här rapporten. Förloppet visas nedan."),
    "publicerad_ok": ("ok", "Rapporten är publicerad. Den ligger nu bland tidigare års dokument och går att "
                            "söka i och hänvisa till."),
    "oppnad_igen": ("ok", "Rapporten är öppnad igen och kan ändras. Publicera den på nytt när den är granskad."),
    "nasta_ar": ("ok", "Nästa års rapport är skapad med de aktiviteter som inte blev klara, markerade "
                       "”Kvarstår från” förra året och kopplade till sin historik."),
}
CONFLICT_TEXT = FLASH["konflikt"][1]
KIND_HELP = {
    "verksamhetsplan_uppfoljning": "Aktiviteterna i verksamhetsplanen med status, slutdatum och kommentar.",
    "aktivitetsuppfoljning": "Uppföljning och analys av förra årets uppdrag och aktiviteter.",
    "kvalitetsrapport": "Insatser med mål, ansvar, uppföljning, risker och kostnader.",
}
SEARCH_K = 20
MAX_ID = 2**63 - 1  # beyond it the database cannot look an id up (an error page, not a 500)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_CONTEXT = 50
_SAFE_NEXT = re.compile(r"^/(?![/\\])[^\s]*$")


def text_params(source: Callable[..., Any], limits: dict[str, int]) -> Callable[..., Awaitable[dict[str, str]]]:
    """A dependency that reads a request's text parameters as the route's own parameters would be
    read (`source` is Query or Form): {name: value}, "" for one not sent; one longer than
    limits[name] characters is a RequestValidationError (the 422 page)."""

    async def read(**values: str) -> dict[str, str]:
        return values

    read.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=source("", max_length=n), annotation=str)
        for k, n in limits.items()])
    return read


class LoginRequired(Exception):
    """No valid session: the route class answers with a redirect to the sign-in page."""


# ==== messages ===============================================================================
def swedish(message: str) -> str:
    """The Swedish half of a bilingual message (errors carry it as `KvalitetError.sv`)."""
    from kvalitet.errors import split_bilingual

    return split_bilingual(message)[0]


ERROR_TITLES = {
    400: "Något blev fel",
    401: "Du behöver logga in",
    403: "Du har inte behörighet",
    404: "Sidan finns inte",
    409: "Det gick inte att spara",
    413: "Filen är för stor",
    415: "Filtypen kan inte läsas",
    422: "Uppgifterna gick inte att använda",
    429: "För många försök",
    500: "Ett fel uppstod",
    503: "Tjänsten är inte tillgänglig just nu",
}
ERROR_HELP = {
    403: "Sidan hör till en enhet eller en roll som ditt konto inte har. Rektorer ser sina egna enheters "
         "rapporter; granskare och kvalitetsutvecklare ser alla. Kontakta din administratör om du behöver tillgång.",
    404: "Kontrollera adressen, eller gå tillbaka till rapportlistan.",
}


# ==== the route class: errors as pages ======================================================
class WebRoute(APIRoute):
    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route_handler(request: Request):
            try:
                return await handler(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.method != "GET":
                    target = "/"
                return RedirectResponse("/logga-in?" + urlencode({"nasta": target}), status_code=303)
            except SessionExpired:
                response = RedirectResponse("/logga-in", status_code=303)
                manager(request).write(response, with_flash(new_session(None), "utgangen"))
                return response
            except RequestValidationError:
                return await error_page(request, 422, "Sidan fick uppgifter den inte kunde använda. Gå tillbaka och försök igen.")
            except CsrfError:
                return await error_page(request, 403, swedish(CSRF_MESSAGE), title="Formuläret kunde inte skickas")
            except KvalitetError as exc:
                if exc.status_code >= 500:
                    log.error("web page failed: %s", exc.message)
                return await error_page(request, exc.status_code, exc.sv)

        return route_handler


async def error_page(request: Request, status: int, message: str, title: str | None = None) -> HTMLResponse:
    user = await run_in_threadpool(_optional_user, request)
    fragment = _wants_fragment(request)
    return await run_in_threadpool(
        page, request, "error.html", user=user, status=status, fragment_only=fragment,
        title=title or ERROR_TITLES.get(status, "Något blev fel"), message=message,
        help=ERROR_HELP.get(status), status_code=status,
    )


router = APIRouter(route_class=WebRoute, include_in_schema=False, dependencies=[Depends(require_csrf)])


# ==== users and rendering ===================================================================
def services(request: Request):
    return request.app.state.services


def _optional_user(request: Request) -> User | None:
    session = manager(request).signed_in(request)  # a signed-out (revoked) session is nobody
    if session is None:
        return None
    try:
        user = services(request).workspace.get_user(session.user_id, token_id=session.key)
    except Unauthorized:
        return None
    request.state.user = user.id  # the access log shows the id
    request.state.auth_method = "session"
    return user


def web_user(request: Request) -> User:
    """The signed-in user (a dependency; run in the thread pool: it reads the database)."""
    user = _optional_user(request)
    if user is None:
        raise LoginRequired()
    return user


def _wants_fragment(request: Request) -> bool:
    return request.query_params.get("fragment") == "1"


def page(request: Request, template: str, *, user: User | None, status: int = 200,
         fragment_only: bool = False, nav: str = "", **context: Any) -> HTMLResponse:
    """Render a page (or, with fragment_only, the part of it app.js asked for)."""
    mgr = manager(request)
    session = mgr.read(request)
    write = False
    if session is None or (user is None and session.user_id is not None):
        session = new_session(None)
        write = True
    flash: dict[str, str] | None = None
    if session.flash and not fragment_only:
        found = FLASH.get(session.flash)
        if found is not None:
            flash = {"level": found[0], "text": found[1]}
        session = with_flash(session, None)
        write = True
    if fragment_only:  # the partial that the page itself includes: _<name>
        template = "_" + template
    html = views.render(
        template, user=user, csrf=session.csrf, flash=flash, nav=nav, fragment_only=fragment_only,
        path=request.url.path, **context,
    )
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if write:
        mgr.write(response, session)
    return response


def redirect(request: Request, url: str, flash: str | None = None, session: Session | None = None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    mgr = manager(request)
    if flash is not None or session is not None:
        session = session or mgr.read(request) or new_session(None)
        mgr.write(response, with_flash(session, flash))
    return response


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect after sign-in."""
    if target and _SAFE_NEXT.match(target) and not target.startswith("/logga-"):
        return target
    return "/rapporter"


# ==== sign-in ================================================================================
@router.get("/")
def home(request: Request):
    user = _optional_user(request)
    return RedirectResponse("/rapporter" if user else "/logga-in", status_code=303)


@router.get("/logga-in")
def login_form(request: Request, nasta: str | None = Query(None, max_length=2000)):
    user = _optional_user(request)
    if user is not None:
        return RedirectResponse(safe_next(nasta), status_code=303)
    return page(request, "login.html", user=None, title="Logga in", nasta=safe_next(nasta), name="", error=None)


@router.post("/logga-in")
def login(
    request: Request,
    name: str = Form("", max_length=200),
    token: str = Form("", max_length=400),
    nasta: str = Form("", max_length=2000),
):
    name, token = name.strip(), token.strip()
    error = None
    user = None
    if not name or not token:
        error = "Fyll i både användarnamn och nyckel."
    else:
        try:
            user = services(request).workspace.authenticate(token)
        except Unauthorized:
            user = None
        if user is None or user.name.casefold() != name.casefold():
            user = None
            error = ("Användarnamnet eller nyckeln stämmer inte. Kontrollera att du har klistrat in hela "
                     "nyckeln – den börjar med kv_.")
    if user is None:
        status = 400
        if name or token:  # a wrong name or key: counted per address, as a wrong API token is
            retry = throttle_of(request.app).failed(client_address(request))
            if retry is not None:
                status = 429
                error = (f"För många misslyckade inloggningar från din adress. Vänta {retry} sekunder och "
                         "försök igen.")
        response = page(request, "login.html", user=None, status=status, title="Logga in", nasta=safe_next(nasta),
                        name=name, error=error)
        if status == 429:
            response.headers["Retry-After"] = str(retry)
        return response
    # A fresh session (and CSRF token) at sign-in: nothing from before carries over.
    redirect = RedirectResponse(safe_next(nasta), status_code=303)
    sid = SessionStore(services(request).db).start(user.id)
    manager(request).write(redirect, new_session(user.id, key=token_id_of(token), sid=sid))
    return redirect


@router.post("/logga-ut")
def logout(request: Request):
    """Sign out: the session is revoked on the server (a copy of the cookie stops working too)."""
    session = manager(request).read(request)
    if session is not None and session.sid:
        SessionStore(services(request).db).revoke(session.sid)
    response = RedirectResponse("/logga-in", status_code=303)
    manager(request).write(response, with_flash(new_session(None), "utloggad"))
    return response


# ==== search =================================================================================
@dataclass
class FilterOptions:
    years: list[int]
    committees: list[str]
    perspectives: list[str]
    statuses: list[tuple[str, str]]  # (value, label): one per status group, labelled with the wordings used
    kinds: list[str]
    doc_kinds: list[str]


_options_cache: dict[int, FilterOptions] = {}


def filter_options(svc) -> FilterOptions:
    """The values that occur in the index, so that every choice finds something."""
    snap = svc.index.snapshot()
    cached = _options_cache.get(snap.version)
    if cached is not None:
        return cached
    from kvalitet.search.understanding import status_key

    years, committees, perspectives, kinds, doc_kinds = set(), set(), set(), set(), set()
    statuses: Counter = Counter()
    for p in snap.ordered:
        if p.year:
            years.add(p.year)
        for c in (p.committee or "").split(","):
            if c.strip():
                committees.add(c.strip())
        if p.perspective:
            perspectives.add(p.perspective)
        if p.status:
            statuses[p.status] += 1
        kinds.add(p.section_kind)
        doc_kinds.add(p.doc_kind)
    order = {k: i for i, k in enumerate(views.PASSAGE_KIND_LABELS)}
    opts = FilterOptions(
        years=sorted(years, reverse=True),
        committees=sorted(committees),
        perspectives=[p for p in PERSPECTIVES if p in perspectives] + sorted(perspectives - set(PERSPECTIVES)),
        statuses=status_options(statuses, status_key),
        kinds=sorted(kinds, key=lambda k: order.get(k, 99)),
        doc_kinds=[k for k in views.DOC_KIND_LABELS if k in doc_kinds] + sorted(doc_kinds - set(views.DOC_KIND_LABELS)),
    )
    _options_cache.clear()
    _options_cache[snap.version] = opts
    return opts


def status_options(written: Counter, key) -> list[tuple[str, str]]:
    """(value, label) per status as filters compare them (`key`: status_key): "Pågår" and
    "Pågående" are one option, valued with the wording the documents use most and labelled with
    every wording they use ("Pågående / Pågår"); known statuses in STATUSES order first."""
    groups: dict[str, list[str]] = {}
    for v, _n in written.most_common():
        groups.setdefault(key(v), []).append(v)
    order = {key(s): i for i, s in reversed(list(enumerate(STATUSES)))}
    ranked = sorted(groups.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[1][0].lower()))
    return [(ws[0], " / ".join(ws)) for _k, ws in ranked]


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) == 4 else None


# The search page's query: the question and the filters (year, committee, perspective, status, kind
# of passage, kind of document), as {name: text}
_search_query = text_params(Query, {"q": 2000, "ar": 10, "namnd": 64, "perspektiv": 64, "status": 64, "typ": 64,
                                    "dokumenttyp": 64})


@router.get("/sok")
def search_page(request: Request, params: dict[str, str] = Depends(_search_query),
                utan: list[str] = Query([], max_length=16, description="Tolkningar av frågan som tagits bort"),
                user: User = Depends(web_user)):
    from urllib.parse import urlencode

    from kvalitet.search.present import present_hit
    from kvalitet.search.understanding import KEYS

    svc = services(request)
    options = filter_options(svc)
    filters = {k: v for k, v in params.items() if k != "q"}
    q, ar = params["q"], params["ar"]
    hits: list[dict] = []
    error = None
    query = q.strip()
    ignore = {u for u in utan if u in KEYS}
    understood: list[dict] = []
    suggestion = None
    if query:
        sf = SearchFilters(
            year=_int_or_none(ar), committee=filters["namnd"] or None, perspective=filters["perspektiv"] or None,
            status=filters["status"] or None, section_kind=filters["typ"] or None,
            doc_kind=filters["dokumenttyp"] or None,
        )
        try:
            res = svc.retriever.run(query, SEARCH_K, sf, ignore=ignore)
            found, suggestion = res.hits, res.suggestion
            base = [("q", query)] + [(k, v) for k, v in filters.items() if v]
            for key, label in res.understood.labels(views.PASSAGE_KIND_LABELS):
                undo = base + [("utan", x) for x in sorted(ignore | {key})]
                understood.append({"key": key, "label": label, "undo": "/sok?" + urlencode(undo)})
        except InvalidInput as exc:
            error = swedish(exc.message)
            found = []
        hist = svc.history()
        mask = svc.settings.mask_personal_data
        for h in found:
            out = present_hit(h, mask)
            group = hist.groups.get(hist.group_of[out.id], []) if out.id in hist.group_of else []
            hits.append({"hit": out, "history_count": len(group), "history_label": history_label(group)})
    active = sum(1 for v in filters.values() if v)
    if filters["status"]:  # the option of the status's group is the chosen one ("pågår" chooses "Pågående")
        from kvalitet.search.understanding import status_key

        filters = {**filters, "status": next((v for v, _label in options.statuses
                                              if status_key(v) == status_key(filters["status"])), filters["status"])}
    # A year filter cannot find documents without a year: say how many there are.
    no_year = svc.db.documents_without_year() if query and _int_or_none(ar) is not None else 0
    return page(request, "search.html", user=user, nav="sok", title=f"Sök: {query}" if query else "Sök i tidigare år",
                q=query, filters=filters, options=options, hits=hits, error=error, active_filters=active,
                k=SEARCH_K, without_year=no_year, understood=understood, suggestion=suggestion,
                ignored=sorted(ignore))


def history_label(group) -> str:
    """"2019–2022", "2019, 2022" or "2 poster från 2019": what the history holds."""
    years = sorted({p.year for p in group if p.year})
    if len(years) > 1:
        return f"{years[0]}–{years[-1]}" if len(years) == years[-1] - years[0] + 1 else ", ".join(map(str, years))
    when = f" från {years[0]}" if years else ""
    docs = len({p.source.path for p in group})
    if docs > 1:
        return f"{docs} dokument{when}"
    return f"{len(group)} poster i samma dokument{when}"


@router.get("/historik/{passage_id}")
def history_page(request: Request, passage_id: str, user: User = Depends(web_user)):
    if not re.fullmatch(r"p_[0-9A-Za-z]{4,64}", passage_id):
        raise NotFound("Ingen sådan aktivitet / no such activity")
    hist = services(request).history()
    rows = shown(hist.history(passage_id), services(request).settings.mask_personal_data)
    if not rows:
        raise NotFound("Aktiviteten finns inte i indexet (det kan ha lästs in på nytt). / no such activity")
    years = sorted({r.year for r in rows if r.year})
    documents = len({r.source.path for r in rows})  # two rows of one file are one document
    return page(request, "history.html", user=user, nav="sok", fragment_only=_wants_fragment(request),
                title=f"Historik: {rows[0].activity}", rows=rows, years=years, passage_id=passage_id,
                documents=documents)


# ==== a passage in its document ==============================================================
def passage_context(svc, doc_path: str, passage: str | None, start: int | None, end: int | None, context: int) -> dict:
    """The lines around a passage (or a line range, when the passage is gone after a re-ingest),
    for the passage page (kvalitet.ingest.documents.passage_window, personal data masked)."""
    from kvalitet.ingest.documents import passage_window

    w = passage_window(svc.settings, svc.db, doc_path, passage, start, end, context)
    view = shown([
        {"number": ln.number, "page": ln.page, "text": ln.text, "hit": w.start <= ln.number <= w.end}
        for ln in w.lines
    ], svc.settings.mask_personal_data)
    page_no = next((ln["page"] for ln in view if ln["number"] == w.start), None)
    return {
        "path": doc_path, "passage": w.passage_id, "start": w.start, "end": w.end, "total": w.total,
        "changed": w.changed, "lines": view, "doc_kind": w.doc_kind, "year": w.year,
        "title": shown(w.title, svc.settings.mask_personal_data),
        "page": page_no, "moved": w.moved, "first": w.first, "last": w.last,
        "pii_findings": w.pii_findings,
    }


@router.get("/dokument/visa")
def passage_page(
    request: Request,
    path: str = Query(..., min_length=1, max_length=1024),
    passage: str | None = Query(None, max_length=64),
    fran: int | None = Query(None, ge=1, le=10_000_000),
    till: int | None = Query(None, ge=1, le=10_000_000),
    rader: int = Query(6, ge=0, le=MAX_CONTEXT),
    user: User = Depends(web_user),
):
    ctx = passage_context(services(request), path, passage, fran, till, rader)
    more = min(MAX_CONTEXT, max(rader * 3, 20))
    more_url = views.passage_url(path, ctx["passage"], ctx["start"], ctx["end"], rader=more) if rader < MAX_CONTEXT else None
    return page(request, "passage.html", user=user, nav="sok", fragment_only=_wants_fragment(request),
                title=f"{path}, rad {ctx['start']}–{ctx['end']}", ctx=ctx, more_url=more_url,
                self_url=views.passage_url(path, ctx["passage"], ctx["start"], ctx["end"], rader=rader))


# ==== reports ================================================================================
@router.get("/rapporter")
def reports_page(request: Request, visa: str = Query("", max_length=20), user: User = Depends(web_user)):
    """All reports the user may read; ?visa=vantar: only those waiting for this user (a reviewer:
    suggestions to review; a principal: activities without drafts, or nothing added yet)."""
    svc = services(request)
    reports = svc.workspace.list_reports(user)
    states = report_status(svc, [r.id for r in reports])
    waiting = [r for r in reports if waits_for(user, r, states.get(r.id, {}))]
    shown = waiting if visa == "vantar" else reports
    may_create = user.role == "admin" or (user.role == "rektor" and bool(user.unit))
    return page(request, "reports.html", user=user, nav="rapporter", title="Rapporter", reports=shown,
                may_create=may_create, report_states=states, filter=visa if visa == "vantar" else "",
                waiting_count=len(waiting), total_count=len(reports))


def waits_for(user: User, report, state: dict) -> bool:
    """Whether the report waits for `user`: a reviewer has suggestions to review (or a fully
    reviewed report to publish); a principal (who writes) has activities without drafts."""
    if report.state != "draft":
        return False
    if can_review(user):  # suggestions to review, or everything reviewed and ready to publish
        return bool(state.get("suggestions"))
    if can_write(user, report.unit):
        return not state.get("items") or state.get("undrafted", 0) > 0
    return False


def report_status(svc, report_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per report: items, suggestions and pending suggestions (for the list; the ids are the
    reports the workspace already let this user see)."""
    from kvalitet.workspace.models import ItemRow, SectionRow, SuggestionRow

    out: dict[int, dict[str, int]] = defaultdict(lambda: {"items": 0, "suggestions": 0, "pending": 0, "undrafted": 0})
    if not report_ids:
        return {}
    with svc.db.session() as s:
        for rid, n in s.execute(
            select(ItemRow.report_id, func.count()).where(ItemRow.report_id.in_(report_ids)).group_by(ItemRow.report_id)
        ):
            out[rid]["items"] = n
        for rid, state, n in s.execute(
            select(ItemRow.report_id, SuggestionRow.state, func.count())
            .join(SectionRow, SectionRow.item_id == ItemRow.id)
            .join(SuggestionRow, SuggestionRow.section_id == SectionRow.id)
            .where(ItemRow.report_id.in_(report_ids))
            .group_by(ItemRow.report_id, SuggestionRow.state)
        ):
            out[rid]["suggestions"] += n
            if state == "pending":
                out[rid]["pending"] += n
        drafted = select(SectionRow.item_id)
        for rid, n in s.execute(
            select(ItemRow.report_id, func.count()).where(ItemRow.report_id.in_(report_ids), ItemRow.id.not_in(drafted))
            .group_by(ItemRow.report_id)
        ):
            out[rid]["undrafted"] = n
    return dict(out)


def _new_report_form(request, user, values=None, errors=None, status=200):
    values = values or {"title": "", "kind": "", "year": str(date.today().year), "unit": user.unit or ""}
    return page(request, "report_new.html", user=user, nav="rapporter", status=status, title="Ny rapport",
                values=values, errors=errors or {}, kind_help=KIND_HELP,
                # the huvudman's report is made from the roll-up page (/sammanstallning), not here
                kinds={k: v for k, v in KIND_LABELS.items() if k in KIND_HELP})


@router.get("/rapporter/ny")
def new_report_page(request: Request, user: User = Depends(web_user)):
    return _new_report_form(request, user)


@router.post("/rapporter")
def create_report(request: Request, form: dict[str, str] = Depends(text_params(Form, {"title": 2000, "kind": 64, "year": 10,
                                                                                    "unit": 400})),
                  user: User = Depends(web_user)):
    kind = form["kind"]
    values = {"title": form["title"].strip(), "kind": kind, "year": form["year"].strip(), "unit": form["unit"].strip()}
    if user.role == "rektor":
        values["unit"] = user.unit or ""
    errors = {}
    if not values["title"]:
        errors["title"] = "Skriv en titel."
    elif len(values["title"]) > 500:
        errors["title"] = "Titeln får vara högst 500 tecken."
    if kind not in KIND_HELP:
        errors["kind"] = "Välj vilken typ av rapport det är."
    if not (values["year"].isdigit() and 2000 <= int(values["year"]) <= 2100):
        errors["year"] = "Skriv året med fyra siffror, till exempel 2025."
    if not values["unit"]:
        errors["unit"] = "Skriv vilken enhet (skola eller förskola) rapporten gäller."
    elif len(values["unit"]) > 200:
        errors["unit"] = "Enhetens namn får vara högst 200 tecken."
    if errors:
        return _new_report_form(request, user, values, errors, status=422)
    try:
        report = services(request).workspace.create_report(values["title"], kind, int(values["year"]), values["unit"], user)
    except InvalidInput as exc:
        return _new_report_form(request, user, values, {"title": swedish(exc.message)}, status=422)
    return redirect(request, f"/rapporter/{report.id}", "rapport_skapad")


def _report_context(report, user: User) -> dict:
    """The report page's overview (one cell per activity and section) and its counts: every
    section of every activity counts (report.progress: a section with no text, or only a
    draft's notice, is "empty", never reviewed); decided = reviewed or rejected."""
    open_ = report.state == "draft"
    sections = report_sections(report.kind)
    overview = []
    for item in report.items:
        by_kind = {sec.kind: sec for sec in item.sections}
        cells = []
        for kind in sections:
            sec = by_kind.get(kind)
            state = views.section_display(sec) if sec is not None else "empty"
            cells.append({"kind": kind, "state": state, "section_id": sec.id if sec else None})
        overview.append({"item": item, "cells": cells})
    by_state = report.progress.sections
    return {
        "report": report,
        "may_write": open_ and can_write(user, report.unit),
        "may_review": open_ and can_review(user),
        "is_reviewer": can_review(user),
        "overview": overview,
        "overview_sections": sections,
        "progress": {"total": report.progress.total,
                     "decided": by_state.get("reviewed", 0) + by_state.get("rejected", 0),
                     "empty": by_state.get("empty", 0), "pending_sections": by_state.get("pending", 0),
                     "all_reviewed": report.progress.all_reviewed,
                     "pending": report.progress.suggestions.get("pending", 0)},
    }


# The add-activity form's fields and how many characters each keeps (ItemIn's limits, as the API's);
# a request may carry twice that (longer is the 422 page), the form says what is too long.
ITEM_FIELDS = {name: next(m.max_length for m in ItemIn.model_fields[name].metadata if hasattr(m, "max_length"))
               for name in ("activity", "goal", "status", "committee", "perspective", "area", "deadline", "responsible",
                            "notes")}


def _item_defaults() -> dict:
    return {k: "" for k in ITEM_FIELDS}


_item_form = text_params(Form, {k: 2 * n for k, n in ITEM_FIELDS.items()})


def _report_page(request, user, report_id: int, *, status=200, item_values=None, item_errors=None,
                 edit_state=None, notice=None, draft_notices=None):
    from kvalitet.workspace.jobs import list_jobs

    svc = services(request)
    report = svc.workspace.get_report(report_id, user)
    ctx = _report_context(report, user)
    jobs = list_jobs(svc.workspace, user, report_id=report_id)
    ctx["job"] = jobs[0] if jobs else None
    part = request.query_params.get("del")
    return page(
        request, "report.html", user=user, nav="rapporter", status=status,
        fragment_only=part == "innehall", title=report.title, item_values=item_values or _item_defaults(),
        item_errors=item_errors or {}, edit_state=edit_state or {}, statuses=STATUSES, perspectives=PERSPECTIVES,
        llm_enabled=svc.settings.llm_enabled, notice=notice, draft_notices=draft_notices or {}, **ctx,
    )


@router.get("/rapporter/{report_id}")
def report_page(request: Request, report_id: Id, user: User = Depends(web_user)):
    return _report_page(request, user, report_id)


@router.post("/rapporter/{report_id}/nasta-ar")
def carry_forward(request: Request, report_id: Id, year: str = Form("", max_length=10),
                  user: User = Depends(web_user)):
    """Next year's report from this one: every unfinished activity comes across."""
    from kvalitet.workspace.carry_forward import carry_forward as carry

    y = int(year) if year.strip().isdigit() else None
    if y is not None and not 2000 <= y <= 2100:
        y = None
    try:
        result = carry(services(request).workspace, report_id, y, user)
    except Conflict as exc:
        return _report_page(request, user, report_id, status=409, notice=swedish(exc.message))
    return redirect(request, f"/rapporter/{result.report.id}", "nasta_ar")


@router.post("/rapporter/{report_id}/importera")
async def import_activities(request: Request, report_id: Id, file: UploadFile | None = File(None),
                            user: User = Depends(web_user)):
    """An activity list (XLSX or CSV, e.g. exported from Stratsys) into this report."""
    from kvalitet.ingest.documents import read_limited
    from kvalitet.workspace.importer import import_activities as do_import

    svc = services(request)
    if file is None or not file.filename:
        return await run_in_threadpool(_report_page, request, user, report_id, status=422,
                                       notice="Välj en Excel- eller CSV-fil att läsa in.")
    try:
        data = await read_limited(file, svc.settings.max_upload_bytes)
        result = await run_in_threadpool(do_import, svc.workspace, report_id, data, user, filename=file.filename)
    except (InvalidInput, Conflict) as exc:
        return await run_in_threadpool(_report_page, request, user, report_id, status=exc.status_code,
                                       notice=swedish(exc.message))
    report = await run_in_threadpool(svc.workspace.get_report, report_id, user)
    return page(request, "import_result.html", user=user, nav="rapporter", title="Inläst aktivitetslista",
                report=report, result=result, filename=file.filename)


@router.post("/rapporter/{report_id}/utkast-alla")
def draft_all(request: Request, report_id: Id, user: User = Depends(web_user)):
    """Draft every activity as a background job; the report page shows its progress."""
    from kvalitet.workspace.jobs import start_draft_all

    try:
        start_draft_all(services(request).jobs, report_id, user)
    except Conflict:
        return redirect(request, f"/rapporter/{report_id}#utkast-alla", "utkast_alla_pagar")
    return redirect(request, f"/rapporter/{report_id}#utkast-alla", "utkast_alla")


@router.get("/rapporter/{report_id}/exportera")
def export_report(request: Request, report_id: Id, format: str = Query("docx", pattern="^(docx|html|md)$"),
                  user: User = Depends(web_user)):
    from urllib.parse import quote

    f = services(request).workspace.export(report_id, format, user)
    disposition = f"attachment; filename=\"{f.filename}\"; filename*=UTF-8''{quote(f.filename)}"
    return Response(content=f.content, media_type=f.media_type, headers={
        "Content-Disposition": disposition, "Cache-Control": "no-store",
    })


# ---- publish and reopen: a confirmation page, then the change -------------------------------
def _confirm_page(request, user, report_id: int, action: str, *, status=200, notice=None):
    report = services(request).workspace.get_report(report_id, user)
    if not can_review(user):
        raise Forbidden("Bara granskare kan publicera och öppna rapporter igen. / reviewers only")
    pending = report.progress.sections.get("pending", 0)
    reviewed = report.progress.sections.get("reviewed", 0)
    return page(request, "report_confirm.html", user=user, nav="rapporter", status=status,
                title=("Publicera " if action == "publicera" else "Öppna igen: ") + report.title,
                report=report, action=action, pending=pending, reviewed=reviewed,
                empty=report.progress.sections.get("empty", 0), notice=notice)


# action -> (the Workspace method, the flash message after it)
_STATE_CHANGES = {"publicera": ("publish", "publicerad_ok"), "oppna-igen": ("reopen", "oppnad_igen")}


def _change_state(request, report_id: int, version: str, user: User, action: str):
    """Publish or reopen after the confirmation page; a conflict shows the page again with why."""
    method, flash = _STATE_CHANGES[action]
    try:
        getattr(services(request).workspace, method)(report_id, user, expected_version=_version(version))
    except Conflict as exc:
        return _confirm_page(request, user, report_id, action, status=409, notice=swedish(exc.message))
    return redirect(request, f"/rapporter/{report_id}", flash)


def _state_change_routes(action: str) -> None:
    """GET /rapporter/{id}/<action>: the confirmation page; POST: the change after it (publishing
    puts the report into the corpus and the index)."""

    @router.get(f"/rapporter/{{report_id}}/{action}")
    def confirm_state_change(request: Request, report_id: Id, user: User = Depends(web_user)):
        return _confirm_page(request, user, report_id, action)

    @router.post(f"/rapporter/{{report_id}}/{action}")
    def change_state(request: Request, report_id: Id, version: str = Form("", max_length=12),
                     user: User = Depends(web_user)):
        return _change_state(request, report_id, version, user, action)


for _action in _STATE_CHANGES:
    _state_change_routes(_action)


@router.get("/rapporter/{report_id}/andringar")
def audit_page(request: Request, report_id: Id, user: User = Depends(web_user)):
    """Who changed what in the report, when, and how it looked before and after."""
    ws = services(request).workspace
    report = ws.get_report(report_id, user)
    cited = {str(sg.id): sg.original_citations or sg.citations for it in report.items for sec in it.sections for sg in sec.suggestions}
    entries = [views.audit_row(e, cited.get(e.object_id) if e.object_type == "suggestion" else None)
               for e in reversed(ws.audit(report_id, user))]
    return page(request, "audit.html", user=user, nav="rapporter", title=f"Ändringar: {report.title}",
                report=report, entries=entries)


@router.post("/rapporter/{report_id}/aktiviteter")
def add_item(request: Request, report_id: Id, form: dict[str, str] = Depends(_item_form),
             user: User = Depends(web_user)):
    values = {k: v.strip() for k, v in form.items()}
    errors = {}
    if not values["activity"]:
        errors["activity"] = "Skriv vad aktiviteten heter, till exempel ”Minska frånvaron i årskurs 7–9”."
    for k, n in ITEM_FIELDS.items():
        if len(values[k]) > n:
            errors[k] = f"Högst {views.sv_number(n)} tecken."
    if errors:
        return _report_page(request, user, report_id, status=422, item_values=values, item_errors=errors)
    item = ItemIn(**{k: (v or None) for k, v in values.items()})
    created = services(request).workspace.add_item(report_id, item, user)
    return redirect(request, f"/rapporter/{report_id}#aktivitet-{created.id}", "aktivitet_tillagd")


@router.post("/rapporter/{report_id}/aktiviteter/{item_id}/utkast")
def draft_item(request: Request, report_id: Id, item_id: Id, user: User = Depends(web_user)):
    notices: dict[str, str] = {}
    made = services(request).workspace.draft_item(report_id, item_id, None, user, notices=notices)
    if notices:  # shown beside the activity: these sections got no suggestion, and why
        return _report_page(request, user, report_id, draft_notices={item_id: notices})
    return redirect(request, f"/rapporter/{report_id}#aktivitet-{item_id}", "utkast_klart" if made else "utkast_tomt")


def _version(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _review(request: Request, suggestion_id: int, user: User, action: str, version: str, text: str = ""):
    ws = services(request).workspace
    current = ws.get_suggestion(suggestion_id, user)  # 404/403 before anything else
    anchor = f"/rapporter/{current.report_id}#forslag-{suggestion_id}"
    try:
        if action == "accept":
            ws.accept(suggestion_id, user, expected_version=_version(version))
            flash = "godkant"
        elif action == "reject":
            ws.reject(suggestion_id, user, expected_version=_version(version))
            flash = "avvisat"
        else:
            ws.edit(suggestion_id, views.marker_text(text, current.citations), _version(version), user)
            flash = "redigerat"
    except Conflict as exc:
        if "publicerad" in exc.message:
            return redirect(request, anchor, "publicerad")
        if action == "edit":  # keep what they wrote: show the page again with their text
            return _report_page(request, user, current.report_id, status=409,
                                edit_state={suggestion_id: {"text": text, "error": CONFLICT_TEXT}})
        return redirect(request, anchor, "konflikt")
    except InvalidInput as exc:
        if action == "edit":
            return _report_page(request, user, current.report_id, status=422,
                                edit_state={suggestion_id: {"text": text, "error": swedish(exc.message)}})
        raise
    return redirect(request, anchor, flash)


def _review_route(word: str, action: str) -> None:
    """POST /forslag/{id}/<word>: the review `action` ("accept", "reject") of a suggestion."""

    @router.post(f"/forslag/{{suggestion_id}}/{word}")
    def review(request: Request, suggestion_id: Id, version: str = Form("", max_length=12),
               user: User = Depends(web_user)):
        return _review(request, suggestion_id, user, action, version)


for _word, _action in (("godkann", "accept"), ("avvisa", "reject")):
    _review_route(_word, _action)


@router.post("/forslag/{suggestion_id}/redigera")
def edit(request: Request, suggestion_id: Id, version: str = Form("", max_length=12),
         text: str = Form("", max_length=40000), user: User = Depends(web_user)):
    return _review(request, suggestion_id, user, "edit", version, text)


# ==== documents (admin) ======================================================================
def _require_admin(user: User) -> None:
    if user.role != "admin":
        raise Forbidden("Bara administratörer kan ladda upp och se dokumenten i indexet. / admins only")


def _documents(svc) -> list[dict]:
    from kvalitet.ingest.documents import list_documents

    return [
        {"path": d.path, "doc_kind": d.doc_kind, "year": d.year, "title": d.title, "records": d.records,
         "passages": d.passages, "activities": d.sections.get("aktivitet", 0), "warnings": d.warnings,
         "ingested_at": d.ingested_at, "pii_findings": d.pii_findings}
        for d in list_documents(svc.db, newest_first=True)
    ]


# The file picker offers what the readers read (one list: a format a reader learns is offered here).
UPLOAD_ACCEPT = ",".join(sorted(SUPPORTED_SUFFIXES) + [
    MEDIA_PDF, MEDIA_DOCX, MEDIA_XLSX, MEDIA_CSV, MEDIA_HTML, MEDIA_MARKDOWN, MEDIA_TEXT])


def _documents_page(request, user, *, status=200, result=None, error=None, filename=None):
    return page(request, "documents.html", user=user, nav="dokument", status=status, title="Dokument",
                documents=_documents(services(request)), result=result, error=error, filename=filename,
                accept=UPLOAD_ACCEPT,
                max_mb=max(1, services(request).settings.max_upload_bytes // (1024 * 1024)))


def document_overview(svc, doc_path: str) -> dict:
    """What recognition made of one indexed document: facts, outline, records by kind, warnings."""
    from kvalitet.ingest.recognise import FIELDS

    with svc.db.session() as s:
        doc = s.get(DocumentRow, doc_path)
        if doc is None:
            raise NotFound(f"Dokumentet {doc_path} finns inte i indexet / no such document")
        rows = s.scalars(select(PassageRow).where(PassageRow.doc_path == doc_path).order_by(PassageRow.ordinal)).all()
        by_kind: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_kind[r.section_kind].append({
                "id": r.id, "title": r.title, "text": r.text, "line_start": r.line_start, "line_end": r.line_end,
                "page": r.page, "fields": {f: getattr(r, f) for f in FIELDS if getattr(r, f, None) not in (None, "")},
            })
        order = ["aktivitet", "indikator", "insats", "kostnad", "process", "uppfoljning", "analys", "risk"]
        kinds = sorted(by_kind, key=lambda k: (order.index(k) if k in order else len(order), k))
        return {
            "path": doc.path, "doc_kind": doc.doc_kind, "title": doc.title, "year": doc.year,
            "year_source": doc.year_source, "school_year": doc.school_year, "period": doc.period,
            "media_type": doc.media_type, "layout": doc.layout, "outline": list(doc.outline or []),
            "records": [(k, by_kind[k]) for k in kinds], "warnings": list(doc.warnings or []),
            "passages": len(rows),
        }


@router.get("/dokument/oversikt")
def document_page(
    request: Request,
    path: str = Query(..., min_length=1, max_length=1024),
    user: User = Depends(web_user),
):
    """The document page: the outline, the records by kind and the warnings of one document, so
    that an administrator sees at once what was understood."""
    _require_admin(user)
    d = document_overview(services(request), path)
    return page(request, "document.html", user=user, nav="dokument", title=f"{path} – vad som kändes igen", d=d)


@router.get("/dokument")
def documents_page(request: Request, user: User = Depends(web_user)):
    _require_admin(user)
    return _documents_page(request, user)


@router.post("/dokument")
async def upload_document(
    request: Request,
    file: UploadFile | None = File(None),
    replace: str = Form(""),
    user: User = Depends(web_user),
):
    """Store the upload and read it in the background: the answer is its result page, which
    shows the progress and then what was recognised (or why it could not be read)."""
    _require_admin(user)
    svc = services(request)
    if file is None or not file.filename:
        return await run_in_threadpool(_documents_page, request, user, status=422, error="Välj en fil att ladda upp.")
    try:
        job = await svc.uploads.accept(file, replace == "1", user)
    except KvalitetError as exc:
        return await run_in_threadpool(_documents_page, request, user, status=exc.status_code,
                                       error=swedish(exc.message), filename=file.filename)
    return redirect(request, f"/dokument/inlasning/{job.id}")


@router.get("/dokument/inlasning/{upload_id}")
def upload_result_page(request: Request, upload_id: str = Path(..., min_length=1, max_length=32, pattern="^[0-9a-f]+$"),
                       user: User = Depends(web_user)):
    """An upload's page: its progress while it is read, then what was recognised."""
    _require_admin(user)
    job = services(request).uploads.get(upload_id, user)
    status = job.status_code if job.state == "failed" and job.status_code else 200
    result = SimpleNamespace(**job.result) if job.result else None
    return page(request, "upload.html", user=user, nav="dokument", status=status,
                fragment_only=_wants_fragment(request), title=f"Inläsning av {job.filename}", job=job,
                result=result, error=swedish(job.message) if job.message else None, filename=job.filename)
