"""The one access gate: which workflows, data providers and scopes a caller may use.

Every path (MCP tools and resources, CLI run, SDK services) asks here; nothing else decides access.
"""

from __future__ import annotations

from bifrost._context import GLOBAL_SCOPE
from bifrost._decorators import WorkflowSpec
from bifrost_mcp.identity.caller import Caller


def can_use(caller: Caller, spec: WorkflowSpec) -> bool:
    """Whether `caller` may see and run the workflow or data provider `spec`."""
    if caller.is_platform_admin:
        return True
    if spec.admin_only:
        return False
    if spec.roles:
        return not caller.roles.isdisjoint(spec.roles)
    return True


def visibility_key(caller: Caller) -> tuple[object, ...]:
    """Everything `can_use` looks at, so callers with equal keys see exactly the same tools and resources.

    Caches of per-caller listings key on this; change it together with `can_use`.
    """
    return (caller.is_platform_admin, caller.roles)


def resolve_scope(caller: Caller, requested: str | None) -> str:
    """The data scope an SDK call acts on: the caller's own, unless a platform admin names another.

    Raises:
        PermissionError: a non-admin asked for a scope other than its own.
    """
    if requested is None or requested == caller.scope:
        return caller.scope
    if caller.is_platform_admin:
        return requested
    raise PermissionError(
        f"scope {requested!r} is not yours: only platform admins may act in another organization's scope"
    )


def readable_scopes(caller_scope: str) -> tuple[str, ...]:
    """Scopes a read falls back through: the organization first, then GLOBAL."""
    return (caller_scope,) if caller_scope == GLOBAL_SCOPE else (caller_scope, GLOBAL_SCOPE)


def require_admin(caller: Caller, action: str) -> None:
    """Raise PermissionError unless the caller is a platform admin."""
    if not caller.is_platform_admin:
        raise PermissionError(f"{action} requires a platform admin; ask one to do it or to grant you the role")


def require_local_files(caller: Caller) -> None:
    """Files mode="local" is the shared workspace folder (the workflows' own source), not split per tenant.

    Only platform admins (the local owner during development) may use it; everyone else uses mode="cloud",
    which is per organization.
    """
    if not caller.is_platform_admin:
        raise PermissionError(
            "files mode='local' reaches the shared workspace folder and is for platform admins (local development); "
            "use mode='cloud', which is kept per organization"
        )


def execution_visibility(caller: Caller) -> tuple[str | None, str | None]:
    """(scope filter, executed_by filter) for reading executions.

    A platform admin sees every execution of the scope they act in (GLOBAL: all of them); anyone else
    sees only the executions they started themselves.
    """
    if caller.is_platform_admin:
        return (None if caller.scope == GLOBAL_SCOPE else caller.scope), None
    return caller.scope, caller.user_id
