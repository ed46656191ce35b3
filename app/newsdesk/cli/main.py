"""The `newsdesk` command: ingest, add, ask, chat, eval, compare, bench. Heavy imports happen
per command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsdesk.cli.add import add_chat_options, add_commands, add_ingest_options
from newsdesk.cli.timeline import add_timeline_command
from newsdesk.errors import NewsdeskError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, help="folder of articles (default: seeds/)")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    parser.add_argument("--generator", help="extractive | local | openai (default: extractive)")
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")


def _reader(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reader", action="store_true", default=None,
                        help="let a small language model help pick the short answer "
                             "(about 0.65 s more for each question it reads; needs .[reader])")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Ask questions about a folder of news articles; answers cite verified quotes.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index the corpus (incremental)")
    _common(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--watch", type=float, nargs="?", const=5.0, metavar="SECONDS",
                   help="keep running: re-index whenever the corpus changes "
                        "(checked every SECONDS, default 5; Ctrl-C stops)")
    add_ingest_options(p)

    p = sub.add_parser("ask", help="answer a question; with no question, chat in the terminal")
    _common(p)
    _reader(p)
    p.add_argument("question", nargs="?", help="the question (omit for a terminal chat)")
    p.add_argument("--json", action="store_true", help="print the Answer as one JSON object")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="answer as of this day: 'this week', 'latest' mean before it "
                        "(default: today)")

    p = sub.add_parser("chat", help="start the web chat on http://127.0.0.1:7860")
    _common(p)
    _reader(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=7860, help="port to listen on")
    add_chat_options(p)

    p = sub.add_parser("eval", help="score answers against a question set")
    _common(p)
    _reader(p)
    p.add_argument("--questions", type=Path, help="question file (default: seeds/questions.jsonl)")
    p.add_argument("--out", type=Path, default=Path("eval-out"), help="output folder")
    p.add_argument("--json", action="store_true", help="print metrics.json to stdout")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the day for questions without a question_date (default: today)")

    p = sub.add_parser("compare", help="two eval runs side by side: what changed, per question")
    p.add_argument("before", type=Path, help="an eval --out folder (the run before a change)")
    p.add_argument("after", type=Path, help="an eval --out folder (the run after it)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")

    p = sub.add_parser("bench", help="measure ingest, retrieval, answer latency and memory")
    _common(p)
    p.add_argument("--scale", default="small", help="small | full | a list of sizes")
    p.add_argument("--out", type=Path, default=Path("bench-out"), help="output folder")
    p.add_argument("--repeat", type=int, default=1, help="runs per size; reports medians")
    add_commands(sub, _common)
    add_timeline_command(sub, _common)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "corpus": args.corpus, "index": args.index, "generator": args.generator,
        "chroma_url": args.chroma_url, "reader": getattr(args, "reader", None),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from newsdesk.models.embed import offline

    offline()
    try:
        return _run(args)
    except NewsdeskError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `newsdesk ask … | head`
        return 0
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    if args.command == "compare":  # reads two eval folders: no assistant, no settings
        from newsdesk.evaluation.compare import compare, load_run, render

        comparison = compare(load_run(args.before), load_run(args.after))
        print(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) if args.json
              else "\n".join(render(comparison)))
        return 0
    from newsdesk.assistant import Assistant
    from newsdesk.cli.add import feed_poller, run_add, run_password

    if args.command == "password":
        return run_password(args)
    assistant = Assistant.from_settings(**_overrides(args))
    match args.command:
        case "ingest":
            poll = feed_poller(assistant, args)
            if args.watch is not None:
                return _watch(assistant, args.watch, args.json, poll)
            if poll is not None:
                poll()
            done = assistant.ingest(progress=sys.stderr.isatty())
            print(json.dumps(done.to_dict(), indent=2) if args.json else done.summary())
            return 0
        case "ask":
            report = assistant.ensure_index(progress=sys.stderr.isatty())
            if report and not args.json:
                print(report.summary(), file=sys.stderr)
            if args.question is None:
                from newsdesk.cli.terminal import chat

                return chat(assistant)
            return _ask(assistant, args.question, args.json, args.as_of)
        case "add":
            return run_add(assistant, args)
        case "timeline":
            from newsdesk.cli.timeline import run_timeline

            return run_timeline(assistant, args)
        case "chat":
            from newsdesk.web.access import access_for
            from newsdesk.web.app import serve

            access = access_for(args.host, args.auth_file, args.no_auth, args.allow_private_urls)
            return serve(assistant, host=args.host, port=args.port, access=access)
        case "eval":
            from newsdesk.evaluation.run import run_cli

            return run_cli(assistant, args)
        case "bench":
            from newsdesk.bench.run import run_cli as bench_cli

            return bench_cli(assistant, args)
    return 2


def _watch(assistant: Any, interval: float, as_json: bool,
           poll: Callable[[], None] | None = None) -> int:
    from newsdesk.ingest.watch import watch

    def show(report: Any) -> None:
        print(json.dumps(report.to_dict()) if as_json else report.summary(), flush=True)

    return watch(assistant.settings.corpus,
                 lambda: assistant.ingest(progress=sys.stderr.isatty()), interval, on_report=show,
                 poll=poll)


def _ask(assistant: Any, question: str, as_json: bool, as_of: str | None = None) -> int:
    from newsdesk.cli.render import format_answer

    answer = assistant.ask(question, as_of=as_of)
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(format_answer(answer, bold=sys.stdout.isatty()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
