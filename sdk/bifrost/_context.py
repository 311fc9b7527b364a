"""ExecutionContext (../shared/spec/context-api.md) and the `context` proxy bound to the current run."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ConfigDict

from bifrost.errors import NoExecutionContextError
from bifrost.types import ElicitationResult, Organization

GLOBAL_SCOPE = "GLOBAL"


class _ReadOnlyOrganization(Organization):
    """The organization as a run sees it: a workflow cannot change it (nor, through it, the caller's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class ExecutionContext:
    """Who runs this execution, for which organization, in which scope. Read-only."""

    user_id: str
    email: str
    name: str
    scope: str
    organization: Organization | None
    is_platform_admin: bool
    is_function_key: bool
    execution_id: str

    def __post_init__(self) -> None:
        org = self.organization
        if org is not None and not isinstance(org, _ReadOnlyOrganization):
            object.__setattr__(self, "organization", _ReadOnlyOrganization.model_validate(org.model_dump()))

    @property
    def org_id(self) -> str | None:
        """The organization's id, or None in global scope."""
        return self.organization.id if self.organization else None

    @property
    def org_name(self) -> str | None:
        """The organization's display name, or None in global scope."""
        return self.organization.name if self.organization else None

    @property
    def is_global_scope(self) -> bool:
        """True when running in the GLOBAL scope."""
        return self.scope == GLOBAL_SCOPE

    # The calling client (an MCP tools/call): progress and questions. Other runs have none (see each method).
    async def report_progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Tell the calling client how far the run is (`progress` of `total`, e.g. 3 of 10), with a message.

        Sent as an MCP progress notification when the client asked for progress; otherwise (no client, or one
        that asked for none) it does nothing, so a workflow can report unconditionally. Values should increase:
        one not above the last sent is dropped.
        """
        await _platform().call("client.progress", {"progress": progress, "total": total, "message": message})

    async def elicit(self, message: str, schema: dict[str, Any]) -> ElicitationResult:
        """Ask the calling person for input, as a form described by a JSON `schema` (MCP elicitation).

        `schema` is a flat object schema: string, number, integer, boolean and enum (or multi-select array)
        properties, with titles, descriptions and defaults. Returns the person's action ("accept", "decline",
        "cancel") and, on accept, the answer checked against `schema`. Raises ClientUnavailableError when no
        client can ask (a schedule, an endpoint, `bifrost-mcp run`, or a client without elicitation).
        `bifrost.forms.ask` builds the schema from a model, fields or a stored form.
        """
        answer = await _platform().call("client.elicit", {"message": message, "schema": schema})
        return ElicitationResult.model_validate(answer)

    # Backward-compatible aliases of the original platform.
    @property
    def executed_by(self) -> str:
        """Alias of `user_id`."""
        return self.user_id

    @property
    def executed_by_email(self) -> str:
        """Alias of `email`."""
        return self.email

    @property
    def executed_by_name(self) -> str:
        """Alias of `name`."""
        return self.name


_current_context: ContextVar[ExecutionContext | None] = ContextVar("bifrost_execution_context", default=None)


class _Calls(Protocol):
    async def call(self, operation: str, arguments: dict[str, Any]) -> Any: ...


# The run's platform (`bifrost.platform.Platform`), here so the context's own methods can reach it:
# bifrost.platform imports this module and binds both.
_current_platform: ContextVar[Any] = ContextVar("bifrost_platform", default=None)


def _platform() -> _Calls:
    bound: _Calls | None = _current_platform.get()
    if bound is None:
        current_context()  # raises the usual "no workflow is running"
        raise NoExecutionContextError("No platform is bound to this workflow run.")
    return bound


def current_context() -> ExecutionContext:
    """The ExecutionContext of the running workflow; raises outside a run."""
    ctx = _current_context.get()
    if ctx is None:
        raise NoExecutionContextError(
            "No workflow is running: the bifrost `context` is only available inside a workflow or data provider "
            "run by bifrost-mcp (an MCP tool call, `bifrost-mcp run`, or bifrost.testing)."
        )
    return ctx


class _ContextProxy:
    """`from bifrost import context`: attribute access reads the current run's ExecutionContext."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            # Introspection (copy, pickle, inspect, module scanners) must not need a running workflow.
            raise AttributeError(name)
        return getattr(current_context(), name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("the execution context is read-only")

    def __repr__(self) -> str:
        ctx = _current_context.get()
        return f"<bifrost.context {ctx!r}>" if ctx else "<bifrost.context (no workflow running)>"


context: Any = _ContextProxy()
