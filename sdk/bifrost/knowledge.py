"""Knowledge: store documents once, find them by meaning, never across tenants."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from bifrost.platform import call, returned_list, returned_or_none
from bifrost.types import KnowledgeDocument, NamespaceInfo


async def store(
    content: str, namespace: str = "default", key: str | None = None, metadata: dict[str, Any] | None = None
) -> str:
    """Store a document in the caller's scope; storing an existing key replaces it. Returns its id."""
    return str(await call("knowledge.store", content=content, namespace=namespace, key=key, metadata=metadata))


async def store_many(documents: Sequence[dict[str, Any]], namespace: str = "default") -> builtins.list[str]:
    """Store several documents (`{"content", "key"?, "metadata"?}`); returns their ids."""
    return builtins.list(await call("knowledge.store_many", documents=documents, namespace=namespace))


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
    found = await call(
        "knowledge.search",
        query=query,
        namespaces=namespaces,
        limit=limit,
        min_score=min_score,
        metadata_filter=metadata_filter,
        fallback=fallback,
    )
    return returned_list(KnowledgeDocument, found)


async def get(key: str, namespace: str = "default") -> KnowledgeDocument | None:
    """The whole document stored under `key`, or None."""
    return returned_or_none(KnowledgeDocument, await call("knowledge.get", key=key, namespace=namespace))


async def delete(key: str, namespace: str = "default") -> bool:
    """Delete the document `key` from the caller's scope."""
    return bool(await call("knowledge.delete", key=key, namespace=namespace))


async def delete_namespace(namespace: str) -> int:
    """Delete every document of `namespace` in the caller's scope; returns how many."""
    return int(await call("knowledge.delete_namespace", namespace=namespace))


async def list_namespaces() -> builtins.list[NamespaceInfo]:
    """Namespaces visible to the caller, with organization and GLOBAL document counts."""
    return returned_list(NamespaceInfo, await call("knowledge.list_namespaces"))


__all__ = ["delete", "delete_namespace", "get", "list_namespaces", "search", "store", "store_many"]
