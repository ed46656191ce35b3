"""The `newsdesk` command on the real parts: JSON output, exit codes, messages, a light --help."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.answer.extractive import GENERATE_STAGES
from tests.fakes import CSTO_QUESTION, GERASIMOV_QUESTION, SEEDS, file_slice
from tests.ingest_support import newsdesk

ANSWER_FIELDS = {"question", "answer", "refused", "citations", "passages", "generator", "timings"}
CITATION_FIELDS = {"n", "source", "quote", "start", "end"}
PASSAGE_FIELDS = {"source", "text", "score", "start", "end"}


def test_ask_json_schema(seed_index: Path) -> None:
    run = newsdesk(["ask", "--json", "--index", str(seed_index), GERASIMOV_QUESTION])
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert ANSWER_FIELDS <= set(data)
    assert isinstance(data["refused"], bool)
    assert isinstance(data["answer"], str)
    assert data["generator"] == "extractive"
    assert data["citations"]
    assert data["passages"]
    for c in data["citations"]:
        assert CITATION_FIELDS <= set(c)
        assert file_slice(SEEDS, c["source"], c["start"], c["end"]) == c["quote"]
    for p in data["passages"]:
        assert PASSAGE_FIELDS <= set(p)
    timings = data["timings"]
    assert {"retrieve", "generate", "total"} <= set(timings)
    # generate's parts (a first question also loads the parser, inside "parse").
    assert set(GENERATE_STAGES) <= set(timings)
    assert 0 < timings["sentence_vectors"] <= timings["score"] <= timings["generate"]
    assert 0 < timings["parse"] <= timings["generate"]
    assert 0 < timings["short_answer"] <= timings["generate"]
    assert timings["score"] + timings["short_answer"] <= timings["generate"]
    short = data["short_answer"]
    assert short["text"]
    assert file_slice(SEEDS, short["source"], short["start"], short["end"]) == short["text"]
    assert 0.0 < short["probability"] < 1.0  # the shipped span model is calibrated
    assert any(c["source"] == short["source"] and c["start"] <= short["start"]
               and short["end"] <= c["end"] for c in data["citations"])
    corroboration = data["corroboration"]
    assert corroboration["articles"] >= 1
    cited = {c["n"] for c in data["citations"]}
    assert all(r["n"] in cited for r in corroboration["reports"])
    assert data["conflicts"] == []


def test_ask_prints_the_short_answer_first(seed_index: Path) -> None:
    run = newsdesk(["ask", "--index", str(seed_index), CSTO_QUESTION])
    assert run.returncode == 0, run.stderr
    first, second = run.stdout.splitlines()[:2]
    # The value, hedged when the span model puts its chance below even, then its marker.
    assert re.match(r"Answer: 4,000 (\(uncertain: \d+% likely\) )?\[\d+\]", first), first
    assert "\033[" not in run.stdout  # not a terminal: no bold escape codes
    assert second.startswith("Reported by ")


@pytest.mark.parametrize(("question", "message"), [
    ("", "empty"),
    ("   \u200b ", "empty"),
    ("x" * 2001, "too long"),
])
def test_bad_question_is_a_message_not_a_traceback(seed_index: Path, question: str,
                                                   message: str) -> None:
    run = newsdesk(["ask", "--index", str(seed_index), question])
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_ingest_skips_bad_files_and_indexes_the_rest(seed_copy: Path, tmp_path: Path) -> None:
    (seed_copy / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (seed_copy / "empty.txt").write_text("")
    (seed_copy / "latin1.txt").write_bytes("Caf\xe9 in Tehran".encode("latin-1"))
    run = newsdesk(["ingest", "--json", "--corpus", str(seed_copy), "--index",
                    str(tmp_path / "ix")])
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    reasons = {s["source"]: s["reason"] for s in report["skipped"]}
    assert "binary" in reasons["picture.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert report["files_indexed"] == 5


def test_ingest_fails_when_nothing_can_be_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("  \n")
    run = newsdesk(["ingest", "--corpus", str(corpus), "--index", str(tmp_path / "ix")])
    assert run.returncode == 2
    assert "empty.txt" in run.stderr
    assert "Traceback" not in run.stderr


def test_unknown_generator_names_the_setting(tmp_path: Path) -> None:
    run = newsdesk(["ask", "--generator", "gpt-9", "--index", str(tmp_path), "hello?"])
    assert run.returncode == 2
    assert "generator" in run.stderr
    assert "gpt-9" in run.stderr


def test_help_does_not_import_the_model_stack() -> None:
    code = ("import sys; from newsdesk.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in ('torch', 'chromadb', 'sentence_transformers', "
            "'llama_index.core', 'gradio') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
