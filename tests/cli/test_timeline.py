"""`newsdesk timeline` on the real seed index: the JSON list, the text, a light import stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newsdesk.types import Event
from tests.fakes import SEEDS, file_slice
from tests.ingest_support import newsdesk, newsdesk_env

TOPIC = "Iran Russia military meetings"


def test_timeline_json_lists_dated_events_with_verified_quotes(seed_index: Path) -> None:
    run = newsdesk(["timeline", "--json", "--index", str(seed_index), TOPIC])
    assert run.returncode == 0, run.stderr
    events = [Event.from_dict(e) for e in json.loads(run.stdout)]
    assert {"2021-10-18", "2021-10-19", "2023-09-19", "2023-09-20"} <= {e.date for e in events}
    dated = [e.date for e in events if e.date]
    assert dated == sorted(dated)
    for e in events:
        assert e.citations
        for c in e.citations:
            assert file_slice(SEEDS, c.source, c.start, c.end) == c.quote


def test_timeline_text_shows_dates_sources_and_spellings(seed_index: Path) -> None:
    run = newsdesk(["timeline", "--index", str(seed_index), TOPIC])
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.index("Oct 18, 2021") < out.index("Oct 19, 2021") < out.index("Sep 19, 2023")
    assert "001_78cf9b93ba7c4104.txt" in out
    assert "Names spelled more than one way:" in out
    assert "Baqeri" in out.split("Names spelled more than one way:")[1]
    whole = newsdesk(["timeline", "--index", str(seed_index), "--as-of", "2022-01-01"])
    assert whole.returncode == 0, whole.stderr
    assert "October 2020" in whole.stdout  # every article, without a topic
    assert "Sep 20, 2023" not in whole.stdout  # published after the day it is drawn as of


def test_a_history_question_is_answered_with_one_line_per_event(seed_index: Path) -> None:
    run = newsdesk(["ask", "--index", str(seed_index), f"Timeline of {TOPIC}"])
    assert run.returncode == 0, run.stderr
    starts = [line.split(":")[0] for line in run.stdout.splitlines()]
    for day in ("Oct 18, 2021", "Oct 19, 2021", "Sep 19, 2023", "Sep 20, 2023"):
        assert day in starts, run.stdout
    assert "(timeline," in run.stdout


def test_timeline_does_not_load_the_model_stack(seed_index: Path) -> None:
    code = ("import sys; from newsdesk.cli.main import main; "
            f"main(['timeline', '--json', '--index', {str(seed_index)!r}, {TOPIC!r}]); "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'llama_index.core', "
            "'gradio') if m in sys.modules), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=newsdesk_env(), timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip().splitlines()[-1] == "[]"
