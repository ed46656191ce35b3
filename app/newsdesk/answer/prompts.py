"""Prompt templates: text files under `prompts/`, variables checked when loaded."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from newsdesk.errors import ConfigError

# The variables each template must use, and may use.
REQUIRED = {
    "answer_system": set(),
    "answer_user": {"question", "passages"},
    "condense": {"history", "question"},
    "reader": {"text", "question"},
}


@dataclass(frozen=True)
class Prompt:
    name: str
    template: str

    def render(self, **values: str) -> str:
        return string.Template(self.template).substitute(values)


def load_prompt(folder: Path, name: str) -> Prompt:
    """Read `folder/name.txt` and check it uses exactly the expected $variables."""
    path = folder / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"prompts: cannot read {path}: {exc.strerror or exc}") from None
    used = {m.group("named") or m.group("braced")
            for m in string.Template.pattern.finditer(text)
            if m.group("named") or m.group("braced")}
    expected = REQUIRED.get(name, set())
    if used != expected:
        raise ConfigError(
            f"prompts: {path} uses variables {sorted(used) or 'none'}; "
            f"expected {sorted(expected) or 'none'}"
        )
    return Prompt(name, text.strip() + "\n")
