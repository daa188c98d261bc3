"""Ingestion and segmentation on the real reports: offsets, encodings, headings, metadata."""
from __future__ import annotations

import json

import pytest

from conftest import FIRST_REPORT, shared_reports
from qa.ingest import IngestError, read_document
from qa.segment import chunk_document, parse_sections, section_path_at, split_sentences


def test_offsets_round_trip_on_every_shared_report():
    for path in shared_reports():
        doc = read_document(path)
        chunks = chunk_document(doc)
        assert chunks, path.name
        for c in chunks:
            assert doc.text[c.start:c.end] == c.text
            assert c.doc == path.stem
        # chunks are in order and do not overlap
        assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:]))


def test_chunks_cover_all_text_and_stay_short():
    doc = read_document(FIRST_REPORT)
    chunks = chunk_document(doc)
    covered = "".join(c.text for c in chunks)
    letters = lambda s: "".join(ch for ch in s if not ch.isspace())  # noqa: E731
    assert letters(covered) == letters(doc.text)
    # one idea per chunk: a chunk only exceeds the cap when a single sentence does
    for c in chunks:
        if len(c.text) > 240:
            assert len(split_sentences(c.text)) == 1 or "\n" in c.text


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_encodings_are_detected(tmp_path, codec):
    text = FIRST_REPORT.read_text(encoding="utf-8")
    p = tmp_path / f"report_{codec}.txt"
    p.write_bytes(text.encode(codec))
    doc = read_document(p)
    assert doc.text == text


def test_binary_and_empty_files_get_clear_messages(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="empty.txt.*empty"):
        read_document(empty)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(IngestError, match="blob.txt"):
        read_document(binary)
    english = tmp_path / "english.txt"
    english.write_text("Only English text here. " * 20, encoding="utf-8")
    with pytest.raises(IngestError, match="no Chinese text"):
        read_document(english)
    with pytest.raises(IngestError, match="unsupported"):
        read_document(tmp_path.joinpath("x.xls").resolve()) if (tmp_path / "x.xls").write_bytes(b"x") else None


def test_heading_levels_and_paths():
    text = ("关于某市2024年预算执行情况的报告\n"
            "一、2024年预算执行情况\n"
            "（一）一般公共预算\n"
            "1、收入情况：全市收入10亿元。\n"
            "（1）税收收入。税收收入8亿元。\n"
            "2．支出情况。支出情况良好，一是保民生，投入3亿元；二是保运转，投入2亿元。\n"
            "二、2025年预算草案\n"
            "收入预计增长5%。\n")
    secs = parse_sections(text)
    levels = [(s.level, s.heading) for s in secs]
    assert (0, "关于某市2024年预算执行情况的报告") in levels
    assert (1, "一、2024年预算执行情况") in levels
    assert (2, "（一）一般公共预算") in levels
    assert (3, "1、收入情况") in levels
    assert (4, "（1）税收收入") in levels
    assert (3, "2．支出情况") in levels
    assert (5, "一是保民生") in levels and (5, "二是保运转") in levels
    assert section_path_at(secs, text.index("投入2亿元")).endswith("2．支出情况 > 二是保运转")
    assert section_path_at(secs, text.index("税收收入8亿元")) == (
        "关于某市2024年预算执行情况的报告 > 一、2024年预算执行情况 > （一）一般公共预算 > 1、收入情况 > （1）税收收入")
    # a new top-level heading closes the ones above
    assert section_path_at(secs, text.index("收入预计")) == "关于某市2024年预算执行情况的报告 > 二、2025年预算草案"


def test_decimal_numbers_are_not_headings():
    secs = parse_sections("一、总体\n1.5亿元用于教育。\n")
    assert [s.level for s in secs] == [1]


def test_metadata_from_text_and_sidecar(tmp_path):
    files = {p.stem: p for p in shared_reports()}
    sanming = read_document(files["2018_sanming_city_budget_report"])
    assert sanming.title.startswith("关于三明市2018年预算执行情况")
    assert sanming.region == "三明市"
    assert 2018 in sanming.years
    assert sanming.kind == "budget_report"
    fushun = read_document(files["2025_fushun_city_final_accounts_report"])
    assert fushun.kind == "final_accounts" and fushun.region == "抚顺市" and fushun.years == [2025]
    county = read_document(FIRST_REPORT)
    assert county.kind == "work_report" and 2023 in county.years
    # a sidecar overrides what was guessed
    copy = tmp_path / FIRST_REPORT.name
    copy.write_bytes(FIRST_REPORT.read_bytes())
    copy.with_name(copy.stem + ".meta.json").write_text(
        json.dumps({"title": "县财政局2023年工作情况汇报", "region": "某县", "years": [2023]}, ensure_ascii=False),
        encoding="utf-8")
    doc = read_document(copy)
    assert doc.title == "县财政局2023年工作情况汇报" and doc.region == "某县" and doc.years == [2023]


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        f.truncate(21 * 1024 * 1024)
    with pytest.raises(IngestError, match="huge.txt.*over the 20 MB limit"):
        read_document(big)


def test_readme_in_a_corpus_folder_is_not_a_report(tmp_path):
    from qa.ingest import discover

    (tmp_path / "README.md").write_text("# 说明\n这个文件夹里是报告。" * 5, encoding="utf-8")
    (tmp_path / FIRST_REPORT.name).write_bytes(FIRST_REPORT.read_bytes())
    (tmp_path / "notes.meta.json").write_text("{}", encoding="utf-8")
    assert [p.name for p in discover(tmp_path)] == [FIRST_REPORT.name]
