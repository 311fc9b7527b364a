"""Ingest files and folders into a namespace: resumable (unchanged files are skipped by content hash).

A document's key is its path relative to the ingested folder (POSIX separators), or the file's name for a
file given directly. Hidden files and folders are ignored. A file that cannot be read is reported in the
summary with its reason; the run goes on. Files removed from a folder stay stored until deleted.
Batches are pipelined: batch N is written to Chroma while batch N+1 is embedded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import anyio.to_thread

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge.extract import ExtractionError, extract_text
from bifrost_mcp.knowledge.progress import progress_bar
from bifrost_mcp.knowledge.records import content_hash
from bifrost_mcp.knowledge.service import EmbeddedBatch, ScopedKnowledge

_BATCH_DOCS, _BATCH_CHARS = 256, 400_000  # big batches let the embedder group texts of similar length
_Batch = list[tuple[Path, dict[str, Any]]]


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
    paths: Iterable[str | Path], namespace: str, service: ScopedKnowledge, *, progress: bool = False
) -> IngestSummary:
    summary = IngestSummary()
    roots = [Path(p) for p in paths]
    files = await anyio.to_thread.run_sync(lambda: list(_files(roots, summary)))
    known = await service.fingerprints(namespace, [key for _, key in files])
    with progress_bar(progress) as bar:
        task = bar.add_task(f"ingesting into {namespace}", total=len(files))
        async with anyio.create_task_group() as tasks:
            writer = _Writer(tasks, service, namespace, known, summary, lambda n: bar.advance(task, n))
            batch: _Batch = []
            async for path, key, text in _changed_files(files, known, summary, lambda: bar.advance(task)):
                batch.append((path, {"content": text, "key": key, "metadata": {"file_type": path.suffix[1:].lower()}}))
                if len(batch) >= _BATCH_DOCS or sum(len(doc["content"]) for _, doc in batch) >= _BATCH_CHARS:
                    await writer.submit(batch)
                    batch = []
            await writer.submit(batch)
    return summary


async def _changed_files(
    files: list[tuple[Path, str]], known: dict[str, str], summary: IngestSummary, advance: Callable[[], None]
) -> AsyncIterator[tuple[Path, str, str]]:
    """(path, key, text) of each readable file whose content differs from what is stored."""
    seen: dict[str, Path] = {}
    for path, key in files:
        if key in seen:
            summary.failed.append(IngestFailure(str(path), f"same key {key!r} as {seen[key]}: ingest one of them"))
            advance()
            continue
        seen[key] = path
        try:
            text = await anyio.to_thread.run_sync(extract_text, path)
        except (ExtractionError, OSError) as exc:
            summary.failed.append(IngestFailure(str(path), str(exc)))
            advance()
            continue
        if known.get(key) == content_hash(text):
            summary.skipped.append(key)
            advance()
            continue
        yield path, key, text


class _Writer:
    """Writes batch N to Chroma while batch N+1 is being embedded; at most one write in flight."""

    def __init__(
        self,
        tasks: anyio.abc.TaskGroup,
        service: ScopedKnowledge,
        namespace: str,
        known: dict[str, str],
        summary: IngestSummary,
        advance: Callable[[int], None],
    ) -> None:
        self._tasks, self._service, self._namespace = tasks, service, namespace
        self._known, self._summary, self._advance = known, summary, advance
        self._previous: anyio.Event | None = None

    async def submit(self, batch: _Batch) -> None:
        if not batch:
            return
        try:
            embedded = [(batch, await self._service.embed_documents([doc for _, doc in batch], self._namespace))]
        except ValidationError:  # one bad document fails the batch: embed one by one to name it
            embedded = []
            for path, doc in batch:
                try:
                    embedded.append(([(path, doc)], await self._service.embed_documents([doc], self._namespace)))
                except ValidationError as exc:
                    self._summary.failed.append(IngestFailure(str(path), str(exc)))
                    self._advance(1)
        if self._previous is not None:
            await self._previous.wait()
        done = self._previous = anyio.Event()
        self._tasks.start_soon(self._write, embedded, done)

    async def _write(self, embedded: list[tuple[_Batch, EmbeddedBatch]], done: anyio.Event) -> None:
        try:
            for docs, batch in embedded:
                await self._service.write(batch)
                for _, doc in docs:
                    (self._summary.updated if doc["key"] in self._known else self._summary.added).append(doc["key"])
                self._advance(len(docs))
        finally:
            done.set()


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
