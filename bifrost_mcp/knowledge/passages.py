"""Search results shaped for the MCP `knowledge_search` tool."""

from __future__ import annotations

from typing import Any

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge.view import KnowledgeView


async def search_passages(
    service: KnowledgeView, query: str, namespace: str | None = None, limit: int = 5
) -> list[dict[str, Any]]:
    """Best passages for `query`; `namespace=None` searches every namespace the caller may read.

    Each passage: key (the document's key, or its id when stored without one), namespace, score (cosine
    similarity, higher is better), content, and organization_id (None for GLOBAL documents).
    """
    if not isinstance(query, str) or not query.strip():
        raise ValidationError("search query is empty: pass the text to search for")
    if namespace is None:
        names = [info.name for info in await service.list_namespaces()]
        if not names:
            return []
    else:
        names = [namespace]
    documents = await service.search(query, names, limit, None, None, True)
    return [
        {
            "key": doc.key if doc.key is not None else doc.id,
            "namespace": doc.namespace,
            "score": doc.score,
            "content": doc.content,
            "organization_id": doc.organization_id,
        }
        for doc in documents
    ]
