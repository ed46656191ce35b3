"""The package's rooms and the direction of their imports: a wrong arrow fails here.

Every `import`/`from … import` of a `newsdesk` module is read with `ast`, including the
ones inside functions and under `TYPE_CHECKING`: a lazy import is still a dependency.
Library code does not print either: only the faces write to the terminal.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tests.fakes import ROOT

PACKAGE = ROOT / "app" / "newsdesk"

FOUNDATIONS = {"errors", "types", "settings", "staging", "timing", "nlp"}
PARTS = FOUNDATIONS | {"models", "index"}
FACES = {"cli", "web", "evaluation", "bench"}
# room -> the rooms it may import (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "types": set(),
    "settings": {"errors"},
    "nlp": set(),
    "staging": set(),
    "timing": set(),
    "models": FOUNDATIONS,
    "index": FOUNDATIONS,
    "ingest": PARTS,
    "retrieval": PARTS,
    "answer": {"errors", "types", "timing", "nlp", "models"},
    "assistant": PARTS | {"ingest", "retrieval", "answer"},
    # Faces may use everything below them; only the command dispatches to the other faces.
    "web": PARTS | {"ingest", "retrieval", "answer", "assistant"},
    "evaluation": PARTS | {"ingest", "retrieval", "answer", "assistant"},
    "bench": PARTS | {"ingest", "retrieval", "answer", "assistant"},
    "cli": PARTS | {"ingest", "retrieval", "answer", "assistant"} | FACES,
    # The package root re-exports the public surface lazily.
    "__init__": {"assistant", "settings", "types"},
}


def room_of(path: Path, root: Path) -> str:
    """`answer/cite.py` -> 'answer'; `settings.py` -> 'settings'."""
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_rooms(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, room) for every import of one of our modules in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "newsdesk":
                names = [f"newsdesk.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}:{node.lineno}: use absolute newsdesk imports")
        for name in names:
            parts = name.split(".")
            if parts[0] == "newsdesk" and len(parts) > 1 and parts[1] != "__version__":
                found.append((node.lineno, parts[1]))
    return found


def violations(root: Path) -> list[str]:
    """Every import that points the wrong way, as 'file:line: room imports room'."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        room = room_of(path, root)
        if room not in ALLOWED:
            problems.append(f"{path.relative_to(root)}: not in a known room ({room!r})")
            continue
        for line, target in imported_rooms(path, root):
            if target != room and target not in ALLOWED[room]:
                problems.append(f"{path.relative_to(root)}:{line}: {room} imports {target}")
    return problems


def planted_copy(tmp_path: Path, where: str, planted: str) -> Path:
    """A copy of the package with `planted` appended to (or written as) the file `where`."""
    root = tmp_path / "newsdesk"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    target = root / where
    target.write_text(target.read_text() + planted if target.exists() else planted)
    return root


def test_imports_point_down_only():
    assert violations(PACKAGE) == []


@pytest.mark.parametrize(
    ("where", "planted", "expected"),
    [
        ("answer/planted.py", "from newsdesk.settings import Settings\n",
         "answer imports settings"),
        ("nlp/planted.py", "def f():\n    import newsdesk.models.embed\n", "nlp imports models"),
        ("index/planted.py", "from newsdesk import assistant\n", "index imports assistant"),
        ("retrieval/planted.py", "from newsdesk.web import render\n", "retrieval imports web"),
        ("web/planted.py", "from newsdesk.cli.main import main\n", "web imports cli"),
        ("errors.py", "from newsdesk.types import Answer\n", "errors imports types"),
    ],
)
def test_a_planted_wrong_import_is_caught(tmp_path, where, planted, expected):
    root = planted_copy(tmp_path, where, planted)
    assert any(expected in problem for problem in violations(root))


def test_every_room_is_a_package_with_a_docstring():
    for folder in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"):
        init = folder / "__init__.py"
        assert init.is_file(), f"{folder.name}/ has no __init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{folder.name}/ says nothing"


def terminal_writes(root: Path) -> list[str]:
    """Every `print` (called or passed on) and `sys.stdout`/`sys.stderr` outside the faces."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        if room_of(path, root) in FACES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Name) and node.id == "print":
                what = "print"
            elif (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr")
                  and isinstance(node.value, ast.Name) and node.value.id == "sys"):
                what = f"sys.{node.attr}"
            else:
                continue
            problems.append(f"{path.relative_to(root)}:{node.lineno}: {what} outside the faces "
                            "(log it, or return it in a report the face prints)")
    return problems


def test_only_faces_write_to_the_terminal():
    assert terminal_writes(PACKAGE) == []


@pytest.mark.parametrize(
    ("where", "planted", "expected"),
    [
        ("ingest/pipeline.py", "\ndef f(reason):\n    print(reason)\n",
         "ingest/pipeline.py:"),
        ("index/planted.py", "import sys\ndef f():\n    sys.stderr.write('x')\n",
         "index/planted.py:3: sys.stderr"),
        ("ingest/watch.py", "\ndef f(on_report=print):\n    pass\n", "ingest/watch.py:"),
        ("assistant.py", "def f():\n    print('lazy')\n", "assistant.py:"),
    ],
)
def test_a_planted_print_is_caught(tmp_path, where, planted, expected):
    root = planted_copy(tmp_path, where, planted)
    caught = set(terminal_writes(root)) - set(terminal_writes(PACKAGE))
    assert any(expected in problem for problem in caught), caught


def test_faces_may_print(tmp_path):
    root = planted_copy(tmp_path, "cli/planted.py", "import sys\nprint('ok', file=sys.stderr)\n")
    assert terminal_writes(root) == terminal_writes(PACKAGE)
