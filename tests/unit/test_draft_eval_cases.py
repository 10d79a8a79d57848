"""The drafting evaluation cases (tests/data/draft_eval_cases.json) keep their shape: the held-out
set written before the drafter changes of session 4 (split `heldout4`) is whole, new in topic, and
labelled with text the documents carry, and so is the set written before the second drafter change
of session 4 (split `heldout5`); the earlier held-out sets (session 2's, `heldout2` and
`heldout3`, each measured once in session 3) are tune now and say so (issue 16). `heldout3` keeps
its checks of shape and labels under its case names (prefix s3b_)."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter

from kvalitet.ops.draft_eval import load_cases
from tests.helpers.paths import CORPUS, DATA

CASES = load_cases(DATA / "draft_eval_cases.json")
HELDOUT3 = [c for c in CASES if c["name"].startswith("s3b_")]
HELDOUT4 = [c for c in CASES if c["split"] == "heldout4"]
HELDOUT5 = [c for c in CASES if c["split"] == "heldout5"]
MOVED = "held out in session 2, measured once, now tune"
MOVED3 = "held out in session 3, measured once (precision 0.492, recall 0.441), now tune"
MOVED4 = "held out in session 3 (heldout3), measured once (precision 0.392, recall 0.435), now tune"
KOMMUNER = DATA / "kommuner"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


SAMPLE_TEXT = _norm(" ".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))))


def _kommuner_text() -> str:
    """The kommuner documents' text (tune and heldout folders, labels left out), extracted by the
    corpus's own checker, independently of Kvalitet's parsers; a word hyphenated at a line end is
    also joined, so a label written as the word stands is found."""
    spec = importlib.util.spec_from_file_location("kommuner_check_labels", KOMMUNER / "check_labels.py")
    assert spec is not None and spec.loader is not None
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    docs = [p for part in ("tune", "heldout") for p in sorted((KOMMUNER / part).iterdir())
            if not p.name.endswith(".labels.json")]
    text = _norm(" ".join(checker.extract(p) for p in docs))
    return text + " " + text.replace("- ", "")


def _check_cases(cases: list[dict], wrong: tuple[int, int], earlier_expected: set[str] | None = None) -> None:
    """Each case has 1–3 expected labels, `wrong` (min, max) wrong ones, notes and an activity,
    no substring both on and off topic, and (when given) no expected label an earlier case has."""
    for c in cases:
        assert 1 <= len(c["expected"]) <= 3, c["name"]
        assert wrong[0] <= len(c["wrong"]) <= wrong[1], c["name"]
        assert c["notes"] and c["activity"], c["name"]
        labels = [_norm(s) for s in c["expected"] + c.get("acceptable", []) + c["wrong"]]
        assert len(labels) == len(set(labels)), c["name"]  # no substring both on and off topic
        if earlier_expected is not None:
            assert not {_norm(s) for s in c["expected"]} & earlier_expected, c["name"]


def test_the_splits_are_tune_heldout4_and_heldout5_only():
    assert Counter(c["split"] for c in CASES) == {"tune": 84, "heldout4": 20, "heldout5": 20}
    assert len({c["name"] for c in CASES}) == len(CASES)
    moved = [c for c in CASES if c.get("note", "").startswith(MOVED)]
    assert len(moved) == 15 and all(c["split"] == "tune" for c in moved)
    moved3 = [c for c in CASES if c.get("note", "").startswith(MOVED3)]
    assert len(moved3) == 20 and all(c["split"] == "tune" and c["name"].startswith("s3_") for c in moved3)
    moved4 = [c for c in CASES if c.get("note", "").startswith(MOVED4)]
    assert moved4 == HELDOUT3 and len(moved4) == 16 and all(c["split"] == "tune" for c in moved4)


def test_heldout3_is_whole_and_on_new_topics():
    assert Counter(c["corpus"] for c in HELDOUT3) == {"sample": 8, "kommuner": 8}
    assert all(c["name"].startswith("s3b_") for c in HELDOUT3)
    tune_topics = {c["topic"] for c in CASES if c["split"] == "tune" and c not in HELDOUT3}
    assert {c["topic"] for c in HELDOUT3} & tune_topics == set()
    assert len({c["topic"] for c in HELDOUT3}) == len(HELDOUT3)
    _check_cases(HELDOUT3, wrong=(2, 3))
    with_numbers = [c["name"] for c in HELDOUT3 if re.search(r"\d", c["notes"])]
    assert 6 <= len(with_numbers) <= 10  # about half of the notes carry numbers


def test_heldout4_is_whole_and_on_new_topics():
    """The set written before the drafter changes of session 4: 9 sample and 11 kommuner cases,
    one topic each, none of them a topic of an earlier case."""
    assert Counter(c["corpus"] for c in HELDOUT4) == {"sample": 9, "kommuner": 11}
    assert all(c["name"].startswith("s4_") for c in HELDOUT4)
    earlier_topics = {c["topic"] for c in CASES if c["split"] != "heldout4"}
    assert {c["topic"] for c in HELDOUT4} & earlier_topics == set()
    assert len({c["topic"] for c in HELDOUT4}) == len(HELDOUT4)
    earlier_expected = {_norm(s) for c in CASES if c["split"] != "heldout4" for s in c["expected"]}
    _check_cases(HELDOUT4, wrong=(1, 4), earlier_expected=earlier_expected)
    with_numbers = [c["name"] for c in HELDOUT4 if re.search(r"\d", c["notes"])]
    assert len(with_numbers) >= 10


def test_heldout5_is_whole_and_on_new_topics():
    """The set written before the second drafter change of session 4: 10 sample and 10 kommuner
    cases, one topic each, none of them a topic of an earlier case, and no expected substring an
    earlier case expects."""
    assert Counter(c["corpus"] for c in HELDOUT5) == {"sample": 10, "kommuner": 10}
    assert all(c["name"].startswith("s5_") for c in HELDOUT5)
    earlier = [c for c in CASES if c["split"] != "heldout5"]
    assert {c["topic"] for c in HELDOUT5} & {c["topic"] for c in earlier} == set()
    assert len({c["topic"] for c in HELDOUT5}) == len(HELDOUT5)
    earlier_expected = {_norm(s) for c in earlier for s in c["expected"]}
    _check_cases(HELDOUT5, wrong=(1, 4), earlier_expected=earlier_expected)
    with_numbers = [c["name"] for c in HELDOUT5 if re.search(r"\d", c["notes"])]
    assert 8 <= len(with_numbers) <= 14  # about half of the notes carry numbers


def test_sample_labels_stand_in_the_sample_corpus_and_kommuner_labels_do_not():
    """A sample case's expected and wrong substrings occur in the sample corpus (acceptable ones
    may name an on-topic record of the other municipalities too, since one index holds both);
    a kommuner case's substrings never occur in it, so they cannot label a sample passage."""
    missing, stray = [], []
    for c in HELDOUT3 + HELDOUT4 + HELDOUT5:
        for field in ("expected", "wrong", "acceptable"):
            for s in c.get(field, []):
                found = _norm(s) in SAMPLE_TEXT
                if c["corpus"] == "sample" and field != "acceptable" and not found:
                    missing.append((c["name"], s))
                if c["corpus"] == "kommuner" and found:
                    stray.append((c["name"], s))
    assert missing == [] and stray == []


def test_kommuner_labels_stand_in_the_kommuner_documents():
    """Every substring of a heldout3, heldout4 or heldout5 kommuner case, expected, acceptable or wrong, is
    text of the kommuner documents: a label that names nothing would make recall unreachable or a
    wrong citation uncounted."""
    text = _kommuner_text()
    missing = [(c["name"], s) for c in HELDOUT3 + HELDOUT4 + HELDOUT5 if c["corpus"] == "kommuner"
               for field in ("expected", "acceptable", "wrong") for s in c.get(field, [])
               if _norm(s) not in text]
    assert missing == []
