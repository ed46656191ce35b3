"""`newsdesk bench` output: bench.json, a Markdown table (bench.md) and a chart (bench.png)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

GOALS = (
    "Goals: ingest ≤ 1.15× the encoder floor at 1,000 docs, linear growth to 10,000; "
    "re-ingest < 2% of ingest; retrieval p95 ≤ 50 ms at 10,000 docs; cold start ≤ 5 s; "
    "extractive ask p50 ≤ 300 ms warm; extractive generate p50 ≤ 300 ms and p95 ≤ 600 ms "
    "on real pages (--corpus ../shared/bench/rtqa_dev/corpus); chat ≤ 1.5 GB RSS."
)


def write_outputs(result: dict[str, Any], out: Path) -> None:
    """Write all three files; the chart is skipped (with a note) if matplotlib is missing."""
    result["slope"] = slope(result["sizes"])
    (out / "bench.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (out / "bench.md").write_text(markdown(result), encoding="utf-8")
    chart(result, out / "bench.png")


def slope(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    """Growth exponent of ingest time between the two largest corpora (1.0 = linear)."""
    points = sorted((s["ingest"]["chunks"], s["ingest"]["ingest_s"])
                    for s in sizes if s["ingest"].get("chunks") and s["ingest"].get("ingest_s"))
    if len(points) < 2 or points[-2][0] == points[-1][0]:
        return {}
    (n1, t1), (n2, t2) = points[-2], points[-1]
    return {"from_chunks": n1, "to_chunks": n2, "exponent": math.log(t2 / t1) / math.log(n2 / n1),
            "s_per_1k_chunks_from": 1000 * t1 / n1, "s_per_1k_chunks_to": 1000 * t2 / n2}


def _f(value: Any, digits: int = 1) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.{digits}f}"
    return "–"


def _lat(block: dict[str, Any]) -> str:
    if "error" in block:
        return "error"
    if not block.get("n"):
        return "–"
    return f"{_f(block.get('p50_ms'), 0)} / {_f(block.get('p95_ms'), 0)}"


def _reingest(ingest: dict[str, Any]) -> str:
    if "reingest_s" not in ingest:
        return "–"
    return f"{_f(ingest['reingest_s'], 2)} ({_f(100 * ingest.get('reingest_ratio', 0), 1)}%)"


def size_rows(sizes: list[dict[str, Any]]) -> list[str]:
    """The main table: one row per corpus size."""
    head = ("| corpus | docs | chunks | ingest s | chunks/s | floor s | × floor (wall) "
            "| × floor (CPU) | re-ingest s (% of ingest) | retrieval p50 / p95 ms "
            "| first query s | extractive ask p50 / p95 ms "
            "| extractive generate p50 / p95 ms | local ask p50 / p95 ms "
            "| local TTFT p50 ms | ingest peak RSS MB |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for s in sizes:
        i, asks, r = s["ingest"], s.get("ask", {}), s.get("retrieval", {})
        local, ext = asks.get("local", {}), asks.get("extractive", {})
        generate = {"n": ext.get("n"), "p50_ms": ext.get("generate_p50_ms"),
                    "p95_ms": ext.get("generate_p95_ms")} if "error" not in ext else ext
        rows.append(
            f"| {s['corpus']} | {i.get('files', '–')} | {i.get('chunks', '–')} "
            f"| {_f(i.get('ingest_s'))} | {_f(i.get('chunks_per_s'))} | {_f(i.get('floor_s'))} "
            f"| {_f(i.get('floor_ratio'), 2)} | {_f(i.get('floor_cpu_ratio'), 2)} "
            f"| {_reingest(i)} "
            f"| {_lat(r)} | {_f(r.get('first_query_s'), 2)} "
            f"| {_lat(ext)} | {_lat(generate)} | {_lat(local) if local else 'n/a'} "
            f"| {_f(local.get('ttft_p50_ms'), 0) if local and 'error' not in local else 'n/a'} "
            f"| {_f(i.get('ingest_peak_rss_mb'), 0)} |")
    return rows


def detail_lines(sizes: list[dict[str, Any]]) -> list[str]:
    """What the table leaves out: one-off costs and the warm-cache answer latency."""
    out = []
    for s in sizes:
        i, ext = s["ingest"], s.get("ask", {}).get("extractive", {})
        note = f" ({i['onnx_export_note']})" if i.get("onnx_export_note") else ""
        if i.get("reused_index"):
            out.append(f"- {s['corpus']}: on its index built beforehand (ingest not measured), "
                       f"{s.get('path', '')}; extractive on the same questions again p50 "
                       f"{_f(ext.get('repeat_p50_ms'), 0)} ms")
            continue
        out.append(
            f"- {s['corpus']}: model load {_f(i.get('model_load_s'))} s, "
            f"ONNX export {_f(i.get('onnx_export_s'))} s{note}, "
            f"floor runs {i.get('floor_runs', '–')} (spread {_f(i.get('floor_spread_s'))} s), "
            f"extractive on the same questions again p50 {_f(ext.get('repeat_p50_ms'), 0)} ms")
    return out


def cold_rows(cold: list[dict[str, Any]]) -> list[str]:
    """The cold-start table: one row per query-encoder backend."""
    rows = ["| cold start `newsdesk ask` | median s | min s | max s | runs | peak RSS MB |",
            "|---|---|---|---|---|---|"]
    for c in cold:
        if "median_s" not in c:
            rows.append(f"| {c['backend']} query encoder | error: {c.get('error')} | | | | |")
            continue
        rows.append(f"| {c['backend']} query encoder | {_f(c['median_s'], 2)} "
                    f"| {_f(c['min_s'], 2)} | {_f(c['max_s'], 2)} | {c['n']} "
                    f"| {_f(c['peak_rss_mb'], 0)} |")
    return rows


def markdown(result: dict[str, Any]) -> str:
    """The report as Markdown: machine, per-size table, slope, cold start, memory."""
    m = result["machine"]
    lines = [
        "# newsdesk bench", "",
        f"Command: `{result['command']}` · scale `{result['scale']}` · medians of "
        f"{result['repeat']} run(s) · {m['cpus']} CPUs ({m['cpus_usable']} usable) · "
        f"load average at start {m['load_avg_start'][0]:.1f}"
        + (f", at end {m['load_avg_end'][0]:.1f}" if "load_avg_end" in m else "")
        + f" · {m['platform']} · Python {m['python']}", "", GOALS, "",
        *size_rows(result["sizes"]), "", *detail_lines(result["sizes"]), "",
    ]
    if result.get("slope"):
        sl = result["slope"]
        lines += [f"Ingest growth from {sl['from_chunks']:,} to {sl['to_chunks']:,} chunks: "
                  f"exponent {sl['exponent']:.2f} (1.00 = linear; "
                  f"{sl['s_per_1k_chunks_from']:.1f} → {sl['s_per_1k_chunks_to']:.1f} s per "
                  "1,000 chunks).", ""]
    if result.get("cold_start"):
        lines += [*cold_rows(result["cold_start"]), ""]
    mem = result.get("memory") or {}
    if mem:
        chat = mem.get("chat", {})
        chat_text = (f"{_f(chat.get('peak_rss_mb'), 0)} MB peak ({chat.get('status')})"
                     if "peak_rss_mb" in chat else str(chat.get("status", "–")))
        lines += [f"Peak RSS: ingest {_f(mem.get('ingest_peak_rss_mb'), 0)} MB "
                  f"({mem.get('ingest_corpus')}), ask {_f(mem.get('ask_peak_rss_mb'), 0)} MB, "
                  f"chat {chat_text}.", ""]
    if "seconds" in result:
        lines.append(f"Whole bench: {result['seconds']:.0f} s.")
    return "\n".join(lines) + "\n"


def chart(result: dict[str, Any], path: Path) -> None:
    """Ingest and floor seconds, and retrieval p95, against corpus size (log-log)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    sizes = sorted((s for s in result["sizes"]
                    if s["ingest"].get("chunks") and s["ingest"].get("ingest_s")),
                   key=lambda s: s["ingest"]["chunks"])
    if not sizes:
        return
    chunks = [s["ingest"]["chunks"] for s in sizes]
    from matplotlib.ticker import NullFormatter

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(chunks, [s["ingest"]["ingest_s"] for s in sizes], "o-", label="ingest")
    left.plot(chunks, [s["ingest"].get("floor_s", 0) for s in sizes], "s--",
              label="encoder floor")
    left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="seconds", title="Ingest")
    left.legend()
    right.plot(chunks, [s["retrieval"].get("p95_ms", 0) for s in sizes], "o-", label="p95")
    right.plot(chunks, [s["retrieval"].get("p50_ms", 0) for s in sizes], "s--", label="p50")
    right.set(xscale="log", xlabel="chunks", ylabel="ms", title="Retrieval latency")
    right.legend()
    for axis in (left, right):
        axis.xaxis.set_minor_formatter(NullFormatter())  # log minor labels overlap
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
