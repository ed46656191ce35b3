#!/usr/bin/env python3
"""Fit the sentence budget of fast reading (`app/newsdesk/answer/budget.json`) on train.

    python scripts/fit_budget.py --train ../shared/bench/rtqa_train --index-root /work/idx

For every question of the training set the assistant retrieves its passage pool as `ask`
does (the question's date as `as_of`) and answers it twice or more from the same pool:
reading every sentence (budget 0), and with each candidate budget (only that many
sentences embedded, see `answer.budget`). An answer here is what the scores decide: the
refusal and the sentences the answer is made of (the best, and the agreeing and further
sentences `ExtractiveGenerator` picks with them). The budget is the smallest candidate
whose answer is the same as reading every sentence on at least `--agree` of the
questions. Also reported, not chosen on: how often the passages shown with the answer
come in the same order too (`Assistant.rank` orders the pool by each passage's best
sentence, and passages whose sentences were not measured may move). Deterministic: no
sampling, so no seed to choose; nothing here reads a development split. The vectors are
cached by text, so each sentence is embedded once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_scorer import DEFAULT_TRAIN, ROOT, question_date  # noqa: E402

CANDIDATES = (8, 12, 16, 20, 24, 28, 32, 40, 48)


def compare(folder: Path, index_root: Path, budgets: list[int]) -> list[dict]:
    """Per question: the full reading's answer and, per budget, whether it is the same."""
    from newsdesk import Assistant
    from newsdesk.answer.extractive import ExtractiveGenerator, _choose, mentions_any_name
    from newsdesk.assistant import POOL
    from newsdesk.evaluation.run import load_questions

    corpus = folder / "corpus" if (folder / "corpus").is_dir() else folder
    assistant = Assistant.from_settings(corpus=corpus, index=index_root / folder.name)
    if assistant.is_stale():
        raise SystemExit(f"{index_root / folder.name}: index is stale ({assistant.is_stale()});"
                         " build it with `newsdesk ingest` first")
    base = assistant.extractive()

    def reader(budget: int) -> ExtractiveGenerator:
        # One vector cache for all readers: each sentence is embedded once.
        return ExtractiveGenerator(base.embed, base.embed_query, base.files,
                                   threshold=assistant.settings.refusal_threshold,
                                   max_sentences=assistant.settings.max_answer_sentences,
                                   scorer=base.scorer, budget=budget, read=base.read)

    top_k = assistant.settings.top_k

    def decide(gen: ExtractiveGenerator, question: str, passages: list, as_of: dt.date | None
               ) -> tuple[bool, list[list[str]], list[str]]:
        """(refused, the sentences of the answer, the passages shown), as
        `ExtractiveGenerator.answer` and `Assistant.rank` decide them."""
        scored = gen.score(question, passages, as_of)
        best: dict[str, float] = {}
        for s in scored:
            best.setdefault(s.sentence.passage.chunk_id, s.score)
        shown = [p.chunk_id for _, p in sorted(enumerate(passages), key=lambda ip: (
            -best.get(ip[1].chunk_id, -1.0), ip[0]))][:top_k]
        if not scored or not gen.answers(scored[0]) or not mentions_any_name(question, passages):
            return True, [], shown
        groups = _choose(scored, gen.max_sentences)
        return False, [[s.sentence.text for s in g] for g in groups], shown

    full, readers = reader(0), {b: reader(b) for b in budgets}
    out = []
    for n, q in enumerate(load_questions(folder / "questions.jsonl"), start=1):
        as_of = question_date(q.fields)
        passages = assistant.retriever().search_pool(q.question, POOL)
        want = decide(full, q.question, passages, as_of)
        sentences = len({s.sentence.text for s in full.score(q.question, passages, as_of)})
        row = {"id": q.id, "answerable": q.answerable, "sentences": sentences,
               "correct": {0: correct(want, q.answers)}, "same": {}, "same_shown": {}}
        for b, gen in readers.items():
            got = decide(gen, q.question, passages, as_of)
            row["same"][b] = got[:2] == want[:2]
            row["same_shown"][b] = got == want
            row["correct"][b] = correct(got, q.answers)
        out.append(row)
        if n % 25 == 0:
            print(f"{folder.name}: {n} questions", file=sys.stderr, flush=True)
    return out


def correct(decided: tuple[bool, list[list[str]], list[str]], answers: tuple[str, ...]
            ) -> bool:
    """The answer's sentences hold a gold answer (and it is not a refusal)."""
    from newsdesk.evaluation.run import contains_answer

    text = " ".join(t for group in decided[1] for t in group)
    return bool(answers) and not decided[0] and contains_answer(text, answers)


def summary(rows: list[dict], budgets: list[int]) -> dict[str, dict]:
    answerable = [r for r in rows if r["answerable"]] or rows
    out = {}
    for b in [0, *budgets]:
        out[str(b)] = {
            "same_answer": round(sum(r["same"].get(b, True) for r in rows) / len(rows), 4),
            "same_answer_and_shown": round(sum(r["same_shown"].get(b, True) for r in rows)
                                           / len(rows), 4),
            "accuracy": round(sum(r["correct"][b] for r in answerable) / len(answerable), 4),
            "embedded_share": round(sum(min(b, r["sentences"]) if b else r["sentences"]
                                        for r in rows)
                                    / max(1, sum(r["sentences"] for r in rows)), 4),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, default=DEFAULT_TRAIN,
                        help="training set: a folder with corpus/ and questions.jsonl")
    parser.add_argument("--index-root", type=Path, default=ROOT / "work" / "fit-index",
                        help="where the training set's index is (built beforehand)")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "app" / "newsdesk" / "answer" / "budget.json")
    parser.add_argument("--budgets", type=int, nargs="+", default=list(CANDIDATES))
    # ±0.01 accuracy is less than one rtqa_dev question (1/82 answerable): the budget may
    # change fewer than one answer in 200, so a dev run of 111 expects none to change.
    parser.add_argument("--agree", type=float, default=0.995,
                        help="share of training questions whose answer must be the same as "
                             "reading every sentence")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    budgets = sorted(set(args.budgets))
    t0 = time.perf_counter()
    rows = compare(args.train, args.index_root, budgets)
    table = summary(rows, budgets)
    chosen = next((b for b in budgets if table[str(b)]["same_answer"] >= args.agree), 0)
    data = {
        "sentences": chosen,
        "meta": {
            "script": "scripts/fit_budget.py", "trained_on": args.train.name,
            "questions": len(rows), "agree": args.agree,
            "mean_sentences": round(sum(r["sentences"] for r in rows) / len(rows), 1),
            "candidates": table, "seconds": round(time.perf_counter() - t0),
        },
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
