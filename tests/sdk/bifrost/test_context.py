"""ExecutionContext and the `context` proxy."""

import dataclasses
from typing import Any

import anyio
import pytest

from bifrost import ExecutionContext, Organization, context, tables
from bifrost._context import current_context
from bifrost.errors import NoExecutionContextError
from bifrost.platform import bind
from bifrost.testing import MockPlatform

ACME = Organization(id="org-456", name="Acme Corp", domain="acme.example")
UNUSED_PLATFORM = MockPlatform({})  # these tests only read the context, never a module


def make_context(organization: Organization | None = ACME, **changes: Any) -> ExecutionContext:
    values: dict[str, Any] = {
        "user_id": "user-123",
        "email": "alice@example.com",
        "name": "Alice Smith",
        "scope": organization.id if organization else "GLOBAL",
        "organization": organization,
        "is_platform_admin": False,
        "is_function_key": False,
        "execution_id": "exec-789",
    }
    return ExecutionContext(**{**values, **changes})


def test_reading_context_outside_a_run_raises_a_clear_error() -> None:
    with pytest.raises(NoExecutionContextError, match="No workflow is running") as caught:
        _ = context.org_id
    assert "only available inside a workflow" in str(caught.value)
    assert isinstance(caught.value, RuntimeError)


async def test_calling_an_sdk_module_outside_a_run_raises_a_clear_error() -> None:
    with pytest.raises(NoExecutionContextError, match="only work inside a workflow"):
        await tables.query("tickets")


def test_the_proxy_supports_introspection_without_a_run() -> None:
    assert "no workflow running" in repr(context)
    assert not hasattr(context, "__wrapped__")


def test_the_proxy_reads_the_bound_context_and_stops_after_the_run() -> None:
    ctx = make_context()
    with bind(ctx, UNUSED_PLATFORM):
        assert current_context() is ctx
        assert (context.user_id, context.email, context.name) == ("user-123", "alice@example.com", "Alice Smith")
        assert (context.org_id, context.org_name, context.scope) == ("org-456", "Acme Corp", "org-456")
        assert context.execution_id == "exec-789"
        assert context.is_global_scope is False
        assert "exec-789" in repr(context)
    with pytest.raises(NoExecutionContextError):
        _ = context.user_id


async def test_the_bound_context_reaches_worker_threads_and_child_tasks() -> None:
    ctx = make_context()
    seen: list[str] = []

    async def child() -> None:
        seen.append(context.execution_id)

    with bind(ctx, UNUSED_PLATFORM):
        seen.append(await anyio.to_thread.run_sync(lambda: context.execution_id))
        async with anyio.create_task_group() as tg:
            tg.start_soon(child)
    assert seen == ["exec-789", "exec-789"]


def test_global_scope_has_no_organization() -> None:
    ctx = make_context(None, is_platform_admin=True)
    assert (ctx.org_id, ctx.org_name, ctx.scope, ctx.is_global_scope) == (None, None, "GLOBAL", True)


def test_the_backward_compatible_aliases_return_the_new_properties() -> None:
    ctx = make_context()
    assert ctx.executed_by == ctx.user_id == "user-123"
    assert ctx.executed_by_email == ctx.email == "alice@example.com"
    assert ctx.executed_by_name == ctx.name == "Alice Smith"
    with bind(ctx, UNUSED_PLATFORM):
        assert (context.executed_by, context.executed_by_email, context.executed_by_name) == (
            "user-123",
            "alice@example.com",
            "Alice Smith",
        )


@pytest.mark.parametrize("field", ["user_id", "scope", "organization", "is_platform_admin", "execution_id"])
def test_execution_context_fields_cannot_be_changed(field: str) -> None:
    ctx = make_context()
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ctx, field, "changed")


def test_the_context_organization_cannot_be_changed_through_the_context() -> None:
    shared = Organization(id="org-1", name="Acme")
    ctx = make_context(shared)
    with pytest.raises(Exception, match="frozen"):
        ctx.organization.name = "Evil Corp"  # type: ignore[union-attr]
    assert ctx.org_name == "Acme"
    assert shared.name == "Acme"
    assert isinstance(ctx.organization, Organization)


def test_computed_properties_cannot_be_assigned() -> None:
    ctx = make_context()
    # Python 3.11's frozen slots dataclasses answer a non-field assignment with TypeError (3.12+: AttributeError).
    with pytest.raises((AttributeError, TypeError)):
        ctx.org_id = "other"  # type: ignore[misc]


def test_the_proxy_is_read_only() -> None:
    with pytest.raises(AttributeError, match="read-only"):
        context.user_id = "someone-else"
    with bind(make_context(), UNUSED_PLATFORM), pytest.raises(AttributeError, match="read-only"):
        context.org_id = "org-other"
