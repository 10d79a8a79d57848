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
