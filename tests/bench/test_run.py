"""`newsdesk bench` runs end to end and writes sane outputs (no timing asserts).

Run without the slow tests, they check `--scale smoke` (every measurement, on the seeds and
3 synthetic articles); the full run (`-m "not quick"`, what CI runs) checks `--scale small`,
the documented CI scale, instead.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsdesk.bench import corpora as bench_corpus
from newsdesk.bench.report import markdown, slope
from newsdesk.bench.run import median_of, plan
from tests.fakes import ARTIFACTS

OUT = Path(os.environ.get("NEWSDESK_BENCH_OUT", ARTIFACTS / "bench"))
SYNTHETIC = {"smoke": 3, "small": 100}  # synthetic articles in each scale's second corpus


def number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def positive(value: Any) -> bool:
    return number(value) and value > 0


def test_synthetic_articles_are_deterministic_and_distinct() -> None:
    pool = bench_corpus.sentence_pool()
    docs = [bench_corpus.article(i, pool) for i in range(50)]
    assert docs == [bench_corpus.article(i, pool) for i in range(50)]
    assert len(set(docs)) == 50
    assert all(1500 < len(d) < 6000 for d in docs)


def test_synthetic_corpus_is_written_once(tmp_path: Path) -> None:
    corpus = bench_corpus.synthetic(12, tmp_path)
    files = sorted(corpus.path.glob("*.txt"))
    assert len(files) == 12
    assert corpus.path.is_relative_to(tmp_path)
    stamp = files[0].stat().st_mtime_ns
    again = bench_corpus.synthetic(12, tmp_path)
    assert again.path == corpus.path
    assert files[0].stat().st_mtime_ns == stamp
    assert len(corpus.questions) > 10
    assert all(q.endswith("?") for q in corpus.questions)


def test_scale_names(tmp_path: Path) -> None:
    assert [c.label for c in plan("small", None, tmp_path)] == ["seeds", "synthetic-100"]
    assert [c.label for c in plan("smoke", None, tmp_path)] == ["seeds", "synthetic-3"]
    assert [c.label for c in plan("5,20", None, tmp_path)] == ["seeds", "synthetic-20"]
    assert [c.label for c in plan("x", tmp_path, tmp_path)] == [tmp_path.name]
    with pytest.raises(ValueError, match="--scale"):
        plan("tiny", None, tmp_path)


def test_medians_and_slope() -> None:
    runs = [{"a": 1.0, "b": {"c": 3}, "s": "x"}, {"a": 3.0, "b": {"c": 5}, "s": "y"},
            {"a": 2.0, "b": {"c": 4}, "s": "z"}]
    assert median_of(runs) == {"a": 2.0, "b": {"c": 4}, "s": "x"}
    sizes = [{"ingest": {"chunks": 1000, "ingest_s": 100.0}},
             {"ingest": {"chunks": 10000, "ingest_s": 1000.0}}]
    assert slope(sizes)["exponent"] == pytest.approx(1.0)


@pytest.fixture(scope="module", params=[pytest.param("smoke", marks=pytest.mark.quick),
                                        pytest.param("small", marks=pytest.mark.slow)])
def bench_result(request: pytest.FixtureRequest) -> dict[str, Any]:
    """One real `newsdesk bench --scale SCALE` run (one to a few minutes)."""
    cmd = [sys.executable, "-m", "newsdesk.cli", "bench", "--scale", request.param, "--out",
           str(OUT)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((OUT / "bench.json").read_text(encoding="utf-8"))


def test_bench_writes_its_three_files(bench_result: dict[str, Any]) -> None:
    assert (OUT / "bench.md").read_text(encoding="utf-8").startswith("# newsdesk bench")
    assert (OUT / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert markdown(bench_result).count("| seeds |") == 1
    assert bench_result["machine"]["cpus"] >= 1


def test_ingest_numbers_are_sane(bench_result: dict[str, Any]) -> None:
    synthetic = SYNTHETIC[bench_result["scale"]]
    labels = [s["corpus"] for s in bench_result["sizes"]]
    assert labels == ["seeds", f"synthetic-{synthetic}"]
    for size in bench_result["sizes"]:
        ingest = size["ingest"]
        assert ingest["chunks"] > 0
        assert ingest["files"] > 0
        for key in ("ingest_s", "floor_s", "floor_ratio", "floor_cpu_ratio", "chunks_per_s",
                    "reingest_s", "ingest_peak_rss_mb"):
            assert positive(ingest[key]), key
        assert ingest["reingest_embedded"] == 0  # an unchanged corpus embeds nothing
    assert bench_result["sizes"][1]["ingest"]["files"] == synthetic


def test_latency_numbers_are_sane(bench_result: dict[str, Any]) -> None:
    for size in bench_result["sizes"]:
        retrieval, extractive = size["retrieval"], size["ask"]["extractive"]
        for block in (retrieval, extractive):
            assert block["n"] > 0
            assert number(block["p50_ms"])
            assert 0 < block["p50_ms"] <= block["p95_ms"]
        local = size["ask"].get("local")
        if local and "error" not in local:
            assert number(local["ttft_p50_ms"])
            assert local["ttft_p50_ms"] <= local["p95_ms"]


def test_cold_start_and_memory_are_measured(bench_result: dict[str, Any]) -> None:
    backends = {c["backend"]: c for c in bench_result["cold_start"]}
    assert set(backends) == {"onnx", "torch"}
    for cold in backends.values():
        assert not cold["error"], cold
        assert number(cold["median_s"])
        assert cold["median_s"] > 0
        assert number(cold["peak_rss_mb"])
        assert cold["peak_rss_mb"] > 0
    memory = bench_result["memory"]
    assert number(memory["ingest_peak_rss_mb"])
    assert number(memory["ask_peak_rss_mb"])
    assert "status" in memory["chat"]


