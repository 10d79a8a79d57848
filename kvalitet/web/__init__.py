"""The web interface in Swedish: server-rendered pages (templates/web/), a signed session cookie
with CSRF protection (session.py), page routes (pages.py) and view helpers (views.py).

Mounted by service/api/routers/web.py together with /static (app.js, app.css: no framework, no
build step). The JSON API keeps working with Bearer tokens; the same users may use it from the
pages with their session cookie, and then every state-changing call needs the CSRF header.
"""
