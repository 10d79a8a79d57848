"""Documents 1-12 of the plan (see make_corpus.PLAN)."""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from corpus_kit import DocxB, HtmlB, Labels, PdfB, TextB, phrase, tkr, write_csv
from corpus_site import site_page


def section(b, L, kind, level, title, paras, activity=None, start=2):
    b.h(level, title)
    for para in paras:
        b.p(para)
    L.sec(kind, title, phrase(paras[0], start), activity)


# ======================================================================================
# 1. Ekbacka: kvalitetsrapport förskola, Word, Heading 1-4, numbered headings, merged
#    table, footnotes
# ======================================================================================
def d01_ekbacka_kr_solrosen(path):
    L = Labels(path.name, "Ekbacka kommun",
               "Word-mall för förskolans kvalitetsrapport: Heading 1-4 med automatisk numrering, "
               "tabell med sammanslagna celler, fotnoter",
               "kvalitetsrapport", 2023, "2022/23", None)
    b = DocxB("Kvalitetsrapport Solrosens förskola 2022/23", dt.datetime(2023, 6, 20, 14, 5),
              author="Rektor förskoleområde Öst", header_text="Ekbacka kommun – Förskoleområde Öst",
              footer_text="Kvalitetsrapport Solrosens förskola", heading_color="2E5E3E")
    b.numbered_headings()
    b.title("Kvalitetsrapport Solrosens förskola läsåret 2022/23",
            "Förskoleområde Öst, Barn- och utbildningsförvaltningen, Ekbacka kommun")
    b.p("Kvalitetsrapporten är en del av förskolans systematiska kvalitetsarbete enligt 4 kap. "
        "skollagen. Den bygger på pedagogisk dokumentation, avdelningarnas analyser, "
        "vårdnadshavarenkäten och de reflektionsmöten som arbetslagen har haft under läsåret.")

    b.h(2, "Bakgrund och förutsättningar", numbered=True)
    bg = ("Solrosens förskola ligger i stadsdelen Västra Ekbacka och har fem avdelningar. "
          "Förskolan har under läsåret haft 86 inskrivna barn i åldrarna ett till fem år och "
          "personalgruppen har varit stabil med låg korttidsfrånvaro under hösten.")
    b.p(bg, footnote="Uppgifterna om antal barn avser den 15 oktober 2022 enligt barnomsorgsregistret.")
    L.sec("bakgrund", "Bakgrund och förutsättningar", phrase(bg, 3))
    b.table([
        ["Avdelning", "Ålder", "Antal barn", "Personal (årsarbetare)", None],
        [None, None, None, "Totalt", "varav förskollärare"],
        ["Humlan", "1–3 år", "15", "3,0", "1,0"],
        ["Myran", "1–3 år", "16", "3,0", "1,5"],
        ["Nyckelpigan", "3–5 år", "18", "3,0", "1,0"],
        ["Trollsländan", "3–5 år", "19", "3,0", "2,0"],
        ["Fjärilen", "4–5 år", "18", "2,75", "1,0"],
        ["Hela förskolan", None, "86", "14,75", "6,5"],
    ], header_rows=2, merges=[(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 4), (7, 0, 7, 1)],
        widths=[3.6, 2.4, 2.4, 3.2, 3.4])
    b.caption("Tabell 1. Barn och personal per avdelning hösten 2022.")
    b.p("Andelen förskollärare av personalen är 44 procent, vilket är lägre än kommunens mål "
        "om minst 50 procent. Två barnskötare studerar till förskollärare på distans och "
        "beräknas vara klara under 2024.",
        footnote="Måltalet för andelen förskollärare finns i nämndens verksamhetsplan för 2023.")

    b.h(2, "Resultat", numbered=True)
    b.h(3, "Normer och värden", numbered=True)
    nv = ("I vårdnadshavarenkäten svarade 92 procent att deras barn känner sig tryggt på förskolan, "
          "jämfört med 89 procent föregående läsår. Svarsfrekvensen var 71 procent. Barnintervjuerna "
          "på Nyckelpigan och Trollsländan visar att barnen kan beskriva vilka vuxna de vänder sig "
          "till om något händer.")
    b.p(nv)
    L.sec("uppfoljning", "Normer och värden", phrase(nv, 10))
    b.h(3, "Utveckling och lärande", numbered=True)
    ul = ("Pedagogerna har dokumenterat barnens språkutveckling med stöd av observationsmallen från "
          "förskoleområdet. Dokumentationen visar att fler barn än tidigare tar initiativ till samtal "
          "om bilderböcker och att barnen på de yngre avdelningarna använder fler tecken som stöd.")
    b.p(ul)
    L.sec("uppfoljning", "Utveckling och lärande", phrase(ul, 2))
    b.p("Matematik i vardagen har synliggjorts genom veckans mattefråga, som har använts på alla "
        "avdelningar från och med januari.")

    b.h(2, "Analys", numbered=True)
    an = ("Vi bedömer att den ökade tryggheten hänger samman med att inskolningen gjordes om till "
          "föräldraaktiv inskolning och att varje barn fick en tydlig kontaktperson. Skillnaden "
          "mellan avdelningarna är samtidigt stor: på Fjärilen svarade bara 78 procent att barnet "
          "känner sig tryggt, vilket sammanfaller med att avdelningen hade tre vikarier under hösten.")
    b.p(an)
    L.sec("analys", "Analys", phrase(an, 4))
    b.p("Språkarbetet har gett effekt där förskollärare har lett planeringen. Där planeringstiden "
        "har fått stå tillbaka för bemanning har aktiviteterna blivit mer sporadiska.")

    b.h(2, "Uppföljning av förra årets utvecklingsområden", numbered=True)
    areas = [
        ("Språkutveckling med stöd av TAKK",
         "Samtliga avdelningar har infört tecken som stöd i samlingar och vid måltider. Elva av "
         "fjorton medarbetare har gått kommunens TAKK-utbildning om fyra tillfällen.",
         "Barnen använder fler tecken spontant i leken, särskilt på de yngre avdelningarna. Effekten "
         "är svagare där personalen inte har gått utbildningen, vilket talar för att alla behöver den."),
        ("Utemiljön som lärmiljö",
         "Gården har fått en odlingslåda och ett uteklassrum med tak. Varje avdelning har planerat "
         "minst en utomhusaktivitet i veckan med koppling till naturvetenskap.",
         "Utemiljön används mer medvetet än tidigare, men dokumentationen av lärandet ute är tunn. "
         "Vi behöver en gemensam form för att följa upp vad barnen lär sig utomhus."),
    ]
    for name, upp, ana in areas:
        b.h(3, name, numbered=True)
        b.h(4, "Uppföljning")
        b.p(upp)
        b.h(4, "Analys")
        b.p(ana)
        L.act(name)
        L.sec("uppfoljning", "Uppföljning", phrase(upp, 1), name)
        L.sec("analys", "Analys", phrase(ana, 2), name)

    b.h(2, "Prioriterade utvecklingsområden läsåret 2023/24", numbered=True)
    prios = [
        ("Likvärdig undervisning i språk och kommunikation",
         "Förskollärarna leder gemensam planering av högläsning och samtal om text varannan vecka.",
         "Ökad andel barn som deltar aktivt i samtal om böcker.", "Förskollärare på varje avdelning",
         "45 tkr"),
        ("Dokumentation av lärande i utemiljön",
         "En gemensam mall för dokumentation ute tas fram och prövas på två avdelningar under hösten.",
         "Lärandet utomhus ska synas i avdelningarnas analyser.", "Rektor och arbetslagsledare",
         "12 tkr"),
    ]
    for name, insats, mal, ansv, kost in prios:
        b.h(3, name, numbered=True)
        b.label_p("Insats:", insats)
        b.label_p("Mål:", mal)
        b.label_p("Ansvarig:", ansv)
        b.label_p("Kostnad:", kost + " för material och vikarier.")
        L.sec("insats", name, phrase(insats, 1), name)
        L.act(name, goal=mal, responsible=ansv)
        L.cost(name, tkr(kost))

    b.h(2, "Risker", numbered=True)
    risks = ["Svårigheter att rekrytera legitimerade förskollärare till vikariat och tjänster.",
             "Hög sjukfrånvaro under vinterhalvåret minskar tiden för planering och reflektion.",
             "Ombyggnaden av köket under våren 2024 kan begränsa användningen av gården."]
    b.ul(risks)
    for r in risks:
        L.sec("risk", "Risker", phrase(r, 0, 7))
    b.p("Rektor följer upp riskerna vid ledningsgruppens möten en gång i månaden.")
    b.save(path)
    return L, b.outline


# ======================================================================================
# 2. Norrsjö: delårsrapport augusti 2022, PDF with ruled tables, header/footer, hyphenation,
#    a section running across a page break
# ======================================================================================
def d02_norrsjo_delar_aug_2022(path):
    L = Labels(path.name, "Norrsjö kommun",
               "Delårsrapport som PDF från ordbehandlare: numrerade rubriker, linjerade tabeller, "
               "sidhuvud och 'Sida N av M', avstavning",
               "delarsrapport", 2022, None, "delår augusti 2022")
    b = PdfB(path, "Delårsrapport augusti 2022 Barn- och utbildningsnämnden",
             "Norrsjö kommun · Barn- och utbildningsnämnden", "Delårsrapport augusti 2022",
             footer_left="Dnr BUN 2022/0311", family="liberation", accent="0B4F6C")
    b.h(1, "Delårsrapport augusti 2022 – Barn- och utbildningsnämnden")
    b.small("Beslutad av barn- och utbildningsnämnden 2022-09-21, § 64")
    s1 = ("Barn- och utbildningsnämndens verksamheter har under årets första åtta månader präglats "
          "av återgången till ordinarie undervisning efter pandemin och av ett ökat antal barn och "
          "elever med ukrainskt med~borgarskap. Nämnden prognostiserar ett underskott mot budget, "
          "främst till följd av ökade kostnader för skol~skjutsar och placeringar i andra kommuners skolor.")
    section(b, L, "text", 2, "1. Sammanfattning", [s1])

    b.h(2, "2. Verksamhetens utveckling under perioden")
    paras = [
        "Förskolan har haft i genomsnitt 612 inskrivna barn under perioden, vilket är 18 fler än "
        "samma period föregående år. Efterfrågan har ökat i centralorten medan två avdelningar i "
        "Bäckby har stått delvis tomma. Förvaltningen har därför påbörjat en översyn av förskole~"
        "organisationen i de norra kommundelarna som ska redovisas för nämnden i december.",
        "I grundskolan har arbetet med den reviderade läroplanen, Lgr22, stått i fokus. Samtliga "
        "lärare har deltagit i implementerings~dagar och ämneslagen har reviderat sina lokala "
        "pedagogiska planeringar. Matematik~undervisningen i årskurs 4–6 har fått särskilt stöd "
        "genom att två förstelärare har handlett kollegor i strukturerad problemlösning.",
        "Den upprepade frånvaron har minskat något jämfört med 2021. Andelen elever med mer än "
        "15 procents frånvaro under vårterminen var 9,8 procent, att jämföra med 12,4 procent "
        "vårterminen 2021. Skolorna arbetar med den gemensamma rutinen för tidig upptäckt och "
        "elevhälsans närvaroteam har haft kontakt med 41 elever och deras vårdnads~havare.",
        "Under våren har 37 barn och elever från Ukraina tagits emot. Mottagandet har samordnats "
        "av förvaltningens introduktions~enhet, som har gjort kartläggningar och ordnat studie~"
        "handledning på modersmål. Kostnaderna har till största delen täckts av schablon~"
        "ersättning från Migrationsverket.",
        "Arbetet med att införa den nya lärplattformen har försenats. Upphandlingen överklagades "
        "i maj och avtal kunde tecknas först i juli. IT-stödet för vårdnadshavare, med frånvaro~"
        "anmälan och utvecklingssamtal, fungerar dock som tidigare i den gamla plattformen fram "
        "till årsskiftet.",
        "Vuxenutbildningen har haft fler studerande än budgeterat. Efterfrågan på svenska för "
        "invandrare och på yrkesutbildningar inom vård och omsorg har varit hög, och 214 personer "
        "har påbörjat en kurs under perioden. Genom regionalt yrkesvux har kommunen fått statsbidrag "
        "som täcker en stor del av den ökade volymen.",
        "Kulturskolan har återupptagit sina konserter och har 486 elever inskrivna, vilket är i nivå "
        "med tiden före pandemin. Kön till instrumentundervisning i piano och gitarr är fortfarande "
        "lång, och kulturskolan har infört gruppundervisning för nybörjare för att korta väntetiden.",
        "Fritidshemmen har haft 1 187 inskrivna elever, vilket motsvarar 79 procent av eleverna "
        "i förskoleklass till årskurs 3. Personalen har under våren arbetat med att planera "
        "undervisningen i fritidshemmet utifrån läroplanens del fyra, och samtliga fritidshem har "
        "nu en gemensam struktur för planering och uppföljning.",
        "Grundsärskolan har 46 elever, varav 19 är integrerade i grundskolans klasser. Efterfrågan "
        "på platser i träningsskolan har ökat och förvaltningen har inlett en dialog med "
        "grannkommunerna om samverkan kring platser och kompetensutveckling.",
        "Elevhälsans medicinska insats har genomfört hälsosamtal med samtliga elever i "
        "förskoleklass, årskurs 4 och årskurs 7. Samtalen visar att andelen elever som sover "
        "för lite har ökat, och skolsköterskorna har tillsammans med kuratorerna tagit fram "
        "informationsmaterial om sömn och skärmtid till vårdnadshavare.",
        "Skolmåltiderna har påverkats av stigande livsmedelspriser. Kostenheten har bytt vissa "
        "råvaror och ökat andelen vegetariska rätter till två dagar i veckan utan att den uppmätta "
        "nöjdheten bland eleverna har sjunkit.",
    ]
    for para in paras:
        b.p(para)
    L.sec("text", "2. Verksamhetens utveckling under perioden", phrase(paras[0], 4))

    b.h(2, "3. Måluppfyllelse")
    b.p("Nämnden följer upp sina mål med indikatorer. Utfallet avser läget i augusti 2022 eller "
        "den senaste mätningen. Bedömningen görs med färgerna grön (målet nås), gul (delvis) och "
        "röd (målet nås inte).")
    rows = [
        ("Alla barn och elever ska känna sig trygga", "Andel elever i åk 5 som känner sig trygga i skolan",
         "88 %", "90 %", "Gul", "Minskning med två procentenheter sedan 2021."),
        ("Alla barn och elever ska känna sig trygga", "Andel vårdnadshavare i förskolan som anger att barnet är tryggt",
         "94 %", "95 %", "Gul", "Svarsfrekvens 68 %."),
        ("Fler elever ska nå kunskapskraven", "Andel elever i åk 9 som är behöriga till yrkesprogram",
         "86,2 %", "88 %", "Gul", "Preliminärt utfall för vårterminen 2022."),
        ("Fler elever ska nå kunskapskraven", "Genomsnittligt meritvärde i åk 9 (17 ämnen)",
         "224,6", "225", "Grön", "Högsta värdet sedan 2016."),
        ("Fler elever ska nå kunskapskraven", "Andel elever i åk 6 med lägst betyget E i matematik",
         "83 %", "90 %", "Röd", "Se analysen nedan."),
        ("Attraktiv arbetsgivare", "Andel legitimerade lärare i grundskolan",
         "79 %", "80 %", "Grön", "Ökning från 76 % år 2021."),
        ("Attraktiv arbetsgivare", "Sjukfrånvaro bland medarbetare", "7,9 %", "< 6,5 %", "Röd",
         "Hög korttidsfrånvaro under januari och februari."),
    ]
    b.table([["Nämndmål", "Indikator", "Utfall aug 2022", "Målvärde 2022", "Bedömning", "Kommentar"]]
            + [list(r) for r in rows], widths=[2.9, 4.0, 1.8, 2.0, 2.1, 3.8])
    for goal, ind, utf, mal, bed, kom in rows:
        L.ind(ind, utf, goal=goal, target=mal, assessment=bed, comment=kom, period="delår augusti 2022")
    b.h(3, "Analys av måluppfyllelsen")
    an = ("Resultatet i matematik i årskurs 6 är det som avviker mest från målvärdet. Skolornas "
          "analyser pekar på att eleverna har luckor från distans~undervisningen i årskurs 4 och "
          "att andelen obehöriga matematiklärare är högre på mellanstadiet än på högstadiet.")
    b.p(an)
    L.sec("analys", "Analys av måluppfyllelsen", phrase(an, 2))

    b.h(2, "4. Ekonomi")
    b.p("Nämnden har en budget på 742,5 mnkr för 2022. Prognosen efter augusti visar ett underskott "
        "på 4,6 mnkr. Underskottet beror främst på ökade kostnader för skolskjutsar och för "
        "placeringar i andra kommuners skolor. Lägre personalkostnader i förskolan motverkar delvis "
        "underskottet.")
    L.cost("budget", 742500)
    eco = [("Förskola", "181 400", "179 900", "1 500"), ("Grundskola inkl. fritidshem", "398 200", "401 900", "-3 700"),
           ("Grundsärskola", "21 600", "22 100", "-500"), ("Skolskjutsar", "34 800", "37 300", "-2 500"),
           ("Vuxenutbildning", "38 900", "38 300", "600"), ("Kulturskola", "12 700", "12 700", "0"),
           ("Nämnd och förvaltning", "54 900", "54 900", "0"), ("Totalt", "742 500", "747 100", "-4 600")]
    b.table([["Verksamhet", "Budget 2022 (tkr)", "Prognos 2022 (tkr)", "Avvikelse (tkr)"]] + [list(r) for r in eco],
            widths=[6.0, 3.6, 3.6, 3.4], align_right_cols=(1, 2, 3))
    for item, bud, prog, avv in eco:
        L.cost(item, tkr(bud), column="Budget 2022 (tkr)")
        L.cost(item, tkr(prog), column="Prognos 2022 (tkr)")
        L.cost(item, tkr(avv), column="Avvikelse (tkr)")
    b.p("Kostnaden för placeringar i andra kommuners skolor beräknas bli 2,1 mnkr högre än budgeterat.")
    L.cost("placeringar i andra kommuners skolor", 2100)

    b.h(2, "5. Risker och utmaningar")
    risks = ["Fortsatt höga kostnader för skolskjutsar när det nya avtalet börjar gälla i januari.",
             "Svårt att rekrytera legitimerade lärare i matematik och moderna språk.",
             "Ökat antal barn i centralorten kan kräva tillfälliga förskolelokaler redan under 2023."]
    b.ul(risks)
    for r in risks:
        L.sec("risk", "5. Risker och utmaningar", phrase(r, 0, 8))
    pk = ("Förvaltningen har 1 064 tillsvidareanställda. Personalomsättningen bland lärare var 11 "
          "procent under läsåret 2021/22. En gemensam annonsering av sommarvikariat har gett fler "
          "sökande än tidigare år.")
    section(b, L, "text", 2, "6. Personal och kompetensförsörjning", [pk], start=0)
    b.save()
    return L, b.outline


# ======================================================================================
# 3. Västerby: school verksamhetsplan, Word, action plan with drop-down status controls
# ======================================================================================
def d03_vasterby_vp_tallbacken(path):
    L = Labels(path.name, "Västerby kommun",
               "Skolans verksamhetsplan i Word: Heading 1-2, numrerad lista, handlingsplan som tabell "
               "med sammanslagna målceller och status i rullgardinslistor (innehållskontroller)",
               "verksamhetsplan", 2024, "2023/24", None)
    b = DocxB("Verksamhetsplan Tallbacksskolan 2023/24", dt.datetime(2023, 9, 28, 10, 30),
              author="Rektor Tallbacksskolan", header_text="Västerby kommun | Tallbacksskolan F–6",
              font="Arial", size=10.5, heading_color="7B2C3F")
    b.title("Verksamhetsplan för Tallbacksskolan F–6 läsåret 2023/24")
    b.p("Verksamhetsplanen beskriver hur skolan ska arbeta med de prioriterade målen under läsåret. "
        "Den utgår från förra läsårets kvalitetsrapport och barn- och utbildningsnämndens mål för "
        "2024. Status i handlingsplanen uppdaterades senast den 15 december 2023.")
    bg = ("Tallbacksskolan har 318 elever i förskoleklass till årskurs 6 och ett fritidshem med "
          "fyra avdelningar. Skolan har 29 lärare, varav 26 är legitimerade, samt en elevhälsa med "
          "skolsköterska, kurator och specialpedagog på heltid.")
    section(b, L, "bakgrund", 2, "Om skolan", [bg], start=3)
    sl = ("Kvalitetsrapporten visade att läsförståelsen i årskurs 3 har försämrats två år i rad och "
          "att eleverna i årskurs 5 upplever mindre studiero än genomsnittet i kommunen. Samtidigt "
          "ökade andelen elever i årskurs 6 med godkända betyg i alla ämnen till 87 procent.")
    section(b, L, "analys", 2, "Slutsatser från kvalitetsrapporten 2022/23", [sl], start=3)
    b.h(2, "Prioriterade mål")
    goals = ["Alla elever ska utveckla en god läsförståelse.",
             "Eleverna ska uppleva studiero på lektionerna.",
             "Närvaron ska öka för elever med upprepad frånvaro."]
    b.ol(goals)
    for g in goals:
        L.sec("mal", "Prioriterade mål", g)
    b.h(2, "Handlingsplan")
    b.p("Status väljs i listan i kolumnen Status. Kommentaren fylls i vid varje uppföljning.")
    opts = ["Ej påbörjad", "Påbörjad", "Pågår", "Genomförd", "Skjuts upp"]
    plan = [
        ("Läsförståelse", "Strukturerad läsundervisning med läsfixarna i åk 1–3", "Lärare åk 1–3",
         "Juni 2024", "Pågår", "Alla klasser har läsfixarlektion två gånger i veckan."),
        (None, "Screening av läsförmåga i åk 1 och 3 (LegiLexi)", "Speciallärare", "Oktober 2023",
         "Genomförd", "Resultaten analyserades på EHT i november."),
        (None, "Läsfrämjande samarbete med biblioteket", "Skolbibliotekarie", "Mars 2024",
         "Påbörjad", "Första bokprat genomfört i åk 4."),
        ("Studiero", "Gemensamma lektionsstarter och lektionsavslut", "Arbetslagsledare",
         "December 2023", "Genomförd", "Rutinen är beslutad och används i alla klassrum."),
        (None, "Kollegial observation med fokus på studiero", "Förstelärare", "April 2024",
         "Ej påbörjad", "Startar efter sportlovet."),
        ("Närvaro", "Närvarotrappa med tidiga kontakter med vårdnadshavare", "Rektor",
         "Löpande", "Pågår", "Tolv elever följs i närvarotrappan."),
        (None, "Rastaktiviteter för elever med hög frånvaro", "Fritidspedagoger", "Maj 2024",
         "Skjuts upp", "Flyttas till hösten 2024 på grund av vakanser."),
    ]
    rows = [["Mål", "Åtgärd", "Ansvarig", "Klart", "Status", "Kommentar"]]
    sdt = {}
    merges = []
    cur_goal, start = None, None
    for i, (g, act, ansv, klart, status, kom) in enumerate(plan, 1):
        rows.append([g, act, ansv, klart, status, kom])
        sdt[(i, 4)] = (status, opts)
        if g is not None:
            if start is not None and i - 1 > start:
                merges.append((start, 0, i - 1, 0))
            start = i
            cur_goal = g
        L.act(act, status_raw=status, goal=cur_goal, responsible=ansv, deadline=klart, comment=kom)
    if start is not None and len(plan) > start:
        merges.append((start, 0, len(plan), 0))
    b.table(rows, merges=merges, sdt=sdt, widths=[2.4, 4.6, 2.6, 2.0, 2.2, 4.0], font_size=8.5)
    tp = ("Handlingsplanen följs upp i ledningsgruppen i oktober, december, mars och maj. "
          "Resultaten sammanställs i kvalitetsrapporten som lämnas till förvaltningen i juni 2024.")
    section(b, L, "tidplan", 2, "Uppföljning och tidplan", [tp], start=1)
    b.h(2, "Kostnader")
    b.p("Insatserna finansieras inom skolans ram. Utökad personal på fritidshemmet betalas med "
        "statsbidraget för likvärdig skola.")
    costs = [("Läsfrämjande material och klassuppsättningar", "60 tkr"),
             ("Fortbildning om NPF för fritidshemmet", "85 000 kr"),
             ("Utökad bemanning på fritidshemmet", "0,4 mnkr"),
             ("Summa", "545 tkr")]
    b.table([["Insats", "Kostnad"]] + [list(c) for c in costs], widths=[10.0, 4.0])
    for item, amount in costs:
        L.cost(item, tkr(amount))
    b.save(path)
    return L, b.outline


# ======================================================================================
# 4. Granholm: huvudman's kvalitetsredovisning grundskolan 2022 on the municipality site
# ======================================================================================
def d04_granholm_kr_web(path):
    L = Labels(path.name, "Granholms kommun",
               "Kommunens webbsida (SiteVision-liknande): cookie-banner, meny, brödsmulor, "
               "sidospalt och sidfot runt en artikel med h1-h3, listor och tabell",
               "kvalitetsrapport", 2022, None, None)
    a = HtmlB()
    a.h(1, "Kvalitetsredovisning för grundskolan 2022")
    a.p("Här redovisar barn- och utbildningsnämnden som huvudman resultaten för de kommunala "
        "grundskolorna under 2022 och vilka områden som ska utvecklas under 2023.", cls="ingress")
    sm = ("Kunskapsresultaten i årskurs 9 förbättrades under 2022 och det genomsnittliga "
          "meritvärdet ökade från 219,7 till 226,3. Andelen elever som känner sig trygga i "
          "skolan är fortsatt hög men studieron upplevs som sämre på högstadiet.")
    a.h(2, "Sammanfattning")
    a.p(sm)
    L.sec("text", "Sammanfattning", phrase(sm, 2))
    a.h(2, "Kunskapsresultat")
    kr = ("Tabellen visar meritvärde och behörighet för de fyra skolor som har årskurs 9. "
          "Skillnaderna mellan skolorna har minskat jämfört med 2021 men är fortfarande stora.")
    a.p(kr)
    L.sec("uppfoljning", "Kunskapsresultat", phrase(kr, 3))
    a.table(["Skola", "Meritvärde 2021", "Meritvärde 2022", "Behöriga till yrkesprogram 2022"],
            [["Centralskolan", "228,1", "233,4", "91 %"], ["Hagaskolan", "205,3", "214,9", "83 %"],
             ["Lunds skola", "221,0", "224,2", "88 %"], ["Skogsbyskolan", "219,8", "229,5", "90 %"],
             ["Alla kommunala skolor", "219,7", "226,3", "88 %"]],
            caption="Meritvärde (17 ämnen) och behörighet i årskurs 9")
    a.h(3, "Betyg i årskurs 6")
    b6 = ("I årskurs 6 fick 81 procent av eleverna lägst betyget E i alla ämnen, vilket är samma "
          "nivå som året innan. Lägst andel godkända finns i engelska och matematik.")
    a.p(b6)
    L.sec("uppfoljning", "Betyg i årskurs 6", phrase(b6, 3))
    a.h(2, "Trygghet och studiero")
    ts = "Elevenkäten genomfördes i februari 2022 i årskurs 5 och 8 med en svarsfrekvens på 84 procent."
    a.p(ts)
    a.ul(["92 procent av eleverna i årskurs 5 känner sig trygga i skolan.",
          "85 procent av eleverna i årskurs 8 känner sig trygga i skolan.",
          "61 procent av eleverna i årskurs 8 anser att det är arbetsro på lektionerna."])
    L.sec("uppfoljning", "Trygghet och studiero", phrase(ts, 1))
    a.h(2, "Analys och slutsatser")
    an = ("Förbättringen av meritvärdet förklaras främst av att skolorna har arbetat systematiskt "
          "med bedömning och återkoppling, och av att fler elever har fått stöd i läxhjälpen. "
          "Den lägre studieron på högstadiet hänger enligt rektorernas analyser ihop med "
          "stora elevgrupper och lärarbyten under läsåret.")
    a.p(an)
    L.sec("analys", "Analys och slutsatser", phrase(an, 2))
    a.h(2, "Utvecklingsområden 2023")
    ins = ["Stärka studieron på högstadiet genom gemensamma lektionsstrukturer.",
           "Utveckla undervisningen i matematik i årskurs 4–6 med stöd av matematiklyftet.",
           "Öka likvärdigheten mellan skolorna genom sambedömning av nationella prov."]
    a.ol(ins)
    for i in ins:
        L.sec("insats", "Utvecklingsområden 2023", phrase(i, 0, 7))
    a.h(2, "Risker")
    risks = ["Brist på behöriga lärare i matematik och moderna språk på högstadiet.",
             "Minskade statsbidrag kan påverka läxhjälpen och lovskolan under 2023."]
    a.ul(risks)
    for r in risks:
        L.sec("risk", "Risker", phrase(r, 0, 7))
    a.p("Kvalitetsredovisningen beslutades av barn- och utbildningsnämnden den 15 mars 2023.")
    page = site_page("granholm", "Kvalitetsredovisning för grundskolan 2022 - Granholms kommun",
                     ["Start", "Förskola och skola", "Grundskola", "Kvalitet och resultat"], a.html(),
                     updated="2023-03-20")
    path.write_text(page, encoding="utf-8")
    return L, a.outline


# ======================================================================================
# 5. Hällevik: Stratsys export, XLSX, title rows above the header, two outcome columns
# ======================================================================================
def d05_hallevik_stratsys_t2(path):
    L = Labels(path.name, "Hällevik kommun",
               "Stratsys-export till Excel: titelrader ovanför rubrikraden, Perspektiv/Nämndmål/"
               "Indikator/Utfall 2022/Utfall 2023/Målvärde/Bedömning/Kommentar; andra bladet uppdrag",
               "delarsrapport", 2023, None, "T2 2023")
    wb = Workbook()
    ws = wb.active
    ws.title = "Indikatorer"
    title = "Barn- och utbildningsnämnden – uppföljning av nämndmål T2 2023"
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Rapport skapad i Stratsys 2023-09-14 av Controller BUF"
    ws["A2"].font = Font(italic=True, color="666666")
    hdr = ["Perspektiv", "Nämndmål", "Indikator", "Utfall 2022", "Utfall 2023", "Målvärde", "Bedömning", "Kommentar"]
    ws.append([])
    ws.append(hdr)
    rows = [
        ("Medborgare", "Alla barn och elever ska känna sig trygga i förskola och skola",
         "Andel elever i åk 4–9 som känner sig trygga", "86 %", "88 %", "90 %", "Gul",
         "Förbättring, men två skolor ligger under 80 %."),
        ("Medborgare", "Alla barn och elever ska känna sig trygga i förskola och skola",
         "Antal anmälningar om kränkande behandling", "214", "167", "< 200", "Grön",
         "Avser januari–augusti."),
        ("Medborgare", "Fler elever ska fullfölja sin utbildning",
         "Andel elever i åk 9 behöriga till gymnasiets yrkesprogram", "84,1 %", "86,5 %", "88 %", "Gul",
         "Utfall vårterminen 2023."),
        ("Medborgare", "Fler elever ska fullfölja sin utbildning",
         "Genomsnittligt meritvärde åk 9", "218,4", "221,9", "225", "Gul", None),
        ("Medborgare", "Fler elever ska fullfölja sin utbildning",
         "Andel elever med mer än 20 % frånvaro", "11,2 %", "9,6 %", "< 8 %", "Röd",
         "Närvaroteamet har utökats med en kurator från augusti."),
        ("Verksamhet", "Verksamheten ska vara likvärdig",
         "Andel förskollärare av pedagogisk personal i förskolan", "38 %", "41 %", "45 %", "Gul",
         "Rekrytering pågår till tre tjänster."),
        ("Verksamhet", "Verksamheten ska vara likvärdig",
         "Andel elever i åk 3 som klarar nationella provet i svenska", "79 %", "Mäts ej", "85 %", "Gul",
         "Proven rättas i juni och redovisas i T3."),
        ("Medarbetare", "Hällevik ska vara en attraktiv arbetsgivare",
         "Hållbart medarbetarengagemang (HME)", "78", "80", "80", "Grön", None),
        ("Medarbetare", "Hällevik ska vara en attraktiv arbetsgivare",
         "Sjukfrånvaro", "7,4 %", "6,9 %", "6,0 %", "Röd", "Korttidsfrånvaron har minskat."),
        ("Ekonomi", "Ekonomin ska vara i balans",
         "Budgetavvikelse (prognos helår)", "-3,2 mnkr", "-1,1 mnkr", "0", "Gul",
         "Underskott inom skolskjutsar."),
    ]
    for r in rows:
        ws.append(list(r))
        per, goal, ind, u22, u23, mal, bed, kom = r
        L.ind(ind, u22, goal=goal, perspective=per, period="2022")
        L.ind(ind, u23, goal=goal, perspective=per, target=mal, assessment=bed, comment=kom, period="2023")
    fills = {"Grön": "C6EFCE", "Gul": "FFEB9C", "Röd": "FFC7CE"}
    for row in ws.iter_rows(min_row=5, max_row=4 + len(rows)):
        c = row[6]
        c.fill = PatternFill("solid", fgColor=fills[c.value])
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c in ws[4]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F4E79")
    for i, w in enumerate([13, 40, 44, 11, 11, 10, 11, 44], 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A5"

    ws2 = wb.create_sheet("Uppdrag")
    t2 = "Uppdrag från kommunfullmäktige och nämnd – status T2 2023"
    ws2["A1"] = t2
    ws2["A1"].font = Font(bold=True, size=14)
    ws2.append(["Uppdrag", "Ansvarig nämnd", "Status", "Kommentar"])
    upp = [
        ("Ta fram en plan för förskolans lokalbehov 2024–2030", "BUN", "Pågår",
         "Planen remitteras till kommunstyrelsen i oktober."),
        ("Utreda gemensam skolskjutsupphandling med grannkommunerna", "BUN", "Klar",
         "Utredningen redovisades för nämnden i maj."),
        ("Införa feriejobb för elever i årskurs 9", "Kultur- och fritidsnämnden", "Genomförd",
         "62 elever hade feriejobb under sommaren."),
        ("Minska matsvinnet i skolrestaurangerna med 20 %", "BUN och Tekniska nämnden", "Pågår",
         "Svinnet har minskat med 12 % sedan 2022."),
        ("Utveckla samarbetet mellan skola och socialtjänst kring barn som far illa", "BUN och SN",
         "Ej påbörjad", "Startar när den nya samverkansöverenskommelsen är klar."),
    ]
    for r in upp:
        ws2.append(list(r))
        L.act(r[0], committee=r[1], status_raw=r[2], comment=r[3])
    for c in ws2[2]:
        c.font = Font(bold=True)
    for i, w in enumerate([60, 28, 12, 60], 1):
        ws2.column_dimensions[get_column_letter(i)].width = w
    wb.properties.creator = "Stratsys"
    wb.properties.title = title
    wb.properties.created = dt.datetime(2023, 9, 14, 8, 0)
    wb.properties.modified = dt.datetime(2023, 9, 14, 8, 0)
    wb.save(path)
    return L, [(1, title), (1, t2)]


# ======================================================================================
# 6. Sandhamra: kvalitetsrapport Björkskolan, PDF, two-column page, scanned page
# ======================================================================================
def d06_sandhamra_kr_bjorkskolan(path):
    L = Labels(path.name, "Sandhamra kommun",
               "Skolans kvalitetsrapport som PDF: rubriker i större fetstil, en sida i två spalter, "
               "linjerad tabell, avstavning, sidhuvud och sidfot, inskannad bilaga utan textlager",
               "kvalitetsrapport", 2022, "2021/22", None)
    b = PdfB(path, "Kvalitetsrapport Björkskolan 2021-2022", "Sandhamra kommun – Björkskolan F–9",
             "Kvalitetsrapport läsåret 2021–2022", family="dejavuserif", base_size=10, accent="5B3A29",
             footer_style="center")
    b.h(1, "Kvalitetsrapport Björkskolan F–9, läsåret 2021–2022")
    inl = ("Rapporten sammanfattar skolans systematiska kvalitets~arbete under läsåret 2021–2022. "
           "Den har tagits fram av rektor och biträdande rektor tillsammans med arbetslagen och "
           "elevhälsan, och den har diskuterats i elevrådet och i skolrådet i maj.")
    section(b, L, "bakgrund", 2, "Inledning", [inl], start=3)
    b.h(2, "Förutsättningar")
    fo = ("Björkskolan hade 412 elever läsåret 2021–2022, varav 148 på högstadiet. Andelen "
          "legitimerade lärare var 81 procent. Skolan har haft två rektorsbyten på tre år, vilket "
          "har påverkat kontinuiteten i utvecklings~arbetet.")
    b.p(fo)
    L.sec("bakgrund", "Förutsättningar", phrase(fo, 4))
    b.table([["Nyckeltal", "2019/20", "2020/21", "2021/22"],
             ["Antal elever", "398", "405", "412"],
             ["Andel legitimerade lärare", "78 %", "80 %", "81 %"],
             ["Elever per lärare (heltid)", "12,4", "12,1", "12,6"],
             ["Andel elever med svenska som andraspråk", "14 %", "16 %", "19 %"]],
            widths=[7.0, 3.0, 3.0, 3.0])
    b.two_columns()
    b.h(2, "Resultat")
    b.h(3, "Kunskapsresultat")
    k1 = ("Det genomsnittliga meritvärdet i årskurs 9 blev 212,8, vilket är en minskning från "
          "219,5 läsåret innan. Andelen elever som var behöriga till gymnasiets yrkes~program "
          "var 84 procent. Flickorna hade i genomsnitt 24 meritpoäng mer än pojkarna.")
    k2 = ("I årskurs 6 hade 78 procent av eleverna lägst betyget E i alla ämnen. I de nationella "
          "proven i årskurs 3 klarade 74 procent alla delprov i svenska och 81 procent alla delprov "
          "i matematik.")
    b.p(k1)
    b.p(k2)
    L.sec("uppfoljning", "Kunskapsresultat", phrase(k1, 2))
    b.h(3, "Trygghet och studiero")
    t1 = ("I elevenkäten svarade 89 procent av eleverna i årskurs 5 och 77 procent i årskurs 8 att "
          "de känner sig trygga i skolan. Otrygga platser är främst omklädnings~rummen och "
          "korridoren vid matsalen.")
    t2 = ("Antalet anmälningar om kränkande behandling till huvudmannen var 63, jämfört med 58 "
          "läsåret innan. Alla anmälningar har utretts och åtgärder har vidtagits.")
    b.p(t1)
    b.p(t2)
    L.sec("uppfoljning", "Trygghet och studiero", phrase(t1, 2))
    b.h(3, "Elevhälsa och närvaro")
    e1 = ("Elevhälsoteamet har träffats varje vecka. Under läsåret har 37 elever haft ett "
          "åtgärdsprogram och 112 elever har fått extra anpassningar som dokumenterats. "
          "Den upprepade frånvaron har ökat på högstadiet och 21 elever hade mer än 20 procents "
          "frånvaro under vårterminen.")
    e2 = ("Skolan har infört en närvarotrappa där mentor tar kontakt med vårdnadshavare redan "
          "efter tre dagars frånvaro. Arbetet med anpassad studiegång har utvecklats tillsammans "
          "med socialtjänsten och kommunens öppenvård.")
    b.p(e1)
    b.p(e2)
    L.sec("uppfoljning", "Elevhälsa och närvaro", phrase(e1, 3))
    b.h(3, "Fritidshemmet")
    f1 = ("Fritidshemmet har haft 164 inskrivna elever i förskoleklass till årskurs 3. Personalen "
          "har planerat undervisningen i teman som följer årstiderna, och eleverna har varit med och "
          "valt aktiviteter genom fritidsrådet som träffas varannan vecka.")
    f2 = ("Enkäten till eleverna i årskurs 2 visar att 86 procent tycker att det är roligt på "
          "fritids. Vårdnadshavarna efterfrågar mer information om vad eleverna gör under "
          "eftermiddagarna.")
    b.p(f1)
    b.p(f2)
    L.sec("uppfoljning", "Fritidshemmet", phrase(f1, 3))
    b.h(3, "Elevernas inflytande")
    i1 = ("Elevrådet har haft sju möten under läsåret och har bland annat drivit frågan om nya "
          "rastaktiviteter och längre lunchrast. Klassråden fungerar bättre i de lägre årskurserna "
          "än på högstadiet, där eleverna upplever att deras synpunkter sällan leder till förändring.")
    b.p(i1)
    L.sec("uppfoljning", "Elevernas inflytande", phrase(i1, 3))
    b.one_column()
    b.h(2, "Analys")
    a1 = ("Vi bedömer att nedgången i meritvärdet främst beror på den höga frånvaron under "
          "pandemins sista termin och på att en stor del av undervisningen i matematik på "
          "högstadiet har bedrivits av obehöriga vikarier. Resultaten i årskurs 6 visar att "
          "tidiga insatser i läs- och skrivutveckling ger effekt.")
    a2 = ("Skillnaden mellan flickors och pojkars resultat har ökat. Pojkarna i årskurs 8 och 9 "
          "beskriver i enkäten en lägre motivation och fler av dem har hög frånvaro. Vi behöver "
          "förstå detta bättre innan vi väljer insatser.")
    b.p(a1)
    b.p(a2)
    L.sec("analys", "Analys", phrase(a1, 3))
    b.h(2, "Styrkor och utvecklingsbehov")
    sv = ("En styrka är det tidiga läs- och skrivarbetet i lågstadiet och elevhälsans förebyggande "
          "arbete. Ett utvecklingsbehov är undervisningen i matematik på högstadiet och arbetet "
          "med studiero i årskurs 7–9.")
    b.p(sv)
    L.sec("styrkor_svagheter", "Styrkor och utvecklingsbehov", phrase(sv, 1))
    b.h(2, "Utvecklingsområden inför läsåret 2022/23")
    ins = ["Matematikundervisningen på högstadiet: kollegialt lärande med stöd av förstelärare i matematik.",
           "Studiero: gemensamma rutiner för lektionsstart och placering i klassrummen i årskurs 7–9.",
           "Närvaro: utveckla närvarotrappan och samarbetet med socialtjänsten."]
    b.ul(ins)
    for i in ins:
        L.sec("insats", "Utvecklingsområden inför läsåret 2022/23", phrase(i, 0, 7))
    b.h(2, "Hinder")
    hi = ("Det största hindret är bristen på legitimerade lärare i matematik och NO. Två tjänster "
          "har annonserats tre gånger utan behöriga sökande.")
    b.p(hi)
    L.sec("risk", "Hinder", phrase(hi, 1))
    b.p("Bilaga: Underskrifter och elevrådets yttrande (inskannad).")
    b.scanned_page(seed=11)
    b.h(2, "Beslut")
    b.p("Kvalitetsrapporten har fastställts av rektor den 24 juni 2022 och lämnats till "
        "förvaltningens kvalitetsutvecklare.")
    b.save()
    return L, b.outline


# ======================================================================================
# 7. Solberga: förskoleområdets verksamhetsplan 2024 as Markdown with a pipe table
# ======================================================================================
def d07_solberga_vp_vast(path):
    L = Labels(path.name, "Solberga kommun",
               "Verksamhetsplan skriven i Markdown (intranätets wiki): rubriker med #, "
               "handlingsplan som pipe-tabell, punktlistor",
               "verksamhetsplan", 2024, None, None)
    t = TextB(markdown=True)
    t.h(1, "Verksamhetsplan 2024 – Förskoleområde Väst")
    t.p("Solberga kommun, barn- och utbildningsförvaltningen. Förskoleområde Väst omfattar "
        "Lärkans, Tallens och Vitsippans förskolor med sammanlagt 214 barn.")
    bg = ("Områdets kvalitetsrapport för 2023 visar att barnens inflytande över vardagen har ökat, "
          "men att dokumentationen av barnens lärande är ojämn mellan förskolorna. Vårdnadshavar~"
          "enkäten gav 4,3 av 5 i helhetsomdöme.")
    t.h(2, "Utgångsläge")
    t.p(bg.replace("~", ""))
    L.sec("bakgrund", "Utgångsläge", phrase(bg, 2))
    t.h(2, "Mål för 2024")
    goals = ["Alla barn ska få en likvärdig undervisning i språk och matematik.",
             "Barnens lärande ska dokumenteras och följas upp på samma sätt på alla förskolor.",
             "Vårdnadshavare ska känna sig delaktiga i förskolans arbete."]
    t.ol(goals)
    for g in goals:
        L.sec("mal", "Mål för 2024", phrase(g, 0, 9))
    t.h(2, "Handlingsplan")
    plan = [
        ("Likvärdig undervisning", "Gemensam planering av språkundervisning i alla arbetslag",
         "Förskollärare", "Vt 2024", "Påbörjad", "Planeringsmallen är klar."),
        ("Likvärdig undervisning", "Matematikpromenader i närmiljön en gång i veckan",
         "Arbetslagen", "Ht 2024", "Ej startad", "-"),
        ("Dokumentation", "Införa gemensam lärplattform för pedagogisk dokumentation",
         "Biträdande rektor", "Mars 2024", "Pågående", "Utbildning av personal i februari."),
        ("Dokumentation", "Reflektionsprotokoll varannan vecka i arbetslagen",
         "Arbetslagsledare", "Löpande", "Pågående", "-"),
        ("Delaktighet", "Öppet hus och temakvällar för vårdnadshavare", "Rektor",
         "Oktober 2024", "Ej startad", "-"),
        ("Delaktighet", "Översätta informationsbrev till arabiska och somaliska", "Administratör",
         "April 2024", "Klar", "Breven skickas ut från april."),
    ]
    t.pipe([["Mål", "Insats", "Ansvarig", "Tidplan", "Status", "Kommentar"]] + [list(r) for r in plan])
    for g, ins, ansv, tid, st, kom in plan:
        L.act(ins, status_raw=st, goal=g, responsible=ansv, deadline=tid,
              comment=None if kom == "-" else kom)
    t.h(2, "Uppföljning")
    up = ("Handlingsplanen följs upp vid områdets ledningsgrupp i april, augusti och november. "
          "Rektor redovisar läget för förvaltningen i samband med tertialuppföljningen.")
    t.p(up)
    L.sec("tidplan", "Uppföljning", phrase(up, 1))
    t.h(2, "Ekonomi")
    t.p("Insatserna ryms inom områdets budget för 2024. Lärplattformen kostar 38 tkr per år och "
        "översättningar beräknas kosta 15 tkr.")
    L.cost("Lärplattformen", 38)
    L.cost("översättningar", 15)
    t.save(path)
    return L, t.outline


# ======================================================================================
# 8. Kronvik: tertialrapport 1 2023, Word export from Hypergene: custom heading styles with
#    outline levels, tracked changes, two-row header with gridSpan, uppdrag list
# ======================================================================================
def d08_kronvik_t1_2023(path):
    L = Labels(path.name, "Kronviks kommun",
               "Hypergene-export till Word: egna rubrikformat med dispositionsnivå, indikatortabell "
               "med tvåradig rubrik (sammanslagen Utfall-cell), uppdragslista 'text (BUN)' + kommentar, "
               "spårade ändringar",
               "delarsrapport", 2023, None, "T1 2023")
    b = DocxB("Tertialrapport 1 2023 Barn- och utbildningsnämnden", dt.datetime(2023, 5, 8, 9, 0),
              author="Hypergene", heading_mode="custom",
              custom_names=("HG Rubrik 1", "HG Rubrik 2", "HG Rubrik 3"),
              header_text="Kronviks kommun – Tertialrapport 1 2023", font="Segoe UI", size=10,
              heading_color="00566B")
    b.title("Tertialrapport 1 2023 – Barn- och utbildningsnämnden")
    b.p("Rapporten avser perioden januari–april 2023 och har tagits fram i Hypergene.", italic=True)
    sb = ("Nämndens bedömning är att verksamheten i huvudsak bedrivs enligt plan. Två av nämndens "
          "fem mål bedöms delvis uppfyllas vid årets slut. Ekonomin visar ett prognostiserat "
          "underskott som framför allt beror på ökade kostnader för barn i behov av särskilt stöd.")
    section(b, L, "analys", 2, "Sammanfattande bedömning", [sb])
    vh = ("Nämnden beslutade i februari om en ny resursfördelningsmodell för grundskolan som gäller "
          "från höstterminen. Förskolan Stjärnan invigdes i mars med sex avdelningar, och "
          "kommunens två paviljonger i Norrby har avvecklats.")
    section(b, L, "text", 2, "Viktiga händelser under perioden", [vh], start=3)
    b.h(2, "Måluppfyllelse")
    b.h(3, "Nämndmål: Alla elever ska nå kunskapskraven i alla ämnen")
    goal = "Alla elever ska nå kunskapskraven i alla ämnen"
    rows = [
        ("Andel elever i åk 6 med godkända betyg i alla ämnen", "77 %", "80 %", "85 %", "Gul",
         "Utfallet avser höstterminsbetyg."),
        ("Andel elever i åk 9 med godkända betyg i alla ämnen", "71 %", "74 %", "80 %", "Gul",
         "Se kommentar nedan."),
        ("Genomsnittligt meritvärde åk 9", "215,2", "222,8", "225", "Grön", "Höstterminsbetyg."),
    ]
    b.table([["Indikator", "Utfall", None, "Målvärde 2023", "Bedömning", "Kommentar"],
             [None, "T1 2022", "T1 2023", None, None, None]] + [list(r) for r in rows],
            header_rows=2, merges=[(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3), (0, 4, 1, 4), (0, 5, 1, 5)],
            widths=[5.6, 1.7, 1.7, 2.2, 2.0, 3.6], style="Light Grid Accent 1", shade=None)
    for ind, u22, u23, mal, bed, kom in rows:
        L.ind(ind, u22, goal=goal, period="T1 2022")
        L.ind(ind, u23, goal=goal, target=mal, assessment=bed, comment=kom, period="T1 2023")
    b.tracked([("t", "Andelen elever i årskurs 9 med godkända betyg i alla ämnen ökade från 71 till "),
               ("del", "73"), ("ins", "74"),
               ("t", " procent. Ökningen är störst på Kronviksskolan, där skolan har infört "),
               ("ins", "schemalagd "), ("t", "studietid med lärarstöd efter lektionstid.")])
    b.h(3, "Nämndmål: Barn och elever ska känna sig trygga")
    goal2 = "Barn och elever ska känna sig trygga"
    rows2 = [("Andel elever i åk 5 som känner sig trygga", "91 %", "90 %", "95 %", "Gul", "Enkät i februari."),
             ("Andel elever i åk 8 som känner sig trygga", "79 %", "84 %", "90 %", "Gul", None)]
    b.table([["Indikator", "Utfall", None, "Målvärde 2023", "Bedömning", "Kommentar"],
             [None, "T1 2022", "T1 2023", None, None, None]] + [["" if v is None else v for v in r] for r in rows2],
            header_rows=2, merges=[(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3), (0, 4, 1, 4), (0, 5, 1, 5)],
            widths=[5.6, 1.7, 1.7, 2.2, 2.0, 3.6], style="Light Grid Accent 1", shade=None)
    for ind, u22, u23, mal, bed, kom in rows2:
        L.ind(ind, u22, goal=goal2, period="T1 2022")
        L.ind(ind, u23, goal=goal2, target=mal, assessment=bed, comment=kom, period="T1 2023")
    b.h(2, "Uppdrag")
    b.p("Uppdrag från kommunfullmäktige och nämnden. Ansvarig nämnd anges inom parentes.")
    upp = [("Utreda behovet av en ny F–6-skola i Kronviks centrala delar (BUN)", "BUN",
            "Utredningen pågår och redovisas för nämnden i juni.", "Pågående"),
           ("Införa en gemensam modell för läxhjälp på alla skolor (BUN)", "BUN",
            "Modellen är införd på samtliga skolor sedan januari. Uppdraget är genomfört.", "Genomfört"),
           ("Ta fram en plan för minskade energikostnader i skollokaler (Tekniska nämnden)", "Tekniska nämnden",
            "Arbetet har inte startat eftersom energikartläggningen är försenad.", "Ej påbörjad"),
           ("Öka andelen ekologiska livsmedel i skolmaten till 40 procent (BUN)", "BUN",
            "Andelen var 33 procent i april. Arbetet fortsätter.", "Pågående")]
    for text, nmd, kom, status in upp:
        b.p(text, bold=True)
        b.p(kom)
        L.act(text.rsplit(" (", 1)[0], committee=nmd, comment=kom, status=status)
    b.h(2, "Ekonomi")
    b.p("Prognosen för helåret är ett underskott på 3,4 mnkr. Kostnaderna för tilläggsbelopp till "
        "barn i behov av särskilt stöd är 2,8 mnkr högre än budget.")
    L.cost("tilläggsbelopp till barn i behov av särskilt stöd", 2800)
    eco = [("Förskola", "142 300", "141 600", "700"), ("Grundskola och fritidshem", "301 500", "304 900", "-3 400"),
           ("Gymnasieskola", "118 200", "118 900", "-700"), ("Totalt", "562 000", "565 400", "-3 400")]
    b.table([["Verksamhet", "Budget 2023, tkr", "Prognos 2023, tkr", "Avvikelse, tkr"]] + [list(r) for r in eco],
            widths=[6.2, 3.4, 3.4, 3.0], style="Light Grid Accent 1", shade=None)
    for item, bud, prog, avv in eco:
        L.cost(item, tkr(bud), column="Budget 2023, tkr")
        L.cost(item, tkr(prog), column="Prognos 2023, tkr")
        L.cost(item, tkr(avv), column="Avvikelse, tkr")
    ri = ("Det finns en risk att underskottet ökar under hösten om antalet barn med omfattande "
          "stödbehov fortsätter att öka. Förvaltningen tar fram en åtgärdsplan till nämndens "
          "sammanträde i juni.")
    section(b, L, "risk", 2, "Risker och åtgärder", [ri], start=4)
    b.save(path)
    return L, b.outline


# ======================================================================================
# 9. Åsbro: Hypergene CSV export, cp1252, ';', title row above the header
# ======================================================================================
def d09_asbro_hypergene_t3_csv(path):
    L = Labels(path.name, "Åsbro kommun",
               "Hypergene-export som CSV (Windows-1252, semikolon): titelrad och tom rad ovanför "
               "rubrikraden; bedömning Uppnått/Delvis uppnått/Ej uppnått",
               "delarsrapport", 2022, None, "T3 2022")
    title = "Målrapport Barn- och utbildningsnämnden T3 2022"
    rows = [[title, "", "", "", "", "", "", ""], [""] * 8,
            ["Perspektiv", "Nämndmål", "Indikator", "Utfall 2021", "Utfall 2022", "Målvärde 2022",
             "Bedömning", "Kommentar"]]
    data = [
        ("Barn och elever", "Alla elever ska ges förutsättningar att nå målen",
         "Andel elever i åk 9 som uppnått kunskapskraven i alla ämnen", "72,4 %", "75,1 %", "78 %",
         "Delvis uppnått", "Ökning för andra året i rad."),
        ("Barn och elever", "Alla elever ska ges förutsättningar att nå målen",
         "Andel elever i åk 9 behöriga till yrkesprogram", "85,0 %", "87,9 %", "87 %", "Uppnått", ""),
        ("Barn och elever", "Alla elever ska ges förutsättningar att nå målen",
         "Meritvärde åk 9 (17 ämnen)", "219", "224", "225", "Delvis uppnått", ""),
        ("Barn och elever", "Förskolan ska ge barnen en trygg start",
         "Andel vårdnadshavare som instämmer i att barnet är tryggt på förskolan", "96 %", "95 %", "95 %",
         "Uppnått", "Svarsfrekvens 62 %."),
        ("Barn och elever", "Förskolan ska ge barnen en trygg start",
         "Antal barn per årsarbetare i förskolan", "5,4", "5,6", "5,2", "Ej uppnått",
         "Fler barn än planerat i Kyrkby och Hagen."),
        ("Medarbetare", "Kompetenta och engagerade medarbetare",
         "Andel behöriga lärare i grundskolan", "73 %", "71 %", "80 %", "Ej uppnått",
         "Svårt att rekrytera lärare i slöjd och moderna språk."),
        ("Medarbetare", "Kompetenta och engagerade medarbetare",
         "Frisknärvaro (andel med högst 5 sjukdagar)", "52 %", "47 %", "60 %", "Ej uppnått",
         "Påverkad av covid-19 under första kvartalet."),
        ("Ekonomi", "God ekonomisk hushållning",
         "Avvikelse mot budget (tkr)", "1 250", "-2 870", "0", "Ej uppnått",
         "Underskott främst inom grundsärskola och skolskjuts."),
    ]
    for r in data:
        rows.append(list(r))
        per, goal, ind, u21, u22, mal, bed, kom = r
        L.ind(ind, u21, goal=goal, perspective=per, period="2021")
        L.ind(ind, u22, goal=goal, perspective=per, target=mal, assessment=bed, comment=kom or None,
              period="2022")
    write_csv(path, rows, "cp1252", ";")
    return L, [(1, title)]


# ======================================================================================
# 10. Myrviken: protokoll as plain text (PDF-to-text dump), Dnr lines, amounts
# ======================================================================================
def d10_myrviken_protokoll_txt(path):
    L = Labels(path.name, "Myrvikens kommun",
               "Sammanträdesprotokoll som ren text (kopierad ur PDF): paragrafer med Dnr-rader, "
               "Förslag till beslut, belopp i tkr, mnkr och kr",
               "protokoll", 2023, None, None)
    t = TextB(markdown=False)
    t.raw("MYRVIKENS KOMMUN\t\tSAMMANTRÄDESPROTOKOLL")
    t.raw("Barn- och utbildningsnämnden\t\tSammanträdesdatum 2023-03-22")
    t.raw("")
    t.h(1, "Protokoll barn- och utbildningsnämnden 2023-03-22")
    t.p("Plats och tid: Kommunhuset, sal Ljusnan, kl. 13.00–16.20\n"
        "Beslutande: ordförande, vice ordförande och sju ledamöter enligt närvarolista\n"
        "Övriga: förvaltningschef, ekonomichef, kvalitetsutvecklare, nämndsekreterare\n"
        "Justerare: ledamot för Moderaterna\nJusteringens plats och tid: Barn- och utbildningskontoret 2023-03-27")
    t.h(2, "§ 18 Ekonomisk uppföljning februari 2023")
    t.raw("Dnr BUN 2023/0045")
    t.raw("")
    s18 = ("Förvaltningen redovisar det ekonomiska utfallet efter februari. Prognosen för helåret "
           "visar ett underskott om 1,8 mnkr, främst på grund av ökade kostnader för skolskjutsar "
           "och för elever i fristående skolor. Förvaltningen föreslår att ett åtgärdspaket tas fram "
           "till nämndens sammanträde i april.")
    t.p(s18)
    L.sec("text", "§ 18 Ekonomisk uppföljning februari 2023", phrase(s18, 3))
    L.cost("underskott", -1800)
    t.h(3, "Förslag till beslut")
    t.p("Barn- och utbildningsnämnden godkänner den ekonomiska uppföljningen för februari 2023\n"
        "och ger förvaltningen i uppdrag att ta fram förslag på åtgärder för en budget i balans.")
    t.h(3, "Beslut")
    t.p("Nämnden beslutar enligt förslaget.")
    t.h(2, "§ 19 Sommarskola och lovskola 2023")
    t.raw("Dnr BUN 2023/0061")
    t.raw("")
    s19 = ("Lovskola ska erbjudas elever i årskurs 8 och 9 som riskerar att inte nå behörighet till "
           "gymnasiet. Förvaltningen föreslår att även elever i årskurs 6 erbjuds sommarskola i "
           "matematik och svenska. Kostnaden beräknas till 320 tkr och finansieras med statsbidrag "
           "för sommarskola.")
    t.p(s19)
    L.sec("text", "§ 19 Sommarskola och lovskola 2023", phrase(s19, 0))
    L.cost("sommarskola", 320)
    t.h(3, "Förslag till beslut")
    t.p("1. Sommarskola och lovskola anordnas under vecka 25–27 enligt förvaltningens förslag.\n"
        "2. Kostnaden, 320 tkr, finansieras med statsbidrag.")
    t.h(3, "Beslut")
    t.p("Nämnden beslutar enligt förslaget.")
    t.h(2, "§ 20 Bidrag till föreningen Läxhjälp i Myrviken")
    t.raw("Dnr BUN 2023/0012")
    t.raw("")
    s20 = ("Föreningen Läxhjälp i Myrviken har ansökt om ett bidrag på 450 000 kr för att driva "
           "läxhjälp två kvällar i veckan på biblioteket i Myrviken och i Storsund. Under 2022 "
           "deltog i genomsnitt 38 elever per vecka.")
    t.p(s20)
    L.sec("text", "§ 20 Bidrag till föreningen Läxhjälp i Myrviken", phrase(s20, 3))
    L.cost("ansökt om ett bidrag", 450)
    t.h(3, "Förslag till beslut")
    t.p("Föreningen beviljas ett bidrag om 400 000 kr för 2023.")
    L.cost("beviljas ett bidrag", 400)
    t.h(3, "Yrkanden")
    t.p("Ledamoten för Vänsterpartiet yrkar bifall till föreningens ansökan om 450 000 kr.\n"
        "Ordföranden ställer förslagen mot varandra och finner att nämnden beslutar enligt "
        "förvaltningens förslag.")
    t.h(3, "Beslut")
    t.p("Föreningen Läxhjälp i Myrviken beviljas 400 000 kr för 2023.\n"
        "Reservation: Ledamoten för Vänsterpartiet reserverar sig mot beslutet.")
    t.h(2, "§ 21 Information om kvalitetsarbetet i förskolan")
    t.raw("Dnr BUN 2023/0070")
    t.raw("")
    s21 = ("Kvalitetsutvecklaren informerar om resultaten från vårdnadshavarenkäten i förskolan. "
           "Svarsfrekvensen var 66 procent och 93 procent av vårdnadshavarna instämmer i att "
           "barnet känner sig tryggt. Resultaten redovisas i kvalitetsrapporten i juni.")
    t.p(s21)
    L.sec("text", "§ 21 Information om kvalitetsarbetet i förskolan", phrase(s21, 4))
    t.h(3, "Beslut")
    t.p("Nämnden tackar för informationen.")
    t.raw("Justerandes signatur\tUtdragsbestyrkande")
    t.raw("\f")
    t.save(path)
    return L, t.outline


# ======================================================================================
# 11. Björkfjärden: verksamhetsberättelse 2021, PDF
# ======================================================================================
def d11_bjorkfjarden_vb_2021(path):
    L = Labels(path.name, "Björkfjärdens kommun",
               "Verksamhetsberättelse som PDF: rubriker i större fetstil, linjerade tabeller för "
               "måluppfyllelse och driftredovisning, avstavning, sidhuvud och sidfot",
               "verksamhetsberattelse", 2021, None, "helår 2021")
    b = PdfB(path, "Verksamhetsberättelse 2021 Barn- och utbildningsnämnden",
             "Björkfjärdens kommun", "Verksamhetsberättelse 2021 – Barn- och utbildningsnämnden",
             family="helvetica", accent="2F5597")
    b.h(1, "Verksamhetsberättelse 2021")
    b.p("Barn- och utbildningsnämnden", b.st_h[2])
    b.h(2, "Ordföranden har ordet")
    oh = ("Året 2021 blev ännu ett år som präglades av pandemin. Jag vill rikta ett stort tack till "
          "alla medarbetare som har hållit förskolor och skolor öppna och som har ställt om "
          "undervisningen med kort varsel när det har behövts.")
    b.p(oh)
    L.sec("text", "Ordföranden har ordet", phrase(oh, 3))
    b.h(2, "Verksamhetens uppdrag")
    vu = ("Nämnden ansvarar för förskola, pedagogisk omsorg, förskoleklass, grundskola, "
          "grundsärskola, fritidshem och kulturskola. I verksamheterna går drygt 2 900 barn och "
          "elever och nämnden har 610 årsarbetare.")
    b.p(vu)
    L.sec("bakgrund", "Verksamhetens uppdrag", phrase(vu, 1))
    b.h(2, "Årets viktigaste händelser")
    ev = ["Den nya Fjärdskolan för årskurs 7–9 togs i bruk i augusti med plats för 420 elever.",
          "Alla elever i årskurs 1–9 har fått en egen digital enhet och IT-stödet har förstärkts med två tekniker.",
          "Fjärrundervisning i modersmål infördes för elva språk.",
          "Förskolan Ängen stängdes och verksamheten flyttade till nya lokaler i Norrvik."]
    b.ul(ev)
    L.sec("text", "Årets viktigaste händelser", phrase(ev[0], 0, 8))
    b.h(2, "Måluppfyllelse")
    b.p("Nämnden hade fyra nämndmål med sammanlagt sju indikatorer under 2021. Tre indikatorer har "
        "uppnått målvärdet, tre har delvis uppnått det och en har inte uppnått det.")
    mrows = [
        ("Alla elever når kunskapskraven", "Andel elever i åk 9 med godkända betyg i alla ämnen",
         "74 %", "76 %", "80 %", "Delvis uppnått"),
        ("Alla elever når kunskapskraven", "Andel elever i åk 9 behöriga till gymnasiet",
         "86 %", "89 %", "88 %", "Uppnått"),
        ("Alla elever når kunskapskraven", "Andel elever i åk 3 som klarar alla delprov i svenska",
         "–", "71 %", "80 %", "Ej uppnått"),
        ("Trygghet och studiero", "Andel elever i åk 5 som känner sig trygga",
         "89 %", "91 %", "90 %", "Uppnått"),
        ("Trygghet och studiero", "Andel elever i åk 8 som upplever studiero",
         "58 %", "60 %", "70 %", "Delvis uppnått"),
        ("Förskolan ger en god grund", "Andel förskollärare i förskolan", "39 %", "41 %", "45 %",
         "Delvis uppnått"),
        ("Attraktiv arbetsplats", "Medarbetarindex i medarbetarenkäten", "76", "79", "75", "Uppnått"),
    ]
    b.table([["Nämndmål", "Indikator", "Utfall 2020", "Utfall 2021", "Målvärde", "Måluppfyllelse"]]
            + [list(r) for r in mrows], widths=[3.2, 5.0, 1.7, 1.7, 2.0, 3.0])
    for goal, ind, u20, u21, mal, bed in mrows:
        L.ind(ind, u20, goal=goal, period="2020")
        L.ind(ind, u21, goal=goal, target=mal, assessment=bed, period="2021")
    b.small("Nationella prov i årskurs 3 genomfördes inte våren 2020, därför saknas utfall för 2020.")
    mu = ("Resultaten i årskurs 9 förbättrades trots pandemin. Skolorna lyfter fram att "
          "lärarna har arbetat mer systematiskt med formativ bedömning och att elevhälsan tidigt "
          "har fångat upp elever med hög frånvaro. Resultaten i svenska i årskurs 3 är däremot "
          "oroande och har lett till en satsning på läs~utveckling i lågstadiet.")
    b.p(mu)
    b.h(2, "Ekonomi")
    b.h(3, "Driftredovisning")
    b.p("Nämnden redovisar ett överskott på 2,3 mnkr för 2021. Överskottet beror på statsbidrag "
        "som kompenserade för sjuklönekostnader och på lägre kostnader för fortbildning och resor.")
    drift = [("Nämnd och förvaltning", "24 100", "23 400", "700"), ("Förskola", "118 700", "117 200", "1 500"),
             ("Grundskola och förskoleklass", "231 400", "232 100", "-700"), ("Fritidshem", "28 900", "28 100", "800"),
             ("Grundsärskola", "15 200", "15 600", "-400"), ("Kulturskola", "8 300", "7 900", "400"),
             ("Summa", "426 600", "424 300", "2 300")]
    b.table([["Verksamhet", "Budget 2021", "Utfall 2021", "Avvikelse"]] + [list(r) for r in drift],
            widths=[6.6, 3.2, 3.2, 3.2], align_right_cols=(1, 2, 3))
    b.small("Belopp i tkr.")
    for item, bud, utf, avv in drift:
        L.cost(item, tkr(bud), column="Budget 2021")
        L.cost(item, tkr(utf), column="Utfall 2021")
        L.cost(item, tkr(avv), column="Avvikelse")
    b.h(3, "Investeringar")
    inv = ("Investeringarna uppgick till 6,4 mnkr, varav 3,9 mnkr avsåg inventarier till Fjärd~"
           "skolan och 1,6 mnkr digitala enheter till eleverna. Resterande 0,9 mnkr avsåg "
           "utemiljön vid förskolorna.")
    b.p(inv)
    L.cost("Investeringarna", 6400)
    L.cost("inventarier till Fjärdskolan", 3900)
    L.cost("digitala enheter till eleverna", 1600)
    L.cost("utemiljön vid förskolorna", 900)
    b.h(2, "Slutsatser och framtid")
    sf = ("Nämnden bedömer att verksamheten har klarat pandemins påfrestningar väl. Inför 2022 "
          "behöver fokus ligga på att ta igen förlorad undervisning, särskilt i läs~förståelse "
          "och matematik, och på att stärka studieron på högstadiet.")
    b.p(sf)
    L.sec("analys", "Slutsatser och framtid", phrase(sf, 2))
    b.h(3, "Utmaningar")
    ut = ["Kompetensförsörjningen, där 22 procent av lärarna saknar legitimation.",
          "Ett minskande barnantal i de norra kommundelarna som påverkar skolstrukturen.",
          "Ökade kostnader för livsmedel och energi under 2022."]
    b.ul(ut)
    for u in ut:
        L.sec("risk", "Utmaningar", phrase(u, 0, 7))
    b.save()
    return L, b.outline


# ======================================================================================
# 12. Västerby: kvalitetsrapport förskolan (huvudman) 2023 on the municipality site
# ======================================================================================
def d12_vasterby_kr_forskola_web(path):
    L = Labels(path.name, "Västerby kommun",
               "Kommunens webbsida: cookie-banner, toppmeny, brödsmulor, sidospalt med relaterade "
               "länkar och sidfot runt <main><article> med h1-h3, listor och tabell med thead",
               "kvalitetsrapport", 2023, None, None)
    a = HtmlB()
    a.h(1, "Kvalitetsrapport för förskolan 2023")
    a.p("Barn- och utbildningsnämnden redovisar här huvudmannens uppföljning av förskolan i "
        "Västerby kommun under 2023. Rapporten bygger på förskolornas egna kvalitetsrapporter, "
        "vårdnadshavarenkäten och statistik.", cls="ingress")
    a.h(2, "Förutsättningar")
    fo = ("Västerby har 21 kommunala förskolor med 1 480 inskrivna barn. Andelen förskollärare av "
          "den pedagogiska personalen var 36 procent i oktober 2023, jämfört med 34 procent året "
          "innan. Barngrupperna var i genomsnitt 15,2 barn.")
    a.p(fo)
    L.sec("bakgrund", "Förutsättningar", phrase(fo, 2))
    a.h(2, "Resultat")
    a.h(3, "Vårdnadshavarenkäten")
    ve = ("Enkäten besvarades av 58 procent av vårdnadshavarna. Resultaten är i stort sett "
          "oförändrade jämfört med 2022.")
    a.p(ve)
    a.table(["Påstående", "2022", "2023"],
            [["Mitt barn känner sig tryggt i förskolan", "95 %", "96 %"],
             ["Förskolan stimulerar mitt barns språkutveckling", "88 %", "87 %"],
             ["Jag får information om mitt barns utveckling", "79 %", "82 %"],
             ["Jag är som helhet nöjd med förskolan", "91 %", "92 %"]],
            caption="Andel vårdnadshavare som instämmer")
    for ind, u22, u23 in [("Mitt barn känner sig tryggt i förskolan", "95 %", "96 %"),
                          ("Förskolan stimulerar mitt barns språkutveckling", "88 %", "87 %"),
                          ("Jag får information om mitt barns utveckling", "79 %", "82 %"),
                          ("Jag är som helhet nöjd med förskolan", "91 %", "92 %")]:
        L.ind(ind, u22, period="2022")
        L.ind(ind, u23, period="2023")
    L.sec("uppfoljning", "Vårdnadshavarenkäten", phrase(ve, 1))
    a.h(3, "Undervisning och lärande")
    ul = ("Förskolornas egna rapporter visar att undervisningen i språk och matematik har blivit "
          "mer planerad. Nio av tjugoen förskolor har infört gemensamma planeringsmallar för "
          "undervisning, och förskollärarnas ansvar för undervisningen är tydligare.")
    a.p(ul)
    L.sec("uppfoljning", "Undervisning och lärande", phrase(ul, 3))
    a.h(2, "Bedömning")
    bd = ("Huvudmannen bedömer att förskolan i Västerby i huvudsak håller god kvalitet. Den största "
          "bristen är den låga andelen förskollärare, som gör att undervisningen blir beroende av "
          "enskilda personer. Skillnaderna mellan förskolorna i dokumentation och uppföljning är "
          "fortfarande för stora.")
    a.p(bd)
    L.sec("analys", "Bedömning", phrase(bd, 3))
    a.h(2, "Åtgärder 2024")
    atg = ["Fortsätta uppdragsutbildningen för barnskötare som vill bli förskollärare (12 platser).",
           "Gemensam modell för dokumentation och uppföljning i alla förskolor från augusti 2024.",
           "Språkombud på varje förskola med särskilt fokus på flerspråkiga barn."]
    a.ul(atg)
    for x in atg:
        L.sec("insats", "Åtgärder 2024", phrase(x, 0, 8))
    a.h(2, "Ekonomi")
    ek = ("Uppdragsutbildningen kostar 1,1 mnkr under 2024 och finansieras med statsbidraget för "
          "förskolans kompetensutveckling. Språkombuden ryms inom förskolornas budget.")
    a.p(ek)
    L.cost("Uppdragsutbildningen", 1100)
    page = site_page("vasterby", "Kvalitetsrapport för förskolan 2023 | Västerby kommun",
                     ["Startsida", "Barn och utbildning", "Förskola", "Kvalitet i förskolan"], a.html(),
                     updated="2024-03-05")
    path.write_text(page, encoding="utf-8")
    return L, a.outline
