"""Chat-model clients for the `local` (in-process GGUF) and `openai` (HTTP endpoint) generators."""

from __future__ import annotations

import atexit
import importlib
import queue
import secrets
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from newsdesk.errors import GeneratorUnavailable

INSTALL_HINT = "pip install -e '.[llm]'"
LOCALHOST = "127.0.0.1"
EXIT_GRACE_SECONDS = 10.0

# Local generations in flight: worker thread -> its cancel flag.
_RUNNING: dict[threading.Thread, threading.Event] = {}


def running_generations() -> list[threading.Thread]:
    """The worker threads of local generations still in flight."""
    return list(_RUNNING)


class ChatModel(Protocol):
    """A chat model that streams its reply; raises GeneratorUnavailable on failure."""

    name: str

    def stream_chat(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        """Yield the reply's text pieces as the model produces them."""
        ...

    def close(self) -> None: ...


def _require(module: str, package: str) -> ModuleType:
    """Import `module` or raise GeneratorUnavailable naming the missing `package`."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise GeneratorUnavailable(
            f"the package {package} is not installed ({exc}); install it with: {INSTALL_HINT}"
        ) from None


@atexit.register
def _stop_running_generations() -> None:
    """At exit, cancel local generations and wait (bounded) for llama.cpp to return."""
    # A daemon thread still inside llama.cpp when Python finalizes aborts the whole process
    # ("FATAL: exception not rethrown"), so in-flight generations are stopped first.
    running = list(_RUNNING.items())
    for _, cancel in running:
        cancel.set()
    for worker, _ in running:
        worker.join(EXIT_GRACE_SECONDS)


def _read_alone(handle: Callable[[dict[str, Any], Callable[[Any], bool]], Any],
                request: dict[str, Any]) -> None:
    """Have llama.cpp read `request` (a prompt, or messages) and write one token, unused.

    llama.cpp keeps the previous prompt's cache and computes only what follows the longest
    opening the next prompt shares with it, in one batch whose sums depend on where it
    starts: so what was asked before can change a reply. Read alone first, an opening every
    prompt shares is the whole cache, and the rest of each prompt is computed from its
    end. Its reply is not used: a failure shows in the request that follows.
    """
    handle({**request, "max_tokens": 1, "temperature": 0.0}, lambda reply: False)


def _check_max_tokens(max_tokens: int) -> None:
    """Raise ValueError unless max_tokens is a positive count (a programming error)."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be >= 1, got {max_tokens}")


def _rejection(error: Any) -> str:
    """The message for an error reply of llama.cpp's server (a dict with a message, or text)."""
    message = error.get("message", error) if isinstance(error, dict) else error
    return f"the local model rejected the request: {message}"


class LocalChatModel:
    """A GGUF model run in this process by xllamacpp; loaded once, on first use."""

    def __init__(
        self,
        model_path: Path,
        n_ctx: int = 4096,
        threads: int = 2,
        timeout: float = 60.0,
        http_port: int = 0,
        http_api_key: str | None = None,
    ) -> None:
        """Check the file exists; the built-in HTTP server gets `http_port` (0: any free one)."""
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise GeneratorUnavailable(f"local_model: no model file at {self.model_path}")
        self.n_ctx = n_ctx
        self.threads = threads
        self.timeout = timeout
        self.http_port = http_port
        # Bearer token for serve_http()'s server (in-process calls bypass it); random by default.
        self.http_api_key = http_api_key or secrets.token_urlsafe(24)
        self.name = f"local:{self.model_path.name}"
        self._server: Any = None
        self._load_lock = threading.Lock()
        # llama.cpp runs one slot (n_parallel=1); serialising keeps per-request timing honest.
        self._generate_lock = threading.Lock()
        self._cancels: set[threading.Event] = set()

    def _load(self) -> Any:
        """Return the xllamacpp Server, loading the model on the first call."""
        with self._load_lock:
            if self._server is not None:
                return self._server
            xllamacpp = _require("xllamacpp", "xllamacpp")
            params = xllamacpp.CommonParams()
            params.model.path = str(self.model_path)
            params.n_ctx = self.n_ctx
            params.n_parallel = 1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.sampling.temp = 0.0
            params.verbosity = 0
            # A sliding-window model (Gemma 3, the reader) otherwise keeps too little of its
            # cache to reuse a prompt's fixed opening: with the full cache the reader's
            # instruction and example are read once, not per question (docs/performance.md).
            params.swa_full = True
            # Server() always starts llama.cpp's HTTP server too: loopback only, and behind a key
            # so other local users or web pages (CORS allows any origin) cannot drive the model.
            params.hostnames = [LOCALHOST]
            params.port = self.http_port
            params.api_keys = [self.http_api_key]
            try:
                self._server = xllamacpp.Server(params)
            except Exception as exc:
                raise GeneratorUnavailable(
                    f"could not load the local model {self.model_path} "
                    f"(n_ctx={self.n_ctx}, http port {self.http_port or 'auto'}): {exc}"
                ) from None
            return self._server

    def serve_http(self) -> str:
        """Load the model if needed; return its OpenAI-compatible server, http://127.0.0.1:PORT.

        Requests need the header `Authorization: Bearer <http_api_key>`; the OpenAI API is under
        /v1, so OpenAIChatModel(url + "/v1", name, api_key=model.http_api_key) talks to it.
        """
        return str(self._load().listening_address)

    def stream_chat(
        self, messages: list[dict[str, str]], max_tokens: int
    ) -> Generator[str, None, None]:
        """Yield reply pieces (greedy); GeneratorUnavailable after `timeout` s of silence.

        The same messages get the same reply whatever was asked before: the model first
        reads the system message alone (`_read_alone`; every request shares it), and the
        rest is always computed from its end. Without the reset, 10 of 30 seed answers'
        texts changed when asked again after other questions. Without a system message
        nothing is reused.
        """
        _check_max_tokens(max_tokens)
        server = self._load()
        system = messages[:1] if messages and messages[0].get("role") == "system" else []
        request = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
            "cache_prompt": bool(system),
        }
        # handle_chat_completions blocks and calls back in the calling thread, so it runs in a
        # worker thread and hands pieces over through a queue; returning True stops generation.
        pieces: queue.Queue[tuple[str, str]] = queue.Queue()
        cancel = threading.Event()
        self._cancels.add(cancel)

        def on_chunk(chunk: dict[str, Any]) -> bool:
            if cancel.is_set():
                return True
            if "error" in chunk:
                pieces.put(("error", _rejection(chunk["error"])))
                return True
            for choice in chunk.get("choices", ()):
                text = (choice.get("delta") or {}).get("content")
                if text:
                    pieces.put(("text", text))
            return False

        def generate() -> None:
            try:
                with self._generate_lock:
                    if not cancel.is_set():
                        if system:
                            _read_alone(server.handle_chat_completions, {"messages": system})
                        server.handle_chat_completions(request, on_chunk)
            except Exception as exc:
                pieces.put(("error", f"the local model failed: {exc}"))
            finally:
                _RUNNING.pop(threading.current_thread(), None)
                pieces.put(("done", ""))

        worker = threading.Thread(target=generate, name="newsdesk-local-llm", daemon=True)
        _RUNNING[worker] = cancel
        worker.start()
        try:
            while True:
                try:
                    kind, value = pieces.get(timeout=self.timeout)
                except queue.Empty:
                    raise GeneratorUnavailable(
                        f"the local model {self.model_path.name} produced nothing "
                        f"for {self.timeout:g} s"
                    ) from None
                if kind == "done":
                    return
                if kind == "error":
                    raise GeneratorUnavailable(value)
                yield value
        finally:
            cancel.set()
            self._cancels.discard(cancel)

    def complete(self, prompt: str, max_tokens: int, stop: Sequence[str] = (),
                 opening: str = "") -> str:
        """The greedy completion of `prompt` (how a base model is asked), in this thread.

        With an `opening` (the text every prompt of a kind starts with), the model first
        reads it alone (`_read_alone`), so `prompt` is computed from the same cache
        whatever was asked before; no other request comes in between.
        """
        _check_max_tokens(max_tokens)
        server = self._load()
        request = {"prompt": prompt, "max_tokens": max_tokens, "temperature": 0.0,
                   "stop": list(stop)}
        replies: list[dict[str, Any]] = []

        def on_reply(reply: dict[str, Any]) -> bool:
            replies.append(reply)
            return False  # not streamed: one reply, nothing to stop

        try:
            with self._generate_lock:
                if opening:
                    _read_alone(server.handle_completions, {"prompt": opening})
                server.handle_completions(request, on_reply)
        except Exception as exc:
            raise GeneratorUnavailable(f"the local model failed: {exc}") from None
        for reply in replies:
            if "error" in reply:
                raise GeneratorUnavailable(_rejection(reply["error"]))
        return "".join(str(choice.get("text") or "") for reply in replies
                       for choice in reply.get("choices", ()))

    def close(self) -> None:
        """Stop running generations and unload the model; a later call loads it again."""
        for cancel in list(self._cancels):
            cancel.set()
        with self._load_lock:
            # Dropping the last reference stops llama.cpp's threads and its HTTP server.
            self._server = None


class OpenAIChatModel:
    """Any OpenAI-compatible chat endpoint, reached through llama-index's OpenAILike."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "not-needed",
        timeout: float = 60.0,
        max_retries: int = 0,
    ) -> None:
        """Build the client; nothing is sent until stream_chat."""
        if not base_url:
            raise GeneratorUnavailable("openai_base_url: no URL given for the openai generator")
        openai_like = _require("llama_index.llms.openai_like", "llama-index-llms-openai-like")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.name = f"openai:{model}"
        # httpx applies `timeout` to connecting and to each read, so a silent server fails after
        # `timeout` s. openai retries timeouts too, so each retry adds up to `timeout` s again:
        # hence no retries by default.
        self._llm = openai_like.OpenAILike(
            model=model,
            api_base=self.base_url,
            api_key=api_key,
            is_chat_model=True,
            temperature=0.0,
            timeout=timeout,
            max_retries=max_retries,
        )

    def _unavailable(self, exc: BaseException) -> GeneratorUnavailable:
        """Translate a client/transport exception into a message for the user."""
        status = getattr(exc, "status_code", None)
        if status is not None:
            body = getattr(exc, "body", None)
            detail = body.get("message", body) if isinstance(body, dict) else exc
            return GeneratorUnavailable(
                f"the model server at {self.base_url} answered HTTP {status}: {detail}"
            )
        detail = str(exc) or type(exc).__name__
        cause = exc.__cause__
        if cause is not None and str(cause) and str(cause) not in detail:
            # openai says only "Connection error."; the transport error says why.
            detail = f"{detail.rstrip('.')}: {cause}"
        if "timed out" in detail.lower() or "timeout" in type(exc).__name__.lower():
            detail = f"no answer within {self.timeout:g} s ({detail})"
        return GeneratorUnavailable(
            f"the model server at {self.base_url} stopped answering: {detail}"
        )

    def stream_chat(
        self, messages: list[dict[str, str]], max_tokens: int
    ) -> Generator[str, None, None]:
        """Yield reply deltas; GeneratorUnavailable if the server fails, goes silent or quits."""
        _check_max_tokens(max_tokens)
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        finished = False
        try:
            for response in self._llm.stream_chat(chat, max_tokens=max_tokens):
                choices = getattr(response.raw, "choices", None) or ()
                if any(getattr(c, "finish_reason", None) for c in choices):
                    finished = True
                if response.delta:
                    yield response.delta
        except Exception as exc:
            raise self._unavailable(exc) from None
        if not finished:
            # A server that dies between SSE events can close the stream without an error.
            raise GeneratorUnavailable(
                f"the model server at {self.base_url} stopped answering: "
                "the reply ended before the model finished"
            )

    def close(self) -> None:
        """Close the HTTP connections; the instance must not be used afterwards."""
        client = getattr(self._llm, "_client", None)
        if client is not None:
            client.close()
