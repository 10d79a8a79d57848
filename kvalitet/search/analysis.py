"""BM25 with Swedish Snowball stemming, compound splitting and accent-insensitive expansion.

Swedish writes compounds as one word ("frånvarouppföljning", "kvalitetsrapport"), so a question
about "uppföljning av frånvaro" shares no stem with the passage. We split a compound into parts
that are themselves whole words of the corpus (or of a small domain lexicon), with the linking
-s- of "kvalitetsrapport", and index the parts' stems beside the whole word's stem. A part is
never an inflection or derivation suffix ("kränkande" is not "kränk" + "ande") and never a mere
stem: only words as written count.

A query word typed without å, ä, ö ("forskolan") whose stem the corpus never has is expanded to
the corpus words that read the same without accents ("förskolan"). The expansion only happens
when there is no exact match for that word, so it never outranks one.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from kvalitet.adapters.bm25 import BM25

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+", re.UNICODE)

# Function words that carry no meaning for retrieval.
STOPWORDS = frozenset(
    """och i att det som en på är av för med till den har de inte om ett han var men så
    vi kan man sig från vid eller också ska skall blir blev bli detta dessa denna där här
    hur vad vilka vilken vilket när nu då under efter sin sitt sina deras dess oss vår våra
    vårt er era ert du jag mig dig honom henne hon dem alla samt även mer mest ha hade
    inom utan mot mellan genom hos varit vara sådan sådana något några någon ingen inga
    inget ut upp in fram än ju nog ej """.split()
)

# Words that are compound parts in school administration texts but may never stand alone in a
# municipality's corpus ("vårdnadshavarportal" while "portal" is never written alone).
DOMAIN_LEXICON = frozenset(
    """portal plattform system plan rapport analys uppföljning utvärdering frånvaro närvaro elev
    elever skola skolan lärare rektor hälsa arbete arbetet miljö ledning ledare ledarskap stöd
    insats insatser kostnad kostnader budget ekonomi personal kompetens utveckling process rutin
    rutiner verktyg register modell strategi policy organisation grupp nätverk forum dialog samtal
    möte möten resultat mål nämnd förvaltning kommun tjänst tjänster enhet enheter undervisning
    lärande kunskap matematik svenska språk läsning fritidshem förskola grundskola gymnasium
    gymnasieskola vuxenutbildning introduktion mottagning trygghet studiero kränkning kränkningar
    säkerhet risk risker åtgärd åtgärder handlingsplan verksamhet verksamhetsplan kvalitet
    styrning tid tider schema lokal lokaler inköp avtal upphandling digital digitalisering dator
    datorer webb sida tillgänglighet kommunikation information samverkan socialtjänst polis
    familj vårdnadshavare barn unga ungdom ungdomar kultur idrott hälsoarbete sjukfrånvaro
    rekrytering anställning lön arbetsmiljö arbetsplats chef chefer medarbetare handledning
    utbildning fortbildning nyanlända integration prov betyg behörighet examen beräkning
    kalkyl satsning""".split()
)
MIN_PART = 4  # shortest compound part we trust
# Endings that make a participle, an inflection or a derivation, never the second word of a
# compound: "kränk|ande", "åtgärd|ande", "upp|följ|ning", "tillgäng|lighet", "lär|are".
SUFFIXES = frozenset(
    """ande andes andet ende endes endet else elsen elser elserna ning ningen ningar ningarna
    het heten heter lig liga ligt lighet ligheten are aren arna ares erna orna ares arens
    ade ades ad at ats ast aste ande""".split()
)
ANALYZER_VERSION = 14  # bump when analysis changes: a saved BM25 of another version is rebuilt


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("swedish")


def words(text: str) -> list[str]:
    """Lower-cased words and numbers of `text`, stopwords left out."""
    return [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]


_FOLD = str.maketrans("åäöéèüáàôæø", "aaoeeuaaoao")


def fold(text: str) -> str:
    """`text` without the Swedish (and a few other) accents: "förskolan" -> "forskolan"."""
    return text.translate(_FOLD)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Swedish. (Applying it twice makes "kostnad"/"kostnaderna" agree, but cost
    BM25 success@5 on the gold set, 0.98 -> 0.96; left single.)"""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=200_000)
def word_terms(word: str, decompounder: "Decompounder | None" = None) -> tuple[str, ...]:
    """Index terms of one word: its stem; for -ron nouns the stem without the definite -n that
    Snowball leaves ("frånvaron" -> frånvaro); the stems of compound parts.

    (Doing the same for every vowel + n ending, "skolan" -> skol, cost 4 points of BM25
    success@5 on the gold set: it conflates too much.)"""
    s = stem(word)
    out = [s]
    if s == word and len(word) > 5 and word.endswith("ron"):
        out.append(stem(word[:-1]))
    if s == word and len(word) > 5 and word.endswith("an") and decompounder is not None:
        # Snowball keeps the definite -an ("elevhälsan", "förskolan"); the lemma drops it,
        # only where the word list knows the word ("skolan" -> skola, never "planan").
        lemma = swedish_lemma(word)
        if lemma != word:
            out.append(stem(lemma))
    if decompounder is not None and not word.isdigit():
        out.extend(stem(p) for p in decompounder.split(word))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _simplemma():
    try:
        import simplemma
    except ImportError:  # pragma: no cover - a dependency; without it only the corpus counts
        return None
    return simplemma


@lru_cache(maxsize=200_000)
def swedish_word(w: str) -> bool:
    """Whether `w` is the base form of a Swedish word in simplemma's Swedish dictionary (MIT,
    shipped with its data; about 2.7 s and 100 MB to load, once per process, on first use).
    Only base forms: inflected short forms ("förs", "kolan", "erfar") would split
    "förskolan" and "erfarenheter"."""
    sm = _simplemma()
    return bool(sm is not None and sm.is_known(w, lang="sv") and sm.lemmatize(w, lang="sv") == w)


@lru_cache(maxsize=200_000)
def swedish_lemma(w: str) -> str:
    """simplemma's Swedish lemma of `w` (`w` itself when unknown or simplemma is missing)."""
    sm = _simplemma()
    if sm is None or not sm.is_known(w, lang="sv"):
        return w
    return sm.lemmatize(w, lang="sv")


class Decompounder:
    """Splits Swedish compounds into known words (recursively on the tail).

    `vocabulary`: whole words (lower case) a part may be. A tail that is an inflection or
    derivation suffix (SUFFIXES) is never a part, so participles and inflected forms stay whole."""

    def __init__(self, vocabulary: set[str] | None = None, wordlist=None):
        self.vocabulary = vocabulary or set()
        self.wordlist = wordlist  # w -> bool: a Swedish word list beside the corpus (swedish_word)
        self._cache: dict[str, list[str]] = {}

    def split(self, word: str) -> list[str]:
        if word in self._cache:
            return self._cache[word]
        parts = self._split(word, depth=0) if len(word) >= 2 * MIN_PART else []
        self._cache[word] = parts
        self.vocabulary.update(parts)  # kept with the index: a query splits the same way
        return parts

    def _known(self, w: str, corpus_only: bool = False) -> bool:
        """Whether `w` may be a compound part: a corpus (or lexicon) word, or a base form of the
        word list unless `corpus_only` (a head with a restored vowel: "vårdnadshavar|e")."""
        if len(w) < MIN_PART or w in SUFFIXES or w in STOPWORDS:
            return False
        return w in self.vocabulary or (not corpus_only and bool(self.wordlist and self.wordlist(w)))

    def _split(self, word: str, depth: int) -> list[str]:
        if depth > 2:
            return []
        for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):  # longest head first
            head, tail = word[:i], word[i:]
            heads = [head]
            if head.endswith("s") and len(head) > MIN_PART:
                heads.append(head[:-1])  # linking s: kvalitet-s-rapport
            heads += [head + "e", head + "a"]  # dropped final vowel: vårdnadshavar(e)-portal, skol(a)-gård
            if head[-1:] in ("o", "e") and len(head) > MIN_PART:
                heads.append(head[:-1] + "a")  # linking vowel: elevhäls(o|a)-team, försko(le|la)-klass
            if tail in SUFFIXES:
                continue  # a participle or inflection: "kränk-ande", "bär-ande"
            for h in heads:
                if not self._known(h, corpus_only=h not in (head, head[:-1])):
                    continue
                if self._known(tail):
                    return [h, tail]
                rest = self._split(tail, depth + 1)
                if rest:
                    return [h, *rest]
        return []


# Words a school administration writes for the same thing: a question with one finds the other
# (query side only). Keys: the accent-folded stem of the word asked.
SYNONYMS = {
    "franvaro": ("närvaro",), "franvaron": ("närvaron",), "narvaro": ("frånvaro",), "narvaron": ("frånvaron",),
}

# Words of a question that say nothing about its topic: left out of the BM25 query of a search
# and of the coverage.
QUESTION_WORDS = frozenset("""hur gick gått går varför vem vilka vilket vilken finns fanns
    mycket många kostar kostade blev beskriv berätta nämndes nämns arbetet gjorde gör görs gjordes
    gjort hände händer hänt sker skedde vet veta
    togs tog tagits fattades fattade fattats vidtogs vidtog vidtagits""".split())
# (The verbs of "Vilka beslut togs om …", "Vilka åtgärder vidtogs …" frame a question: they are
# left out of its BM25 query and its relevance floor as the words above are.)


def name_terms(text: str) -> list[str]:
    """Terms of a name (a file path, a title) as compared with a question's words: stems of
    the accent-folded words, no compound parts; "delårsrapporten" and the file name
    "norrsjo-delarsrapport-augusti-2022" share "delarsrapport"."""
    out: list[str] = []
    for w in words(fold(text.lower().replace("_", " "))):
        out.extend(word_terms(w))
    return out


def analyze(text: str, decompounder: Decompounder | None = None) -> list[str]:
    """Text to index terms: stems of the words, plus stems of compound parts."""
    out: list[str] = []
    for w in words(text):
        out.extend(word_terms(w, decompounder))
    return out


class BM25Index:
    """BM25 (kvalitet.adapters.bm25) over analysed passages, with the passage ids in the same order. Persisted as files."""

    def __init__(self, ids: list[str], retriever, decompounder: Decompounder, version: int = 0, split: bool = True):
        self.ids = ids
        self.split = split
        self._row = {pid: i for i, pid in enumerate(ids)}
        self._retriever = retriever
        self.decompounder = decompounder
        self.version = version
        self._lock = threading.Lock()

    @classmethod
    def build(cls, ids: list[str], texts: list[str], *, split_compounds: bool = True, version: int = 0) -> "BM25Index":
        vocab: set[str] = set(DOMAIN_LEXICON)
        for t in texts:
            for w in words(t):
                if not w.isdigit():
                    vocab.add(w)
        dec = Decompounder(vocab, swedish_word if split_compounds else None)
        corpus = [analyze(t, dec if split_compounds else None) or ["_tom_"] for t in texts]
        retriever = BM25.build(corpus) if corpus else None
        return cls(list(ids), retriever, dec, version, split_compounds)

    def row_of(self, pid: str) -> int | None:
        return self._row.get(pid)

    def _fold_maps(self) -> tuple[dict[str, str], dict[str, str]]:
        """(folded word -> corpus word, folded stem -> corpus word) for words with accents; for
        several candidates the most frequent in the index wins."""
        maps = self.__dict__.get("_folds")
        if maps is None:
            by_word: dict[str, str] = {}
            by_stem: dict[str, str] = {}
            vocab = self._retriever.vocab if self._retriever is not None else {}
            for w in sorted(self.decompounder.vocabulary):
                f = fold(w)
                if f == w or stem(w) not in vocab:
                    continue
                for table, key in ((by_word, f), (by_stem, fold(stem(w)))):
                    old = table.get(key)
                    if old is None or self.df(stem(w)) > self.df(stem(old)):
                        table[key] = w
            maps = self.__dict__["_folds"] = (by_word, by_stem)
        return maps

    def df(self, term: str) -> int:
        """In how many passages `term` occurs (0 when never)."""
        return self._retriever.df(term) if self._retriever is not None else 0

    def idf(self, term: str) -> float:
        """BM25's idf of `term` (a term never seen gets the idf of one seen nowhere)."""
        n = len(self.ids)
        d = self.df(term)
        return float(np.log(1 + (n - d + 0.5) / (d + 0.5)))

    def query_words(self, query: str, expand: bool = True) -> list[tuple[str, tuple[str, ...], str | None]]:
        """The query's words as (word, index terms that occur in the index, accent expansion).

        The expansion is the corpus word a word typed without accents stands for ("forskolan"
        -> "förskolan"), used only when the word's own stem is not in the index."""
        vocab = self._retriever.vocab if self._retriever is not None else {}
        dec = self.decompounder if self.split else None
        out = []
        for w in dict.fromkeys(words(query)):
            terms = word_terms(w, dec)
            expansion = None
            if expand and not w.isdigit() and terms[0] not in vocab:
                by_word, by_stem = self._fold_maps()
                f = fold(w)
                expansion = by_word.get(f) or by_stem.get(fold(stem(f)))
                if expansion is not None:
                    terms = tuple(dict.fromkeys(terms + word_terms(expansion, dec)))
            for other in SYNONYMS.get(stem(fold(w)) if expansion is None else stem(fold(expansion)), ()):
                terms = tuple(dict.fromkeys(terms + word_terms(other, dec)))
            out.append((w, tuple(t for t in terms if t in vocab), expansion))
        return out

    def query_terms(self, query: str, expand: bool = True) -> list[str]:
        """The index terms a query is scored on (with accent expansion)."""
        return list(dict.fromkeys(t for _, terms, _ in self.query_words(query, expand) for t in terms))

    def coverage(self, query: str, rows: np.ndarray, expand: bool = True, also=None) -> np.ndarray:
        """For each row (passage position), the share of the query's idf mass it matches: a
        query word counts with its rarest term's idf, and is matched when the passage has one
        of its terms, or when `also(word)` (a bool per row, or None) says so: the word is in
        the name of the passage's document. Words the index never saw count as unmatched
        unless `also` matches them. Values 0..1."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        qw = [(w, terms) for w, terms, _ in self.query_words(query, expand) if w not in QUESTION_WORDS]
        if not qw or self._retriever is None or not len(rows):
            return out
        n_idf = float(np.log(1 + (len(self.ids) + 0.5) / 0.5))
        total = 0.0
        for w, terms in qw:
            weight = max((self.idf(t) for t in terms), default=n_idf)
            total += weight
            has = np.zeros(len(rows), dtype=bool)
            for t in terms:
                # kind="table": a lookup over the postings' range instead of sorting them (a
                # common term's postings are tens of thousands of rows at 100k passages).
                post = self._retriever.postings(t)
                if len(post):
                    has |= np.isin(rows, post, kind="table")
            extra = also(w) if also is not None else None
            if extra is not None:
                has |= extra
            out += weight * has
        return out / total if total else out

    def search(self, query: str, k: int, mask: np.ndarray | None = None, expand: bool = True) -> list[tuple[str, float]]:
        """The k best (passage id, BM25 score) for `query`; `mask` (0/1 per passage) filters."""
        return self.search_masks(query, k, [mask], expand)[0]

    def search_masks(self, query: str, k: int, masks: list[np.ndarray | None],
                     expand: bool = True) -> list[list[tuple[str, float]]]:
        """`search` under each mask of `masks` (None: no filter), the query scored once."""
        if self._retriever is None or not self.ids:
            return [[] for _ in masks]
        terms = self.query_terms(query, expand)
        if not terms:
            return [[] for _ in masks]
        with self._lock:
            scores = self._retriever.scores(terms)
        k = min(k, len(self.ids))
        out = []
        for mask in masks:
            s = scores * mask if mask is not None else scores
            top = np.argpartition(-s, k - 1)[:k] if k < len(s) else np.arange(len(s))
            top = top[np.argsort(-s[top], kind="stable")]
            out.append([(self.ids[i], float(s[i])) for i in top if s[i] > 0])
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory.with_name(directory.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(tmp / "bm25")
        (tmp / "meta.json").write_text(
            json.dumps({
                "ids": self.ids, "vocabulary": sorted(self.decompounder.vocabulary), "version": self.version,
                "analyzer": ANALYZER_VERSION, "split": self.split,
            }),
            encoding="utf-8",
        )
        # Swap in atomically-ish: replace files one by one from the finished tmp dir.
        import shutil

        old = directory.with_name(directory.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> "BM25Index | None":
        meta_path = directory / "meta.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("analyzer") != ANALYZER_VERSION:
            return None
        retriever = BM25.load(directory / "bm25") if (directory / "bm25").exists() else None
        return cls(
            meta["ids"], retriever, Decompounder(set(meta["vocabulary"]), swedish_word), meta.get("version", 0), meta.get("split", True)
        )
