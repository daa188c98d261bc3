"""Retrieve: BM25 and dense candidate lists fused by reciprocal rank fusion (RRF).

    HybridRetriever(index, embedder).retrieve(query, k, docs) -> list[Hit]

`docs` restricts the search to some reports (the question router decides which). Scores are
numpy arrays over all chunks of the index; a chunk's fused score is
sum over retrievers of 1 / (rrf_k + rank).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .config import Settings
from .index import Index
from .records import Chunk
from .tokenizer import tokenize


@dataclass
class Hit:
    chunk: Chunk
    score: float
    bm25_rank: int | None = None  # 1-based rank in the BM25 list, None if not a candidate
    dense_rank: int | None = None


class HybridRetriever:
    """Fuses BM25 (jieba tokens) and dense (FAISS inner product) rankings."""

    def __init__(self, index: Index, embedder, settings: Settings | None = None):
        self.index = index
        self.embedder = embedder
        self.settings = settings or Settings()
        # the query embedding is most of a question's cost; staff ask the same things again
        self._query_vector = lru_cache(maxsize=2048)(self._embed_query)

    def _embed_query(self, query: str) -> np.ndarray:
        v = np.asarray(self.embedder.encode_queries([query]), dtype=np.float32).reshape(1, -1)
        v.setflags(write=False)
        return v

    def _mask(self, docs: list[str] | None) -> np.ndarray | None:
        if not docs:
            return None
        names = set(docs)
        wanted = [i for i, n in enumerate(self.index.doc_names) if n in names]
        return np.isin(self.index.chunk_docs, wanted)

    def bm25_ranking(self, query: str, docs: list[str] | None = None, depth: int | None = None) -> np.ndarray:
        """Chunk indices, best first, with a positive BM25 score. Shape (<= depth,)."""
        depth = depth or self.settings.fusion_depth
        tokens = tokenize(query)
        if not tokens or not self.index.chunks:
            return np.zeros(0, dtype=np.int64)
        scores = np.asarray(self.index.bm25.get_scores(tokens), dtype=np.float64)
        mask = self._mask(docs)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:depth]
        return order[scores[order] > 0]

    def dense_ranking(self, query: str, docs: list[str] | None = None, depth: int | None = None,
                      query_vector: np.ndarray | None = None) -> np.ndarray:
        """Chunk indices, best first, by cosine similarity. Shape (<= depth,)."""
        import faiss

        depth = depth or self.settings.fusion_depth
        n = len(self.index.chunks)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        q = query_vector if query_vector is not None else self._query_vector(query)
        q = np.asarray(q, dtype=np.float32).reshape(1, -1)
        # One query scans on one thread: FAISS's OpenMP pool spins, and beside one busy process
        # it doubled a question's time. Per calling thread (OpenMP's setting is), so each asker.
        faiss.omp_set_num_threads(1)
        mask = self._mask(docs)
        params = None
        if mask is not None:
            ids = np.flatnonzero(mask).astype(np.int64)
            if ids.size == 0:
                return np.zeros(0, dtype=np.int64)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))
        _, idx = self.index.dense.search(q, min(depth, n), params=params)
        idx = idx[0]
        return idx[idx >= 0]

    def retrieve(self, query: str, k: int | None = None, docs: list[str] | None = None,
                 query_vector: np.ndarray | None = None) -> list[Hit]:
        """Top-k chunks by RRF of the BM25 and dense rankings."""
        k = k or self.settings.top_k
        rrf_k = self.settings.rrf_k
        lexical = self.bm25_ranking(query, docs)
        dense = self.dense_ranking(query, docs, query_vector=query_vector)
        fused: dict[int, list] = {}
        for name, ranking in (("bm25", lexical), ("dense", dense)):
            for rank, i in enumerate(ranking.tolist(), start=1):
                entry = fused.setdefault(i, [0.0, None, None])
                entry[0] += 1.0 / (rrf_k + rank)
                entry[1 if name == "bm25" else 2] = rank
        best = sorted(fused.items(), key=lambda kv: -kv[1][0])[:k]
        return [Hit(self.index.chunks[i], s, b, d) for i, (s, b, d) in best]


def as_llama_retriever(retriever: HybridRetriever, k: int = 5):
    """The hybrid retriever as a llama-index BaseRetriever returning TextNodes with char offsets."""
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

    class _Hybrid(BaseRetriever):
        def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            out = []
            for h in retriever.retrieve(query_bundle.query_str, k):
                c = h.chunk
                node = TextNode(id_=c.key, text=c.text, start_char_idx=c.start, end_char_idx=c.end,
                                metadata={"doc": c.doc, "section": c.section})
                out.append(NodeWithScore(node=node, score=h.score))
            return out

    return _Hybrid()
