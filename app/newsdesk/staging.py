"""Files written under a staged name and renamed into place, and what killed writers left.

A process that writes something other processes read (the index manifest, the BM25
cache, the ONNX export and its copy in the machine-wide cache) writes it first as
`.<name>.<pid>.tmp` beside where it goes, then renames it there, so no reader ever sees
half of it. A process killed in between leaves the staged name behind; the pid in it
says whose it was, so the next writer there removes it once that process is gone
(`sweep`), and never a live process's.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from pathlib import Path

STAGED = re.compile(r"^\..+\.(\d+)\.tmp$")
# The ONNX export's staging folder as newsdesk named it before the pid was in its name
# (`tempfile`'s `.onnx-` and eight random characters). An export takes seconds, so one
# older than LEGACY_AGE was left by a killed process.
LEGACY = re.compile(r"^\.onnx-[a-z0-9_]{8}$")
LEGACY_AGE = 3600.0


def staged(path: Path) -> Path:
    """Where this process writes `path` before renaming it into place."""
    return path.with_name(f".{path.name}{suffix()}")


def suffix() -> str:
    """The end of this process's staged names (for `tempfile`'s `suffix`)."""
    return f".{os.getpid()}.tmp"


def alive(pid: int) -> bool:
    """Whether a process with this id exists (any owner's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def abandoned(entry: Path, now: float | None = None) -> bool:
    """Whether `entry` is a staged name whose writer is gone."""
    found = STAGED.match(entry.name)
    if found is not None:
        return not alive(int(found.group(1)))
    if LEGACY.match(entry.name):
        try:
            age = (time.time() if now is None else now) - entry.lstat().st_mtime
        except OSError:
            return False
        return age > LEGACY_AGE
    return False


def sweep(folder: Path) -> tuple[int, int]:
    """Remove the abandoned staged files and folders directly in `folder`;
    (entries, bytes) removed. A folder that cannot be listed yields (0, 0)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0, 0
    removed = freed = 0
    now = time.time()
    for entry in entries:
        if not abandoned(entry, now):
            continue
        size = _size(entry)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        if not os.path.lexists(entry):
            removed, freed = removed + 1, freed + size
    return removed, freed


def _size(entry: Path) -> int:
    try:
        if entry.is_dir() and not entry.is_symlink():
            return sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
        return entry.lstat().st_size
    except OSError:
        return 0
