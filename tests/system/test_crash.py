"""Crash safety and concurrency with the real model and real processes.

`kill -9` lands on `newsdesk ingest` at random moments (mostly mid-embedding, between
and inside upserts); the next ingest must leave exactly what a clean build leaves, and a
fresh process must be able to open and query the store. A second writer must fail fast,
and readers must keep answering while an ingest runs. A slow variant with a fast hash
embedder writes past 1000 vectors, where Chroma flushes its HNSW segment to disk, to kill
runs during that flush too (chroma-core issue 7238).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsdesk.index.store import Manifest, manifest_path
from newsdesk.ingest.chunking import chunk_file, make_splitter
from newsdesk.ingest.corpus import read_corpus
from newsdesk.settings import Settings, load_settings
from tests.crash_support import (
    Command,
    cli_ingest,
    hash_ingest,
    kill_at_random,
    repair,
    spawn_ingest,
)
from tests.fakes import SEED_QUESTION, SEEDS
from tests.ingest_support import (
    SharedModelAssistant,
    make_corpus,
    newsdesk,
    newsdesk_popen,
    probe_store,
    seed_sentences,
)


@dataclass
class Built:
    corpus: Path
    index: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Seeds plus 12 generated articles (~70 chunks), indexed once with the real model.

    Indexed in this process with the model it shares with other tests: the command's own
    ingest is what every trial below runs and kills.
    """
    root = tmp_path_factory.mktemp("built")
    corpus = make_corpus(root / "corpus", generated=12)
    report = SharedModelAssistant.from_settings(corpus=corpus, index=root / "index").ingest()
    assert report.files_indexed == len(list(corpus.glob("*.txt"))), report.skipped
    return Built(corpus, root / "index")


def fresh_copy(built: Built, dest: Path) -> Settings:
    shutil.copytree(built.corpus, dest / "corpus")
    shutil.copytree(built.index, dest / "index")
    return load_settings(corpus=dest / "corpus", index=dest / "index")


def mutate(corpus: Path, rng: random.Random, trial: int) -> None:
    """Change some articles, delete one and add two, so the next ingest has real work."""
    files = sorted(p for p in corpus.glob("*.txt"))
    sentences = seed_sentences()
    for path in rng.sample(files, k=min(6, len(files))):
        extra = " ".join(rng.sample(sentences, 2))
        path.write_text(path.read_text(encoding="utf-8") + f"\n\nUpdate {trial}: {extra}\n",
                        encoding="utf-8")
    rng.choice([p for p in files if p.name.startswith(("gen_", "new_"))]).unlink()
    for k in range(2):
        body = " ".join(rng.sample(sentences, 9))
        (corpus / f"new_{trial}_{k}.txt").write_text(f"Late dispatch {trial}.{k}\n\n{body}\n",
                                                     encoding="utf-8")


def assert_equals_clean_build(settings: Settings, store: dict[str, Any]) -> None:
    """Exactly the chunks a clean build makes, verbatim, and a manifest that agrees."""
    files, _ = read_corpus(settings.corpus, settings.max_file_bytes)
    splitter = make_splitter(settings)
    wanted = {f.source: [c.id for c in chunk_file(f, splitter)] for f in files}
    ids = store["ids"]
    assert len(ids) == len(set(ids)) == store["count"]
    assert set(ids) == {c for cs in wanted.values() for c in cs}, "missing or stray chunks"
    texts = {f.source: f.text for f in files}
    for cid in ids:  # verbatim, at the offsets a citation will use
        start, end = store["spans"][cid]
        assert texts[store["sources"][cid]][start:end] == store["docs"][cid]
    manifest = Manifest.load(manifest_path(settings))
    assert manifest is not None
    assert {s: e.chunk_ids for s, e in manifest.files.items()} == wanted
    assert {s: e.sha256 for s, e in manifest.files.items()} == {f.source: f.sha256 for f in files}


def schedule(rng: random.Random, trials: int) -> list[str]:
    """Mostly mid-embedding, in a random order: a fixed mix, so no seed runs short of it."""
    early, late = trials // 5, trials // 10
    phases = ["early"] * early + ["late"] * late + ["embedding"] * (trials - early - late)
    rng.shuffle(phases)
    return phases


def cut_mid_embedding(trial: dict[str, Any]) -> bool:
    return bool(trial["rc"] == -signal.SIGKILL and 0 <= trial["done"] < trial["total"])


def run_trials(settings: Settings, trials: int, phases: list[str] | None = None,
               command: Command = cli_ingest, fresh_every: int = 5,
               jitter: float = 1.5, min_mid: int = 0,
               max_trials: int = 0) -> list[dict[str, Any]]:
    """`trials` kills, each repaired and checked; then more mid-embedding kills, up to
    `max_trials` in all, until `min_mid` of them cut a run mid-embedding.

    Whether a kill lands before the last batch is stored depends on the machine's speed
    (a change of 30 chunks is one batch): the extra trials make the coverage certain
    where a fixed count would make it likely.
    """
    seed = int(os.environ.get("CRASH_SEED", random.randrange(2**31)))
    rng = random.Random(seed)
    phases = phases or schedule(rng, trials)
    log: list[dict[str, Any]] = []
    trial = 0
    while trial < len(phases) or (sum(map(cut_mid_embedding, log)) < min_mid
                                  and trial < max_trials):
        if trial % fresh_every == 0:  # from nothing: the most work, the most ways to be cut
            shutil.rmtree(settings.index, ignore_errors=True)
        else:
            mutate(settings.corpus, rng, trial)
        phase = phases[trial] if trial < len(phases) else "embedding"
        kill = kill_at_random(spawn_ingest(settings, command), rng, phase, jitter)
        report = repair(settings, command)
        kill |= {"trial": trial, "seed": seed, "repair_embedded": report["chunks_added"],
                 "chunks_total": report["chunks_total"], "rebuilt": report["rebuild_reason"]}
        log.append(kill)
        print(json.dumps(kill))
        if kill["rc"] == -signal.SIGKILL and kill["done"] > 0 and not report["rebuilt"]:
            # Batches stored before the kill were kept, not embedded again.
            assert report["chunks_added"] <= report["chunks_total"] - kill["done"], kill
        assert_equals_clean_build(settings, probe_store(settings.index))
        trial += 1
    return log


def test_kill_9_during_ingest_is_repaired_by_the_next_run(built: Built, tmp_path: Path) -> None:
    settings = fresh_copy(built, tmp_path)
    log = run_trials(settings, 3, ["embedding:32", "embedding:0", "early"])
    assert any(t["rc"] == -signal.SIGKILL and 0 < t["done"] < t["total"] for t in log), log


@pytest.mark.slow
def test_kill_9_twenty_times(built: Built, tmp_path: Path) -> None:
    settings = fresh_copy(built, tmp_path)
    log = run_trials(settings, 20, min_mid=8, max_trials=32)
    assert sum(map(cut_mid_embedding, log)) >= 8, log
    # And the end state matches a build from scratch, vectors included.
    clean = load_settings(corpus=settings.corpus, index=tmp_path / "clean")
    assert newsdesk(["ingest", "--corpus", str(clean.corpus), "--index", str(clean.index)]
                    ).returncode == 0
    assert_same_vectors(settings, clean)


@pytest.mark.slow
def test_kill_9_around_the_vector_segment_flush(tmp_path: Path) -> None:
    """Runs past 1000 vectors, where Chroma writes its HNSW segment to disk (issue 7238)."""
    settings = load_settings(corpus=make_corpus(tmp_path / "corpus", generated=60),
                             index=tmp_path / "index", chunk_size=50, chunk_overlap=0)
    # Batches take milliseconds here: kill close to the batch boundary aimed at.
    log = run_trials(settings, 20, command=hash_ingest, fresh_every=2, jitter=0.05)
    assert log[0]["chunks_total"] > 1000, log[0]
    quarantined = [t for t in log if "damaged" in t["rebuilt"]]
    print(json.dumps({"trials": len(log), "stores_moved_aside": len(quarantined)}))


def assert_same_vectors(a: Settings, b: Settings) -> None:
    import numpy as np

    from newsdesk.index.store import close_client, get_collection, open_client

    got = []
    for settings in (a, b):
        client = open_client(settings)
        data = get_collection(client, settings.collection).get(
            include=["embeddings", "documents", "metadatas"])
        got.append({i: (d, m, np.asarray(e)) for i, d, m, e in zip(
            data["ids"], data["documents"], data["metadatas"], data["embeddings"], strict=True)})
        close_client(client)
    assert got[0].keys() == got[1].keys()
    for cid, (doc, meta, vec) in got[0].items():
        assert (doc, meta) == got[1][cid][:2]
        assert np.allclose(vec, got[1][cid][2], atol=1e-4)


def test_second_writer_fails_fast_and_readers_keep_answering(built: Built,
                                                             tmp_path: Path) -> None:
    settings = fresh_copy(built, tmp_path)
    rng = random.Random(1)
    sentences = seed_sentences()
    for path in sorted(settings.corpus.glob("gen_*.txt")):  # ~50 chunks to re-embed
        path.write_text(f"Revised briefing\n\n{' '.join(rng.sample(sentences, 12))}\n",
                        encoding="utf-8")
    writer = spawn_ingest(settings)
    lock = settings.index / ".lock"
    deadline = time.monotonic() + 60
    while f"pid {writer.proc.pid}" not in lock.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    args = ["--corpus", str(settings.corpus), "--index", str(settings.index)]
    reader = newsdesk_popen(["ask", "--json", *args, SEED_QUESTION])
    t0 = time.monotonic()
    second = newsdesk(["ingest", *args], timeout=30)
    assert time.monotonic() - t0 < 5, "a second writer must fail within 5 s"
    assert second.returncode == 2
    assert "Traceback" not in second.stderr
    assert f"being written by newsdesk ingest (pid {writer.proc.pid})" in second.stderr
    out, err = reader.communicate(timeout=300)
    writer_still_running = writer.proc.poll() is None
    assert reader.returncode == 0, err
    assert "Traceback" not in err
    answer = json.loads(out)
    assert answer["citations"]
    assert not answer["refused"]
    assert "Salyukov" in answer["answer"]
    for c in answer["citations"]:
        text = (settings.corpus / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"] : c["end"]] == c["quote"]
    assert writer.proc.wait(300) == 0
    print(json.dumps({"writer_still_running_when_reader_answered": writer_still_running}))
    assert_equals_clean_build(settings, probe_store(settings.index))


def test_kill_9_during_the_encoder_export_leaves_nothing_behind(tmp_path: Path) -> None:
    """The ONNX export stages 90 MB in the index folder: killed then, the next ingest
    removes it, and the export is made again."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index, cache = tmp_path / "index", tmp_path / "cache"  # an empty cache: it must export
    env = {"NEWSDESK_CACHE_DIR": str(cache)}
    proc = newsdesk_popen(["ingest", "--corpus", str(corpus), "--index", str(index)], **env)
    staged: list[Path] = []
    deadline = time.monotonic() + 300
    while not staged and proc.poll() is None and time.monotonic() < deadline:
        staged = [p for p in index.glob(".onnx-*.tmp") if any(p.iterdir())]
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert staged, "the export never started"
    assert proc.returncode == -signal.SIGKILL
    assert staged[0].name.endswith(f".{proc.pid}.tmp")
    assert staged[0].exists()
    # Another process's staging, still alive (this one's), is not touched.
    alive = index / f".manifest.json.{os.getpid()}.tmp"
    alive.write_text("{}")
    run = newsdesk(["ingest", "--corpus", str(corpus), "--index", str(index)], **env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert not staged[0].exists()
    assert alive.exists()
    assert [p.name for p in index.glob(".*.tmp")] == [alive.name]
    assert json.loads((index / "onnx" / "meta.json").read_text())["fused"]
    answer = newsdesk(["ask", "--json", "--index", str(index), "--corpus", str(corpus),
                       SEED_QUESTION], **env)
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert json.loads(answer.stdout)["citations"]
