from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from kvalitet.errors import NotFound
from kvalitet.pii import shown
from kvalitet.search.history import ActivityView
from kvalitet.container import Services
from kvalitet.api.auth import AuthRoute, current_user
from kvalitet.api.deps import get_services

router = APIRouter(prefix="/api", tags=["aktiviteter"], dependencies=[Depends(current_user)], route_class=AuthRoute)


class ActivitiesOut(BaseModel):
    activities: list[ActivityView]


class HistoryOut(BaseModel):
    id: str
    history: list[ActivityView]


@router.get("/activities", response_model=ActivitiesOut)
async def list_activities(
    year: int | None = Query(None, ge=1900, le=2100),
    status: str | None = Query(None, max_length=64),
    query: str | None = Query(None, max_length=500),
    svc: Services = Depends(get_services),
):
    hist = await run_in_threadpool(svc.history)
    out = ActivitiesOut(activities=hist.activities(year=year, status=status, query=query))
    return shown(out, svc.settings.mask_personal_data)


@router.get("/activities/{activity_id}/history", response_model=HistoryOut)
async def activity_history(activity_id: str, svc: Services = Depends(get_services)):
    hist = await run_in_threadpool(svc.history)
    rows = hist.history(activity_id)
    if not rows:
        raise NotFound(f"Ingen aktivitet med id {activity_id!r} / no activity with that id")
    return shown(HistoryOut(id=activity_id, history=rows), svc.settings.mask_personal_data)
