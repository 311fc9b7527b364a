"""The one access gate: which workflows, data providers, prompts, agents, forms and scopes a caller may use.

Every path (MCP tools and resources, CLI run, SDK views, caller resolution) asks here; nothing else decides
access. The rules are pure: where one depends on a stored fact (a role assignment, the level a key is set
at), the caller of the rule fetches that fact and the rule decides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Protocol, TypeVar

from bifrost._scopes import global_write_refused
from bifrost.decorators import WorkflowSpec
from bifrost.errors import AccessDenied
from bifrost.platform import GLOBAL_SCOPE
from bifrost.types import FormPublic
from bifrost_mcp.caller import Caller


class HasSpec(Protocol):
    @property
    def spec(self) -> WorkflowSpec: ...


class AgentRules(Protocol):
    """What the gate reads of an agent (a `bifrost.Agent` or a registry's RegisteredAgent)."""

    @property
    def roles(self) -> tuple[str, ...]: ...
    @property
    def admin_only(self) -> bool: ...
    @property
    def tools(self) -> tuple[str, ...]: ...


E = TypeVar("E", bound=HasSpec)


def can_use(caller: Caller, spec: WorkflowSpec) -> bool:
    """Whether `caller` may see and run the workflow, data provider or prompt `spec`.

    The anonymous caller of a public endpoint may use public endpoints and nothing else; the scheduler, what
    declares a schedule and nothing else.
    """
    if caller.is_scheduler:
        return may_schedule(spec)
    if caller.is_anonymous:
        return spec.endpoint_enabled and spec.public_endpoint and _allowed(caller, spec.admin_only, spec.roles)
    return _allowed(caller, spec.admin_only, spec.roles)


def may_schedule(spec: WorkflowSpec) -> bool:
    """What the scheduler may run: every workflow that declares a schedule, whatever its roles or admin_only.

    The schedule is the workspace author's own, written beside the code, so a roles=[...] or admin_only workflow
    runs on it too. The scheduler runs nothing else, and acts in GLOBAL scope without admin rights.
    """
    return spec.kind == "workflow" and spec.schedule is not None


def can_call_endpoint(caller: Caller, spec: WorkflowSpec) -> bool:
    """Whether `caller` may see and call `spec` at /api/workflows/<name>: an endpoint it may use."""
    return spec.kind == "workflow" and spec.endpoint_enabled and can_use(caller, spec)


def _allowed(caller: Caller, admin_only: bool, roles: tuple[str, ...]) -> bool:
    """The one visibility rule: admins see all; admin_only is theirs alone; roles narrow to their holders."""
    if caller.is_platform_admin:
        return True
    if admin_only:
        return False
    return not roles or not caller.roles.isdisjoint(roles)


def usable(caller: Caller, entries: Iterable[E]) -> list[E]:
    """The entries (workflows, tools, data providers) whose spec `caller` may use, in the given order."""
    return [entry for entry in entries if can_use(caller, entry.spec)]


def can_chat(caller: Caller, agent: AgentRules) -> bool:
    """Whether `caller` may see and chat with `agent`: the same rule as `can_use`, on the agent's options."""
    return not caller.is_anonymous and _allowed(caller, agent.admin_only, agent.roles)


def agent_tools(caller: Caller, agent: AgentRules, workflows: Mapping[str, E]) -> list[E]:
    """The agent's tools (looked up by workflow name in `workflows`) that `caller` may also run directly.

    An agent acts as the person chatting, never wider: a tool the caller could not call themselves is
    left out, whatever the agent declares.
    """
    found = [workflows[name] for name in agent.tools if name in workflows]
    return usable(caller, found)


def visibility_key(caller: Caller) -> tuple[object, ...]:
    """Everything `can_use` and `can_chat` look at, so callers with equal keys see the same tools and agents.

    Caches of per-caller listings key on this; change it together with `can_use` and `can_chat`.
    """
    return (caller.is_platform_admin, caller.roles, caller.is_scheduler, caller.is_anonymous)


def may_act_in_other_org(caller: Caller) -> bool:
    """Whether an organization override (X-Bifrost-Org, --org) is honoured: platform admins only."""
    return caller.is_platform_admin


def resolve_scope(caller: Caller, requested: str | None) -> str:
    """The data scope an SDK call acts on: the caller's own, unless a platform admin names another.

    Raises:
        AccessDenied: a non-admin asked for a scope other than its own.
    """
    if requested is None or requested == caller.scope:
        return caller.scope
    if caller.is_platform_admin:
        return requested
    raise AccessDenied(
        f"scope {requested!r} is not yours: only platform admins may act in another organization's scope"
    )


def may_write_global(caller: Caller) -> bool:
    """Whether `caller` may write GLOBAL scope: platform admins, and function keys granted it when created."""
    return caller.is_platform_admin or (caller.is_function_key and caller.global_write)


def writable_scope(caller: Caller, requested: str | None = None) -> str:
    """The scope a write (config, tables, files, knowledge) acts on: `resolve_scope`, GLOBAL only for some.

    Every organization reads GLOBAL through (config, provider settings, knowledge), so a write there reaches
    them all: a GLOBAL `openai_base_url` receives the platform's OpenAI key. It is for platform admins, and
    for function keys created with `keys create --global --global-write`. A user without an organization
    therefore has no scope to write in.

    Raises:
        AccessDenied: the scope is another organization's, or GLOBAL and the caller may not write it.
    """
    scope = resolve_scope(caller, requested)
    if scope != GLOBAL_SCOPE or may_write_global(caller):
        return scope
    if caller.is_scheduler:
        raise AccessDenied(
            "a scheduled run acts in GLOBAL scope, which every organization reads and only platform admins write: "
            "it may read GLOBAL data but not write it; write from a run an admin or an organization's user starts"
        )
    if caller.is_anonymous:
        raise AccessDenied(
            "a public endpoint's anonymous caller may not write GLOBAL scope, which every organization reads: "
            "write with a function key (X-Bifrost-Key) or a token instead, or make the endpoint private"
        )
    raise global_write_refused(is_function_key=caller.is_function_key, name=caller.name, email=caller.email)


def readable_scopes(caller_scope: str) -> tuple[str, ...]:
    """Scopes a read falls back through: the organization first, then GLOBAL."""
    return (caller_scope,) if caller_scope == GLOBAL_SCOPE else (caller_scope, GLOBAL_SCOPE)


def provider_setting_scopes(caller_scope: str, key: str, org_has_provider_key: bool) -> tuple[str, ...]:
    """Scopes an AI provider setting is read from, in order.

    A provider's base URL comes from the same level as the key it will carry: when the organization relies on
    the GLOBAL key, an organization-level `*_base_url` is ignored, so nobody can point the platform's key at a
    server they control.
    """
    if key.endswith("_base_url") and not org_has_provider_key:
        return (GLOBAL_SCOPE,)
    return readable_scopes(caller_scope)


def require_admin(caller: Caller, action: str) -> None:
    """Raise AccessDenied unless the caller is a platform admin."""
    if not caller.is_platform_admin:
        raise AccessDenied(f"{action} requires a platform admin; ask one to do it or to grant you the role")


def require_local_files(caller: Caller) -> None:
    """Files mode="local" is the shared workspace folder (the workflows' own source), not split per tenant.

    Only platform admins (the local owner during development) may use it; everyone else uses mode="cloud",
    which is per organization.
    """
    if not caller.is_platform_admin:
        raise AccessDenied(
            "files mode='local' reaches the shared workspace folder and is for platform admins (local development); "
            "use mode='cloud', which is kept per organization"
        )


async def can_see_form(caller: Caller, form: FormPublic, holds_form_role: Callable[[], Awaitable[bool]]) -> bool:
    """Whether `caller` may see `form`.

    Forms of the caller's organization and GLOBAL ones, when active; a role-based form also needs one of the
    caller's roles to be assigned it (`holds_form_role`, asked only then).
    """
    if caller.is_platform_admin:
        return True
    if form.organization_id not in (None, caller.org_id) or not form.is_active:
        return False
    if form.access_level == "role_based":
        return await holds_form_role()
    return True


def execution_visibility(caller: Caller) -> tuple[str | None, str | None]:
    """(scope filter, executed_by filter) for reading executions.

    A platform admin sees every execution of the scope they act in (GLOBAL: all of them); anyone else
    sees only the executions they started themselves.
    """
    if caller.is_platform_admin:
        return (None if caller.scope == GLOBAL_SCOPE else caller.scope), None
    return caller.scope, caller.user_id


def conversation_visibility(caller: Caller) -> tuple[str | None, str | None]:
    """(scope filter, user_id filter) for reading conversations (list, show, delete).

    As with executions: a platform admin reads every conversation of the scope they act in (GLOBAL: all of
    them), for support and clean-up; anyone else only their own. A conversation outside these filters answers
    exactly like an unknown id. Continuing one is a different right: see `may_continue_conversation`.
    """
    if caller.is_platform_admin:
        return (None if caller.scope == GLOBAL_SCOPE else caller.scope), None
    return caller.scope, caller.user_id


def may_continue_conversation(caller: Caller, owner_user_id: str) -> bool:
    """Whether `caller` may add to or rename a conversation they can read: its owner only.

    An admin reading a user's conversation must never speak in it, nor run tools under it.
    """
    return caller.user_id == owner_user_id
