"""A fake Kolada API (v3 routes) on 127.0.0.1, in a thread: real HTTP, the documented JSON, paging.

Routes (as github.com/Hypergene/kolada documents them; v3 keeps them):
* GET /v3/kpi/<id,…>                                    KPI metadata
* GET /v3/ou?municipality=<id>                          organisational units of a municipality
* GET /v3/data/kpi/<kpi,…>/municipality/<id,…>/year/<y,…>
* GET /v3/oudata/kpi/<kpi,…>/ou/<ou,…>/year/<y,…>
Every answer is {"values": [...], "count": n, "next_url": <full URL> (when more pages)}, with
`per_page` values a page (the client's `per_page`, capped by the server's own `page_size`).
`fail_status` makes every request answer that status. `requests` records every path asked for.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


class FakeKolada:
    def __init__(self, *, kpis: dict[str, str], values: list[dict], units: dict[str, list[dict]] | None = None,
                 page_size: int = 5000):
        self.kpis = kpis  # id -> title
        self.values = values  # [{"kpi","municipality"|"ou","period","values":[{"gender","value","count","status"}]}]
        self.units = units or {}
        self.page_size = page_size
        self.fail_status: int | None = None
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v3"

    def __enter__(self) -> "FakeKolada":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                fake.requests.append(self.path)
                if fake.fail_status:
                    self._send(fake.fail_status, {"error": "failure"})
                    return
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                parts = [p for p in url.path.split("/") if p]
                if not parts or parts[0] != "v3":
                    self._send(404, {"error": "not found"})
                    return
                parts = parts[1:]
                if parts[0] == "kpi" and len(parts) == 2:
                    items = [{"id": k, "title": fake.kpis[k], "description": ""} for k in parts[1].split(",")
                             if k in fake.kpis]
                elif parts[0] == "ou":
                    items = fake.units.get(q.get("municipality", ""), [])
                elif parts[0] in ("data", "oudata"):
                    spec = dict(zip(parts[1::2], parts[2::2], strict=False))  # a trailing key without a value is dropped
                    entity = "municipality" if parts[0] == "data" else "ou"
                    kpis = set(spec.get("kpi", "").split(","))
                    ids = set(spec.get(entity, "").split(",")) if entity in spec else None
                    years = set(spec["year"].split(",")) if "year" in spec else None
                    items = [v for v in fake.values if v["kpi"] in kpis and entity in v
                             and (ids is None or v[entity] in ids) and (years is None or str(v["period"]) in years)]
                else:
                    self._send(404, {"error": "not found"})
                    return
                per_page = min(int(q.get("per_page", fake.page_size)), fake.page_size)
                page = int(q.get("page", 1))
                chunk = items[(page - 1) * per_page: page * per_page]
                body = {"values": chunk, "count": len(chunk)}
                if page * per_page < len(items):
                    nq = {**q, "page": page + 1, "per_page": per_page}
                    host, port = fake._server.server_address[:2]
                    body["next_url"] = f"http://{host}:{port}{url.path}?{urlencode(nq)}"
                self._send(200, body)

            def _send(self, status, body):
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
