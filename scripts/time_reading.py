#!/usr/bin/env python3
"""Time the extractive generate stage reading every sentence against the sentence budget.

    python scripts/time_reading.py --corpus ../shared/bench/rtqa_dev/corpus \
        --questions ../shared/bench/rtqa_dev/questions.jsonl --index /work/idx/rtqa_dev

Two assistants on the same index, one with `sentence_budget=0` (every sentence embedded,
the old reading) and one with the fitted budget, each asked every question as of its
`question_date`, one after the other and which first alternating (so load on a shared
machine falls on both alike), after one warm-up question each. Reports per reading
p50/p95 of the generate stage's wall time (`Answer.timings["generate"]`, models loaded)
and of the process CPU time of the whole `ask`, the load average, and how many answers
differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0, help="first N questions (0: all)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from newsdesk import Assistant

    readers = {name: Assistant.from_settings(corpus=args.corpus, index=args.index,
                                             sentence_budget=budget)
               for name, budget in (("every sentence", 0), ("budget", None))}
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    questions = questions[: args.limit] if args.limit else questions
    for a in readers.values():
        a.ask("What is the latest news?")  # load the models and the index
    wall: dict[str, list[float]] = {n: [] for n in readers}
    cpu: dict[str, list[float]] = {n: [] for n in readers}
    answers: dict[str, list[tuple[str, bool]]] = {n: [] for n in readers}
    load = [os.getloadavg()[0]]
    for n, q in enumerate(questions):
        day = str(q.get("question_date", "")).replace("/", "-")[:10] or None
        # Which goes first alternates: the second profits from module-level caches.
        for name in sorted(readers, reverse=bool(n % 2)):
            a = readers[name]
            c0 = time.process_time()
            answer = a.ask(q["question"], as_of=day)
            cpu[name].append(time.process_time() - c0)
            wall[name].append(answer.timings["generate"])
            answers[name].append((answer.answer, answer.refused))
    load.append(os.getloadavg()[0])
    out = {"questions": len(questions), "load_avg_start_end": load,
           "differ": sum(x != y for x, y in zip(*answers.values(), strict=True))}
    for name in readers:
        out[name] = {
            "generate_p50_ms": round(1000 * statistics.median(wall[name]), 1),
            "generate_p95_ms": round(1000 * nearest_rank(wall[name], 0.95), 1),
            "ask_cpu_p50_ms": round(1000 * statistics.median(cpu[name]), 1),
            "ask_cpu_p95_ms": round(1000 * nearest_rank(cpu[name], 0.95), 1),
        }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
