"""`tables.*` in memory, with the host's rules (bifrost_mcp/data/tables/view.py).

- A table lives in (scope, app). GLOBAL is a scope of its own: no read fallback. `scope=` names another scope
  for platform admins only (AccessDenied otherwise); `app=None` is the organization's own tables.
- insert and upsert create a missing table; get/update/delete_document/query/count on a missing table answer
  as on an empty one. create on an existing name and insert with an existing id are ValidationErrors.
- update merges top-level keys; upsert replaces the data. Data is stored as JSON (tuples come back lists).
- `table_schema` is kept as given; its index declarations are not checked (the host builds indexes from them).
"""

from __future__ import annotations

import builtins
import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from bifrost._context import GLOBAL_SCOPE, ExecutionContext
from bifrost.errors import ValidationError
from bifrost.testing.memory._common import Clock, check_name, json_copy, resolve_scope, writable_scope
from bifrost.testing.memory._values import ordered
from bifrost.testing.memory._where import compile_where
from bifrost.types import DocumentData, DocumentList, TableInfo

MAX_ID_LENGTH = 512


@dataclass
class Table:
    info: TableInfo
    documents: dict[str, DocumentData] = field(default_factory=dict)


TablesState = dict[tuple[str, str], dict[str, Table]]  # (scope, app) -> name -> table


class TablesView:
    def __init__(self, state: TablesState, clock: Clock, caller: ExecutionContext) -> None:
        self._state = state
        self._clock = clock
        self._caller = caller

    def _tables(
        self, scope: str | None, app: str | None, *, write: bool = False
    ) -> tuple[tuple[str, str], dict[str, Table]]:
        scope_key = writable_scope(self._caller, scope) if write else resolve_scope(self._caller, scope)
        key = (scope_key, "" if app is None else check_name(app, "app"))
        return key, self._state.setdefault(key, {})

    def _table(self, name: str, scope: str | None, app: str | None, *, write: bool = False) -> Table | None:
        _, tables = self._tables(scope, app, write=write)
        return tables.get(check_name(name, "table"))

    def _writable_table(self, name: str, scope: str | None, app: str | None) -> Table:
        """The table `name`, created when missing (insert and upsert do that)."""
        key, tables = self._tables(scope, app, write=True)
        if check_name(name, "table") not in tables:
            tables[name] = self._new_table(key, name, None, None)
        return tables[name]

    def _new_table(
        self, key: tuple[str, str], name: str, description: str | None, schema: dict[str, Any] | None
    ) -> Table:
        scope, app = key
        info = TableInfo(
            id=uuid.uuid4().hex,
            name=name,
            description=description,
            table_schema=schema,
            organization_id=None if scope == GLOBAL_SCOPE else scope,
            application_id=app or None,
            created_at=self._clock.now(),
        )
        return Table(info)

    async def create(
        self,
        name: str,
        description: str | None,
        table_schema: dict[str, Any] | None,
        scope: str | None,
        app: str | None,
    ) -> TableInfo:
        key, tables = self._tables(scope, app, write=True)
        check_name(name, "table name")
        if description is not None and not isinstance(description, str):
            raise ValidationError(f"description must be a string or None, got {type(description).__name__}")
        if table_schema is not None and not isinstance(table_schema, dict):
            raise ValidationError(f"table_schema must be a dict or None, got {type(table_schema).__name__}")
        if name in tables:
            raise ValidationError(
                f"table {name!r} already exists in this scope; use it as it is, or tables.delete it first"
            )
        schema = None if table_schema is None else json_copy(table_schema, "table_schema")
        tables[name] = self._new_table(key, name, description, schema)
        return tables[name].info.model_copy(deep=True)

    async def list(self, scope: str | None, app: str | None) -> builtins.list[TableInfo]:
        _, tables = self._tables(scope, app)
        return [tables[name].info.model_copy(deep=True) for name in sorted(tables)]

    async def delete(self, name: str, scope: str | None, app: str | None) -> bool:
        _, tables = self._tables(scope, app, write=True)
        return tables.pop(check_name(name, "table name"), None) is not None

    async def insert(
        self, table: str, data: dict[str, Any], id: str | None, scope: str | None, app: str | None
    ) -> DocumentData:
        return self.put(table, data, id, scope, app)

    def put(self, table: str, data: dict[str, Any], id: str | None, scope: str | None, app: str | None) -> DocumentData:
        """insert, without the wait (InMemoryPlatform.put_document seeds tables with it)."""
        found = self._writable_table(table, scope, app)
        doc_id = str(uuid.uuid4()) if id is None else check_name(id, "document id", MAX_ID_LENGTH)
        stored = _data(data)
        if doc_id in found.documents:
            raise ValidationError(
                f"document {doc_id!r} already exists in table {table!r}; use upsert to replace it or update to merge"
            )
        moment = self._clock.now()
        return _keep(
            found, DocumentData(id=doc_id, table_id=found.info.id, data=stored, created_at=moment, updated_at=moment)
        )

    async def upsert(
        self, table: str, id: str, data: dict[str, Any], scope: str | None, app: str | None
    ) -> DocumentData:
        found = self._writable_table(table, scope, app)
        doc_id = check_name(id, "document id", MAX_ID_LENGTH)
        stored, moment = _data(data), self._clock.now()
        old = found.documents.get(doc_id)
        created = old.created_at if old is not None else moment
        document = DocumentData(id=doc_id, table_id=found.info.id, data=stored, created_at=created, updated_at=moment)
        return _keep(found, document)

    async def get(self, table: str, doc_id: str, scope: str | None, app: str | None) -> DocumentData | None:
        found = self._table(table, scope, app)
        document = found.documents.get(check_name(doc_id, "document id", MAX_ID_LENGTH)) if found else None
        return None if document is None else document.model_copy(deep=True)

    async def update(
        self, table: str, doc_id: str, data: dict[str, Any], scope: str | None, app: str | None
    ) -> DocumentData | None:
        found = self._table(table, scope, app, write=True)
        changes = _data(data)
        old = found.documents.get(check_name(doc_id, "document id", MAX_ID_LENGTH)) if found else None
        if found is None or old is None:
            return None
        merged = old.model_copy(update={"data": {**old.data, **changes}, "updated_at": self._clock.now()})
        return _keep(found, merged)

    async def delete_document(self, table: str, doc_id: str, scope: str | None, app: str | None) -> bool:
        found = self._table(table, scope, app, write=True)
        doc_id = check_name(doc_id, "document id", MAX_ID_LENGTH)
        return found is not None and found.documents.pop(doc_id, None) is not None

    async def query(
        self,
        table: str,
        where: dict[str, Any] | None,
        order_by: str | None,
        order_dir: str,
        limit: int,
        offset: int,
        scope: str | None,
        app: str | None,
    ) -> DocumentList:
        found = self._table(table, scope, app)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValidationError(f"limit must be an integer from 1 to 1000, got {limit!r}")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValidationError(f"offset must be a non-negative integer, got {offset!r}")
        test = compile_where(where)
        matching = [doc for doc in found.documents.values() if test(doc.data)] if found else []
        page = ordered(matching, order_by, order_dir)[offset : offset + limit]
        return DocumentList(
            documents=[doc.model_copy(deep=True) for doc in page], total=len(matching), limit=limit, offset=offset
        )

    async def count(self, table: str, where: dict[str, Any] | None, scope: str | None, app: str | None) -> int:
        found = self._table(table, scope, app)
        test = compile_where(where)
        return sum(1 for doc in found.documents.values() if test(doc.data)) if found else 0


def _data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError(f"document data must be a dict, got {type(data).__name__}")
    stored: dict[str, Any] = json_copy(data, "document data")
    return stored


def _keep(table: Table, document: DocumentData) -> DocumentData:
    table.documents[document.id] = document
    return copy.deepcopy(document)
