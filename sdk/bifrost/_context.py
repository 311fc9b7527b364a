"""ExecutionContext (../shared/spec/context-api.md) and the `context` proxy bound to the current run."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pydantic import ConfigDict

from bifrost.errors import NoExecutionContextError
from bifrost.types import Organization

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
