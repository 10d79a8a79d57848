"""The drafter's learned relevance (kvalitet/drafting/relevance.py): features, fitting with a
threshold chosen by cross-validation over topics, the shipped model file and its errors."""

from __future__ import annotations

import json
import random

import pytest

from kvalitet.domain.types import Passage, Source
from kvalitet.drafting.relevance import FEATURES, MODEL_PATH, Example, RelevanceModel, Signals, features, fit, reciprocal
from kvalitet.errors import ConfigError


def _passage(kind: str = "aktivitet", text: str = "Aktivitet: Införa feriejobb för elever i årskurs 9.") -> Passage:
    return Passage(id="p1", text=text, doc_path="d.pdf", doc_kind="uppfoljning", section_kind=kind,
                   source=Source(path="d.pdf", line_start=1, line_end=1))


def _signals(**kw) -> Signals:
    base = dict(topic=0, topic_bm25=None, topic_dense=2, open=1, open_bm25=None, open_dense=0, own_kind=0,
                cosine=0.86, median=0.82, nearest=0.87, words=3.0, coverage=0.5, shared=2, mismatch=False)
    base.update(kw)
    return Signals(**base)


def test_features_read_ranks_meaning_words_and_kind():
    x = features(_passage(), _signals(), frozenset({"aktivitet", "mal"}))
    assert set(x) == set(FEATURES)
    assert x["topic"] == 1.0 and x["topic_bm25"] == 0.0 and x["topic_dense"] == pytest.approx(1 / 3)
    assert x["lift"] == pytest.approx(0.04) and x["gap"] == pytest.approx(0.01)
    assert x["kind_aktivitet"] == 1.0 and x["kind_typed"] == 0.0 and x["mismatch"] == 0.0
    other = features(_passage("mal"), _signals(cosine=None, mismatch=True), frozenset({"aktivitet", "mal"}))
    assert other["kind_typed"] == 1.0 and other["lift"] == 0.0 and other["mismatch"] == 1.0
    assert reciprocal(None) == 0.0 and reciprocal(3) == 0.25


def _examples(n_topics: int = 20, seed: int = 3) -> tuple[list[Example], dict[str, int]]:
    """Synthetic candidates: on topic when the search ranks them high and they are near in
    meaning, with some noise; five topics per fold."""
    rng = random.Random(seed)
    out, expected = [], {}
    for t in range(n_topics):
        case = f"c{t}"
        expected[case] = 1
        for i in range(30):
            on = i < 4
            x = {name: 0.0 for name in FEATURES}
            x["topic"] = reciprocal(i if on or rng.random() < 0.3 else None)
            x["lift"] = (0.05 if on else 0.0) + rng.gauss(0, 0.015)
            x["words"] = (1.5 if on else 0.4) + rng.gauss(0, 0.4)
            out.append(Example(x=x, on_topic=on, case=case, topic=f"t{t}",
                               expected=frozenset({"e"}) if i == 0 else frozenset()))
    return out, expected


def test_fit_learns_the_signal_and_chooses_a_threshold_by_cross_validation():
    examples, expected = _examples()
    model = fit(examples, expected, target_precision=0.9, fitted={"note": "synthetic"})
    cv = model.fitted["cross_validated"]
    assert cv["precision"] >= 0.9 and cv["recall"] >= 0.8 and cv["threshold"] == model.threshold
    assert model.fitted["note"] == "synthetic" and model.fitted["topics"] == 20
    w = dict(zip(model.features, model.weights, strict=True))
    assert w["lift"] > 0 and w["words"] > 0  # nearer in meaning and more shared words: more likely on topic
    on = next(e for e in examples if e.on_topic)
    off = next(e for e in examples if not e.on_topic and e.x["topic"] == 0.0)
    assert model.probability(on.x) > model.threshold > model.probability(off.x)


def test_fit_refuses_what_cannot_be_fitted():
    with pytest.raises(ValueError):
        fit([], {})
    one_class = [Example(x={n: 0.0 for n in FEATURES}, on_topic=False, case="c", topic="t")]
    with pytest.raises(ValueError):
        fit(one_class, {"c": 1})


def test_a_model_file_round_trips_and_a_bad_one_says_what_to_do(tmp_path):
    examples, expected = _examples(10)
    model = fit(examples, expected)
    path = tmp_path / "m.json"
    path.write_text(model.to_json(), encoding="utf-8")
    again = RelevanceModel.load(path)
    assert again == model
    bad = json.loads(model.to_json())
    bad["features"] = bad["features"][:-1]
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ConfigError, match="fit-relevance"):
        RelevanceModel.load(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="kunde inte läsas"):
        RelevanceModel.load(path)


def test_the_shipped_model_is_fitted_on_tune_cases_only():
    model = RelevanceModel.load(MODEL_PATH)
    meta = model.fitted
    assert meta["split"] == "tune" and meta["embedder"] == "e5" and meta["cases"] >= 84
    assert meta["cross_validated"]["precision"] >= meta["target_precision"]
    assert 0.05 <= model.threshold <= 0.95


def test_the_setting_chooses_the_model(tmp_path):
    """Settings.relevance_model (KVALITET_RELEVANCE_MODEL): "" the shipped file, "off" the word
    rules, a path another fitted file; a path that cannot be read says what to do."""
    from kvalitet.drafting.relevance import default_model
    from kvalitet.settings import Settings

    assert Settings(relevance_model="off").relevance_model == "off"
    assert default_model("off") is None
    assert default_model("") == RelevanceModel.load(MODEL_PATH)
    examples, expected = _examples(10)
    path = tmp_path / "other.json"
    path.write_text(fit(examples, expected).to_json(), encoding="utf-8")
    assert default_model(str(path)) == RelevanceModel.load(path)
    with pytest.raises(ConfigError, match="fit-relevance"):
        default_model(str(tmp_path / "missing.json"))
