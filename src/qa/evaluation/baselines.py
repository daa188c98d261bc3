"""Systems under evaluation: ours (the engine, same path as `qa ask`) and the baselines.

Every system maps a question to an answer record of the public schema (records.Answer.to_dict()),
so one scorer judges them all:

    QaSystem(engine, k)                 the product
    Bm25Baseline(index, retriever, k)   BM25 ranking of our chunks only
    DenseBaseline(index, retriever, k)  dense (FAISS) ranking of our chunks only
    LlamaIndexBaseline(documents, embedder, k, cache_dir)
        a plain llama-index pipeline: VectorStoreIndex over the reports with its default
        SentenceSplitter chunking and our embedding model wrapped as a BaseEmbedding; no LLM.

The baselines return passages: kind 'passage', answer = the top chunk, never an abstention.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from ..records import Document

Progress = Callable[[str, float], None]


class System:
    """A named question -> answer-record function. `prepare()` does the one-off heavy work."""

    name = "system"
    description = ""

    def prepare(self, progress: Progress | None = None) -> None:
        return None

    def charged_seconds(self) -> float:
        """Time spent for the last answer outside the call (a shared query embedding)."""
        return 0.0

    def answer(self, question: str, id: Any = None) -> dict[str, Any]:
        raise NotImplementedError


class SharedQueryEmbedder:
    """The embedder, with query vectors computed once and shared between baselines.

    Dense-only and llama-index embed the same question with the same model; computing it
    once saves a third of the baselines' time. Latencies stay comparable: a system reusing a
    vector is charged the time its computation took (`take_charge`).
    """

    def __init__(self, embedder):
        self.embedder = embedder
        self._memo: dict[str, tuple[Any, float]] = {}
        self._charge = 0.0

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def encode_queries(self, texts: list[str], **kw):
        import numpy as np

        rows = []
        for t in texts:
            if t in self._memo:
                vec, cost = self._memo[t]
                self._charge += cost
            else:
                t0 = time.perf_counter()
                vec = np.asarray(self.embedder.encode_queries([t], **kw), dtype=np.float32)[0]
                self._memo[t] = (vec, time.perf_counter() - t0)
            rows.append(vec)
        return np.stack(rows)

    def encode_passages(self, texts: list[str], **kw):
        return self.embedder.encode_passages(texts, **kw)

    def take_charge(self) -> float:
        c, self._charge = self._charge, 0.0
        return c


def _passage_record(question: str, id: Any, cites: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": id, "question": question, "status": "answered", "kind": "passage",
            "answer": cites[0]["text"] if cites else "", "value": None, "unit": None, "direction": None,
            "entity": None, "citations": cites, "elapsed_ms": 0.0}


class QaSystem(System):
    """The engine, exactly as `qa ask --json` calls it (a QuestionError becomes an abstention)."""

    name = "qa"
    description = "report-qa (this project)"

    def __init__(self, engine, k: int = 5):
        self.engine, self.k = engine, k

    def answer(self, question: str, id: Any = None) -> dict[str, Any]:
        from ..question import QuestionError

        try:
            return self.engine.ask(question, k=self.k, id=id).to_dict()
        except QuestionError as e:
            return {"id": id, "question": question, "status": "abstained", "kind": "none", "answer": str(e),
                    "value": None, "unit": None, "direction": None, "entity": None, "citations": [],
                    "elapsed_ms": 0.0}


class _ChunkRanking(System):
    def __init__(self, index, retriever, k: int = 5):
        self.index, self.retriever, self.k = index, retriever, k

    def _ranking(self, question: str):
        raise NotImplementedError

    def charged_seconds(self) -> float:
        take = getattr(self.retriever.embedder, "take_charge", None)
        return take() if take else 0.0

    def answer(self, question: str, id: Any = None) -> dict[str, Any]:
        t0 = time.perf_counter()
        cites = []
        for i in self._ranking(question)[: self.k].tolist():
            c = self.index.chunks[i]
            cites.append({"doc": c.doc, "start": c.start, "end": c.end, "text": c.text, "section": c.section})
        rec = _passage_record(question, id, cites)
        rec["elapsed_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return rec


class Bm25Baseline(_ChunkRanking):
    name = "bm25"
    description = "BM25 only (our chunks, jieba tokens)"

    def _ranking(self, question: str):
        return self.retriever.bm25_ranking(question, depth=self.k)


class DenseBaseline(_ChunkRanking):
    name = "dense"
    description = "dense only (our chunks, same embedding model)"

    def _ranking(self, question: str):
        return self.retriever.dense_ranking(question, depth=self.k)


def llama_embedding(embedder):
    """Our Embedder as a llama-index BaseEmbedding (queries and passages keep their own prefixes)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class WrappedEmbedder(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner, **kw):
            super().__init__(model_name=str(getattr(inner, "name", "embedder")), embed_batch_size=64, **kw)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.encode_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.encode_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, v)) for v in self._embedder.encode_passages(list(texts))]

    return WrappedEmbedder(embedder)


class LlamaIndexBaseline(System):
    """VectorStoreIndex with default SentenceSplitter chunks; answer = top chunk.

    The vector index is built once per corpus and model and persisted under `cache_dir`
    (keyed by the reports' text hashes, the model and the llama-index version), so repeated
    evaluations embed nothing.
    """

    name = "llama-index"
    description = "plain llama-index: VectorStoreIndex, default SentenceSplitter, same embedder"

    def __init__(self, documents: Mapping[str, Document], embedder, k: int = 5, cache_dir: Path | None = None):
        self.documents, self.embedder, self.k, self.cache_dir = dict(documents), embedder, k, cache_dir
        self._retriever = None
        self.unlocated = 0  # nodes whose offsets could not be recovered

    def _key(self) -> str:
        import llama_index.core

        h = hashlib.sha256()
        h.update(f"{getattr(self.embedder, 'name', '')}|{llama_index.core.__version__}".encode())
        for name in sorted(self.documents):
            h.update(name.encode() + b"\0" + hashlib.sha256(self.documents[name].text.encode()).digest())
        return h.hexdigest()[:16]

    def prepare(self, progress: Progress | None = None) -> None:
        from llama_index.core import Document as LlamaDocument
        from llama_index.core import Settings as LlamaSettings
        from llama_index.core import StorageContext, VectorStoreIndex, load_index_from_storage
        from llama_index.core.node_parser import SentenceSplitter

        with contextlib.redirect_stdout(io.StringIO()):  # "LLM is explicitly disabled" notice
            LlamaSettings.llm = None
        embed_model = llama_embedding(self.embedder)
        persist = self.cache_dir / f"llamaindex-{self._key()}" if self.cache_dir else None
        if persist is not None and (persist / "done.json").is_file():
            if progress:
                progress("llama-index: loading cached vector index", 0.5)
            index = load_index_from_storage(StorageContext.from_defaults(persist_dir=str(persist)),
                                            embed_model=embed_model)
        else:
            if progress:
                progress("llama-index: chunking and embedding the reports", 0.1)
            docs = [LlamaDocument(text=d.text, id_=name, metadata={"doc": name},
                                  excluded_embed_metadata_keys=["doc"], excluded_llm_metadata_keys=["doc"])
                    for name, d in sorted(self.documents.items())]
            index = VectorStoreIndex.from_documents(docs, embed_model=embed_model,
                                                    transformations=[SentenceSplitter()])
            if persist is not None:
                persist.mkdir(parents=True, exist_ok=True)
                index.storage_context.persist(persist_dir=str(persist))
                (persist / "done.json").write_text(json.dumps({"nodes": len(index.docstore.docs)}))
        self.nodes = len(index.docstore.docs)
        self._retriever = index.as_retriever(similarity_top_k=self.k)

    def charged_seconds(self) -> float:
        take = getattr(self.embedder, "take_charge", None)
        return take() if take else 0.0

    def answer(self, question: str, id: Any = None) -> dict[str, Any]:
        if self._retriever is None:
            self.prepare()
        t0 = time.perf_counter()
        cites = []
        for hit in self._retriever.retrieve(question):
            node = hit.node
            doc = node.metadata.get("doc") or node.ref_doc_id
            text = node.get_content()
            start, end = node.start_char_idx, node.end_char_idx
            full = self.documents.get(doc)
            if full is not None and (start is None or full.text[start:end] != text):
                at = full.text.find(text)
                start, end = (at, at + len(text)) if at >= 0 else (-1, -1)
                if at < 0:
                    self.unlocated += 1
            cites.append({"doc": doc, "start": start, "end": end, "text": text, "section": ""})
        rec = _passage_record(question, id, cites)
        rec["elapsed_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return rec
