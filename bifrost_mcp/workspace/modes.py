"""Whether a call of a workflow answers with its result (sync) or is queued and answered at once (async)."""

from __future__ import annotations

from typing import Literal

from bifrost.decorators import WorkflowSpec

RunMode = Literal["sync", "async"]


def run_mode(spec: WorkflowSpec) -> RunMode:
    """execution_mode "sync" and "async" say so; "auto" is async for an HTTP endpoint and sync otherwise.

    Raises:
        ValueError: an execution_mode the SDK should have refused at load.
    """
    mode = spec.execution_mode
    if mode == "auto":
        return "async" if spec.endpoint_enabled else "sync"
    if mode in ("sync", "async"):
        return "sync" if mode == "sync" else "async"
    raise ValueError(f"workflow {spec.name!r} has execution_mode {mode!r}: use 'sync', 'async' or 'auto'")
