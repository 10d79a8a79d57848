"""Documents 13-24 of the plan (see make_corpus.PLAN)."""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from corpus_docs_a import section
from corpus_kit import DocxB, HtmlB, Labels, PdfB, TextB, phrase, tkr, write_csv
from corpus_site import site_page


# ======================================================================================
# 13. Solberga: kvalitetsredovisning Ängsskolan 2022, Word with bold Normal paragraphs as
#     headings, a text box and a nested table
# ======================================================================================
def d13_solberga_kr_angsskolan(path):
    L = Labels(path.name, "Solberga kommun",
               "Enkel Word-mall utan rubrikformat: rubriker är fetstilta Normal-stycken; textruta "
               "med rektors reflektion; layouttabell med en nästlad nyckeltalstabell",
               "kvalitetsrapport", 2022, None, None)
    b = DocxB("Kvalitetsredovisning 2022 Ängsskolan", dt.datetime(2023, 2, 2, 15, 40),
              author="Rektor Ängsskolan", heading_mode="bold", font="Times New Roman", size=12,
              header_text="SOLBERGA KOMMUN – Ängsskolan årskurs 7–9")
    b.title("Kvalitetsredovisning 2022 – Ängsskolan årskurs 7–9")
    sm = ("Ängsskolan har under 2022 höjt både meritvärdet och andelen elever som är behöriga till "
          "gymnasiet. Tryggheten är fortsatt god, men studieron i årskurs 8 behöver förbättras. "
          "Skolans viktigaste utvecklingsområde under 2023 är att stärka undervisningen i matematik.")
    section(b, L, "text", 2, "Sammanfattning", [sm], start=2)
    fo = ("Skolan hade 356 elever i årskurs 7–9 hösten 2022 fördelade på fyra parallella klasser. "
          "Av lärarna var 88 procent legitimerade. Skolan har en resursenhet för elever med "
          "neuropsykiatriska funktionsnedsättningar med plats för tolv elever.")
    section(b, L, "bakgrund", 2, "Förutsättningar", [fo], start=3)
    b.h(2, "Måluppfyllelse")
    mu = ("Resultaten i årskurs 9 förbättrades på alla nyckeltal. Ökningen är störst bland pojkarna, "
          "vars meritvärde steg med tolv poäng. Flickorna har fortfarande högre resultat i alla "
          "ämnen utom idrott och hälsa.")
    b.p(mu)
    L.sec("uppfoljning", "Måluppfyllelse", phrase(mu, 3))
    outer = b.doc.add_table(rows=1, cols=2)
    left, right = outer.cell(0, 0), outer.cell(0, 1)
    left.paragraphs[0].add_run("Nyckeltal för årskurs 9").bold = True
    left.add_paragraph("Uppgifterna kommer från skolans betygsstatistik och avser vårterminens "
                       "slutbetyg. Jämförelsen görs med föregående läsår.")
    right.paragraphs[0].add_run("Jämförelse 2021–2022").italic = True
    keys = [("Genomsnittligt meritvärde (17 ämnen)", "214,5", "221,0"),
            ("Andel behöriga till yrkesprogram", "84 %", "87 %"),
            ("Andel elever med godkänt i alla ämnen", "71 %", "74 %"),
            ("Andel elever som deltog i alla nationella prov", "92 %", "95 %")]
    inner = right.add_table(rows=1 + len(keys), cols=3)
    inner.style = b.doc.styles["Table Grid"]
    for ci, h in enumerate(["Nyckeltal", "2021", "2022"]):
        inner.cell(0, ci).paragraphs[0].add_run(h).bold = True
    for ri, (k, a21, a22) in enumerate(keys, 1):
        for ci, v in enumerate((k, a21, a22)):
            inner.cell(ri, ci).paragraphs[0].add_run(v)
        L.ind(k, a21, period="2021")
        L.ind(k, a22, period="2022")
    right.add_paragraph("")
    b.p("")
    ts = ("I skolans trygghetsenkät i oktober svarade 87 procent av eleverna att de känner sig "
          "trygga i skolan. Endast 58 procent av eleverna i årskurs 8 anser att det är lugnt på "
          "lektionerna, jämfört med 71 procent i årskurs 7 och 69 procent i årskurs 9.")
    section(b, L, "uppfoljning", 2, "Trygghet och studiero", [ts], start=5)
    b.h(2, "Bedömning")
    bd = ("Vi bedömer att det förbättrade resultatet framför allt beror på att vi har infört "
          "schemalagd studietid med lärare i svenska, engelska och matematik. Studieron i årskurs "
          "8 påverkas av att två klasser har haft många lärarbyten.")
    b.p(bd)
    L.sec("analys", "Bedömning", phrase(bd, 3))
    b.textbox("Rektors reflektion",
              "Det som gör störst skillnad för våra elever är lärare som stannar. När vi lyckas "
              "behålla lärarna i samma klass över tre år ser vi både högre resultat och bättre "
              "studiero.")
    b.p("Arbetet med studiero följs upp i elevrådet och i skolans trygghetsgrupp varje månad.")
    b.h(2, "Prioriterade områden 2023")
    pr = ["Matematik: kollegialt lärande med fokus på problemlösning och muntlig förmåga.",
          "Studiero: gemensamma regler för mobiltelefoner och lektionsstart i alla klassrum.",
          "Närvaro: tidig kontakt med vårdnadshavare vid upprepad frånvaro."]
    b.ul(pr)
    for x in pr:
        L.sec("insats", "Prioriterade områden 2023", phrase(x, 0, 7))
    b.h(2, "Utmaningar")
    ut = ("Den största utmaningen är att rekrytera behöriga lärare i matematik och teknik. Två av "
          "fem matematiklärare är i dag obehöriga vikarier, och en av dem lämnar skolan i juni.")
    b.p(ut)
    L.sec("risk", "Utmaningar", phrase(ut, 2))
    b.h(2, "Ekonomi")
    ek = ("Studietiden med lärare har kostat 186 000 kr under höstterminen och finansierades med "
          "statsbidraget för likvärdig skola. Mobilskåp till alla klassrum köptes in för 64 000 kr.")
    b.p(ek)
    L.cost("Studietiden med lärare", 186)
    L.cost("Mobilskåp till alla klassrum", 64)
    b.save(path)
    return L, b.outline


# ======================================================================================
# 14. Rönnåsen: månadsrapport oktober 2023, PDF with an economy table of four amount columns
# ======================================================================================
def d14_ronnasen_manad_okt_2023(path):
    L = Labels(path.name, "Rönnåsens kommun",
               "Månadsrapport som PDF: linjerad ekonomitabell med fyra beloppskolumner, "
               "sidhuvud och 'Sida N av M', avstavning",
               "delarsrapport", 2023, None, "oktober 2023")
    b = PdfB(path, "Månadsrapport oktober 2023 BUN", "Rönnåsens kommun | Barn- och utbildningsnämnden",
             "Månadsrapport oktober 2023", family="dejavu", base_size=9.5, accent="6B2D5C")
    b.h(1, "Månadsrapport oktober 2023")
    b.small("Barn- och utbildningsnämnden. Uppföljning per den 31 oktober 2023.")
    sm = ("Nämnden prognostiserar ett underskott på 5,9 mnkr för 2023, vilket är en försämring med "
          "1,3 mnkr jämfört med september. Försämringen beror på fler placeringar i fristående "
          "skolor och högre kostnader för skolskjutsar än beräknat.")
    section(b, L, "text", 2, "Sammanfattning", [sm], start=2)
    b.h(2, "Ekonomiskt utfall och prognos")
    cols = ["Årsbudget", "Utfall jan–okt", "Prognos helår", "Avvikelse"]
    eco = [("Förskola", "96 400", "79 100", "95 600", "800"),
           ("Grundskola och fritidshem", "214 300", "181 900", "218 100", "-3 800"),
           ("Grundsärskola", "14 800", "12 700", "15 300", "-500"),
           ("Skolskjutsar", "18 200", "16 400", "19 600", "-1 400"),
           ("Gemensam verksamhet", "22 600", "18 300", "23 600", "-1 000"),
           ("Summa", "366 300", "308 400", "372 200", "-5 900")]
    b.table([["Verksamhet (tkr)"] + cols] + [list(r) for r in eco], widths=[5.0, 2.8, 2.9, 2.9, 2.9],
            align_right_cols=(1, 2, 3, 4))
    for item, *vals in eco:
        for col, v in zip(cols, vals):
            L.cost(item, tkr(v), column=col)
    b.h(2, "Kommentarer till prognosen")
    k1 = ("Grundskolans underskott förklaras främst av interkommunala ersättningar för elever som "
          "har valt fristående skolor. Kostnaden för dessa beräknas bli 2,2 mnkr högre än budget. "
          "Antalet elever i fristående skolor har ökat från 212 till 241 sedan januari.")
    k2 = ("Skolskjutsarna beräknas överskrida budget med 1,4 mnkr. Det nya avtalet med "
          "trafikbolaget har högre kilometerpriser och två nya linjer har tillkommit i Östra "
          "Rönnåsen. Förskolan visar ett överskott tack vare vakanta tjänster under hösten.")
    b.p(k1)
    b.p(k2)
    L.sec("analys", "Kommentarer till prognosen", phrase(k1, 3))
    L.cost("interkommunala ersättningar", 2200)
    L.cost("Skolskjutsarna", 1400)
    b.h(2, "Åtgärder för en budget i balans")
    atg = [("Vakanta tjänster inom förvaltningen tillsätts inte under resten av året", "900 tkr"),
           ("Inköpsstopp för inventarier och läromedel som inte är nödvändiga", "450 tkr"),
           ("Översyn av skolskjutslinjerna inför vårterminen 2024", "300 tkr")]
    b.ul([f"{a}, vilket beräknas ge {v}." for a, v in atg])
    for a, v in atg:
        L.sec("insats", "Åtgärder för en budget i balans", phrase(a, 0, 8))
        L.cost(a, tkr(v))
    b.p("Åtgärderna beräknas sammantaget minska underskottet med 1,65 mnkr.")
    L.cost("Åtgärderna", 1650)
    b.h(2, "Personal")
    pe = ("Sjukfrånvaron var 6,8 procent under perioden januari till oktober, jämfört med 7,5 "
          "procent samma period 2022. Förvaltningen har tolv vakanta lärartjänster, varav fem i "
          "matematik och naturorienterande ämnen.")
    section(b, L, "text", 2, "Personal", [pe], start=0)
    b.h(2, "Risker")
    risks = ["Fler elever kan välja fristående skolor inför vårterminen, vilket ökar underskottet.",
             "Energipriserna kan ge högre hyror för skollokalerna från januari 2024."]
    b.ul(risks)
    for r in risks:
        L.sec("risk", "Risker", phrase(r, 0, 8))
    b.save()
    return L, b.outline


# ======================================================================================
# 15. Norrsjö: Hypergene export, XLSX, header on row 3, merged perspective cells
# ======================================================================================
def d15_norrsjo_hypergene_vp_2023(path):
    L = Labels(path.name, "Norrsjö kommun",
               "Hypergene-export till Excel: två titelrader, rubrikrad på rad 3, sammanslagna celler "
               "för Perspektiv och Kommunövergripande mål, status som text",
               "verksamhetsplan_uppfoljning", 2023, None, "helår 2023")
    wb = Workbook()
    ws = wb.active
    ws.title = "Aktiviteter"
    title = "Verksamhetsplan 2023 – Barn- och utbildningsförvaltningen"
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = "Uppföljning per 2023-12-31"
    hdr = ["Perspektiv", "Kommunövergripande mål", "Nämndmål", "Aktivitet", "Ansvarig", "Slutdatum",
           "Status", "Kommentar"]
    for ci, h in enumerate(hdr, 1):
        c = ws.cell(row=3, column=ci, value=h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9E1F2")
    data = [
        ("Medborgare", "Norrsjö – en trygg och inkluderande kommun",
         "Alla barn och elever känner sig trygga", "Införa gemensam plan mot kränkande behandling i alla skolor",
         "Verksamhetschef grundskola", "2023-06-30", "Genomförd", "Planen gäller från läsåret 2023/24."),
        (None, None, "Alla barn och elever känner sig trygga", "Trygghetsvandringar med elevråden på alla skolor",
         "Rektorer", "2023-10-31", "Delvis genomförd", "Genomförda på sju av nio skolor."),
        (None, None, "Fler elever fullföljer sin utbildning", "Utveckla närvaroteamets arbete med hemmasittare",
         "Elevhälsochef", "2023-12-31", "Pågående", "Samarbete med BUP etablerat i september."),
        (None, None, "Fler elever fullföljer sin utbildning", "Lovskola i matematik för elever i åk 6–9",
         "Verksamhetschef grundskola", "2023-08-15", "Avslutad", "84 elever deltog, 61 höjde sitt betyg."),
        ("Verksamhet", "Norrsjö – kunskap och utveckling",
         "Förskolan ska ge alla barn en god språkutveckling", "Språkscreening av alla fyraåringar (Språkfyran)",
         "Verksamhetschef förskola", "2023-11-30", "Genomförd", None),
        (None, None, "Förskolan ska ge alla barn en god språkutveckling", "Inköp av digitala bilderböcker på modersmål",
         "Bibliotekschef", "2023-05-31", "Ej påbörjad", "Ingår i upphandling 2024."),
        (None, None, "Undervisningen ska vara likvärdig", "Sambedömning av nationella prov i svenska i åk 6",
         "Förstelärare", "2023-06-15", "Genomförd", None),
        (None, None, "Undervisningen ska vara likvärdig", "Ny resursfördelningsmodell med socioekonomisk viktning",
         "Förvaltningschef", "2023-12-31", "Uppskjuten", "Beslut flyttat till nämnden i mars 2024."),
        ("Medarbetare", "Norrsjö – en attraktiv arbetsgivare",
         "Fler behöriga lärare", "Uppdragsutbildning för obehöriga lärare (VAL)",
         "HR-strateg", "2023-12-31", "Pågående", "Sex lärare studerar."),
        (None, None, "Fler behöriga lärare", "Mentorsprogram för nyexaminerade lärare",
         "HR-strateg", "2023-09-30", "Kvarstår", "Kvarstår till 2024 på grund av vakans."),
        ("Ekonomi", "Norrsjö – hållbar ekonomi",
         "Ekonomi i balans", "Översyn av lokalutnyttjandet i förskolan",
         "Lokalstrateg", "2023-10-31", "Pausad", "Pausad i väntan på befolkningsprognosen."),
        (None, None, "Ekonomi i balans", "Gemensam upphandling av läromedel",
         "Ekonom", "2023-04-30", "Genomförd", "Besparing cirka 350 tkr per år."),
    ]
    row = 4
    per = kmal = None
    group_start = 4
    for r in data:
        p, k, goal, act, ansv, slut, st, kom = r
        if p is not None:
            if per is not None and row - 1 > group_start:
                ws.merge_cells(start_row=group_start, start_column=1, end_row=row - 1, end_column=1)
                ws.merge_cells(start_row=group_start, start_column=2, end_row=row - 1, end_column=2)
            per, kmal, group_start = p, k, row
        for ci, v in enumerate((p, k, goal, act, ansv, slut, st, kom), 1):
            if v is not None:
                ws.cell(row=row, column=ci, value=v)
            ws.cell(row=row, column=ci).alignment = Alignment(wrap_text=True, vertical="top")
        L.act(act, status_raw=st, goal=goal, municipal_goal=kmal, perspective=per, responsible=ansv,
              deadline=slut, comment=kom)
        row += 1
    if row - 1 > group_start:
        ws.merge_cells(start_row=group_start, start_column=1, end_row=row - 1, end_column=1)
        ws.merge_cells(start_row=group_start, start_column=2, end_row=row - 1, end_column=2)
    thin = Side(style="thin", color="999999")
    for rr in ws.iter_rows(min_row=3, max_row=row - 1, max_col=8):
        for c in rr:
            c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for i, w in enumerate([13, 30, 34, 46, 24, 12, 16, 44], 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    wb.properties.creator = "Hypergene"
    wb.properties.title = title
    wb.properties.created = dt.datetime(2024, 1, 18, 13, 12)
    wb.properties.modified = dt.datetime(2024, 1, 18, 13, 12)
    wb.save(path)
    return L, [(1, title)]


# ======================================================================================
# 16. Kronvik: huvudman's kvalitetsrapport förskolan 2023 in Markdown
# ======================================================================================
def d16_kronvik_kr_forskola_md(path):
    L = Labels(path.name, "Kronviks kommun",
               "Markdown-export från intranätet: rubriker med #, pipe-tabell med nyckeltal, "
               "utvecklingsområden med fetstilta etiketter (Insats/Ansvarig/Kostnad)",
               "kvalitetsrapport", 2023, None, None)
    t = TextB(markdown=True)
    t.h(1, "Kvalitetsrapport för förskoleverksamheten 2023")
    t.p("Barn- och utbildningsnämnden, Kronviks kommun. Beslutad av nämnden 2024-02-14.")
    inl = ("Rapporten sammanfattar huvudmannens uppföljning av de kommunala förskolorna under 2023. "
           "Underlaget består av förskolornas egna kvalitetsrapporter, vårdnadshavarenkäten och "
           "statistik från barnomsorgsregistret.")
    section(t, L, "bakgrund", 2, "Inledning", [inl], start=3)
    t.h(2, "Resultat")
    t.h(3, "Nyckeltal")
    keys = [("Andel förskollärare av pedagogisk personal", "39 %", "42 %", "45 %"),
            ("Antal barn per årsarbetare", "5,3", "5,1", "5,0"),
            ("Genomsnittligt antal barn per barngrupp", "15,8", "15,1", "15,0"),
            ("Andel vårdnadshavare som är nöjda med förskolan", "90 %", "92 %", "90 %")]
    t.pipe([["Indikator", "2022", "2023", "Målvärde"]] + [list(k) for k in keys])
    for ind, a, c, m in keys:
        L.ind(ind, a, period="2022")
        L.ind(ind, c, target=m, period="2023")
    t.h(3, "Vårdnadshavarenkäten")
    ve = ("Enkäten besvarades av 61 procent. Högst resultat får påståendet om att barnet känner sig "
          "tryggt (96 procent). Lägst resultat får påståendet om information om barnets utveckling "
          "och lärande (74 procent).")
    t.p(ve)
    L.sec("uppfoljning", "Vårdnadshavarenkäten", phrase(ve, 4))
    t.h(2, "Analys")
    an = ("Andelen förskollärare har ökat tack vare uppdragsutbildningen, men skillnaderna mellan "
          "förskolorna är stora: från 21 procent i Norrby till 64 procent i Kronviks centrum. "
          "Informationen till vårdnadshavare om barnens lärande brister där dokumentationen är ojämn.")
    t.p(an)
    L.sec("analys", "Analys", phrase(an, 2))
    t.h(2, "Utvecklingsområden 2024")
    areas = [("1. Undervisning i språk och kommunikation",
              "Språkutvecklande arbetssätt med stöd av läsombud på varje förskola.",
              "Förskolechef och läsombud", "180 tkr"),
             ("2. Dokumentation och information till vårdnadshavare",
              "Gemensam digital plattform för pedagogisk dokumentation i alla förskolor.",
              "Verksamhetsutvecklare", "0,25 mnkr")]
    for title, ins, ansv, kost in areas:
        t.h(3, title)
        t.raw(f"**Insats:** {ins}  ")
        t.raw(f"**Ansvarig:** {ansv}  ")
        t.raw(f"**Kostnad:** {kost}")
        t.raw("")
        name = title.split(". ", 1)[1]
        L.sec("insats", title, phrase(ins, 0, 8), name)
        L.act(name, responsible=ansv)
        L.cost(name, tkr(kost))
    t.h(2, "Kostnader")
    t.p("Kostnaderna för utvecklingsområdena finansieras inom nämndens ram:")
    t.ul(["Läsombud och litteratur: 180 tkr", "Digital plattform: 250 tkr",
          "Uppdragsutbildning för barnskötare: 1,4 mnkr (statsbidrag)", "Summa: 1 830 tkr"])
    for item, amount in [("Läsombud och litteratur", "180 tkr"), ("Digital plattform", "250 tkr"),
                         ("Uppdragsutbildning för barnskötare", "1,4 mnkr"), ("Summa", "1 830 tkr")]:
        L.cost(item, tkr(amount))
    t.h(2, "Risker")
    risks = ["Statsbidraget för uppdragsutbildningen kan upphöra efter 2024.",
             "Minskande barnkullar kan leda till att förskolor behöver slås samman."]
    t.ul(risks)
    for r in risks:
        L.sec("risk", "Risker", phrase(r, 0, 7))
    t.save(path)
    return L, t.outline


# ======================================================================================
# 17. Tallmo: årsredovisning 2022, Word with automatically numbered headings (1., 1.1),
#     vMerge table, footnotes, amounts in mnkr
# ======================================================================================
def d17_tallmo_ar_2022(path):
    L = Labels(path.name, "Tallmo kommun",
               "Nämndens årsredovisning i Word: rubriker med automatisk flernivånumrering (1., 1.1), "
               "måltabeller med vertikalt sammanslagna nämndmål, fotnoter, belopp i mnkr",
               "verksamhetsberattelse", 2022, None, "helår 2022")
    b = DocxB("Årsredovisning 2022 Bildningsnämnden", dt.datetime(2023, 2, 20, 8, 45),
              author="Bildningsförvaltningen Tallmo", header_text="Tallmo kommun – Bildningsnämnden",
              footer_text="Årsredovisning 2022", heading_color="1F4E79")
    b.numbered_headings()
    b.title("Årsredovisning 2022 – Bildningsnämnden")
    b.p("Bildningsnämnden ansvarar för förskola, grundskola, gymnasieskola, vuxenutbildning och "
        "kulturskola. Årsredovisningen beskriver verksamhetens resultat, måluppfyllelse och "
        "ekonomi under 2022.")
    b.h(2, "Nämndens uppdrag", numbered=True)
    nu = ("Nämnden ska erbjuda en likvärdig utbildning av hög kvalitet från förskola till "
          "vuxenutbildning. Under 2022 gick cirka 4 100 barn, elever och studerande i nämndens "
          "verksamheter och nämnden hade 890 medarbetare.")
    b.p(nu)
    L.sec("bakgrund", "Nämndens uppdrag", phrase(nu, 1))
    b.h(2, "Årets viktigaste händelser", numbered=True)
    ev = ["Tallmo gymnasium startade el- och energiprogrammet med 24 elever.",
          "Förskolan Linden med åtta avdelningar öppnade i januari.",
          "Nämnden beslutade om en ny skolorganisation för landsbygdsskolorna.",
          "Kulturskolan flyttade in i det nya kulturhuset."]
    b.ul(ev)
    L.sec("text", "Årets viktigaste händelser", phrase(ev[0], 0, 8))
    b.h(2, "Måluppfyllelse", numbered=True)
    b.p("Måluppfyllelsen bedöms som Uppnått, Delvis uppnått eller Ej uppnått utifrån indikatorernas "
        "utfall i förhållande till målvärdena.")
    tables = [
        ("Livslångt lärande", [
            ("Alla elever ska nå målen för utbildningen", "Andel elever i åk 9 behöriga till gymnasiet",
             "87,4 %", "88,9 %", "90 %", "Delvis uppnått"),
            (None, "Andel gymnasieelever med examen inom fyra år", "79 %", "81 %", "80 %", "Uppnått"),
            (None, "Genomsnittligt meritvärde åk 9", "226", "231", "230", "Uppnått"),
            ("Vuxenutbildningen ska leda till arbete eller studier", "Andel studerande i yrkesvux i arbete efter ett år",
             "72 %", "68 %", "75 %", "Ej uppnått"),
        ]),
        ("Trygg uppväxt", [
            ("Barn och elever ska känna sig trygga", "Andel elever i åk 5 som känner sig trygga",
             "93 %", "92 %", "95 %", "Delvis uppnått"),
            (None, "Andel elever i gymnasiet som känner sig trygga", "91 %", "94 %", "90 %", "Uppnått"),
            ("Förskolan ska ha hög kvalitet", "Andel vårdnadshavare som är nöjda med förskolan",
             "89 %", "91 %", "90 %", "Uppnått"),
        ]),
    ]
    for ki, (kmal, rows) in enumerate(tables):
        b.h(3, f"Kommunövergripande mål: {kmal}", numbered=True)
        trows = [["Nämndmål", "Indikator", "Utfall 2021", "Utfall 2022", "Målvärde 2022", "Bedömning"]]
        merges, start, goal = [], None, None
        for i, r in enumerate(rows, 1):
            trows.append(list(r))
            if r[0] is not None:
                if start is not None and i - 1 > start:
                    merges.append((start, 0, i - 1, 0))
                start, goal = i, r[0]
            _, ind, u21, u22, mal, bed = r
            L.ind(ind, u21, goal=goal, period="2021")
            L.ind(ind, u22, goal=goal, target=mal, assessment=bed, period="2022")
        if len(rows) > start:
            merges.append((start, 0, len(rows), 0))
        b.table(trows, merges=merges, widths=[3.8, 4.8, 1.8, 1.8, 2.0, 2.2])
        if ki == 0:
            b.p("Behörigheten ökade för andra året i rad, men målvärdet nåddes inte. Andelen i arbete "
                "efter yrkesvux minskade eftersom fler studerande läste vidare.",
                footnote="Uppgifterna om yrkesvux kommer från SCB:s registerdata och avser 2021 års studerande.")
        else:
            b.p("Tryggheten i grundskolan minskade något i årskurs 5 på två av kommunens skolor.",
                footnote="Elevenkäten genomfördes i februari 2022 med en svarsfrekvens på 86 procent.")
    b.h(3, "Analys av måluppfyllelsen", numbered=True)
    an = ("Nämnden bedömer att målen för livslångt lärande i huvudsak nås. De förbättrade "
          "resultaten i årskurs 9 hänger samman med satsningen på studiehandledning och lovskola. "
          "Resultatet för yrkesvux behöver analyseras vidare tillsammans med arbetsmarknadsenheten.")
    b.p(an)
    L.sec("analys", "Analys av måluppfyllelsen", phrase(an, 2))
    b.h(2, "Ekonomi", numbered=True)
    b.h(3, "Driftredovisning", numbered=True)
    b.p("Nämnden redovisar ett underskott på 3,1 mnkr, vilket motsvarar 0,4 procent av budgeten.")
    drift = [("Förskola", "198,6", "196,2", "2,4"), ("Grundskola", "402,3", "405,9", "-3,6"),
             ("Gymnasieskola", "146,8", "149,2", "-2,4"), ("Vuxenutbildning", "31,5", "30,9", "0,6"),
             ("Kulturskola", "9,7", "9,8", "-0,1"), ("Nämnd och administration", "18,0", "18,0", "0,0"),
             ("Totalt", "806,9", "810,0", "-3,1")]
    b.table([["Verksamhet (mnkr)", "Budget 2022", "Utfall 2022", "Avvikelse"]] + [list(r) for r in drift],
            widths=[6.0, 3.2, 3.2, 3.0])
    for item, bud, utf, avv in drift:
        L.cost(item, tkr(bud + " mnkr"), column="Budget 2022")
        L.cost(item, tkr(utf + " mnkr"), column="Utfall 2022")
        L.cost(item, tkr(avv + " mnkr"), column="Avvikelse")
    b.h(3, "Investeringar", numbered=True)
    b.p("Investeringarna uppgick till 14,2 mnkr. Den största investeringen var inventarier till "
        "förskolan Linden för 5,8 mnkr.")
    L.cost("Investeringarna", 14200)
    L.cost("inventarier till förskolan Linden", 5800)
    b.h(2, "Framtid och utmaningar", numbered=True)
    fu = ("Under de kommande åren minskar antalet barn i förskoleåldern medan antalet elever i "
          "gymnasieåldern ökar. Nämnden behöver anpassa lokalerna efter detta.")
    b.p(fu)
    L.sec("analys", "Framtid och utmaningar", phrase(fu, 2))
    risks = ["Lärarbristen, särskilt i yrkesämnen och moderna språk.",
             "Ökade lokalkostnader när nya skolbyggnader tas i drift.",
             "Osäkerhet kring statsbidragen för lovskola och lärarlyft."]
    b.ul(risks)
    for r in risks:
        L.sec("risk", "Framtid och utmaningar", phrase(r, 0, 7))
    b.save(path)
    return L, b.outline


# ======================================================================================
# 18. Åsbro: tertialrapport 2 2022, PDF (Times), indicator tables per goal, uppdrag list
# ======================================================================================
def d18_asbro_t2_2022(path):
    L = Labels(path.name, "Åsbro kommun",
               "Tertialrapport som PDF ur planeringssystem: mål som rubriker med indikatortabell och "
               "kommentar under varje, uppdrag med nämnd inom parentes följt av kommentar",
               "delarsrapport", 2022, None, "T2 2022")
    b = PdfB(path, "Tertialrapport 2 2022 BUN", "Åsbro kommun", "Tertialrapport 2 2022",
             family="times", base_size=11, accent="3B5323", footer_left="Barn- och utbildningsnämnden")
    b.h(1, "Tertialrapport 2 2022 – Barn- och utbildningsnämnden")
    sm = ("Rapporten omfattar perioden januari–augusti 2022. Sammantaget bedöms två av nämndens fyra "
          "mål uppnås helt och två delvis. Prognosen för helåret är ett underskott på 2,9 mnkr.")
    section(b, L, "text", 2, "Sammanfattning", [sm], start=0)
    b.h(2, "Nämndmål och indikatorer")
    goals = [
        ("Alla elever ska ges förutsättningar att nå målen", [
            ("Andel elever i åk 9 som uppnått kunskapskraven i alla ämnen", "72,4 %", "75,1 %", "78 %", "Delvis uppnått"),
            ("Andel elever i åk 6 med lägst E i matematik", "84 %", "88 %", "85 %", "Uppnått")],
         "Ökningen i årskurs 9 förklaras av lovskolan och av den utökade studiehandledningen."),
        ("Förskolan ska ge barnen en trygg start", [
            ("Andel barn som har en plats inom önskat datum", "91 %", "94 %", "95 %", "Delvis uppnått"),
            ("Antal barn per årsarbetare i förskolan", "5,5", "5,7", "5,2", "Ej uppnått")],
         "Fler barn än beräknat har sökt plats i Kyrkby och Hagen, vilket har gett större barngrupper."),
    ]
    for goal, rows, kom in goals:
        b.h(3, goal)
        b.table([["Indikator", "Utfall T2 2021", "Utfall T2 2022", "Målvärde", "Bedömning"]] + [list(r) for r in rows],
                widths=[6.6, 2.4, 2.4, 2.1, 3.1])
        for ind, u21, u22, mal, bed in rows:
            L.ind(ind, u21, goal=goal, period="T2 2021")
            L.ind(ind, u22, goal=goal, target=mal, assessment=bed, period="T2 2022")
        b.label_p("Kommentar:", kom)
    b.h(2, "Uppdrag")
    b.p("Uppdrag. Kommentar T2 2022", b.st_h[2])
    upp = [("Ta fram en lokalförsörjningsplan för förskola och skola 2023–2032 (BUN)", "BUN",
            "Planen är framtagen och beslutades av nämnden i juni. Uppdraget är slutfört.", "Genomfört"),
           ("Införa digitala närvarorutiner i alla skolor (BUN)", "BUN",
            "Rutinen används på fem av sju skolor. Övriga skolor inför den under hösten.", "Pågående"),
           ("Samordna sommarlovsaktiviteter för barn och unga (Kultur- och fritidsnämnden)",
            "Kultur- och fritidsnämnden",
            "Uppdraget är skjutet till 2023 eftersom statsbidraget drogs in.", "Uppskjuten")]
    for text, nmd, kom, st in upp:
        b.p(text)
        b.p(kom)
        L.act(text.rsplit(" (", 1)[0], committee=nmd, comment=kom, status=st)
    b.h(2, "Ekonomi")
    ek = ("Prognosen för helåret visar ett underskott på 2,9 mnkr. Grundsärskolan har ökade kostnader "
          "för elevassistenter på 1,6 mnkr och skolskjutsarna kostar 1,1 mnkr mer än budgeterat. "
          "Övriga verksamheter beräknas sammantaget göra ett litet underskott på 0,2 mnkr.")
    b.p(ek)
    L.sec("text", "Ekonomi", phrase(ek, 2))
    L.cost("underskott", -2900)
    L.cost("elevassistenter", 1600)
    L.cost("skolskjutsarna", 1100)
    L.cost("Övriga verksamheter", -200)
    b.h(2, "Risker och osäkerheter")
    ri = ("Det finns en risk att kostnaderna för elevassistenter ökar ytterligare under hösten. "
          "Prognosen är också osäker eftersom energipriserna kan påverka lokalkostnaderna.")
    b.p(ri)
    L.sec("risk", "Risker och osäkerheter", phrase(ri, 1))
    b.save()
    return L, b.outline


# ======================================================================================
# 19. Ekbacka: årshjul as a month list on the municipality site (no year in the text)
# ======================================================================================
def d19_ekbacka_arshjul_web(path):
    L = Labels(path.name, "Ekbacka kommun",
               "Kommunens webbsida med årshjul som månadslista (h2 termin, h3 månad, punktlista med "
               "ansvarig inom parentes); året står bara i filnamnet",
               "arshjul", 2024, None, None)
    a = HtmlB()
    a.h(1, "Årshjul för skolans systematiska kvalitetsarbete")
    a.p("Årshjulet visar när under läsåret Ekbackas grundskolor genomför de olika delarna av det "
        "systematiska kvalitetsarbetet och vem som ansvarar för varje steg.", cls="ingress")
    terms = [
        ("Hösttermin", [
            ("Augusti", [("Analys av vårens kunskapsresultat och trygghetsenkät", "rektor"),
                         ("Arbetslagen planerar läsårets undervisning utifrån analysen", "arbetslagsledare")]),
            ("September", [("Skolans verksamhetsplan fastställs", "rektor"),
                           ("Kartläggning av elevernas läsförmåga i åk 1–3", "speciallärare")]),
            ("Oktober", [("Elevhälsan följer upp elever med upprepad frånvaro", "elevhälsoteamet"),
                         ("Trygghetsvandring med elevrådet", "kurator")]),
            ("November", [("Huvudmannens kvalitetsdialog med rektorerna", "skolchef")]),
            ("December", [("Terminsbetyg i årskurs 6–9 och uppföljning av betygsresultat", "lärare"),
                          ("Halvtidsuppföljning av verksamhetsplanen", "rektor")]),
        ]),
        ("Vårtermin", [
            ("Januari", [("Analys av höstterminens betyg och frånvaro", "rektor")]),
            ("Februari", [("Elevenkät om trygghet och studiero i åk 2, 5 och 8", "kvalitetsutvecklare")]),
            ("Mars", [("Nationella prov genomförs enligt Skolverkets schema", "lärare")]),
            ("April", [("Vårdnadshavarenkät", "kvalitetsutvecklare")]),
            ("Maj", [("Arbetslagen analyserar årets resultat", "arbetslagsledare")]),
            ("Juni", [("Skolans kvalitetsrapport skrivs och lämnas till förvaltningen", "rektor"),
                      ("Utvecklingsområden för nästa läsår beslutas", "rektor")]),
        ]),
    ]
    for term, months in terms:
        a.h(2, term)
        for month, items in months:
            a.h(3, month)
            a.ul([f"{act} ({resp})" for act, resp in items])
            for act, resp in items:
                L.proc(month, act, resp)
    a.h(2, "Ansvar och dokumentation")
    an = ("Rektor ansvarar för att årshjulet följs på den egna skolan. Underlag och analyser sparas "
          "i kvalitetsmappen på skolans samarbetsyta så att de kan användas i kvalitetsrapporten.")
    a.p(an)
    L.sec("text", "Ansvar och dokumentation", phrase(an, 1))
    page = site_page("ekbacka", "Årshjul för skolans systematiska kvalitetsarbete - Ekbacka kommun",
                     ["Start", "Utbildning", "Grundskola", "Kvalitet och utveckling", "Årshjul"], a.html(),
                     updated="2023-08-21")
    path.write_text(page.replace("2023-08-21", "2023-08-21"), encoding="utf-8")
    return L, a.outline


# ======================================================================================
# 20. Rönnåsen: uppföljning av verksamhetsplan 2022, Word as exported from Stratsys
# ======================================================================================
def d20_ronnasen_vp_uppf_2022(path):
    L = Labels(path.name, "Rönnåsens kommun",
               "Stratsys-rapport exporterad till Word: en rubrik per perspektiv, kommunövergripande mål "
               "som stycke, tabeller Nämndmål/Aktivitet/Nämnd/Slutfört/Status/Kommentar med vertikalt "
               "sammanslagna nämndmål",
               "verksamhetsplan_uppfoljning", 2022, None, "helår 2022")
    b = DocxB("Uppföljning av verksamhetsplan 2022", dt.datetime(2023, 1, 25, 16, 20),
              author="Stratsys", header_text="Rönnåsens kommun – Barn- och utbildningsförvaltningen",
              font="Calibri", size=10, heading_color="6B2D5C")
    b.title("Uppföljning av verksamhetsplan 2022 – Barn- och utbildningsnämnden")
    b.p("Uppföljningen avser läget per den 31 december 2022. Aktiviteterna har registrerats och "
        "följts upp i Stratsys av ansvariga chefer.")
    persp = [
        ("Medborgare", "Rönnåsen är en trygg kommun att växa upp i", [
            ("Alla barn och elever är trygga", "Revidera planen mot kränkande behandling", "BUN", "Q2",
             "Genomförd", "Planen antogs i juni."),
            (None, "Utbilda all personal i ny rutin för incidentrapportering", "BUN", "Q3",
             "Delvis genomförd", "Grundskolan klar, förskolan återstår."),
            ("Fler elever når gymnasiebehörighet", "Studiestöd efter skoltid på alla 7–9-skolor", "BUN", "Q4",
             "Pågående", None),
            (None, "Samverkan med socialtjänsten kring elever med hög frånvaro", "BUN/SN", "Q4",
             "Grön", "Gemensamt närvaroteam från oktober."),
        ]),
        ("Verksamhet", "Rönnåsen har en likvärdig skola", [
            ("Undervisningen håller hög kvalitet", "Kollegialt lärande i matematik för lärare i åk 4–6", "BUN",
             "Q4", "Pågående", "Två av tre moduler klara."),
            (None, "Digital lärplattform för alla skolor", "BUN", "Dec 2022", "Skjuts upp",
             "Upphandlingen görs om 2023."),
            ("Förskolan stärker barnens språk", "Läsombud på alla förskolor", "BUN", "Q2", "Klar", None),
        ]),
        ("Medarbetare", "Rönnåsen är en attraktiv arbetsgivare", [
            ("Fler legitimerade lärare", "Karriärtjänster för förstelärare på alla skolor", "BUN", "Q3",
             "Avslutad", "Tolv förstelärare är utsedda."),
            (None, "Introduktionsprogram för nyanställda lärare", "BUN", "Q1", "Ej startad",
             "Startar vårterminen 2023."),
        ]),
        ("Ekonomi", "Rönnåsen har en hållbar ekonomi", [
            ("Ekonomin är i balans", "Översyn av skolskjutsorganisationen", "BUN/KS", "Q4", "Kvarstår",
             "Kvarstår till 2023 eftersom avtalet förlängdes."),
        ]),
    ]
    for per, kmal, rows in persp:
        b.h(2, per)
        b.p(f"Kommunövergripande mål: {kmal}", bold=True)
        trows = [["Nämndmål", "Aktivitet", "Nämnd", "Slutfört", "Status", "Kommentar"]]
        merges, start, goal = [], None, None
        for i, r in enumerate(rows, 1):
            trows.append(["" if v is None and ci == 5 else v for ci, v in enumerate(r)])
            if r[0] is not None:
                if start is not None and i - 1 > start:
                    merges.append((start, 0, i - 1, 0))
                start, goal = i, r[0]
            _, act, nmd, slut, st, kom = r
            L.act(act, status_raw=st, goal=goal, municipal_goal=kmal, perspective=per, committee=nmd,
                  deadline=slut, comment=kom)
        if len(rows) > start:
            merges.append((start, 0, len(rows), 0))
        b.table(trows, merges=merges, widths=[3.4, 4.8, 1.4, 1.6, 2.2, 3.6], font_size=8.5,
                style="Light List Accent 1", shade=None)
    b.h(2, "Sammanfattande analys")
    an = ("Av förvaltningens tio aktiviteter är fyra genomförda, tre pågår och tre har skjutits fram. "
          "Förseningarna beror främst på vakanser i förvaltningens stab och på den omgjorda "
          "upphandlingen av lärplattformen.")
    b.p(an)
    L.sec("analys", "Sammanfattande analys", phrase(an, 1))
    b.save(path)
    return L, b.outline


# ======================================================================================
# 21. Björkfjärden: årshjul förskolan 2022/23 as plain text with a tab table
# ======================================================================================
def d21_bjorkfjarden_arshjul_txt(path):
    L = Labels(path.name, "Björkfjärdens kommun",
               "Årshjul som ren text: tabbseparerad tabell Månad/Aktivitet/Ansvarig där en rad utan "
               "månad hör till månaden ovanför; understrukna rubriker",
               "arshjul", 2023, "2022/23", None)
    t = TextB(markdown=False)
    t.h(1, "Årshjul för systematiskt kvalitetsarbete i förskolan läsåret 2022/23", underline="=")
    t.p("Björkfjärdens kommun, förskoleverksamheten. Årshjulet gäller för samtliga kommunala förskolor.")
    t.h(2, "Aktiviteter under läsåret", underline="-")
    rows = [("Augusti", "Introduktion av nya medarbetare och genomgång av årshjulet", "Rektor"),
            ("September", "Arbetslagen gör nulägesanalys per avdelning", "Förskollärare"),
            ("", "Uppföljning av plan mot kränkande behandling", "Rektor"),
            ("Oktober", "Barnintervjuer om trivsel och inflytande", "Arbetslaget"),
            ("November", "Kvalitetsdialog mellan rektor och förskolechef", "Förskolechef"),
            ("December", "Halvårsuppföljning av utvecklingsområden", "Förskollärare"),
            ("Januari", "Revidering av plan mot kränkande behandling", "Rektor"),
            ("Februari", "Vårdnadshavarenkät skickas ut", "Kvalitetsutvecklare"),
            ("Mars", "Analys av vårdnadshavarenkäten på APT", "Rektor"),
            ("April–maj", "Arbetslagen skriver avdelningens kvalitetsrapport", "Förskollärare"),
            ("Juni", "Förskolans kvalitetsrapport sammanställs", "Rektor"),
            ("", "Utvecklingsområden för nästa läsår beslutas", "Rektor")]
    t.tsv([["Månad", "Aktivitet", "Ansvarig"]] + [list(r) for r in rows])
    month = None
    for m, act, resp in rows:
        month = m or month
        L.proc(month, act, resp)
    t.h(2, "Dokumentation", underline="-")
    dk = ("Varje avdelning dokumenterar sin nulägesanalys och sina uppföljningar i den gemensamma "
          "mallen på intranätet. Rektor sammanställer avdelningarnas underlag till förskolans "
          "kvalitetsrapport i juni.")
    t.p(dk)
    L.sec("text", "Dokumentation", phrase(dk, 1))
    t.h(2, "Ansvar", underline="-")
    an = ("Förskollärare ansvarar för att undervisningen planeras, följs upp och analyseras. Rektor "
          "ansvarar för att årshjulet följs och att resultaten används i planeringen.")
    t.p(an)
    L.sec("text", "Ansvar", phrase(an, 1))
    t.save(path)
    return L, t.outline


# ======================================================================================
# 22. Myrviken: uppföljning av fjolårets aktiviteter 2022, PDF with numbered blocks running
#     across page breaks
# ======================================================================================
def d22_myrviken_fjolarets_2022(path):
    L = Labels(path.name, "Myrvikens kommun",
               "PDF med numrerade aktivitetsblock (rubrik 'N. Aktivitet: ...', statusrad, underrubrikerna "
               "Uppföljning och Analys) som löper över sidbrytningar; sidhuvud, sidfot, avstavning",
               "aktivitetsuppfoljning", 2022, None, None)
    b = PdfB(path, "Uppföljning av fjolårets aktiviteter 2022", "Myrvikens kommun – Barn- och utbildningsförvaltningen",
             "Uppföljning av fjolårets aktiviteter", family="liberation", base_size=10.5, accent="354F52")
    b.h(1, "Uppföljning av fjolårets aktiviteter – verksamhetsplan 2022")
    b.small("Redovisas för barn- och utbildningsnämnden i februari 2023.")
    b.p("Nedan följs de aktiviteter upp som förvaltningen planerade i verksamhetsplanen för 2022. "
        "Varje aktivitet har en uppföljning av vad som har gjorts och en analys av effekterna och av "
        "vad som behöver göras framåt.")
    blocks = [
        ("Förstärkt studiehandledning på modersmål", "Genomförd",
         ["Studiehandledningen har byggts ut från 14 till 22 timmar i veckan och omfattar nu arabiska, "
          "dari, somaliska, tigrinja och ukrainska. Totalt 63 elever har fått studiehandledning under "
          "året, varav 19 i årskurs 7–9. Handledarna har deltagit i en introduktions~utbildning om "
          "språk- och kunskapsutvecklande arbetssätt.",
          "Samarbetet mellan studiehandledare och ämneslärare har organiserats genom gemensam "
          "planeringstid varannan vecka på de tre största skolorna."],
         ["Lärarna beskriver att eleverna med studiehandledning deltar mer aktivt i undervisningen och "
          "att fler av dem har fått betyg i de samhällsorienterande ämnena. Av de 19 eleverna på "
          "högstadiet fick 13 godkända betyg i samhällskunskap, jämfört med 7 av 16 året innan.",
          "Den gemensamma planeringstiden är avgörande. Där den inte har kunnat genomföras har "
          "studiehandledningen blivit en form av läxhjälp utan koppling till undervisningen."]),
        ("Utbildning i traumamedvetet förhållningssätt", "Delvis genomförd",
         ["Elevhälsans personal och lärarna på två skolor har gått utbildningen, sammanlagt 74 "
          "personer. Utbildningen för förskolans personal har flyttats till våren 2023 eftersom "
          "utbildaren inte kunde komma under hösten.",
          "En handlingsplan för bemötande av elever med traumatiska erfarenheter har tagits fram "
          "tillsammans med socialtjänsten och barn- och ungdoms~psykiatrin."],
         ["Det är för tidigt att se effekter på elevnivå. Medarbetarna uppger i utvärderingen att de "
          "känner sig tryggare i mötet med elever som har svåra erfarenheter och 91 procent vill att "
          "utbildningen ges till alla.",
          "För att arbetssättet ska få fäste behöver det följas upp i arbetslagen. Vi föreslår att "
          "handledning i grupp erbjuds under 2023."]),
        ("Gemensam rutin för övergångar mellan förskola och förskoleklass", "Genomförd",
         ["Rutinen beslutades i mars och har använts vid alla övergångar inför höstterminen. "
          "Överlämningssamtal har hållits för 148 barn, och för 22 barn med särskilda behov har "
          "vårdnadshavare deltagit i ett utökat samtal.",
          "Förskoleklassens lärare har besökt förskolorna under maj och barnen har besökt sina "
          "blivande skolor vid två tillfällen."],
         ["Rektorerna i förskoleklass bedömer att informationen om barnen är bättre och kommer "
          "tidigare än förut. Den dokumenterade stödinformationen har kunnat användas redan från "
          "skolstarten, vilket har minskat behovet av kartläggning under hösten.",
          "Rutinen bör kompletteras med en uppföljning i oktober där förskolan får återkoppling."]),
        ("Digital frånvaroanmälan och närvaro~uppföljning", "Pågående",
         ["Den nya funktionen för frånvaroanmälan i lärplattformen infördes i alla skolor i augusti. "
          "Funktionen för automatiska sammanställningar av frånvaro per elev är försenad och "
          "beräknas vara klar i april 2023.",
          "Skolorna har under tiden fortsatt att använda manuella sammanställningar som mentorerna "
          "gör varannan vecka."],
         ["Vårdnadshavarna använder den digitala anmälan i hög grad, 87 procent av all frånvaro "
          "anmäls den vägen. Utan de automatiska sammanställningarna är det dock svårt att tidigt "
          "upptäcka mönster i frånvaron, vilket var aktivitetens huvudsyfte.",
          "Förseningen gör att aktiviteten behöver föras över till verksamhetsplanen för 2023."]),
        ("Läxhjälp i samarbete med biblioteken", "Ej genomförd",
         ["Aktiviteten har inte genomförts. Föreningen som skulle bedriva läxhjälpen har haft svårt "
          "att rekrytera volontärer och biblioteket i Storsund har haft begränsade öppettider under "
          "renoveringen."],
         ["Behovet av läxhjälp kvarstår, särskilt för elever i årskurs 7–9 vars vårdnadshavare inte "
          "kan hjälpa till med skolarbetet. Nämnden har i mars 2023 beviljat bidrag till föreningen "
          "Läxhjälp i Myrviken, och aktiviteten tas därför inte med i verksamhetsplanen för 2023."]),
    ]
    for n, (name, st, upp, ana) in enumerate(blocks, 1):
        b.h(2, f"{n}. Aktivitet: {name}")
        b.label_p("Status:", st)
        b.h(3, "Uppföljning")
        for para in upp:
            b.p(para)
        b.h(3, "Analys")
        for para in ana:
            b.p(para)
        L.act(name, status_raw=st)
        L.sec("uppfoljning", "Uppföljning", phrase(upp[0], 2), name)
        L.sec("analys", "Analys", phrase(ana[0], 2), name)
    b.h(2, "Sammanfattande bedömning")
    sb = ("Två av fem aktiviteter är genomförda enligt plan, en är delvis genomförd och en pågår "
          "fortfarande. Läxhjälpen genomfördes inte. De aktiviteter som har genomförts har gett "
          "tydliga effekter för de elever och barn som berörs.")
    b.p(sb)
    L.sec("analys", "Sammanfattande bedömning", phrase(sb, 4))
    b.save()
    return L, b.outline


# ======================================================================================
# 23. Ekbacka: Stratsys uppdrag export, CSV UTF-8 with BOM, comma separated, quoted cells
# ======================================================================================
def d23_ekbacka_stratsys_uppdrag_csv(path):
    L = Labels(path.name, "Ekbacka kommun",
               "Stratsys-export som CSV (UTF-8 med BOM, kommatecken, citerade celler med radbrytning); "
               "rubrikrad på rad 1, ingen titel",
               "verksamhetsplan_uppfoljning", 2023, None, "helår 2023")
    hdr = ["Perspektiv", "Uppdrag", "Ansvarig nämnd", "Beslutad", "Status", "Kommentar helår 2023"]
    data = [
        ("Samhälle", "Ta fram en långsiktig plan för kommunens förskole- och grundskolestruktur",
         "BUN", "KF 2022-11-28 § 140", "Avslutad", "Planen antogs av kommunfullmäktige i oktober 2023."),
        ("Samhälle", "Utveckla en metodik så att barnkonventionen beaktas i alla politiska beslut",
         "Kommunstyrelsen", "KF 2022-11-28 § 140", "Pågående",
         "Checklista för barnkonsekvensanalys är framtagen. Utbildning av nämndsekreterare pågår."),
        ("Medborgare", "Erbjuda sommarskola i matematik och svenska för elever i åk 6–9",
         "BUN", "BUN 2023-02-15 § 12", "Genomförd",
         "Sommarskolan hade 118 deltagare, varav 74 höjde sitt betyg i minst ett ämne."),
        ("Medborgare", "Utreda öppettider i förskolan på kvällar och helger",
         "BUN", "KF 2022-11-28 § 140", "Pausad",
         "Pausad i väntan på beslut om ny budgetram.\nÅterupptas tidigast 2024."),
        ("Medarbetare", "Införa heltid som norm inom förskolan", "BUN", "KS 2021-05-10 § 88",
         "Delvis genomförd", "92 procent av medarbetarna har heltid, målet är 95 procent."),
        ("Ekonomi", "Minska lokalkostnaderna med 5 procent genom samutnyttjande",
         "BUN och Tekniska nämnden", "KF 2022-11-28 § 140", "Uppskjuten",
         "Skjuts till 2024 eftersom lokalplanen försenades."),
        ("Ekonomi", "Införa e-handel för alla inköp av förbrukningsmaterial", "BUN", "BUN 2022-12-14 § 98",
         "Ej påbörjad", "Startar när kommunens nya e-handelssystem är på plats, \"hösten 2024\"."),
    ]
    rows = [hdr] + [list(r) for r in data]
    for per, upp, nmd, beslut, st, kom in data:
        L.act(upp, status_raw=st, perspective=per, committee=nmd, comment=kom.replace("\n", " "))
    write_csv(path, rows, "utf-8-sig", ",")
    return L, []


# ======================================================================================
# 24. Granholm: protokoll BUN 2022-11-16, Word with a tracked change, Dnr lines, amounts
# ======================================================================================
def d24_granholm_protokoll(path):
    L = Labels(path.name, "Granholms kommun",
               "Sammanträdesprotokoll i kommunens Word-mall: Heading 1-3, paragrafer med Dnr-rad, "
               "Ärendebeskrivning/Förslag till beslut/Beslut, budgettabell i mnkr, spårad ändring",
               "protokoll", 2022, None, None)
    b = DocxB("Protokoll barn- och utbildningsnämnden 2022-11-16", dt.datetime(2022, 11, 18, 11, 0),
              author="Nämndsekreterare BUN", header_text="GRANHOLMS KOMMUN\tSammanträdesprotokoll",
              font="Garamond", size=12, heading_color="000000")
    b.title("Sammanträdesprotokoll barn- och utbildningsnämnden 2022-11-16")
    b.table([["Plats och tid", "Kommunhuset, sammanträdesrum Ekan, kl. 13.30–16.45"],
             ["Beslutande", "Ordförande, förste vice ordförande, andre vice ordförande och sex ledamöter, se närvarolista"],
             ["Övriga närvarande", "Förvaltningschef, ekonomichef, nämndsekreterare"],
             ["Justering", "2022-11-21, barn- och utbildningsförvaltningen"],
             ["Paragrafer", "§§ 87–90"]], header_rows=0, widths=[4.0, 12.0], style="Table Grid",
            bold_first_col=True, font_size=10)
    items = []
    b.h(2, "§ 87 Budget 2023 och verksamhetsplan för barn- och utbildningsnämnden")
    b.p("Dnr BUN 2022/0234")
    b.h(3, "Ärendebeskrivning")
    a87 = ("Kommunfullmäktige har beslutat om en ram på 612,4 mnkr för barn- och utbildningsnämnden "
           "för 2023. Förvaltningen har fördelat ramen på verksamheterna och tagit fram ett förslag "
           "till verksamhetsplan med nämndmål och indikatorer.")
    b.p(a87)
    L.sec("text", "Ärendebeskrivning", phrase(a87, 3))
    L.cost("ram", 612400)
    fd = [("Förskola", "168,2"), ("Grundskola inkl. förskoleklass och fritidshem", "342,9"),
          ("Grundsärskola", "19,6"), ("Skolskjuts", "21,3"), ("Nämnd och förvaltning", "60,4"),
          ("Summa", "612,4")]
    b.table([["Verksamhet", "Budget 2023 (mnkr)"]] + [list(r) for r in fd], widths=[10.0, 4.0])
    for item, v in fd:
        L.cost(item, tkr(v + " mnkr"))
    b.h(3, "Förslag till beslut")
    b.p("Barn- och utbildningsnämnden fastställer budget 2023 och verksamhetsplan 2023 enligt "
        "förvaltningens förslag.")
    b.h(3, "Beslut")
    b.tracked([("t", "Barn- och utbildningsnämnden fastställer budget 2023 och verksamhetsplan 2023 "),
               ("del", "enligt förvaltningens förslag."),
               ("ins", "enligt förvaltningens förslag med ändringen att 1,5 mnkr omfördelas från "
                       "nämnd och förvaltning till grundskolan för lovskola och läxhjälp.")],
              author="Nämndsekreterare", date="2022-11-17T10:02:00Z")
    L.cost("lovskola och läxhjälp", 1500)
    b.h(2, "§ 88 Riktlinjer för skolskjuts 2023")
    b.p("Dnr BUN 2022/0198")
    b.h(3, "Ärendebeskrivning")
    a88 = ("Förvaltningen föreslår att avståndsgränsen för skolskjuts i årskurs 4–6 ändras från "
           "fyra till tre kilometer. Förändringen beräknas öka kostnaderna med 420 000 kr per år.")
    b.p(a88)
    L.sec("text", "Ärendebeskrivning", phrase(a88, 2))
    L.cost("avståndsgränsen för skolskjuts", 420)
    b.h(3, "Förslag till beslut")
    b.p("Riktlinjer för skolskjuts 2023 antas enligt bilaga 2.")
    b.h(3, "Beslut")
    b.p("Nämnden beslutar enligt förslaget.")
    b.h(2, "§ 89 Revidering av taxa för förskola och fritidshem")
    b.p("Dnr BUN 2022/0201")
    b.h(3, "Ärendebeskrivning")
    a89 = ("Maxtaxan justeras av Skolverket inför 2023. Förvaltningen föreslår att kommunens taxa "
           "följer maxtaxan och att avgiften för allmän förskola för barn från tre år tas bort.")
    b.p(a89)
    L.sec("text", "Ärendebeskrivning", phrase(a89, 3))
    b.h(3, "Förslag till beslut")
    b.p("Nämnden föreslår kommunfullmäktige att anta reviderad taxa från den 1 januari 2023.")
    b.h(3, "Beslut")
    b.p("Nämnden beslutar enligt förslaget.")
    b.h(2, "§ 90 Redovisning av anmälningar om kränkande behandling, tertial 2")
    b.p("Dnr BUN 2022/0017")
    b.h(3, "Ärendebeskrivning")
    a90 = ("Under tertial 2 har huvudmannen fått 142 anmälningar om kränkande behandling, varav 31 "
           "från förskolan. Alla anmälningar har utretts och i 118 fall har åtgärder vidtagits.")
    b.p(a90)
    L.sec("text", "Ärendebeskrivning", phrase(a90, 2))
    b.h(3, "Beslut")
    b.p("Nämnden lägger redovisningen till handlingarna.")
    b.p("Vid protokollet: nämndsekreterare. Justeras: ordförande och utsedd justerare.", italic=True)
    b.save(path)
    return L, b.outline
