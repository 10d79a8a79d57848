"""Reports: create, add activities, draft, review (accept / edit / reject), export, audit, publish.

Thin: request model in, one workspace call (which checks the user's rights), response model out.
Suggestions carry a version: send it back (body `version` or `If-Match: "<version>"`) when
editing, and a stale version gets 409 instead of overwriting someone else's edit.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi import Path as FastPath
from pydantic import BaseModel, ConfigDict, Field

from kvalitet.errors import InvalidInput
from kvalitet.container import Services
from kvalitet.domain.types import DraftSection
from kvalitet.workspace.auth import User
from kvalitet.workspace.service import MEDIA_TYPES
from kvalitet.workspace.views import (
    AuditEntry,
    ItemIn,
    ItemView,
    PublishResult,
    ReportIn,
    ReportKind,
    ReportSummary,
    ReportView,
    SuggestionView,
)
from kvalitet.api.auth import AuthRoute, current_user
from kvalitet.api.deps import get_services

# Path ids fit a 64-bit integer column (a larger one is a 422, not an overflow).
MAX_ID = 2**63 - 1
DbId = Annotated[int, FastPath(ge=1, le=MAX_ID)]

router = APIRouter(prefix="/api", tags=["rapporter"], route_class=AuthRoute)


class ReportsOut(BaseModel):
    reports: list[ReportSummary]


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: list[DraftSection] | None = Field(None, max_length=4, description="Default: all four sections.")
    generator: Literal["extractive", "llm"] | None = Field(None, description="Default: KVALITET_GENERATOR.")


class DraftOut(BaseModel):
    report_id: int
    item_id: int
    suggestions: list[SuggestionView]
    notices: dict[str, str] = {}  # section kind -> why it got no suggestion (nothing relevant)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, ge=1, le=MAX_ID,
                                description="The version you reviewed; or send If-Match. Required (409 if stale).")


class EditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., min_length=1, max_length=20000)
    version: int | None = Field(None, ge=1, le=MAX_ID, description="The version you edited; or send If-Match.")


class AuditOut(BaseModel):
    report_id: int
    entries: list[AuditEntry]


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, ge=1, le=MAX_ID)


def _if_match(value: str | None) -> int | None:
    """`"3"`, `W/"3"` or `3` -> 3."""
    if value is None:
        return None
    v = value.strip()
    if v.startswith("W/"):
        v = v[2:]
    v = v.strip('"')
    if not v.isdigit() or len(v) > 18:
        raise InvalidInput('If-Match måste vara en version, t.ex. "3" / If-Match must be a version like "3"')
    return int(v)


def _expected(body_version: int | None, if_match: str | None) -> int | None:
    header = _if_match(if_match)
    if body_version is not None and header is not None and body_version != header:
        raise InvalidInput("version och If-Match säger olika / version and If-Match disagree")
    return body_version if body_version is not None else header


def _etag(response: Response, s: SuggestionView) -> SuggestionView:
    response.headers["ETag"] = f'"{s.version}"'
    return s


@router.post("/reports", response_model=ReportView, status_code=201)
def create_report(body: ReportIn, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return svc.workspace.create_report(body.title, body.kind, body.year, body.unit, user)


@router.get("/reports", response_model=ReportsOut)
def list_reports(
    year: int | None = Query(None, ge=2000, le=2100),
    kind: ReportKind | None = Query(None),
    user: User = Depends(current_user),
    svc: Services = Depends(get_services),
):
    return ReportsOut(reports=svc.workspace.list_reports(user, year=year, kind=kind))


@router.get("/reports/{report_id}", response_model=ReportView)
def get_report(report_id: DbId, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return svc.workspace.get_report(report_id, user)


@router.post("/reports/{report_id}/items", response_model=ItemView, status_code=201)
def add_item(report_id: DbId, body: ItemIn, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return svc.workspace.add_item(report_id, body, user)


@router.post("/reports/{report_id}/items/{item_id}/draft", response_model=DraftOut, status_code=201)
def draft_item(
    report_id: DbId, item_id: DbId, body: DraftIn | None = None,
    user: User = Depends(current_user), svc: Services = Depends(get_services),
):
    """Ask for suggestions for the activity's sections; they are stored as pending."""
    sections = list(body.sections) if body and body.sections else None
    notices: dict[str, str] = {}
    out = svc.workspace.draft_item(report_id, item_id, sections, user, generator=body.generator if body else None,
                                   notices=notices)
    return DraftOut(report_id=report_id, item_id=item_id, suggestions=out, notices=notices)


@router.get("/suggestions/{suggestion_id}", response_model=SuggestionView)
def get_suggestion(suggestion_id: DbId, response: Response, user: User = Depends(current_user),
                   svc: Services = Depends(get_services)):
    return _etag(response, svc.workspace.get_suggestion(suggestion_id, user))


def _review(action: str):
    """The route that accepts or rejects a suggestion (`action`: the Workspace method), with the
    version read (body or If-Match)."""

    def review(
        suggestion_id: DbId, response: Response, body: ReviewIn | None = None,
        if_match: str | None = Header(None), user: User = Depends(current_user), svc: Services = Depends(get_services),
    ):
        expected = _expected(body.version if body else None, if_match)
        return _etag(response, getattr(svc.workspace, action)(suggestion_id, user, expected_version=expected))

    review.__name__ = review.__qualname__ = action
    return review


accept = router.post("/suggestions/{suggestion_id}/accept", response_model=SuggestionView)(_review("accept"))
reject = router.post("/suggestions/{suggestion_id}/reject", response_model=SuggestionView)(_review("reject"))


@router.patch("/suggestions/{suggestion_id}", response_model=SuggestionView)
def edit(
    suggestion_id: DbId, body: EditIn, response: Response,
    if_match: str | None = Header(None), user: User = Depends(current_user), svc: Services = Depends(get_services),
):
    expected = _expected(body.version, if_match)
    return _etag(response, svc.workspace.edit(suggestion_id, body.text, expected, user))


@router.get(
    "/reports/{report_id}/export",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}, MEDIA_TYPES["docx"]: {}},
                     "description": "The report as a file (Content-Disposition: attachment)."}},
)
def export(
    report_id: DbId, format: Literal["md", "html", "docx"] = Query("docx"),
    user: User = Depends(current_user), svc: Services = Depends(get_services),
):
    f = svc.workspace.export(report_id, format, user)
    disposition = f"attachment; filename=\"{f.filename}\"; filename*=UTF-8''{quote(f.filename)}"
    return Response(content=f.content, media_type=f.media_type, headers={
        "Content-Disposition": disposition, "Cache-Control": "no-store",
    })


@router.get("/reports/{report_id}/audit", response_model=AuditOut)
def audit(report_id: DbId, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return AuditOut(report_id=report_id, entries=svc.workspace.audit(report_id, user))


@router.post("/reports/{report_id}/publish", response_model=PublishResult)
def publish(report_id: DbId, body: PublishIn | None = None, user: User = Depends(current_user),
            svc: Services = Depends(get_services)):
    """Write the reviewed report into the corpus (rapporter/) and index it."""
    return svc.workspace.publish(report_id, user, expected_version=body.version if body else None)


@router.post("/reports/{report_id}/reopen", response_model=ReportView)
def reopen(report_id: DbId, body: PublishIn | None = None, user: User = Depends(current_user),
           svc: Services = Depends(get_services)):
    """A published report back to draft, to be changed and published again."""
    return svc.workspace.reopen(report_id, user, expected_version=body.version if body else None)
