"""Folding identical and near-identical passages (retriever.select) against its definition."""

import random
import re
from types import SimpleNamespace

from kvalitet.search.retriever import NEAR_DUPLICATE, Candidates, RankParams, select, text_key


def reference_select(ranked: list[str], texts: dict[str, str], k: int):
    """The definition: walk the ranking; a passage whose words (in order) equal a shown hit's,
    or that has 8 words or more and shares at least NEAR_DUPLICATE of the union of its word
    set with a shown hit's (Jaccard), joins the first such hit; otherwise it is shown while
    fewer than k are."""
    out: list[tuple[str, list[str]]] = []
    keys: list[tuple[str, frozenset]] = []
    for pid in ranked:
        key = text_key(texts[pid])
        words = frozenset(re.findall(r"\w+", texts[pid].lower()))
        dup = next((i for i, (k2, w2) in enumerate(keys)
                    if key == k2 or (len(words) >= 8 and len(words & w2) / max(1, len(words | w2)) >= NEAR_DUPLICATE)),
                   None)
        if dup is not None:
            out[dup][1].append(pid)
        elif len(out) < k:
            keys.append((key, words))
            out.append((pid, []))
    return out


def test_select_folds_as_the_definition_says_on_random_near_duplicates():
    rng = random.Random(15)
    pool = [f"ord{i}" for i in range(60)]
    for trial in range(40):
        texts: dict[str, str] = {}
        bases = [rng.sample(pool, rng.randint(3, 30)) for _ in range(6)]
        for i in range(80):
            words = list(rng.choice(bases))
            for _ in range(rng.choice([0, 0, 1, 2, 4])):  # a few words changed, added or dropped
                op = rng.random()
                if op < 0.4 and words:
                    words[rng.randrange(len(words))] = rng.choice(pool)
                elif op < 0.7:
                    words.insert(rng.randrange(len(words) + 1), rng.choice(pool))
                elif words:
                    words.pop(rng.randrange(len(words)))
            sep = rng.choice([" ", ", ", " – "])
            text = sep.join(words) or "tom"
            texts[f"p{i:03d}"] = text.upper() if rng.random() < 0.1 else text
        ranked = list(texts)
        rng.shuffle(ranked)
        cands = Candidates(bm25=ranked, dense=[], cosine={}, coverage={}, matches={})
        snap = SimpleNamespace(passages={pid: SimpleNamespace(text=t) for pid, t in texts.items()})
        k = rng.choice([1, 3, 5, 10])
        got, dropped = select(cands, RankParams(), "bm25", k, snap)
        assert dropped == 0
        assert [(pid, dups) for pid, _, _, dups in got] == reference_select(ranked, texts, k), trial


def test_near_and_identical_passages_join_the_hit_and_a_less_alike_one_is_shown():
    base = "elevhälsan arbetar med frånvaro trygghet studiero och kartläggning av behov i skolan".split()
    near = " ".join(base[:-1] + ["förskolan"])  # 11 of 12 words shared with a: Jaccard 11/13 < 0.9
    texts = {
        "a": " ".join(base),
        "b": " ".join(base + ["varje"]),  # Jaccard 12/13 with a: folds into a
        "c": " ".join(base).upper(),  # identical words to a (case aside): folds into a
        "d": near,
    }
    cands = Candidates(bm25=list(texts), dense=[], cosine={}, coverage={}, matches={})
    snap = SimpleNamespace(passages={pid: SimpleNamespace(text=t) for pid, t in texts.items()})
    got, _ = select(cands, RankParams(), "bm25", 5, snap)
    assert [(pid, dups) for pid, _, _, dups in got] == [("a", ["b", "c"]), ("d", [])]
