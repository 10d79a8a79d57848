"""Personal names in Swedish text, however they are written.

Names are found by rules over lexicons, not by a model. The lexicons (lexicon/*.txt, built by
scripts/build_name_lexicon.py from Faker's person data, which for Swedish is Isof's and
Skatteverket's name statistics, plus a hand-written supplement for origins Faker lacks) say which
words are first names and which are surnames, for Swedish names and the name origins common in
Sweden; a derived list says which of them are also everyday Swedish words ("Per", "Klara").

A name is found in any of these shapes:
  * first and last name, any origin, with particles ("Jan de Vries", "Elin af Sillén") and
    genitives ("Karin Lindbergs uppföljning");
  * surname first ("Öztürk, Elif"), initials ("L. Berg", "K-A Lind"), capitals in signature
    blocks ("MARIA LINDQVIST"), lower case typed in a chat ("fråga lena holm");
  * a first name or a surname alone where the lexicon or the context says it is one: a role
    ("rektor Eriksson"), a label ("Ansvarig:", "Kontaktperson:", "Närvarande:"), a list of names
    after such a label, a signature after "Mvh", a greeting ("Hej Lena!"), a half-masked name
    ("Andersson, [namn]", "[namn] Berg", "[NAMN] ÖSTLUND", "N.N. Jakobsson"), a pupil's class
    after it ("Björn i 2B"), a table cell under "Ansvarig"/"Namn", a "name, role" list line;
  * again, anywhere in the text, once a word was found as part of a name ("Eva Sjögren …
    Sjögren inledde", "Per Ek … Per har"), and beside a found surname in "Lind och Åberg",
    "Karlsson, Haddad och Ström".
It is not a name when it names an institution, a street or a place ("Astrid Lindgrens skola",
"Olof Palmes gata", "Kristinaskolan"), an organisation, system or method ("Rädda Barnen",
"Bornholmsmodellen"), a month, a heading in capitals, or an everyday word at the start of a
sentence ("Stig in i lärandet", "Björk, ek och lind"), a place after "i", "från", "via" ("via
Hed och Norberg"), a court ("Svea hovrätt"), or a preschool unit or team named with a first name
("avdelning Tyra"). A school named after a person ("Anna Whitlocks gymnasium", "Ebba
Brahe-skolan") is an institution, not personal data: it is left standing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).with_name("lexicon")


def _read(name: str) -> frozenset[str]:
    lines = (LEXICON_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))


@lru_cache(maxsize=1)
def lexicons() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, surnames, names that are everyday words (lower case), other proper nouns),
    read once from the shipped files."""
    first, last = _read("first_names"), _read("surnames")
    folded_first = frozenset(_fold(n) for n in first if not n.isascii())
    folded_last = frozenset(_fold(n) for n in last if not n.isascii())
    common = _read("common_words") | _EXTRA_COMMON
    proper = _read("proper_nouns")
    return first | folded_first, last | folded_last, common, proper


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Without diacritics except the Swedish letters: "Hodžić" -> "Hodzic", "Çelik" -> "Celik"."""
    if word.isascii():
        return word
    out = []
    for ch in word:
        if ch in "åäöÅÄÖ":
            out.append(ch)
            continue
        out.append("".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)))
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Word lists written by hand
# --------------------------------------------------------------------------------------------

# Roles and relations that stand right before a person's name.
ROLES = frozenset(
    """rektor rektorn biträdande förskolechef förskolechefen förvaltningschef förvaltningschefen
    skolchef skolchefen utbildningschef utbildningschefen verksamhetschef verksamhetschefen
    verksamhetsutvecklare verksamhetutvecklare kvalitetsutvecklare kvalitetsutvecklaren
    utvecklingsledare utvecklingsledaren controller controllern verksamhetscontroller ekonom
    ekonomen ekonomichef ekonomichefen handläggare handläggaren nämndsekreterare sekreterare
    samordnare samordnaren specialpedagog specialpedagogen speciallärare
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
    skolledarna specialpedagogerna fritidsledare fritidsledaren administratör administratören
    it-samordnare sekr ordf förälder föräldern mamma pappa mamman pappan vittne vittnet
    kollega kollegan kollegor kollegorna chef chefen systemförvaltare fröken magister magistern
    fru herr familjen familj skyddsombud skyddsombudet huvudskyddsombud huvudskyddsombudet
    arbetsmiljöombud arbetsmiljöombudet ombud ombudet förtroendevald bibliotekarie bibliotekarien
    vaktmästare vaktmästaren kock kocken kökschef kökschefen lokalvårdare vikarie vikarien
    logoped logopeden psykolog psykologen arbetsterapeut fysioterapeut socialsekreterare
    socialsekreteraren tolk tolken personal personalen rastvakt rastvakten rastvärd rastvärden""".split()
)

# "Label:" before a name or a list of names; the role words above count too.
LABELS = frozenset(
    """ansvarig ansvariga ansvarar kontaktperson kontaktpersoner kontakt närvarande frånvarande
    deltagare deltog närvarade justeras justerare justerat signerat signatur underskrift
    avsändare mottagare från till kopia cc elev elever vittne vittnen förälder föräldrar
    vårdnadshavare anmälare anmäld berörd berörda handläggare utförare granskare granskad
    författare sammanställd upprättad upprättat beslutsfattare protokollförare sekreterare
    ordförande namn medverkande inbjudna ersättare klass""".split()
)

# Greetings and sign-offs: the name that follows is a person.
GREETINGS = frozenset("hej hejsan hallå tjena tack kära bästa hälsa hälsningar mvh vänliga".split())
SIGN_OFFS = re.compile(
    r"(?im)^[ \t]*(?:mvh|med vänlig(?:a)? hälsning(?:ar)?|vänliga hälsningar|vänlig hälsning|"
    r"hälsningar|hälsning|bästa hälsningar|allt gott|/|vi hörs!?|tack!?|kram)[ \t,.!]*$"
)

# Lower-case words that, in a chat, come right before a person ("fråga lena om …").
CUE_BEFORE = frozenset(
    """fråga frågar frågade med till av hälsa hälsar påminn påminna påminner påminde ring ringa
    ringer maila mejla mejlar skicka skickar säg be ber tacka tackar hej hejsan kolla kontakta
    meddela informera prata pratade pratar träffa träffade träffar enligt hos för åt och
    ge ger gav""".split()
)

# Verbs that follow a person who opens a sentence ("Lena har ansvar", "Nordin föreslog").
VERBS_AFTER = frozenset(
    """har hade är var ska skulle kommer kan kunde vill ville måste bör borde får fick leder
    ledde ansvarar ansvarade återkommer återkom föreslog föreslår påminde påminner sa sade säger
    tycker tyckte menar menade undervisar undervisade arbetar arbetade jobbar jobbade deltar
    deltog skickar skickade presenterade presenterar berättade berättar lyfte lyfter informerade
    informerar tar tog gör gjorde går gick samordnar samordnade sammanställer sammanställde
    håller höll stöttar stöttade driver drev ser såg skriver skrev slutar slutade börjar började
    blir blev hälsar önskar påpekade påpekar inledde inleder avslutade avslutar tackade tackar
    betonade betonar framhöll framhåller poängterade poängterar konstaterade konstaterar svarade
    svarar frågade frågar noterade noterar redogjorde redogör rapporterade rapporterar meddelade
    meddelar underströk understryker visade visar förklarade förklarar lovade lovar beskrev
    beskriver bekräftade bekräftar instämde instämmer ringde ringer mejlade mejlar kontaktade
    kontaktar träffade träffar uppgav uppger anser ansåg beslutade beslutar sammanfattade
    sammanfattar efterlyste efterlyser erbjöd erbjuder gick går redovisade redovisar kommenterade
    kommenterar""".split()
)

# Particles inside a name ("af Klint", "de Vries", "van den Broek", "bin Laden", "al-Sayed").
PARTICLES = frozenset("af von van den der de del della di da das dos du la le zu ten ter al el bin ibn".split())

# Placeholders left by earlier masking or by the writer ("[namn]", "[förnamn]", "[efternamn]").
_PLACEHOLDER_RE = re.compile(r"\[(?:namn|förnamn|efternamn|maskerat|maskerad|borttaget|anonymiserat|x+|NN)\]|X{2,}|\*{2,}", re.I)
_FIRST_PLACEHOLDER = re.compile(r"\[(?:förnamn)\]", re.I)
_LAST_PLACEHOLDER = re.compile(r"\[(?:efternamn)\]", re.I)

# Words written capitalised that are no person in these documents.
NOT_NAMES = frozenset(
    """Skolverket Skolinspektionen Skolverkets Skolinspektionens Stratsys Google Microsoft Teams
    Office Qlik Sense Unikum Vklass Skolon Skola24 Lejonfastigheter Kontakt Mitt Skolval Kolada
    Tempus Hypergene Infomentor InfoMentor Schoolsoft SchoolSoft Dexter Procapita Edlevo PAX
    Friends Rädda Barnen Barnens Rätt BRIS Bris Unicef UNICEF Läslyftet Mattelyftet Lärarlyftet
    Bornholmsmodellen Specialpedagogik Skräpplockardagarna Bruk BRUK Kiva KIVA
    Linköping Linköpings Böle Skäggetorp Ryd Ryds Berga Lambohov Lambohovs Norrköping Norrköpings
    Stockholm Stockholms Göteborg Göteborgs Malmö Malmös Uppsala Västerås Örebro Helsingborg
    Jönköping Umeå Lund Lunds Borås Luleå Sundsvall Gävle Eskilstuna Södertälje Karlstad Växjö
    Halmstad Kalmar Kristianstad Falun Östersund Trollhättan Motala Mjölby Sverige Sveriges
    Östergötland Östergötlands Region Regionen Kommun Kommunen Kommunens Kommunal Vision
    Lärarförbundet Lärarnas Riksförbund SKR SKRs SCB Arbetsmiljöverket Socialstyrelsen
    Försäkringskassan Försäkringskassans Migrationsverket Skolforskningsinstitutet
    Specialpedagogiska Skolmyndigheten SPSM Humlan Myran Björken Eken Ekens Ugglan Ugglans
    Solrosen Solrosens Norrskenets Norrskenet Holmen Vatten Tema Temat Gul Grön Röd Gult Grönt Rött
    Östra Västra Norra Södra Stora Lilla Nya Gamla Övre Nedre Inre Yttre Sankt S:t Lyssna Dela Skriv
    Moderaterna Socialdemokraterna Centerpartiet Liberalerna Kristdemokraterna Vänsterpartiet
    Miljöpartiet Sverigedemokraterna Budget Enkät Utvärdering
    Januari Februari Mars April Maj Juni Juli Augusti September Oktober November December
    Måndag Tisdag Onsdag Torsdag Fredag Lördag Söndag Våren Hösten Sommaren Vintern
    Lucia Luciadagen Luciafirandet Jul Julen Påsk Påsken Midsommar Valborg Advent Nyår
    Samhälle Medborgare Ekonomi Verksamhet Medarbetare Pågående Pågår Genomfört Klart Klar
    Kvarstår Pausad Avslutad Påbörjad Påbörjat Ej Status Kommentar Aktivitet Aktiviteten Uppdrag
    Uppföljning Analys Bakgrund Delaktighet Nulägesanalys Styrkor Svagheter Risker Risk
    Erfarenhetsspridning Tidplan Kostnader Kostnadsberäkning Nämndmål Nämnd Nämnden Politiker
    Förvaltningen Förvaltningsledningen Huvudmannen Skolan Förskolan Grundskolan Gymnasiet
    Vuxenutbildningen Fritidshemmet Fritids Elevhälsan Elevhälsoteamet Elevhälsans Arbetsgrupp
    Arbetsgruppen Projektet Målet Syftet Modern Kvalitet Korthet Öppna Effektivitet Svenska
    Engelska Matematik Ansvarar Ansvarig Ansvariga Har Och Samt Tillsammans Deltar Ska Kommer Bör
    Kan Vi Vår Våra Vårt Det Den Detta Denna Dessa De Där Som Men Under Inom Efter Genom För Från
    Med Till Av I På Om Nu Samtliga Alla En Ett Ingen Inga Arbetet Se Varje Enligt Därför Dock
    Även Också Utifrån Kontakta Elevens Elever Eleverna Barnen Resultaten Resultat Förskjuts
    Slutfört Ändrat Flyttat Löpande Startas Oklart Beslut Licenser Tertial Tertialrapporten
    Diarienummer Personnummer Pnr Samordningsnummer Telefontiden Telefontid Kostnaden
    Ärendenummer Analysen Vid Hej Hejsan Tack Mvh MVH Hälsningar Vänliga Vänlig Hälsning Med
    Justeras Justerat Protokoll Protokollet Närvarande Frånvarande Deltagare Kontaktperson
    Signerat Datum Mål Indikator Utfall Insats Åtgärd Åtgärder Ärende Ärendet Anmälan Klass
    Deadline Ämne Org Box Dnr Bankgiro Fakturaadress Tfn Telefon Mobil Adress Sammanfattning
    Vid Sedan Innan Både Eller Att Så Då Här Hur Vad Vem Vilka Vilken När Varför Ja Nej Inte
    Jag Du Han Hon Ni Dom Man Mig Dig Oss Er Min Din Sin Hans Hennes Deras Andra Övriga Många
    Flera Några Fler Mer Mest Mycket Lite Bra God Goda Ny Nya Nytt Stor Stora Liten Små
    Första Andra Tredje Sista Nästa Förra Föregående Kommande Hela Halva Cirka Ca Totalt
    Läsåret Läsår Terminen Termin Vecka Veckan Dag Dagen Året År Tiden Tid Lärare Skolsköterska
    Påminner Påminn Glöm Fråga Kolla Skicka Ring Maila Observera Obs OBS Notera Bifogat Bifogad
    Välkomna Välkommen Inbjudan Angående Gällande Ang Ref Bilaga Sida Kapitel Avsnitt Tabell Figur
    Förslag Förslaget Underlag Underlaget Rapport Rapporten Plan Planen Rutin Rutiner Aktiviteter
    Elev Vittne Förälder Vårdnadshavare Rektor Barnet Skolskjuts Personalärende Signerat""".split()
)
_NOT_NAMES_LOWER = frozenset(w.lower() for w in NOT_NAMES)

# Everyday words that Swedish dictionaries list only in other forms, or that stand capitalised
# at a sentence start in these documents, and are also names somewhere.
_EXTRA_COMMON = frozenset(
    """per bo dag sten stig liv saga rut klara nova love gun ester ines alma mark rosa viola iris
    lina svea maj frank ebbe sami ana hans axel björn urban frans sanna milan inga björk ek lind
    alm lönn holm lund berg strand sjö ström dahl falk hed mo nord sund ros lilja linnea vide
    pia tuva ylva vilja ask märta max tim lucia""".split()
)

# Words after a capitalised run that make it an institution, street or place, not a person.
INSTITUTION_WORDS = frozenset(
    """skola skolan skolas skolor förskola förskolan förskolor förskolas gymnasium gymnasiet
    gymnasieskola grundskola fritidshem fritidshemmet kommun kommuns kommunen region regionen
    gata gatan gatas väg vägen vägs park parken torg torget plats platsen allé allén backe
    backen gränd gränden stig stigen kyrka kyrkan sjukhus sjukhuset universitet universitetet
    högskola högskolan stiftelse stiftelsen fond fonden pris priset stipendium ab förening
    föreningen bibliotek biblioteket hus huset center centrum område området skolområde
    museum museet värld världen sal salen aula aulan konferensrum institut institutet
    vårdcentral vårdcentralen förlag förlaget bron hamnen kajen stranden hovrätt hovrätten
    tingsrätt tingsrätten kammarrätt kammarrätten förvaltningsrätt förvaltningsrätten
    modell modellen metod metoden program programmet projekt projektet församling församlingen
    moské moskén synagoga synagogan kloster klostret if ik bk ff näs gård gården hage hagen udde
    udden""".split()
)
# A capitalised word ending in one of these is an institution, organisation, method or common noun.
_INSTITUTION_SUFFIX = re.compile(
    r"(?:skola|skolan|skolans|skolor|skolorna|gymnasiet|gymnasiets|förskola|förskolan|förskolans|"
    r"fastigheter|fastigheters|kommun|kommuns|kommunen|nämnden|nämndens|förvaltningen|verket|"
    r"verkets|myndigheten|institutet|förbundet|gruppen|teamet|hemmet|torp|torps|staden|stad|"
    r"ningen|ningens|heten|hetens|ationen|ationens|ende|andet|endet|ering|eringen|enheten|enhetens|"
    r"gatan|vägen|torget|parken|platsen|modellen|metoden|programmet|projektet|lyftet|dagarna|"
    r"rådet|rummet|huset|centret|centrum)$",
    re.I,
)
_SURNAME_SUFFIX = re.compile(
    r"(?:sson|son|sen|berg|bergh|ström|strom|qvist|kvist|quist|gren|lund|holm|dahl|dal|bäck|lin|lén|"
    r"ell|ér|én|stedt|stadius|blad|löf|fors|mark|sjö|hed|lander|ander|ius|mann|ling|ert|"
    r"ić|vić|ović|ovic|evic|ski|ska|sky|yan|ian|oğlu|oglu|zadeh|pour|inen|nen|ainen|"
    r"ez|ov|ova|ev|eva|enko|uk|czyk|wicz|ak|ek|schantz|klint|qvist|ahi|ani|adi|ari|azi)$"
)

_WORD = r"(?<!\d)[^\W\d_]+(?:['’\-][^\W\d_]+)*"
# A placeholder: "[namn]", "[förnamn]", or bare "XXXX", "***" ("Nilsson, XXXX", "(Svensson, ***)").
_TOKEN_RE = re.compile(rf"(?P<placeholder>\[[^\[\]\n]{{1,20}}\]|(?<!\w)X{{2,}}(?!\w)|(?<![\w*])\*{{2,}}(?![\w*]))|(?P<initial>(?<![\w.])[A-ZÅÄÖ](?:\.-?[A-ZÅÄÖ]\.|-[A-ZÅÄÖ]\.?|\.)(?![\w]))|(?P<word>{_WORD})")


@dataclass
class _Tok:
    text: str
    start: int
    end: int
    kind: str  # "word" | "initial" | "placeholder"

    def __post_init__(self) -> None:
        self.shape, self.norm = _shape_and_norm(self.text, self.kind)


@lru_cache(maxsize=65536)
def _shape_and_norm(text: str, kind: str) -> tuple[str, str]:
    """A token's shape ('title', 'upper', 'lower', 'initial', 'placeholder', 'other') and its
    title-cased form for the lexicons ("MARIA" -> "Maria", "o'brien" -> "O'Brien")."""
    shape = _shape_of(text, kind)
    t = text.replace("’", "'")
    if shape in ("upper", "lower"):
        t = re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), t)
    return shape, t


def _shape_of(t: str, kind: str) -> str:
    if kind != "word":
        return kind
    letters = [c for c in t if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "upper"
    if all(c.islower() for c in letters):
        return "lower"
    parts = re.split(r"[-'’]", t)
    if t[0].isupper() and all(p[:1].isupper() or p.lower() in PARTICLES or len(p) <= 2 for p in parts):
        return "title"
    return "other"


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "word"
        if kind == "placeholder" and not _PLACEHOLDER_RE.fullmatch(m.group(0)):
            continue
        out.append(_Tok(m.group(0), m.start(), m.end(), kind))
    return out


# --------------------------------------------------------------------------------------------
# What a single word is
# --------------------------------------------------------------------------------------------


def _genitive_base(word: str) -> str | None:
    if word.endswith(("'s", "’s")):
        return word[:-2]
    if word.endswith("s") and len(word) > 3 and not word.endswith(("ss",)):
        return word[:-1]
    return None


def _in(lex: frozenset[str], word: str) -> bool:
    if word in lex or _fold(word) in lex:
        return True
    parts = word.split("-")
    return len(parts) > 1 and all(p in lex or _fold(p) in lex for p in parts)


@lru_cache(maxsize=65536)
def is_first_name(word: str) -> bool:
    """`word` (title-cased, genitive allowed) is in the first-name lexicon."""
    first = lexicons()[0]
    base = _genitive_base(word)
    return _in(first, word) or (base is not None and _in(first, base))


@lru_cache(maxsize=65536)
def is_surname(word: str) -> bool:
    """`word` (title-cased, genitive allowed) is in the surname lexicon or shaped like a surname."""
    last = lexicons()[1]
    base = _genitive_base(word)
    if _in(last, word) or (base is not None and _in(last, base)):
        return True
    w = (base or word).lower()
    return bool(_SURNAME_SUFFIX.search(word.lower()) or _SURNAME_SUFFIX.search(w)) and not _INSTITUTION_SUFFIX.search(word)


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """A name that is also an everyday Swedish word ("Per", "Klara", "Björk")."""
    common = lexicons()[2]
    w = word.lower()
    return w in common or w in _NOT_NAMES_LOWER


@lru_cache(maxsize=65536)
def _role_like(word: str) -> bool:
    w = word.lower().rstrip(":")
    return w in ROLES or any(
        w.startswith(r) and w[len(r):] in _ROLE_ENDINGS for r in ROLES if len(r) >= 6
    )


_ROLE_ENDINGS = frozenset("n en er erna na ar arna ns ens s es ernas".split())


_PLACE_SUFFIX = re.compile(
    r"(?:skola|skolan|skolans|gymnasiet|gymnasiets|förskola|förskolan|förskolans|gatan|gatans|"
    r"vägen|vägens|torget|parken|platsen|backen|gränden|allén|stigen|modellen|metoden|"
    r"programmet|projektet|huset|centret|museet|biblioteket|salen|aulan|rummet|fond|fonden|stiftelse|"
    r"stiftelsen|priset|stipendiet|dagen|dagarna|veckan|föreläsningen|minnesfond)$"
)


@lru_cache(maxsize=65536)
def _institution(word: str) -> bool:
    """An institution, street, place or method word that makes the name before it no person
    ("Astrid Lindgrens skola", "Olof Palmes gata", "Selma Lagerlöfs väg", "Lindgren-skolan")."""
    w = word.lower()
    m = _PLACE_SUFFIX.search(w)
    # a compound ends in the place word ("Björkallén", "Skolgatan"); "Wallén" is no compound
    return w in INSTITUTION_WORDS or bool(m and (m.start() == 0 or m.start() >= 3 or w[m.start() - 1] == "-")) or any(
        w.endswith("-" + i) for i in INSTITUTION_WORDS
    )


@lru_cache(maxsize=65536)
def _not_a_name(norm: str) -> bool:
    """A capitalised word that is never a person's name here."""
    if norm in NOT_NAMES or norm.lower() in _NOT_NAMES_LOWER or _role_like(norm):
        return True
    if _institution(norm) and not _first_name_word(norm):
        return True
    base = _genitive_base(norm)
    if base and (base in NOT_NAMES):
        return True
    proper = lexicons()[3]
    return (norm in proper or (base is not None and base in proper)) and not (
        _in(lexicons()[0], norm) or _in(lexicons()[1], norm)
    )


def _first_name_word(norm: str) -> bool:
    """A bare institution word that is also a first name ("Stig" in "Stig Olsson"): an everyday
    word, not a sure sign of an institution; it stands after a name when it makes one ("… stig")."""
    return norm.lower() in INSTITUTION_WORDS and _in(lexicons()[0], norm)


@lru_cache(maxsize=65536)
def _namelike(norm: str) -> str:
    """'G' first name, 'S' surname (lexicon or shape), 'B' both, 'U' unknown, 'X' not a name."""
    if _not_a_name(norm):
        return "X"
    g, s = is_first_name(norm), is_surname(norm)
    return "B" if g and s else "G" if g else "S" if s else "U"


# --------------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------------


def _gap(text: str, a: _Tok, b: _Tok) -> str:
    return text[a.end : b.start]


def _joined(text: str, a: _Tok, b: _Tok) -> bool:
    """b follows a within one name: only spaces (or one line break without a tab) between."""
    return bool(re.fullmatch(r" {1,3}| *\r?\n *", _gap(text, a, b)))


def _sentence_start(text: str, tok: _Tok) -> bool:
    before = text[max(0, tok.start - 40) : tok.start].rstrip(" ")
    if not before:
        return tok.start <= 40
    return before[-1] in ".!?:•\n\t–-*(\"”»;|§>" or bool(re.search(r"(?:^|\n)\s*(?:§\s*)?\d+[.)]?$", before))


def _line_of(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


def _label_before(text: str, start: int) -> bool:
    """A "Label:" stands before `start` on the same line, within the same cell (no tab)."""
    line_start, _ = _line_of(text, start)
    segment = text[line_start:start]
    cell = segment.rsplit("\t", 1)[-1][-160:]
    m = re.search(r"([^\W\d_][\w\- ]{0,40}?)\s*(?:\([^)]*\))?\s*:\s*(.*)$", cell)
    if not m:
        return False
    label_words = m.group(1).lower().split()
    if not label_words:
        return False
    def label_word(w: str) -> bool:
        return w in LABELS or _role_like(w)

    # "Rektor:" / "Klass 1A:" / "Rektor och förskolechef:" are labels; "Deltagare och planering
    # av insatsen:" and "Stöd till rektor och enhet:" are headings (what follows is a topic, not
    # a person): a role joined by "och"/"samt" to something that is no role makes a heading.
    joined_to_topic = any(w in ("och", "samt") and i + 1 < len(label_words) and not label_word(label_words[i + 1])
                          for i, w in enumerate(label_words))
    # "Rektorns anteckningar:" / "Rektorns bedömning:": a role in the genitive owns what follows
    # (a topic, like the principal's notes), it does not label a person.
    first = label_words[0]
    genitive = (len(label_words) > 1 and first.endswith("s") and first not in LABELS and first not in ROLES
                and not label_word(label_words[-1]))
    if not (label_word(label_words[-1])
            or (len(label_words) <= 3 and label_word(label_words[0]) and not joined_to_topic and not genitive)):
        return False
    # Between the label and the name only other names and list separators may stand.
    rest = m.group(2)
    return bool(re.fullmatch(
        r"(?:[A-ZÅÄÖÆØÉ][^\W\d_]*(?:['’\-.][^\W\d_]*)*\.?|\[[^\]]*\]|[ ,/&;]|\(\w+\.?\)|och|samt|"
        r"af|von|van|der|den|de|da|di|du|del|bin|ibn|al|el|la|le)*\s*", rest))


def _row_label_before(text: str, start: int) -> bool:
    """A key-value table row: the line's first cell is a label ("Ansvarig\tJ-E Sund",
    "Namn:\tK. Berg") and `start` opens its second cell."""
    line_start, _ = _line_of(text, start)
    cells = text[line_start:start].split("\t")
    if len(cells) < 2 or cells[-1].strip() or any(c.strip() for c in cells[1:-1]):
        return False
    head = cells[0].strip(" :*").lower()
    return head in _CELL_LABELS or head in LABELS or _role_like(head)


def _signature_line(text: str, tok: _Tok) -> bool:
    """The token's line holds only a name (1-4 words) and follows a sign-off or closes a letter."""
    ls, le = _line_of(text, tok.start)
    line = text[ls:le]
    if not re.fullmatch(r"\s*[^\W\d_]+(?:['’\-.][^\W\d_]*)*(?:[ ]+[^\W\d_]+(?:['’\-.][^\W\d_]*)*){0,3}\s*", line):
        return False
    before = text[:ls].rstrip("\n \t")
    prev_line = before[before.rfind("\n") + 1 :]
    return bool(SIGN_OFFS.fullmatch(prev_line)) or not text[le:].strip()


# --------------------------------------------------------------------------------------------
# Finding names
# --------------------------------------------------------------------------------------------


@dataclass
class _Span:
    start: int
    end: int
    why: str


def _finalise(spans: list[_Span]) -> list[tuple[int, int]]:
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[tuple[int, int]] = []
    for s in spans:
        if merged and s.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(s.end, merged[-1][1]))
        else:
            merged.append((s.start, s.end))
    return merged


def find_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of every personal name in `text`, sorted and disjoint."""
    toks = _tokens(text)
    n = len(toks)
    spans: list[_Span] = []
    taken = [False] * n
    full_firsts: set[str] = set()

    def prev_word(i: int) -> _Tok | None:
        return toks[i - 1] if i > 0 and _joined(text, toks[i - 1], toks[i]) else None

    def next_tok(j: int) -> _Tok | None:
        return toks[j] if j < n and _joined(text, toks[j - 1], toks[j]) else None

    def role_before(i: int) -> bool:
        p = toks[i - 1] if i > 0 and re.fullmatch(r" {1,3}", _gap(text, toks[i - 1], toks[i])) else None
        return p is not None and p.kind == "word" and _role_like(p.text) and not p.text.endswith(":")

    def followed_by_institution(j: int) -> bool:
        nt = toks[j] if j < n and re.fullmatch(r" {1,3}", _gap(text, toks[j - 1], toks[j])) else None
        return nt is not None and nt.kind == "word" and _institution(nt.text)

    def add(i: int, j: int, why: str) -> None:
        spans.append(_Span(toks[i].start, toks[j - 1].end, why))
        for k in range(i, j):
            taken[k] = True

    # 1. Half-masked names: a word right beside a placeholder.
    for i, t in enumerate(toks):
        if t.kind != "placeholder":
            continue
        # word before: "Andersson, [namn]", "Ali [efternamn]", "Sara [efternamn]"
        if i > 0 and toks[i - 1].kind == "word" and toks[i - 1].shape in ("title", "upper"):
            w = toks[i - 1]
            gap = _gap(text, w, t)
            if re.fullmatch(r" ?, ?| ", gap) and _namelike(w.norm) != "X":
                if gap.strip() == "," or _LAST_PLACEHOLDER.fullmatch(t.text) or _namelike(w.norm) != "U":
                    add(i - 1, i, "half-masked")
        # word after: "[förnamn] Berg", "[namn] Karlsson", "[NAMN] ÖSTLUND"
        if i + 1 < n and toks[i + 1].kind == "word" and toks[i + 1].shape in ("title", "upper") \
                and re.fullmatch(r" |, ?", _gap(text, t, toks[i + 1])) and not _LAST_PLACEHOLDER.fullmatch(t.text) \
                and (_namelike(toks[i + 1].norm) in ("S", "B") or _FIRST_PLACEHOLDER.fullmatch(t.text)
                     and _namelike(toks[i + 1].norm) != "X") and not taken[i + 1]:
            add(i + 1, i + 2, "half-masked")

    # 2. Surname first: "Öztürk, Elif", "Kowalski, Piotr, tfn", "Mäkinen, Aino 180305-5241".
    pair_ends: set[int] = set()

    def pair_before(k: int) -> bool:
        return toks[k].end in pair_ends

    for i in range(n - 1):
        a, b = toks[i], toks[i + 1]
        if taken[i] or taken[i + 1] or a.kind != "word" or b.kind != "word":
            continue
        if a.shape not in ("title", "upper") or b.shape != a.shape:
            continue
        if not re.fullmatch(r", ?", _gap(text, a, b)):
            continue
        if not is_first_name(b.norm) or _not_a_name(b.norm) or _namelike(a.norm) in ("X",) or is_first_name(a.norm) and not is_surname(a.norm):
            continue
        end = i + 2
        if end < n and toks[end].kind == "word" and toks[end].shape == b.shape and _gap(text, b, toks[end]) == " " \
                and is_first_name(toks[end].norm) and not _not_a_name(toks[end].norm):
            end += 1  # "Nguyen, Thi Lan"
        last = toks[end - 1]
        after = text[last.end : last.end + 3]
        if not (after == "" or after[:1] in ",\t\n;)/" or re.match(r" +(?:\d|\(|–|-|,|$|\n)", text[last.end : last.end + 4])
                or re.match(r"\.(?:\s|$)", after)
                or re.match(r" (?:och|samt) [A-ZÅÄÖ]", text[last.end : last.end + 7])):
            continue
        if i > 0 and toks[i - 1].kind == "word" and toks[i - 1].shape == a.shape and re.fullmatch(r", ?", _gap(text, toks[i - 1], a)) \
                and not pair_before(i - 1):
            continue  # "Närvarande: Eriksson, Lindgren, Abdi": a list of surnames, not "Lindgren, Abdi"
            # (but "Abbasi, Reza, Dahlén, Klara": pairs one after another)
        if i > 0 and toks[i - 1].kind == "word" and toks[i - 1].shape == a.shape and _joined(text, toks[i - 1], a) \
                and _namelike(toks[i - 1].norm) in ("G", "B", "S"):
            continue  # "Mikaela Strand, Jonas Lind": two names in a list
        if is_common_word(b.norm) and not is_surname(a.norm):
            continue
        if is_common_word(b.norm) and _namelike(b.norm) == "B" and end == i + 2:
            continue  # "Närvarande: Karlsson, Berg": "Berg" is a surname here, not a first name
        if is_first_name(a.norm) and re.match(r" (?:och|samt) [A-ZÅÄÖ]", text[last.end : last.end + 7]):
            continue  # "Adam, Wilma och Leo": first names in a list
        if any(taken[k] for k in range(i, end)):
            continue
        add(i, end, "surname-first")
        pair_ends.add(toks[end - 1].end)

    # 3. Runs of name-shaped words (title case, capitals or lower case), with initials and particles.
    i = 0
    while i < n:
        t = toks[i]
        if taken[i] or t.kind == "placeholder" or t.shape not in ("title", "upper", "lower", "initial"):
            i += 1
            continue
        shape = "title" if t.shape == "initial" else t.shape
        if shape == "lower" and not (is_first_name(t.norm) or _lower_surname_after_cue(text, toks, i)
                                     or _lower_surname_before_verb(text, toks, i)
                                     or (_in(lexicons()[1], t.norm) and _som_role_after(text, t, after_have=True)) or (
                i + 1 < n and toks[i + 1].shape == "lower" and is_first_name(toks[i + 1].norm))):
            i += 1  # lower case: only a first name (or the word before one) can open a name
            continue
        j = i + 1
        while j < n and j - i < 5 and not taken[j] and _joined(text, toks[j - 1], toks[j]):
            u = toks[j]
            if "\n" in _gap(text, toks[j - 1], u) and not (
                j - i == 1 and u.kind == "word" and _namelike(u.norm) in ("S", "B")
                and _namelike(toks[j - 1].norm) in ("G", "B")
            ):
                break  # a line break joins only a first name to a surname: "Susanne\nWadell", not
                # "Gul\nEnkät", "TOMAS KARLSSON\nDIANA POPESCU" or "skolsköterska Hed\nSjögren inledde"
            if u.kind == "placeholder":
                break
            if u.shape == shape or (shape == "title" and u.shape == "initial"):
                j += 1
                continue
            # a particle between names: "Jan de Vries", "JAN DE VRIES", "van den Broek"
            if u.text.lower() in PARTICLES and (u.shape == "lower" or u.shape == shape):
                k = j
                while k < n and toks[k].text.lower() in PARTICLES and _joined(text, toks[k - 1], toks[k]):
                    k += 1
                if k < n and _joined(text, toks[k - 1], toks[k]) and toks[k].shape == shape and shape != "lower":
                    j = k + 1
                    continue
            break
        run = list(range(i, j))
        found = _decide_run(text, toks, run, shape, role_before, followed_by_institution, prev_word)
        if found is None:
            i += 1
            continue
        a, b, why = found
        if why == "skip":
            i = b
            continue
        add(a, b, why)
        if b - a >= 2:
            full_firsts.add(toks[a].norm)
        i = b
    # 4. Consistency: a word that is part of a name found elsewhere in the text is that name
    # again, before or after ("Per Ek … Per har", "Eva Sjögren … Sjögren inledde", "ERIKSSON …
    # Eriksson"); and a surname joined by "och" or "," to a surname found alone ("Lind och Åberg").
    known: set[str] = set(full_firsts)
    for sp in spans:
        for k in range(n):
            if toks[k].start >= sp.start and toks[k].end <= sp.end and toks[k].kind == "word" \
                    and toks[k].text.lower() not in PARTICLES and len(toks[k].text) >= 2:
                known.add(toks[k].norm)
                base = _genitive_base(toks[k].norm)
                if base and sp.end == toks[k].end and (_in(lexicons()[0], base) or _in(lexicons()[1], base)):
                    known.add(base)
    for k, t in enumerate(toks):
        if taken[k] or t.kind != "word" or t.shape not in ("title", "upper"):
            continue
        base = _genitive_base(t.norm)
        if not (t.norm in known or (base and base in known)) or _not_a_name(t.norm):
            continue
        nt = next_tok(k + 1)
        if nt is not None and nt.kind == "word" and nt.shape == t.shape and not _not_a_name(nt.norm) \
                and not taken[k + 1]:
            continue  # part of another, unfound name
        if followed_by_institution(k + 1) or _after_place_preposition(text, toks, k):
            continue
        if _sentence_start(text, t) and (is_common_word(t.norm) or t.norm in _NOT_NAMES_LOWER_TITLE) and (
                nt is None or nt.text not in VERBS_AFTER or _CLEFT.match(text, nt.start)):
            continue
        add(k, k + 1, "named-before")
    # A list of people each with a note in brackets: "Frida Holm (Lärarförbundet) och Hed (Vision)".
    ends = {sp.end for sp in spans}
    for k, t in enumerate(toks):
        if taken[k] or t.kind != "word" or t.shape not in ("title", "upper") or _namelike(t.norm) not in ("S", "B", "G"):
            continue
        m = re.search(r"(?:^|[^)])\s?\(([^()\n]{1,40})\)\s?(?:,|och|samt)\s$", text[max(0, t.start - 60) : t.start])
        if not m or not re.match(r" ?\([^()\n]{1,40}\)", text[t.end :]):
            continue
        before_paren = t.start - len(m.group(0)) + (0 if m.group(0)[:1] in " (" else 1)
        if any(e == before_paren or e == before_paren - 1 for e in ends):
            add(k, k + 1, "listed")
    single = {sp.start for sp in spans if " " not in text[sp.start : sp.end] and "," not in text[sp.start : sp.end]}
    changed = True
    while changed:
        changed = False
        for k in range(n - 1):
            a, c = toks[k], toks[min(k + 2, n - 1)]
            if k + 2 >= n or toks[k + 1].text not in ("och", "samt") or not (_joined(text, a, toks[k + 1]) and _joined(text, toks[k + 1], c)):
                if text[toks[k].end : toks[k + 1].start] != ", ":
                    continue
                a, c = toks[k], toks[k + 1]  # "Karlsson, Haddad och Ström"
                pair = ((a, c, k + 1), (c, a, k))
            else:
                pair = ((a, c, k + 2), (c, a, k))
            for found, other, oi in pair:
                surnames = _namelike(other.norm) in ("S", "B") and _namelike(found.norm) in ("S", "B")
                # first names in a list: "Ylva, Agnes och Wilhelm" ("Ylva" is also an everyday word)
                firsts = _namelike(other.norm) in ("G", "B") and _namelike(found.norm) in ("G", "B") \
                    and other.norm.lower() not in _FUNCTION_LOWER and len(other.text) >= 3
                if found.start in single and not taken[oi] and other.kind == "word" and other.shape == found.shape \
                        and (other.shape in ("title", "upper") or other.shape == "lower" and _chat_like(text) and (
                            surnames or firsts and w_not_function(other))) \
                        and (surnames or firsts) \
                        and not _after_place_preposition(text, toks, min(k, oi)) \
                        and not followed_by_institution(oi + 1):
                    add(oi, oi + 1, "coordinated")
                    single.add(other.start)
                    changed = True
    spans = [sp for sp in spans if not _unit_name(text, sp)]
    # a surname with its particle but no first name: "Som de Wit sade", "van der Berg svarade"
    for sp in spans:
        if not text[sp.start : sp.start + 1].isupper() or text[sp.start : sp.end].isupper():
            continue
        while True:
            m = re.search(r"(?:^|[\s(])((?:af|von|van|der|den|de|di|da|du|la|le|ten|ter))\s$", text[max(0, sp.start - 6) : sp.start])
            if not m:
                break
            sp.start -= len(m.group(0)) - (1 if m.group(0)[:1] in " \n\t(" else 0)
            if text[sp.start : sp.start + 1].isspace() or text[sp.start : sp.start + 1] == "(":
                sp.start += 1
    return _finalise(spans)


_NOT_NAMES_LOWER_TITLE = frozenset(w[:1].upper() + w[1:] for w in _NOT_NAMES_LOWER)


def _decide_run(text, toks, run, shape, role_before, followed_by_institution, prev_word):
    """Decide which part of a run of name-shaped tokens is a name.

    Returns (first index, end index, reason), ("skip" to jump over an institution name) or None.
    """
    i, j = run[0], run[-1] + 1
    words = [toks[k] for k in run]
    if " ".join(w.text for w in words[:2]) in _NOT_NAME_PHRASES:
        return (i, i + 2, "skip")  # a method named after no person here: "Marte Meo"
    # The first part of a compound cut short: "Barn- och utbildningsförvaltningen", "Förskole-".
    if re.match(r"-(?:\s|$)", text[toks[j - 1].end : toks[j - 1].end + 2]):
        return None
    # A title after what is read or watched: "har läst Ronja Rövardotter", "boken Mio min Mio".
    if shape in ("title", "upper") and i > 0 and toks[i - 1].text.lower() in _TITLE_CUES \
            and text[toks[i - 1].end : toks[i].start] == " " \
            and not (toks[j - 1].text.endswith("s") and j < len(toks) and toks[j].shape == "lower"
                     and text[toks[j - 1].end : toks[j].start] == " "):
        return (i, j, "skip")  # (not "läst Anna Bergs rapport": whose text was read)
    # A surname masked down to an initial: "Lisa X. i 2A" (only the first name is left).
    if shape == "title" and len(words) == 2 and words[0].kind == "word" and words[1].kind == "initial" \
            and len(words[1].text) == 2 and _namelike(words[0].norm) in ("G", "B") \
            and not (_sentence_start(text, words[0]) and is_common_word(words[0].norm)):
        return (i, i + 1, "half-masked")
    # An institution or street named after a person: skip the whole run and the word after it.
    if shape != "lower" and (any(w.kind == "word" and _institution(w.text) and not (k == 0 and _first_name_word(w.norm))
                                 for k, w in enumerate(words)) or followed_by_institution(j)):
        return (i, j + 1, "skip")
    # the name opens a compound: "Frida Kahlo-temat", "Sten Sture-loppet" (a theme, a race)
    if shape == "title" and j < len(toks) and text[toks[j - 1].end : toks[j].start] == " " \
            and re.fullmatch(r"[A-ZÅÄÖ][^\W\d_]+-[a-zåäö]{3,}", toks[j].text):
        return (i, j + 1, "skip")
    # Leading words that are no names ("Enligt", "Rektor", "Hej") are dropped, one at a time.
    if shape == "title" and len(words) == 1 and words[0].kind == "word" and _label_before(text, words[0].start) \
            and _in(lexicons()[1], words[0].norm) and not _role_like(words[0].norm) \
            and words[0].norm not in _STRUCTURE_WORDS:
        return (i, j, "context")  # "Närvarande: Berg, Lund, Sandberg": a place name is a surname here
    if shape in ("title", "upper"):
        k = 0
        while k < len(words) and words[k].kind == "word" and (
            _not_a_name(words[k].norm) and words[k].text.lower() not in PARTICLES
        ):
            nxt = words[k + 1] if k + 1 < len(words) else None
            if nxt is not None and is_first_name(words[k].norm) and not _role_like(words[k].norm) and (
                nxt.text in PARTICLES or (_in(lexicons()[1], nxt.norm) and not is_common_word(nxt.norm))
            ):
                break  # "Hans von Essen", "Hans Eriksson": the everyday word is a first name here
            k += 1
        if k:
            if k >= len(words):
                return None
            if k == len(words) - 1 and words[k - 1].norm in NOT_NAMES and not _role_like(words[k - 1].norm) \
                    and words[k - 1].norm.lower() not in GREETINGS and words[k - 1].norm not in _SHORT_WORDS \
                    and words[k].kind == "word" and _namelike(words[k].norm) == "U":
                return (i, j, "skip")  # "Elevhälsan Norrby", "Förskolan Solbacken": a unit and the place it is at
            return None if k == 0 else _decide_run(text, toks, run[k:], shape, role_before, followed_by_institution, prev_word)
        # Trailing words that are no names ("Per Ek Ordförande") are dropped.
        m = len(words)
        while m > 0 and words[m - 1].kind == "word" and (_not_a_name(words[m - 1].norm) or words[m - 1].text.lower() in PARTICLES):
            if m == len(words) == 2 and _surname_after_first(text, toks, run, role_before):
                break  # "skolsköterska Ingela Lund": a place that is a surname, after a first name
            if m == len(words) >= 2 and words[m - 2].kind == "initial" and _in(lexicons()[1], words[m - 1].norm) \
                    and len(words[m - 1].text) >= 3 and not _role_like(words[m - 1].norm):
                break  # "E-M Lund": initials before a place that is a surname
            m -= 1
        if m < len(words):
            if m == 0:
                return None
            return _decide_run(text, toks, run[:m], shape, role_before, followed_by_institution, prev_word)
    if words[0].kind == "initial":
        return _decide_initials(text, toks, run)
    if shape == "lower":
        return _decide_lower(text, toks, run)
    if shape == "upper":
        return _decide_upper(text, toks, run, role_before)
    return _decide_title(text, toks, run, role_before, prev_word)


# Methods and programmes whose names look like a person's.
_NOT_NAME_PHRASES = frozenset({"Marte Meo", "Reggio Emilia"})
# Function words in NOT_NAMES that may stand before a name the lexicon lacks ("Med Kasia …").
_SHORT_WORDS = frozenset(w for w in NOT_NAMES if len(w) <= 5)

# Words after which a capitalised run is the title of a book, film or song, not a person.
_TITLE_CUES = frozenset("""läst boken böckerna bok filmen film sagan pjäsen romanen berättelsen
    serien sången visan föreställningen musikalen högläsningsboken kapitelboken""".split())


def _surname_after_first(text, toks, run, role_before) -> bool:
    """The second of two words is a surname in the lexicon though it is also a place or an
    everyday word ("Lund", "Mars"), the first a first name that is no everyday word, and a role,
    label or a person's verb says it is a person: "Skolsköterska Ingela Lund har …"."""
    a, b = toks[run[0]], toks[run[1]]
    if not (is_first_name(a.norm) and not is_common_word(a.norm) and not _not_a_name(a.norm)):
        return False
    if not (_in(lexicons()[1], b.norm) and len(b.text) >= 3 and b.norm not in _STRUCTURE_WORDS):
        return False
    nt = toks[run[1] + 1] if run[1] + 1 < len(toks) and text[b.end : toks[run[1] + 1].start] == " " else None
    return role_before(run[0]) or _label_before(text, a.start) or (nt is not None and nt.text in VERBS_AFTER)


def _decide_initials(text, toks, run):
    i = run[0]
    k = 0
    while k < len(run) and toks[run[k]].kind == "initial":
        k += 1
    if k == len(run):
        return None
    if k == 1 and toks[i].text in ("N.N.", "N.N", "NN."):
        return (i + 1, run[-1] + 1, "half-masked")  # "elev N.N. Jakobsson": the name is masked
    rest = [toks[x] for x in run[k:] if toks[x].kind == "word"]
    if not rest:
        return None
    last = rest[-1]
    cls = _namelike(last.norm)
    if cls == "X" and not (_in(lexicons()[1], last.norm) and len(last.text) >= 3 and last.norm not in _STRUCTURE_WORDS
                           and len(rest) == 1 and not _role_like(last.norm)):
        return None  # ("E-M Lund": a place that is a surname, after initials)
    context = _label_before(text, toks[i].start) or _row_label_before(text, toks[i].start)
    # initials inside a sentence before a word that is no everyday word: "granskades av A. Malmsten"
    line_start = text.rfind("\n", 0, toks[i].start) + 1
    inside = bool(text[line_start : toks[i].start].strip()) and not _sentence_start(text, toks[i])
    plain = (len(rest) == 1 and not is_common_word(last.norm) and not _NOUN_ENDING.search(last.text)
             and not _INSTITUTION_SUFFIX.search(last.text) and len(last.text) >= 3)
    if cls == "U" and not (context or (inside and plain)):
        return None  # "A. Bakgrund", "B. Sund ekonomi"; under "Ansvarig" even "J-E Sund" is a name
    return (i, run[-1] + 1, "initials")


def _decide_lower(text, toks, run):
    """Names typed in lower case in a chat: "lena holm", "karin lindberg", "hodan"."""
    words = [toks[k] for k in run]
    cls = [("G" if is_first_name(w.norm) else "") + ("S" if _in(lexicons()[1], w.norm) else "") for w in words]
    prev = toks[run[0] - 1] if run[0] > 0 else None
    cue = prev is not None and prev.text.lower() in CUE_BEFORE and re.fullmatch(r" ", text[prev.end : toks[run[0]].start]) is not None
    # a first name and a surname's initial: "jag och anders b har fixat bussen"
    if len(words) >= 2 and "G" in cls[0] and w_not_function(words[0]) and not is_common_word(words[0].norm) \
            and len(words[1].text) == 1 and words[1].text not in "iåöe" \
            and re.fullmatch(r" ", text[words[0].end : words[1].start]):
        return (run[0], run[1] + 1, "lower-full")
    # three or more names, any order: "nguyen thi lan"
    if len(words) >= 3 and all(c and not is_common_word(w.norm) and w.text not in _NOT_NAMES_LOWER
                               and w.text not in _LOWER_FUNCTION_WORDS for w, c in zip(words, cls, strict=True)) \
            and "S" in "".join(cls) and (cue or _chat_like(text)):
        return (run[0], run[-1] + 1, "lower-full")
    # first + surname: "karin lindberg", "per ek"
    for a in range(len(words) - 1):
        w1, w2 = words[a], words[a + 1]
        if "G" in cls[a] and "S" in cls[a + 1]:
            if w1.text in _NOT_NAMES_LOWER or w2.text in _NOT_NAMES_LOWER:
                continue
            c1, c2 = is_common_word(w1.norm), is_common_word(w2.norm)
            if not c2 or cue or (not c1 and w2.text not in _LOWER_FUNCTION_WORDS):
                # "petra holm"; not "kan mira vara med", where "vara" is the verb
                if a == 0 or not cue:
                    return (run[a], run[a + 1] + 1, "lower-full")
        # a first name that is no everyday word, then a word of a surname's shape: "astrid mohlin"
        if "G" in cls[a] and not cls[a + 1] and not is_common_word(w1.norm) and w_not_function(w1) \
                and w_not_function(w2) and len(w2.text) >= 5 and is_surname(w2.norm) and not is_common_word(w2.norm) \
                and not _NOUN_ENDING.search(w2.text) \
                and (a == 0 or not cue):
            return (run[a], run[a + 1] + 1, "lower-full")
    # a name with a role after "som": "ni som har dahl som mentor"
    if cls[0] and w_not_function(words[0]) and _som_role_after(text, words[0], after_have=True):
        return (run[0], run[0] + 1, "lower-role")
    # a surname alone after a cue: "kolla med johansson"; before a person's verb: "ekman sa att"
    if (_lower_surname_after_cue(text, toks, run[0]) or _lower_surname_before_verb(text, toks, run[0])) \
            and not ("G" in cls[0] and len(words) > 1):
        return (run[0], run[0] + 1, "lower-surname")
    # a first name alone: "hodan", "birgitta"; an everyday word ("lena") only after a cue verb
    w = words[0]
    if "G" in cls[0] and w.text not in _NOT_NAMES_LOWER and len(w.text) >= 3:
        if (not is_common_word(w.norm) and (cue or _chat_like(text))) or (
            cue and prev is not None and prev.text.lower() in _STRONG_CUES and w.text not in _FUNCTION_LOWER
        ):
            return (run[0], run[0] + 1, "lower-first")
    return None


# Words of a document's structure that happen to be surnames somewhere.
_STRUCTURE_WORDS = frozenset("Status Datum Klart Klar Mål Org Box Tid Plats Vecka Not Summa Total".split())

_STRONG_CUES = frozenset("fråga frågar frågade hälsa hälsar påminn påminna påminner ring ringa maila mejla säg be tacka hej hejsan kontakta träffa prata".split())
# Verbs and function words that are surnames somewhere but, in lower case, are these words.
_LOWER_FUNCTION_WORDS = frozenset("""vara var bli blir ha har gå går se ser få får ta tar ge ger
    kan ska vill mot med vid från till hem bra dag sen nu då här där också alltid aldrig""".split())
_FUNCTION_LOWER = frozenset("per bo dag man alla andra bara inga hans sin".split())


# Endings of everyday nouns that a surname's shape also matches ("lektionen", "person", "konsert").
_NOUN_ENDING = re.compile(r"(?:ion|ioner|ionen|ning|ningen|het|heten|ert|erten|erson|ellen|ellet|enet|arna|erna)$")


def _lower_surname_after_cue(text: str, toks: list[_Tok], i: int) -> bool:
    """A lower-case surname of a surname's shape ("johansson", "lindqvist"), no everyday word,
    right after a cue ("med", "fråga", "ring") in a chat."""
    t = toks[i]
    if t.shape != "lower" or i == 0 or is_common_word(t.norm) or t.text in _NOT_NAMES_LOWER:
        return False
    prev = toks[i - 1]
    if prev.text.lower() not in CUE_BEFORE or text[prev.end : t.start] != " ":
        return False
    return _in(lexicons()[1], t.norm) and bool(_SURNAME_SUFFIX.search(t.text)) and not _INSTITUTION_SUFFIX.search(t.text)


def w_not_function(w: _Tok) -> bool:
    """A lower-case word that is not a function word or a word of the document's structure."""
    return w.text not in _NOT_NAMES_LOWER and w.text not in _LOWER_FUNCTION_WORDS and w.text not in _FUNCTION_LOWER \
        and len(w.text) >= 3


def _lower_surname_before_verb(text: str, toks: list[_Tok], i: int) -> bool:
    """A lower-case surname of a surname's shape, no everyday word, before a person's verb or a
    pupil's class in a chat: "ekman sa att vi får låna bussen", "karlsson i 7a"."""
    t = toks[i]
    if t.shape != "lower" or i + 1 >= len(toks) or is_common_word(t.norm) or t.text in _NOT_NAMES_LOWER:
        return False
    nt = toks[i + 1]
    person_after = (text[t.end : nt.start] == " " and nt.text in VERBS_AFTER and not _CLEFT.match(text, nt.start)) \
        or bool(_CLASS_AFTER.match(text, t.end))  # "ekman sa att …", "karlsson i 7a har …"
    if not person_after or not _chat_like(text):
        return False
    return _in(lexicons()[1], t.norm) and bool(_SURNAME_SUFFIX.search(t.text) or (len(t.text) >= 5 and t.text.endswith("man"))) \
        and not _INSTITUTION_SUFFIX.search(t.text)


def _chat_like(text: str) -> bool:
    """Typed like a chat message: starts in lower case or has no capital letter at all."""
    s = text.lstrip()
    return bool(s) and (s[0].islower() or not any(c.isupper() for c in s))


def _decide_upper(text, toks, run, role_before):
    """Capitals: "MARIA LINDQVIST", "JAN DE VRIES"; headings ("ANALYS OCH BEDÖMNING") are not."""
    words = [toks[k] for k in run if toks[k].text.lower() not in PARTICLES]
    if len(words) < 2:
        w = words[0]
        if (role_before(run[0]) or _label_before(text, w.start) or _name_cell(text, w, strict=False)
                or _slash_signature(text, w) or _greeting_before(text, toks, run[0])) and _namelike(w.norm) in ("G", "S", "B"):
            return (run[0], run[0] + 1, "capitals-context")
        return None
    cls = [_namelike(w.norm) for w in words]
    if "X" in cls:
        return None
    if cls[-1] == "U" and any(toks[k].text.lower() in PARTICLES for k in run[1:-1]) and cls[0] in ("G", "B"):
        cls[-1] = "S"  # "SOFIA DE GEER": the word after a particle is a surname
    if cls[0] == "S" and len(words) >= 3 and all(c in ("G", "B") for c in cls[1:]) \
            and not any(is_common_word(w.norm) for w in words):
        return (run[0], run[-1] + 1, "capitals")  # surname first, no comma: "NGUYEN THI LAN"
    if cls[0] in ("G", "B") and cls[-1] in ("S", "B", "G") and all(c != "U" for c in cls[1:-1]):
        return (run[0], run[-1] + 1, "capitals")
    if cls[0] in ("G", "B") and cls[-1] == "U" and len(words) == 2 and (
        _label_before(text, words[0].start) or _signature_line(text, words[0])
    ):
        return (run[0], run[-1] + 1, "capitals")
    return None


_UNIT_WORD = re.compile(r"\b(?:avdelning|avdelningen|avdelningar|avdelningarna|arbetslag|arbetslaget|hemvist|hemvisten|basgrupp|basgruppen|gruppen)\b", re.I)
_NAMING = re.compile(r"\b(?:heter|hette|namnet|namn|kallas|kallades|döpt|döptes|döpts)\b", re.I)


def _unit_name(text: str, sp: _Span) -> bool:
    """A preschool unit, team or group named with a first name, not a person: "avdelning Tyra",
    "Tyra, Freja och Mira heter förskolans avdelningar", "Viktoria är namnet på avdelningen"."""
    word = text[sp.start : sp.end]
    if " " in word or "," in word or sp.why not in ("first-name", "named-before", "coordinated", "context", "surname"):
        return False
    if re.search(r"(?:avdelning(?:en)?|arbetslag(?:et)?|hemvist(?:en)?|basgrupp(?:en)?|gruppen) $", text[max(0, sp.start - 16) : sp.start], re.I):
        return True
    a = max(text.rfind(c, 0, sp.start) for c in ".!?\n") + 1
    ends = [k for k in (text.find(c, sp.end) for c in ".!?\n") if k >= 0]
    sentence = text[a : min(ends) if ends else len(text)]
    if re.search(r"\b(?:är|var) (?:namnen|namnet) på\b", text[sp.end : min(ends) if ends else len(text)]):
        return True  # "Mildred och Rut är namnen på skolans höns": what something is called
    return bool(_UNIT_WORD.search(sentence) and _NAMING.search(sentence))


def _role_after(text: str, tok: _Tok) -> bool:
    """A role follows the name on its line, after a comma: "Olle Sten, lärare\n"; or after
    "som": "har Dahl som mentor"."""
    m = re.match(r", ?([^\W\d_]+)[ \t]*(?:\n|$|\(|[.;,](?:\s|$))", text[tok.end : tok.end + 40])
    return (m is not None and _role_like(m.group(1))) or _som_role_after(text, tok)


def _bracketed_after_role(text: str, first: _Tok, last: _Tok) -> bool:
    """The name alone in brackets right after a role: "Vårdnadshavare (Hedström) informerades"."""
    m = re.search(r"([^\W\d_]+) ?\($", text[max(0, first.start - 40) : first.start])
    return m is not None and _role_like(m.group(1)) and text[last.end : last.end + 1] == ")"


def _som_role_after(text: str, tok: _Tok, after_have: bool = False) -> bool:
    """"… har dahl som mentor", "Berg som ansvarig lärare": a role after "som"; with
    `after_have`, only after "har", "med", "fick" … ("ni som har dahl som mentor", not "tagit över
    som mentor")."""
    if after_have and not re.search(r"(?:^|\s)(?:har|hade|ha|haft|får|fick|fått|med|hos|av)\s$", text[max(0, tok.start - 6) : tok.start]):
        return False
    m = re.match(r" som (?:min |vår |din |er |hans |hennes |deras |ny |nya |ansvarig |tillförordnad |t\.f\. )?([^\W\d_]+)",
                 text[tok.end : tok.end + 50])
    return m is not None and _role_like(m.group(1)) and m.group(1).lower() not in _GROUP_ROLES


# Roles said of a group ("elever som eleverna …"), not of one person after "som".
_GROUP_ROLES = frozenset("elev eleven elever eleverna barnet barnets familjen familj mamma pappa".split())


def _greeting_before(text: str, toks: list[_Tok], i: int) -> bool:
    """"Hej Anna", "HEJ ANNA!": a greeting word right before."""
    return i > 0 and toks[i - 1].text.lower() in GREETINGS and text[toks[i - 1].end : toks[i].start] == " "


def _slash_signature(text: str, tok: _Tok) -> bool:
    """A name signed after a slash at the end of a line: "… PÅ TORSDAG? /PETRA", "/Mats"."""
    return bool(re.search(r"(?:^|\s)/ ?$", text[max(0, tok.start - 2) : tok.start])) and (
        re.match(r"[ \t]*(?:\n|$)", text[tok.end :]) is not None)


def _decide_title(text, toks, run, role_before, prev_word):
    words = [toks[k] for k in run]
    names = [w for w in words if w.text.lower() not in PARTICLES or w.shape == "title" and w.text not in ("De", "Van", "Von", "Af", "Da", "Di", "Le", "La", "Al", "El")]
    cls = [_namelike(w.norm) if w.kind == "word" else "I" for w in words]
    first = words[0]
    start_of_sentence = _sentence_start(text, first)
    i, j = run[0], run[-1] + 1
    # a role before ("rektor Eriksson") or after, on a list line ("Olle Sten, lärare")
    role = role_before(run[0]) or _role_after(text, toks[j - 1]) or _bracketed_after_role(text, first, toks[j - 1])
    label = _label_before(text, first.start)
    if len(words) == 2 and cls == ["U", "G"]:
        # "Frånvaro Elton": a surname never comes first before a first name that is no surname
        return _decide_title(text, toks, run[1:], role_before, prev_word)
    if len(names) >= 2:
        if any(c in ("G", "B") for c in cls):
            # "Per Ek", "Klara Engström": an everyday word at a sentence start needs a real surname
            g_common = all(is_common_word(w.norm) for w, c in zip(words, cls, strict=True) if c != "I")
            if g_common and start_of_sentence and not (role or label or _signature_line(text, first)):
                nxt = toks[j] if j < len(toks) and re.fullmatch(r" {1,3}", text[toks[j - 1].end : toks[j].start]) else None
                if not any(c == "S" and not is_common_word(w.norm) for w, c in zip(words, cls, strict=True)) and not (
                    nxt is not None and nxt.text in VERBS_AFTER and all(c in ("G", "S", "B") for c in cls)
                ):
                    return None
            return (i, j, "full-name")
        strong_s = any(c == "S" and not is_common_word(w.norm) and (
            _in(lexicons()[1], w.norm) or _in(lexicons()[1], _genitive_base(w.norm) or "")) for w, c in zip(words, cls, strict=True))
        if any(c == "S" for c in cls) and (role or label or (strong_s and (not start_of_sentence or _signature_line(text, first)))):
            return (i, j, "full-name")
        nxt = toks[j] if j < len(toks) and re.fullmatch(r" {1,3}", text[toks[j - 1].end : toks[j].start]) else None
        if len(words) == 2 and cls == ["U", "S"] and len(first.text) >= 3 and not is_common_word(first.norm) \
                and first.norm not in lexicons()[3] and not _INSTITUTION_SUFFIX.search(first.norm) \
                and nxt is not None and nxt.text in VERBS_AFTER and not _CLEFT.match(text, nxt.start):
            return (i, j, "full-name")  # a first name the lexicon lacks, a surname, a person's verb
        if role or label:
            return (i, j, "context")
        return None
    # A single word.
    w, c = first, cls[0]
    if c == "I" or len(w.text) < 2:
        return None
    nt = toks[j] if j < len(toks) and re.fullmatch(r" {1,3}", text[toks[j - 1].end : toks[j].start]) else None
    verb_after = nt is not None and nt.text in VERBS_AFTER and not _CLEFT.match(text, nt.start)
    pupil_after = bool(_CLASS_AFTER.match(text, w.end))  # "Björn i 2B", "Hugo, åk 4"
    pw = prev_word(i)
    greeting = pw is not None and pw.text.lower() in GREETINGS
    if role or label:
        if c == "U" and _INSTITUTION_SUFFIX.search(w.norm):
            return None  # "Från: Kvalitetsenheten": a unit, not a person
        return (i, j, "context") if c != "X" else None
    place = _after_place_preposition(text, toks, i)
    if len(w.text) < 3 and not (c in ("S", "B") and (verb_after and not start_of_sentence and not place
                                                     or _name_cell(text, w, strict=False))):
        return None  # two letters: only "… och Ek har ansvar", "Ek" under "Ansvarig"
    if re.match(r"\s*&", text[w.end : w.end + 3]) or re.search(r"&\s*$", text[max(0, w.start - 3) : w.start]):
        return None  # "Read & Write": a product
    common = is_common_word(w.norm)
    if c in ("G", "B"):
        if not common:
            return (i, j, "first-name")
        # "Lena har ansvar", "Hej Lena!", "Mvh\nJonas"; not "Stig in", "Björk, ek och lind"
        base = _genitive_base(w.norm)
        if w.norm.lower() in _FUNCTION_LOWER or (base or "").lower() in _FUNCTION_LOWER:
            return None
        if place and not (verb_after or pupil_after):
            return None  # "eleverna från Sten hämtas sist", "via Hed": a place
        if _name_cell(text, w, strict=False):
            return (i, j, "first-name")
        if verb_after or pupil_after or greeting or _signature_line(text, w) or not start_of_sentence:
            return (i, j, "first-name")
        if base and not start_of_sentence and nt is not None and nt.shape == "lower":
            return (i, j, "first-name")  # genitive mid-sentence: "I Lenas grupp"
        return None
    if c == "S":
        person_suffix = bool(_SURNAME_SUFFIX.search(w.norm.lower()))
        if place and not pupil_after and not (person_suffix and toks[i - 1].text.lower() in ("från", "till", "mot", "i", "ut")):
            return None  # "i Vasa", "från Lund", "via Hed och Norberg": a place; not "svar från Andersson"
        if common:
            # "Berg och Ek har ansvar": an everyday word written capitalised inside a sentence,
            # followed by what a person does, or alone in a table cell under "Ansvarig"
            if (verb_after and not start_of_sentence) or pupil_after or _name_cell(text, w, strict=False):
                return (i, j, "surname")
            return None
        proper = lexicons()[3]
        if w.norm in proper:
            return None
        if not _in(lexicons()[1], w.norm) and not _in(lexicons()[1], _genitive_base(w.norm) or ""):
            # only shaped like a surname ("Personen", "Skolutveckling"): a person's verb must follow,
            # or it fills a cell under "Ansvarig"
            if (start_of_sentence or not verb_after) and not _name_cell(text, w, strict=False):
                return None
        genitive_of_surname = (w.norm.endswith("s") and _genitive_base(w.norm) is not None
                               and _in(lexicons()[1], _genitive_base(w.norm) or "") and not _in(lexicons()[1], w.norm)
                               and nt is not None and nt.shape == "lower" and nt.text not in _LOWER_FUNCTION_WORDS)
        if start_of_sentence and not (verb_after or pupil_after or greeting or genitive_of_surname or _signature_line(text, w)
                                      or _name_cell(text, w, strict=True)):
            return None
        return (i, j, "surname")
    return None


# "Björk var det träslag …", "Sten är ett …": the verb opens a cleft, the word is no person.
_CLEFT = re.compile(r"(?:var|är) (?:det|en|ett|också|ju)\b")
# A pupil's class right after a name: "Björn i 2B", "Hugo, åk 4", "Lindgren (åk 6)".
_CLASS_AFTER = re.compile(r"(?: i \d{1,2}[A-ZÅÄÖa-zåäö]?\b|,? ?\(?\d{1,2}[A-ZÅÄÖa-zåäö]\b|(?: i |,? ?\(?)(?:åk\.? ?\d|årskurs \d|klass \d|förskoleklass))")
_PLACE_PREPOSITIONS = frozenset("i I från Från via Via mot Mot ut till Till ner upp".split())
_CELL_LABELS = frozenset("ansvarig ansvariga ansvarar namn elev kontaktperson handläggare mentor utförare vem".split())


def _after_place_preposition(text: str, toks: list[_Tok], i: int) -> bool:
    """The word at `i` follows "i", "från", "via", "mot" … directly, or as the second of two
    words joined by "och"/","/"eller" after one ("via Hed och Norberg"): a place."""
    def prep(k: int) -> bool:
        return k >= 0 and toks[k].text in _PLACE_PREPOSITIONS and re.fullmatch(r" {1,3}", text[toks[k].end : toks[k + 1].start]) is not None
    if prep(i - 1):
        return not (toks[i - 1].text.lower() == "till" and i - 1 > 0 and toks[i - 2].text.lower() not in ("flytta", "flyttar", "flyttade", "åka", "åker", "åkte", "resa", "reser", "reste", "kör", "körde"))
    if i >= 3 and toks[i - 1].text in ("och", "eller") and toks[i - 2].shape == "title" and prep(i - 3) and toks[i - 3].text.lower() != "till":
        return True
    return False


def _name_cell(text: str, tok: _Tok, strict: bool) -> bool:
    """The token fills a table cell by itself (tabs around it), and, when not `strict`, its
    column's header is "Ansvarig", "Namn" …; when `strict`, a surname from the lexicon (not a
    place, not an everyday word) alone in a cell is enough."""
    ls, le = _line_of(text, tok.start)
    line = text[ls:le]
    if "\t" not in line:
        return False
    cells = line.split("\t")
    col, pos = 0, ls
    for k, cell in enumerate(cells):
        if pos <= tok.start < pos + len(cell) + 1:
            col = k
            break
        pos += len(cell) + 1
    if cells[col].strip(" *") != tok.text:
        return False
    if col >= 1 and _row_label_before(text, tok.start):
        return True  # "Ansvarig\tHolm": a key-value row
    # the table's header row: the nearest line above with as many cells whose cell is a label
    for prev in (reversed(text[: ls - 1].split("\n")) if ls else ()):
        pcells = prev.split("\t")
        if len(pcells) == len(cells) and col < len(pcells):
            head = pcells[col].strip(" :*").lower()
            if head in _CELL_LABELS or _role_like(head):
                return True
            continue
        break
    if not strict:
        return False
    return _in(lexicons()[1], tok.norm) and not is_common_word(tok.norm) and tok.norm not in lexicons()[3]
