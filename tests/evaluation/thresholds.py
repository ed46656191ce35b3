"""The seed-set scores that `tests/evaluation/test_run.py` enforces: the one place they are set.

`newsdesk eval` on seeds/questions.jsonl with the extractive generator must reach each
of these. They are the numbers measured on 2026-11-24 at 8910266 (accuracy 0.929,
Hit@5 1.000, refusal rate 0.909 on 11 unanswerable questions, no false refusals) minus a
margin of about one question.
Raise them when the code improves; never lower one to make a change pass.

One was lowered, on purpose and in the open (issue 12, BENCHMARKS.md "Learned answer
scorer"): the refusal rate, from 0.90 to 0.72. The hand-tuned refusal rule it replaced
was chosen on these very 11 questions; the learned scorer's threshold is fitted to refuse
at most 8% of answerable training questions, and refuses 9 of the 11 (0.818) while
refusing more on unseen news (rtqa_dev no-evidence 0.276 -> see BENCHMARKS.md).

A second was lowered, in the open (issue 14, BENCHMARKS.md "Name variants"): accuracy,
from 0.91 to 0.87. With spellings folded (Baqeri = Bagheri) d02 ("On what date did
Baqeri meet ... Gerasimov?") now gets the answer its "Bagheri" spelling always got,
which is wrong; before, the "Baqeri" spelling missed the misleading passage by chance.
And d03 ("... meet in Moscow in 2021?") was counted right only because its answer
folded in another article's "Tuesday" of 2021 as agreeing with the 2023 "Tuesday" it
quotes; a weekday now corroborates only the same calendar day (answer/agreement.py).
The scorer, refitted with name variants on (scripts/fit_scorer.py), answers 62 of 70.
With spaCy's reading of the sentences (issue 13) it answers 61: s35 ("Who headed the
Russian delegation that arrived in Tehran ...?") now quotes the sentence that writes
"Sergey Shoygu" with the "Sergei Shoigu" report folded into its footnote, and the
literal check wants "Shoigu". The minimum stays at 0.87; a 60th would break it.
Picking the short answer across the best three sentences (issue 13, third pass), s35's
answer quotes the "Shoigu" sentence again (second, after the sentence its wrong short
answer "Chief" is cut from): 62 of 70, one question above the minimum.
Reading candidates in context (issue 13, fourth pass), s35's short answer becomes the
right person, "Sergey Shoygu", and the "Sergei Shoigu" report folds into its footnote
again: 61 of 70, at the minimum. The literal check is what fails there, not the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsdesk.evaluation.records import QuestionResult
from newsdesk.evaluation.run import normalize_answer

SEED_MINIMUMS: dict[str, float] = {
    "quote_validity": 1.0,  # every quote must be the file's own text: not a tunable
    "accuracy": 0.87,  # over the 70 answerable questions (61 right: 0.871; 60 is 0.857)
    "hit_at_5": 0.98,  # over the 70 questions with gold sources
    "refusal_rate": 0.72,  # over the 11 unanswerable questions (9 now; 8 would be 0.727)
}
SEED_MAXIMUMS: dict[str, float] = {
    "false_refusal_rate": 0.03,  # over the 70 answerable questions (0 now; 2 would be 0.029)
}

# Short answers (issue 13): the share of correctly answered single-fact questions whose
# short answer holds a gold answer. Measured 12 of 41 (0.29) at the span model's first
# fit, 14 of 41 (0.34) with spaCy's entities and tree, 15 of 42 (0.357) picking across
# the best three sentences, 15 of 41 (0.366) reading candidates in context, 16 of 41
# (0.390) once "at whose invitation" asks for a person (BENCHMARKS.md, "Short answers");
# the target is all of them. A floor one question below (15 of 41 or 42).
SEED_SHORT_MINIMUM = 0.35
# The same with the opt-in reader (`--reader`, BENCHMARKS.md "The reader"): measured 18 of
# 42 (0.429) when it shipped, 22 of 42 (0.524) with the three-example prompt (seventh
# pass); a floor one question below (21 of 42). The eighth pass's rule (the reader's answer
# from any of the best ten sentences: +3 right picks on rtqa_train cross-validation, +1
# exact on rtqa_dev) moved s36 from "Mohammad Bagheri" to "Iranian military": 21 of 42,
# at the floor, which stays (BENCHMARKS.md, "eighth pass"). The sixteenth pass's gate (no
# reading for counts, nor for picks the plain model is sure of) gives 22 of 42 again.
READER_SEED_SHORT_MINIMUM = 0.50
# short_exact_match: 19 of 70 (0.271) with the gate (18 before it); 18 is 0.257, 17 0.243
READER_SEED_EXACT_MINIMUM = 0.25


def single_fact_shorts(results: Sequence[QuestionResult]
                       ) -> tuple[int, int, list[tuple[str, str | None]]]:
    """Correctly answered single-fact questions whose short answer holds a gold answer
    ("General Oleg Salyukov" for "Salyukov"): right, answered, and the misses."""
    right, misses = 0, []
    answered = [r for r in results if r.question.type == "single" and r.scores.correct]
    for r in answered:
        short = r.answer.short_answer
        got = normalize_answer(short.text) if short else ""
        if got and any(normalize_answer(a) in got for a in r.question.answers):
            right += 1
        else:
            misses.append((r.question.id, short.text if short else None))
    return right, len(answered), misses
