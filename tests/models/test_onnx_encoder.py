"""The ONNX query encoder: same vectors as sentence-transformers, no torch on the query path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from newsdesk.bench.corpora import article, rgb_path, sentence_pool
from newsdesk.models.embed import (
    build_embedder,
    build_query_embedder,
    prepare_query_encoder,
    token_reader,
)
from newsdesk.models.onnx_encoder import (
    MIN_COSINE,
    OnnxEncoder,
    _fuse,
    _install,
    cache_dir,
    export_dir,
    export_key,
    exported,
    length_batches,
    physical_cores,
    prune_cache,
)
from newsdesk.settings import load_settings
from tests.fakes import SEEDS, dead_pid

pytest.importorskip("onnx", reason="torch.onnx.export needs the onnx package")


def test_the_cache_keeps_the_newest_exports_and_the_current_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path))
    root = cache_dir()
    for age, key in enumerate(["new", "newer-than-old", "old", "older", "current"]):
        (root / key).mkdir(parents=True)
        (root / key / "model.onnx").write_bytes(b"x")
        os.utime(root / key, (1_000_000 - age * 10, 1_000_000 - age * 10))
    assert sorted(prune_cache("current", keep=3)) == ["old", "older"]
    assert sorted(p.name for p in root.iterdir()) == ["current", "new", "newer-than-old"]
    assert prune_cache("current", keep=3) == []
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "missing"))
    assert prune_cache("current") == []


def test_batches_are_longest_first_and_never_pad_a_text_past_its_share() -> None:
    lengths = [10, 200, 90, 120, 30, 100, 4]
    batches = length_batches(lengths, 3, fill=0.5)
    assert batches == [[1, 3, 5], [2], [4], [0], [6]]
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(2 * lengths[i] >= lengths[b[0]] for b in batches for i in b)
    # The default pads a text to at most 4/3 of its length: 100 no longer joins 200.
    assert length_batches(lengths, 3) == [[1], [3, 5, 2], [4], [0], [6]]
    assert length_batches([], 32) == []


def test_batches_by_word_pieces_pad_as_the_tokenizer_does(built) -> None:  # type: ignore[no-untyped-def]
    """Texts are batched by their count of word pieces and padded by hand: each text's
    vector and states are those of the text run alone, in any batch."""
    settings, _ = built
    path = exported(settings.index, settings.embed_model_path())
    assert path is not None
    texts = ["Moscow", "Iran's chief of staff held talks in Moscow on military cooperation.",
             "x", "Shares rose 3.2% to $41.07 after the company beat forecasts." * 3]
    batched = OnnxEncoder(path, settings.embed_model_path(), batch_size=4)
    alone = OnnxEncoder(path, settings.embed_model_path(), batch_size=1)
    assert np.allclose(batched.encode(texts), alone.encode(texts), atol=1e-5)
    threads = batched.session.get_session_options().intra_op_num_threads
    assert threads == physical_cores()  # told the count, onnxruntime sets no affinity
    fresh = OnnxEncoder(path, settings.embed_model_path(), batch_size=1)
    for (got, at), (want, where) in zip(batched.token_states(texts), fresh.token_states(texts),
                                        strict=True):
        assert at == where
        assert got.shape == want.shape
        assert np.allclose(got, want, atol=1e-4)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """An index folder with the exported encoder, and the torch embedder it was checked with."""
    index = tmp_path_factory.mktemp("index")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSDESK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        settings = load_settings(index=index, embed_backend="onnx")
        torch_embedder = build_embedder(settings)
        assert prepare_query_encoder(settings, lambda: torch_embedder) == ""
        yield settings, torch_embedder


def texts() -> list[str]:
    """Many real sentences and passages, plus the awkward cases."""
    pool = sentence_pool()
    out = pool[:: max(1, len(pool) // 150)]
    out += [article(i, pool) for i in range(20)]  # article-length: truncated at 256 tokens
    passages = sorted(rgb_path().glob("*.txt"))[:50] if rgb_path().is_dir() else []
    out += [p.read_text(encoding="utf-8") for p in passages]
    out += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return out + ["", "a", "?!", "ÆØÅ 東京 — ünïcode", "word " * 600]


def test_export_matches_sentence_transformers(built) -> None:  # type: ignore[no-untyped-def]
    settings, torch_embedder = built
    path = exported(settings.index, settings.embed_model_path())
    assert path is not None
    sample = texts()
    assert len(sample) > 100
    got = OnnxEncoder(path, settings.embed_model_path()).encode(sample)
    want = np.asarray(torch_embedder.get_text_embedding_batch(sample), dtype=np.float32)
    cosine = np.sum(got * want, axis=1) / np.linalg.norm(want, axis=1)
    assert float(cosine.min()) >= MIN_COSINE
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)


def test_the_export_fuses_each_layers_attention(built) -> None:  # type: ignore[no-untyped-def]
    """The graph runs each layer's attention as one operator (the query path's speed);
    `test_export_matches_sentence_transformers` shows it computes the same."""
    import onnx

    settings, _ = built
    path = exported(settings.index, settings.embed_model_path())
    assert path is not None
    layers = json.loads((settings.embed_model_path() / "config.json").read_text())[
        "num_hidden_layers"]
    ops = [node.op_type for node in onnx.load(str(path), load_external_data=False).graph.node]
    assert ops.count("Attention") == layers
    assert "Softmax" not in ops  # no attention left unfused
    meta = json.loads((path.parent / "meta.json").read_text())
    assert meta["fused"]["Attention"] == layers
    assert not list(path.parent.glob("unfused-*"))


def test_an_export_the_optimizer_cannot_fuse_is_kept_unfused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import onnxruntime.transformers.optimizer as optimizer

    def fails(*args: object, **kwargs: object) -> None:
        raise ValueError("unknown pattern")

    monkeypatch.setattr(optimizer, "optimize_model", fails)
    raw, dest = tmp_path / "unfused-model.onnx", tmp_path / "model.onnx"
    raw.write_bytes(b"graph")
    config = type("Config", (), {"num_attention_heads": 12, "hidden_size": 384})()
    assert _fuse(raw, dest, config) == {}
    assert dest.read_bytes() == b"graph"
    assert not raw.exists()


def test_query_embedding_matches(built) -> None:  # type: ignore[no-untyped-def]
    settings, torch_embedder = built
    encoder = build_query_embedder(settings, lambda: pytest.fail("must not fall back"))
    assert isinstance(encoder, OnnxEncoder)
    question = "Which Russian general did Mohammad Bagheri meet on Monday?"
    a = np.asarray(encoder.get_query_embedding(question))
    b = np.asarray(torch_embedder.get_query_embedding(question))
    assert float(a @ b / np.linalg.norm(b)) >= MIN_COSINE
    batch = encoder.get_text_embedding_batch(["one", "two words", "three"])
    assert [len(v) for v in batch] == [384, 384, 384]


def test_word_piece_states_match_torch(built) -> None:  # type: ignore[no-untyped-def]
    """The graph's second output: the same states, and the same pieces, as torch reads them
    (the short answer's context fit must not depend on the backend)."""
    settings, torch_embedder = built
    encoder = build_query_embedder(settings, lambda: pytest.fail("must not fall back"))
    sample = ["Beyond Meat COO Doug Ramsey was arrested after a football game.", "x",
              "Shares rose 3.2% to $41.07; 1,200 jobs will go.", "word " * 600]
    onnx_read, torch_read = token_reader(encoder), token_reader(torch_embedder)
    assert onnx_read is not None
    assert torch_read is not None
    for text, (got, where), (want, want_where) in zip(
            sample, onnx_read(sample), torch_read(sample), strict=True):
        assert where == want_where  # [CLS] and [SEP] left out, offsets into the text
        assert got.shape == (len(where), 384)
        assert float(np.abs(got - want).max()) < 1e-3
        assert all(0 <= a < b <= len(text) for a, b in where)
    first = onnx_read(sample[:1])[0][1]
    assert [sample[0][a:b] for a, b in first[:5]] == ["Beyond", "Meat", "CO", "O", "Doug"]
    assert len(onnx_read(["word " * 600])[0][1]) == 254  # truncated at 256 with [CLS]/[SEP]
    assert token_reader(object()) is None


def test_a_new_index_adopts_the_cached_export(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    model_dir = settings.embed_model_path()
    assert (cache_dir() / export_key(model_dir) / "model.onnx").is_file()
    adopted = exported(tmp_path / "index", model_dir)
    assert adopted == export_dir(tmp_path / "index") / "model.onnx"
    assert adopted.read_bytes() == exported(settings.index, model_dir).read_bytes()  # type: ignore[union-attr]


def test_stale_or_broken_export_is_not_used(built, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    settings, _ = built
    model_dir = settings.embed_model_path()
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "empty-cache"))
    folder = export_dir(tmp_path)
    folder.mkdir()
    assert exported(tmp_path, model_dir) is None  # nothing there
    (folder / "model.onnx").write_bytes(b"not a model")
    (folder / "meta.json").write_text(json.dumps({"key": "other", "min_cosine": 1.0}))
    assert exported(tmp_path, model_dir) is None  # another model's export
    meta = json.loads((export_dir(settings.index) / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps(meta))
    # Current key but a corrupt file: the query path falls back to torch instead of failing.
    other = load_settings(index=tmp_path, embed_backend="onnx")
    sentinel = object()
    assert build_query_embedder(other, lambda: sentinel) is sentinel  # type: ignore[arg-type, return-value]


def test_torch_backend_skips_onnx(built) -> None:  # type: ignore[no-untyped-def]
    settings, torch_embedder = built
    torch_settings = load_settings(index=settings.index, embed_backend="torch")
    assert build_query_embedder(torch_settings, lambda: torch_embedder) is torch_embedder
    assert prepare_query_encoder(torch_settings, lambda: torch_embedder) == ""


def test_llama_index_adapter(built) -> None:  # type: ignore[no-untyped-def]
    from newsdesk.models.onnx_embed import OnnxEmbedding

    settings, _ = built
    path = exported(settings.index, settings.embed_model_path())
    assert path is not None
    adapter = OnnxEmbedding(path, settings.embed_model_path(), embed_batch_size=8)
    direct = OnnxEncoder(path, settings.embed_model_path())
    vec = adapter.get_query_embedding("Moscow talks")
    assert np.allclose(vec, direct.get_query_embedding("Moscow talks"), atol=1e-6)
    assert len(adapter.get_text_embedding_batch(["a", "b"] * 9)) == 18


def test_query_encoder_imports_neither_torch_nor_llama_index(built) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from newsdesk.models.embed import build_query_embedder\n"
        "from newsdesk.settings import load_settings\n"
        f"s = load_settings(index=Path({str(settings.index)!r}), embed_backend='onnx')\n"
        "e = build_query_embedder(s, lambda: sys.exit('fell back to torch'))\n"
        "assert len(e.get_query_embedding('hello')) == 384\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'llama_index.core') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_ask_on_a_built_index_loads_no_torch(built) -> None:  # type: ignore[no-untyped-def]
    """The cold-start path: `ask` on an index with its export never imports torch."""
    from newsdesk.ingest.pipeline import ingest

    settings, torch_embedder = built
    ingest(settings, lambda: torch_embedder)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from newsdesk import Assistant\n"
        f"a = Assistant.from_settings(index=Path({str(settings.index)!r}), embed_backend='onnx')\n"
        "assert a.ensure_index() is None\n"
        "answer = a.ask('Which Russian general did Heidari meet in Moscow?')\n"
        "assert 'Salyukov' in answer.answer, answer.answer\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'llama_index.core') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_a_question_is_encoded_once_and_its_sentences_states_come_from_that_pass(built) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    path = exported(settings.index, settings.embed_model_path())
    assert path is not None
    encoder = OnnxEncoder(path, settings.embed_model_path())
    runs: list[int] = []
    real_run = encoder.session.run

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(1)
        return real_run(*args, **kwargs)

    encoder.session.run = counted  # type: ignore[method-assign]
    first = encoder.get_query_embedding("Who met Bagheri in Moscow?")
    first[0] = 99.0  # the caller's copy: the kept vector stays as computed
    again = encoder.get_query_embedding("Who met Bagheri in Moscow?")
    assert len(runs) == 1
    assert again[0] != 99.0
    sentences = ["Bagheri met Shoigu in Moscow on Monday.", "Talks went on for two days."]
    encoder.encode(sentences)
    passes = len(runs)
    states = encoder.token_states(sentences[::-1])
    assert len(runs) == passes  # the states of the pass that embedded them
    assert [len(offsets) for _, offsets in states] == [
        len(o) for _, o in OnnxEncoder(path, settings.embed_model_path()).token_states(
            sentences[::-1])]


def test_an_install_removes_what_a_killed_install_left_there(tmp_path: Path) -> None:
    source, dest = tmp_path / "export", tmp_path / "cache" / "key"
    source.mkdir()
    dest.mkdir(parents=True)
    (source / "model.onnx").write_bytes(b"graph")
    (source / "meta.json").write_text("{}")
    left = dest / f".model.onnx.{dead_pid()}.tmp"  # killed while copying 90 MB into the cache
    left.write_bytes(b"half a graph")
    live = dest / f".meta.json.{os.getppid()}.tmp"
    live.write_text("{}")
    _install(source, dest)
    assert not left.exists()
    assert live.exists()
    assert (dest / "model.onnx").read_bytes() == b"graph"
    assert sorted(p.name for p in dest.iterdir()) == sorted([live.name, "meta.json", "model.onnx"])


def test_physical_cores_count_each_allowed_core_once(tmp_path: Path) -> None:
    # Four CPUs, two cores with two hyperthreads each (0 and 2 share core 0).
    for cpu, core in enumerate([0, 1, 0, 1]):
        topology = tmp_path / f"cpu{cpu}" / "topology"
        topology.mkdir(parents=True)
        (topology / "physical_package_id").write_text("0\n")
        (topology / "core_id").write_text(f"{core}\n")
    assert physical_cores([0, 1, 2, 3], tmp_path) == 2
    assert physical_cores([0, 2], tmp_path) == 1  # limited to one core's two CPUs
    assert physical_cores([0, 1, 4], tmp_path) == 0  # a CPU the system says nothing of
    assert physical_cores([0], tmp_path / "none") == 0
    assert physical_cores() >= 1 or not Path("/sys/devices/system/cpu/cpu0/topology").is_dir()
