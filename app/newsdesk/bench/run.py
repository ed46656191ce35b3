"""`newsdesk bench`: ingest, retrieval, answer latency, cold start and memory per corpus size.

Each corpus is measured in a fresh child process (`newsdesk.bench.worker`) on its own
index under `--out`; cold start and memory are measured on whole `newsdesk` commands.
Ratios (ingest vs the encoder floor, re-ingest vs ingest) come from the same run.
Benchmarks, not tests: nothing here fails on a slow number.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.bench import corpora as bench_corpus
from newsdesk.bench.corpora import Corpus
from newsdesk.bench.processes import chat_rss, run_measured

# `smoke` runs every measurement once or a few times on two tiny corpora: the test suite's
# check that the bench works end to end, not a source of numbers worth keeping.
SCALES = {"smoke": ["seeds", "3"], "small": ["seeds", "100"],
          "full": ["seeds", "rgb", "1000", "10000"]}
BRACKET_UP_TO = 1000  # docs: up to here the encoder floor is measured before and after ingest


@dataclass(frozen=True)
class Effort:
    """How many samples a run takes; `small` and `smoke` must stay well inside CI's time."""

    questions: int = 30  # retrieval and extractive asks per corpus
    local_asks: int = 5  # the local model is slow on CPU; a few answers give its latency
    torch_cold_starts: int = 3  # the slow baseline the default backend is chosen against
    onnx_cold_starts: int = 3  # the default backend (at least --repeat)
    max_tokens: int | None = None  # a cap on each model answer; None: the configured one


SMALL = Effort(questions=15, local_asks=3, torch_cold_starts=1)
SMOKE = Effort(questions=5, local_asks=1, torch_cold_starts=1, onnx_cold_starts=1,
               max_tokens=32)
EFFORTS = {"small": SMALL, "smoke": SMOKE}


def plan(scale: str, corpus: Path | None, root: Path) -> list[Corpus]:
    """The corpora to measure: --corpus alone (its scale sets only the effort), else the
    sizes of --scale."""
    if corpus is not None:
        return [bench_corpus.folder(corpus)]
    out: list[Corpus] = []
    for token in SCALES.get(scale, scale.split(",")):
        token = token.strip().lower()
        if token in ("seeds", "5"):
            out.append(bench_corpus.seeds())
        elif token in ("rgb", "969"):
            found = bench_corpus.rgb()
            if found is None:
                print(f"bench: no RGB corpus at {bench_corpus.rgb_path()}; skipped",
                      file=sys.stderr)
            else:
                out.append(found)
        elif token.isdigit() and int(token) > 0:
            out.append(bench_corpus.synthetic(int(token), root))
        else:
            raise ValueError(f"--scale: {token!r} is not smoke, small, full, seeds, rgb or a "
                             "size")
    return out


def local_available() -> bool:
    """Can the `local` generator run here (runtime and a model file)?"""
    from newsdesk.assistant import GENERATORS
    from newsdesk.settings import load_settings

    return not GENERATORS["local"].unavailable(load_settings())


def questions_for(corpus: Corpus, count: int) -> list[str]:
    qs = corpus.questions or [f"What does {corpus.label} report?"]
    return [qs[i % len(qs)] for i in range(count)]


def doc_count(corpus: Corpus) -> int:
    return sum(1 for p in corpus.path.rglob("*") if p.suffix in (".txt", ".md"))


def corpus_index(corpus: Corpus, work: Path, reuse: Path | None) -> Path:
    return reuse if reuse is not None else work / corpus.label / "index"


def measure_corpus(corpus: Corpus, work: Path, repeat: int, effort: Effort,
                   local: bool, reuse: Path | None = None) -> dict[str, Any]:
    """Worker results for one corpus: median of `repeat` runs, each on a fresh index, or
    each on `reuse`, an index already built for the corpus (ingest is then not measured)."""
    generators = {"extractive": effort.questions} | ({"local": effort.local_asks} if local else {})
    index = corpus_index(corpus, work, reuse)
    spec = {"corpus": str(corpus.path), "index": str(index),
            "questions": questions_for(corpus, effort.questions), "generators": generators,
            "floor_runs": 2 if doc_count(corpus) <= BRACKET_UP_TO else 1,
            "max_tokens": effort.max_tokens, "reuse_index": reuse is not None}
    spec_file, result_file = work / f"{corpus.label}.spec.json", work / f"{corpus.label}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    # A private, empty export cache: each run pays (and reports) the one-off ONNX export.
    cache = work / corpus.label / "onnx-cache"
    env = {**os.environ, "NEWSDESK_CACHE_DIR": str(cache)}
    runs = []
    for i in range(repeat):
        if reuse is None:  # never delete an index the bench did not build
            shutil.rmtree(index, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        result_file.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "newsdesk.bench.worker", str(spec_file), str(result_file)]
        proc = run_measured(cmd, env=env, timeout=6 * 3600)
        if proc.returncode != 0 or not result_file.is_file():
            raise RuntimeError(f"bench worker failed on {corpus.label} (run {i + 1}):\n"
                               f"{proc.stderr[-3000:]}")
        result = json.loads(result_file.read_text(encoding="utf-8"))
        result["worker_wall_s"] = proc.wall_s
        runs.append(result)
    return {"corpus": corpus.label, "path": str(corpus.path), "runs": len(runs),
            **median_of(runs)}


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Field-wise median of numbers across runs (nested dicts alike); other values from run 1."""
    first = runs[0]
    out: dict[str, Any] = {}
    for key, value in first.items():
        if isinstance(value, dict):
            out[key] = median_of([r.get(key, {}) for r in runs])
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in runs if key in r)
        else:
            out[key] = value
    return out


def cold_start(corpus: Corpus, index: Path, backend: str, times: int) -> dict[str, Any]:
    """`newsdesk ask QUESTION --json` on a built index: process start to printed answer."""
    question = (corpus.questions or ["What happened?"])[0]
    cmd = [*newsdesk_command(), "ask", question, "--json", "--corpus", str(corpus.path),
           "--index", str(index)]
    env = {**os.environ, "NEWSDESK_EMBED_BACKEND": backend}
    samples, rss, error = [], [], ""
    for _ in range(times):
        proc = run_measured(cmd, env=env, timeout=600)
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
            return {"backend": backend, "error": lines[-1]}
        samples.append(proc.first_output_s)
        rss.append(proc.peak_rss_mb)
    return {"backend": backend, "n": len(samples), "median_s": statistics.median(samples),
            "min_s": min(samples), "max_s": max(samples), "samples_s": samples,
            "peak_rss_mb": statistics.median(rss), "error": error}


def newsdesk_command() -> list[str]:
    script = Path(sys.executable).with_name("newsdesk")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "newsdesk.cli"]


def machine() -> dict[str, Any]:
    """What the numbers were measured on, and how busy it was."""
    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return ""

    return {
        "cpus": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
        "load_avg_start": list(os.getloadavg()), "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {p: version(p) for p in ("torch", "sentence-transformers", "onnxruntime",
                                             "chromadb", "llama-index-core")},
    }


def run(scale: str, out: Path, corpus: Path | None = None, repeat: int = 1,
        index: Path | None = None) -> dict[str, Any]:
    """Measure every corpus of the plan; write bench.json, bench.md and bench.png to `out`.
    `index`, with `corpus` only: an index already built for it, used as is (not rebuilt,
    so a large real-page corpus is measured in minutes; its ingest is not measured)."""
    if index is not None and corpus is None:
        raise ValueError("--index needs --corpus: it names the index built for that corpus")
    from newsdesk.bench.report import write_outputs

    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    work.mkdir(exist_ok=True)
    corpora = plan(scale, corpus, out / "corpora")
    local = local_available()
    result: dict[str, Any] = {
        "command": "newsdesk " + " ".join(sys.argv[1:]) if sys.argv[1:] else "newsdesk bench",
        "scale": scale, "repeat": repeat, "machine": machine(), "started": time.time(),
        "sizes": [], "cold_start": [], "memory": {},
    }
    effort = EFFORTS.get(scale, Effort())
    for item in corpora:
        print(f"bench: {item.label} ...", file=sys.stderr, flush=True)
        result["sizes"].append(
            measure_corpus(item, work, repeat, effort, local and item is corpora[0], index))
        write_outputs(result, out)  # a long run leaves its finished sizes behind
    first = corpora[0]
    index = corpus_index(first, work, index)
    for backend, times in (("onnx", max(effort.onnx_cold_starts, repeat)),
                           ("torch", effort.torch_cold_starts)):
        print(f"bench: cold start ({backend}) ...", file=sys.stderr, flush=True)
        result["cold_start"].append(cold_start(first, index, backend, times))
    result["memory"] = memory(result, first, index)
    result["machine"]["load_avg_end"] = list(os.getloadavg())
    result["seconds"] = time.time() - result["started"]
    write_outputs(result, out)
    return result


def memory(result: dict[str, Any], corpus: Corpus, index: Path) -> dict[str, Any]:
    """Peak RSS of ingest (largest corpus), ask (cold start) and the chat server."""
    largest = max(result["sizes"], key=lambda s: s["ingest"].get("chunks") or 0)
    asks = [c["peak_rss_mb"] for c in result["cold_start"] if "peak_rss_mb" in c]
    return {
        "ingest_peak_rss_mb": largest["ingest"].get("ingest_peak_rss_mb"),
        "ingest_corpus": largest["corpus"],
        "ask_peak_rss_mb": asks[0] if asks else None,
        "chat": chat_rss(newsdesk_command(), corpus.path, index,
                         (corpus.questions or ["What happened?"])[0]),
    }


def run_cli(assistant: Any, args: Any) -> int:
    """Entry point of `newsdesk bench` (the assistant is unused: each size gets its own)."""
    repeat = int(getattr(args, "repeat", None) or os.environ.get("NEWSDESK_BENCH_REPEAT") or 1)
    try:
        result = run(str(args.scale), Path(args.out), getattr(args, "corpus", None), repeat,
                     getattr(args, "index", None))
    except (ValueError, RuntimeError) as exc:
        print(f"newsdesk bench: {exc}", file=sys.stderr)
        return 2
    print(f"bench: wrote {args.out}/bench.json, bench.md, bench.png "
          f"({result['seconds']:.0f} s)", file=sys.stderr)
    return 0
