#!/usr/bin/env python3
"""Probe a small GGUF language model as a short-answer reader, on a training split only.

    python scripts/probe_reader.py --model gemma-3-270m-q4_k_m.gguf \
        --train ../shared/bench/rtqa_train --index-root /work/idx

For every answerable question the assistant retrieves and scores its pool as `ask` does
(the question's date as `as_of`), and the model reads the best `CHOOSE_FROM` sentences as
`ask --reader` has it read them (`answer.reader`: greedy, one short line, the completion
prompt `prompts/reader.txt`). The script
prints the reader's own exact match, its latency, and the span model's seeded
cross-validated right picks (`fit_short.cross_validated`) without and with three reader
features per candidate: equal to the reader's answer, inside it, and their word overlap;
and the same when the reader runs only for the questions the picker is least sure of (its
pick's probability below the 25th, 50th or 75th percentile of the training folds'), as a
reader that must keep `ask` fast would. It writes nothing to the project: it measured
whether the reader was worth building, and measures another model for it
(`scripts/fit_short.py --reader` fits the shipped one).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_scorer import DEFAULT_TRAIN, ROOT, fit, question_date, training_assistant  # noqa: E402
from fit_short import cross_validated  # noqa: E402


def _choice(rows: list[list[float]], params: tuple) -> tuple[int, float]:
    """The model's pick (as `ShortModel.choose` makes it) and its probability."""
    from newsdesk.answer.short import SPAN_FEATURES

    mean, scale, weights, bias = params
    p = 1 / (1 + np.exp(-(bias + ((np.asarray(rows) - mean) / scale) @ weights)))
    person = SPAN_FEATURES.index("person_fit")
    options = [i for i, row in enumerate(rows) if row[person]] or range(len(rows))
    best = max(options, key=lambda i: p[i])
    return best, float(p[best])


def gated(groups: list[dict], c: float, seed: int, shares: list[float]
          ) -> dict[float, tuple[int, int]]:
    """For each share: right picks and reader runs when the reader runs only for
    questions whose picker probability is below that quantile of the training folds'
    (seeded 5-fold split, as `cross_validated`)."""
    order = np.random.default_rng(seed).permutation(len(groups))
    out = dict.fromkeys(shares, (0, 0))
    for f in range(5):
        held = set(order[f::5].tolist())
        train = [g for i, g in enumerate(groups) if i not in held and g["rows"]]
        plain = fit(train, c, seed)
        read = fit([{**g, "rows": g["with"]} for g in train], c, seed)
        sure = [_choice(g["rows"], plain)[1] for g in train]
        for share in shares:
            cut = float(np.quantile(sure, share))
            right, runs = out[share]
            for i in held:
                g = groups[i]
                if not g["rows"]:
                    continue
                pick, p = _choice(g["rows"], plain)
                if p < cut:
                    runs += 1
                    pick = _choice(g["with"], read)[0]
                right += bool(g["labels"][pick])
            out[share] = (right, runs)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="a GGUF file")
    parser.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    parser.add_argument("--index-root", type=Path, default=ROOT / "work" / "fit-index")
    parser.add_argument("--c", type=float, default=0.3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from newsdesk.answer.short import CHOOSE_FROM, choosable, normalize, reader_features
    from newsdesk.assistant import POOL
    from newsdesk.evaluation.run import load_questions

    assistant = training_assistant(args.train, args.index_root, reader=True,
                                   reader_model=args.model, local_threads=args.threads)
    extractive = assistant.extractive()
    reader = extractive.reader
    assert reader is not None
    groups, seconds, right = [], [], 0
    for q in load_questions(args.train / "questions.jsonl"):
        if not q.answerable or not q.answers:
            continue
        passages = assistant.retriever().search_pool(q.question, POOL)
        scored = extractive.score(q.question, passages, question_date(q.fields))
        found = [c for c in extractive.short_candidates(q.question, passages, scored,
                                                        exact=True)
                 if choosable(c.row)]
        reading = reader.read(q.question, [x.sentence.text for x in scored[:CHOOSE_FROM]])
        answer = normalize(reading.answer)
        seconds.append(reading.seconds)
        gold = {normalize(a) for a in q.answers}
        right += answer in gold
        groups.append({"id": q.id, "keys": [c.key for c in found],
                       "labels": [c.key in gold for c in found],
                       "rows": [list(c.row) for c in found],
                       "with": [list(c.row) + reader_features(c.key, answer) for c in found]})
    seeds = range(args.repeats)
    without = [cross_validated(groups, 5, args.c, s) for s in seeds]
    both = [cross_validated([{**g, "rows": g["with"]} for g in groups], 5, args.c, s)
            for s in seeds]
    quantiles = [0.25, 0.5, 0.75]
    by_seed = [gated(groups, args.c, s, quantiles) for s in seeds]
    shares = {str(q): {"right_cv_by_seed": [run[q][0] for run in by_seed],
                       "right_cv_mean": float(np.mean([run[q][0] for run in by_seed])),
                       "reader_runs_mean": float(np.mean([run[q][1] for run in by_seed]))}
              for q in quantiles}
    print(json.dumps({
        "model": args.model.name, "questions": len(groups),
        "reader_exact": right, "reader_exact_match": round(right / len(groups), 4),
        "reader_p50_s": round(statistics.median(seconds), 3),
        "reader_p95_s": round(float(np.percentile(seconds, 95)), 3),
        "picker_right_cv_by_seed": without, "picker_right_cv_mean": float(np.mean(without)),
        "with_reader_right_cv_by_seed": both, "with_reader_right_cv_mean": float(np.mean(both)),
        "reader_only_below_picker_quantile": shares,
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
