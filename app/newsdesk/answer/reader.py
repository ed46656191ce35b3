"""The opt-in reader: a small language model reads the best sentences and answers in a few words.

Its answer is not shown. When it is one of the short-answer candidates, that candidate is
the pick; otherwise it becomes three features of every candidate (`short.READER_FEATURES`:
the candidate is the reader's answer, lies inside it, shares its words) and the span model
fitted with them (`short_reader.json`, `scripts/fit_short.py --reader`) picks. Either way
the pick is one of the same verified spans as without it, so the short answer is still cut
from a cited sentence, whatever the model writes. The prompt is `prompts/reader.txt`:
a completion prompt (an instruction and three invented examples: a name, an amount, a
phrase), since a base model continues text rather than following chat turns. It was
chosen on rtqa_train cross-validation, and `short_reader.json` records its SHA-256: a
changed prompt needs a refit.

The same question reads the same whatever was read before. llama.cpp keeps the previous
prompt's cache and reuses the longest opening it shares with the next one, then computes
the rest in one batch; a batch's numbers depend on its size, so the reused part changed
the answer: asked twice in a row, 4 of 40 rtqa_train questions read differently the second
time ("Tyson Foods", then "Beyond Meat"). Before each question the model reads the prompt's
fixed opening (up to the first variable) and a line break, so every question's own text is
computed from the same cache, whatever came before (0 of 40 differed; about 23 ms a reading;
BENCHMARKS.md, "seventeenth pass").
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsdesk.answer.prompts import Prompt
from newsdesk.answer.short import READER_MODEL_FILE

MAX_TOKENS = 16  # a short answer is a few words; the first line is taken
STOP = ("\n",)
_MARK = "\x00"  # stands in for the prompt's variables to find where its fixed opening ends

# prompt, max_tokens, stop, opening -> the model's continuation (`LocalChatModel.complete`)
Complete = Callable[[str, int, Sequence[str], str], str]


@dataclass(frozen=True)
class Reading:
    """What the reader answered, and how long it took."""

    answer: str
    seconds: float


class Reader:
    """Asks `complete` for a few-word answer to a question from the given sentences."""

    def __init__(self, complete: Complete, prompt: Prompt, model: str) -> None:
        self.complete = complete
        self.prompt = prompt
        self.model = model  # the model file's name, reported beside the answer
        # What the model reads before each question: the opening every prompt shares, its
        # trailing space cut (a tokenizer joins it to the next word), and a line break that
        # no question's text starts with, so the cache ends where the opening does.
        marked = prompt.render(text=_MARK, question=_MARK)
        self.opening = marked[: marked.index(_MARK)].rstrip() + "\n"

    def read(self, question: str, sentences: Sequence[str]) -> Reading:
        """The model's first line after `Answer:`; raises GeneratorUnavailable if it fails."""
        # Prompt.render ends the text with a newline; the model continues after "Answer:".
        text = self.prompt.render(text=" ".join(sentences), question=question).rstrip("\n")
        start = time.perf_counter()
        # the same cache before every question
        answer = self.complete(text, MAX_TOKENS, STOP, self.opening).strip()
        return Reading(answer, time.perf_counter() - start)


def _not_fitted_with(file: Path, fit: Path, key: str) -> bool:
    """The fit records under `meta[key]` the SHA-256 of the file it read with, and
    `file`'s differs. False when they match, when the fit records none, or when either
    cannot be read (loading it reports its own error)."""
    try:
        fitted = json.loads(fit.read_text(encoding="utf-8")).get("meta", {}).get(key)
        if not fitted:
            return False
        with file.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest() != fitted
    except (OSError, ValueError):
        return False


def unfitted_model(model_file: Path, fit: Path = READER_MODEL_FILE) -> str | None:
    """Why the span model `fit` may not suit readings by `model_file`: it was fitted with
    another model's (another model reads other answers; on rtqa_train a better reader
    alone gained the fitted path nothing, BENCHMARKS.md "Two more reader models"). None
    when they match, or when the fit records no model. Reads the whole file (0.2 s for
    the packaged 253 MB one)."""
    if not _not_fitted_with(model_file, fit, "reader_sha256"):
        return None
    return (f"reader: {model_file} is not the model {fit.name} was fitted with; short "
            f"answers may be worse until you refit (scripts/fit_short.py --reader "
            f"{model_file})")


def unfitted_prompt(prompt_file: Path, fit: Path = READER_MODEL_FILE) -> str | None:
    """Why the span model `fit` may not suit readings made with `prompt_file`: the fit
    records the SHA-256 of the prompt it read with, and this one differs. None when they
    match, or when the fit records no prompt."""
    if not _not_fitted_with(prompt_file, fit, "reader_prompt_sha256"):
        return None
    return (f"reader: {prompt_file} is not the prompt {fit.name} was fitted with; "
            "short answers may be worse until you refit (scripts/fit_short.py --reader)")
