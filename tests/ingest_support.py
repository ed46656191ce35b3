"""Helpers shared by the ingest, crash, server and bad-input tests: corpora, processes, probes."""

from __future__ import annotations

import functools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsdesk.assistant import Assistant
from newsdesk.index.store import Manifest, close_client, get_collection, manifest_path, open_client
from newsdesk.ingest.chunking import chunk_file, make_splitter
from newsdesk.ingest.corpus import read_corpus
from newsdesk.settings import Settings
from tests.fakes import ROOT, SEEDS


@functools.cache
def shared_model() -> Any:
    """The real packaged MiniLM, loaded once per test process."""
    from newsdesk.models.embed import build_embedder
    from newsdesk.settings import load_settings

    return build_embedder(load_settings())


class SharedModelAssistant(Assistant):
    """An assistant on the real model that several tests load only once."""

    def embedder(self) -> Any:
        return shared_model()


def seed_sentences() -> list[str]:
    sentences: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) > 60 and line.endswith("."):
                sentences.append(line)
    return sentences


def make_corpus(folder: Path, generated: int = 40, seed: int = 7) -> Path:
    """The seed articles plus `generated` article-like files stitched from seed sentences."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    rng = random.Random(seed)
    sentences = seed_sentences()
    for i in range(generated):
        picked = rng.sample(sentences, k=min(len(sentences), rng.randint(12, 22)))
        paragraphs = [" ".join(picked[j : j + 3]) for j in range(0, len(picked), 3)]
        body = "\n\n".join(paragraphs)
        text = f"Regional defence briefing number {i}\n\nDispatch {i} (Wire) - {body}\n"
        (folder / f"gen_{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def newsdesk_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               ANONYMIZED_TELEMETRY="False", PYTHONFAULTHANDLER="1")
    env.update(extra)
    return env


def ctrl_c_stops() -> None:
    """`preexec_fn` for a child a test stops with Ctrl-C (SIGINT): the default action back.

    A test run started in the background (`pytest &`, many CI runners) ignores SIGINT, and
    children inherit that: Python then installs no KeyboardInterrupt and Ctrl-C does nothing.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def newsdesk(args: Sequence[str], timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """Run the real `newsdesk` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *args], capture_output=True, text=True,
        timeout=timeout, env=newsdesk_env(**env), cwd=ROOT,
    )


def newsdesk_popen(args: Sequence[str], **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", *args], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=newsdesk_env(**env), cwd=ROOT,
    )


PROBE = """
import json, sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = client.get_collection(sys.argv[2])
got = col.get(include=["metadatas", "documents"])
out = {"count": col.count(), "ids": got["ids"], "docs": dict(zip(got["ids"], got["documents"])),
       "sources": {i: m["source"] for i, m in zip(got["ids"], got["metadatas"])},
       "spans": {i: [m["start"], m["end"]] for i, m in zip(got["ids"], got["metadatas"])}}
if out["count"]:
    vec = col.get(ids=got["ids"][:1], include=["embeddings"])["embeddings"][0]
    hits = col.query(query_embeddings=[list(vec)], n_results=min(5, out["count"]))
    out["query_ok"] = hits["ids"][0][0] == got["ids"][0] or len(hits["ids"][0]) > 0
print(json.dumps(out))
"""


def probe_store(index: Path, collection: str = "newsdesk") -> dict[str, Any]:
    """Open the embedded store in a fresh process, as a user's next command would; must survive."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(index / "chroma"), collection], capture_output=True,
        text=True, timeout=180, env=newsdesk_env(),
    )
    assert proc.returncode == 0, f"store probe died ({proc.returncode}): {proc.stderr[-2000:]}"
    return dict(json.loads(proc.stdout))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stored(settings: Settings) -> dict[str, tuple[str, dict[str, Any], tuple[float, ...]]]:
    """Every chunk in the store: id → (text, metadata, vector)."""
    client = open_client(settings)
    try:
        got = get_collection(client, settings.collection).get(
            include=["documents", "metadatas", "embeddings"])
        vectors = [] if got["embeddings"] is None else list(got["embeddings"])
        return {
            cid: (doc or "", dict(meta or {}), tuple(float(x) for x in vec))
            for cid, doc, meta, vec in zip(got["ids"], got["documents"] or [],
                                           got["metadatas"] or [], vectors, strict=True)
        }
    finally:
        close_client(client)


def expected_ids(settings: Settings) -> dict[str, list[str]]:
    files, _ = read_corpus(settings.corpus, settings.max_file_bytes)
    splitter = make_splitter(settings)
    return {f.source: [c.id for c in chunk_file(f, splitter)] for f in files}


def assert_consistent(settings: Settings) -> None:
    """The store holds exactly the corpus's chunks, verbatim, and the manifest agrees."""
    chunks = stored(settings)
    wanted = expected_ids(settings)
    assert sorted(chunks) == sorted(c for ids in wanted.values() for c in ids)
    for text, meta, _ in chunks.values():
        body = (settings.corpus / meta["source"]).read_text(encoding="utf-8")
        assert body[meta["start"] : meta["end"]] == text
    manifest = Manifest.load(manifest_path(settings))
    assert manifest is not None
    assert {s: e.chunk_ids for s, e in manifest.files.items()} == wanted
