"""BM25 with Swedish Snowball stemming and compound splitting.

Swedish writes compounds as one word ("frånvarouppföljning", "kvalitetsrapport"), so a question
about "uppföljning av frånvaro" shares no stem with the passage. We split a compound into parts
that are themselves words of the corpus vocabulary (with the linking -s- of "kvalitetsrapport")
and index the parts' stems beside the whole word's stem.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

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
ANALYZER_VERSION = 9  # bump when analysis changes: a saved BM25 of another version is rebuilt


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("swedish")


def words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]


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
    if decompounder is not None and not word.isdigit():
        out.extend(stem(p) for p in decompounder.split(word))
    return tuple(dict.fromkeys(out))


class Decompounder:
    """Splits Swedish compounds into two known words (recursively on the tail)."""

    def __init__(self, vocabulary: set[str] | None = None):
        self.vocabulary = vocabulary or set()
        self._cache: dict[str, list[str]] = {}

    def split(self, word: str) -> list[str]:
        if word in self._cache:
            return self._cache[word]
        parts = self._split(word, depth=0) if len(word) >= 2 * MIN_PART else []
        self._cache[word] = parts
        return parts

    def _known(self, w: str) -> bool:
        return len(w) >= MIN_PART and (w in self.vocabulary or stem(w) in self.vocabulary)

    def _split(self, word: str, depth: int) -> list[str]:
        if depth > 2:
            return []
        for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):  # longest head first
            head, tail = word[:i], word[i:]
            heads = [head]
            if head.endswith("s") and len(head) > MIN_PART:
                heads.append(head[:-1])  # linking s: kvalitet-s-rapport
            heads += [head + "e", head + "a"]  # dropped final vowel: vårdnadshavar(e)-portal, skol(a)-gård
            for h in heads:
                if not self._known(h):
                    continue
                if self._known(tail):
                    return [h, tail]
                rest = self._split(tail, depth + 1)
                if rest:
                    return [h, *rest]
        return []


def analyze(text: str, decompounder: Decompounder | None = None) -> list[str]:
    """Text to index terms: stems of the words, plus stems of compound parts."""
    out: list[str] = []
    for w in words(text):
        out.extend(word_terms(w, decompounder))
    return out


class BM25Index:
    """bm25s over analysed passages, with the passage ids in the same order. Persisted as files."""

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
        import bm25s

        vocab: set[str] = set(DOMAIN_LEXICON) if split_compounds else set()
        if split_compounds:
            for t in texts:
                for w in words(t):
                    if len(w) >= MIN_PART and not w.isdigit():
                        vocab.add(w)
                        vocab.add(stem(w))
        dec = Decompounder(vocab if split_compounds else set())
        corpus = [analyze(t, dec if split_compounds else None) or ["_tom_"] for t in texts]
        retriever = bm25s.BM25()
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(list(ids), retriever if corpus else None, dec, version, split_compounds)

    def row_of(self, pid: str) -> int | None:
        return self._row.get(pid)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        if self._retriever is None or not self.ids:
            return []
        terms = analyze(query, self.decompounder if self.split else None)
        vocab = self._retriever.vocab_dict
        terms = [t for t in terms if t in vocab]
        if not terms:
            return []
        with self._lock:
            scores = self._retriever.get_scores(terms)
        if mask is not None:
            scores = scores * mask
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory.with_name(directory.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(tmp / "bm25"))
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
        import bm25s

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("analyzer") != ANALYZER_VERSION:
            return None
        retriever = bm25s.BM25.load(str(directory / "bm25")) if (directory / "bm25").exists() else None
        return cls(
            meta["ids"], retriever, Decompounder(set(meta["vocabulary"])), meta.get("version", 0), meta.get("split", True)
        )
