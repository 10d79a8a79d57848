"""Personal data in Swedish documents: personnummer, samordningsnummer, e-mail addresses and
personal names.

Identity numbers (10 or 12 digits, with "-", "+" or a space before the last four, or none) are
kept only when the date is real and the Luhn check digit holds; a samordningsnummer is the
same with 60 added to the day.

Names are found by rules, not a model, tuned on the register of follow-ups and quality reports
(see tests/data/pii_labelled.json and benchmarks/pii_eval.py for the measured precision and
recall). In Swedish running text common nouns are lower case, so a run of capitalised words is
the candidate. A run counts as a name when
  * it starts with a known first name and goes on with a surname-shaped word
    ("Lars Gustafsson", "Anna-Karin Sjöberg"), or
  * a role word stands right before it ("rektor Ingela Bäckström", "eleven Ali",
    "Rektor Eriksson"), or
  * it is a known first name alone that is not also an everyday word ("av Lars", "Karin har").
It does not count when it is a place, organisation, system, month, perspective or status
("Böle", "Lejonfastigheter", "Stratsys", "Maj", "Pågående"), when it is followed by an
institution word ("Astrid Lindgrens skola", "Maria skola"), or when it is an institution itself
("Skäggetorpsskolans", "Vasaskolan").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import luhn

__all__ = ["Finding", "find", "find_personal_data", "mask", "evaluate_names"]


@dataclass(frozen=True)
class Finding:
    kind: str  # "personnummer" | "samordningsnummer" | "namn" | "epost"
    text: str
    start: int
    end: int


# --------------------------------------------------------------------------------------------
# Identity numbers
# --------------------------------------------------------------------------------------------

_PNR_RE = re.compile(r"(?<![\w+\-])((?:18|19|20)?\d{6})([-+ ]?)(\d{4})(?![\w])")


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def classify_identity_number(candidate: str) -> str | None:
    """"personnummer", "samordningsnummer" or None for a 10/12-digit string with a separator."""
    digits = re.sub(r"\D", "", candidate)
    if len(digits) not in (10, 12):
        return None
    ten = digits[-10:]
    if not luhn.is_valid(ten):
        return None
    month, day = int(ten[2:4]), int(ten[4:6])
    kind = "personnummer"
    if day > 60:
        kind, day = "samordningsnummer", day - 60
    if len(digits) == 12:
        years = [int(digits[:4])]
    else:  # the century is unknown: a date valid in any of the last two will do (29 February)
        yy = int(ten[:2])
        years = [1900 + yy, 2000 + yy, 1800 + yy]
    return kind if any(_valid_date(y, month, day) for y in years) else None


# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------

# Roles and relations that stand right before a person's name.
ROLES = frozenset(
    """rektor rektorn biträdande förskolechef förskolechefen förvaltningschef förvaltningschefen
    skolchef skolchefen utbildningschef utbildningschefen verksamhetschef verksamhetschefen
    verksamhetsutvecklare verksamhetutvecklare kvalitetsutvecklare kvalitetsutvecklaren
    utvecklingsledare utvecklingsledaren controller controllern verksamhetscontroller ekonom
    ekonomen ekonomichef ekonomichefen handläggare handläggaren nämndsekreterare sekreterare
    samordnare samordnaren specialpedagog specialpedagogen speciallärare speciallärare
    kurator kuratorn skolsköterska skolsköterskan skolpsykolog skolpsykologen skolläkare
    skolläkaren yrkesvägledare vägledare lärare läraren förstelärare försteläraren mentor
    mentorn elev eleven elevens barnet barnets vårdnadshavare vårdnadshavaren ordförande
    ordföranden vice ledamot ledamoten projektledare projektledaren konsult konsulten
    konsulterna handledare handledaren skolledare enhetschef enhetschefen avdelningschef
    avdelningschefen utredare utredaren strateg strategen pedagog pedagogen fritidspedagog
    barnskötare barnskötaren förskollärare förskolläraren elevhälsochef kommunchef kommundirektör
    it-chef hr-chef hr-strateg hr-konsult kontaktperson kontaktpersonen föreläsare föreläsaren
    forskare forskaren professor docent lektor lektorn adjunkt studierektor bitr
    kommunalråd kommunalrådet nämndordförande assistent assistenten elevassistent
    elevassistenten modersmålslärare studiehandledare resurspedagog resurs lärarna rektorer
    rektorerna elever eleverna pedagogerna förskollärarna enhetschefer enhetscheferna
    skolledarna specialpedagogerna""".split()
)


def _role_like(word: str) -> bool:
    """A role word or a plural/definite form of one ("Enhetschefer", "Rektorerna")."""
    w = word.lower()
    return w in ROLES or any(w.startswith(r) and len(w) - len(r) <= 4 for r in ROLES if len(r) >= 6)

# Common Swedish first names (Statistics Sweden's most frequent, plus names common among pupils
# with roots elsewhere). A name here that is also an everyday word is in AMBIGUOUS_FIRST.
FIRST_NAMES = frozenset(
    """Anna Eva Maria Karin Sara Lena Kerstin Emma Ingrid Marie Malin Jenny Annika Hanna Linda
    Susanne Elisabeth Birgitta Sofia Sofie Johanna Carina Elin Ulla Katarina Monica Monika Helena
    Åsa Camilla Kristina Margareta Agneta Gunilla Pia Therese Cecilia Ann Anneli Annelie Anette
    Marianne Ewa Yvonne Ida Louise Lisa Frida Josefin Josefine Matilda Amanda Julia Emelie Emilia
    Jessica Sandra Caroline Maja Alice Elsa Ella Astrid Wilma Olivia Ebba Alva Selma Vera Alma
    Ellen Agnes Freja Stella Signe Elvira Nova Tyra Molly Leah Lea Ines Edith Greta Clara Klara
    Elina Felicia Moa Tilda Tindra Thea Meja Linnea Nellie Ronja Hedvig Ylva Lovisa Victoria
    Viktoria Charlotte Charlotta Eleonora Ester Irma Gun Inga Inger Britt Siv Marita Mona Mia
    Madeleine Magdalena Ulrika Petra Jeanette Nina Tina Sanna Sanna Mikaela Michaela Veronica
    Veronika Erika Rebecka Rebecca Emilie Paulina Angelica Angelika Jennie Jenni Ingela Ingegerd
    Gunnel Barbro Lisbeth Lisbet Solveig Ingalill Maj-Britt Anna-Karin Anna-Lena Ann-Marie
    Ann-Sofie Eva-Lena Mari Marie-Louise Karolina Liv Saga Rut Vendela Märta Sigrid
    Lars Mikael Michael Anders Johan Per Erik Karl Carl Peter Thomas Tomas Jan Daniel Fredrik
    Hans Stefan Mats Bengt Magnus Martin Andreas Niklas Nicklas Jonas Björn Henrik Ulf Patrik
    Patrick Mattias Matthias Christer Göran Leif Ola Oskar Oscar Hugo Lucas Lukas William Liam Noah
    Elias Adam Alexander Viktor Victor Filip Philip Gustav Gustaf Olle Axel Albin Ludvig Isak
    Leo Vincent Theo Arvid Melvin Alfred Edvin Emil Sebastian Simon Jakob Jacob Robin Joel
    Linus Rasmus Anton Tobias Kevin David Jesper Joakim Marcus Markus Christian Kristian Kristoffer
    Christoffer Roger Kenneth Roland Rolf Tommy Conny Jörgen Jörgen Torbjörn Ingemar Gunnar Sven
    Nils Olof Åke Bo Kent Lennart Kjell Sten Stig Tord Tore Ove Bertil Arne Rune Sune Gösta
    Lennart Pontus Sixten Sigge Valter Walter Melker Vidar Frans Ebbe Love Viggo Malte Otto
    Harry Hampus Josef Jonathan Johannes Jimmy Dennis Rickard Richard Robert Ronny Sören Urban
    Krister Kurt Lars-Erik Per-Olof Jan-Erik Karl-Johan Nils-Erik Pär Dag Max
    Mohammed Mohammad Muhammad Mohamed Ali Ahmed Ahmad Hassan Hussein Omar Yusuf Youssef Ibrahim
    Mustafa Mahmoud Abdullah Khalid Karim Amir Hamza Ismail Yasin Adnan Emir Elif Zeynep Fatima
    Aisha Amina Maryam Mariam Sara Leyla Layla Nour Noor Hiba Yasmin Samira Rania Hawa Hodan
    Abdi Abdirahman Mehmet Ayse Dragan Milan Goran Jelena Ana Mirela Aleksandra Katarzyna
    Piotr Tomasz Agnieszka Olga Irina Natalia Tatjana Sami Anja Nadia""".split()
)

# First names that are also everyday Swedish words, months or common sentence openers: alone
# they are not enough, they need a surname or a role.
AMBIGUOUS_FIRST = frozenset(
    """Per Bo Dag Max Sten Stig Liv Saga Rut Klara Vera Nova Love Gun Ester Ines Alma Mark Rosa
    Viola Iris Lina Svea Maj Frank Ebbe Sami Ana Hans Axel Björn Urban Frans Sanna Milan Inga""".split()
)

# Frequent Swedish surnames (the suffix test below catches most others).
SURNAMES = frozenset(
    """Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson
    Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson
    Lindström Lindqvist Lindgren Axelsson Berg Bergström Lundberg Lind Lundgren Lundqvist
    Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Eklund
    Danielsson Lundin Håkansson Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson
    Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson
    Nordström Mårtensson Lundström Viklund Björklund Eliasson Pålsson Berggren Sandström Lund
    Nordin Ström Åberg Hermansson Ekström Holmgren Sundberg Hedlund Dahlberg Hellström Sjögren
    Abrahamsson Martinsson Öberg Andreasson Strömberg Månsson Hansen Åkesson Dahl Lindholm
    Norberg Holmqvist Wadell Brunn Strand Nord Sund Falk Ek Lööf Haddad Yilmaz Wirén Öztürk
    Kaya Demir Hussein Ahmed Mohamed Ali Hassan Nguyen Kowalski Nowak Jovanović Petrović""".split()
)
_SURNAME_SUFFIX = re.compile(
    r"(?:sson|son|sen|berg|ström|strom|qvist|kvist|quist|gren|lund|holm|dahl|dal|bäck|lin|lén|"
    r"ell|ér|én|stedt|stadius|blad|löf|fors|mark|sjö|hed|lander|ander|ius|man|mann|ling|ing|ert|"
    r"ić|vić|ović|ovic|evic|ski|ska|sky|yan|oğlu|oglu|zadeh|pour)$"
)

# Capitalised words that are not names in these documents: places, organisations, systems,
# months, weekdays, perspectives, statuses, headings and common sentence openers.
NOT_NAMES = frozenset(
    """Skolverket Skolinspektionen Skolverkets Stratsys Google Microsoft Teams Office Qlik Sense
    Unikum Vklass Skolon Skola24 Lejonfastigheter Kontakt Mitt Skolval Linköping Linköpings Böle
    Skäggetorp Ryd Ryds Berga Lambohov Lambohovs Norrköping Norrköpings Stockholm Stockholms
    Göteborg Göteborgs Malmö Malmös Uppsala Västerås Örebro Helsingborg Jönköping Umeå Lund
    Lunds Borås Luleå Sundsvall Gävle Eskilstuna Södertälje Karlstad Växjö Halmstad Kalmar
    Kristianstad Falun Östersund Trollhättan Motala Mjölby Sverige Sveriges Östergötland
    Östergötlands Region Regionen Kommun Kommunen Kommunens Kommunal Vision Lärarförbundet
    Lärarnas Riksförbund Sveriges SKR SKRs SCB Arbetsmiljöverket Socialstyrelsen Försäkringskassan
    Migrationsverket Skolforskningsinstitutet Specialpedagogiska Skolmyndigheten SPSM
    Januari Februari Mars April Maj Juni Juli Augusti September Oktober November December
    Måndag Tisdag Onsdag Torsdag Fredag Lördag Söndag Våren Hösten Sommaren Vintern
    Samhälle Medborgare Ekonomi Verksamhet Medarbetare Pågående Pågår Genomfört Klart Kvarstår
    Pausad Avslutad Påbörjad Påbörjat Ej Status Kommentar Aktivitet Aktiviteten Uppdrag
    Uppföljning Analys Bakgrund Delaktighet Nulägesanalys Styrkor Svagheter Risker Risk
    Erfarenhetsspridning Tidplan Kostnader Kostnadsberäkning Nämndmål Nämnd Nämnden Politiker
    Förvaltningen Förvaltningsledningen Huvudmannen Skolan Förskolan Grundskolan Gymnasiet
    Vuxenutbildningen Fritidshemmet Elevhälsan Elevhälsoteamet Arbetsgrupp Arbetsgruppen
    Projektet Målet Syftet Modern Kvalitet Korthet Öppna Effektivitet Svenska Engelska Matematik
    Ansvarar Ansvarig Har Och Samt Tillsammans Deltar Ska Kommer Bör Kan Vi Vår Våra Vårt Det
    Den Detta Denna Dessa De Där Som Men Under Inom Efter Genom För Från Med Till Av I På Om Nu
    Samtliga Alla En Ett Ingen Inga Arbetet Se Varje Enligt Därför Dock Även Också Utifrån
    Kontakta Elevens Elever Eleverna Barnen Resultaten Resultat Förskjuts Slutfört Ändrat
    Flyttat Löpande Startas Oklart Ingen Beslut Licenser Tertial Tertialrapporten Diarienummer
    Personnummer Pnr Samordningsnummer Telefontiden Kostnaden Ärendenummer Analysen Av Vid
    Förskolan Solrosen Norrskenets Norrskenet""".split()
)
_NOT_NAMES_LOWER = frozenset(w.lower() for w in NOT_NAMES)

# Words after a capitalised run that make it an institution or place, not a person.
INSTITUTION_WORDS = frozenset(
    """skola skolan skolas skolor förskola förskolan förskolor gymnasium gymnasiet gymnasieskola
    fritidshem fritidshemmet kommun kommuns kommunen region regionen gata gatan väg vägen park
    parken torg torget kyrka kyrkan sjukhus universitet högskola högskolan stiftelse stiftelsen
    ab förening föreningen bibliotek biblioteket hus huset center centrum område området
    skolområde""".split()
)
# A capitalised word ending in one of these is an institution or organisation.
_INSTITUTION_SUFFIX = re.compile(
    r"(?:skola|skolan|skolans|skolor|skolorna|gymnasiet|gymnasiets|förskola|förskolan|förskolans|"
    r"fastigheter|fastigheters|kommun|kommuns|kommunen|nämnden|nämndens|förvaltningen|verket|"
    r"verkets|myndigheten|institutet|förbundet|gruppen|teamet|hemmet|torp|torps|staden|stad|"
    r"ningen|ningens|heten|hetens|ationen|ationens|ende|andet|endet|ering|eringen)$",
    re.I,
)

_WORD = r"[^\W\d_]+(?:-[^\W\d_]+)*"  # letters of any script, hyphenated parts
_TOKEN_RE = re.compile(_WORD)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _is_cap(word: str) -> bool:
    """Capitalised like a name: upper first letter, then lower (parts of a hyphenated name too)."""
    parts = word.split("-")
    return all(p[:1].isupper() and len(p) >= 2 and p[1:].islower() for p in parts)


def _is_first(word: str) -> bool:
    if word in FIRST_NAMES:
        return True
    parts = word.split("-")
    return len(parts) > 1 and all(p in FIRST_NAMES for p in parts)


def _strip_genitive(word: str) -> str:
    if word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def _is_surname(word: str) -> bool:
    base = _strip_genitive(word)
    return (
        word in SURNAMES or base in SURNAMES
        or (bool(_SURNAME_SUFFIX.search(word.lower()) or _SURNAME_SUFFIX.search(base.lower()))
            and not _INSTITUTION_SUFFIX.search(word))
    )


def _not_a_name(word: str) -> bool:
    return (
        word in NOT_NAMES
        or word.lower() in _NOT_NAMES_LOWER
        or _role_like(word)
        or bool(_INSTITUTION_SUFFIX.search(word))
        or not _is_cap(word)
    )


def _surname_ok(word: str) -> bool:
    """Could stand as the second or third word of a name."""
    return _is_cap(word) and not _not_a_name(word) and not (
        word in AMBIGUOUS_FIRST and not _is_surname(word)
    )


@dataclass
class _Tok:
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _joined(text: str, a: _Tok, b: _Tok) -> bool:
    """b follows a within one phrase: only spaces (or one line break) between them."""
    gap = text[a.end : b.start]
    return bool(re.fullmatch(r" {1,3}| *\r?\n *", gap))


def _sentence_start(text: str, tok: _Tok) -> bool:
    before = text[: tok.start].rstrip(" \t")
    if not before:
        return True
    last = before[-1]
    if last in ".!?:•\n\t–-*(\"”»;":
        return True
    return False


def _role_before(text: str, toks: list[_Tok], i: int) -> bool:
    """A role word stands right before token i (same phrase, no punctuation between)."""
    if i == 0:
        return False
    prev = toks[i - 1]
    if not _joined(text, prev, toks[i]):
        return False
    return prev.text.lower() in ROLES


def _find_names(text: str) -> list[tuple[int, int]]:
    toks = _tokens(text)
    spans: list[tuple[int, int]] = []
    full_firsts: set[str] = set()
    ambiguous_singles: list[tuple[int, int, str]] = []
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        role = _role_before(text, toks, i)
        # Not capitalised, or a role word opening the run ("Rektor Martin Eriksson"): move on.
        if not _is_cap(tok.text) or _role_like(tok.text):
            i += 1
            continue
        if _not_a_name(tok.text) and not (role and _is_surname(tok.text) and tok.text not in NOT_NAMES):
            i += 1
            continue
        # Extend the run with up to two surname-shaped words.
        j = i + 1
        while j < n and j - i < 3 and _joined(text, toks[j - 1], toks[j]) and _surname_ok(toks[j].text):
            j += 1
        run = toks[i:j]
        after = toks[j] if j < n and _joined(text, toks[j - 1], toks[j]) else None
        if after is not None and (
            after.text.lower() in INSTITUTION_WORDS or _INSTITUTION_SUFFIX.search(after.text)
        ):
            i = j + 1  # "Astrid Lindgrens skola", "Maria skola", "Gustav Adolfsskolan"
            continue
        first = run[0].text
        ambiguous = first in AMBIGUOUS_FIRST
        is_name = False
        if len(run) >= 2:
            if _is_first(first) and (
                not ambiguous or role or not _sentence_start(text, run[0])
                or any(_is_surname(t.text) for t in run[1:])
            ):
                is_name = True
            elif role:
                is_name = True
            elif not _sentence_start(text, run[0]) and _is_surname(run[-1].text):
                is_name = True  # "kontakta Ingela Bäckström" mid-sentence
        elif role:
            is_name = True  # "eleven Ali", "Rektor Eriksson"
        elif _is_first(first):
            if ambiguous:
                ambiguous_singles.append((run[0].start, run[0].end, first))
            else:
                is_name = True  # a first name that is no everyday word: "av Lars", "Karin har"
        if is_name:
            spans.append((run[0].start, run[-1].end))
            if len(run) >= 2:
                full_firsts.add(first)
            i = j
        else:
            i += 1  # a name may start inside the run: "Lärarna Anna och Eva"
    # "Per" alone is a name only where a Per was named in full ("Per Eriksson … Per har").
    spans.extend((s, e) for s, e, word in ambiguous_singles if word in full_firsts)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def find(text: str) -> list[Finding]:
    """All personal data in `text`, sorted by position, never overlapping."""
    out: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for m in _PNR_RE.finditer(text):
        kind = classify_identity_number(m.group(0))
        if kind:
            out.append(Finding(kind, m.group(0), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _EMAIL_RE.finditer(text):
        out.append(Finding("epost", m.group(0), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for s, e in _find_names(text):
        if any(s < te and e > ts for ts, te in taken):
            continue  # inside an e-mail address
        out.append(Finding("namn", text[s:e], s, e))
    return sorted(out, key=lambda f: f.start)


def find_personal_data(text: str) -> list[str]:
    """The kinds of personal data in `text`, sorted, for passage metadata."""
    return sorted({f.kind for f in find(text)})


_MARK_TAG = re.compile(r"</?mark>")


def mask(text: str) -> str:
    """Replace personal data with placeholders: [namn], [personnummer], [samordningsnummer],
    [epost].

    Search snippets carry ``<mark>`` tags around matched words ("Rektor <mark>Martin</mark>
    Eriksson"): names are then found on the text without the tags, and the whole name is
    replaced while the tags stay balanced ("Rektor <mark>[namn]</mark>").
    """
    if "mark>" not in text:
        return _mask_plain(text)
    tag_chars: set[int] = set()
    for m in _MARK_TAG.finditer(text):
        tag_chars.update(range(m.start(), m.end()))
    positions = [i for i in range(len(text)) if i not in tag_chars]  # plain index -> original
    plain = "".join(text[i] for i in positions)
    findings = find(plain)
    if not findings:
        return text
    placeholder_at: dict[int, str] = {}
    dropped: set[int] = set()
    for f in findings:
        span = positions[f.start : f.end]
        placeholder_at.setdefault(span[0], f"[{f.kind}]")
        dropped.update(span[1:])
    out = []
    for i, ch in enumerate(text):
        if i in placeholder_at:
            out.append(placeholder_at[i])
        elif i not in dropped:
            out.append(ch)
    return "".join(out)


def _mask_plain(text: str) -> str:
    findings = find(text)
    if not findings:
        return text
    out, pos = [], 0
    for f in findings:
        if f.start < pos:
            continue
        out.append(text[pos : f.start])
        out.append(f"[{f.kind}]")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Measurement against a labelled set (tests/data/pii_labelled.json)
# --------------------------------------------------------------------------------------------


def _norm(s: str) -> str:
    return " ".join(s.split())


def evaluate_names(items: list[dict]) -> dict:
    """Precision, recall and F1 of name detection, exact spans, over labelled items.

    Each item: {"text": …, "names": [names as written, repeated if said twice]}. Returns counts
    and the errors (false positives, false negatives) with their item ids.
    """
    from collections import Counter

    tp = fp = fn = 0
    false_pos: list[tuple[object, str]] = []
    false_neg: list[tuple[object, str]] = []
    for item in items:
        gold = Counter(_norm(n) for n in item.get("names", []))
        pred = Counter(_norm(f.text) for f in find(item["text"]) if f.kind == "namn")
        hit = gold & pred
        tp += sum(hit.values())
        for name, c in (pred - gold).items():
            fp += c
            false_pos.extend([(item.get("id"), name)] * c)
        for name, c in (gold - pred).items():
            fn += c
            false_neg.extend([(item.get("id"), name)] * c)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "items": len(items), "tp": tp, "fp": fp, "fn": fn,
        "precision": precision, "recall": recall, "f1": f1,
        "false_positives": false_pos, "false_negatives": false_neg,
    }
