"""Learned relevance: whether a candidate passage is evidence for a new activity.

Hand-written word rules found what the documents call by the activity's own words and missed
the rest (a principal's »sommarjobb« for the documents' »feriejobb«, »nattis« for »omsorg på
kvällar och nätter«). Here the judgement is a logistic model over signals that say nothing of
any one corpus or topic, so that it carries over to other municipalities' documents:

* where the activity's own search ranks the passage (the hybrid ranking, and BM25 and the
  embedder alone: a paraphrase is often first for meaning and absent for words, an exact
  compound the reverse), and where the search with the principal's notes ranks it;
* how near in meaning it is to the activity and goal (e5 cosine less the median of the draft's
  candidates, and how far below the nearest one);
* the words' judgement (Matcher: IDF-weighted subject overlap, the share of the activity's
  subject covered, the number of shared subject words) and the target-group check;
* what kind of record it is and how long.

The weights are fitted with `kvalitet eval fit-relevance CASES.json --split tune` on labelled
drafting cases (tests/data/draft_eval_cases.json: expected and acceptable passages are on topic,
wrong and unlabelled ones are not) over an index built with a language-model embedder, and
shipped in `relevance_model.json` beside this module with what they were fitted on. The
threshold is chosen by cross-validation over topics (no topic in both the fold fitted and the
fold measured), as the lowest probability whose held-out passage precision reaches the target.
With an embedder that is not a language model (the hash embedder) the meaning signals are
absent and the words' rules decide, as before (EvidenceFinder.gather).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from kvalitet.domain.types import Passage
from kvalitet.errors import ConfigError

MODEL_PATH = Path(__file__).with_name("relevance_model.json")
# Record kinds with a weight of their own; every other typed kind is "typed", anything else "text".
KINDS = ("aktivitet", "uppfoljning", "analys", "risk", "kostnad", "indikator", "insats")
FEATURES = (
    "topic", "topic_bm25", "topic_dense", "open", "open_bm25", "open_dense", "own_kind", "lift", "gap", "words", "coverage", "shared",
    "mismatch", *(f"kind_{k}" for k in KINDS), "kind_typed", "length",
)


def reciprocal(rank: int | None) -> float:
    """1 / (1 + 0-based rank); 0.0 for a passage the list does not hold."""
    return 0.0 if rank is None else 1.0 / (1.0 + rank)


@dataclass(frozen=True)
class Signals:
    """What one draft knows of a candidate, before the model weighs it. Ranks are 0-based
    positions in the lists (None: not in the list); `cosine` is the embedder's cosine with the
    activity and goal (None without a language model); `median` and `nearest` are the median and
    the largest cosine over the draft's candidates; `words` is Matcher.relevance (IDF units),
    `coverage` Matcher.coverage (0..1), `shared` the number of the request's stems found.
    `open*`: the search with the notes (hybrid, and BM25's and the embedder's ranks within it);
    `own_kind`: the best rank among the searches of the passage's own kind (analyses among
    analyses)."""

    topic: int | None
    topic_bm25: int | None
    topic_dense: int | None
    open: int | None
    open_bm25: int | None
    open_dense: int | None
    own_kind: int | None
    cosine: float | None
    median: float
    nearest: float
    words: float
    coverage: float
    shared: int
    mismatch: bool


def features(p: Passage, s: Signals, typed: frozenset[str] | set[str]) -> dict[str, float]:
    """The model's inputs for passage `p` ({name: value} over FEATURES)."""
    cos = s.cosine if s.cosine is not None else s.median
    out = {
        "topic": reciprocal(s.topic), "topic_bm25": reciprocal(s.topic_bm25),
        "topic_dense": reciprocal(s.topic_dense), "open": reciprocal(s.open),
        "open_bm25": reciprocal(s.open_bm25), "open_dense": reciprocal(s.open_dense),
        "own_kind": reciprocal(s.own_kind),
        "lift": cos - s.median, "gap": s.nearest - cos,
        "words": math.log1p(max(0.0, s.words)), "coverage": min(1.0, max(0.0, s.coverage)),
        "shared": min(s.shared, 5) / 5.0, "mismatch": 1.0 if s.mismatch else 0.0,
        "kind_typed": 1.0 if p.section_kind in typed and p.section_kind not in KINDS else 0.0,
        "length": math.log(max(len(p.text or ""), 10)) / 8.0,
    }
    out.update({f"kind_{k}": 1.0 if p.section_kind == k else 0.0 for k in KINDS})
    return out


@dataclass(frozen=True)
class RelevanceModel:
    """A fitted logistic model: P(on topic) = sigmoid(bias + Σ w_i · (x_i − mean_i) / scale_i).
    `threshold`: the probability from which a candidate is evidence. `fitted`: what it was
    fitted on (cases, split, index, embedder, cross-validated figures), for the record."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted: dict = field(default_factory=dict)

    def probability(self, x: dict[str, float]) -> float:
        """P(on topic) for one candidate's features (a missing feature counts as its mean)."""
        z = self.bias
        for name, m, sd, w in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            z += w * (x.get(name, m) - m) / sd
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "RelevanceModel":
        """Read a model file. Raises ConfigError (Swedish and English) when it is missing,
        not JSON, or its features are not FEATURES."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            model = cls(features=tuple(data["features"]), mean=tuple(data["mean"]), scale=tuple(data["scale"]),
                        weights=tuple(data["weights"]), bias=float(data["bias"]),
                        threshold=float(data["threshold"]), fitted=dict(data.get("fitted", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"Relevansmodellen {path} kunde inte läsas ({exc}); anpassa den på nytt med "
                f"`kvalitet eval fit-relevance`. / The relevance model {path} could not be read ({exc}); "
                f"refit it with `kvalitet eval fit-relevance`.") from exc
        if model.features != FEATURES or not (len(model.mean) == len(model.scale) == len(model.weights) == len(FEATURES)):
            raise ConfigError(
                f"Relevansmodellen {path} har andra indata än koden; anpassa den på nytt med "
                f"`kvalitet eval fit-relevance`. / The relevance model {path} has other features than the "
                f"code; refit it with `kvalitet eval fit-relevance`.")
        return model


def _logistic(X: np.ndarray, y: np.ndarray, l2: float, iters: int = 60) -> np.ndarray:
    """Weights (last one the bias) of an L2-regularised logistic regression by Newton's method
    (IRLS) on standardised X (n × d) and labels y (n, 0/1)."""
    Xb = np.hstack([X, np.ones((len(X), 1))])
    w = np.zeros(Xb.shape[1])
    reg = l2 * np.r_[np.ones(Xb.shape[1] - 1), 0.0]
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Xb @ w, -40, 40)))
        grad = Xb.T @ (p - y) + reg * w
        hess = (Xb * (p * (1 - p))[:, None]).T @ Xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return w


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


@dataclass
class Example:
    """One labelled candidate: its features, whether it is on topic, its case and topic (the
    cross-validation groups), and which expected labels it matches (for recall)."""

    x: dict[str, float]
    on_topic: bool
    case: str
    topic: str
    expected: frozenset[str] = frozenset()


def fit(examples: Sequence[Example], expected_per_case: dict[str, int], target_precision: float = 0.9,
        l2: float = 1.0, folds: int = 5, per_case: int = 3, fitted: dict | None = None) -> RelevanceModel:
    """Fit the model on `examples` and choose its threshold by cross-validation over topics.

    Each of `folds` folds holds whole topics; every example gets the probability of a model
    fitted without its topic. The threshold is the lowest probability (on a grid of 0.05 to
    0.95) at which the held-out candidates above it, at most `per_case` per case, reach
    `target_precision` (on-topic / chosen); when none does, the one with the best precision.
    `expected_per_case`: {case: number of expected labels}, the recall denominator. The figures
    at the chosen threshold go into `fitted["cross_validated"]`. Raises ValueError when there are
    no examples or only one class."""
    if not examples:
        raise ValueError("no examples to fit")
    y = np.array([1.0 if e.on_topic else 0.0 for e in examples])
    if y.min() == y.max():
        raise ValueError("the examples are all of one class")
    X = np.array([[e.x[n] for n in FEATURES] for e in examples], dtype=float)
    topics = sorted({e.topic for e in examples})
    order = np.random.default_rng(16).permutation(len(topics))
    fold_of = {topics[i]: k % folds for k, i in enumerate(order)}
    held = np.zeros(len(examples))
    for k in range(folds):
        train = np.array([fold_of[e.topic] != k for e in examples])
        if not train.any() or train.all():
            continue
        mean, scale = _standardise(X[train])
        w = _logistic((X[train] - mean) / scale, y[train], l2)
        z = np.hstack([(X[~train] - mean) / scale, np.ones(((~train).sum(), 1))]) @ w
        held[~train] = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    grid = [round(0.05 * i, 2) for i in range(1, 20)]
    figures = {t: selection_figures(examples, held, t, expected_per_case, per_case) for t in grid}
    reaching = [t for t in grid if figures[t]["precision"] >= target_precision and figures[t]["chosen"] > 0]
    threshold = reaching[0] if reaching else max(grid, key=lambda t: (figures[t]["precision"], -t))
    mean, scale = _standardise(X)
    w = _logistic((X - mean) / scale, y, l2)
    meta = dict(fitted or {})
    meta.update({"examples": len(examples), "on_topic": int(y.sum()), "topics": len(topics), "folds": folds,
                 "target_precision": target_precision, "per_case": per_case, "l2": l2,
                 "cross_validated": figures[threshold]})
    return RelevanceModel(features=FEATURES, mean=tuple(round(float(v), 6) for v in mean),
                          scale=tuple(round(float(v), 6) for v in scale),
                          weights=tuple(round(float(v), 6) for v in w[:-1]), bias=round(float(w[-1]), 6),
                          threshold=threshold, fitted=meta)


def selection_figures(examples: Sequence[Example], probability: Iterable[float], threshold: float,
                      expected_per_case: dict[str, int], per_case: int) -> dict:
    """Passage-level figures of choosing, per case, the candidates with probability ≥ threshold
    (at most `per_case`, most probable first): {"chosen", "precision", "recall"}, recall being the
    expected labels matched by a chosen candidate over all expected labels of the cases."""
    by_case: dict[str, list[tuple[float, Example]]] = {}
    for e, pr in zip(examples, probability, strict=True):
        if pr >= threshold:
            by_case.setdefault(e.case, []).append((pr, e))
    chosen = on = found = 0
    for items in by_case.values():
        top = sorted(items, key=lambda t: -t[0])[:per_case]
        chosen += len(top)
        on += sum(1 for _, e in top if e.on_topic)
        found += len(set().union(*(e.expected for _, e in top)))
    total = sum(expected_per_case.values())
    return {"threshold": threshold, "chosen": chosen, "precision": round(on / chosen, 3) if chosen else 0.0,
            "recall": round(found / total, 3) if total else 0.0}


_MODELS: dict[str, RelevanceModel | None] = {}


def default_model(choice: str = "") -> RelevanceModel | None:
    """The model a setting chooses (Settings.relevance_model, KVALITET_RELEVANCE_MODEL), read once
    per choice: "" the shipped relevance_model.json (None when it is absent), "off" None (the
    words' rules decide), else the file at that path. Raises ConfigError for a file that is named
    or shipped but unreadable."""
    choice = (choice or "").strip()
    if choice not in _MODELS:
        if choice.lower() == "off":
            _MODELS[choice] = None
        elif choice:
            _MODELS[choice] = RelevanceModel.load(Path(choice))
        else:
            _MODELS[choice] = RelevanceModel.load(MODEL_PATH) if MODEL_PATH.exists() else None
    return _MODELS[choice]
