"""The per-run `executions` service: history visible to the caller, and log streams."""

from __future__ import annotations

import builtins

from bifrost.errors import AccessDenied, NotFoundError, ValidationError
from bifrost.types import ExecutionLog, WorkflowExecution
from bifrost_mcp.access import execution_visibility
from bifrost_mcp.caller import Caller
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.executions.store import ExecutionsStore


class ExecutionsView:
    def __init__(self, store: ExecutionsStore, caller: Caller) -> None:
        self.store = store
        self.caller = caller

    async def list(
        self,
        workflow_name: str | None,
        status: str | None,
        start_date: str | None,
        end_date: str | None,
        limit: int,
    ) -> builtins.list[WorkflowExecution]:
        scope, executed_by = execution_visibility(self.caller)
        records = await self.store.query(
            scope=scope,
            executed_by=executed_by,
            workflow_name=workflow_name,
            status=status,
            start_date=start_date,
            end_date=end_date,
            limit=limit,
        )
        return [r.public() for r in records]

    async def _visible(self, execution_id: str) -> ExecutionRecord:
        if not isinstance(execution_id, str) or not execution_id:
            raise ValidationError("execution_id must be a non-empty string")
        record = await self.store.get(execution_id)
        if record is None:
            raise NotFoundError(f"execution {execution_id!r} not found")
        scope, executed_by = execution_visibility(self.caller)
        if (scope is not None and record.scope != scope) or (
            executed_by is not None and record.executed_by != executed_by
        ):
            raise AccessDenied(f"execution {execution_id!r} is not yours: only platform admins see others' runs")
        return record

    async def find(self, execution_id: str) -> ExecutionRecord | None:
        """The record, or None when it does not exist or is not the caller's to see (the two answer alike)."""
        try:
            return await self._visible(execution_id)
        except (NotFoundError, AccessDenied):
            return None

    async def report(self, execution_id: str) -> WorkflowExecution | None:
        """The execution with its logs, or None as `find` answers None."""
        record = await self.find(execution_id)
        if record is None:
            return None
        if record.id not in self.store.live:
            record.logs = await self.store.logs(record.id, 0, 10_000)
        return record.public(with_logs=True)

    async def get(self, execution_id: str) -> WorkflowExecution:
        record = await self._visible(execution_id)
        if record.id not in self.store.live:
            record.logs = await self.store.logs(record.id, 0, 10_000)
        return record.public(with_logs=True)

    async def get_logs(self, execution_id: str, start: str, count: int) -> builtins.list[ExecutionLog]:
        """Entries from stream id `start` on, that one included ("0": from the beginning), as a stream read does."""
        try:
            first = int(start)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"start must be a stream id such as '0' (the beginning) or the id of the first entry to read, "
                f"got {start!r}"
            ) from exc
        if first < 0:
            raise ValidationError("start must be '0' or a positive stream id")
        record = await self._visible(execution_id)
        return [e.public(record.id) for e in await self.store.logs(record.id, max(first - 1, 0), count)]
