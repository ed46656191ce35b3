#!/usr/bin/env python3
"""Fit the learned answer scorer (`app/newsdesk/answer/scorer.json`) on a training split.

    python scripts/fit_scorer.py --train ../shared/bench/rtqa_train --out /tmp/scorer.json

For every question of each training set (each a folder with corpus/ and questions.jsonl)
the assistant retrieves its passage pool as `ask` does, with the question's date as
`as_of`; every sentence of the pool becomes one row of `scorer.FEATURES`, labelled 1 when
it contains a gold answer. A linear model (L2, seeded, deterministic) is fitted on the
rows (listwise: a gold sentence should win among its question's sentences; then
calibrated to a probability); then a second logistic regression, over the questions, for
the probability that the best sentence states the answer (from its evidence, score and
lead over the runner-up); then the refusal threshold on that probability: the highest
one that refuses at most 8% of the answerable questions (questions without an
answer-bearing page count as unanswerable). Nothing here reads a development split.

The shipped file is fitted on RealTimeQA train, the seeds and RGB together:

    python scripts/fit_scorer.py --train ../shared/bench/rtqa_train seeds \
        ../shared/bench/rgb_en_fact
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from newsdesk import Assistant

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRAIN = ROOT.parent / "shared" / "bench" / "rtqa_train"


def question_date(record: dict) -> dt.date | None:
    raw = str(record.get("question_date", "")).replace("/", "-")
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def training_assistant(folder: Path, index_root: Path, **settings: Any) -> Assistant:
    """The assistant over one training set, its index in `index_root/<set name>` (built
    or updated first), with any further `settings`. A bench set keeps its articles in
    corpus/; the seeds folder holds them directly."""
    from newsdesk import Assistant

    corpus = folder / "corpus" if (folder / "corpus").is_dir() else folder
    assistant = Assistant.from_settings(corpus=corpus, index=index_root / folder.name,
                                        **settings)
    assistant.ensure_index(progress=True)
    return assistant


def collect(folder: Path, index_root: Path, pool: int) -> list[dict]:
    """Feature rows of every question of one training set, grouped per question."""
    from newsdesk.evaluation.run import contains_answer, load_questions

    assistant = training_assistant(folder, index_root)
    extractive = assistant.extractive()
    out = []
    for n, q in enumerate(load_questions(folder / "questions.jsonl"), start=1):
        as_of = question_date(q.fields)
        passages = assistant.retriever().search_pool(q.question, pool)
        sentences, rows, _ = extractive.measure(q.question, passages, as_of)
        labels = [contains_answer(s.text, q.answers) if q.answers else False for s in sentences]
        out.append({"id": q.id, "set": folder.name, "answerable": q.answerable,
                    "rows": rows, "labels": labels})
        if n % 25 == 0:
            print(f"{folder.name}: {n} questions", file=sys.stderr, flush=True)
    return out


def fit(groups: list[dict], c: float, seed: int) -> tuple[np.ndarray, ...]:
    """Weights that rank each question's answer sentences first, then calibrated.

    The answer is chosen among the sentences retrieved for one question, so the weights
    maximise the likelihood that a gold sentence wins the softmax over its question's
    sentences (a listwise, conditional-logit objective with L2 strength 1/c). A pointwise
    logistic fit of the resulting score to the labels then turns it into a probability:
    P = sigmoid(a * score + b), stored as weights * a and bias b.
    """
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    x = np.array([r for g in groups for r in g["rows"]], dtype=np.float64)
    y = np.array([lab for g in groups for lab in g["labels"]], dtype=np.int64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lists = [((np.asarray(g["rows"]) - mean) / scale, np.asarray(g["labels"], dtype=bool))
             for g in groups if g["rows"] and any(g["labels"])]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = w @ w / (2 * c), w / c
        for rows, gold in lists:
            e = np.exp(rows @ w - (rows @ w).max())
            value -= np.log(e[gold].sum() / e.sum())
            grad = grad - (rows[gold].T @ e[gold]) / e[gold].sum() + (rows.T @ e) / e.sum()
        return float(value), grad

    start = np.random.default_rng(seed).normal(0.0, 1e-3, x.shape[1])
    w = minimize(loss, start, jac=True, method="L-BFGS-B").x
    score = ((x - mean) / scale) @ w
    calibration = LogisticRegression(max_iter=1000).fit(score[:, None], y)
    a, b = float(calibration.coef_[0][0]), float(calibration.intercept_[0])
    return mean, scale, w * a, b


def logits(rows: list[list[float]], mean: np.ndarray, scale: np.ndarray,
           weights: np.ndarray, bias: float) -> np.ndarray:
    if not rows:
        return np.zeros(0)
    return bias + ((np.asarray(rows) - mean) / scale) @ weights


def fit_confidence(groups: list[dict], params: tuple[np.ndarray, ...]
                   ) -> tuple[tuple[np.ndarray, ...], list[tuple[list[float], bool, bool]]]:
    """P(the best sentence states the answer) from its evidence, its score and its lead:
    a logistic regression over the questions (label: answerable and the best is gold)."""
    from sklearn.linear_model import LogisticRegression

    from newsdesk.answer.scorer import confidence_row

    cases = []  # (row, best is gold, answerable)
    for g in groups:
        if not g["rows"]:
            cases.append(([], False, g["answerable"]))
            continue
        z = logits(g["rows"], *params)
        top = int(np.argmax(z))
        cases.append((confidence_row(g["rows"], list(z)),
                      bool(g["answerable"] and g["labels"][top]), g["answerable"]))
    x = np.array([c[0] for c in cases if c[0]])
    y = np.array([c[1] for c in cases if c[0]], dtype=np.int64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(max_iter=2000).fit((x - mean) / scale, y)
    return (mean, scale, model.coef_[0], float(model.intercept_[0])), cases


def fit_threshold(cases: list[tuple[list[float], bool, bool]], params: tuple[np.ndarray, ...],
                  max_false_refusal: float) -> tuple[float, dict]:
    """The highest refusal threshold that refuses at most `max_false_refusal` of the
    answerable training questions: refuse as much unanswerable as that budget allows."""
    best = []  # (confidence, best sentence is gold, answerable)
    for row, ok, answerable in cases:
        z = logits([row], *params)[0] if row else -30.0
        best.append((float(1 / (1 + np.exp(-z))), ok, answerable))
    answerable = [b for b in best if b[2]]
    unanswerable = [b for b in best if not b[2]]
    t = 0.0
    for candidate in sorted({round(b[0], 4) for b in answerable}):
        if sum(p < candidate for p, _, _ in answerable) / len(answerable) > max_false_refusal:
            break
        t = candidate
    stats = {
        "questions": len(best),
        "top_sentence_correct": round(sum(ok for _, ok, _ in answerable) / len(answerable), 4),
        "accuracy_at_threshold": round(sum(ok and p >= t for p, ok, _ in answerable)
                                       / len(answerable), 4),
        "refusal_at_threshold": round(sum(p < t for p, _, _ in unanswerable)
                                      / max(1, len(unanswerable)), 4),
        "false_refusal_at_threshold": round(sum(p < t for p, _, _ in answerable)
                                            / len(answerable), 4),
    }
    return t, stats


def rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, nargs="+", default=[DEFAULT_TRAIN],
                        help="training sets: folders with corpus/ and questions.jsonl")
    parser.add_argument("--index-root", type=Path, default=ROOT / "work" / "fit-index",
                        help="where the training sets' indexes are built (reused)")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "app" / "newsdesk" / "answer" / "scorer.json")
    parser.add_argument("--rows", type=Path, help="cache of feature rows (JSON); reused if it "
                        "exists: delete it after changing a feature")
    parser.add_argument("--pool", type=int, default=None, help="passages per question "
                        "(default: the assistant's POOL)")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength (chosen "
                        "by 5-fold grouped cross-validation on rtqa_train: 0.1, 1, 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-false-refusal", type=float, default=0.08,
                        help="share of answerable training questions the threshold may "
                             "refuse (the product's target: at most 8%%)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from newsdesk.answer.scorer import CONFIDENCE_FEATURES, FEATURES
    from newsdesk.assistant import POOL

    pool = args.pool or POOL
    if args.rows and args.rows.is_file():
        groups = json.loads(args.rows.read_text())
    else:
        groups = [g for folder in args.train for g in collect(folder, args.index_root, pool)]
        if args.rows:
            args.rows.parent.mkdir(parents=True, exist_ok=True)
            args.rows.write_text(json.dumps(groups))
    if not any(g["labels"] for g in groups) or not any(any(g["labels"]) for g in groups):
        raise SystemExit("no sentence of any retrieved passage holds a gold answer")
    params = fit(groups, args.c, args.seed)
    conf, cases = fit_confidence(groups, params)
    threshold, stats = fit_threshold(cases, conf, args.max_false_refusal)
    mean, scale, weights, bias = params
    rows = sum(len(g["rows"]) for g in groups)
    data = {
        "features": list(FEATURES),
        "mean": rounded(mean), "scale": rounded(scale), "weights": rounded(weights),
        "bias": round(bias, 6),
        "confidence_features": list(CONFIDENCE_FEATURES),
        "confidence": {"mean": rounded(conf[0]), "scale": rounded(conf[1]),
                       "weights": rounded(conf[2]), "bias": round(conf[3], 6)},
        "threshold": round(threshold, 4),
        "meta": {
            "script": "scripts/fit_scorer.py",
            "trained_on": [f.name for f in args.train],
            "questions": {name: sum(g["set"] == name for g in groups)
                          for name in dict.fromkeys(g["set"] for g in groups)},
            "pool": pool, "c": args.c, "seed": args.seed, "sentences": rows,
            "max_false_refusal": args.max_false_refusal,
            "positives": int(sum(sum(g["labels"]) for g in groups)),
            "train": stats,
        },
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    print(json.dumps({"weights": dict(zip(FEATURES, data["weights"], strict=True)),
                      "threshold": data["threshold"], **data["meta"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
