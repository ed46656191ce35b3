"""The Chroma store (embedded or server), the index manifest and the single-writer lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

from newsdesk.errors import ConfigError, IndexBusy, StoreError
from newsdesk.staging import staged, sweep

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from newsdesk.settings import Settings

MANIFEST_VERSION = 2
FINGERPRINT_KEY = "newsdesk_fingerprint"  # collection metadata: how its vectors were made
RECONNECT_SECONDS = 20.0  # how long a call waits for a restarting Chroma server
HTTP_TIMEOUT = 120.0  # chromadb's own client never times out; a hung server would hang us


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
        tmp = staged(path)
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
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                headers=dict(settings.chroma_headers),
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises plain Exception/ValueError when unreachable
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_url} "
                f"(setting chroma_url): {exc}"
            ) from None
        _set_http_timeout(client)
        return client
    path = chroma_path(settings)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(f"cannot open the index at {path} (setting index): {exc}") from None


def _set_http_timeout(client: ClientAPI) -> None:
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(HTTP_TIMEOUT, connect=10.0)


def get_collection(
    client: ClientAPI, name: str, fingerprint: str = "", where: str = ""
) -> Collection:
    """The named collection (created if missing), wrapped so failures read as StoreErrors."""
    metadata: dict[str, Any] = {"hnsw:space": "cosine"}
    if fingerprint:
        metadata[FINGERPRINT_KEY] = fingerprint
    where = where or _where(client)

    def fetch() -> Collection:
        # embedding_function=None: Chroma's default would download a model; we always embed.
        return client.get_or_create_collection(name, embedding_function=None, metadata=metadata)

    from chromadb.errors import InvalidArgumentError

    try:
        collection = _guarded(fetch, where)
    except InvalidArgumentError as exc:  # a name Chroma does not accept
        raise ConfigError(f"collection: {exc}") from None
    return cast("Collection", GuardedCollection(collection, fetch, where))


def _where(client: ClientAPI) -> str:
    settings = client.get_settings()
    if settings.chroma_server_host:
        scheme = "https" if settings.chroma_server_ssl_enabled else "http"
        return (f"the Chroma server at {scheme}://{settings.chroma_server_host}:"
                f"{settings.chroma_server_http_port}")
    return f"the index at {settings.persist_directory}"


def drop_collection(client: ClientAPI, name: str) -> None:
    with contextlib.suppress(Exception):
        client.delete_collection(name)


def close_client(client: ClientAPI) -> None:
    """Release the client (Chroma shares one system per path; the last close stops it)."""
    close = getattr(client, "close", None)  # chromadb >= 1.5
    if close is not None:
        with contextlib.suppress(Exception):
            close()


class GuardedCollection:
    """A Chroma collection whose calls ride out a server restart or a rebuilt collection.

    Connection failures are retried for RECONNECT_SECONDS (calls are idempotent: reads,
    and upserts/deletes by deterministic id); a collection replaced by a rebuild is looked
    up again; anything still failing becomes a StoreError that names the store.
    """

    def __init__(self, collection: Collection, fetch: Callable[[], Collection], where: str):
        self._collection = collection
        self._fetch = fetch
        self._where = where

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._collection, attr)
        if attr.startswith("_") or not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(attr, args, kwargs)

        return call

    def _call(self, attr: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        from chromadb.errors import InvalidArgumentError, NotFoundError

        def once() -> Any:
            return _guarded(lambda: getattr(self._collection, attr)(*args, **kwargs), self._where)

        try:
            try:
                return once()
            except NotFoundError:  # dropped and re-created by a rebuild: look it up again
                self._collection = _guarded(self._fetch, self._where)
                return once()
        except (NotFoundError, InvalidArgumentError) as exc:
            raise StoreError(f"{self._where} failed: {exc}; if the index is damaged, "
                                "`newsdesk ingest` repairs it") from None


def _guarded(fn: Callable[[], Any], where: str) -> Any:
    """Run one store call: retry lost connections, translate store failures."""
    import httpx
    from chromadb.errors import ChromaError, InvalidArgumentError, NotFoundError

    deadline = time.monotonic() + RECONNECT_SECONDS
    delay = 0.2
    while True:
        try:
            return fn()
        except (NotFoundError, InvalidArgumentError):
            raise  # the caller's business: a replaced collection, a bad argument
        except httpx.TransportError as exc:
            if time.monotonic() + delay > deadline:
                raise StoreError(f"cannot reach {where}: {exc or type(exc).__name__} "
                                    f"(gave up after {RECONNECT_SECONDS:.0f} s)") from None
            time.sleep(delay)
            delay = min(2.0, delay * 2)
        except (ChromaError, httpx.HTTPError) as exc:
            raise StoreError(f"{where} failed: {exc}; if the index is damaged, "
                                "`newsdesk ingest` repairs it") from None
        except Exception as exc:
            if type(exc) is not Exception:  # chromadb reports HTTP errors as bare Exception
                raise
            raise StoreError(f"{where} failed: {exc}") from None


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


def remove_leftovers(settings: Settings) -> tuple[int, int]:
    """Remove what killed processes were writing into the index folder and never renamed
    into place (`newsdesk.staging`): staged files and folders whose process is gone (an
    ONNX export's 90 MB among them), in the index folder and its folders but Chroma's,
    which is Chroma's business. A live process's are kept, whoever it is. (entries, bytes)
    removed."""
    index = settings.index
    try:
        folders = [index, *(d for d in index.iterdir() if d.is_dir() and not d.is_symlink()
                            and not d.name.startswith(".") and d != chroma_path(settings))]
    except OSError:
        return 0, 0
    removed = freed = 0
    for folder in folders:
        n, size = sweep(folder)
        removed, freed = removed + n, freed + size
    return removed, freed

