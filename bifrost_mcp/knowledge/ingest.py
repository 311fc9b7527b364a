"""Ingest files and folders into a namespace: resumable (unchanged files are skipped by content hash).

A document's key is its path relative to the ingested folder (POSIX separators), or the file's name for a
file given directly. Hidden files and folders are ignored. A file that cannot be read is reported in the
summary with its reason; the run goes on. Files removed from a folder stay stored until deleted.
Reading, embedding and writing overlap (see `_Pipeline`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge.errors import lone_error
from bifrost_mcp.knowledge.extract import ExtractionError, extract_text
from bifrost_mcp.knowledge.progress import progress_bar
from bifrost_mcp.knowledge.records import content_hash
from bifrost_mcp.knowledge.view import EmbeddedBatch, KnowledgeView

_BATCH_DOCS, _BATCH_CHARS = 256, 400_000  # big batches let the embedder group texts of similar length
_READ_GROUP = 32  # files read per thread hop
_EMBEDDING = 2  # batches being embedded at once
_Batch = list[tuple[Path, dict[str, Any]]]
_Embedded = list[tuple[_Batch, EmbeddedBatch]]


@dataclass(frozen=True)
class IngestFailure:
    path: str
    reason: str


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[IngestFailure] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{len(self.added)} added, {len(self.updated)} updated, {len(self.skipped)} unchanged"
        text += f", {len(self.failed)} failed" if self.failed else ""
        return text + "".join(f"\n  {f.path}: {f.reason}" for f in self.failed)


async def ingest(
    paths: Iterable[str | Path], namespace: str, service: KnowledgeView, *, progress: bool = False
) -> IngestSummary:
    summary = IngestSummary()
    roots = [Path(p) for p in paths]
    files = await anyio.to_thread.run_sync(lambda: list(_files(roots, summary)))
    known = await service.fingerprints(namespace, [key for _, key in files])
    with progress_bar(progress) as bar:
        task = bar.add_task(f"ingesting into {namespace}", total=len(files))
        pipeline = _Pipeline(service, namespace, known, summary, lambda n: bar.advance(task, n))
        await pipeline.run(files)
    for keys in (summary.added, summary.updated, summary.skipped):
        keys.sort()  # batches finish in any order; the summary reads the same every time
    return summary


class _Pipeline:
    """Read, embed and write in stages that overlap, so the embedder never waits for files or for Chroma.

    Files are read a group per thread hop into batches; two batches are embedded at once (the embedder
    caps the passes in flight, so the second one's first passes fill the cores while the first one's last
    pass finishes); one writer replaces the embedded batches' chunks in Chroma, a batch at a time.
    """

    def __init__(
        self,
        service: KnowledgeView,
        namespace: str,
        known: dict[str, str],
        summary: IngestSummary,
        advance: Callable[[int], None],
    ) -> None:
        self._service, self._namespace, self._known = service, namespace, known
        self._summary, self._advance = summary, advance

    async def run(self, files: list[tuple[Path, str]]) -> None:
        with lone_error():
            await self._stages(files)

    async def _stages(self, files: list[tuple[Path, str]]) -> None:
        send_docs, receive_docs = anyio.create_memory_object_stream[_Batch](1)
        send_embedded, receive_embedded = anyio.create_memory_object_stream[_Embedded](1)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._read, files, send_docs)
            async with receive_docs, send_embedded:
                for _ in range(_EMBEDDING):
                    tasks.start_soon(self._embed, receive_docs.clone(), send_embedded.clone())
            tasks.start_soon(self._write, receive_embedded)

    async def _read(self, files: list[tuple[Path, str]], send: MemoryObjectSendStream[_Batch]) -> None:
        """Batches of the readable files whose content differs from what is stored."""
        async with send:
            seen: dict[str, Path] = {}
            fresh: list[tuple[Path, str]] = []
            for path, key in files:
                if key in seen:
                    self._fail(path, f"same key {key!r} as {seen[key]}: ingest one of them")
                else:
                    seen[key] = path
                    fresh.append((path, key))
            batch: _Batch = []
            chars = 0
            for start in range(0, len(fresh), _READ_GROUP):
                group = fresh[start : start + _READ_GROUP]
                texts = await anyio.to_thread.run_sync(_extract_all, [path for path, _ in group])
                for (path, key), text in zip(group, texts, strict=True):
                    if isinstance(text, Exception):
                        self._fail(path, str(text))
                    elif self._known.get(key) == content_hash(text):
                        self._summary.skipped.append(key)
                        self._advance(1)
                    else:
                        metadata = {"file_type": path.suffix[1:].lower()}
                        batch.append((path, {"content": text, "key": key, "metadata": metadata}))
                        chars += len(text)
                        if len(batch) >= _BATCH_DOCS or chars >= _BATCH_CHARS:
                            await send.send(batch)
                            batch, chars = [], 0
            if batch:
                await send.send(batch)

    async def _embed(self, receive: MemoryObjectReceiveStream[_Batch], send: MemoryObjectSendStream[_Embedded]) -> None:
        async with receive, send:
            async for batch in receive:
                try:
                    embedded = [(batch, await self._embed_documents([doc for _, doc in batch]))]
                except ValidationError:  # one bad document fails the batch: embed one by one to name it
                    embedded = []
                    for path, doc in batch:
                        try:
                            embedded.append(([(path, doc)], await self._embed_documents([doc])))
                        except ValidationError as exc:
                            self._fail(path, str(exc))
                await send.send(embedded)

    async def _embed_documents(self, documents: list[dict[str, Any]]) -> EmbeddedBatch:
        return await self._service.embed_documents(documents, self._namespace)

    async def _write(self, receive: MemoryObjectReceiveStream[_Embedded]) -> None:
        async with receive:
            async for embedded in receive:
                for docs, batch in embedded:
                    await self._service.write(batch)
                    for _, doc in docs:
                        (self._summary.updated if doc["key"] in self._known else self._summary.added).append(doc["key"])
                    self._advance(len(docs))

    def _fail(self, path: Path, reason: str) -> None:
        self._summary.failed.append(IngestFailure(str(path), reason))
        self._advance(1)


def _extract_all(paths: list[Path]) -> list[str | Exception]:
    """Each file's text, or the error that says why it cannot be read."""
    texts: list[str | Exception] = []
    for path in paths:
        try:
            texts.append(extract_text(path))
        except (ExtractionError, OSError) as exc:
            texts.append(exc)
    return texts


def _files(paths: list[Path], summary: IngestSummary) -> Iterator[tuple[Path, str]]:
    for path in paths:
        if path.is_file():
            yield path, path.name
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                if file.is_file() and not any(part.startswith(".") for part in relative.parts):
                    yield file, relative.as_posix()
        else:
            summary.failed.append(IngestFailure(str(path), "no such file or folder"))
