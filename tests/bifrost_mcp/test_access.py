"""The gate's rules, one row per case.

The end-to-end tenant matrix (test_tenant_matrix.py) drives the same rules over every transport.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bifrost import Agent, prompt, workflow
from bifrost.decorators import WorkflowSpec, get_spec
from bifrost.errors import AccessDenied
from bifrost.platform import GLOBAL_SCOPE
from bifrost.types import FormPublic
from bifrost_mcp import access
from bifrost_mcp.caller import ANONYMOUS, SCHEDULER, Caller
from tests.support.callers import ORG_A, ORG_B, member, platform_admin

PLAIN = member(ORG_A)
TECHNICIAN = replace(member(ORG_A), roles=frozenset({"Technician"}))
ADMIN = platform_admin()
ADMIN_IN_B = ADMIN.acting_in(ORG_B)
KEY_GLOBAL = Caller(user_id="function-key:k", email="", name="k", organization=None, is_platform_admin=False,
                    is_function_key=True)  # fmt: skip


def spec(**options: object) -> WorkflowSpec:
    async def tool() -> None: ...

    found = get_spec(workflow(**options)(tool))  # type: ignore[call-overload]
    assert found is not None
    return found


OPEN, GATED, ADMIN_ONLY = spec(), spec(roles=["Technician"]), spec(admin_only=True)
SCHEDULED = spec(schedule="0 9 * * *")
SCHEDULED_GATED, SCHEDULED_ADMIN_ONLY = (
    spec(schedule="0 9 * * *", roles=["Ops"]),
    spec(schedule="* * * * *", admin_only=True),
)


class Entry:
    def __init__(self, spec: WorkflowSpec) -> None:
        self.spec = spec


@pytest.mark.parametrize(
    ("caller", "workflow_spec", "allowed"),
    [
        (PLAIN, OPEN, True),
        (PLAIN, GATED, False),
        (PLAIN, ADMIN_ONLY, False),
        (TECHNICIAN, GATED, True),
        (TECHNICIAN, ADMIN_ONLY, False),
        (KEY_GLOBAL, OPEN, True),
        (KEY_GLOBAL, GATED, False),
        (ADMIN, GATED, True),
        (ADMIN, ADMIN_ONLY, True),
        # the scheduler runs what declares a schedule, whatever its roles (the author's own), and nothing else
        (SCHEDULER, SCHEDULED, True),
        (SCHEDULER, SCHEDULED_GATED, True),
        (SCHEDULER, SCHEDULED_ADMIN_ONLY, True),
        (SCHEDULER, OPEN, False),
        (SCHEDULER, GATED, False),
        (SCHEDULER, ADMIN_ONLY, False),
        (PLAIN, SCHEDULED_GATED, False),  # a schedule widens nothing for anyone else
        (PLAIN, SCHEDULED_ADMIN_ONLY, False),
    ],
)
def test_can_use(caller: Caller, workflow_spec: WorkflowSpec, allowed: bool) -> None:
    assert access.can_use(caller, workflow_spec) is allowed


def test_usable_keeps_the_allowed_entries_in_order() -> None:
    entries = [Entry(GATED), Entry(OPEN), Entry(ADMIN_ONLY)]
    assert [e.spec for e in access.usable(TECHNICIAN, entries)] == [GATED, OPEN]


OPEN_AGENT, GATED_AGENT = Agent("open"), Agent("gated", roles=["Technician"])
ADMIN_AGENT = Agent("admin", roles=["Technician"], admin_only=True)


@pytest.mark.parametrize(
    ("caller", "agent", "allowed"),
    [
        (PLAIN, OPEN_AGENT, True),
        (PLAIN, GATED_AGENT, False),
        (PLAIN, ADMIN_AGENT, False),
        (TECHNICIAN, GATED_AGENT, True),
        (TECHNICIAN, ADMIN_AGENT, False),
        (KEY_GLOBAL, OPEN_AGENT, True),
        (KEY_GLOBAL, GATED_AGENT, False),
        (ADMIN, GATED_AGENT, True),
        (ADMIN, ADMIN_AGENT, True),
    ],
)
def test_can_chat(caller: Caller, agent: Agent, allowed: bool) -> None:
    assert access.can_chat(caller, agent) is allowed


WORKFLOWS = {"open": Entry(OPEN), "gated": Entry(GATED), "admin_only": Entry(ADMIN_ONLY)}
EVERY = Agent("every", tools=["admin_only", "gated", "open", "not_loaded"])


@pytest.mark.parametrize(
    ("caller", "tools"),
    [
        (PLAIN, ["open"]),
        (TECHNICIAN, ["gated", "open"]),
        (KEY_GLOBAL, ["open"]),
        (ADMIN, ["admin_only", "gated", "open"]),
    ],
)
def test_an_agents_tools_are_only_those_the_caller_may_run_directly(caller: Caller, tools: list[str]) -> None:
    allowed = access.agent_tools(caller, EVERY, WORKFLOWS)
    assert [entry.spec for entry in allowed] == [WORKFLOWS[name].spec for name in tools]


def test_callers_with_the_same_visibility_key_see_the_same_workflows() -> None:
    same_roles = replace(member(ORG_B), roles=frozenset({"Technician"}))
    assert access.visibility_key(TECHNICIAN) == access.visibility_key(same_roles)
    assert access.visibility_key(TECHNICIAN) != access.visibility_key(PLAIN)
    assert access.visibility_key(ADMIN) != access.visibility_key(PLAIN)
    assert access.visibility_key(SCHEDULER) != access.visibility_key(ORGLESS)


def test_the_scheduler_acts_in_global_scope_without_admin_rights() -> None:
    assert (SCHEDULER.user_id, SCHEDULER.scope, SCHEDULER.is_platform_admin) == ("scheduler", GLOBAL_SCOPE, False)
    assert access.resolve_scope(SCHEDULER, None) == GLOBAL_SCOPE
    assert not access.may_act_in_other_org(SCHEDULER)
    with pytest.raises(AccessDenied, match="only platform admins"):
        access.resolve_scope(SCHEDULER, "org-a")


@pytest.mark.parametrize(
    ("caller", "requested", "scope"),
    [
        (PLAIN, None, "org-a"),
        (PLAIN, "org-a", "org-a"),
        (ADMIN, None, GLOBAL_SCOPE),
        (ADMIN, "org-b", "org-b"),
        (ADMIN_IN_B, None, "org-b"),
        (KEY_GLOBAL, None, GLOBAL_SCOPE),
    ],
)
def test_resolve_scope(caller: Caller, requested: str | None, scope: str) -> None:
    assert access.resolve_scope(caller, requested) == scope


@pytest.mark.parametrize(("caller", "requested"), [(PLAIN, "org-b"), (PLAIN, GLOBAL_SCOPE), (KEY_GLOBAL, "org-a")])
def test_resolve_scope_refuses_another_scope_to_a_non_admin(caller: Caller, requested: str) -> None:
    with pytest.raises(AccessDenied, match="only platform admins"):
        access.resolve_scope(caller, requested)


ORGLESS = Caller(user_id="drifter", email="drifter@msp.test", name="Drifter", organization=None,
                 is_platform_admin=False)  # fmt: skip
KEY_ORG = replace(KEY_GLOBAL, organization=ORG_A)
KEY_GLOBAL_WRITE = replace(KEY_GLOBAL, global_write=True)
ORGLESS_REFUSAL = (
    "user drifter@msp.test belongs to no organization, so has no scope to write in (GLOBAL scope is written by "
    "platform admins only): ask a platform admin to add you to an organization"
)
KEY_REFUSAL = (
    "function key 'k' may not write GLOBAL scope, which every organization reads: platform admins may, and keys "
    "created with `bifrost-mcp keys create --global --global-write`"
)
SCHEDULER_REFUSAL = (
    "a scheduled run acts in GLOBAL scope, which every organization reads and only platform admins write: it may "
    "read GLOBAL data but not write it; write from a run an admin or an organization's user starts"
)
NOT_YOURS = "scope 'GLOBAL' is not yours: only platform admins may act in another organization's scope"


@pytest.mark.parametrize(
    ("caller", "requested", "scope_or_refusal"),
    [
        (ADMIN, None, GLOBAL_SCOPE),
        (ADMIN, "org-b", "org-b"),
        (ADMIN_IN_B, None, "org-b"),
        (ADMIN_IN_B, GLOBAL_SCOPE, GLOBAL_SCOPE),
        (PLAIN, None, "org-a"),
        (PLAIN, GLOBAL_SCOPE, NOT_YOURS),
        (ORGLESS, None, ORGLESS_REFUSAL),
        (ORGLESS, GLOBAL_SCOPE, ORGLESS_REFUSAL),
        (KEY_ORG, None, "org-a"),
        (KEY_ORG, GLOBAL_SCOPE, NOT_YOURS),
        (replace(KEY_ORG, global_write=True), GLOBAL_SCOPE, NOT_YOURS),  # the grant is for GLOBAL keys only
        (KEY_GLOBAL, None, KEY_REFUSAL),
        (KEY_GLOBAL_WRITE, None, GLOBAL_SCOPE),
        (KEY_GLOBAL_WRITE, "org-a", "scope 'org-a' is not yours: only platform admins may act in another "
                                    "organization's scope"),
        (replace(ORGLESS, global_write=True), None, ORGLESS_REFUSAL),  # never set for users; not honoured either
        (SCHEDULER, None, SCHEDULER_REFUSAL),
    ],
)  # fmt: skip
def test_writable_scope_gives_global_to_platform_admins_and_granted_keys_only(
    caller: Caller, requested: str | None, scope_or_refusal: str
) -> None:
    if scope_or_refusal in (GLOBAL_SCOPE, "org-a", "org-b"):
        assert access.writable_scope(caller, requested) == scope_or_refusal
    else:
        with pytest.raises(AccessDenied) as refused:
            access.writable_scope(caller, requested)
        assert str(refused.value) == scope_or_refusal


def test_reads_keep_resolving_to_global_for_callers_who_may_not_write_it() -> None:
    for caller in (ORGLESS, KEY_GLOBAL):
        assert access.resolve_scope(caller, None) == GLOBAL_SCOPE
        assert access.readable_scopes(caller.scope) == (GLOBAL_SCOPE,)
    assert access.readable_scopes(PLAIN.scope) == ("org-a", GLOBAL_SCOPE)


@pytest.mark.parametrize(
    ("caller", "allowed"), [(PLAIN, False), (TECHNICIAN, False), (KEY_GLOBAL, False), (ADMIN, True)]
)
def test_only_platform_admins_act_in_another_org_use_local_files_or_run_admin_operations(
    caller: Caller, allowed: bool
) -> None:
    assert access.may_act_in_other_org(caller) is allowed
    for check in (lambda: access.require_admin(caller, "users.create"), lambda: access.require_local_files(caller)):
        if allowed:
            check()
        else:
            with pytest.raises(AccessDenied):
                check()


@pytest.mark.parametrize(
    ("scope", "key", "org_has_key", "levels"),
    [
        ("org-a", "openai_api_key", False, ("org-a", GLOBAL_SCOPE)),
        ("org-a", "openai_base_url", True, ("org-a", GLOBAL_SCOPE)),
        ("org-a", "openai_base_url", False, (GLOBAL_SCOPE,)),
        (GLOBAL_SCOPE, "openai_base_url", False, (GLOBAL_SCOPE,)),
    ],
)
def test_a_provider_url_is_read_only_where_its_key_is(
    scope: str, key: str, org_has_key: bool, levels: tuple[str, ...]
) -> None:
    assert access.provider_setting_scopes(scope, key, org_has_key) == levels


def form(organization_id: str | None, *, active: bool = True, level: str = "authenticated") -> FormPublic:
    return FormPublic(id="f1", name="F", organization_id=organization_id, is_active=active, access_level=level)


@pytest.mark.parametrize(
    ("caller", "the_form", "holds_role", "visible", "asks_for_role"),
    [
        (PLAIN, form("org-a"), False, True, False),
        (PLAIN, form(None), False, True, False),
        (PLAIN, form("org-b"), False, False, False),
        (PLAIN, form("org-a", active=False), False, False, False),
        (PLAIN, form("org-a", level="role_based"), False, False, True),
        (PLAIN, form("org-a", level="role_based"), True, True, True),
        (PLAIN, form("org-b", level="role_based"), True, False, False),
        (ADMIN, form("org-b", active=False, level="role_based"), False, True, False),
    ],
)
async def test_can_see_form(
    caller: Caller, the_form: FormPublic, holds_role: bool, visible: bool, asks_for_role: bool
) -> None:
    asked: list[bool] = []

    async def holds_form_role() -> bool:
        asked.append(True)
        return holds_role

    assert await access.can_see_form(caller, the_form, holds_form_role) is visible
    assert bool(asked) is asks_for_role


@pytest.mark.parametrize(
    ("caller", "filters"),
    [(PLAIN, ("org-a", "user-org-a")), (ADMIN, (None, None)), (ADMIN_IN_B, ("org-b", None))],
)
def test_execution_visibility(caller: Caller, filters: tuple[str | None, str | None]) -> None:
    assert access.execution_visibility(caller) == filters


@pytest.mark.parametrize(
    ("caller", "filters"),
    [
        (PLAIN, ("org-a", "user-org-a")),
        (TECHNICIAN, ("org-a", "user-org-a")),
        (KEY_GLOBAL, (GLOBAL_SCOPE, "function-key:k")),
        (ADMIN, (None, None)),
        (ADMIN_IN_B, ("org-b", None)),
    ],
)
def test_conversation_visibility(caller: Caller, filters: tuple[str | None, str | None]) -> None:
    assert access.conversation_visibility(caller) == filters


@pytest.mark.parametrize(
    ("caller", "owner", "allowed"),
    [
        (PLAIN, "user-org-a", True),
        (PLAIN, "user-org-b", False),
        (ADMIN, "user-org-a", False),
        (ADMIN_IN_B, "user-org-b", False),
        (ADMIN, "admin", True),
    ],
)
def test_only_the_owner_continues_a_conversation(caller: Caller, owner: str, allowed: bool) -> None:
    assert access.may_continue_conversation(caller, owner) is allowed


ENDPOINT, PUBLIC = spec(endpoint_enabled=True), spec(endpoint_enabled=True, public_endpoint=True)
GATED_ENDPOINT = spec(endpoint_enabled=True, roles=["Technician"])


@pytest.mark.parametrize(
    ("caller", "workflow_spec", "allowed"),
    [
        (ANONYMOUS, PUBLIC, True),
        (ANONYMOUS, ENDPOINT, False),  # private endpoints need credentials
        (ANONYMOUS, OPEN, False),  # not an endpoint: never, though it asks for no role
        (PLAIN, PUBLIC, True),
        (PLAIN, ENDPOINT, True),
        (PLAIN, OPEN, False),  # a workflow without endpoint_enabled is no endpoint for anyone
        (PLAIN, GATED_ENDPOINT, False),
        (TECHNICIAN, GATED_ENDPOINT, True),
        (KEY_GLOBAL, ENDPOINT, True),
        (KEY_GLOBAL, GATED_ENDPOINT, False),
        (ADMIN, GATED_ENDPOINT, True),
        (ADMIN, OPEN, False),
    ],
)
def test_can_call_endpoint(caller: Caller, workflow_spec: WorkflowSpec, allowed: bool) -> None:
    assert access.can_call_endpoint(caller, workflow_spec) is allowed


def test_the_anonymous_caller_uses_public_endpoints_only_and_never_chats_or_writes_global() -> None:
    assert [access.can_use(ANONYMOUS, s) for s in (OPEN, GATED, ADMIN_ONLY, ENDPOINT, PUBLIC)] == [
        False, False, False, False, True,
    ]  # fmt: skip
    assert not access.can_chat(ANONYMOUS, OPEN_AGENT)
    assert (ANONYMOUS.scope, ANONYMOUS.is_platform_admin, ANONYMOUS.roles) == (GLOBAL_SCOPE, False, frozenset())
    assert access.readable_scopes(ANONYMOUS.scope) == (GLOBAL_SCOPE,)
    with pytest.raises(AccessDenied, match="anonymous caller may not write GLOBAL scope"):
        access.writable_scope(ANONYMOUS)
    with pytest.raises(AccessDenied, match="only platform admins may act in another organization"):
        access.resolve_scope(ANONYMOUS, "org-a")
    assert access.execution_visibility(ANONYMOUS) == (GLOBAL_SCOPE, "anonymous")
    # its listings are never shared with a member's who has no roles either
    assert access.visibility_key(ANONYMOUS) != access.visibility_key(replace(member(ORG_A), organization=None))


def prompt_spec(**options: object) -> WorkflowSpec:
    def starter() -> str:
        return "hi"

    found = get_spec(prompt(**options)(starter))  # type: ignore[call-overload]
    assert found is not None and found.kind == "prompt"
    return found


@pytest.mark.parametrize(
    ("caller", "options", "allowed"),
    [
        (PLAIN, {}, True),
        (PLAIN, {"roles": ["Technician"]}, False),
        (TECHNICIAN, {"roles": ["Technician"]}, True),
        (PLAIN, {"admin_only": True}, False),
        (TECHNICIAN, {"admin_only": True}, False),
        (ADMIN, {"admin_only": True}, True),
        (ADMIN_IN_B, {"roles": ["Technician"]}, True),
        (KEY_GLOBAL, {}, True),
        (ANONYMOUS, {}, False),  # a public endpoint's caller uses public endpoints only
        (SCHEDULER, {}, False),  # the scheduler runs scheduled workflows only
    ],
)
def test_a_prompt_is_seen_by_the_workflow_rule(caller: Caller, options: dict[str, object], allowed: bool) -> None:
    assert access.can_use(caller, prompt_spec(**options)) is allowed
