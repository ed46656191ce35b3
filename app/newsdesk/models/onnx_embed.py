"""`OnnxEmbedding`: the exported MiniLM as a llama-index `BaseEmbedding`, for llama-index users.

newsdesk's own query path uses `OnnxEncoder` directly: importing llama-index costs about
a second of the cold-start budget, and the encoder already has the two calls it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from newsdesk.models.onnx_encoder import OnnxEncoder


class OnnxEmbedding(BaseEmbedding):
    """Sentence-transformers-equal vectors from an exported graph (see `onnx_encoder`)."""

    _encoder: OnnxEncoder = PrivateAttr()

    def __init__(self, onnx_file: Path, model_dir: Path, **kwargs: Any):
        super().__init__(model_name=f"onnx:{Path(model_dir).name}", **kwargs)
        self._encoder = OnnxEncoder(Path(onnx_file), Path(model_dir), self.embed_batch_size)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.get_query_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.get_text_embedding_batch(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)
