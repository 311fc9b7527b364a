"""Tools bifrost-mcp publishes itself.

They are written with the SDK like any workflow, so they run through the same runner, gate and execution
record as the workspace's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field

from bifrost import knowledge, workflow

SYSTEM_SOURCE = "bifrost-mcp (system)"


@workflow(name="search_knowledge", is_tool=True, category="System", tags=["knowledge"])
async def search_knowledge(
    query: str,
    namespace: str | None = None,
    limit: Annotated[int, Field(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    """Search your organization's knowledge base (and shared GLOBAL documents) by meaning.

    Returns the best passages, one per document, each with its key, namespace and score (cosine similarity,
    higher is better). Quote the key when you use a passage.

    Args:
        query: What to look for, in plain words.
        namespace: One namespace to search; every namespace you can read when omitted.
        limit: How many passages to return.
    """
    names = [info.name for info in await knowledge.list_namespaces()] if namespace is None else [namespace]
    if not names:
        return {"passages": [], "note": "the knowledge base is empty: nothing has been stored yet"}
    documents = await knowledge.search(query, names, limit=limit)
    return {
        "passages": [
            {
                "key": doc.key if doc.key is not None else doc.id,
                "namespace": doc.namespace,
                "score": round(doc.score, 4) if doc.score is not None else None,
                "shared": doc.organization_id is None,
                "content": doc.content,
            }
            for doc in documents
        ]
    }


def system_workflows() -> list[Callable[..., Any]]:
    return [search_knowledge]
