"""Ingest: a report file -> `Document` (decoded text + metadata).

Decoding and non-text formats live in `formats.py`, metadata (title, place, level, years, kind) in
`metadata.py`; this module validates the input and applies an optional sidecar `<name>.meta.json`
next to the report, whose keys override what was guessed.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Iterable

from .config import MAX_FILE_BYTES
from .formats import SUPPORTED_SUFFIXES, FormatError, decode_text, extract_text
from .metadata import describe
from .records import Document

SIDECAR_SUFFIX = ".meta.json"

class IngestError(ValueError):
    """A report that cannot be indexed; the message names the file and the reason."""


def discover(corpus_dir: Path, skipped: dict[str, str] | None = None,
             prefer: Iterable[str] = ()) -> list[Path]:
    """Report files directly under `corpus_dir`, sorted by name (sidecars, hidden files and a
    README skipped silently).

    Files that cannot be indexed are left out and, when `skipped` is given, recorded in it
    (printable name -> reason): a name that is not valid UTF-8 (a GBK-named file unpacked from
    a zip), a link to a file outside the folder, a second file with the same name but another
    suffix (reports are named by file name without suffix; the one named in `prefer`, else the
    first, is kept). One bad name never stops the rest from being indexed.
    """
    if not corpus_dir.is_dir():
        raise IngestError(f"corpus folder not found: {corpus_dir}")
    root = corpus_dir.resolve()
    prefer = set(prefer)
    skip = skipped if skipped is not None else {}
    by_stem: dict[str, Path] = {}
    for p in sorted(corpus_dir.iterdir()):
        # a folder's README describes the corpus; it is not a report
        if p.name.startswith(".") or p.name.endswith(SIDECAR_SUFFIX) or p.stem.lower() == "readme" \
                or p.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        try:
            p.name.encode("utf-8")
        except UnicodeEncodeError:
            skip[printable_name(p.name)] = ("the file name is not valid UTF-8 (a GBK name from a zip archive?); "
                                            f"rename it{_gbk_hint(p.name)}")
            continue
        try:
            if p.is_symlink() and not p.resolve().is_relative_to(root):
                skip[p.name] = "a link to a file outside the corpus folder; links out of the folder are not followed"
                continue
            if not p.is_file():
                continue
        except OSError as e:  # a link loop, a file removed meanwhile
            skip[p.name] = f"cannot be read ({e.strerror or e})"
            continue
        other = by_stem.get(p.stem)
        if other is not None:
            keep, drop = (p, other) if p.name in prefer and other.name not in prefer else (other, p)
            by_stem[p.stem] = keep
            skip[drop.name] = (f"has the same name as {keep.name} (reports are named without their suffix); "
                               f"{keep.name} is indexed, rename one to index both")
            continue
        by_stem[p.stem] = p
    return sorted(by_stem.values())


def printable_name(name: str) -> str:
    """A file name fit for a message: bytes that are not UTF-8 shown as \\xNN escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _gbk_hint(name: str) -> str:
    try:
        return f" (read as GBK it is “{os.fsencode(name).decode('gb18030')}”)"
    except UnicodeDecodeError:
        return ""


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_document(path: Path | str) -> Document:
    """Read, decode and describe one report. Raises IngestError with a clear message."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(f"{path.name}: unsupported file type '{suffix}' "
                          f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path.name}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise IngestError(f"{path.name}: {size / 1e6:.1f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit")
    data = path.read_bytes()
    try:
        if suffix in (".txt", ".md"):
            text, encoding = decode_text(data, path.name)
        else:
            text, encoding = extract_text(path, data), suffix.lstrip(".")
    except FormatError as e:
        raise IngestError(str(e)) from None
    if not text.strip():
        raise IngestError(f"{path.name}: no text found in the file")
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < 20:
        raise IngestError(f"{path.name}: no Chinese text found; report-qa indexes Chinese reports")
    doc = Document(name=path.stem, text=text, path=str(path), encoding=encoding,
                   sha256=hashlib.sha256(data).hexdigest())
    describe(doc)
    _apply_sidecar(doc, path)
    return doc


def _apply_sidecar(doc: Document, path: Path) -> None:
    side = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not side.is_file():
        return
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IngestError(f"{side.name}: not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise IngestError(f"{side.name}: must hold a JSON object")
    for key in ("title", "region", "kind", "level", "reason"):
        if isinstance(meta.get(key), str):
            setattr(doc, key, meta[key])
    if isinstance(meta.get("parents"), list):
        doc.parents = [str(p) for p in meta["parents"]]
    for key in ("execution_year", "budget_year"):
        if isinstance(meta.get(key), int):
            setattr(doc, key, meta[key])
    if "region" in meta:
        # the user said so: nothing is more certain
        doc.confidence, doc.reason = 1.0, f"sidecar {side.name}"
    if "years" in meta:
        ys = meta["years"] if isinstance(meta["years"], list) else [meta["years"]]
        doc.years = sorted(int(y) for y in ys)


def corpus_signature(corpus_dir: Path) -> tuple:
    """Cheap change detector for watching a folder: (name, size, mtime) of every report file."""
    try:
        files = discover(corpus_dir)
    except IngestError:
        return ()
    sig = []
    for p in files:
        try:
            st = p.stat()
        except OSError:
            continue
        sig.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(sig)
