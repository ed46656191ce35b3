"""The Chroma store (embedded or server), the index manifest and the single-writer lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from newsdesk.errors import IndexBusy, NewsdeskError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from newsdesk.settings import Settings

MANIFEST_VERSION = 2


@dataclass
class FileEntry:
    sha256: str
    chunk_ids: list[str]
    title: str = ""
    outlet: str = ""
    published: str = ""


@dataclass
class Manifest:
    """What the index holds: how it was built, and each article's hash and chunk ids."""

    fingerprint: dict[str, Any] = field(default_factory=dict)
    files: dict[str, FileEntry] = field(default_factory=dict)
    version: int = MANIFEST_VERSION

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                return None
            files = {k: FileEntry(**v) for k, v in data["files"].items()}
            return cls(data["fingerprint"], files, data["version"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old manifest or the new one, never half."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(asdict(self), fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def chunk_count(self) -> int:
        return sum(len(e.chunk_ids) for e in self.files.values())


def manifest_path(settings: Settings) -> Path:
    return settings.index / "manifest.json"


def chroma_path(settings: Settings) -> Path:
    return settings.index / "chroma"


def open_client(settings: Settings) -> ClientAPI:
    """An HttpClient when `chroma_url` is set, else a PersistentClient under the index folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                headers=dict(settings.chroma_headers),
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises plain Exception/ValueError when unreachable
            raise NewsdeskError(
                f"cannot reach the Chroma server at {settings.chroma_url} "
                f"(setting chroma_url): {exc}"
            ) from None
    path = chroma_path(settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def get_collection(client: ClientAPI, name: str) -> Collection:
    # embedding_function=None: Chroma's default would download a model; we always embed.
    return client.get_or_create_collection(
        name, embedding_function=None, metadata={"hnsw:space": "cosine"}
    )


def drop_collection(client: ClientAPI, name: str) -> None:
    with contextlib.suppress(Exception):
        client.delete_collection(name)


@contextlib.contextmanager
def write_lock(settings: Settings, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock, or fail at once naming the process that has it."""
    settings.index.mkdir(parents=True, exist_ok=True)
    path = settings.index / ".lock"
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the with-block
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    raise IndexBusy(
                        f"the index at {settings.index} is being written by {holder}; "
                        "wait for that ingest to finish and try again"
                    ) from None
                time.sleep(0.1)
        fh.seek(0)
        fh.truncate()
        fh.write(f"newsdesk ingest (pid {os.getpid()})")
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock, also when the process dies
