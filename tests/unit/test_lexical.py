from kvalitet.search.analysis import BM25Index, Decompounder, analyze, stem, words


def test_swedish_stemming_conflates_inflections():
    assert stem("uppföljningen") == stem("uppföljning") == stem("uppföljningar")
    assert stem("insatserna") == stem("insatser")


def test_stopwords_removed():
    assert words("Vad hände med elevhälsan och skolan?") == ["hände", "elevhälsan", "skolan"]


def test_decompounder_splits_with_linking_s():
    d = Decompounder({"frånvaro", "uppföljning", "kvalitet", "rapport", "elevhälsa"})
    assert d.split("frånvarouppföljning") == ["frånvaro", "uppföljning"]
    assert d.split("kvalitetsrapport")[-1] == "rapport"
    assert stem(d.split("kvalitetsrapport")[0]) == stem("kvalitet")
    assert d.split("skola") == []  # too short / unknown: left whole


def test_compound_parts_let_a_paraphrase_match():
    texts = [
        "Utveckla huvudmannens frånvarouppföljning för verksamheterna",
        "Rutiner för lokalförsörjning",
        "Om frånvaro i allmänhet",
        "Uppföljning av ekonomi",
    ]
    with_split = BM25Index.build(["a", "b", "c", "d"], texts)
    without = BM25Index.build(["a", "b", "c", "d"], texts, split_compounds=False)
    q = "uppföljning av frånvaro"
    assert with_split.search(q, 4)[0][0] == "a"
    assert "a" not in [pid for pid, _ in without.search(q, 4)]


def test_mask_filters_bm25_hits():
    import numpy as np

    idx = BM25Index.build(["a", "b"], ["elevhälsa och trygghet", "elevhälsa i förskolan"])
    hits = idx.search("elevhälsa", 2, mask=np.array([0.0, 1.0], dtype=np.float32))
    assert [h[0] for h in hits] == ["b"]


def test_bm25_roundtrip(tmp_path):
    idx = BM25Index.build(["a", "b"], ["matematik i förskoleklass", "digitala verktyg"], version=7)
    idx.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded.version == 7 and loaded.ids == ["a", "b"]
    assert loaded.search("matematiken", 1)[0][0] == "a"
    assert analyze("frånvarouppföljning", loaded.decompounder) == analyze("frånvarouppföljning", idx.decompounder)


def test_query_of_unknown_words_returns_nothing():
    idx = BM25Index.build(["a"], ["matematik"])
    assert idx.search("xyzzy qwerty", 5) == []


ANDE_CASE = [  # /work/shared/cases/inputs/uppfoljning-2024-ande.txt, passage by passage
    "Personalen har utrett varje anmälan om kränkande behandling inom två veckor.",
    "Snabbare utredningar har gjort att eleverna litar mer på de vuxna.",
    "Det förebyggande och hälsofrämjande arbetet har fått en gemensam plan gällande hela skolan.",
    "Ett fungerande samarbete och ett växande intresse bland lärarna gör planen bärande.",
    "Åtgärdande arbete utifrån nuvarande rutiner.",
]


def test_participles_in_ande_are_not_split_into_a_stem_and_ande():
    idx = BM25Index.build([f"p{i}" for i in range(len(ANDE_CASE))], ANDE_CASE)
    d = idx.decompounder
    for w in ("kränkande", "åtgärdande", "nuvarande", "växande", "bärande", "förebyggande", "fungerande"):
        assert d.split(w) == [], w
    assert [pid for pid, _ in idx.search("kränkande", 5)] == ["p0"]


def test_inflection_endings_are_never_compound_parts():
    d = Decompounder({"kränk", "ande", "else", "ning", "åtgärd", "uppfyll", "frånvaro", "uppföljning"})
    assert d.split("kränkande") == [] and d.split("åtgärdande") == []
    assert d.split("uppfyllelse") == []
    assert d.split("frånvarouppföljning") == ["frånvaro", "uppföljning"]


def test_a_part_is_a_word_not_a_stem():
    """"kränk" is the stem of kränkande, not a word of the corpus: it is no compound part."""
    idx = BM25Index.build(["a", "b"], ["kränkande behandling", "kränkningsanmälan till huvudmannen"])
    assert "kränk" not in idx.decompounder.vocabulary


def test_snippet_marks_only_real_matches():
    from kvalitet.search.retriever import snippet

    idx = BM25Index.build(["a"], [ANDE_CASE[4] + " " + ANDE_CASE[0]])
    s = snippet(ANDE_CASE[4] + " " + ANDE_CASE[0], "kränkande", idx.decompounder)
    assert "<mark>kränkande</mark>" in s
    assert "<mark>Åtgärdande</mark>" not in s and "<mark>nuvarande</mark>" not in s


def test_a_query_without_accents_finds_the_accented_words():
    texts = ["Förskolan har höjt måluppfyllelsen", "Vårdnadshavare bjuds in till samtal", "Skolans budget"]
    idx = BM25Index.build(["a", "b", "c"], texts)
    assert idx.search("forskolan", 3)[0][0] == "a"
    assert idx.search("maluppfyllelsen", 3)[0][0] == "a"
    assert idx.search("vardnadshavare", 3)[0][0] == "b"
    assert [e for _, _, e in idx.query_words("vardnadshavare")] == ["vårdnadshavare"]


def test_accent_expansion_never_outranks_an_exact_match():
    """A word the corpus has as typed is not expanded: "stod" does not become "stöd"."""
    texts = ["Eleverna stod i kö till matsalen", "Stöd till eleverna, stöd i klassrummet, mer stöd"]
    idx = BM25Index.build(["exact", "folded"], texts)
    assert [pid for pid, _ in idx.search("stod", 2)] == ["exact"]
    assert [e for _, _, e in idx.query_words("stod")] == [None]


def test_coverage_is_the_share_of_the_query_matched():
    import numpy as np

    idx = BM25Index.build(["a", "b", "c"], ["elevhälsans kostnader", "elevhälsans arbete", "matematik"])
    cov = idx.coverage("kostnader för elevhälsan", np.arange(3))
    assert cov[0] > 0.99 and 0 < cov[1] < cov[0] and cov[2] == 0
    assert idx.coverage("xyzzy qwerty", np.arange(3)).max() == 0
