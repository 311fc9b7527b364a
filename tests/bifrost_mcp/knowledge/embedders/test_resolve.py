from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bifrost_mcp.knowledge import MiniLMEmbedder, OpenAIEmbedder, resolve_embedder


def test_no_spec_gives_the_offline_minilm_embedder(tmp_path: Path) -> None:
    embedder = resolve_embedder(None, cache_dir=tmp_path)
    assert isinstance(embedder, MiniLMEmbedder) and embedder.id == "minilm-l6-v2@onnx"


def test_openai_spec_names_the_model() -> None:
    embedder = resolve_embedder("openai:text-embedding-3-large", api_key="sk-unused")
    assert isinstance(embedder, OpenAIEmbedder) and embedder.dimensions == 3072


@pytest.mark.parametrize("spec", ["bogus", "openai", "openai:", "minilm:large", "sentence-transformers:"])
def test_unknown_specs_are_refused_with_the_accepted_forms(spec: str) -> None:
    with pytest.raises(ValueError, match=r"use 'minilm', 'openai:<model>'"):
        resolve_embedder(spec)


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is not None, reason="sentence-transformers is installed"
)
def test_sentence_transformers_without_the_extra_names_the_extra_to_install() -> None:
    with pytest.raises(ImportError, match=r"bifrost-mcp\[sentence-transformers\]"):
        resolve_embedder("sentence-transformers:all-MiniLM-L6-v2")
