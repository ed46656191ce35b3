#!/usr/bin/env python3
"""Ask every question twice in one process and count what changed the second time.

    python scripts/repeat_check.py --corpus seeds --questions seeds/questions.jsonl \
        --index /work/idx/seeds --reader
    python scripts/repeat_check.py --corpus ../shared/bench/rtqa_train/corpus \
        --questions ../shared/bench/rtqa_train/questions.jsonl \
        --index /work/idx/rtqa_train --reader --limit 40 --order row
    python scripts/repeat_check.py --corpus seeds --questions seeds/questions.jsonl \
        --index /work/idx/seeds --generator local --limit 30

A model run by llama.cpp in-process (the reader, the `local` generator) reuses the cache
of whatever it read before, so a question's reply could depend on the question asked just
before it (BENCHMARKS.md, "The same question reads the same"). This asks each question as
`newsdesk eval` does (as of its `question_date`), in one process, twice: `--order row`
asks it twice in a row; `--order pass` (the default) asks them all, then all again in a
seeded shuffled order, so each is asked after a different question the second time. It
counts the questions whose answer, short answer, or the model's own output (the reader's
reading; the local model's raw reply, before any sentence is checked) differ, and lists
them. To see the code before a change, put that revision's `app` first on PYTHONPATH
(`git worktree add DIR REV; PYTHONPATH=DIR/app python scripts/repeat_check.py ...`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--generator", default="extractive")
    parser.add_argument("--reader", action="store_true", help="the opt-in short-answer reader")
    parser.add_argument("--reader-always", action="store_true",
                        help="the reader reads every question (its gate off)")
    parser.add_argument("--limit", type=int, default=0, help="first N questions (0: all)")
    parser.add_argument("--order", choices=("pass", "row"), default="pass")
    parser.add_argument("--seed", type=int, default=0, help="the second pass's shuffle")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import newsdesk
    from newsdesk import Assistant
    from newsdesk.evaluation.records import EvalQuestion
    from newsdesk.evaluation.run import load_questions

    assistant = Assistant.from_settings(corpus=args.corpus, index=args.index,
                                        reader=args.reader or args.reader_always,
                                        reader_always=args.reader_always)
    outputs: list[str] = []  # what the model itself wrote during the current ask
    generator = assistant.generator(args.generator)
    model = getattr(generator, "model", None)  # an LLM generator's chat model
    reader = getattr(generator, "reader", None)  # the extractive generator's reader
    if model is not None:
        stream_chat = model.stream_chat

        def recorded_chat(messages: list[dict[str, str]], max_tokens: int) -> Any:
            pieces = list(stream_chat(messages, max_tokens))
            outputs.append("".join(pieces))
            return iter(pieces)

        model.stream_chat = recorded_chat
    if reader is not None:
        read = reader.read

        def recorded_read(question: str, sentences: Any) -> Any:
            reading = read(question, sentences)
            outputs.append(reading.answer)
            return reading

        reader.read = recorded_read

    questions = load_questions(args.questions)
    questions = questions[: args.limit] if args.limit else questions

    def ask(q: EvalQuestion) -> dict[str, Any]:
        outputs.clear()
        day = str(q.fields.get("question_date") or "") or None  # as `newsdesk eval` asks
        answer = assistant.ask(q.question, list(q.history), generator=args.generator,
                               as_of=day)
        short = answer.short_answer.text if answer.short_answer else None
        return {"answer": answer.answer, "refused": answer.refused, "short": short,
                "model": list(outputs)}

    start = time.monotonic()
    first: list[dict[str, Any]] = [{} for _ in questions]
    second: list[dict[str, Any]] = [{} for _ in questions]
    if args.order == "row":
        for i, q in enumerate(questions):
            first[i], second[i] = ask(q), ask(q)
    else:
        for i, q in enumerate(questions):
            first[i] = ask(q)
        order = list(range(len(questions)))
        random.Random(args.seed).shuffle(order)
        for i in order:
            second[i] = ask(questions[i])

    changed = [{"id": q.id, "question": q.question,
                **{k: [a[k], b[k]] for k in a if a[k] != b[k]}}
               for q, a, b in zip(questions, first, second, strict=True)
               if a != b]
    counts = {k: sum(a[k] != b[k] for a, b in zip(first, second, strict=True))
              for k in ("answer", "short", "model")}
    print(json.dumps({"code": str(Path(newsdesk.__file__).parent), "questions": len(questions),
                      "generator": args.generator, "reader": args.reader or args.reader_always,
                      "order": args.order, "differ": counts, "model_outputs": sum(
                          len(a["model"]) for a in first),
                      "seconds": round(time.monotonic() - start, 1), "changed": changed},
                     indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
