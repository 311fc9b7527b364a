"""Tool names: normalization and deterministic collision suffixes."""

from typing import Any

import pytest

from bifrost import data_provider, workflow
from bifrost_mcp.workspace.loader import registry_from_functions
from bifrost_mcp.workspace.registry import tool_name_for


@pytest.mark.parametrize(
    ("name", "tool_name"),
    [
        ("Lookup Customer", "lookup_customer"),
        ("lookup_customer", "lookup_customer"),
        ("Reset-Password (M365)", "reset_password_m365"),
        ("  Spaces   everywhere  ", "spaces_everywhere"),
        ("Crème brûlée!", "crme_brle"),
        ("__private__", "private"),
        ("???", "workflow"),
    ],
)
def test_tool_names_are_normalized(name: str, tool_name: str) -> None:
    assert tool_name_for(name) == tool_name


def _tool(name: str, module: str) -> Any:
    async def fn() -> None: ...

    fn.__module__ = module
    fn.__qualname__ = f"{module}.{name}"
    return workflow(name=name, is_tool=True)(fn)


def test_colliding_tool_names_get_a_deterministic_suffix_whatever_the_load_order() -> None:
    first = _tool("Lookup Customer", "a_crm")
    second = _tool("lookup-customer", "b_billing")
    third = _tool("LOOKUP customer", "c_support")
    for order in ([first, second, third], [third, second, first], [second, third, first]):
        registry = registry_from_functions(order)
        assert {name: entry.name for name, entry in registry.tools.items()} == {
            "lookup_customer": "Lookup Customer",
            "lookup_customer_2": "lookup-customer",
            "lookup_customer_3": "LOOKUP customer",
        }
        assert len(registry.notes) == 2
        assert "published as 'lookup_customer_2'" in registry.notes[0]
        assert "a_crm" in registry.notes[0] and "b_billing" in registry.notes[0]


def test_only_is_tool_workflows_become_tools() -> None:
    @workflow(is_tool=True)
    async def published() -> None: ...

    @workflow
    async def internal() -> None: ...

    @data_provider
    async def options() -> list:
        return []

    registry = registry_from_functions([published, internal, options])
    assert list(registry.tools) == ["published"]
    assert sorted(registry.workflows) == ["internal", "published"]
    assert list(registry.data_providers) == ["options"]
    assert registry.workflows["internal"].tool_name is None


def test_tools_are_listed_in_name_order() -> None:
    tools = [_tool(name, f"m_{name}") for name in ("zeta", "alpha", "Mid Point")]
    assert list(registry_from_functions(tools).tools) == ["alpha", "mid_point", "zeta"]


def test_registry_from_functions_rejects_an_undecorated_function() -> None:
    def plain() -> None: ...

    with pytest.raises(TypeError, match="not decorated"):
        registry_from_functions([plain])


def test_the_registered_workflow_metadata_mirrors_the_decorator() -> None:
    @workflow(is_tool=True, category="Ops", tags=["x"], timeout_seconds=30, time_saved=5)
    async def restart(service: str) -> None:
        """Restart a service."""

    entry = registry_from_functions([restart]).workflows["restart"]
    meta = entry.metadata()
    assert (meta.name, meta.description, meta.category, meta.tags) == ("restart", "Restart a service.", "Ops", ["x"])
    assert (meta.timeout_seconds, meta.is_tool, meta.time_saved) == (30, True, 5)
    assert meta.id.endswith("restart")


def test_a_float_timeout_reaches_the_metadata_and_an_int_stays_an_int() -> None:
    @workflow(timeout_seconds=0.5)
    async def quick() -> None: ...

    @workflow(timeout_seconds=30)
    async def slow() -> None: ...

    registry = registry_from_functions([quick, slow])
    assert registry.workflows["quick"].metadata().model_dump()["timeout_seconds"] == 0.5
    assert registry.workflows["slow"].metadata().model_dump_json().count('"timeout_seconds":30,') == 1
