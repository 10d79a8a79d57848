"""The drafting evaluation cases (tests/data/draft_eval_cases.json) keep their shape: the held-out
set of the third session (split `heldout2`) is whole, new in topic, and labelled with text the
documents carry; the second session's held-out cases are tune now and say so (issue 16)."""

from __future__ import annotations

import re
from collections import Counter

from kvalitet.ops.draft_eval import load_cases
from tests.helpers.paths import CORPUS, DATA

CASES = load_cases(DATA / "draft_eval_cases.json")
HELDOUT2 = [c for c in CASES if c["split"] == "heldout2"]
MOVED = "held out in session 2, measured once, now tune"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


SAMPLE_TEXT = _norm(" ".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))))


def test_the_splits_are_tune_and_heldout2_only():
    assert Counter(c["split"] for c in CASES) == {"tune": 48, "heldout2": 20}
    assert len({c["name"] for c in CASES}) == len(CASES)
    moved = [c for c in CASES if c.get("note", "").startswith(MOVED)]
    assert len(moved) == 15 and all(c["split"] == "tune" for c in moved)


def test_heldout2_is_whole_and_on_new_topics():
    assert Counter(c["corpus"] for c in HELDOUT2) == {"sample": 9, "kommuner": 11}
    tune_topics = {c["topic"] for c in CASES if c["split"] == "tune"}
    assert {c["topic"] for c in HELDOUT2} & tune_topics == set()
    for c in HELDOUT2:
        assert 1 <= len(c["expected"]) <= 4, c["name"]
        assert 2 <= len(c["wrong"]) <= 4, c["name"]
        assert c["notes"] and c["activity"], c["name"]
        labels = [_norm(s) for s in c["expected"] + c.get("acceptable", []) + c["wrong"]]
        assert len(labels) == len(set(labels)), c["name"]  # no substring both on and off topic
    with_numbers = [c["name"] for c in HELDOUT2 if re.search(r"\d", c["notes"])]
    assert 8 <= len(with_numbers) <= 14  # about half of the notes carry numbers


def test_sample_labels_stand_in_the_sample_corpus_and_kommuner_labels_do_not():
    """A sample case's expected and wrong substrings occur in the sample corpus (acceptable ones
    may name an on-topic record of the other municipalities too, since one index holds both);
    a kommuner case's substrings never occur in it, so they cannot label a sample passage."""
    missing, stray = [], []
    for c in HELDOUT2:
        for field in ("expected", "wrong", "acceptable"):
            for s in c.get(field, []):
                found = _norm(s) in SAMPLE_TEXT
                if c["corpus"] == "sample" and field != "acceptable" and not found:
                    missing.append((c["name"], s))
                if c["corpus"] == "kommuner" and found:
                    stray.append((c["name"], s))
    assert missing == [] and stray == []
