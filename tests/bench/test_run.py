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
from newsdesk.bench.run import median_of, plan, run
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


PAGE = """{title}
https://news.example.com/2022/12/0{n}/story-{n}/
Published: 2022-12-0{n}

{body}

Sign up for our newsletter. Follow us on Twitter and Facebook.
"""
BODIES = (
    "Heidari met General Oleg Salyukov in Moscow on Monday. The two discussed military "
    "cooperation. It was his first visit since 2019.",
    "Shares of the carmaker rose 3.2% to $41.07 on Tuesday after it beat forecasts. "
    "About 1,200 jobs will go at its Detroit plant, the company said.",
    "Argentina beat France on penalties in the World Cup final in Lusail on Sunday. "
    "Lionel Messi scored twice. He was named the tournament's best player.",
)


def real_pages(folder: Path, questions: bool) -> Path:
    """A few pages in RealTimeQA's shape (title, URL, date, text with furniture)."""
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    titles = ("Iran's army chief visits Moscow", "Carmaker beats forecasts",
              "Argentina win the World Cup")
    for n, (title, body) in enumerate(zip(titles, BODIES, strict=True), start=1):
        (corpus / f"rtqa_{n:03d}.txt").write_text(PAGE.format(title=title, n=n, body=body),
                                                  encoding="utf-8")
    if questions:
        lines = [{"id": "q1", "question": "Which Russian general did Heidari meet?",
                  "answers": ["Salyukov"], "sources": ["rtqa_001.txt"], "type": "answerable"},
                 {"id": "q2", "question": "Who won the World Cup final?",
                  "answers": ["Argentina"], "sources": ["rtqa_003.txt"], "type": "answerable"}]
        (folder / "questions.jsonl").write_text(
            "\n".join(json.dumps(q) for q in lines) + "\n", encoding="utf-8")
    return corpus


def test_a_real_page_folder_brings_its_questions(tmp_path: Path) -> None:
    corpus = real_pages(tmp_path / "set", questions=True)
    [found] = plan("small", corpus, tmp_path)
    assert (found.label, found.path) == ("set", corpus.resolve())  # set/corpus is "set"
    assert found.questions == ["Which Russian general did Heidari meet?",
                               "Who won the World Cup final?"]
    # No question file: one question a page, from its title.
    [bare] = plan("small", real_pages(tmp_path / "bare", questions=False), tmp_path)
    assert bare.questions[0] == "What about iran's army chief visits moscow?"
    assert len(bare.questions) == 3


def test_index_needs_a_corpus(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--index needs --corpus"):
        run("smoke", tmp_path / "out", None, 1, tmp_path / "index")


@pytest.mark.slow  # a whole bench run (2-4 min); the two tests above check the logic quickly
def test_real_pages_on_their_built_index(tmp_path: Path) -> None:
    """`bench --corpus PAGES --index INDEX` measures on the index as built: generate p50 and
    p95 in the table, and the index is neither rebuilt nor removed."""
    corpus = real_pages(tmp_path / "set", questions=True)
    index, out = tmp_path / "idx", tmp_path / "out"
    base = [sys.executable, "-m", "newsdesk.cli"]
    where = ["--corpus", str(corpus), "--index", str(index)]
    subprocess.run([*base, "ingest", *where], check=True, capture_output=True, timeout=600)
    manifest = (index / "manifest.json").read_bytes()
    proc = subprocess.run([*base, "bench", "--scale", "smoke", "--out", str(out), *where],
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    [size] = result["sizes"]
    assert size["ingest"] == {"reused_index": True, "files": 3, "chunks": size["ingest"]["chunks"]}
    assert size["ingest"]["chunks"] >= 3
    ask = size["ask"]["extractive"]
    assert 0 < ask["generate_p50_ms"] <= ask["generate_p95_ms"] <= ask["p95_ms"]
    table = (out / "bench.md").read_text(encoding="utf-8")
    assert "extractive generate p50 / p95 ms" in table
    assert f"{ask['generate_p50_ms']:,.0f} / {ask['generate_p95_ms']:,.0f}" in table
    assert (index / "manifest.json").read_bytes() == manifest  # the same index, untouched


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


