"""Knowledge: store documents once, find them by meaning, never across tenants."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from bifrost._runtime import platform
from bifrost.types import KnowledgeDocument, NamespaceInfo


async def store(
    content: str, namespace: str = "default", key: str | None = None, metadata: dict[str, Any] | None = None
) -> str:
    """Store a document in the caller's scope; storing an existing key replaces it. Returns its id."""
    return await platform().knowledge.store(content, namespace, key, metadata)


async def store_many(documents: Sequence[dict[str, Any]], namespace: str = "default") -> builtins.list[str]:
    """Store several documents (`{"content", "key"?, "metadata"?}`); returns their ids."""
    return await platform().knowledge.store_many(documents, namespace)


async def search(
    query: str,
    namespace: str | builtins.list[str] = "default",
    limit: int = 5,
    min_score: float | None = None,
    metadata_filter: dict[str, Any] | None = None,
    fallback: bool = True,
) -> builtins.list[KnowledgeDocument]:
    """Best passages first, one per document key; with `fallback`, GLOBAL documents are searched too."""
    namespaces = [namespace] if isinstance(namespace, str) else builtins.list(namespace)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    return await platform().knowledge.search(query, namespaces, limit, min_score, metadata_filter, fallback)


async def get(key: str, namespace: str = "default") -> KnowledgeDocument | None:
    """The whole document stored under `key`, or None."""
    return await platform().knowledge.get(key, namespace)


async def delete(key: str, namespace: str = "default") -> bool:
    """Delete the document `key` from the caller's scope."""
    return await platform().knowledge.delete(key, namespace)


async def delete_namespace(namespace: str) -> int:
    """Delete every document of `namespace` in the caller's scope; returns how many."""
    return await platform().knowledge.delete_namespace(namespace)


async def list_namespaces() -> builtins.list[NamespaceInfo]:
    """Namespaces visible to the caller, with organization and GLOBAL document counts."""
    return await platform().knowledge.list_namespaces()


__all__ = ["delete", "delete_namespace", "get", "list_namespaces", "search", "store", "store_many"]
