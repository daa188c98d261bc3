"""report-qa web app: ask questions about Chinese finance reports, browse figures, add reports.

    python app.py [--host 127.0.0.1] [--port 7860] [--index DIR] [--corpus DIR] [--model NAME]
                  [--watch-interval SECONDS]

Loads the index and models once at start, first bringing the index up to date with the corpus
folder (a missing index is built, new or changed reports are indexed; progress on the console),
and serves three tabs: 问答 (chat with cited, highlighted spans),
数据表 (extracted figures: filter, sort, CSV download, bar charts) and 报告管理 (indexed reports,
upload a new one). `QA_INDEX_DIR` / `QA_CORPUS_DIR` are honoured when the flags are not given.

While it runs, the app watches the corpus folder (every --watch-interval seconds, default 10,
0 turns it off): reports dropped in, changed or removed are indexed once the folder has looked
the same on two checks in a row (so a file still being copied is taken when complete), and the
engine swaps to the new index while questions go on being answered. The reports tab and the
report filters show a new report the next time they are opened.

API (gradio_client), documented on the app's "通过 API 使用" page:

    from gradio_client import Client
    c = Client("http://127.0.0.1:7860/")
    c.predict("2023年1-9月教育支出是多少", api_name="/ask")          # -> answer text (str)
    c.predict("2023年1-9月教育支出是多少", api_name="/ask_record")   # -> answer record (dict, issue 2)

Several users at once: the queue is on, chat events run up to CHAT_CONCURRENCY at a time, every
per-user value lives in that session's components, and the engine is shared read-only (an
upload builds the next index generation and swaps the engine's immutable snapshot).
"""
import argparse
import hashlib
import html
import os
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

# Offline machine: no analytics / version pings from gradio.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent
try:
    import qa  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from qa import present  # noqa: E402
from qa.config import Settings  # noqa: E402

CHAT_CONCURRENCY = 4

# Example questions shown under the chat; they are about the report bundled in corpus/.
EXAMPLES = [
    "2023年1-9月教育支出是多少？",
    "一般公共预算收入同比增长还是下降？",
    "税收收入完成了多少？",
    "哪项重点支出增长最快？",
    "新增专项债券资金有多少？",
    "下一步财政工作有哪些打算？",
]

MEASURE_LABELS = {"amount": "金额", "rate": "比率", "count": "数量", "standard": "标准",
                  "ratio": "完成率/占比", "change": "变化"}
FIGURE_COLUMNS = ["项目", "数值", "单位", "变化", "变化幅度", "期间", "口径", "状态", "类别", "上级项目",
                  "章节", "报告", "年份", "位置", "规则"]
FIGURE_TYPES = ["str", "number", "str", "str", "str", "str", "str", "str", "str", "str",
                "str", "str", "number", "number", "str"]
FIGURE_WIDTHS = ["180px", "90px", "60px", "60px", "80px", "110px", "70px", "60px", "80px", "120px",
                 "300px", "220px", "60px", "60px", "260px"]
REPORT_COLUMNS = ["标题", "文件", "地区", "级别", "上级", "年份", "类型", "置信度", "依据", "段落数", "数字数"]
CHART_MAX_BARS = 15
# Chinese convention: red for a rise, green for a fall.
DIRECTION_COLORS = {"增长": "#d92d20", "增加": "#d92d20", "下降": "#12b76a", "减少": "#12b76a",
                    "持平": "#98a2b3", "未说明": "#1f5f99"}
ALL = ""  # dropdown value meaning "no filter"



# --- answering ------------------------------------------------------------------------------

def ask_record(engine, question: str) -> dict[str, Any]:
    """Question -> answer record (dict); an unusable question becomes an abstention saying why."""
    from qa.question import QuestionError

    try:
        return engine.ask(question).to_dict()
    except QuestionError as e:
        return {"id": None, "question": _clean(question), "status": "abstained", "kind": "none",
                "answer": str(e), "value": None, "unit": None, "direction": None, "entity": None,
                "citations": [], "elapsed_ms": 0.0}


def _clean(question: Any) -> str:
    """A question as text without invisible characters (lone surrogates, zero-width marks)."""
    from qa.question import clean_question

    return clean_question(question if isinstance(question, str) else str(question or ""))


# --- figures --------------------------------------------------------------------------------

def ask_with_trace(engine, question: str, place: str = "") -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The answer record and how it came about (its trace), for the chat's 为什么是这个答案 panel."""
    from qa.question import QuestionError

    try:
        answer = engine.ask(question, explain=True, place=place or "")
    except QuestionError:
        return ask_record(engine, question), None
    return answer.to_dict(), answer.trace


def why_panel(trace: dict[str, Any] | None) -> str:
    """A collapsed 「为什么是这个答案」 panel: route, candidate rows and scores, excluded rows, operation."""
    if not trace:
        return ""
    from qa.explain import render_trace

    return ('<details class="qa-why"><summary>为什么是这个答案</summary>'
            f'<pre style="white-space:pre-wrap;font-size:12px">{html.escape(render_trace(trace))}</pre></details>')


def _to_base(value: Decimal, unit: str) -> tuple[float, str] | None:
    """(value in the base unit of its dimension, base unit): 万元/亿元 -> 元, 万人 -> 人; None without a unit."""
    from qa.figures import to_base  # the extractor's unit table (src/qa/data/units.json)

    if not unit:
        return None
    base_value, base_unit = to_base(value, unit)
    return float(base_value), base_unit


def _change_text(f) -> str:
    if f.change_value is None:
        return ""
    return f"{present.format_value(f.change_value)}{f.change_unit or ''}"


def figures_frame(figs: list) -> pd.DataFrame:
    """Figure records -> the table shown (Chinese headers, numbers as numbers)."""
    rows = [[f.item, float(f.value), f.unit, f.direction or "", _change_text(f), f.period, f.scope, f.status,
             MEASURE_LABELS.get(f.measure, f.measure), f.parent, f.section, f.doc, f.year, f.start,
             " ".join(f.rules)]  # the extraction rules that made the row
            for f in figs]
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


def select_figures(figs: list, report: str, section: str, text: str) -> list:
    """Figures of one report / one section (prefix of the section path) / item text (substring)."""
    text = (text or "").strip()
    out = []
    for f in figs:
        if report and f.doc != report:
            continue
        if section and not (f.section == section or f.section.startswith(section + " > ")):
            continue
        if text and text not in f.item and text not in (f.parent or ""):
            continue
        out.append(f)
    return out


def chart_frames(figs: list) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """Amount figures -> (amounts frame, growth-rate frame, amount axis title, caption).

    Only amounts of one unit dimension are drawn (the one most of the selected amounts have),
    converted to one display unit, so bars are comparable.
    """
    amounts = []
    for f in figs:
        if f.measure != "amount" or f.value is None:
            continue
        base = _to_base(Decimal(f.value), f.unit)
        if base is not None:
            amounts.append((f, *base))
    empty = pd.DataFrame({"项目": [], "金额": [], "变化": [], "增长率": [], "说明": []})
    if not amounts:
        return empty, empty, "金额", "所选范围内没有金额类数字。"
    dim, _ = Counter(d for _, _, d in amounts).most_common(1)[0]
    rows = [(f, v) for f, v, d in amounts if d == dim]
    dropped = len(amounts) - len(rows)
    rows.sort(key=lambda r: -r[1])
    big = max(abs(v) for _, v in rows[:CHART_MAX_BARS])
    if dim == "元":
        scale, unit = (10**8, "亿元") if big >= 10**8 else (10**4, "万元") if big >= 10**4 else (1, "元")
    else:
        scale, unit = 1, dim
    labels = Counter(f.item for f, _ in rows)
    data = []
    seen: Counter = Counter()
    for f, v in rows:
        # bars are keyed by label: the same item in two periods or reports needs two labels
        label = f.item if labels[f.item] == 1 else f"{f.item}（{f.period or f.doc}）"
        seen[label] += 1
        if seen[label] > 1:
            label = f"{label} #{seen[label]}"
        rate = None
        if f.change_value is not None and (f.change_unit or "") == "%":
            rate = float(f.change_value) * (-1 if f.direction in ("下降", "减少") else 1)
        note = f"{f.value_text}{f.unit}" + (f"，{f.direction}{_change_text(f)}" if f.direction else "")
        data.append({"项目": label, "金额": round(v / scale, 4), "变化": f.direction or "未说明",
                     "增长率": rate, "说明": note})
    frame = pd.DataFrame(data)
    amount_df = frame.head(CHART_MAX_BARS)
    growth_df = frame.dropna(subset=["增长率"])
    growth_df = growth_df.loc[growth_df["增长率"].abs().sort_values(ascending=False).index[:CHART_MAX_BARS]]
    caption = f"共 {len(rows)} 项金额，单位统一换算为{unit}"
    if len(rows) > len(amount_df):
        caption += f"，柱状图只显示最大的 {len(amount_df)} 项"
    if dropped:
        caption += f"；另有 {dropped} 项单位不同（如人数、个数），未画入图中"
    caption += f"；{len(growth_df)} 项注明了同比增幅（%），见右图"
    return amount_df, growth_df, f"金额（{unit}）", caption + "。"


# --- reports --------------------------------------------------------------------------------

def reports_frame(engine) -> pd.DataFrame:
    from qa.metadata import UNCERTAIN, kind_label

    def confidence(d: dict) -> str:
        c = float(d.get("confidence") or 0)
        # an uncertain place is flagged, with the sidecar that settles it
        return f"{c:.2f}" + (f" ⚠ 请写 {d['name']}.meta.json" if c < UNCERTAIN else "")

    rows = [[d.get("title") or d["name"], d.get("file") or d["name"], d.get("region") or "",
             d.get("level") or "", " > ".join(d.get("parents") or []),
             "、".join(str(y) for y in d.get("years") or []), kind_label(d.get("kind") or ""),
             confidence(d), d.get("reason") or "", d.get("chunks", 0), d.get("figures", 0)]
            for d in engine.documents()]
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def place_choices(engine) -> list[tuple[str, str]]:
    places = sorted({d.get("region") for d in engine.documents() if d.get("region")})
    return [("未指定（按无地区的报告回答）", "")] + [(p, p) for p in places]


def report_choices(engine) -> list[tuple[str, str]]:
    return [("全部报告", ALL)] + [(d.get("title") or d["name"], d["name"]) for d in engine.documents()]


def section_choices(engine, report: str) -> list[tuple[str, str]]:
    sections = sorted({f.section for f in engine.figures(report or None) if f.section})
    return [("全部章节", ALL)] + [(s, s) for s in sections]


# --- UI -------------------------------------------------------------------------------------

CSS = """
.gradio-container { max-width: 1240px !important; margin: 0 auto !important; }
#qa-header { padding: 14px 20px; border-radius: 10px; background: linear-gradient(90deg,#12355b,#1f5f99);
  color: #fff; margin-bottom: 4px; }
#qa-header h1 { margin: 0; font-size: 22px; font-weight: 600; color: #fff; letter-spacing: .5px; }
#qa-header p { margin: 4px 0 0; font-size: 13px; color: #d6e4f3; }
#qa-chat .user-row { padding: 12px 16px !important; }
#qa-chat .user-row .message-buttons-right { display: none; }
#qa-chat .user-row p { font-weight: 600; color: #12355b; font-size: 15px; }
.qa-answer { font-size: 14px; line-height: 1.7; color: #1f2937; }
.qa-figure { display: flex; align-items: baseline; flex-wrap: wrap; gap: 10px; margin: 2px 0 6px; }
.qa-kind { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #e8eef7; color: #1f5f99; }
.qa-entity { font-size: 16px; font-weight: 600; color: #12355b; }
.qa-value { color: #12355b; }
.qa-number { font-size: 28px; font-weight: 700; font-variant-numeric: tabular-nums; }
.qa-unit { font-size: 16px; margin-left: 3px; font-weight: 600; }
.qa-direction { font-size: 14px; font-weight: 600; padding: 1px 8px; border-radius: 4px; }
.qa-up { color: #b42318; background: #fef3f2; }
.qa-down { color: #067647; background: #ecfdf3; }
.qa-flat { color: #475467; background: #f2f4f7; }
.qa-text { margin: 4px 0 8px; }
.qa-lead { color: #475467; margin-bottom: 4px; }
.qa-abstain { border-left: 4px solid #f79009; background: #fffaeb; padding: 8px 12px; border-radius: 4px; }
.qa-abstain-title { font-weight: 600; color: #b54708; }
.qa-abstain-q { color: #667085; font-size: 13px; }
.qa-cites-title { margin-top: 10px; font-size: 13px; font-weight: 600; color: #475467; }
.qa-cites { margin: 4px 0 0; padding-left: 0; list-style: none; }
.qa-cite { border: 1px solid #e4e7ec; border-radius: 6px; padding: 8px 10px; margin: 6px 0; background: #fcfcfd; }
.qa-cite-head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
.qa-cite-no { display: inline-block; min-width: 18px; height: 18px; line-height: 18px; text-align: center;
  border-radius: 9px; background: #1f5f99; color: #fff; font-size: 11px; }
.qa-cite-title { font-weight: 600; color: #12355b; }
.qa-cite-doc { color: #98a2b3; font-size: 12px; }
.qa-cite-section { color: #667085; font-size: 12px; margin: 2px 0; }
.qa-passage { margin-top: 2px; }
.qa-answer mark { background: #fff1b8; color: inherit; padding: 0 1px; border-radius: 2px; }
.qa-answer mark.qa-whole { background: #fdf6dc; }
.qa-more > summary { cursor: pointer; color: #1f5f99; font-size: 12px; margin: 4px 0; }
.qa-context summary { cursor: pointer; color: #1f5f99; font-size: 12px; margin-top: 4px; }
.qa-paragraph { margin-top: 4px; padding: 6px 10px; background: #f9fafb; border-left: 3px solid #d0d5dd;
  font-size: 13px; color: #344054; }
.qa-meta { color: #98a2b3; font-size: 11px; margin-top: 6px; text-align: right; }
#qa-status { min-height: 24px; }
.qa-ok { color: #067647; } .qa-err { color: #b42318; }
"""


SCROLL_TO_LAST_QUESTION = """() => { setTimeout(() => {
  const rows = document.querySelectorAll('#qa-chat .message-row.user-row');
  const chat = document.querySelector('#qa-chat [role=log]');
  if (rows.length && chat) chat.scrollTop = rows[rows.length - 1].offsetTop - chat.offsetTop;
}, 50); }"""


def _theme() -> gr.themes.Base:
    # Local fonts only: the machine is offline and CJK glyphs come from the system.
    fonts = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "sans-serif"]
    theme = gr.themes.Soft(primary_hue="blue", neutral_hue="slate", radius_size="sm",
                           font=fonts, font_mono=["Noto Sans Mono CJK SC", "monospace"])
    return theme.set(button_primary_background_fill="#1f5f99", button_primary_background_fill_hover="#12355b",
                     button_primary_text_color="#ffffff", button_primary_border_color="#1f5f99")


def build_app(engine, read_only: bool = False) -> gr.Blocks:
    """The Blocks app over a loaded Engine (shared read-only by all sessions). `read_only`: the
    index folder cannot be written, so uploads are off (the reports tab says so)."""

    csv_dir = Path(tempfile.mkdtemp(prefix="qa-figures-"))

    def docs():
        return engine.index.documents

    def header_html() -> str:
        n = len(engine.documents())
        return ('<div id="qa-header"><h1>财政报告智能问答</h1>'
                f'<p>已索引 {n} 份报告 · 答案直接取自报告原文，每个数字都标注出处 · 不使用大语言模型生成答案</p></div>')

    # chat ------------------------------------------------------------------------------
    def respond(question: str, history: list | None, place: str = ""):
        # cleaned first: a lone surrogate cannot be sent back to the browser and broke the stream
        q = _clean(question).strip()
        history = list(history or [])
        if not q:
            return "", history
        try:
            record, trace = ask_with_trace(engine, q, place)
            reply = present.render_answer(record, docs()) + why_panel(trace)
        except Exception as e:  # a bug must not end the user's session; the console gets the traceback
            traceback.print_exc()
            reply = present.render_message(q, f"处理问题时出错（{type(e).__name__}），请换个问法或联系管理员。")
        history += [{"role": "user", "content": html.escape(q)}, {"role": "assistant", "content": reply}]
        return "", history

    def api_ask(question: str) -> str:
        """Answer one question about the indexed reports; returns the answer text."""
        return ask_record(engine, question)["answer"]

    def api_ask_record(question: str) -> dict:
        """Answer one question; returns the full answer record (status, kind, value, unit, citations …)."""
        return ask_record(engine, question)

    # figures ---------------------------------------------------------------------------
    def filter_figures(report: str, section: str, text: str):
        from qa.figures import FigureTable

        index = engine.index  # one snapshot for the rows and the file name
        figs = select_figures(index.figures, report or ALL, section or ALL, text)
        table = figures_frame(figs)
        # One file per (index generation, filter): repeated views reuse it instead of piling up.
        key = hashlib.sha1(repr((str(index.path), report, section, text)).encode()).hexdigest()[:16]
        path = csv_dir / key / f"{report or '全部报告'}_数据表.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{os.getpid()}.{threading.get_ident()}.part")
            FigureTable(figs).to_csv(tmp)
            tmp.replace(path)  # atomic: a concurrent download never sees half a file
        amount_df, growth_df, y_title, caption = chart_frames(figs)
        summary = f"共 {len(figs)} 条数字记录。{caption}"
        return (table, gr.DownloadButton(value=str(path)), gr.BarPlot(value=amount_df, y_title=y_title),
                gr.BarPlot(value=growth_df), summary)

    def on_report(report: str):
        return gr.Dropdown(choices=section_choices(engine, report), value=ALL)

    def refresh_filters(report: str, section: str):
        # reports may have been added (by any session) since this page was drawn
        reports = report_choices(engine)
        report = report if report in {v for _, v in reports} else ALL
        sections = section_choices(engine, report)
        section = section if section in {v for _, v in sections} else ALL
        return gr.Dropdown(choices=reports, value=report), gr.Dropdown(choices=sections, value=section)

    # reports ---------------------------------------------------------------------------
    def refresh_reports():
        return (reports_frame(engine), gr.Dropdown(choices=report_choices(engine)), header_html())

    def upload(file_path: str | None, replace: bool = False, progress=gr.Progress()):
        """Validate, copy into the corpus and re-index; the file picker is cleared for the next one.
        A report of the same name is replaced only when `replace` is ticked (the old file is kept
        in the corpus's .versions/ folder); Gradio's temporary copy is removed either way."""
        upload_cancel.clear()
        try:
            return (upload_message(engine, file_path, replace, read_only, progress, cancel=upload_cancel), None,
                    False, *refresh_reports())
        finally:
            remove_upload_copy(file_path)

    upload_cancel = threading.Event()  # the 取消 button: stops the running upload's index build

    # uploads picked but never added are left in Gradio's cache: cleared hourly, once a day old
    with gr.Blocks(title="财政报告智能问答", delete_cache=(3600, 86400)) as demo:
        header = gr.HTML(header_html())
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                chatbot = gr.Chatbot(label="问答", show_label=False, height=560, latex_delimiters=[],
                                     elem_id="qa-chat", layout="panel", autoscroll=False, buttons=["copy"],
                                     feedback_options=None,
                                     placeholder="<b>请输入关于财政报告的问题</b><br>例如某项收入或支出是多少、"
                                                 "同比增长还是下降、哪项增长最快。答案会标出原文出处。")
                with gr.Row(equal_height=True):
                    box = gr.Textbox(placeholder="输入问题，例如：2023年1-9月教育支出是多少？", show_label=False,
                                     scale=8, max_lines=3, elem_id="qa-question", submit_btn=False,
                                     autofocus=True)
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="qa-send")
                    clear = gr.Button("清空", scale=1)
                # questions that name no place are about this one (several places are indexed)
                place_dd = gr.Dropdown(label="未指明地区的问题按此地区回答", choices=place_choices(engine), value="",
                                       elem_id="qa-place", interactive=True)
                gr.Markdown("**示例问题**（点击即可提问）")
                with gr.Row():
                    example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
            with gr.Tab("数据表", id="figures") as fig_tab:
                gr.Markdown("从报告正文中提取的全部数字。按报告、章节或项目名称筛选；点击表头排序；"
                            "下载的 CSV 可直接用 Excel 打开。")
                with gr.Row():
                    report_dd = gr.Dropdown(label="报告", choices=report_choices(engine), value=ALL, scale=3)
                    section_dd = gr.Dropdown(label="章节", choices=section_choices(engine, ALL), value=ALL,
                                             scale=4)
                    item_tb = gr.Textbox(label="项目名称包含", placeholder="例如：支出", scale=2, elem_id="qa-item-filter")
                summary = gr.Markdown()
                table = gr.Dataframe(headers=FIGURE_COLUMNS, datatype=FIGURE_TYPES, interactive=False,
                                     column_widths=FIGURE_WIDTHS, wrap=True, max_height=420, show_search="search", label="数字记录",
                                     elem_id="qa-figures-table")
                download = gr.DownloadButton("下载 CSV（Excel 可打开）", variant="secondary", size="sm",
                                             elem_id="qa-download")
                with gr.Row():
                    amount_plot = gr.BarPlot(x="项目", y="金额", color="变化", title="所选范围的金额",
                                             color_map=DIRECTION_COLORS,
                                             tooltip=["项目", "金额", "说明"], sort="-y", x_label_angle=-35,
                                             height=380, scale=3, show_label=False)
                    growth_plot = gr.BarPlot(x="项目", y="增长率", color="变化", color_map=DIRECTION_COLORS, title="同比增长率（%，负数为下降）",
                                             tooltip=["项目", "增长率", "说明"], sort="-y", x_label_angle=-35,
                                             height=380, scale=2, y_title="增长率（%）", show_label=False)
            with gr.Tab("报告管理", id="reports") as rep_tab:
                reports = gr.Dataframe(value=reports_frame(engine), headers=REPORT_COLUMNS,
                                       datatype=["str", "str", "str", "str", "str", "number", "number"],
                                       interactive=False, wrap=True, label="已索引的报告",
                                       column_widths=["34%", "26%", "12%", "8%", "8%", "6%", "6%"],
                                       elem_id="qa-reports-table")
                gr.Markdown("**添加报告**：支持 .txt（UTF-8/GBK/UTF-16）、.docx、.pdf、.html。文件经校验后存入报告目录，"
                            "并增量更新索引；更新期间仍可正常问答。无法读取的文件不会影响已有索引。")
                if read_only:
                    gr.Markdown("**索引目录为只读：更新已关闭**，只能问答和浏览，不能添加报告。", elem_id="qa-read-only")
                with gr.Row():
                    up_file = gr.File(label="选择报告文件", file_types=[".txt", ".md", ".docx", ".pdf", ".html", ".htm"],
                                      type="filepath", scale=3, elem_id="qa-upload", interactive=not read_only)
                    with gr.Column(scale=1):
                        up_replace = gr.Checkbox(label="替换同名报告（原文件保留为旧版本）", value=False,
                                                 elem_id="qa-upload-replace", interactive=not read_only)
                        up_btn = gr.Button("添加并更新索引", variant="primary", elem_id="qa-upload-btn",
                                           interactive=not read_only)
                        up_stop = gr.Button("取消更新", size="sm", elem_id="qa-upload-cancel",
                                            interactive=not read_only)
                status = gr.HTML(elem_id="qa-status")

        # events ------------------------------------------------------------------------
        chat = dict(concurrency_limit=CHAT_CONCURRENCY, concurrency_id="chat", api_visibility="private")
        # An answer is read from its top (the figure), so show the new question at the top of the chat.
        show_top = dict(fn=None, js=SCROLL_TO_LAST_QUESTION, api_visibility="private")
        box.submit(respond, [box, chatbot, place_dd], [box, chatbot], **chat).then(**show_top)
        send.click(respond, [box, chatbot, place_dd], [box, chatbot], **chat).then(**show_top)
        clear.click(lambda: ("", []), None, [box, chatbot], api_visibility="private")
        for b, q in zip(example_buttons, EXAMPLES):
            b.click(lambda h, p, q=q: respond(q, h, p), [chatbot, place_dd], [box, chatbot], **chat).then(**show_top)
        gr.api(api_ask, api_name="ask", concurrency_limit=CHAT_CONCURRENCY, concurrency_id="chat")
        gr.api(api_ask_record, api_name="ask_record", concurrency_limit=CHAT_CONCURRENCY, concurrency_id="chat")

        fig_out = [table, download, amount_plot, growth_plot, summary]
        fig_in = [report_dd, section_dd, item_tb]
        private = dict(api_visibility="private")
        report_dd.input(on_report, [report_dd], [section_dd], **private).then(
            filter_figures, fig_in, fig_out, **private)
        section_dd.input(filter_figures, fig_in, fig_out, **private)
        item_tb.submit(filter_figures, fig_in, fig_out, **private)
        item_tb.blur(filter_figures, fig_in, fig_out, **private)
        fig_tab.select(refresh_filters, [report_dd, section_dd], [report_dd, section_dd], **private).then(
            filter_figures, fig_in, fig_out, **private)
        rep_tab.select(lambda: reports_frame(engine), None, [reports], **private)
        up_stop.click(lambda: upload_cancel.set(), None, None, queue=False, **private)
        up_btn.click(upload, [up_file, up_replace], [status, up_file, up_replace, reports, report_dd, header],
                     show_progress_on=[status],
                     concurrency_limit=1, concurrency_id="upload", **private)
        demo.load(filter_figures, fig_in, fig_out, **private)
    return demo


# --- uploads --------------------------------------------------------------------------------

def upload_message(engine, file_path: str | None, replace: bool = False, read_only: bool = False,
                   progress=None, cancel: threading.Event | None = None) -> str:
    """Add one uploaded report and say, truthfully, what happened (HTML for the status line):
    added only when the index now holds it; a name the index would ignore, a report of the same
    name (unless `replace`), an unreadable file or a failed build leave the index as it was."""
    from qa.engine import ReportExists
    from qa.index import BuildCancelled, BuildLocked
    from qa.ingest import IngestError

    progress = progress or (lambda *a, **k: None)
    if read_only:
        return '<span class="qa-err">索引目录为只读，更新已关闭：不能添加报告。</span>'
    if not file_path:
        return '<span class="qa-err">请先选择一个报告文件（.txt / .docx / .pdf / .html）。</span>'
    name = Path(file_path).name
    shown = html.escape(name.encode("utf-8", "backslashreplace").decode("utf-8"))
    kept = "已索引的报告不受影响。"
    progress(0.0, desc=f"校验 {name}")
    try:
        report = engine.add_report(Path(file_path), name=name, replace=bool(replace), cancel=cancel,
                                   progress=lambda m, f: progress(f, desc=progress_zh(m)))
    except ReportExists as e:
        return (f'<span class="qa-err">报告目录中已有同名报告（{html.escape("、".join(e.existing))}），'
                f'{shown} 没有添加，原报告未被替换。如确要替换，请勾选“替换同名报告”后再上传，'
                f'原文件会保留为旧版本。</span>')
    except IngestError as e:
        why = str(e).removeprefix(f"{name}: ")
        return f'<span class="qa-err">无法添加 {shown}：{html.escape(why)}。{kept}</span>'
    except BuildLocked:
        return f'<span class="qa-err">另一个索引任务正在进行，请稍后再上传。{kept}</span>'
    except BuildCancelled:
        return f'<span class="qa-err">已取消：{shown} 没有添加。{kept}</span>'
    except Exception as e:  # the build writes a new generation and swaps only on success
        return (f'<span class="qa-err">索引更新失败（{html.escape(type(e).__name__)}：{html.escape(str(e))}）。'
                f"{kept}</span>")
    stem = Path(name).stem
    if name in report.skipped or stem not in engine.index.documents:
        why = report.skipped.get(name, "索引中没有这份报告")
        return f'<span class="qa-err">{shown} 已存入报告目录，但没有编入索引：{html.escape(why)}。</span>'
    others = "".join(f"；跳过 {html.escape(f)}：{html.escape(r)}" for f, r in report.skipped.items())
    verb = "已替换" if replace and stem in report.changed else "已添加"
    return (f'<span class="qa-ok">{verb} {shown}，索引已更新（共 {report.total_chunks} 个段落，'
            f"用时 {report.seconds:.1f} 秒）{others}。现在可以在“问答”中提问。</span>")


def remove_upload_copy(file_path: str | None) -> None:
    """Delete Gradio's temporary copy of an upload (and its folder when empty); only files
    inside Gradio's upload folder are touched."""
    if not file_path:
        return
    try:
        from gradio.utils import get_upload_folder

        folder = Path(get_upload_folder()).resolve()
        path = Path(file_path).resolve()
        if not path.is_relative_to(folder) or path == folder:
            return
        path.unlink(missing_ok=True)
        if path.parent != folder:
            path.parent.rmdir()
    except OSError:
        pass


# --- watching the corpus folder ---------------------------------------------------------------

class CorpusWatcher:
    """Keeps the engine's index up to date with reports dropped into the corpus folder.

    `poll()` compares `qa.ingest.corpus_signature` (name, size, mtime of every report) with the
    signature last indexed. A new signature is acted on only when the next poll sees it again:
    a report still being written changes size/mtime between polls and waits until it settles.
    `Engine.update` builds the next index generation and swaps the engine's snapshot, so
    questions are answered throughout. A failed update is logged and the current index stays;
    it is retried when the folder changes again (or, if another process holds the build lock,
    at the next poll). Nothing a poll raises stops the thread.
    """

    def __init__(self, engine, interval: float, seen: tuple | None = None):
        """`seen`: the signature the engine's index already reflects (None: update on the first
        settled poll)."""
        self.engine = engine
        self.interval = interval
        self.seen = seen
        self._pending: tuple | None = None  # a new signature seen once, waiting for a second look
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> "qa.index.BuildReport | None":
        """One check of the folder -> the BuildReport when the index was updated, else None."""
        from qa.index import BuildLocked
        from qa.ingest import corpus_signature

        now = corpus_signature(self.engine.settings.corpus_dir)
        if now == self.seen:
            self._pending = None
            return None
        if now != self._pending:
            self._pending = now
            return None
        try:
            # lock_timeout=0: another process building this index makes us retry next poll
            # instead of parking the thread on its lock
            report = self.engine.update(progress=_console_progress(), lock_timeout=0)
        except BuildLocked as e:
            print(f"watch: {e}; trying again in {self.interval:g}s", file=sys.stderr, flush=True)
            return None
        except Exception as e:
            traceback.print_exc()
            print(f"watch: index update failed ({type(e).__name__}: {e}); the current index stays in use, "
                  "the next change in the corpus folder retries", file=sys.stderr, flush=True)
            self.seen, self._pending = now, None  # do not rebuild the same failing folder every poll
            return None
        self.seen, self._pending = now, None
        for name, why in report.skipped.items():
            print(f"watch: skipped {name}: {why}", file=sys.stderr, flush=True)
        if not report.up_to_date:
            print(f"watch: index updated: {len(report.added)} added, {len(report.changed)} changed, "
                  f"{len(report.removed)} removed ({report.embedded_chunks} passages embedded, "
                  f"{report.seconds:.1f}s)", file=sys.stderr, flush=True)
        return report

    def start(self) -> "CorpusWatcher":
        """Poll every `interval` seconds on a daemon thread (it ends with the process or stop())."""
        self._thread = threading.Thread(target=self._run, name="corpus-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # e.g. the folder vanished mid-scan: log, keep watching
                traceback.print_exc()


# --- entry point ----------------------------------------------------------------------------

_PROGRESS_ZH = [("index is up to date", "索引已是最新"), ("index ready", "索引已更新"), ("writing index", "写入索引"),
                ("reading ", "读取 "), ("embedding ", "计算向量："), (" passages", " 个段落")]


def progress_zh(message: str) -> str:
    """The index builder's progress message, in the interface's language where known."""
    for en, zh in _PROGRESS_ZH:
        message = message.replace(en, zh)
    return message


def _console_progress():
    """Build progress on stderr: one line per stage, so a first start is visibly working."""
    last = {"msg": None, "pct": -10}

    def progress(message: str, fraction: float) -> None:
        pct = int(fraction * 100)
        if message != last["msg"] or pct >= last["pct"] + 10:
            print(f"[{pct:3d}%] {message}", file=sys.stderr, flush=True)
            last.update(msg=message, pct=pct)

    return progress


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="report-qa web app (Gradio)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--index", help="index folder (default: ./index or $QA_INDEX_DIR)")
    p.add_argument("--corpus", help="folder of reports (default: ./corpus or $QA_CORPUS_DIR)")
    p.add_argument("--model", help="sentence-transformers model name or path")
    p.add_argument("--watch-interval", type=float, default=10.0, metavar="SECONDS",
                   help="seconds between checks of the corpus folder for new or changed reports (0: no watching)")
    p.add_argument("--auth", metavar="USER:PASSWORD",
                   help=f"require this login (default: ${AUTH_ENV}); required when --host is not a loopback address")
    args = p.parse_args(argv)
    if args.watch_interval < 0:
        p.error("--watch-interval must be 0 (off) or a positive number of seconds")
    args.auth = args.auth or os.environ.get(AUTH_ENV) or None
    if args.auth is not None:
        user, sep, password = args.auth.partition(":")
        if not (sep and user and password):
            p.error(f"--auth / ${AUTH_ENV} must be USER:PASSWORD, both non-empty")
        args.auth = (user, password)
    if not is_loopback(args.host) and args.auth is None:
        p.error(f"--host {args.host} lets other machines in: give --auth USER:PASSWORD (or set ${AUTH_ENV}), "
                "or listen on 127.0.0.1")
    return args


AUTH_ENV = "QA_APP_AUTH"


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def start_engine(settings: Settings):
    """(engine, read_only, indexed corpus signature): the index brought up to date with the
    corpus folder first (built when missing). Another build running: the live index is served
    and the watcher catches up. A folder that cannot be written (read-only mount, full disk):
    the live index is served as is, with updates off."""
    from qa.engine import Engine
    from qa.index import BuildLocked, IndexWriteError
    from qa.ingest import corpus_signature

    # taken before the start-up update: a report dropped in while it runs differs from this and
    # is indexed by the watcher
    signature = corpus_signature(settings.corpus_dir)
    engine = Engine(settings)
    try:
        report = engine.update(progress=_console_progress(), lock_timeout=30)
    except BuildLocked as e:  # another process is indexing: serve the live index meanwhile
        print(f"app: {e}; using the current index", file=sys.stderr)
        return Engine.open(settings, build_if_missing=False), False, None
    except (PermissionError, IndexWriteError, OSError) as e:
        if isinstance(e, OSError) and not isinstance(e, PermissionError) and e.errno not in READ_ONLY_ERRNOS:
            raise
        print(f"app: the index folder {settings.index_dir} cannot be written ({e}); serving the index as it is, "
              f"updates are off", file=sys.stderr, flush=True)
        return Engine.open(settings, build_if_missing=False), True, signature
    for name, why in report.skipped.items():
        print(f"skipped {name}: {why}", file=sys.stderr)
    if report.removed:  # never silently: the console says which reports left the index
        print(f"app: {len(report.removed)} report(s) no longer in {settings.corpus_dir} were removed from the "
              f"index: {', '.join(report.removed)}", file=sys.stderr, flush=True)
    return engine, False, signature


READ_ONLY_ERRNOS = {30, 13, 1, 28}  # EROFS, EACCES, EPERM, ENOSPC


def app_settings(args: argparse.Namespace) -> Settings:
    """Settings from the flags. Without --corpus (or $QA_CORPUS_DIR) the corpus is the folder
    the index was built from (its manifest records it), not ./corpus: updating an index of 8
    reports from a default folder of 1 dropped 7 of them."""
    from qa.index import recorded_corpus

    settings = Settings.from_args(corpus=args.corpus, index=args.index, model=args.model)
    if not args.corpus and not os.environ.get("QA_CORPUS_DIR"):
        recorded = recorded_corpus(settings.index_dir)
        if recorded is not None and recorded.is_dir():
            settings.corpus_dir = recorded
    return settings


def main(argv: list[str] | None = None) -> int:
    from qa.config import MAX_FILE_BYTES
    from qa.index import BuildLocked, IndexUnusable
    from qa.ingest import IngestError

    args = parse_args(argv)
    settings = app_settings(args)
    t0 = time.perf_counter()
    print(f"loading index {settings.index_dir} (corpus {settings.corpus_dir}) …", file=sys.stderr, flush=True)
    try:
        engine, read_only, indexed_signature = start_engine(settings)
        # Load the models now rather than on the first user's question.
        ask_record(engine, EXAMPLES[0])
    except (IngestError, IndexUnusable, BuildLocked) as e:
        print(f"app: {e}", file=sys.stderr)
        return 3
    print(f"ready in {time.perf_counter() - t0:.1f}s: {len(engine.documents())} reports"
          + (" (read-only: updates are off)" if read_only else ""), file=sys.stderr, flush=True)
    if args.watch_interval > 0 and not read_only:
        CorpusWatcher(engine, args.watch_interval, indexed_signature).start()
        print(f"watching {settings.corpus_dir} for new reports every {args.watch_interval:g}s", file=sys.stderr,
              flush=True)
    demo = build_app(engine, read_only=read_only)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY, max_size=64)
    demo.launch(server_name=args.host, server_port=args.port, theme=_theme(), css=CSS, ssr_mode=False,
                footer_links=["api"], show_error=False, quiet=False, auth=args.auth,
                auth_message="财政报告智能问答：请登录" if args.auth else None, max_file_size=MAX_FILE_BYTES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
