"""Query-time MiniLM on onnxruntime + tokenizers: sentence-transformers' vectors without torch.

Importing torch and sentence-transformers costs 6-9 s, more than the whole cold-start
budget of `newsdesk ask`. So ingest (which loads torch anyway) exports the model once
into the index folder — rebuildable, like everything there; a machine-wide cache copy
spares new indexes the export — and queries load only onnxruntime (~0.3 s) and
tokenizers (~0.1 s). This module imports neither torch nor llama-index; the export
imports torch inside the function.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.staging import staged, suffix, sweep

if TYPE_CHECKING:
    import numpy as np

    # A text's word-piece states (n, 384) and each piece's character offsets.
    States = tuple[np.ndarray, list[tuple[int, int]]]

GRAPH_VERSION = 3  # bump when the exported graph (pooling, inputs, outputs, opset, fusion) changes
MAX_LENGTH = 256  # all-MiniLM-L6-v2's max_seq_length in sentence-transformers
CACHE_KEEP = 3  # exports kept in the machine-wide cache (`prune_cache`)
# `length_batches`: a text is padded to at most 4/3 of its word pieces. Against 1/2, the
# encoder ran 1.10 padded pieces per real one instead of 1.31 on rtqa_train questions, in
# 9.8 batches per question instead of 7.3 (each pass has a fixed cost; 0.9 and 1.0 were
# slower); BENCHMARKS.md, "Reading faster, every answer the same".
FILL = 0.75
QUERIES_KEPT = 64  # question vectors kept by `get_query_embedding`
STATES_BYTES = 32 << 20  # word-piece states kept for `token_states`: some hundreds of sentences
MIN_COSINE = 0.999  # an export must reproduce sentence-transformers this closely to be used
PROBES = (
    "Which Russian general did Mohammad Bagheri meet on Monday?",
    "x",
    "TEHRAN – Iran's chief of staff held talks in Moscow on military cooperation. " * 30,
    "Die Zentralbank hat den Leitzins am Donnerstag unverändert gelassen.",
    "Shares rose 3.2% to $41.07 after the company beat forecasts; 1,200 jobs will go.",
    "  Breaking:\n\nthe storm made landfall near   Tampa (Fla.) at 5 a.m. ET.  ",
)


def export_key(model_dir: Path) -> str:
    """What must match for an exported graph to stand for the model folder's weights."""
    weights = sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin"))
    stats = [(w.name, w.stat().st_size, w.stat().st_mtime_ns) for w in weights]
    raw = json.dumps([str(model_dir.resolve()), stats, GRAPH_VERSION, MAX_LENGTH])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def export_dir(index: Path) -> Path:
    return index / "onnx"


def cache_dir() -> Path:
    """The machine-wide copy of exports, so a new index (or test) need not export again."""
    root = os.environ.get("NEWSDESK_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "newsdesk")
    return Path(root) / "onnx"


def _valid(folder: Path, key: str) -> Path | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path = folder / "model.onnx"
    ok = meta.get("key") == key and meta.get("min_cosine", 0) >= MIN_COSINE
    return path if ok and path.is_file() else None


def exported(index: Path, model_dir: Path) -> Path | None:
    """The current export for this model in the index folder (adopted from the cache)."""
    key = export_key(model_dir)
    found = _valid(export_dir(index), key)
    if found is not None:
        return found
    cached = _valid(cache_dir() / key, key)
    if cached is None:
        return None
    try:
        _install(cached.parent, export_dir(index))
    except OSError:  # a read-only index folder: the cached copy serves as well
        return cached
    return _valid(export_dir(index), key)


def prune_cache(current: str, keep: int = CACHE_KEEP) -> list[str]:
    """Remove all but the `keep` most recent exports from the machine-wide cache, never
    `current`; the keys removed. Each export is about 90 MB, and a new graph version or
    model folder (a new virtualenv) makes a new one; an index keeps its own copy, so a
    removed export only costs the next new index of that model one export."""
    import shutil

    root = cache_dir()
    try:
        entries = [(f.stat().st_mtime, f.name) for f in root.iterdir()
                   if f.is_dir() and f.name != current]
    except OSError:
        return []
    removed = [name for _, name in sorted(entries, reverse=True)[max(0, keep - 1):]]
    for name in removed:
        shutil.rmtree(root / name, ignore_errors=True)
    return removed


def _install(source: Path, dest: Path) -> None:
    """Hard-link (or copy) an export into `dest`; the meta file last, so it is never ahead.
    What a killed install left there (a 90 MB copy, across file systems) goes first."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    sweep(dest)
    for name in ("model.onnx", "meta.json"):
        tmp = staged(dest / name)
        tmp.unlink(missing_ok=True)
        try:
            os.link(source / name, tmp)
        except OSError:
            shutil.copyfile(source / name, tmp)
        os.replace(tmp, dest / name)


def physical_cores(cpus: Iterable[int] | None = None, sysfs: Path = Path("/sys/devices/system/cpu")
                   ) -> int:
    """The physical cores this process may run on (its CPU affinity, hyperthreads counted
    once); 0 when the system does not say.

    onnxruntime, left to choose, takes the machine's physical cores and sets its threads'
    affinity ("leaving at default also enables some affinitization", its threading
    guide). Told the same count, it does not: on the 2-core machine of BENCHMARKS.md
    ("Encoder threads") generate p50 on `rtqa_dev` went from 327 to 314 ms (medians of
    nine alternating runs), every answer the same. A process limited to fewer CPUs
    (taskset, a container's cpuset) gets that many threads, not the machine's count."""
    try:
        allowed = sorted(os.sched_getaffinity(0) if cpus is None else cpus)
        cores = set()
        for cpu in allowed:
            topology = sysfs / f"cpu{cpu}" / "topology"
            cores.add(((topology / "physical_package_id").read_text().strip(),
                       (topology / "core_id").read_text().strip()))
    except (AttributeError, OSError):  # no sched_getaffinity (macOS) or no sysfs
        return 0
    return len(cores)


class OnnxEncoder:
    """Mean-pooled, L2-normalized MiniLM vectors from an exported graph; thread-safe."""

    def __init__(self, onnx_file: Path, model_dir: Path, batch_size: int = 32):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        threads = int(os.environ.get("NEWSDESK_ONNX_THREADS", "0")) or physical_cores()
        options.intra_op_num_threads = threads  # 0: onnxruntime picks (`physical_cores`)
        self.session = ort.InferenceSession(
            str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json ships with truncation/padding fixed at 128; sentence-transformers
        # truncates at 256 and pads to the longest text of the batch (`_feeds` pads here,
        # once the texts are batched by their count of word pieces).
        self.tokenizer.enable_truncation(max_length=MAX_LENGTH)
        self.tokenizer.no_padding()
        self.batch_size = batch_size
        # The word-piece states of the texts `encode` ran lately, so `token_states` of a
        # sentence just embedded costs nothing: the same pass computes both.
        self._states: OrderedDict[str, States] = OrderedDict()
        self._states_bytes = 0
        self._queries: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def token_states(self, texts: Sequence[str]) -> list[States]:
        """Per text, the transformer's last hidden state of each of its word pieces
        (float32, shape (n, 384), before pooling) and each piece's character offsets;
        [CLS] and [SEP] are left out. A piece's state carries its sentence's context: the
        mean over a span's pieces is what the span means there (`answer.short`). A text
        `encode` ran lately is not run again."""
        with self._lock:
            out: list[Any] = [self._states.get(t) for t in texts]
        missing = [i for i, got in enumerate(out) if got is None]
        _, states = self._passes([texts[i] for i in missing])
        for i, state in zip(missing, states, strict=True):
            out[i] = state
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (float32, shape (n, 384)), in input order."""
        import numpy as np

        vectors, _ = self._passes(list(texts))
        return np.stack(vectors) if vectors else np.zeros((0, 384), dtype=np.float32)

    def _passes(self, texts: list[str]) -> tuple[list[np.ndarray], list[States]]:
        """Each text's vector and word-piece states, in input order: tokenized once,
        run in `length_batches` of their word pieces."""
        vectors: list[Any] = [None] * len(texts)
        states: list[Any] = [None] * len(texts)
        pieces = self.tokenizer.encode_batch(texts)
        for idx in length_batches([len(e.ids) for e in pieces], self.batch_size):
            got, kept = self._run([texts[i] for i in idx], [pieces[i] for i in idx])
            for i, vector, state in zip(idx, got, kept, strict=True):
                vectors[i], states[i] = vector, state
        return vectors, states

    def _run(self, texts: list[str], batch: list[Any]) -> tuple[np.ndarray, list[States]]:
        """One pass over a batch (the texts and their word pieces, unpadded): the texts'
        vectors and their pieces' states (kept for `token_states`, up to STATES_BYTES)."""
        import numpy as np

        vectors, tokens = self.session.run(["embedding", "tokens"], self._feeds(batch))
        tokens = np.asarray(tokens)
        states: list[States] = []
        for row, e in enumerate(batch):
            # Each read of `e.offsets` builds the whole list anew: read it once (reading
            # it per piece took about 1 ms a sentence).
            offsets = e.offsets
            keep = [k for k, special in enumerate(e.special_tokens_mask) if not special]
            states.append((tokens[row, keep], [(offsets[k][0], offsets[k][1]) for k in keep]))
        with self._lock:
            for text, state in zip(texts, states, strict=True):
                if text not in self._states:
                    self._states[text] = state
                    self._states_bytes += state[0].nbytes
                self._states.move_to_end(text)
            while self._states_bytes > STATES_BYTES:
                _, (dropped, _) = self._states.popitem(last=False)
                self._states_bytes -= dropped.nbytes
        return np.asarray(vectors), states

    def _feeds(self, batch: list[Any]) -> dict[str, np.ndarray]:
        import numpy as np

        # Padded to the batch's longest with [PAD] (id 0), type 0 and mask 0, as the
        # tokenizer's own padding does.
        width = max(len(e.ids) for e in batch)
        feeds = {name: np.zeros((len(batch), width), dtype=np.int64)
                 for name in ("input_ids", "attention_mask", "token_type_ids")}
        for row, e in enumerate(batch):
            feeds["input_ids"][row, : len(e.ids)] = e.ids
            feeds["attention_mask"][row, : len(e.ids)] = e.attention_mask
            feeds["token_type_ids"][row, : len(e.ids)] = e.type_ids
        return {k: v for k, v in feeds.items() if k in self.inputs}

    # The two calls the query path makes, with llama-index's names and shapes.
    def get_query_embedding(self, query: str) -> list[float]:
        """The question's vector; the last few are kept (retrieval and the answer's
        scoring both ask for it)."""
        with self._lock:
            found = self._queries.get(query)
            if found is not None:
                self._queries.move_to_end(query)
                return list(found)
        vector: list[float] = self.encode([query])[0].tolist()
        with self._lock:
            self._queries[query] = vector
            while len(self._queries) > QUERIES_KEPT:
                self._queries.popitem(last=False)
        return list(vector)

    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[list[float]]:
        return list(self.encode(texts).tolist())


def length_batches(lengths: Sequence[int], size: int, fill: float = FILL) -> list[list[int]]:
    """Indexes in batches of at most `size`, longest first; a batch also ends before a text
    shorter than `fill` of its first, so no text is padded past 1/`fill` of its length.

    The lengths are counts of word pieces: the encoder's work grows with the padded
    batch, so length-sorted batches waste less, as sentence-transformers' encode does
    (a question's ~30 sentences in one batch of 32 were all padded to the longest).
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out: list[list[int]] = []
    for i in order:
        if not out or len(out[-1]) == size or lengths[i] < fill * lengths[out[-1][0]]:
            out.append([])
        out[-1].append(i)
    return out


def export(model_dir: Path, index: Path, reference: Callable[[list[str]], Any]) -> float:
    """Export the model into the index folder and the cache; the worst cosine vs `reference`.

    `reference(texts) -> vectors` is sentence-transformers (the ingest embedder); the
    graph is kept only when every probe text agrees to `MIN_COSINE`.
    """
    import tempfile

    import numpy as np

    key = export_key(model_dir)
    index.mkdir(parents=True, exist_ok=True)
    # Named `.onnx-<random>.<pid>.tmp`: if this process is killed, the next ingest
    # removes it (`index.store.remove_leftovers`).
    with tempfile.TemporaryDirectory(dir=index, prefix=".onnx-", suffix=suffix()) as tmp:
        work = Path(tmp)
        fused = _torch_export(model_dir, work / "model.onnx")
        got = OnnxEncoder(work / "model.onnx", model_dir).encode(list(PROBES))
        want = np.asarray(reference(list(PROBES)), dtype=np.float32)
        want /= np.linalg.norm(want, axis=1, keepdims=True)
        worst = float(np.min(np.sum(got * want, axis=1)))
        if worst < MIN_COSINE:
            return worst
        meta = {"key": key, "min_cosine": worst, "probes": len(PROBES), "fused": fused}
        (work / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        _install(work, export_dir(index))
    with contextlib.suppress(OSError):  # no writable cache: the index folder has its copy
        _install(export_dir(index), cache_dir() / key)
        prune_cache(key)
    return worst


def _torch_export(model_dir: Path, dest: Path) -> dict[str, int]:
    """Transformer + mean pooling + L2 norm, as one graph with dynamic batch and length;
    its second output is the transformer's hidden states (`OnnxEncoder.token_states`).
    The graph is then fused (`_fuse`); the fused operators, by kind."""
    import torch
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        def __init__(self, model: Any):
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1), hidden

    # Eager attention: the fuser recognizes its pattern, not that of torch's
    # scaled_dot_product_attention (the default); both compute the same.
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    raw = dest.with_name(f"unfused-{dest.name}")
    ids = torch.ones((2, 8), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes: dict[str, Any] = {n: {0: "batch", 1: "tokens"} for n in names}
    # The tracer warns about shape-dependent Python branches in transformers' BERT; the
    # probe comparison in `export` is what decides whether the graph is right.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(model), (ids, ids, torch.zeros_like(ids)), str(raw), input_names=names,
            output_names=["embedding", "tokens"],
            dynamic_axes={**axes, "embedding": {0: "batch"}, "tokens": {0: "batch", 1: "tokens"}},
            opset_version=17, dynamo=False,
        )
    return _fuse(raw, dest, model.config)


def _fuse(raw: Path, dest: Path, config: Any) -> dict[str, int]:
    """onnxruntime's transformer optimizer on the exported graph, into `dest`: each layer's
    attention becomes one operator, as do the embeddings with their normalization and
    each residual add with its normalization. On `rtqa_dev` generate p50 went from 341
    to 323 ms (medians of three alternating `newsdesk eval` runs; BENCHMARKS.md, "Fused
    attention") with every answer the same: the fused graph computes the same vectors
    (`export`'s probes check it). If the optimizer cannot run, the unfused graph is
    used, as right and a little slower. Returns the fused operators, by kind ({} unfused)."""
    import logging

    try:
        # (Importing it appends its folder to sys.path, after every other: it shadows
        # nothing. Only ingest's export imports it.)
        from onnxruntime.transformers.optimizer import optimize_model

        model = optimize_model(str(raw), model_type="bert",
                               num_heads=config.num_attention_heads,
                               hidden_size=config.hidden_size)
        model.save_model_to_file(str(dest))
        counts = model.get_fused_operator_statistics()
    except Exception as exc:  # an optimization: the unfused graph is right too
        logging.getLogger(__name__).warning("newsdesk: ONNX graph not fused (%s)", exc)
        os.replace(raw, dest)
        return {}
    raw.unlink(missing_ok=True)
    return {kind: n for kind, n in sorted(counts.items()) if n}
