"""Interactive API docs at /docs, served entirely by Kvalitet: Swagger UI's files come from the
swagger-ui-bundle-v2 package (Swagger UI 5, which reads OpenAPI 3.1) (mounted at /docs/assets), its start-up script from our own static
files. Nothing is loaded from a CDN, so the page works on a closed network, and it needs no
inline script or style: the Content-Security-Policy stays 'self' (middleware.CSP).

It lives in the web layer because the page is made of the web's static files; kvalitet.web.routes
includes `router`, so the API never imports the web for it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from kvalitet.web.views import static_url

DOCS_ASSETS = "/docs/assets"


def swagger_dir() -> str:
    """The folder of Swagger UI's distribution files (swagger-ui-bundle.js, swagger-ui.css …)."""
    import swagger_ui_bundle

    return str(swagger_ui_bundle.swagger_ui_path)


def docs_page(openapi_url: str, title: str) -> str:
    """The /docs page: Swagger UI's CSS and JS from /docs/assets, started by /static/api-docs.js."""
    return f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – API-dokumentation</title>
<link rel="icon" href="{static_url('favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="{DOCS_ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{DOCS_ASSETS}/swagger-ui-bundle.js"></script>
<script src="{static_url('api-docs.js')}"></script>
</body>
</html>
"""


router = APIRouter(include_in_schema=False)
router.mount(DOCS_ASSETS, StaticFiles(directory=swagger_dir()), name="docs-assets")


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """GET /docs: Swagger UI for the app's OpenAPI document."""
    app = request.app
    return HTMLResponse(docs_page(app.openapi_url or "/openapi.json", app.title))


@router.get("/redoc", include_in_schema=False)
def redoc() -> RedirectResponse:
    """GET /redoc: to /docs (one viewer is enough)."""
    return RedirectResponse("/docs", status_code=307)
