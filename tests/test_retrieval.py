"""Hybrid retrieval: paraphrased questions reach the passage that answers them."""
from __future__ import annotations

import pytest

from conftest import shared_reports  # noqa: F401  (fixtures come from conftest)

# (paraphrased question, text the right passage contains) about the first report
PARAPHRASES = [
    ("今年前三季度花在学校上的钱有多少", "教育支出5.14亿元"),
    ("看病就医方面财政投入了多少", "卫生健康支出1.19亿元"),
    ("税收收了多少", "税收收入完成7.97亿元"),
    ("从上面争取到多少债券资金", "共争取债券资金15.71亿元"),
    ("给机关单位退休人员发养老金的基金收了多少钱", "机关养老保险基金收入13943万元"),
    ("政府部门出国、接待、公车这些开支公开了没有", "三公”经费全部及时公开到位"),
    ("怎么防止政府欠债出风险", "债务"),
]


@pytest.mark.parametrize("question, expected", PARAPHRASES)
def test_paraphrase_reaches_the_passage_in_top3(first_index, question, expected):
    # the path answers take: routed, everyday words put into report wording
    hits = first_index._snapshot.answerer.search(question, k=3)
    assert any(expected in h.chunk.text for h in hits), [h.chunk.text[:40] for h in hits]


def test_document_filter_restricts_results(shared_engine):
    retriever = shared_engine._snapshot.retriever
    name = next(n for n in shared_engine.index.documents if "zhanjiang" in n)
    hits = retriever.retrieve("一般公共预算收入", k=10, docs=[name])
    assert hits and all(h.chunk.doc == name for h in hits)


def test_both_rankers_contribute(first_index):
    hits = first_index._snapshot.retriever.retrieve("教育支出", k=5)
    assert any(h.bm25_rank for h in hits) and any(h.dense_rank for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_llama_index_adapter_returns_nodes_with_offsets(first_index):
    from qa.retrieve import as_llama_retriever

    nodes = as_llama_retriever(first_index._snapshot.retriever, k=3).retrieve("教育支出是多少")
    doc = first_index.index.documents[nodes[0].node.metadata["doc"]]
    n = nodes[0].node
    assert doc.text[n.start_char_idx:n.end_char_idx] == n.text
