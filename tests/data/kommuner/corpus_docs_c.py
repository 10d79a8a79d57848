"""Documents 25-36 of the plan (see make_corpus.PLAN)."""
from __future__ import annotations

import datetime as dt

from docx.shared import Pt

from corpus_docs_a import section
from corpus_kit import DocxB, HtmlB, Labels, PdfB, TextB, phrase, tkr
from corpus_site import site_page


# ======================================================================================
# 25. Ängsbacka: delårsrapport augusti 2023 on the municipality site
# ======================================================================================
def d25_angsbacka_delar_web(path):
    L = Labels(path.name, "Ängsbacka kommun",
               "Kommunens webbsida: cookie-banner, meny, brödsmulor, sidospalt 'På den här sidan' och "
               "sidfot runt <main><article>; indikatortabell och ekonomitabell med thead",
               "delarsrapport", 2023, None, "delår augusti 2023")
    a = HtmlB()
    a.h(1, "Delårsrapport augusti 2023 – Barn- och utbildningsnämnden")
    a.p("Delårsrapporten beskriver nämndens verksamhet, måluppfyllelse och ekonomi under perioden "
        "januari till augusti 2023. Rapporten behandlades av nämnden den 20 september 2023.", cls="ingress")
    a.h(2, "Sammanfattning", id_="sammanfattning")
    sm = ("Verksamheten har i stort bedrivits enligt plan. Kunskapsresultaten i årskurs 9 är de "
          "högsta på fem år, men tryggheten på högstadiet har minskat. Nämnden prognostiserar ett "
          "underskott på 3,7 mnkr, främst på grund av ökade kostnader för skolskjuts och särskilt stöd.")
    a.p(sm)
    L.sec("text", "Sammanfattning", phrase(sm, 3))
    a.h(2, "Måluppfyllelse", id_="maluppfyllelse")
    a.p("Tabellen visar nämndens indikatorer med utfall för 2022 och för perioden fram till augusti "
        "2023. Bedömningen anges som grön, gul eller röd.")
    rows = [
        ("Alla elever ska nå minst godtagbara kunskaper", "Andel elever i åk 9 med godkänt i alla ämnen",
         "74 %", "78 %", "80 %", "Gul", "Bästa resultatet sedan 2018."),
        ("Alla elever ska nå minst godtagbara kunskaper", "Meritvärde åk 9", "221", "229", "225", "Grön", ""),
        ("Alla elever ska känna sig trygga", "Andel elever i åk 8 som känner sig trygga", "83 %", "76 %",
         "85 %", "Röd", "Minskning på alla tre högstadieskolor."),
        ("Alla elever ska känna sig trygga", "Andel barn i förskolan vars vårdnadshavare anger att barnet är tryggt",
         "95 %", "96 %", "95 %", "Grön", ""),
        ("Förskolan ska ha utbildad personal", "Andel förskollärare", "37 %", "39 %", "45 %", "Gul",
         "Tre förskollärare nyanställda i augusti."),
    ]
    a.table(["Nämndmål", "Indikator", "Utfall 2022", "Utfall aug 2023", "Målnivå", "Bedömning", "Kommentar"],
            [list(r) for r in rows])
    for goal, ind, u22, u23, mal, bed, kom in rows:
        L.ind(ind, u22, goal=goal, period="2022")
        L.ind(ind, u23, goal=goal, target=mal, assessment=bed, comment=kom or None, period="delår augusti 2023")
    a.h(3, "Analys")
    an = ("Den minskade tryggheten i årskurs 8 sammanfaller med en ökning av konflikter i sociala "
          "medier som har tagits med in i skolan. Skolorna har förstärkt rastvärdningen och "
          "elevhälsan arbetar tillsammans med polisen och fritidsgårdarna.")
    a.p(an)
    L.sec("analys", "Analys", phrase(an, 3))
    a.h(2, "Ekonomi", id_="ekonomi")
    eco = [("Förskola", "152 300", "150 900", "1 400"), ("Grundskola och fritidshem", "318 700", "322 100", "-3 400"),
           ("Särskild undervisning och stöd", "24 600", "26 200", "-1 600"), ("Skolskjuts", "17 900", "18 000", "-100"),
           ("Totalt", "513 500", "517 200", "-3 700")]
    a.table(["Verksamhet", "Budget 2023 (tkr)", "Prognos 2023 (tkr)", "Avvikelse (tkr)"], [list(r) for r in eco])
    for item, bud, prog, avv in eco:
        L.cost(item, tkr(bud), column="Budget 2023 (tkr)")
        L.cost(item, tkr(prog), column="Prognos 2023 (tkr)")
        L.cost(item, tkr(avv), column="Avvikelse (tkr)")
    ek = ("Förskolan visar ett överskott eftersom barnantalet har varit lägre än beräknat. "
          "Tilläggsbelopp för elever i behov av särskilt stöd har ökat med 1,6 mnkr jämfört med "
          "budget.")
    a.p(ek)
    L.cost("Tilläggsbelopp för elever i behov av särskilt stöd", 1600)
    a.h(2, "Risker och möjligheter", id_="risker")
    risks = ["Fortsatt ökade kostnader för särskilt stöd under hösten.",
             "Svårigheter att rekrytera förskollärare till de nya avdelningarna i Ängsbacka centrum.",
             "Statsbidraget för likvärdig skola kan minska 2024."]
    a.ul(risks)
    for r in risks:
        L.sec("risk", "Risker och möjligheter", phrase(r, 0, 7))
    a.h(2, "Personal")
    pe = ("Sjukfrånvaron var 6,1 procent under perioden, en minskning från 7,0 procent 2022. "
          "Andelen legitimerade lärare i grundskolan var 82 procent.")
    a.p(pe)
    L.sec("text", "Personal", phrase(pe, 0))
    page = site_page("angsbacka", "Delårsrapport augusti 2023 - Ängsbacka kommun",
                     ["Start", "Kommun och politik", "Budget och uppföljning", "Delårsrapport augusti 2023"],
                     a.html(), updated="2023-09-25")
    path.write_text(page, encoding="utf-8")
    return L, a.outline


# ======================================================================================
# 26. Ängsbacka: kvalitetsrapport Ängsbackaskolan 2022/2023, PDF with numbered headings
# ======================================================================================
def d26_angsbacka_kr_pdf(path):
    L = Labels(path.name, "Ängsbacka kommun",
               "Skolans kvalitetsrapport som PDF: numrerade rubriker utan punkt (1, 2.1), "
               "resultattabell, utvecklingsområden med etiketterna Insats/Ansvarig/Kostnad/Uppföljning, "
               "tidplanstabell, avstavning",
               "kvalitetsrapport", 2023, "2022/23", None)
    b = PdfB(path, "Kvalitetsrapport Ängsbackaskolan 2022/2023", "Ängsbacka kommun – Ängsbackaskolan F–9",
             "Kvalitetsrapport 2022/2023", family="helvetica", base_size=10, accent="1D4F91")
    b.h(1, "Kvalitetsrapport Ängsbackaskolan F–9 läsåret 2022/2023")
    bg = ("Ängsbackaskolan är kommunens största grundskola med 634 elever från förskoleklass till "
          "årskurs 9. Skolan har ett fritidshem med 190 inskrivna elever och en resursskola för "
          "elever med behov av särskilt stöd. Rapporten har tagits fram av skolledningen i dialog "
          "med arbetslagen, elevhälsan och elevrådet.")
    section(b, L, "bakgrund", 2, "1 Bakgrund", [bg], start=2)
    b.h(2, "2 Resultat")
    b.h(3, "2.1 Kunskapsresultat")
    kr = ("Andelen elever med godkänt i alla ämnen ökade i både årskurs 6 och årskurs 9. Meritvärdet "
          "i årskurs 9 ligger över kommunens mål, men skillnaden mellan flickor och pojkar är fortsatt "
          "stor, 31 meritpoäng.")
    b.p(kr)
    L.sec("uppfoljning", "2.1 Kunskapsresultat", phrase(kr, 2))
    res = [("Andel elever i åk 6 med godkänt i alla ämnen", "79 %", "83 %", "85 %"),
           ("Andel elever i åk 9 med godkänt i alla ämnen", "73 %", "77 %", "80 %"),
           ("Meritvärde åk 9", "222,4", "228,9", "225"),
           ("Andel elever i åk 3 som klarat alla delprov i matematik", "77 %", "72 %", "85 %")]
    b.table([["Mått", "2021/22", "2022/23", "Mål"]] + [list(r) for r in res], widths=[8.6, 2.6, 2.6, 2.6])
    for ind, a, c, m in res:
        L.ind(ind, a, period="2021/22")
        L.ind(ind, c, target=m, period="2022/23")
    b.h(3, "2.2 Trygghet och studiero")
    ts = ("Skolans trygghetsenkät visar att 90 procent av eleverna i F–6 och 81 procent i årskurs "
          "7–9 känner sig trygga. Studieron upplevs som god av 74 procent av eleverna i årskurs 4–6 "
          "men bara av 55 procent i årskurs 7–9.")
    b.p(ts)
    L.sec("uppfoljning", "2.2 Trygghet och studiero", phrase(ts, 2))
    b.h(2, "3 Analys")
    an = ["De förbättrade resultaten i årskurs 6 och 9 kan kopplas till att alla lärare har arbetat "
          "med tydliga lektionsmål och återkoppling, och till att skolan har utökat special~"
          "pedagogiska insatser i matematik på mellanstadiet.",
          "Resultatet i matematik i årskurs 3 har däremot försämrats. Analysen i arbetslaget visar "
          "att eleverna har svårt med taluppfattning och att undervisningen i förskoleklass och "
          "årskurs 1 inte har haft en gemensam progression.",
          "Den låga studieron på högstadiet förklaras enligt eleverna av sena ankomster, mobil~"
          "telefoner och att lektionerna startar olika i olika ämnen."]
    for x in an:
        b.p(x)
    L.sec("analys", "3 Analys", phrase(an[0], 3))
    b.h(2, "4 Styrkor och svagheter")
    sv = ("Skolans styrkor är ett välfungerande elevhälsoarbete, engagerade arbetslag och goda "
          "resultat i svenska. Svagheterna är matematik i de lägre årskurserna och studieron i "
          "årskurs 7–9.")
    b.p(sv)
    L.sec("styrkor_svagheter", "4 Styrkor och svagheter", phrase(sv, 1))
    b.h(2, "5 Utvecklingsområden")
    areas = [("5.1 Taluppfattning i förskoleklass till årskurs 3",
              "Gemensam planering av matematikundervisningen i F–3 med stöd av Skolverkets modul om taluppfattning.",
              "Förstelärare i matematik", "35 tkr", "Kartläggning i december och maj."),
             ("5.2 Studiero i årskurs 7–9",
              "Gemensam lektionsstart, mobilfri skoldag och elevråd som följer upp arbetet varje månad.",
              "Biträdande rektor 7–9", "60 tkr", "Elevenkät i november och april.")]
    for title, ins, ansv, kost, upp in areas:
        b.h(3, title)
        b.label_p("Insats:", ins)
        b.label_p("Ansvarig:", ansv)
        b.label_p("Kostnad:", kost)
        b.label_p("Uppföljning:", upp)
        name = title.split(" ", 1)[1]
        L.sec("insats", title, phrase(ins, 0, 8), name)
        L.act(name, responsible=ansv)
        L.cost(name, tkr(kost))
    b.h(2, "6 Tidplan")
    tp = [("Kartläggning av taluppfattning i F–3", "September 2023", "Speciallärare"),
          ("Ny rutin för lektionsstart införs", "Oktober 2023", "Biträdande rektor 7–9"),
          ("Uppföljning av studiero i elevrådet", "Varje månad", "Elevrådets ordförande"),
          ("Utvärdering av utvecklingsområdena", "Juni 2024", "Rektor")]
    b.p("Tidplanen visar när de viktigaste stegen i utvecklingsarbetet ska genomföras under "
        "läsåret 2023/2024.")
    L.sec("tidplan", "6 Tidplan", "viktigaste stegen i utvecklingsarbetet ska genomföras under")
    b.table([["Aktivitet", "När", "Ansvarig"]] + [list(r) for r in tp], widths=[8.4, 3.6, 4.4])
    for act, nar, ansv in tp:
        L.act(act, deadline=nar, responsible=ansv)
    b.h(2, "7 Risker")
    risks = ["Personalomsättning bland lärare i matematik och NO på högstadiet.",
             "Fortsatt hög frånvaro hos en mindre grupp elever i årskurs 8.",
             "Minskade statsbidrag kan påverka resursskolans bemanning."]
    b.ul(risks)
    for r in risks:
        L.sec("risk", "7 Risker", phrase(r, 0, 7))
    b.save()
    return L, b.outline


# ======================================================================================
# 27. Tallmo: uppföljning av förra årets utvecklingsområden, Granbackens förskola, Markdown
#     with a tab-separated table
# ======================================================================================
def d27_tallmo_uppf_md(path):
    L = Labels(path.name, "Tallmo kommun",
               "Markdown: numrerade block '## N. Utvecklingsområde: ...' med underrubrikerna "
               "Uppföljning och Analys; tabbseparerad resultattabell",
               "aktivitetsuppfoljning", 2023, "2022/23", None)
    t = TextB(markdown=True)
    t.h(1, "Uppföljning av förra årets utvecklingsområden")
    t.p("Granbackens förskola, Tallmo kommun – läsåret 2022/23. Sammanställd av rektor och "
        "förskollärarna i juni 2023.")
    areas = [
        ("Högläsning och samtal om text",
         ["Alla fem avdelningar har haft planerad högläsning minst fyra gånger i veckan. "
          "Förskollärarna har använt samtalsmodellen med före-, under- och efterfrågor och har "
          "dokumenterat barnens reflektioner i lärplattan.",
          "Biblioteket har lånat ut boklådor på tema och tre föräldrar har läst på sina modersmål."],
         ["Barnen återberättar och ställer fler frågor om berättelserna än i början av läsåret. "
          "Effekten är tydligast där samma pedagog har läst för gruppen hela året.",
          "Vi behöver fortsätta med arbetet men lägga mer fokus på faktatexter."]),
        ("Matematik i utemiljön",
         ["Varje avdelning har haft en matematikpromenad i veckan. Barnen har sorterat, mätt och "
          "jämfört naturmaterial och de äldsta barnen har gjort enkla diagram över väder och "
          "temperatur."],
         ["Barnen använder fler matematiska begrepp som längre, kortare och lika många i leken. "
          "Aktiviteterna blev färre under vintern när personalbristen var som störst, vilket "
          "visar att arbetet är sårbart."]),
        ("Barns inflytande",
         ["Barnråd har införts på de tre äldre avdelningarna. Barnen har varit med och bestämt om "
          "innehållet i två temaarbeten och om inköp av nytt lekmaterial till gården."],
         ["De äldre barnen har fått ett tydligare inflytande, men de yngsta barnens inflytande är "
          "svårare att synliggöra. Pedagogerna behöver utveckla hur de tolkar och dokumenterar "
          "barnens kroppsspråk och val."]),
    ]
    for n, (name, upp, ana) in enumerate(areas, 1):
        t.h(2, f"{n}. Utvecklingsområde: {name}")
        t.h(3, "Uppföljning")
        for x in upp:
            t.p(x)
        t.h(3, "Analys")
        for x in ana:
            t.p(x)
        L.act(name)
        L.sec("uppfoljning", "Uppföljning", phrase(upp[0], 3), name)
        L.sec("analys", "Analys", phrase(ana[0], 2), name)
    t.h(2, "Resultat från vårdnadshavarenkäten")
    res = [("Mitt barn känner sig tryggt på förskolan", "94 %", "97 %"),
           ("Mitt barn får stöd i sin språkutveckling", "85 %", "91 %"),
           ("Jag får information om mitt barns lärande", "72 %", "78 %")]
    t.p("Andel vårdnadshavare som instämmer helt eller delvis (svarsfrekvens 64 procent).")
    t.tsv([["Påstående", "2022", "2023"]] + [list(r) for r in res])
    for ind, a, c in res:
        L.ind(ind, a, period="2022")
        L.ind(ind, c, period="2023")
    t.h(2, "Slutsatser inför läsåret 2023/24")
    sl = ("Arbetet med högläsning har gett tydliga resultat och blir en del av den ordinarie "
          "undervisningen. Matematik i utemiljön och barns inflytande för de yngsta barnen blir "
          "förskolans utvecklingsområden även nästa läsår.")
    t.p(sl)
    L.sec("analys", "Slutsatser inför läsåret 2023/24", phrase(sl, 3))
    t.save(path)
    return L, t.outline


# ======================================================================================
# 28. Hällevik: huvudmannens kvalitetsrapport 2023, Word: numbered list of risks (numPr),
#     styrkor/svagheter table, tidplan table, cost table
# ======================================================================================
def d28_hallevik_huvudman_kr(path):
    L = Labels(path.name, "Hällevik kommun",
               "Huvudmannens kvalitetsrapport i Word: Heading 1-3, insatser med etikettstycken "
               "(Åtgärd/Mål/Ansvar/Uppföljning), styrkor och svagheter i tabell, automatiskt numrerad "
               "risklista, tidplan- och kostnadstabell",
               "kvalitetsrapport", 2023, "2022/23", None)
    b = DocxB("Huvudmannens kvalitetsrapport 2023", dt.datetime(2023, 10, 3, 13, 30),
              author="Kvalitetsutvecklare BUF", header_text="Hällevik kommun | Barn- och utbildningsnämnden",
              footer_text="Huvudmannens kvalitetsrapport 2023", heading_color="004B87")
    b.title("Huvudmannens kvalitetsrapport 2023",
            "Barn- och utbildningsnämnden, Hällevik kommun – avser läsåret 2022/23")
    b.h(2, "Bakgrund")
    bg = ("Kvalitetsrapporten bygger på enheternas kvalitetsrapporter, kvalitetsdialoger med "
          "rektorerna och nationell statistik. Den beskriver huvudmannens bild av förskola, "
          "grundskola och fritidshem samt de insatser som nämnden prioriterar för kommande läsår.")
    b.p(bg)
    L.sec("bakgrund", "Bakgrund", phrase(bg, 2))
    b.h(3, "Delaktighet")
    de = ("Rektorerna har deltagit i två kvalitetsdialoger under läsåret. Rapporten har samverkats "
          "med de fackliga organisationerna och elevernas synpunkter har inhämtats genom "
          "elevrådens ordförandeträffar.")
    b.p(de)
    L.sec("bakgrund", "Delaktighet", phrase(de, 3))
    b.h(3, "Nulägesanalys")
    b.p("Analysen pekar på några områden som huvudmannen behöver prioritera:")
    nl = ["Resultaten i matematik har sjunkit i årskurs 3 och 6 två år i rad.",
          "Den upprepade frånvaron har ökat, särskilt bland elever i årskurs 7–9.",
          "Anmälningar om kränkande behandling följs inte upp på samma sätt på alla enheter."]
    b.ul(nl)
    L.sec("analys", "Nulägesanalys", phrase(nl[0], 0, 10))
    b.h(2, "Insatser")
    ins = [("Insats 1: Stärkt undervisning i matematik",
            "Matematiklyftet genomförs på alla skolor med årskurs 1–6 och förstelärare i matematik handleder kollegor.",
            "Andelen elever med lägst E i matematik i åk 6 ska öka till 90 procent.",
            "Skolchef och rektorer", "Resultat på nationella prov och terminsbetyg följs upp i juni 2024."),
           ("Insats 2: Närvarofrämjande arbete",
            "En gemensam närvarotrappa införs och elevhälsan får en närvarosamordnare på heltid.",
            "Andelen elever med mer än 15 procents frånvaro ska minska till under 8 procent.",
            "Elevhälsochef", "Frånvarostatistik redovisas för nämnden varje tertial."),
           ("Insats 3: Systematisk uppföljning av kränkande behandling",
            "Ett nytt digitalt verktyg för anmälan och uppföljning av kränkande behandling tas i bruk.",
            "Alla anmälningar ska vara utredda och avslutade inom fyra veckor.",
            "Kvalitetsutvecklare", "Uppföljning i kvalitetsdialogerna i november och maj.")]
    for title, atg, mal, ansv, upp in ins:
        b.h(3, title)
        b.label_p("Åtgärd:", atg)
        b.label_p("Mål:", mal)
        b.label_p("Ansvar:", ansv)
        b.label_p("Uppföljning:", upp)
        name = title.split(": ", 1)[1]
        L.sec("insats", title, phrase(atg, 0, 8), name)
        L.act(name, goal=mal, responsible=ansv)
    b.h(2, "Styrkor och svagheter")
    b.p("Sammanställningen bygger på enheternas egna bedömningar och huvudmannens kvalitetsdialoger.")
    b.table([["Styrkor", "Svagheter"],
             ["Hög trygghet i förskolan och i årskurs F–6", "Sjunkande resultat i matematik"],
             ["Stabil rektorsgrupp med låg omsättning", "Ojämn uppföljning av kränkande behandling"],
             ["God tillgång till elevhälsa", "Låg andel förskollärare i de norra förskolorna"]],
            widths=[8.0, 8.0])
    L.sec("styrkor_svagheter", "Styrkor och svagheter", "Stabil rektorsgrupp med låg omsättning")
    b.h(2, "Risker")
    risks = ["Bristen på behöriga matematiklärare kan göra det svårt att genomföra matematiklyftet.",
             "Närvarosamordnaren finansieras med statsbidrag som kan minska efter 2024.",
             "Införandet av det digitala verktyget kan försenas av upphandlingen."]
    b.ol(risks)
    for r in risks:
        L.sec("risk", "Risker", phrase(r, 0, 8))
    b.h(2, "Tidplan")
    b.table([["Insats", "Start", "Klart", "Uppföljning"],
             ["Stärkt undervisning i matematik", "Augusti 2023", "Juni 2025", "Juni 2024"],
             ["Närvarofrämjande arbete", "Oktober 2023", "Juni 2024", "Varje tertial"],
             ["Systematisk uppföljning av kränkande behandling", "Januari 2024", "December 2024", "November och maj"]],
            widths=[6.6, 3.0, 3.0, 3.4])
    tp = ("Insatserna startar under hösten 2023 och vintern 2024 och följs upp i nämnden varje "
          "tertial enligt tabellen.")
    b.p(tp)
    L.sec("tidplan", "Tidplan", phrase(tp, 1))
    b.h(2, "Kostnader")
    b.p("Kostnaderna finansieras inom nämndens ram och med statsbidrag enligt tabellen.")
    costs = [("Matematiklyftet, handledning och vikarier", "420"), ("Närvarosamordnare", "640"),
             ("Digitalt verktyg för kränkande behandling", "95"), ("Totalt", "1 155")]
    b.table([["Insats", "Kostnad (tkr)"]] + [list(c) for c in costs], widths=[11.0, 4.0])
    for item, v in costs:
        L.cost(item, tkr(v))
    b.save(path)
    return L, b.outline


# ======================================================================================
# 29. Ekbacka: tertialrapport T2 2023 as a Stratsys PDF: goal headings, indicator tables with
#     colour status, and an unruled two-column uppdrag table
# ======================================================================================
def d29_ekbacka_t2_stratsys_pdf(path):
    L = Labels(path.name, "Ekbacka kommun",
               "Stratsys-rapport som PDF: perspektiv och nämndmål som rubriker, indikatortabell med "
               "status i färg (Grön/Gul/Röd), uppdragstabell utan linjer med kolumnerna Uppdrag och "
               "Kommentar T2 2023",
               "delarsrapport", 2023, None, "T2 2023")
    b = PdfB(path, "Tertialrapport 2 2023 BUN", "Ekbacka kommun · Stratsys", "Tertialrapport 2 2023",
             family="liberation", base_size=9.5, accent="2E5E3E", footer_style="center")
    b.h(1, "Tertialrapport 2 2023 – Barn- och utbildningsnämnden")
    b.small("Rapporten är skapad i Stratsys 2023-09-12. Perioden omfattar januari–augusti 2023.")
    goals = [
        ("Medborgare", "Alla elever ska uppleva trygghet och studiero", [
            ("Andel elever i åk 5 som känner sig trygga", "91 %", "95 %", "Gul", "Enkät februari 2023."),
            ("Andel elever i åk 8 som upplever studiero", "63 %", "70 %", "Röd", "Minskning från 66 %."),
        ], "Skolorna har infört gemensamma ordningsregler och rastaktiviteter. Effekten på studieron "
           "i årskurs 8 syns ännu inte i enkäten."),
        ("Verksamhet", "Fler elever ska nå kunskapskraven", [
            ("Andel elever i åk 9 behöriga till yrkesprogram", "89,2 %", "88 %", "Grön", None),
            ("Andel elever i åk 6 med godkänt i alla ämnen", "80 %", "85 %", "Gul", "Ökning med 3 procentenheter."),
        ], "Resultaten i årskurs 9 är de bästa sedan 2019. Lovskolan hade 96 deltagare."),
        ("Medarbetare", "Ekbacka ska ha kompetenta medarbetare", [
            ("Andel legitimerade lärare", "84 %", "85 %", "Grön", None),
        ], "Rekryteringsläget har förbättrats efter den gemensamma annonseringen i våras."),
    ]
    for per, goal, rows, kom in goals:
        b.h(2, f"Perspektiv: {per}")
        b.h(3, f"Nämndmål: {goal}")
        b.table([["Indikator", "Utfall T2 2023", "Målvärde 2023", "Status", "Kommentar"]]
                + [["" if v is None else v for v in r] for r in rows], widths=[6.0, 2.2, 2.3, 1.7, 4.4])
        for ind, utf, mal, st, k in rows:
            L.ind(ind, utf, goal=goal, perspective=per, target=mal, assessment=st, comment=k, period="T2 2023")
        b.label_p("Kommentar T2 2023:", kom)
    b.h(2, "Uppdrag")
    upp = [("Ta fram en plan för att minska den upprepade frånvaron i grundskolan (BUN)", "BUN",
            "Planen beslutades i maj och införs från höstterminen. Uppdraget är genomfört.", "Genomfört"),
           ("Utveckla samarbetet med näringslivet kring praktik för elever i åk 8 (BUN)", "BUN",
            "Avtal med 34 arbetsplatser är klara. Uppdraget pågår.", "Pågående"),
           ("Se över taxan för kulturskolan (Kultur- och fritidsnämnden)", "Kultur- och fritidsnämnden",
            "Uppdraget har inte påbörjats.", "Ej påbörjad")]
    b.table([["Uppdrag", "Kommentar T2 2023"]] + [[u, k] for u, _, k, _ in upp], widths=[8.6, 8.0],
            grid=False, zebra=False, header_bg=None)
    for text, nmd, kom, st in upp:
        L.act(text.rsplit(" (", 1)[0], committee=nmd, comment=kom, status=st)
    b.h(2, "Ekonomi")
    ek = ("Prognosen för helåret är ett underskott på 2,4 mnkr. Underskottet beror på högre "
          "kostnader för skolskjutsar, 1,5 mnkr, och för elever i andra kommuners skolor, 0,9 mnkr.")
    b.p(ek)
    L.sec("text", "Ekonomi", phrase(ek, 2))
    L.cost("underskott", -2400)
    L.cost("skolskjutsar", 1500)
    L.cost("elever i andra kommuners skolor", 900)
    b.save()
    return L, b.outline


# ======================================================================================
# 30. Hällevik: verksamhetsberättelse 2023 on the municipality site (no <main>)
# ======================================================================================
def d30_hallevik_vb_web(path):
    L = Labels(path.name, "Hällevik kommun",
               "Kommunens webbsida utan <main>: cookie-banner, meny, brödsmulor, sidospalt och sidfot "
               "runt en <article> i en innehålls-div; måltabell och ekonomitabell med thead",
               "verksamhetsberattelse", 2023, None, "helår 2023")
    a = HtmlB()
    a.h(1, "Verksamhetsberättelse 2023 – Barn- och utbildningsnämnden")
    a.p("Här sammanfattar barn- och utbildningsnämnden verksamhetsåret 2023: viktiga händelser, "
        "måluppfyllelse, ekonomi och de utmaningar nämnden ser framåt.", cls="ingress")
    a.h(2, "Året i korthet")
    ev = ["Nya Strandskolan för årskurs F–6 invigdes i augusti.",
          "Alla skolor införde mobilfria lektioner från höstterminen.",
          "Fritidshemmen fick en gemensam plan för undervisningen.",
          "Nämnden beslutade om ny skolskjutsupphandling tillsammans med två grannkommuner."]
    a.ul(ev)
    L.sec("text", "Året i korthet", phrase(ev[1], 0, 7))
    a.h(2, "Måluppfyllelse")
    rows = [("Fler elever ska fullfölja sin utbildning", "Andel elever i åk 9 behöriga till yrkesprogram",
             "87,1 %", "88 %", "Delvis uppnått"),
            ("Fler elever ska fullfölja sin utbildning", "Genomsnittligt meritvärde åk 9", "226,0", "225", "Uppnått"),
            ("Alla barn och elever ska känna sig trygga", "Andel elever i åk 4–9 som känner sig trygga",
             "89 %", "90 %", "Delvis uppnått"),
            ("Hällevik ska vara en attraktiv arbetsgivare", "Sjukfrånvaro", "7,1 %", "6,0 %", "Ej uppnått")]
    a.table(["Nämndmål", "Indikator", "Utfall 2023", "Målvärde", "Bedömning"], [list(r) for r in rows])
    for goal, ind, utf, mal, bed in rows:
        L.ind(ind, utf, goal=goal, target=mal, assessment=bed, period="2023")
    a.h(2, "Verksamhetens resultat")
    a.h(3, "Förskola")
    fo = ("Förskolan hade i genomsnitt 1 120 inskrivna barn. Andelen förskollärare ökade till "
          "41 procent och alla förskolor har nu en gemensam struktur för undervisning i språk.")
    a.p(fo)
    L.sec("uppfoljning", "Förskola", phrase(fo, 3))
    a.h(3, "Grundskola och fritidshem")
    gr = ("Resultaten i årskurs 9 förbättrades och meritvärdet passerade målvärdet för första gången. "
          "Frånvaron minskade men är fortfarande högre än före pandemin.")
    a.p(gr)
    L.sec("uppfoljning", "Grundskola och fritidshem", phrase(gr, 2))
    a.h(2, "Ekonomi")
    eco = [("Förskola", "187 500", "185 900", "1 600"), ("Grundskola och fritidshem", "402 800", "404 000", "-1 200"),
           ("Grundsärskola", "23 100", "23 900", "-800"), ("Skolskjuts", "26 400", "27 500", "-1 100"),
           ("Nämnd och förvaltning", "41 200", "40 200", "1 000"), ("Summa", "681 000", "681 500", "-500")]
    a.table(["Verksamhet", "Budget (tkr)", "Utfall (tkr)", "Avvikelse (tkr)"], [list(r) for r in eco])
    for item, bud, utf, avv in eco:
        L.cost(item, tkr(bud), column="Budget (tkr)")
        L.cost(item, tkr(utf), column="Utfall (tkr)")
        L.cost(item, tkr(avv), column="Avvikelse (tkr)")
    a.p("Nämnden redovisar ett litet underskott på 0,5 mnkr. Underskottet inom skolskjutsen beror "
        "på nya linjer till Strandskolan.")
    a.h(2, "Slutsatser")
    sl = ("Nämnden bedömer att verksamheten 2023 har utvecklats i rätt riktning. De mobilfria "
          "lektionerna och satsningen på närvaro har bidragit till bättre studiero och resultat.")
    a.p(sl)
    L.sec("analys", "Slutsatser", phrase(sl, 4))
    a.h(2, "Framtida utmaningar")
    risks = ["Sjukfrånvaron bland medarbetarna är fortsatt hög.",
             "Minskande barnkullar ställer krav på anpassning av förskolans lokaler.",
             "Kostnaderna för skolskjuts ökar när den nya upphandlingen börjar gälla."]
    a.ul(risks)
    for r in risks:
        L.sec("risk", "Framtida utmaningar", phrase(r, 0, 7))
    page = site_page("hallevik", "Verksamhetsberättelse 2023 Barn- och utbildningsnämnden – Hällevik kommun",
                     ["Startsida", "Kommun och politik", "Nämnder", "Barn- och utbildningsnämnden",
                      "Verksamhetsberättelse 2023"], a.html(), updated="2024-03-12")
    path.write_text(page, encoding="utf-8")
    return L, a.outline


# ======================================================================================
# 31. Myrviken: kvalitetsrapport fritidshemmet Ekenskolan; no year anywhere in the text, the
#     year is in the DOCX core properties only
# ======================================================================================
def d31_myrviken_fritids(path):
    L = Labels(path.name, "Myrvikens kommun",
               "Kort Word-rapport för fritidshemmet: Heading 1-2, automatiskt numrerad lista; årtal "
               "saknas i texten och finns bara i dokumentegenskaperna (titel, skapad)",
               "kvalitetsrapport", 2022, "2021/22", None)
    b = DocxB("Kvalitetsrapport fritidshemmet Ekenskolan läsåret 2021/22", dt.datetime(2022, 6, 14, 9, 25),
              author="Rektor Ekenskolan", font="Calibri", size=11, heading_color="354F52",
              subject="Systematiskt kvalitetsarbete", keywords="fritidshem; kvalitetsrapport; 2021/22")
    b.title("Kvalitetsrapport fritidshemmet Ekenskolan")
    fo = ("Fritidshemmet har 96 inskrivna elever från förskoleklass till årskurs 3 fördelade på tre "
          "avdelningar. Personalen består av fem grundlärare med inriktning mot fritidshem och tre "
          "barnskötare.")
    section(b, L, "bakgrund", 2, "Fritidshemmets förutsättningar", [fo], start=1)
    b.h(2, "Måluppfyllelse")
    b.h(3, "Undervisningen i fritidshemmet")
    un = ("Under läsåret har undervisningen planerats i veckoplaneringar med mål från läroplanens "
          "fjärde del. Personalen har dokumenterat aktiviteterna och elevernas lärande i en "
          "gemensam loggbok som följts upp varje månad.")
    b.p(un)
    L.sec("uppfoljning", "Undervisningen i fritidshemmet", phrase(un, 2))
    b.h(3, "Elevernas inflytande")
    ei = ("Eleverna har varit med och planerat aktiviteterna genom fritidsråd varannan vecka. I "
          "elevenkäten svarade 82 procent att de får vara med och bestämma vad de ska göra på "
          "fritids, jämfört med 70 procent förra läsåret.")
    b.p(ei)
    L.sec("uppfoljning", "Elevernas inflytande", phrase(ei, 2))
    b.h(2, "Analys")
    an = ("Fritidsrådet har gett eleverna ett verkligt inflytande, och det märks i att fler elever "
          "deltar i de planerade aktiviteterna. Samverkan med skolan är däremot svag; "
          "fritidspersonalen deltar sällan i klassernas planering.")
    b.p(an)
    L.sec("analys", "Analys", phrase(an, 2))
    b.h(2, "Utvecklingsområden inför nästa läsår")
    ut = ["Gemensam planeringstid för lärare och fritidspersonal en gång i veckan.",
          "Utveckla utomhusaktiviteter med koppling till naturvetenskap.",
          "Tydligare information till vårdnadshavare om fritidshemmets undervisning."]
    b.ol(ut)
    for x in ut:
        L.sec("insats", "Utvecklingsområden inför nästa läsår", phrase(x, 0, 7))
    b.h(2, "Risker och hinder")
    ri = ("En grundlärare med inriktning mot fritidshem går i pension i december och det är svårt "
          "att rekrytera behörig personal. Lokalerna delas med skolans klassrum, vilket begränsar "
          "vilka aktiviteter som kan erbjudas.")
    b.p(ri)
    L.sec("risk", "Risker och hinder", phrase(ri, 1))
    b.save(path)
    return L, b.outline


# ======================================================================================
# 32. Västerby: årsredovisning 2022, PDF with two-column narrative pages
# ======================================================================================
def d32_vasterby_ar_2022(path):
    L = Labels(path.name, "Västerby kommun",
               "Årsredovisning som PDF: första sidan i en spalt, verksamhetsavsnitten i två spalter, "
               "tabeller i en spalt; sidhuvud och 'Sida N av M', avstavning",
               "verksamhetsberattelse", 2022, None, "helår 2022")
    b = PdfB(path, "Årsredovisning 2022 Barn- och utbildningsnämnden", "Västerby kommun",
             "Årsredovisning 2022 – Barn- och utbildningsnämnden", family="dejavuserif", base_size=9.5,
             accent="7B2C3F")
    b.h(1, "Årsredovisning 2022 – Barn- och utbildningsnämnden")
    sm = ("Barn- och utbildningsnämnden redovisar ett överskott på 1,8 mnkr för 2022. Kunskaps~"
          "resultaten i grundskolan förbättrades, medan andelen förskollärare fortsatte att vara "
          "lägre än nämndens mål. Året präglades av mottagandet av barn och elever från Ukraina och "
          "av stigande priser på livsmedel och energi.")
    section(b, L, "text", 2, "Sammanfattning", [sm], start=2)
    b.h(2, "Nämndens ansvarsområde")
    na = ("Nämnden ansvarar för förskola, pedagogisk omsorg, grundskola, grundsärskola, fritidshem "
          "och skolskjuts. I verksamheterna fanns 5 210 barn och elever och 1 140 medarbetare i "
          "december 2022.")
    b.p(na)
    L.sec("bakgrund", "Nämndens ansvarsområde", phrase(na, 1))
    b.h(2, "Viktiga händelser under året")
    ev = ["Förskolan Ängen med åtta avdelningar öppnade i augusti.",
          "58 barn och elever från Ukraina togs emot i förskola och skola.",
          "Nämnden beslutade om en ny resursfördelningsmodell för grundskolan.",
          "Alla elever i årskurs 4–9 fick egna elevdatorer."]
    b.ul(ev)
    L.sec("text", "Viktiga händelser under året", phrase(ev[2], 0, 8))
    b.two_columns()
    b.h(2, "Verksamhetens utveckling")
    parts = [
        ("Förskola", ["Antalet barn i förskolan minskade med 64 jämfört med 2021. Två avdelningar "
                      "stängdes i Nyby och personalen flyttades till nya förskolan Ängen, som öppnade "
                      "i augusti med åtta avdelningar.",
                      "Förskolorna har arbetat med att tydliggöra förskollärarnas ansvar för "
                      "undervisningen. Andelen förskollärare var 35 procent, vilket är under målet på "
                      "40 procent."]),
        ("Grundskola", ["Meritvärdet i årskurs 9 ökade från 218,9 till 224,1 och andelen elever "
                        "behöriga till gymnasiet ökade till 87,5 procent. Ökningen är störst på de två "
                        "skolor som har arbetat med utökad undervisningstid i matematik.",
                        "Den upprepade frånvaron är fortsatt hög efter pandemin. Skolorna har infört "
                        "en gemensam närvarotrappa och elevhälsan har utökats med två kuratorer."]),
        ("Fritidshem", ["Fritidshemmen har haft 2 060 inskrivna elever. Ett gemensamt material för "
                        "planering av undervisningen har tagits fram och används på alla skolor."]),
        ("Grundsärskola", ["Grundsärskolan hade 71 elever, varav 24 läser i träningsskolan. Under "
                           "året har en ny lokal för träningsskolan på Västerbyskolan tagits i bruk.",
                           "Samarbetet med habiliteringen har utvecklats genom gemensamma "
                           "planeringsmöten för elever med omfattande behov."]),
        ("Skolskjuts", ["Skolskjutsen har transporterat i genomsnitt 1 240 elever per dag. Det nya "
                        "avtalet med trafikbolaget har gett färre förseningar, men kostnaderna ökade "
                        "med 0,5 mnkr jämfört med budget."]),
        ("Kompetensförsörjning", ["Andelen legitimerade lärare i grundskolan var 81 procent. "
                                  "Förvaltningen har tolv medarbetare i uppdragsutbildning till "
                                  "förskollärare och åtta lärare läser inom VAL-projektet.",
                                  "Personalomsättningen bland lärare minskade från 13 till 10 procent."]),
        ("Mottagande av barn och elever från Ukraina", [
            "Under året har 58 barn och elever från Ukraina tagits emot i förskola och skola. "
            "Introduktionen har samordnats av mottagningsenheten och kostnaderna har till stor del "
            "täckts av statlig ersättning."]),
    ]
    for title, paras in parts:
        b.h(3, title)
        for x in paras:
            b.p(x)
        L.sec("uppfoljning", title, phrase(paras[0], 2))
    b.h(2, "Framtiden")
    fr = ("Nämnden står inför minskande barnkullar i förskolan och ökande elevtal i högstadiet. "
          "Lokalbehoven behöver ses över och samtidigt måste kompetensförsörjningen säkras, "
          "särskilt när det gäller förskollärare och lärare i matematik.")
    b.p(fr)
    L.sec("analys", "Framtiden", phrase(fr, 1))
    b.one_column()
    b.h(2, "Måluppfyllelse")
    rows = [("Barn och elever utvecklas och lär", "Meritvärde åk 9", "218,9", "224,1", "222", "Uppnått"),
            ("Barn och elever utvecklas och lär", "Andel elever i åk 9 behöriga till gymnasiet", "85,2 %",
             "87,5 %", "88 %", "Delvis uppnått"),
            ("Förskolan har hög kvalitet", "Andel förskollärare", "34 %", "35 %", "40 %", "Ej uppnått"),
            ("Trygg och stimulerande lärmiljö", "Andel elever i åk 5 som känner sig trygga", "90 %", "91 %",
             "90 %", "Uppnått")]
    b.table([["Nämndmål", "Indikator", "2021", "2022", "Målvärde", "Måluppfyllelse"]] + [list(r) for r in rows],
            widths=[3.6, 4.8, 1.5, 1.5, 2.1, 3.1])
    for goal, ind, a, c, mal, bed in rows:
        L.ind(ind, a, goal=goal, period="2021")
        L.ind(ind, c, goal=goal, target=mal, assessment=bed, period="2022")
    b.h(2, "Ekonomi")
    eco = [("Förskola", "241,3", "238,9", "2,4"), ("Grundskola och fritidshem", "498,7", "499,6", "-0,9"),
           ("Grundsärskola", "31,2", "30,8", "0,4"), ("Skolskjuts", "22,9", "23,4", "-0,5"),
           ("Nämnd och förvaltning", "46,1", "45,7", "0,4"), ("Totalt", "840,2", "838,4", "1,8")]
    b.table([["Verksamhet", "Budget 2022 (mnkr)", "Utfall 2022 (mnkr)", "Avvikelse (mnkr)"]] + [list(r) for r in eco],
            widths=[6.2, 3.5, 3.5, 3.4], align_right_cols=(1, 2, 3))
    for item, bud, utf, avv in eco:
        L.cost(item, tkr(bud + " mnkr"), column="Budget 2022 (mnkr)")
        L.cost(item, tkr(utf + " mnkr"), column="Utfall 2022 (mnkr)")
        L.cost(item, tkr(avv + " mnkr"), column="Avvikelse (mnkr)")
    b.h(2, "Risker")
    risks = ["Fortsatt brist på förskollärare och behöriga lärare i matematik.",
             "Höjda livsmedels- och energipriser under 2023.",
             "Osäkerhet kring statsbidrag för likvärdig skola."]
    b.ul(risks)
    for r in risks:
        L.sec("risk", "Risker", phrase(r, 0, 7))
    b.save()
    return L, b.outline


# ======================================================================================
# 33. Björkfjärden: kvalitetsrapport Blåklockans förskola 2021-2022, Word with gridSpan
#     header, follow-up with bold inline labels, numbered list, footnote
# ======================================================================================
def d33_bjorkfjarden_kr_blaklockan(path):
    L = Labels(path.name, "Björkfjärdens kommun",
               "Förskolans kvalitetsrapport i Word: Heading 1-3, tabell med sammanslagen rubrikcell "
               "(gridSpan), uppföljning med fetstilta etiketter 'Uppföljning:'/'Analys:' i löptext, "
               "automatiskt numrerad lista, fotnot",
               "kvalitetsrapport", 2022, "2021/22", None)
    b = DocxB("Kvalitetsrapport Blåklockans förskola 2021-2022", dt.datetime(2022, 6, 22, 10, 10),
              author="Rektor Blåklockans förskola", header_text="Björkfjärdens kommun – Blåklockans förskola",
              font="Cambria", size=11, heading_color="2F5597")
    b.title("Kvalitetsrapport Blåklockans förskola läsåret 2021–2022")
    b.h(2, "Förskolans förutsättningar")
    fo = ("Blåklockans förskola har fyra avdelningar med 68 barn. Under läsåret har förskolan haft "
          "en ny rektor från januari och två av förskollärarna har varit föräldralediga.")
    b.p(fo, footnote="Antalet barn avser mätdatum 15 oktober 2021.")
    L.sec("bakgrund", "Förskolans förutsättningar", phrase(fo, 2))
    b.table([["Avdelning", "Barngrupper", None, "Personal"],
             [None, "Antal barn", "Ålder", None],
             ["Solen", "16", "1–3 år", "3"], ["Månen", "17", "2–4 år", "3"],
             ["Stjärnan", "18", "4–5 år", "3"], ["Kometen", "17", "4–5 år", "3"]],
            header_rows=2, merges=[(0, 1, 0, 2), (0, 0, 1, 0), (0, 3, 1, 3)], widths=[4.0, 3.0, 3.0, 3.0])
    b.h(2, "Resultat och analys")
    b.h(3, "Normer och värden")
    nv = ("Barnen på de äldre avdelningarna har arbetat med kompissamtal och konflikthantering. "
          "Observationerna visar att barnen i högre grad löser konflikter själva.")
    b.p(nv)
    L.sec("uppfoljning", "Normer och värden", phrase(nv, 4))
    b.h(3, "Omsorg, utveckling och lärande")
    ou = ("Alla avdelningar har arbetat med språk genom sagoväskor och rim och ramsor. I "
          "vårdnadshavarenkäten instämmer 88 procent i att förskolan stimulerar barnets "
          "språkutveckling.")
    b.p(ou)
    L.sec("uppfoljning", "Omsorg, utveckling och lärande", phrase(ou, 3))
    b.h(3, "Analys")
    an = ("Förskolan har lyckats behålla kvaliteten trots rektorsbytet, men planeringen av "
          "undervisningen har varit beroende av enskilda förskollärare. När de var lediga minskade "
          "den planerade undervisningen tydligt.")
    b.p(an)
    L.sec("analys", "Analys", phrase(an, 2))
    b.h(2, "Uppföljning av föregående års utvecklingsområden")
    prev = [("Språkutveckling",
             "Sagoväskor har tagits fram för alla avdelningar och används varje vecka.",
             "Barnens ordförråd har ökat enligt avdelningarnas observationer, men arbetet behöver "
             "spridas till de yngsta barnen."),
            ("Digitalisering",
             "Lärplattor används för dokumentation, men programmering med blue-bots har bara prövats på Kometen.",
             "Personalen behöver mer kompetensutveckling för att digitala verktyg ska bli en naturlig "
             "del av undervisningen.")]
    for name, upp, ana in prev:
        b.h(3, name)
        b.label_p("Uppföljning:", upp)
        b.label_p("Analys:", ana)
        L.act(name)
        L.sec("uppfoljning", name, phrase(upp, 1), name)
        L.sec("analys", name, phrase(ana, 2), name)
    b.h(2, "Utvecklingsområden läsåret 2022/23")
    ut = ["Likvärdig planering av undervisningen där alla förskollärare har gemensam planeringstid.",
          "Digitala verktyg i undervisningen med stöd av kommunens IKT-pedagog.",
          "Språkutveckling för de yngsta barnen med tecken som stöd."]
    b.ol(ut)
    for x in ut:
        L.sec("insats", "Utvecklingsområden läsåret 2022/23", phrase(x, 0, 7))
    b.h(2, "Kostnader")
    b.p("Kompetensutvecklingen i digitala verktyg beräknas kosta 28 tkr och TAKK-utbildningen "
        "för personalen 16 500 kr. Kostnaderna ryms i förskolans budget.")
    L.cost("Kompetensutvecklingen i digitala verktyg", 28)
    L.cost("TAKK-utbildningen", 16.5)
    b.save(path)
    return L, b.outline


# ======================================================================================
# 34. Sandhamra: årshjul as a Word table with months merged vertically
# ======================================================================================
def d34_sandhamra_arshjul_docx(path):
    L = Labels(path.name, "Sandhamra kommun",
               "Årshjul i Word: tabeller Månad/Aktivitet/Ansvarig/Underlag där månadscellen är "
               "vertikalt sammanslagen över flera aktiviteter (vMerge), en tabell per termin",
               "arshjul", 2024, "2023/24", None)
    b = DocxB("Årshjul systematiskt kvalitetsarbete grundskolan 2023/24", dt.datetime(2023, 8, 14, 8, 0),
              author="Grundskolechef", header_text="Sandhamra kommun – Grundskolan", heading_color="5B3A29")
    b.title("Årshjul för systematiskt kvalitetsarbete – grundskolan läsåret 2023/24")
    b.p("Årshjulet beskriver när de olika delarna av det systematiska kvalitetsarbetet genomförs på "
        "huvudmannanivå och på skolorna, vem som ansvarar och vilket underlag som används.")
    terms = [("Höstterminen", [
        ("Augusti", [("Analys av vårens betyg och nationella prov", "Rektor", "Betygsstatistik"),
                     ("Skolornas verksamhetsplaner färdigställs", "Rektor", "Kvalitetsrapport 2022/23")]),
        ("September", [("Kvalitetsdialog mellan grundskolechef och rektorer", "Grundskolechef", "Verksamhetsplaner")]),
        ("Oktober", [("Uppföljning av frånvaro och närvaroinsatser", "Elevhälsochef", "Frånvarostatistik"),
                     ("Huvudmannens kvalitetsrapport beslutas i nämnden", "Nämnden", "Kvalitetsrapport")]),
        ("December", [("Halvårsavstämning av utvecklingsområden", "Rektor", "Arbetslagens analyser")])]),
        ("Vårterminen", [
            ("Januari", [("Analys av terminsbetyg åk 6–9", "Rektor", "Betygsstatistik")]),
            ("Februari", [("Elevenkät om trygghet och studiero", "Kvalitetsutvecklare", "Enkät"),
                          ("Uppföljning av plan mot kränkande behandling", "Rektor", "Anmälningar")]),
            ("April", [("Kvalitetsdialog om elevhälsa", "Grundskolechef", "Elevhälsans årsrapport")]),
            ("Juni", [("Skolornas kvalitetsrapporter lämnas till förvaltningen", "Rektor", "Mall för kvalitetsrapport"),
                      ("Nya utvecklingsområden fastställs", "Rektor", "Kvalitetsrapport")])])]
    for term, months in terms:
        b.h(2, term)
        rows = [["Månad", "Aktivitet", "Ansvarig", "Underlag"]]
        merges = []
        for month, items in months:
            start = len(rows)
            for i, (act, resp, und) in enumerate(items):
                rows.append([month if i == 0 else None, act, resp, und])
                L.proc(month, act, resp)
            if len(items) > 1:
                merges.append((start, 0, start + len(items) - 1, 0))
        b.table(rows, merges=merges, widths=[2.6, 7.0, 3.2, 3.6], font_size=9.5)
    b.h(2, "Roller och ansvar")
    ro = ("Grundskolechefen ansvarar för huvudmannens uppföljning och för kvalitetsdialogerna. "
          "Rektor ansvarar för skolans kvalitetsarbete och för att lärare och elevhälsa deltar i "
          "analysen av resultaten.")
    b.p(ro)
    L.sec("text", "Roller och ansvar", phrase(ro, 1))
    b.save(path)
    return L, b.outline


# ======================================================================================
# 35. Åsbro: verksamhetsplan Kyrkbyskolan 2022, Word with drop-down status controls and a
#     short årshjul as a list
# ======================================================================================
def d35_asbro_vp_kyrkby(path):
    L = Labels(path.name, "Åsbro kommun",
               "Skolans verksamhetsplan i Word: Heading 1-2, aktivitetsplan med status i "
               "rullgardinslistor (innehållskontroller), punktlista 'Månad: aktivitet – ansvarig'",
               "verksamhetsplan", 2022, None, None)
    b = DocxB("Verksamhetsplan 2022 Kyrkbyskolan", dt.datetime(2022, 2, 10, 14, 0),
              author="Rektor Kyrkbyskolan", header_text="Åsbro kommun | Kyrkbyskolan F–6", font="Verdana",
              size=9.5, heading_color="3B5323")
    b.title("Verksamhetsplan 2022 – Kyrkbyskolan F–6")
    vi = ("Kyrkbyskolan är en F–6-skola med 188 elever och ett fritidshem med 104 inskrivna. Skolan "
          "ska ge alla elever en trygg skolgång med höga förväntningar och undervisning som utgår "
          "från elevernas behov.")
    section(b, L, "bakgrund", 2, "Vision och uppdrag", [vi], start=1)
    b.h(2, "Nämndens mål och skolans prioriteringar")
    pr = ["Alla elever ska ges förutsättningar att nå målen – skolan prioriterar läsning och matematik.",
          "Förskolan och skolan ska vara trygg – skolan prioriterar rastverksamhet och värdegrundsarbete."]
    b.ul(pr)
    for x in pr:
        L.sec("mal", "Nämndens mål och skolans prioriteringar", phrase(x, 0, 9))
    b.h(2, "Aktivitetsplan")
    b.p("Status uppdaterad i december 2022.", italic=True)
    opts = ["Ej startad", "Pågående", "Genomfört", "Delvis genomförd", "Uppskjuten"]
    plan = [("Alla elever ska ges förutsättningar att nå målen", "Läsfrämjande lektioner i åk 1–3",
             "Lärare åk 1–3", "Vt 2022", "Genomfört", "Alla klasser läser dagligen."),
            ("Alla elever ska ges förutsättningar att nå målen", "Matematikverkstad för elever i åk 4–6",
             "Speciallärare", "Ht 2022", "Delvis genomförd", "Lokalen blev klar först i november."),
            ("Förskolan och skolan ska vara trygg", "Rastvärdar och organiserade rastaktiviteter",
             "Fritidspedagoger", "Vt 2022", "Pågående", "Schemat justerades i augusti."),
            ("Förskolan och skolan ska vara trygg", "Värdegrundsdagar med elevrådet", "Kurator",
             "Ht 2022", "Uppskjuten", "Flyttas till mars 2023."),
            ("Förskolan och skolan ska vara trygg", "Trygghetsenkät för fritidshemmet", "Rektor",
             "December 2022", "Ej startad", "Enkäten är framtagen men inte utskickad.")]
    rows = [["Nämndmål", "Aktivitet", "Ansvarig", "Tidplan", "Status", "Kommentar"]]
    sdt = {}
    for i, (g, act, ansv, tid, st, kom) in enumerate(plan, 1):
        rows.append([g, act, ansv, tid, st, kom])
        sdt[(i, 4)] = (st, opts)
        L.act(act, status_raw=st, goal=g, responsible=ansv, deadline=tid, comment=kom)
    b.table(rows, sdt=sdt, widths=[3.6, 4.0, 2.6, 2.0, 2.4, 3.4], font_size=8.5)
    b.h(2, "Årshjul för uppföljning")
    steps = [("Augusti", "Kartläggning av läsförmåga i åk 1–3", "speciallärare"),
             ("Oktober", "Trygghetsvandring med elevrådet", "kurator"),
             ("Januari", "Halvårsuppföljning av aktivitetsplanen", "rektor"),
             ("Juni", "Kvalitetsrapport och nya prioriteringar", "rektor")]
    b.ul([f"{m}: {a} – {r}" for m, a, r in steps])
    for m, a, r in steps:
        L.proc(m, a, r)
    b.h(2, "Budget")
    b.p("Matematikverkstaden har en budget på 45 tkr för material. Värdegrundsdagarna beräknas "
        "kosta 12 000 kr.")
    L.cost("Matematikverkstaden", 45)
    L.cost("Värdegrundsdagarna", 12)
    b.save(path)
    return L, b.outline


# ======================================================================================
# 36. Rönnåsen: protokoll BUN 2023-09-20 as PDF
# ======================================================================================
def d36_ronnasen_protokoll_pdf(path):
    L = Labels(path.name, "Rönnåsens kommun",
               "Sammanträdesprotokoll som PDF: paragrafrubriker, Dnr-rader, underrubriker "
               "Sammanfattning av ärendet/Förslag till beslut/Beslut, investeringstabell i tkr",
               "protokoll", 2023, None, None)
    b = PdfB(path, "Protokoll BUN 2023-09-20", "RÖNNÅSENS KOMMUN", "SAMMANTRÄDESPROTOKOLL 2023-09-20",
             family="times", base_size=11, accent="000000", hyphenate=False,
             footer_left="Justerandes signatur ............  Utdragsbestyrkande ............")
    b.h(1, "Protokoll – Barn- och utbildningsnämnden")
    b.p("Sammanträdesdatum: 2023-09-20. Plats: Kommunhuset, sal Ronja, kl. 13.00–15.40.")
    b.h(2, "§ 61 Delårsrapport augusti 2023")
    b.p("Dnr BUN 2023/0188")
    b.h(3, "Sammanfattning av ärendet")
    s61 = ("Förvaltningen har tagit fram delårsrapport per den 31 augusti 2023. Prognosen för helåret "
           "visar ett underskott på 4,6 mnkr. Två av nämndens fem mål bedöms uppnås.")
    b.p(s61)
    L.sec("text", "Sammanfattning av ärendet", phrase(s61, 2))
    L.cost("underskott", -4600)
    b.h(3, "Förslag till beslut")
    b.p("Barn- och utbildningsnämnden godkänner delårsrapporten och överlämnar den till "
        "kommunstyrelsen.")
    b.h(3, "Beslut")
    b.p("Nämnden beslutar enligt förslaget.")
    b.h(2, "§ 62 Investeringsbudget 2024–2026")
    b.p("Dnr BUN 2023/0192")
    b.h(3, "Sammanfattning av ärendet")
    s62 = ("Förvaltningen föreslår investeringar på sammanlagt 9 850 tkr under perioden 2024–2026, "
           "främst inventarier till den nya förskolan i Östra Rönnåsen och digitala verktyg.")
    b.p(s62)
    L.sec("text", "Sammanfattning av ärendet", phrase(s62, 2))
    inv = [("Inventarier förskolan Östra Rönnåsen", "3 200", "0", "0"),
           ("Elevdatorer åk 4–9", "1 400", "1 400", "1 400"),
           ("Utemiljö förskolor", "600", "600", "600"),
           ("Summa", "5 200", "2 000", "2 000")]
    b.table([["Investering (tkr)", "2024", "2025", "2026"]] + [list(r) for r in inv],
            widths=[8.0, 2.8, 2.8, 2.8], align_right_cols=(1, 2, 3), header_bg=None)
    for item, a, c, d in inv:
        for col, v in (("2024", a), ("2025", c), ("2026", d)):
            L.cost(item, tkr(v), column=col)
    L.cost("investeringar", 9850)
    b.h(3, "Förslag till beslut")
    b.p("Nämnden föreslår kommunfullmäktige att anta investeringsbudgeten enligt förvaltningens förslag.")
    b.h(3, "Beslut")
    b.p("Nämnden beslutar enligt förslaget.")
    b.h(2, "§ 63 Ansökan om statsbidrag för läxhjälp")
    b.p("Dnr BUN 2023/0201")
    b.h(3, "Sammanfattning av ärendet")
    s63 = ("Förvaltningen har ansökt om statsbidrag för läxhjälp på 780 000 kr för läsåret 2023/24. "
           "Huvudmannen ska själv finansiera minst 30 procent, vilket motsvarar 334 000 kr.")
    b.p(s63)
    L.sec("text", "Sammanfattning av ärendet", phrase(s63, 3))
    L.cost("statsbidrag för läxhjälp", 780)
    L.cost("finansiera minst 30 procent", 334)
    b.h(3, "Beslut")
    b.p("Nämnden godkänner ansökan i efterhand.")
    b.h(2, "§ 64 Kvalitetsrapport för förskolan läsåret 2022/23")
    b.p("Dnr BUN 2023/0175")
    b.h(3, "Sammanfattning av ärendet")
    s64 = ("Kvalitetsrapporten visar att tryggheten i förskolan är hög och att arbetet med "
           "språkutveckling har gett resultat. Utvecklingsområden är dokumentation och andelen "
           "förskollärare, som var 33 procent.")
    b.p(s64)
    L.sec("text", "Sammanfattning av ärendet", phrase(s64, 2))
    b.h(3, "Förslag till beslut")
    b.p("Nämnden godkänner kvalitetsrapporten för förskolan läsåret 2022/23.")
    b.h(3, "Beslut")
    b.p("Nämnden beslutar enligt förslaget.")
    b.save()
    return L, b.outline
