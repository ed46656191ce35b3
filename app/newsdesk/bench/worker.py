"""One corpus's in-process measurements, run in a child process by `newsdesk bench`.

A fresh process per corpus keeps peak memory and warm caches from leaking between
sizes. Usage: python -m newsdesk.bench.worker SPEC.json RESULT.json
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsdesk.assistant import POOL, Assistant
from newsdesk.settings import load_settings


def rss_peak_mb() -> float:
    """This process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95 in milliseconds (nearest rank), with the sample count."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"n": len(ordered), "p50_ms": 1000 * statistics.median(ordered), "p95_ms": 1000 * p95}


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, result) of one call."""
    w0, c0 = time.perf_counter(), cpu_seconds()
    result = fn()
    return time.perf_counter() - w0, cpu_seconds() - c0, result


def measure_ingest(assistant: Assistant, floor_runs: int) -> dict[str, Any]:
    """Full ingest with the model loaded, bracketed by the encoder floor on its chunk texts.

    The floor is `SentenceTransformer.encode` alone on exactly the chunks ingest embeds,
    with the same batch size; with `floor_runs` 2 it runs before and after the ingest and
    the two are averaged, so a machine that gets busier or quieter mid-run biases less.
    """
    from newsdesk.ingest.pipeline import ingest
    from newsdesk.models.embed import prepare_query_encoder

    settings = assistant.settings
    load_s, _, embedder = timed(assistant.embedder)
    floor = encoder_floor(embedder, planned_chunks(assistant), settings.embed_batch_size)
    floors = [floor()] if floor and floor_runs > 1 else []
    wall, cpu, report = timed(lambda: ingest(settings, assistant.embedder))
    out: dict[str, Any] = {
        "model_load_s": load_s, "ingest_s": wall, "ingest_cpu_s": cpu,
        "files": report.files_indexed, "chunks": report.chunks_added,
        "chunks_per_s": report.chunks_added / wall if wall else 0.0,
        "ingest_peak_rss_mb": rss_peak_mb(),
    }
    export_s, _, note = timed(lambda: prepare_query_encoder(settings, assistant.embedder))
    out |= {"onnx_export_s": export_s, "onnx_export_note": note}
    floors += [floor()] if floor else []
    out |= floor_summary(floors, wall, cpu)
    re_wall, _, re_report = timed(assistant.ingest)
    out |= {"reingest_s": re_wall, "reingest_ratio": re_wall / wall if wall else 0.0,
            "reingest_embedded": re_report.chunks_added}
    return out


def reused_index(assistant: Assistant) -> dict[str, Any]:
    """An index built before the bench: what it holds; it must match the corpus."""
    from newsdesk.index.store import Manifest, manifest_path

    why = assistant.is_stale()
    if why:
        raise SystemExit(f"bench: the index {assistant.settings.index} does not match the "
                         f"corpus ({why}); build it with `newsdesk ingest` or drop --index")
    manifest = Manifest.load(manifest_path(assistant.settings))
    files = manifest.files if manifest is not None else {}
    return {"reused_index": True, "files": len(files),
            "chunks": assistant.retriever().collection.count()}


def encoder_floor(embedder: Any, texts: list[str],
                  batch: int) -> Callable[[], tuple[float, float, Any]] | None:
    """A timed `SentenceTransformer.encode` over `texts`, or None without the model."""
    model = getattr(embedder, "_model", None)  # the SentenceTransformer inside llama-index's
    if model is None or not texts:
        return None

    def run() -> tuple[float, float, Any]:
        return timed(lambda: model.encode(texts, batch_size=batch, normalize_embeddings=True))

    return run


def floor_summary(floors: list[tuple[float, float, Any]], wall: float,
                  cpu: float) -> dict[str, Any]:
    """Mean floor (wall and CPU) of its runs, and ingest's ratio to each."""
    if not floors:
        return {}
    f_wall = statistics.mean(f[0] for f in floors)
    f_cpu = statistics.mean(f[1] for f in floors)
    return {"floor_s": f_wall, "floor_cpu_s": f_cpu, "floor_runs": len(floors),
            "floor_spread_s": max(f[0] for f in floors) - min(f[0] for f in floors),
            "floor_ratio": wall / f_wall, "floor_cpu_ratio": cpu / f_cpu if f_cpu else 0.0}


def planned_chunks(assistant: Assistant) -> list[str]:
    """The chunk texts ingest will embed, cut by ingest's own reader, cleaner and splitter."""
    from newsdesk.ingest.chunking import chunk_file, make_splitter
    from newsdesk.ingest.corpus import read_corpus

    settings = assistant.settings
    files, _ = read_corpus(settings.corpus, settings.max_file_bytes)
    splitter = make_splitter(settings)
    return [c.text for f in files for c in chunk_file(f, splitter)]


def measure_retrieval(assistant: Assistant, questions: list[str]) -> dict[str, Any]:
    """Query embedding + vector and BM25 search + fusion + folding, as `ask` does it."""
    retriever = assistant.retriever()
    first, _, _ = timed(lambda: retriever.search_pool(questions[0], POOL))
    samples = []
    for question in questions:
        t0 = time.perf_counter()
        retriever.shown(retriever.search_pool(question, POOL), assistant.settings.top_k)
        samples.append(time.perf_counter() - t0)
    return {"first_query_s": first, **percentiles(samples)}


def measure_ask(assistant: Assistant, generator: str, questions: list[str]) -> dict[str, Any]:
    """End-to-end `ask` latency once warm (new questions, then the same again), and TTFT."""
    # A question no measured one repeats (its sentence vectors would be cached).
    load_s, _, _ = timed(lambda: assistant.ask("What is the latest news?", generator=generator))
    totals, firsts, generate, refused = [], [], [], 0
    for question in questions:
        t0 = time.perf_counter()
        first = None
        for item in assistant.stream(question, generator=generator):
            if first is None and isinstance(item, str) and item.strip():
                first = time.perf_counter() - t0
            if not isinstance(item, str):
                refused += int(item.refused)
                generate.append(item.timings.get("generate", 0.0))
        totals.append(time.perf_counter() - t0)
        firsts.append(first if first is not None else totals[-1])
    # The same questions again: what a conversation that stays on a story costs.
    repeats = questions[:5] if generator == "extractive" else []
    again = []
    for question in repeats:
        t0 = time.perf_counter()
        assistant.ask(question, generator=generator)
        again.append(time.perf_counter() - t0)
    ttft, gen = percentiles(firsts), percentiles(generate)
    return {"first_ask_s": load_s, **percentiles(totals), "refused": refused,
            "generate_p50_ms": gen.get("p50_ms", 0.0), "generate_p95_ms": gen.get("p95_ms", 0.0),
            "repeat_p50_ms": percentiles(again).get("p50_ms", 0.0),
            "ttft_p50_ms": ttft.get("p50_ms", 0.0), "ttft_p95_ms": ttft.get("p95_ms", 0.0)}


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Every in-process measurement the spec asks for, for one corpus."""
    caps = {"max_tokens": spec["max_tokens"]} if spec.get("max_tokens") else {}
    settings = load_settings(corpus=Path(spec["corpus"]), index=Path(spec["index"]), **caps)
    assistant = Assistant(settings)
    if spec.get("reuse_index"):
        result: dict[str, Any] = {"ingest": reused_index(assistant)}
    else:
        result = {"ingest": measure_ingest(assistant, spec.get("floor_runs", 1))}
    questions = spec["questions"]
    result["retrieval"] = measure_retrieval(assistant, questions)
    result["ask"] = {}
    for name, count in spec["generators"].items():
        try:
            result["ask"][name] = measure_ask(assistant, name, questions[:count])
        except Exception as exc:  # a generator that cannot run is reported, not fatal
            result["ask"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    result["worker_peak_rss_mb"] = rss_peak_mb()
    return result


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run(spec)
    Path(argv[1]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    from newsdesk.models.embed import offline

    offline()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main(sys.argv[1:]))
