"""`knowledge.*` in memory. Storage and tenancy are the host's; search is NOT semantic.

- Writes act in the caller's scope; get, search and list_namespaces read it and GLOBAL, and a document of the
  caller's scope shadows the GLOBAL one with the same namespace and key. An emptied namespace disappears.
- A document is kept whole (the host splits it into passages): a search hit's content is the whole document.
- Search scores by term overlap, not by meaning: the share of the query's distinct words (case-folded runs
  of letters and digits) that the document contains, from 0 to 1. Documents sharing no word with the query
  are not returned (a vector search would still return them, with a low score). Best first; on a tie the
  caller's own documents come before GLOBAL ones, then the order they were first stored in.
- metadata_filter: `{"field": value}` or one of $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin on scalar
  metadata (comparisons on numbers); a document without the field never matches.
- Searching a namespace that holds no document for the caller is a ValidationError, as on the host.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bifrost._context import GLOBAL_SCOPE, ExecutionContext
from bifrost.errors import ValidationError
from bifrost.testing.memory._common import Clock, json_copy, writable_scope
from bifrost.types import KnowledgeDocument, NamespaceInfo

KnowledgeState = dict[tuple[str, str], dict[str, KnowledgeDocument]]  # (scope, namespace) -> id -> document

_WORD = re.compile(r"\w+")
_SCALARS = (str, int, float, bool)
_FILTERS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda a, b: _equal(a, b),
    "$ne": lambda a, b: not _equal(a, b),
    "$gt": lambda a, b: _numbers(a, b) and a > b,
    "$gte": lambda a, b: _numbers(a, b) and a >= b,
    "$lt": lambda a, b: _numbers(a, b) and a < b,
    "$lte": lambda a, b: _numbers(a, b) and a <= b,
    "$in": lambda a, b: any(_equal(a, item) for item in b),
    "$nin": lambda a, b: not any(_equal(a, item) for item in b),
}


def _equal(a: Any, b: Any) -> bool:
    """Equal and of the same kind: True is not 1, but 1 is 1.0."""
    return bool(a == b) and (type(a) is type(b) or _numbers(a, b))


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def check_name(what: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 1024:
        raise ValidationError(f"knowledge {what} must be a non-empty string of at most 1024 characters, got {value!r}")
    return value


def terms(text: str) -> set[str]:
    return {word.casefold() for word in _WORD.findall(text)}


class KnowledgeView:
    def __init__(self, state: KnowledgeState, clock: Clock, caller: ExecutionContext) -> None:
        self._state = state
        self._clock = clock
        self._caller = caller
        self._scope = caller.scope

    def _spaces(self, namespace: str, *, with_global: bool) -> list[tuple[str, str]]:
        check_name("namespace", namespace)
        own = (self._scope, namespace)
        return [own, (GLOBAL_SCOPE, namespace)] if with_global and self._scope != GLOBAL_SCOPE else [own]

    def _writable_space(self, namespace: str) -> tuple[str, str]:
        """The namespace in the caller's scope, once the host's rule lets the caller write there."""
        writable_scope(self._caller)
        (space,) = self._spaces(namespace, with_global=False)
        return space

    async def store(
        self, content: str, namespace: str = "default", key: str | None = None, metadata: dict[str, Any] | None = None
    ) -> str:
        return (await self.store_many([{"content": content, "key": key, "metadata": metadata}], namespace))[0]

    async def store_many(self, documents: Sequence[Mapping[str, Any]], namespace: str = "default") -> list[str]:
        space = self._writable_space(namespace)
        prepared = [self._prepare(doc, index, namespace) for index, doc in enumerate(documents)]
        ids = [doc.id for doc in prepared]
        if len(set(ids)) != len(ids):
            raise ValidationError("store_many got the same key twice: each document in one call needs its own key")
        if prepared:
            stored = self._state.setdefault(space, {})
            stored.update((doc.id, doc) for doc in prepared)
        return ids

    def _prepare(self, doc: object, index: int, namespace: str) -> KnowledgeDocument:
        if not isinstance(doc, Mapping) or "content" not in doc or not {"content", "key", "metadata"}.issuperset(doc):
            raise ValidationError(f"document {index} must be a dict with 'content' and optional 'key', 'metadata'")
        content, key, metadata = doc["content"], doc.get("key"), doc.get("metadata") or {}
        label = repr(key) if key is not None else f"#{index}"
        if not isinstance(content, str) or not content.strip():
            raise ValidationError(f"document {label} has no text: 'content' must be a non-empty string")
        if key is not None:
            check_name("key", key)
        if not isinstance(metadata, dict) or not all(isinstance(k, str) for k in metadata):
            raise ValidationError(f"document {label}: metadata must be a dict with string keys")
        return KnowledgeDocument(
            id=key or uuid.uuid4().hex,
            key=key,
            namespace=namespace,
            content=content,
            metadata=json_copy(metadata, f"document {label} metadata"),
            organization_id=None if self._scope == GLOBAL_SCOPE else self._scope,
            created_at=self._clock.now(),
        )

    async def search(
        self,
        query: str,
        namespaces: list[str] | str = "default",
        limit: int = 5,
        min_score: float | None = None,
        metadata_filter: dict[str, Any] | None = None,
        fallback: bool = True,
    ) -> list[KnowledgeDocument]:
        if not isinstance(query, str) or not query.strip():
            raise ValidationError("search query is empty: pass the text to search for")
        names = [namespaces] if isinstance(namespaces, str) else list(namespaces)
        if not names:
            raise ValidationError("search needs at least one namespace")
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise ValidationError(f"limit must be an int between 1 and 1000, got {limit!r}")
        if min_score is not None and (isinstance(min_score, bool) or not isinstance(min_score, int | float)):
            raise ValidationError(f"min_score must be a number (0 to 1 here) or None, got {min_score!r}")
        matches = _metadata_test(metadata_filter)
        spaces = [space for name in dict.fromkeys(names) for space in self._spaces(name, with_global=fallback)]
        missing = sorted(set(names) - {space[1] for space in spaces if self._state.get(space)})
        if missing:
            mine = (self._scope, GLOBAL_SCOPE)
            readable = sorted({namespace for (scope, namespace), docs in self._state.items() if docs and scope in mine})
            raise ValidationError(
                f"no knowledge namespace {', '.join(map(repr, missing))} for this caller: "
                f"store documents there first, or search one of {readable or 'none (nothing is stored yet)'}"
            )
        wanted = terms(query)
        hits: list[KnowledgeDocument] = []
        for space in spaces:
            for doc in self._state.get(space, {}).values():
                if space[0] != self._scope and doc.id in self._state.get((self._scope, space[1]), {}):
                    continue  # shadowed by the caller's own document
                score = len(wanted & terms(doc.content)) / len(wanted) if wanted else 0.0
                if score > 0 and (min_score is None or score >= min_score) and matches(doc.metadata):
                    hits.append(doc.model_copy(update={"score": score}, deep=True))
        hits.sort(key=lambda doc: doc.score or 0.0, reverse=True)
        return hits[:limit]

    async def get(self, key: str, namespace: str = "default") -> KnowledgeDocument | None:
        check_name("key", key)
        for space in self._spaces(namespace, with_global=True):
            found = self._state.get(space, {}).get(key)
            if found is not None:
                return found.model_copy(deep=True)
        return None

    async def delete(self, key: str, namespace: str = "default") -> bool:
        check_name("key", key)
        space = self._writable_space(namespace)
        docs = self._state.get(space, {})
        deleted = docs.pop(key, None) is not None
        if not docs:
            self._state.pop(space, None)
        return deleted

    async def delete_namespace(self, namespace: str) -> int:
        space = self._writable_space(namespace)
        return len(self._state.pop(space, {}))

    async def list_namespaces(self) -> list[NamespaceInfo]:
        infos: dict[str, NamespaceInfo] = {}
        for (scope, namespace), docs in self._state.items():
            if scope not in (self._scope, GLOBAL_SCOPE) or not docs:
                continue
            info = infos.setdefault(namespace, NamespaceInfo(name=namespace))
            if scope == GLOBAL_SCOPE:
                info.global_document_count = len(docs)
            else:
                info.org_document_count = len(docs)
        return [infos[name] for name in sorted(infos)]


def _metadata_test(metadata_filter: Mapping[str, Any] | None) -> Callable[[dict[str, Any]], bool]:
    if not metadata_filter:
        return lambda metadata: True
    if not isinstance(metadata_filter, Mapping):
        raise ValidationError("metadata_filter must be a dict like {'category': 'vpn'} or {'year': {'$gte': 2024}}")
    clauses: list[tuple[str, Callable[[Any, Any], bool], Any]] = []
    for field, condition in metadata_filter.items():
        if not isinstance(field, str) or not field or field.startswith("$"):
            raise ValidationError(f"metadata_filter field {field!r} must be a metadata field name, not an operator")
        if isinstance(condition, Mapping):
            if len(condition) != 1 or next(iter(condition)) not in _FILTERS:
                raise ValidationError(
                    f"metadata_filter[{field!r}] must be a value or one operator of {sorted(_FILTERS)}"
                )
            op, value = next(iter(condition.items()))
        else:
            op, value = "$eq", condition
        if op in ("$in", "$nin") and not isinstance(value, list | tuple):
            raise ValidationError(f"metadata_filter[{field!r}][{op!r}] takes a list of values")
        values = value if op in ("$in", "$nin") else [value]
        if not values or not all(isinstance(v, _SCALARS) for v in values):
            raise ValidationError(f"metadata_filter[{field!r}] compares only strings, numbers and booleans")
        clauses.append((field, _FILTERS[op], value))
    return lambda metadata: all(
        field in metadata and isinstance(metadata[field], _SCALARS) and test(metadata[field], value)
        for field, test, value in clauses
    )
