"""Page chrome of five invented municipality web sites (cookie banner, header, menu,
breadcrumb, aside, footer) around the report article. Each site is laid out differently."""
from __future__ import annotations

import html

SITES = {
    "granholm": dict(name="Granholms kommun", color="#00594f", lang="sv",
                     menu=["Förskola och skola", "Omsorg och stöd", "Bygga och bo", "Kultur och fritid",
                           "Kommun och politik"],
                     aside=("Kontakt", ["Barn- och utbildningsförvaltningen", "Telefon 0123-45 60 00",
                                        "bun@granholm.example.se"]),
                     related=["Skolval och skolplacering", "Nationella prov och betyg", "Kvalitetsarbete i skolan"],
                     shell="main"),
    "vasterby": dict(name="Västerby kommun", color="#7b2c3f", lang="sv-SE",
                     menu=["Barn och utbildning", "Omsorg", "Trafik och infrastruktur", "Uppleva och göra",
                           "Politik och demokrati"],
                     aside=("Relaterat", ["Ansök om förskoleplats", "Förskolor i Västerby", "Maxtaxa"]),
                     related=["Vårdnadshavarenkäten 2023", "Förskolans läroplan"],
                     shell="div"),
    "ekbacka": dict(name="Ekbacka kommun", color="#2e5e3e", lang="sv",
                    menu=["Utbildning", "Socialt stöd", "Miljö", "Näringsliv", "Kommunen"],
                    aside=("Dokument", ["Mall för kvalitetsrapport (Word)", "Mall för verksamhetsplan (Word)",
                                        "Skolverkets allmänna råd"]),
                    related=["Systematiskt kvalitetsarbete", "Styrdokument för skolan"],
                    shell="main"),
    "angsbacka": dict(name="Ängsbacka kommun", color="#1d4f91", lang="sv",
                      menu=["Förskola", "Grundskola", "Gymnasium och vuxenutbildning", "Kommun och politik"],
                      aside=("På den här sidan", ["Sammanfattning", "Måluppfyllelse", "Ekonomi", "Risker"]),
                      related=["Delårsrapport augusti 2022", "Budget 2024"],
                      shell="main"),
    "hallevik": dict(name="Hällevik kommun", color="#004b87", lang="sv-SE",
                     menu=["Skola och förskola", "Vård och omsorg", "Bo och bygga", "Fritid", "Kommun och politik"],
                     aside=("Hitta snabbt", ["Nämndens protokoll", "Budget och årsredovisning", "Kontakta nämnden"]),
                     related=["Årsredovisning 2023 för Hällevik kommun", "Nämndens verksamhetsplan 2024"],
                     shell="article-only"),
}


def _links(items, cls=None):
    c = f' class="{cls}"' if cls else ""
    return f"<ul{c}>\n" + "\n".join(
        f'          <li><a href="/{html.escape(i.lower().replace(" ", "-"))}">{html.escape(i)}</a></li>'
        for i in items) + "\n        </ul>"


def site_page(key, title, crumbs, article_html, updated):
    s = SITES[key]
    name = s["name"]
    slug = key
    crumb_html = " <span aria-hidden=\"true\">›</span> ".join(
        f'<a href="/{html.escape(c.lower().replace(" ", "-"))}">{html.escape(c)}</a>' for c in crumbs[:-1]
    ) + f' <span aria-hidden="true">›</span> <span aria-current="page">{html.escape(crumbs[-1])}</span>'
    cookie = f"""  <div id="cookie-banner" class="cookie-consent" role="dialog" aria-label="Kakor">
    <p>Vi använder kakor (cookies) för att webbplatsen ska fungera och för att förbättra den. Du kan själv välja vilka kakor du godkänner.</p>
    <button type="button" class="btn-accept">Godkänn alla kakor</button>
    <button type="button" class="btn-necessary">Endast nödvändiga</button>
    <a href="/om-webbplatsen/kakor">Läs mer om kakor</a>
  </div>"""
    header = f"""  <header class="site-header">
    <a class="skip" href="#innehall">Till innehållet</a>
    <a class="logo" href="/"><img src="/images/{slug}-logo.svg" alt="{html.escape(name)}, startsida"></a>
    <form class="search" action="/sok" role="search"><label for="q">Sök på webbplatsen</label><input id="q" name="q" type="search"><button>Sök</button></form>
    <nav class="main-menu" aria-label="Huvudmeny">
        {_links(s["menu"])}
    </nav>
  </header>"""
    aside_title, aside_items = s["aside"]
    aside = f"""    <aside class="sidebar">
      <h2 class="sidebar-title">{html.escape(aside_title)}</h2>
        {_links(aside_items)}
      <div class="related">
        <p class="related-title">Relaterade sidor</p>
        {_links(s["related"])}
      </div>
    </aside>"""
    footer = f"""  <footer class="site-footer">
    <div class="footer-col">
      <p><strong>{html.escape(name)}</strong><br>Kommunhuset, Storgatan 1<br>Telefon 0123-45 00 00</p>
    </div>
    <div class="footer-col">
      <p>Följ oss</p>
      <ul><li><a href="https://www.facebook.com/">Facebook</a></li><li><a href="https://www.instagram.com/">Instagram</a></li></ul>
    </div>
    <p class="legal"><a href="/tillganglighet">Tillgänglighetsredogörelse</a> · <a href="/personuppgifter">Behandling av personuppgifter</a> · <a href="/om-webbplatsen/kakor">Kakor</a></p>
  </footer>"""
    meta = f'      <p class="page-meta">Senast uppdaterad: <time datetime="{updated}">{updated}</time></p>'
    share = ('      <div class="page-tools"><a href="#" class="print">Skriv ut</a> '
             '<a href="#" class="listen">Lyssna</a> <a href="#" class="share">Dela</a></div>')
    crumbs_html = f'  <nav class="breadcrumb" aria-label="Du är här">{crumb_html}</nav>'
    style = f"""  <style>
    body {{ font-family: Arial, Helvetica, sans-serif; margin: 0; color: #222; }}
    .site-header {{ background: {s['color']}; color: #fff; padding: 12px 24px; }}
    .site-header a {{ color: #fff; }}
    .main-menu ul {{ list-style: none; display: flex; gap: 18px; padding: 0; }}
    .cookie-consent {{ position: fixed; bottom: 0; left: 0; right: 0; background: #333; color: #fff; padding: 12px 24px; }}
    .breadcrumb {{ padding: 8px 24px; font-size: 0.9em; }}
    .layout {{ display: flex; gap: 32px; padding: 0 24px; }}
    .sidebar {{ width: 260px; background: #f4f4f4; padding: 12px; }}
    table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #999; padding: 4px 8px; }}
    thead th {{ background: #eee; }}
    .site-footer {{ background: #222; color: #ddd; padding: 24px; margin-top: 40px; }}
  </style>"""
    head = f"""<!DOCTYPE html>
<html lang="{s['lang']}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(title)}</title>
  <meta name="description" content="{html.escape(title)}">
{style}
  <script>window.dataLayer = window.dataLayer || []; function consent(){{}}</script>
</head>
<body>"""
    if s["shell"] == "main":
        body = f"""{cookie}
{header}
{crumbs_html}
  <div class="layout">
    <main id="innehall">
      <article class="report">
{article_html}
      </article>
{meta}
{share}
    </main>
{aside}
  </div>
{footer}"""
    elif s["shell"] == "div":
        body = f"""{header}
{crumbs_html}
  <div class="layout">
{aside}
    <main id="innehall" class="content">
{share}
      <article>
{article_html}
      </article>
{meta}
    </main>
  </div>
{footer}
{cookie}"""
    else:  # article directly in a content div, no <main>
        body = f"""{cookie}
{header}
  <div id="page" class="page">
{crumbs_html}
    <div class="layout">
{aside}
      <div id="innehall" class="page-content">
      <article class="sv-text-portlet">
{article_html}
      </article>
{meta}
      </div>
    </div>
  </div>
{footer}"""
    return head + "\n" + body + "\n  <script src=\"/js/site.js\"></script>\n</body>\n</html>\n"
