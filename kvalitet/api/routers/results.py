"""Results over the years (issue 19): series, charts, Kolada import and matching corrections."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from kvalitet.api.auth import AuthRoute, current_user, require_roles
from kvalitet.api.deps import get_services
from kvalitet.api.http import read_limited
from kvalitet.container import Services
from kvalitet.errors import InvalidInput
from kvalitet.results import Series
from kvalitet.results.charts import alt_text, chart_png, chart_svg, chart_table
from kvalitet.workspace.auth import User

router = APIRouter(prefix="/api/results", tags=["resultat"], dependencies=[Depends(current_user)],
                   route_class=AuthRoute)
_editors = require_roles("admin", "kvalitetsutvecklare")
# matplotlib's SVG styles its shapes with style attributes: the chart (a static image without
# scripts) is allowed inline styles and nothing else.
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}


class SeriesListOut(BaseModel):
    count: int
    series: list[Series]


class SeriesOut(BaseModel):
    series: Series
    sentence: str = Field(description="The series in one Swedish sentence (change and target), as drafts use it")
    alt: str = Field(description="The chart's alternative text")
    table: dict = Field(description="The data behind the chart: columns and rows")


class ImportOut(BaseModel):
    values: int
    kpis: list[str]
    entities: list[str]
    years: list[int]
    source: str


class FetchIn(BaseModel):
    kpis: list[str] = Field(..., min_length=1, max_length=25)
    municipality: str | None = Field(None, pattern=r"^\d{4}$")
    units: list[str] = Field(default_factory=list, max_length=100)
    years: list[int] = Field(..., min_length=1, max_length=50)


class AliasIn(BaseModel):
    wording: str = Field(..., min_length=1, max_length=500)
    series_id: str = Field(..., pattern=r"^s_[0-9a-f]{12}$")


def _ids(ids: str) -> list[str]:
    out = [i for i in ids.split(",") if i]
    if not out or len(out) > 8:
        raise InvalidInput("Ange 1–8 serie-id:n, kommaseparerade / give 1–8 series ids, comma-separated")
    return out


@router.get("", response_model=SeriesListOut)
async def list_series(
    q: str | None = Query(None, max_length=200, description="Words of the indicator's name"),
    entity: str | None = Query(None, max_length=200, description="Unit or municipality (part of the name)"),
    source: str | None = Query(None, description="dokument or kolada"),
    gender: str | None = Query(None, pattern="^[TKM]$"),
    year_from: int | None = Query(None, ge=1900, le=2100),
    year_to: int | None = Query(None, ge=1900, le=2100),
    svc: Services = Depends(get_services),
):
    found = await run_in_threadpool(svc.results.search, q, entity=entity, source=source, gender=gender,
                                    year_from=year_from, year_to=year_to)
    return SeriesListOut(count=len(found), series=found)


@router.get("/chart.svg", response_class=Response)
async def chart_of_several(ids: str = Query(..., max_length=200), svc: Services = Depends(get_services)):
    """Several series side by side (e.g. units of one KPI) as one SVG chart."""
    series = [svc.results.get(i) for i in _ids(ids)]
    svg = await run_in_threadpool(chart_svg, series, series[0].title)
    return Response(svg, media_type="image/svg+xml", headers=SVG_HEADERS)


@router.get("/{sid}", response_model=SeriesOut)
async def show_series(sid: str, svc: Services = Depends(get_services)):
    s = await run_in_threadpool(svc.results.get, sid)
    return SeriesOut(series=s, sentence=svc.results.describe(s), alt=alt_text([s]), table=chart_table([s]))


@router.get("/{sid}/chart.svg", response_class=Response)
async def series_svg(sid: str, svc: Services = Depends(get_services)):
    s = await run_in_threadpool(svc.results.get, sid)
    return Response(await run_in_threadpool(chart_svg, [s], s.title), media_type="image/svg+xml", headers=SVG_HEADERS)


@router.get("/{sid}/chart.png", response_class=Response)
async def series_png(sid: str, svc: Services = Depends(get_services)):
    s = await run_in_threadpool(svc.results.get, sid)
    return Response(await run_in_threadpool(chart_png, [s], s.title), media_type="image/png")


@router.post("/import", response_model=ImportOut)
async def import_file(file: UploadFile = File(..., description="Kolada-export: JSON, CSV eller XLSX"),
                      svc: Services = Depends(get_services), _user: User = Depends(_editors)):
    data = await read_limited(file, svc.settings.max_upload_bytes)
    summary = await run_in_threadpool(svc.results.import_file, data, file.filename or "kolada.csv")
    return ImportOut(**summary.__dict__)


@router.post("/fetch", response_model=ImportOut)
async def fetch(body: FetchIn, svc: Services = Depends(get_services), _user: User = Depends(_editors)):
    summary = await run_in_threadpool(svc.results.fetch, body.kpis,
                                      municipality=body.municipality or svc.settings.kolada_municipality,
                                      units=body.units, years=body.years)
    return ImportOut(**summary.__dict__)


@router.put("/aliases", response_model=Series)
async def set_alias(body: AliasIn, svc: Services = Depends(get_services), user: User = Depends(_editors)):
    return await run_in_threadpool(svc.results.set_alias, body.wording, body.series_id, user.role, user.name)
