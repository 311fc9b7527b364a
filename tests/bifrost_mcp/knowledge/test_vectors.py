from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from bifrost_mcp.clock import ManualClock
from bifrost_mcp.knowledge import KnowledgeStore, MiniLMEmbedder, UnknownNamespaceError
from bifrost_mcp.knowledge.reindex import reindex
from bifrost_mcp.knowledge.vectors import Space, VectorStore, http_client, persistent_client
from bifrost_mcp.knowledge.view import KnowledgeView
from tests.support.poll import poll
from tests.support.server import answers, free_port


def _chroma_cli() -> str:
    found = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the chroma CLI (installed with chromadb) is missing from the venv")
    return found


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [_chroma_cli(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    async def heartbeat() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"chroma server exited with {process.returncode} before answering on port {port}")
        return await answers(f"{url}/api/v2/heartbeat")

    try:
        # a module fixture is set up outside any test's event loop: wait from a loop of its own
        with start_blocking_portal() as portal:
            portal.call(partial(poll, heartbeat, timeout=60, what=f"the chroma server to answer on port {port}"))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
async def test_server_mode_stores_and_searches_through_a_chroma_server(
    chroma_url: str, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    store = KnowledgeStore.open(tmp_path, minilm, chroma_url=chroma_url)
    try:
        service = KnowledgeView(store, "org-a")
        await service.store("Backups are replicated offsite nightly.", "it", "backup", None)
        results = await service.search("where do copies of the servers go", ["it"], 1, None, None, True)
        assert [r.key for r in results] == ["backup"]
        assert await KnowledgeView(store, "org-b").get("backup", "it") is None
    finally:
        await store.aclose()
    assert not (tmp_path / "chroma").exists()


@pytest.mark.parametrize("url", ["localhost:8000", "ftp://host:1", "http://host:8000/chroma", "http://"])
def test_a_malformed_chroma_url_says_what_it_should_look_like(url: str) -> None:
    with pytest.raises(ValueError, match=r"must look like http://host:port"):
        http_client(url)


async def test_the_embedded_client_has_telemetry_off_and_collections_without_embedding_function(
    store: KnowledgeStore,
) -> None:
    await KnowledgeView(store, "org-a").store("text", "it", "k", None)
    assert store.vectors.client_settings.anonymized_telemetry is False
    collection = await store.vectors.collection(Space("org-a", "it"))
    assert collection is not None and collection._embedding_function is None


def test_collection_names_are_valid_for_chroma_and_distinct_per_scope_and_namespace() -> None:
    names = {Space(s, n).collection_name for s in ("GLOBAL", "org-a", "org a/é") for n in ("it", "It", "a\x00b")}
    assert len(names) == 9
    assert all(name.startswith("kb-") and name.replace("-", "").isalnum() and len(name) < 64 for name in names)


class ProcessDiedError(Exception):
    pass


class DiesBeforeTheRename:
    """A scratch collection whose process dies when swap_in renames it into place, after swap_in's other steps.

    It wraps Chroma's collection (not our code): the steps before the rename run for real.
    """

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    def modify(self, *, name: str | None = None, metadata: dict[str, Any] | None = None) -> None:
        if name is not None:
            raise ProcessDiedError
        self.collection.modify(metadata=metadata)


async def test_an_interrupted_reindex_swap_is_finished_on_the_next_reindex(store: KnowledgeStore) -> None:
    await KnowledgeView(store, "org-a").store("Printers map by floor.", "it", "printers", None)
    space = Space("org-a", "it")
    original = await store.vectors.collection(space)
    assert original is not None
    rows = await store.vectors.call(lambda: original.get(include=["metadatas", "embeddings"]))
    scratch = await store.vectors.create_scratch(space, store.embedder.id, 384)
    await store.vectors.call(
        lambda: scratch.add(ids=rows["ids"], metadatas=rows["metadatas"], embeddings=rows["embeddings"])
    )

    with pytest.raises(ProcessDiedError):
        await store.vectors.swap_in(DiesBeforeTheRename(scratch), space, store.embedder.id, 384)
    assert await KnowledgeView(store, "org-a").get("printers", "it") is None
    await reindex(store)
    document = await KnowledgeView(store, "org-a").get("printers", "it")
    assert document is not None and document.content == "Printers map by floor."


async def _org_namespace_then_global_made_elsewhere(server: KnowledgeStore, cli: KnowledgeStore) -> None:
    """org-a searches its "it" (so the missing GLOBAL "it" is remembered), then the CLI stores a GLOBAL "it"."""
    org_a = KnowledgeView(server, "org-a")
    await org_a.store("Our printers map by floor.", "it", "printers", None)
    assert [r.key for r in await org_a.search("printer", ["it"], 5, None, None, True)] == ["printers"]
    await KnowledgeView(cli, "GLOBAL").store("Printer drivers come from the vendor portal.", "it", "drivers", None)


async def test_a_remembered_miss_hides_a_global_namespace_made_elsewhere_until_forgotten(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    server = KnowledgeStore(VectorStore(persistent_client(tmp_path / "chroma"), miss_ttl=3600.0), minilm)
    cli = KnowledgeStore.open(tmp_path, minilm)  # another process on the same data dir, e.g. the CLI
    try:
        await _org_namespace_then_global_made_elsewhere(server, cli)
        org_a = KnowledgeView(server, "org-a")
        assert [r.key for r in await org_a.search("printer", ["it"], 5, None, None, True)] == ["printers"]
        server.vectors.forget()
        found = await org_a.search("printer", ["it"], 5, None, None, True)
        assert sorted(r.key for r in found) == ["drivers", "printers"]
    finally:
        await server.aclose()
        await cli.aclose()


async def test_a_remembered_miss_expires_so_a_global_namespace_made_elsewhere_shows_up(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    clock = ManualClock()
    server = KnowledgeStore(VectorStore(persistent_client(tmp_path / "chroma"), miss_ttl=0.2, clock=clock), minilm)
    cli = KnowledgeStore.open(tmp_path, minilm)
    try:
        await _org_namespace_then_global_made_elsewhere(server, cli)
        clock.advance(0.3)
        found = await KnowledgeView(server, "org-a").search("printer", ["it"], 5, None, None, True)
        assert sorted(r.key for r in found) == ["drivers", "printers"]
    finally:
        await server.aclose()
        await cli.aclose()


async def test_a_namespace_made_by_this_store_or_missing_entirely_is_looked_up_at_once(
    tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    server = KnowledgeStore(VectorStore(persistent_client(tmp_path / "chroma"), miss_ttl=3600), minilm)
    cli = KnowledgeStore.open(tmp_path, minilm)
    try:
        org_a = KnowledgeView(server, "org-a")
        await org_a.store("Our printers map by floor.", "it", "printers", None)
        await org_a.search("printer", ["it"], 5, None, None, True)  # remembers: no GLOBAL "it"
        await KnowledgeView(server, "GLOBAL").store(
            "Printer drivers come from the vendor portal.", "it", "drivers", None
        )
        found = await org_a.search("printer", ["it"], 5, None, None, True)
        assert sorted(r.key for r in found) == ["drivers", "printers"]

        with pytest.raises(UnknownNamespaceError):
            await org_a.search("vpn", ["net"], 5, None, None, True)  # remembers: neither "net" exists
        await KnowledgeView(cli, "org-a").store("The VPN gateway is vpn.example.com.", "net", "vpn", None)
        # a namespace that would be an error gets a fresh look before the error is raised
        assert [r.key for r in await org_a.search("vpn", ["net"], 5, None, None, True)] == ["vpn"]
    finally:
        await server.aclose()
        await cli.aclose()
