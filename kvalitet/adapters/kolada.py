"""A client for Kolada's open API (v3), RKA's database of municipal key figures (KPIs).

Protocol (github.com/Hypergene/kolada; v3 keeps v2's routes): every answer is JSON
`{"values": [...], "count": n, "next_url": "<full URL of the next page>"}` (older answers call it
`next_page`); at most `per_page` (≤ 5000) values a page. Data:
`/data/kpi/<KPI,…>/municipality/<ID,…>/year/<YEAR,…>` gives
`{"kpi", "municipality", "period", "values": [{"gender": "T|K|M", "count", "status", "value"}]}`;
`/oudata/kpi/<KPI,…>/ou/<OU,…>/year/<YEAR,…>` the same with "ou" for school units. Metadata:
`/kpi/<ID,…>` (id, title, description, …), `/municipality/<ID,…>`, `/ou?municipality=<ID>`.

Off by default: most municipal servers cannot reach the internet. Set KVALITET_KOLADA_URL
(e.g. the public v3 address) to use it.
"""

from __future__ import annotations

from typing import Iterator

import httpx

from kvalitet.errors import ServiceUnavailable

MAX_PAGES = 200  # a guard against a server that pages forever
YEARS_PER_REQUEST = 25  # the API refuses longer year lists


class KoladaUnavailable(ServiceUnavailable, code="kolada_unavailable"):
    """Kolada's API could not be reached or answered with an error."""


class KoladaClient:
    """Reads Kolada's v3 API. `base_url` ends before the route (e.g. "https://…/v3").

    Every method follows `next_url` until the last page and returns the concatenated `values`.
    Raises KoladaUnavailable (Swedish and English text) when the server cannot be reached,
    answers an error status or something that is not Kolada's JSON.
    """

    def __init__(self, base_url: str, *, timeout: float = 30.0, per_page: int = 5000,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.per_page = per_page
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=True)

    def close(self) -> None:
        self._http.close()

    def _pages(self, url: str, params: dict | None = None) -> Iterator[dict]:
        params = {"per_page": self.per_page, **(params or {})}
        for _ in range(MAX_PAGES):
            try:
                r = self._http.get(url, params=params)
            except httpx.HTTPError as exc:
                raise KoladaUnavailable(
                    f"Kolada kunde inte nås ({type(exc).__name__}); kontrollera KVALITET_KOLADA_URL eller "
                    f"importera en exporterad fil i stället / Kolada could not be reached; check the URL or "
                    f"import an exported file") from exc
            if r.status_code != 200:
                raise KoladaUnavailable(
                    f"Kolada svarade {r.status_code} på {url} / Kolada answered {r.status_code}")
            try:
                page = r.json()
                values = page["values"]
            except (ValueError, KeyError, TypeError) as exc:
                raise KoladaUnavailable(
                    "Kolada svarade med något annat än Kolada-JSON / the answer was not Kolada's JSON") from exc
            if not isinstance(values, list):
                raise KoladaUnavailable("Kolada-svaret saknar en lista 'values' / no 'values' list")
            yield page
            nxt = page.get("next_url") or page.get("next_page")
            if not nxt:
                return
            url, params = nxt, None  # the next URL carries its own query
        raise KoladaUnavailable(f"Kolada gav fler än {MAX_PAGES} sidor / more than {MAX_PAGES} pages")

    def _values(self, route: str, params: dict | None = None) -> list[dict]:
        out: list[dict] = []
        for page in self._pages(f"{self.base_url}/{route.lstrip('/')}", params):
            out.extend(page["values"])
        return out

    def kpis(self, ids: list[str]) -> list[dict]:
        """KPI metadata: [{"id", "title", "description", …}]."""
        return self._values("kpi/" + ",".join(ids))

    def units(self, municipality: str) -> list[dict]:
        """The organisational units (school units among them) of a municipality: [{"id", "title", …}]."""
        return self._values("ou", {"municipality": municipality})

    def data(self, kpis: list[str], municipalities: list[str], years: list[int]) -> list[dict]:
        """Municipality-level values: [{"kpi", "municipality", "period", "values": [{"gender", "value", …}]}]."""
        return self._by_years("data", "municipality", kpis, municipalities, years)

    def oudata(self, kpis: list[str], units: list[str], years: list[int]) -> list[dict]:
        """Unit-level values: [{"kpi", "ou", "period", "values": [...]}]."""
        return self._by_years("oudata", "ou", kpis, units, years)

    def _by_years(self, kind: str, entity: str, kpis: list[str], ids: list[str], years: list[int]) -> list[dict]:
        out: list[dict] = []
        years = sorted(set(years))
        for i in range(0, max(len(years), 1), YEARS_PER_REQUEST):
            block = years[i:i + YEARS_PER_REQUEST]
            route = f"{kind}/kpi/{','.join(kpis)}/{entity}/{','.join(ids)}"
            if block:
                route += "/year/" + ",".join(str(y) for y in block)
            out.extend(self._values(route))
        return out
