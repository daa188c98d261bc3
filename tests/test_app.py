"""The Gradio app end to end: a real browser (Debian's chromium via Playwright) and gradio_client.

The app runs in a subprocess on a free port over a temporary copy of the project's corpus/ and a
temporary index. Outside CI the browser test skips, saying why, when /usr/bin/chromium is
missing; with CI=true it fails instead (`.ci/browser-setup.sh` installs chromium).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "eval" / "results" / "app_screenshot.png"
FIGURES_SCREENSHOT = ROOT / "eval" / "results" / "app_figures_screenshot.png"
START_TIMEOUT = 600  # a first start may convert the embedding model and build the index
ANSWER_TIMEOUT_MS = 60_000
UPLOAD_TIMEOUT_MS = 300_000

# A small report the test writes itself: a distinctive item and figure no bundled report has,
# and markup that must show as text, never run.
NEW_REPORT_NAME = "2031_test_town_finance_work_report.txt"
NEW_ITEM, NEW_AMOUNT = "图书馆数字化改造支出", "8765.43万元"
NEW_REPORT = (
    "某镇财政所2031年工作情况汇报\n"
    "一、2031年工作回顾\n"
    "（一）收支情况\n"
    "2031年全镇一般公共预算收入6.02亿元，同比增长3.1%。\n"
    f"2031年全镇{NEW_ITEM}{NEW_AMOUNT}，同比增长12.5%，<script>window.__pwned=1</script>主要用于乡村阅览室建设。\n"
    "二、2032年工作打算\n"
    "继续加强预算管理，严格控制一般性支出，保障基本民生支出。\n"
)


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _first_report_figure(item: str) -> str:
    """'<number>亿元' stated right after `item` in the first report (read from the report itself)."""
    text = next((ROOT / "corpus").glob("*.txt")).read_text(encoding="utf-8-sig")
    m = re.search(re.escape(item) + r"(\d+(?:\.\d+)?亿元)", text)
    assert m, f"the first report states {item} in 亿元"
    return m.group(1)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """Start `python app.py` on a free port over temp corpus/index copies; yield its URL."""
    tmp = tmp_path_factory.mktemp("app")
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    port = _free_port()
    log = open(tmp / "app.log", "w+", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port),
                             "--index", str(tmp / "index"), "--corpus", str(corpus)],
                            cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"app.py exited with {proc.returncode}:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"app.py did not answer on {url} within {START_TIMEOUT}s:\n{log.read()[-3000:]}")
            time.sleep(1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# --- browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    why = None
    if not CHROMIUM.exists():
        why = f"{CHROMIUM} is missing (install it with .ci/browser-setup.sh)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        why = why or "playwright (Python) is not installed"
    if why:
        if _ci():
            pytest.fail(f"browser test cannot run in CI: {why}")
        pytest.skip(why)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def _ask(page, question: str):
    """Type a question, send it, return the new reply's locator once it is rendered."""
    replies = page.locator("#qa-chat .qa-answer")
    before = replies.count()
    page.fill("#qa-question textarea", question)
    page.click("#qa-send")
    page.wait_for_function(f"document.querySelectorAll('#qa-chat .qa-answer').length > {before}",
                           timeout=ANSWER_TIMEOUT_MS)
    return replies.nth(before)


def _wait_text(page, selector: str, text: str) -> None:
    """Wait until the element shows `text` (components re-render after an event)."""
    page.wait_for_function("([s, t]) => (document.querySelector(s)?.innerText || '').includes(t)",
                           arg=[selector, text], timeout=ANSWER_TIMEOUT_MS)


def test_browser_chat_upload_and_escaping(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    page.wait_for_selector("#qa-question textarea", timeout=ANSWER_TIMEOUT_MS)

    # 1. a question about the first report: the figure in the answer, its span highlighted
    amount = _first_report_figure("教育支出")
    reply = _ask(page, "2023年1-9月教育支出是多少")
    assert amount in reply.inner_text()
    marks = reply.locator("mark")
    assert marks.count() >= 1
    assert any(amount in marks.nth(i).inner_text() for i in range(marks.count()))
    assert reply.locator(".qa-cite-title").first.inner_text().strip()  # report title shown
    # the citation expands to the surrounding paragraph
    details = reply.locator("details.qa-context").first
    details.locator("summary").click()
    assert details.locator(".qa-paragraph").is_visible()
    assert amount in details.locator(".qa-paragraph").inner_text()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # 2. markup in a question is shown as text, never run
    evil = "<img src=x onerror=alert(1)>"
    reply = _ask(page, evil)
    assert page.locator("#qa-chat img[src='x']").count() == 0
    assert evil in page.locator("#qa-chat").inner_text()
    assert reply.locator(".qa-abstain").count() == 1  # a clear message, not an answer

    # 3. a file that is not a Chinese report is refused with a clear message; nothing indexed is lost
    page.click("button[role=tab]:has-text('报告管理')")
    first_file = next((ROOT / "corpus").glob("*.txt")).name
    _wait_text(page, "#qa-reports-table", first_file)
    bad = tmp_path / "notes.txt"
    bad.write_text("meeting notes, in English only\n" * 20, encoding="utf-8")
    page.locator("#qa-upload input[type=file]").set_input_files(str(bad))
    page.click("#qa-upload-btn")
    page.wait_for_selector("#qa-status .qa-err", timeout=UPLOAD_TIMEOUT_MS)
    assert "notes.txt" in page.locator("#qa-status").inner_text()
    _wait_text(page, "#qa-reports-table", first_file)
    assert "notes" not in page.locator("#qa-reports-table").inner_text()

    # 4. upload a report, then ask about it
    path = tmp_path / NEW_REPORT_NAME
    path.write_text(NEW_REPORT, encoding="utf-8")
    page.locator("#qa-upload input[type=file]").set_input_files(str(path))
    page.click("#qa-upload-btn")
    page.wait_for_selector("#qa-status .qa-ok", timeout=UPLOAD_TIMEOUT_MS)
    _wait_text(page, "#qa-reports-table", "某镇财政所2031年工作情况汇报")
    assert first_file in page.locator("#qa-reports-table").inner_text()

    page.click("button[role=tab]:has-text('问答')")
    reply = _ask(page, f"2031年{NEW_ITEM}是多少")
    text = reply.inner_text()
    number = NEW_AMOUNT.removesuffix("万元")
    assert number in text
    marks = reply.locator("mark")
    assert any(number in marks.nth(i).inner_text() for i in range(marks.count()))
    # the report's <script> is displayed as text in the cited sentence and never ran
    assert "<script>window.__pwned=1</script>" in text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []

    # 5. the figures tab shows the extracted table and the amount chart
    page.click("button[role=tab]:has-text('数据表')")
    page.wait_for_function("document.querySelector('#qa-figures-table table tbody tr') !== null",
                           timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(1500)  # let the charts draw
    page.screenshot(path=str(FIGURES_SCREENSHOT), full_page=True)
    # filtered by item text, the uploaded report's figure is there, and the CSV download holds it
    page.fill("#qa-item-filter textarea, #qa-item-filter input", NEW_ITEM[:4])
    page.press("#qa-item-filter textarea, #qa-item-filter input", "Enter")
    _wait_text(page, "#qa-figures-table", number)
    assert "教育支出" not in page.locator("#qa-figures-table").inner_text()
    with page.expect_download() as dl:
        page.click("#qa-download")
    data = Path(dl.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese correctly
    csv_text = data.decode("utf-8-sig")
    assert NEW_ITEM[:4] in csv_text and number in csv_text and "教育支出" not in csv_text
    page.close()


# --- API ----------------------------------------------------------------------------------

def test_api_ask_endpoint_answers_with_text(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    amount = _first_report_figure("教育支出")
    answer = client.predict("2023年1-9月教育支出是多少", api_name="/ask")
    assert isinstance(answer, str) and amount in answer
    record = client.predict("2023年1-9月教育支出是多少", api_name="/ask_record")
    assert record["status"] == "answered" and record["citations"]
    assert any(amount in c["text"] for c in record["citations"])
    bad = client.predict("<b>x</b>", api_name="/ask")
    assert "HTML" in bad  # the question error's message, not a traceback


def test_api_serves_several_users_at_once(app_url):
    """Concurrent sessions each get the answer to their own question."""
    from gradio_client import Client

    items = ["教育支出", "农林水支出", "卫生健康支出", "社会保障和就业支出"]
    expected = {item: _first_report_figure(item) for item in items}
    results: dict[str, str] = {}

    def run(item: str) -> None:
        results[item] = Client(app_url, verbose=False).predict(f"2023年1-9月{item}是多少", api_name="/ask")

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert set(results) == set(items)
    for item, answer in results.items():
        assert expected[item] in answer, (item, answer)
        others = [v for k, v in expected.items() if k != item and v != expected[item]]
        assert not any(v in answer for v in others), (item, answer)


# --- chart data ---------------------------------------------------------------------------

def test_chart_compares_amounts_of_one_dimension_in_one_unit():
    from decimal import Decimal

    sys.path.insert(0, str(ROOT))
    import app
    from qa.records import Figure

    def fig(item, value, unit, measure="amount", direction=None, change=None):
        return Figure(doc="d", item=item, value=Decimal(value), value_text=value, unit=unit, measure=measure,
                      start=0, end=1, sent_start=0, sent_end=1, direction=direction,
                      change_value=Decimal(change) if change else None, change_unit="%" if change else None)

    figs = [fig("甲支出", "12000", "万元", direction="下降", change="4.5"), fig("乙支出", "1.2", "亿元"),
            fig("丙支出", "3000", "万元", direction="增长", change="10"), fig("受助人数", "5", "万人"),
            fig("增幅", "3", "%", measure="rate")]
    amounts, growth, y_title, caption = app.chart_frames(figs)
    bars = dict(zip(amounts["项目"], amounts["金额"]))
    assert set(bars) == {"甲支出", "乙支出", "丙支出"}  # the head count is another dimension
    # 12000万元 = 1.2亿元: one display unit, chosen from the largest amount
    assert y_title == "金额（亿元）" and bars["甲支出"] == bars["乙支出"] == 1.2 and bars["丙支出"] == 0.3
    assert dict(zip(growth["项目"], growth["增长率"])) == {"甲支出": -4.5, "丙支出": 10.0}
    assert "1 项单位不同" in caption
