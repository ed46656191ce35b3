#!/usr/bin/env python3
"""Fit the short-answer span model (`app/newsdesk/answer/short.json`) on a training split.

    python scripts/fit_short.py --train ../shared/bench/rtqa_train --index-root /work/idx

For every answerable question of the training set the assistant retrieves its passage
pool and scores its sentences as `ask` does (with the question's date as `as_of`); every
candidate span of the best sentences (`answer.short.candidates`) becomes one row of
`SPAN_FEATURES`, labelled 1 when its normalized words equal a gold answer's (SQuAD exact
match); the model picks among the values of the best `CHOOSE_FROM` sentences and is
fitted on those. The same seeded listwise fit as the sentence scorer's (`fit_scorer.fit`: a gold
candidate should win the softmax over its question's candidates, then calibrated) gives
the weights. Nothing here reads a development split.

With `--reader [MODEL.gguf]` the opt-in reader (`answer.reader`; default: the packaged
Gemma 3 270M) reads each question's best `CHOOSE_FROM` sentences too, every row gains
`READER_FEATURES`, and the fit is written to `short_reader.json` (with the model file's
name and SHA-256, and the SHA-256 of the prompt it read with: `prompts/reader.txt`, or
the file in the `prompts` setting's folder). It also fits the reader's gate
(`read_below`, `fit_gate`): the plain model's pick probability from which the reader is
not asked. That weighs `short.json`'s probabilities, so fit `short.json` first, from the
same rows:

    python scripts/fit_short.py --rows ROWS.json --reader --c 0.3 --repeats 5   # collects
    python scripts/fit_short.py --rows ROWS.json --c 0.3 --repeats 5            # short.json
    python scripts/fit_short.py --rows ROWS.json --reader --c 0.3 --repeats 5   # + the gate
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_scorer import (  # noqa: E402
    DEFAULT_TRAIN,
    ROOT,
    fit,
    question_date,
    rounded,
    training_assistant,
)


def collect(folder: Path, index_root: Path, pool: int, reader_model: Path | None = None
            ) -> list[dict]:
    """Candidate rows of every answerable question of one training set; with a reader
    model (a GGUF file), the reader's answer ("reading") for each too."""
    from newsdesk.answer.short import CHOOSE_FROM, normalize
    from newsdesk.evaluation.run import load_questions
    from newsdesk.nlp.answer_types import question_type

    on = {"reader": True, "reader_model": reader_model} if reader_model else {}
    assistant = training_assistant(folder, index_root, **on)
    extractive = assistant.extractive()
    reader = extractive.reader
    out = []
    for n, q in enumerate(load_questions(folder / "questions.jsonl"), start=1):
        if not q.answerable or not q.answers:
            continue
        passages = assistant.retriever().search_pool(q.question, pool)
        scored = extractive.score(q.question, passages, question_date(q.fields))
        found = extractive.short_candidates(q.question, passages, scored, exact=True)
        gold = {normalize(a) for a in q.answers}
        out.append({"id": q.id, "set": folder.name, "qtype": question_type(q.question) or "",
                    "keys": [c.key for c in found],
                    "rows": [c.row for c in found],
                    "labels": [c.key in gold for c in found],
                    "lists": [bool(c.best.parts) for c in found]})
        if reader is not None:
            out[-1]["gold"] = sorted(gold)
            out[-1]["reading"] = reader.read(
                q.question, [x.sentence.text for x in scored[:CHOOSE_FROM]]).answer
        if n % 25 == 0:
            print(f"{folder.name}: {n} questions", file=sys.stderr, flush=True)
    return out


MODEL_OUT = ROOT / "app" / "newsdesk" / "answer" / "short.json"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _top(group: dict, z: np.ndarray, person: int) -> int:
    """The row `ShortModel.choose` picks without a reading, given the rows' logits `z`:
    the most probable, among the lists of names when the question asks for several
    things and gets some, else among the people when a who-question's candidates name one."""
    lists = group.get("lists") or [False] * len(z)  # rows collected before lists: none
    options = ([i for i in range(len(z)) if lists[i]]
               or [i for i, row in enumerate(group["rows"]) if row[person]] or range(len(z)))
    return max(options, key=lambda i: z[i])


class Pick(NamedTuple):
    """One question's pick by a span model: which question (its index), the pick's logit,
    whether it is gold, and its row of features."""

    question: int
    logit: float
    right: bool
    row: list[float]


def _pick(group: dict, model: tuple[np.ndarray, ...], person: int
          ) -> tuple[float, bool, list[float]] | None:
    """The model's pick for one question (as `ShortModel.choose` makes it): its logit,
    whether it is gold and its row; None when the question has no candidate to pick.
    `model` is `fit`'s (mean, scale, weights, bias)."""
    mean, scale, weights, bias = model
    if group.get("reading"):  # the reader's answer, when it is a candidate, is the pick
        # (a candidate of any of the best SENTENCES sentences: "said" holds them all).
        keys, labels, rows = group.get("said", (group["keys"], group["labels"], group["rows"]))
        hits = [i for i, key in enumerate(keys) if key == group["reading"]]
        if hits:
            z = float(bias + ((np.asarray(rows[hits[0]]) - mean) / scale) @ weights)
            return z, bool(labels[hits[0]]), rows[hits[0]]
    if not group["rows"]:
        return None
    z = bias + ((np.asarray(group["rows"]) - mean) / scale) @ weights
    top = _top(group, z, person)
    return float(z[top]), bool(group["labels"][top]), group["rows"][top]


def _right(group: dict, mean: np.ndarray, scale: np.ndarray, weights: np.ndarray,
           person: int | None = None) -> bool:
    """The model's pick for one question (as `ShortModel.choose` makes it) is gold;
    `person` is the column of person_fit (SPAN_FEATURES' unless columns were dropped)."""
    from newsdesk.answer.short import SPAN_FEATURES

    if person is None:
        person = SPAN_FEATURES.index("person_fit")
    pick = _pick(group, (mean, scale, weights, 0.0), person)
    return pick is not None and pick[1]


def _held_out(count: int, folds: int, seed: int) -> list[set[int]]:
    """The seeded `folds`-fold split of `count` training questions: each fold's indexes."""
    order = np.random.default_rng(seed).permutation(count)
    return [set(order[f::folds].tolist()) for f in range(folds)]


def held_out_picks(groups: list[dict], folds: int, c: float, seed: int,
                   person: int | None = None) -> list[Pick]:
    """Each question's pick made by a model fitted without it (seeded `folds`-fold split
    of the training questions), in question order within each fold. `person` is the
    column of person_fit (SPAN_FEATURES' unless columns were dropped)."""
    from newsdesk.answer.short import SPAN_FEATURES

    if person is None:
        person = SPAN_FEATURES.index("person_fit")
    out = []
    for held in _held_out(len(groups), folds, seed):
        model = fit([g for i, g in enumerate(groups) if i not in held and g["rows"]], c, seed)
        out += [Pick(i, *pick) for i in sorted(held)
                if (pick := _pick(groups[i], model, person))]
    return out


def cross_validated(groups: list[dict], folds: int, c: float, seed: int,
                    person: int | None = None) -> int:
    """Questions whose pick is gold when the model is fitted without them."""
    return sum(p.right for p in held_out_picks(groups, folds, c, seed, person))


def held_out_gate(groups: list[dict], folds: int, c: float, seed: int, plain_width: int
                  ) -> list[tuple[bool, float, bool]]:
    """Per question, fitted without it (one seeded split, both models on the same folds):
    the plain pick is gold, its probability (0 without a choosable candidate), and the
    reader's pick is gold. `groups` hold rows with READER_FEATURES; the plain model uses
    their first `plain_width` columns."""
    from newsdesk.answer.short import SPAN_FEATURES

    person = SPAN_FEATURES.index("person_fit")
    plain = [{**g, "rows": [row[:plain_width] for row in g["rows"]], "reading": ""}
             for g in groups]
    out: list[tuple[bool, float, bool]] = [(False, 0.0, False)] * len(groups)
    for held in _held_out(len(groups), folds, seed):
        plain_model = fit([g for i, g in enumerate(plain) if i not in held and g["rows"]],
                          c, seed)
        reader_model = fit([g for i, g in enumerate(groups) if i not in held and g["rows"]],
                           c, seed)
        for i in held:
            pick = _pick(plain[i], plain_model, person)
            read = _pick(groups[i], reader_model, person)
            out[i] = (pick is not None and pick[1],
                      float(1 / (1 + np.exp(-pick[0]))) if pick else 0.0,
                      read is not None and read[1])
    return out


def fit_calibration(picks: list[list[Pick]], folds: int = 5, seed: int = 0
                    ) -> tuple[dict, dict]:
    """The chance that a pick is the answer, from its probability (`ShortModel.chance`).

    The model's probability is each candidate's and a pick is the most probable of its
    question's, so it is no estimate of the pick being right. A logistic fit (Platt
    scaling) of held-out picks' logits (every seeded split, each pick made by a model
    fitted without its question) to whether they were gold gives one: P = sigmoid(slope *
    logit + intercept + number * [the pick is a number]). The offset for numbers is there
    because a count is picked among many numbers, so its probability is spread thin: on
    rtqa_train the plain model's number picks had far lower logits than its names and
    were right more often. It is kept only when it lowers the calibration's log loss on
    questions held out of its own fit (a seeded `folds`-fold split over questions); else
    it is 0. Reliability on the picks is reported by the chance's quarter. `picks` holds
    each split's `held_out_picks`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    from newsdesk.answer.short import SPAN_FEATURES

    number = SPAN_FEATURES.index("is_number")
    pairs = [p for split in picks for p in split]
    x = np.array([[p.logit, float(p.row[number] > 0)] for p in pairs])
    right = np.array([p.right for p in pairs], dtype=np.int64)
    question = np.array([p.question for p in pairs])
    fold = np.random.default_rng(seed).permutation(int(question.max()) + 1)[question] % folds

    def held_out_log_loss(cols: list[int]) -> float:
        loss = 0.0
        for f in range(folds):
            test = fold == f
            if test.any():
                platt = LogisticRegression(C=1e6, max_iter=1000).fit(x[~test][:, cols],
                                                                     right[~test])
                loss += log_loss(right[test], platt.predict_proba(x[test][:, cols]),
                                 normalize=False, labels=[0, 1])
        return loss / len(pairs)

    losses = {"logit": held_out_log_loss([0]), "logit_and_number": held_out_log_loss([0, 1])}
    cols = [0, 1] if losses["logit_and_number"] < losses["logit"] else [0]
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(x[:, cols], right)
    slope, intercept = float(platt.coef_[0][0]), float(platt.intercept_[0])
    offset = float(platt.coef_[0][1]) if len(cols) == 2 else 0.0
    chance = 1 / (1 + np.exp(-(slope * x[:, 0] + intercept + offset * x[:, 1])))
    bins = {}
    for lo, hi in ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.01)):
        inside = (chance >= lo) & (chance < hi)
        bins[f"{lo:.2f}-{min(hi, 1.0):.2f}"] = {
            "picks_per_split": round(float(inside.sum()) / len(picks), 1),
            "right_share": round(float(right[inside].mean()), 3) if inside.any() else None,
            "mean_chance": round(float(chance[inside].mean()), 3) if inside.any() else None}
    numbers = x[:, 1] > 0
    return ({"pick_calibration": {"slope": round(slope, 6), "intercept": round(intercept, 6),
                                  "number": round(offset, 6)}},
            {"held_out_picks": len(pairs), "right_share": round(float(right.mean()), 3),
             "number_picks": int(numbers.sum()),
             "number_right_share": round(float(right[numbers].mean()), 3)
             if numbers.any() else None,
             "held_out_log_loss": {k: round(v, 4) for k, v in losses.items()},
             "by_chance": bins})


def fit_gate(groups: list[dict], args: argparse.Namespace, plain_width: int
             ) -> tuple[dict, dict]:
    """The reader's gate (`ShortModel.needs_reading`), from cross-validated picks over the
    seeded splits (both models fitted without the question), in two steps:

    - `unread_types`: the question types (`nlp.answer_types.question_type`; "" for a
      question that asks for no particular kind) for which reading every training
      question of the type lost picks against the plain model's;
    - `read_below`: among the rest, the lowest probability of the plain model's pick at
      and above which the reader is not asked, such that the right picks (mean over the
      splits) are at least those of reading every question of the read types.

    Reading is the slow part of `--reader`: where it does not change picks for the
    better, it is skipped."""
    seeds = range(args.seed, args.seed + max(1, args.repeats))
    runs = [held_out_gate(groups, args.folds, args.c, s, plain_width) for s in seeds]
    kinds = [g.get("qtype") or "" for g in groups]

    def right(reads: Callable[[int, float], bool]) -> float:
        return float(np.mean([sum(r if reads(i, p) else pr for i, (pr, p, r) in enumerate(run))
                              for run in runs]))

    def share(reads: Callable[[int, float], bool]) -> float:
        return float(np.mean([np.mean([reads(i, p) for i, (_, p, _) in enumerate(run)])
                              for run in runs]))

    gains = {k: float(np.mean([sum(r - pr for i, (pr, _, r) in enumerate(run) if kinds[i] == k)
                               for run in runs])) for k in sorted(set(kinds))}
    unread = sorted(k for k, gain in gains.items() if gain < 0)

    def typed(i: int, p: float) -> bool:
        return kinds[i] not in unread

    grid = [round(0.01 * i, 2) for i in range(101)] + [1.01]  # 1.01: every question read
    best = right(typed)
    threshold = min(t for t in grid if right(lambda i, p, t=t: typed(i, p) and p < t)
                    >= best - 1e-9)

    def gated(i: int, p: float) -> bool:
        return typed(i, p) and p < threshold

    curve = {f"{t:.2f}": [round(right(lambda i, p, t=t: typed(i, p) and p < t), 2),
                          round(share(lambda i, p, t=t: typed(i, p) and p < t), 3)]
             for t in grid if t in (threshold, 1.01) or round(t * 100) % 10 == 0}
    stats = {"right_cv_mean_always_reading": round(right(lambda i, p: True), 2),
             "right_cv_mean_gated": round(right(gated), 2),
             "read_share_cv": round(share(gated), 3),
             "right_cv_mean_never_reading": round(right(lambda i, p: False), 2),
             "gain_by_type_cv_mean": {k or "any": round(v, 2) for k, v in gains.items()},
             "questions_by_type": {k or "any": kinds.count(k) for k in sorted(set(kinds))},
             "curve_threshold_right_read_share": curve}
    return {"unread_types": unread, "read_below": threshold}, stats


def ablate(groups: list[dict], names: set[str], args: argparse.Namespace) -> int:
    """Cross-validate (as `main` does) without the features in `names`."""
    from newsdesk.answer.short import SPAN_FEATURES

    unknown = names - {part for f in SPAN_FEATURES for part in f.split("*")}
    if unknown:
        raise SystemExit(f"no such feature: {sorted(unknown)}")
    cols = [i for i, f in enumerate(SPAN_FEATURES) if not names & set(f.split("*"))]
    kept = [SPAN_FEATURES[i] for i in cols]
    cut = [{**g, "rows": [[row[i] for i in cols] for row in g["rows"]]} for g in groups]
    right = [cross_validated(cut, args.folds, args.c, seed, kept.index("person_fit"))
             for seed in range(args.seed, args.seed + max(1, args.repeats))]
    print(json.dumps({"without": sorted(names), "features": len(kept),
                      "right_cv_by_seed": right, "right_cv_mean": round(float(np.mean(right)), 2),
                      "of": len(groups)}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, nargs="+", default=[DEFAULT_TRAIN])
    parser.add_argument("--index-root", type=Path, default=ROOT / "work" / "fit-index")
    parser.add_argument("--out", type=Path, default=MODEL_OUT,
                        help="where to write the fit (default: short.json; with --reader, "
                        "short_reader.json)")
    parser.add_argument("--rows", type=Path, help="cache of candidate rows (JSON); reused "
                        "if it exists: delete it after changing a feature")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds for "
                        "the reported held-out exact match (0: none)")
    parser.add_argument("--repeats", type=int, default=1, help="cross-validate over this "
                        "many seeded splits (seeds SEED..SEED+N-1) and report each and "
                        "the mean")
    parser.add_argument("--ablate", help="comma-separated features (and the products that "
                        "use them) to leave out: print the cross-validation without them "
                        "and write nothing")
    parser.add_argument("--reader", type=Path, nargs="?", const=Path(), metavar="GGUF",
                        help="fit short_reader.json: with the reader's features, its model "
                        "this GGUF file (alone: the packaged Gemma 3 270M)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from newsdesk.answer.short import (
        CHOOSE_FROM,
        PARSED,
        READER_FEATURES,
        READER_MODEL_FILE,
        SENTENCES,
        SPAN_FEATURES,
        choosable,
        normalize,
        reader_features,
    )
    from newsdesk.assistant import POOL

    features = SPAN_FEATURES + READER_FEATURES if args.reader else SPAN_FEATURES
    out = READER_MODEL_FILE if args.reader and args.out == MODEL_OUT else args.out
    model = None
    from newsdesk.settings import load_settings

    if args.reader:
        model = load_settings(reader_model=args.reader if args.reader != Path() else None
                              ).reader_model_path()
    if args.rows and args.rows.is_file():
        groups = json.loads(args.rows.read_text())
    else:
        groups = [g for folder in args.train
                  for g in collect(folder, args.index_root, POOL, model)]
        if args.rows:
            args.rows.write_text(json.dumps(groups))
    if not args.reader:  # rows cached by a --reader run: fit without the reader
        for g in groups:
            g.pop("reading", None)
    else:
        if any("reading" not in g or "qtype" not in g for g in groups):
            raise SystemExit(f"{args.rows}: rows without the reader's answers or the "
                             "question types; delete it")
        for g in groups:
            g["reading"] = reading = normalize(g["reading"])
            g["rows"] = [[*row, *reader_features(key, reading)]
                         for key, row in zip(g["keys"], g["rows"], strict=True)]
    # The model picks among the values of the best CHOOSE_FROM sentences (features
    # still count every candidate sentence), so it is fitted on those.
    for g in groups:
        if args.reader:  # the reader's answer may be any candidate (`ShortModel.choose`)
            g["said"] = (g["keys"], g["labels"], g["rows"])
        keep = [i for i, row in enumerate(g["rows"]) if choosable(row)]
        g["rows"], g["labels"] = [g["rows"][i] for i in keep], [g["labels"][i] for i in keep]
        g["keys"] = [g["keys"][i] for i in keep]
        if "lists" in g:
            g["lists"] = [g["lists"][i] for i in keep]
    if args.ablate:
        if args.reader:
            raise SystemExit("--ablate leaves out short.json's features; not with --reader")
        return ablate(groups, set(args.ablate.split(",")), args)
    usable = [g for g in groups if g["rows"]]
    if not any(any(g["labels"]) for g in usable):
        raise SystemExit("no candidate of any question matches a gold answer")
    mean, scale, weights, bias = fit(usable, args.c, args.seed)
    hits = sum(_right(g, mean, scale, weights) for g in usable)
    reachable = sum(any(g["labels"]) for g in usable)
    stats = {"questions": len(groups), "with_candidates": len(usable),
             "gold_among_candidates": reachable,
             "exact_match_train": round(hits / len(groups), 4),
             "exact_match_when_reachable": round(hits / max(1, reachable), 4)}
    calibration: dict = {}
    if args.folds > 1:
        picks = [held_out_picks(groups, args.folds, args.c, seed)
                 for seed in range(args.seed, args.seed + max(1, args.repeats))]
        right = [sum(p.right for p in split) for split in picks]
        stats["exact_match_cv"] = round(right[0] / len(groups), 4)
        if args.repeats > 1:
            stats["right_cv_by_seed"] = right
            stats["right_cv_mean"] = round(float(np.mean(right)), 2)
        calibration, stats["calibration"] = fit_calibration(picks, args.folds, args.seed)
    meta_reader = {"reader_model": model.name, "reader_sha256": sha256(model),
                   "reader_prompt_sha256": sha256(load_settings().prompts / "reader.txt"),
                   "reader_right_train": sum(normalize(g["reading"]) in set(g["gold"])
                                             for g in groups)} if model else {}
    gate: dict = {}
    if model and args.folds > 1:
        # The gate weighs the plain model's probability: fitted with the same rows, C and
        # seed as short.json, which must be fitted first (its SHA-256 is recorded).
        gate, gate_stats = fit_gate(groups, args, len(SPAN_FEATURES))
        meta_reader |= {"gate": gate_stats, "plain_model_sha256": sha256(MODEL_OUT)}
    data = {
        "features": list(features),
        "mean": rounded(mean), "scale": rounded(scale), "weights": rounded(weights),
        "bias": round(bias, 6), **gate, **calibration,
        "meta": {"script": "scripts/fit_short.py", "trained_on": [f.name for f in args.train],
                 "c": args.c, "seed": args.seed, "sentences": SENTENCES,
                 "choose_from": CHOOSE_FROM, "parsed": PARSED,
                 "candidates": sum(len(g["rows"]) for g in groups), "train": stats,
                 **meta_reader},
    }
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(json.dumps({"weights": dict(zip(features, data["weights"], strict=True)),
                      **data["meta"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
