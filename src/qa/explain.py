"""How an answer came about, as text: `qa ask --explain` and the app's 为什么是这个答案 panel.

The trace itself is built by the answerer (answer.py) and kept out of the stable answer record.
"""
from __future__ import annotations


def render_trace(trace: dict | None) -> str:
    """An answer's trace as lines of text (qa ask --explain; the app's 为什么是这个答案 panel)."""
    if not trace:
        return "（没有可解释的过程）"
    lines = ["— 为什么是这个答案 —"]
    route = trace.get("route") or {}
    reports = route.get("reports")
    lines.append(f"路由: {'全部报告' if reports == 'all' else '、'.join(reports or [])}"
                 f"（{'；'.join(route.get('why') or [])}）")
    if route.get("refused"):
        lines.append(f"  拒答原因: {route['refused']}")
    q = trace.get("query") or {}
    lines.append("问题: " + "，".join(f"{k}={v}" for k, v in q.items() if v not in (None, [], "")))
    if trace.get("answered_by"):
        lines.append(f"取数: {trace['answered_by']}"
                     + (f"（阈值 {trace['threshold']:.2f}）" if trace.get("threshold") is not None else ""))
    if trace.get("reranked"):
        r = trace["reranked"]
        lines.append(f"  改选: 拟合模型认为 {r['by']['item']} {r['by']['value']}{r['by']['unit']}（p={r['p_scorer_row']}）"
                     f"比匹配器的 {r['replaced']['item']} {r['replaced']['value']}{r['replaced']['unit']}"
                     f"（p={r['p_matcher_row']}）更可能，差距超过拟合的 {r['margin']}")
    for i, c in enumerate(trace.get("candidates") or [], 1):
        feats = "，".join(f"{k}={v}" for k, v in sorted(c.get("features", {}).items(), key=lambda kv: -abs(kv[1]))[:8])
        tags = " ".join(str(x) for x in (c.get("year"), c.get("period"), c.get("scope"), c.get("status")) if x)
        lines.append(f"  候选{i}: p={c['probability']:.3f} {c['item']} {c['value']}{c['unit']} [{c['doc']} "
                     f"{c['start']}-{c['end']}] {tags}")
        lines.append(f"         {feats}")
    for e in trace.get("excluded") or []:
        lines.append(f"  排除（{e['constraint']}）: {e['item']} {e['value']}{e['unit']} [{e['doc']}] "
                     f"{' '.join(str(x) for x in (e.get('year'), e.get('period'), e.get('scope'), e.get('status')) if x)}")
    op = trace.get("operation") or {}
    if op:
        lines.append(f"运算: {op.get('name')} → {op.get('status')}"
                     + (f"，{op['result'].get('value')}{op['result'].get('unit') or ''}" if op.get("result", {}).get("value") is not None else ""))
        for o in op.get("operands") or []:
            lines.append(f"  依据: [{o['doc']} {o['start']}-{o['end']}] {o['text']}")
    return "\n".join(lines)
