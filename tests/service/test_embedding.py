import numpy as np
import pytest

from kvalitet.adapters.embedders import (
    E5Embedder,
    HashEmbedder,
    SentenceTransformerEmbedder,
    VectorCache,
    embed_with_cache,
)


@pytest.fixture(scope="module")
def e5():
    return E5Embedder(threads=1)


def test_e5_ranks_the_swedish_paraphrase_first(e5):
    passages = [
        "Fortsatt fokus på arbetet med att minska upprepad och/eller längre frånvaro i grundskolan.",
        "Kostnadsberäkning: Matematiksatsning 100 tkr.",
        "Upphandla ett nytt verksamhetssystem för skolval.",
    ]
    P = e5.embed_passages(passages)
    q = e5.embed_query("minska frånvaron bland eleverna")
    assert P.shape == (3, 384) and q.shape == (384,)
    assert np.allclose(np.linalg.norm(P, axis=1), 1.0, atol=1e-3)
    assert int(np.argmax(P @ q)) == 0
    assert e5.id.startswith("e5:")


def test_e5_uses_query_and_passage_prefixes(e5):
    # The same text embedded as query and as passage: close (the same text, cosine 0.92 measured)
    # but not equal (only the "query: " / "passage: " prefix differs), and closer to each other
    # than the query is to another text's passage (0.84 measured).
    text = "elevhälsans förebyggande arbete"
    q, p = e5.embed_query(text), e5.embed_passages([text])[0]
    other = e5.embed_passages(["Upphandla ett nytt verksamhetssystem för skolval."])[0]
    assert 0.88 < float(q @ p) < 0.98
    assert float(q @ p) > float(q @ other) + 0.03


def test_sentence_transformers_backend_loads_offline_from_the_bundled_model():
    st = SentenceTransformerEmbedder(None, threads=1)
    assert st.id.startswith("st:") and st.dim == 384
    v = st.embed_passages(["The school improves attendance.", "Budget for mathematics."])
    q = st.embed_query("attendance at school")
    assert int(np.argmax(v @ q)) == 0


def test_hash_embedder_is_deterministic():
    h = HashEmbedder()
    a = h.embed_passages(["frånvaro i skolan"])[0]
    b = HashEmbedder().embed_query("frånvaro i skolan")
    assert np.allclose(a, b) and abs(np.linalg.norm(a) - 1) < 1e-5


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def embed_passages(self, texts):
        self.calls += len(texts)
        return super().embed_passages(texts)


def test_cache_embeds_only_new_text(tmp_path):
    emb = CountingEmbedder()
    cache = VectorCache(tmp_path / "c.sqlite")
    v1, n1 = embed_with_cache(emb, cache, ["a b", "c d", "a b"])
    assert n1 == 2 and emb.calls == 2 and v1.shape == (3, 384)
    v2, n2 = embed_with_cache(emb, cache, ["a b", "e f"])
    assert n2 == 1 and emb.calls == 3
    assert np.allclose(v1[0], v2[0])
    # another embedder id never reuses these vectors
    other = CountingEmbedder()
    other.id = "hash:other:384"
    _, n3 = embed_with_cache(other, cache, ["a b"])
    assert n3 == 1
