#!/usr/bin/env python3
"""Load benchmark: N concurrent chat sessions against a running `newsdesk chat`, via gradio_client.

    newsdesk chat --port 7860 &
    python scripts/load_bench.py --url http://127.0.0.1:7860/ --sessions 25 \\
        --questions-per-session 4 --corpus seeds

Each session is its own gradio_client Client (its own server-side chat history), asks
its questions one after another, and every footnote of every answer is checked against
the corpus: the quoted text must equal the file's characters at the cited offsets.
Prints p50/p95 latency and questions per minute; exits 1 on any error or bad citation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Note:
    source: str = ""
    quote: str = ""
    ref: str = ""


class _Notes(HTMLParser):
    """The citation footnotes of an answer message (not the 'nearest evidence' snippets)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.notes: list[Note] = []
        self.error = False
        self._stack: list[str] = []
        self._field = ""
        self._in_evidence = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        css = (dict(attrs).get("class") or "").split()
        self._stack.append(tag)
        if "nd-error" in css:
            self.error = True
        if "nd-evidence" in css:
            self._in_evidence = len(self._stack)
        if self._in_evidence:
            return
        if "nd-note" in css:
            self.notes.append(Note())
        elif self.notes and tag == "button" and "nd-note-btn" in css:
            self.notes[-1].ref = dict(attrs).get("value") or ""
        elif self.notes and ("nd-note-file" in css or "nd-quote" in css):
            self._field = "source" if "nd-note-file" in css else "quote"

    def handle_endtag(self, tag: str) -> None:
        if self._in_evidence == len(self._stack):
            self._in_evidence = 0
        if self._stack:
            self._stack.pop()
        self._field = ""

    def handle_data(self, data: str) -> None:
        if self._field and self.notes:
            note = self.notes[-1]
            setattr(note, self._field, getattr(note, self._field) + data)


def message_html(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else message
    parts = content if isinstance(content, list) else [content]
    return " ".join(p.get("text", "") if isinstance(p, dict) else str(p or "") for p in parts)


@dataclass
class Result:
    session: int
    question: str
    seconds: float
    error: str = ""
    citations: int = 0
    bad_citations: list[str] = field(default_factory=list)


def check_answer(corpus: Path, message: Any) -> tuple[str, int, list[str]]:
    """(error, citations, bad citations) of one answer message."""
    parser = _Notes()
    parser.feed(message_html(message))
    if parser.error:
        return "the chat showed an error message", 0, []
    bad = []
    for note in parser.notes:
        try:
            _, start, end = note.ref.split(":")
            with open(corpus / note.source, encoding="utf-8") as fh:
                ok = fh.read()[int(start) : int(end)] == note.quote
        except (OSError, ValueError) as exc:
            ok = False
            note.quote += f" ({exc})"
        if not ok:
            bad.append(f"{note.source} {note.ref}: {note.quote[:80]!r}")
    return "", len(parser.notes), bad


def session(n: int, url: str, questions: list[str], api_name: str, generator: str,
            corpus: Path, start: threading.Barrier, out: list[Result]) -> None:
    """One chat session: a fresh client, its questions in turn, each answer checked."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    except Exception as exc:  # report, do not crash the benchmark
        start.wait()
        out.extend(Result(n, q, 0.0, f"connect: {exc}") for q in questions)
        return
    start.wait()
    for question in questions:
        t0 = time.perf_counter()
        try:
            _, messages = client.predict(question, generator, api_name=api_name)
            error, cites, bad = check_answer(corpus, messages[-1])
        except Exception as exc:
            error, cites, bad = f"{type(exc).__name__}: {exc}", 0, []
        out.append(Result(n, question, time.perf_counter() - t0, error, cites, bad))


def load_questions(corpus: Path, path: Path | None) -> list[str]:
    path = path or corpus / "questions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["question"] for r in rows if r.get("type", "single") == "single"]


def run(url: str, sessions: int, per_session: int, corpus: Path,
        questions: list[str], api_name: str = "/chat",
        generator: str = "extractive") -> dict[str, Any]:
    """Run the sessions at once; the summary plus every result."""
    results: list[Result] = []
    start = threading.Barrier(sessions + 1)
    threads = []
    for n in range(sessions):
        mine = [questions[(n * per_session + i) % len(questions)] for i in range(per_session)]
        threads.append(threading.Thread(target=session, args=(
            n, url, mine, api_name, generator, corpus, start, results), daemon=True))
        threads[-1].start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies = sorted(r.seconds for r in results if not r.error)
    return {
        "sessions": sessions, "questions": len(results), "wall_s": round(wall, 2),
        "questions_per_min": round(len(results) / wall * 60, 1) if wall else 0.0,
        "p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "p95_s": round(latencies[max(0, round(0.95 * len(latencies)) - 1)], 2)
        if latencies else None,
        "max_s": round(latencies[-1], 2) if latencies else None,
        "errors": sum(1 for r in results if r.error),
        "answers_with_citations": sum(1 for r in results if r.citations),
        "citations": sum(r.citations for r in results),
        "bad_citations": sum(len(r.bad_citations) for r in results),
        "results": [asdict(r) for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the chat, e.g. http://127.0.0.1:7860/")
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--questions-per-session", type=int, default=4)
    parser.add_argument("--corpus", type=Path, default=ROOT / "seeds",
                        help="the server's corpus folder, to verify citations against")
    parser.add_argument("--questions", type=Path, help="questions.jsonl (default: in corpus)")
    parser.add_argument("--api-name", default="/chat")
    parser.add_argument("--generator", default="extractive")
    parser.add_argument("--json", type=Path, help="also write every result here")
    args = parser.parse_args(argv)
    summary = run(args.url, args.sessions, args.questions_per_session, args.corpus,
                  load_questions(args.corpus, args.questions), args.api_name, args.generator)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}, indent=1))
    for r in summary["results"]:
        if r["error"] or r["bad_citations"]:
            print(f"session {r['session']}: {r['question']!r}: {r['error']} "
                  f"{r['bad_citations']}", file=sys.stderr)
    return 1 if summary["errors"] or summary["bad_citations"] else 0


if __name__ == "__main__":
    sys.exit(main())
