"""A registry described as plain data and built again: what the host serves when only workers import the code."""

from pathlib import Path

import pytest

from bifrost_mcp.isolation.wire import decode, encode
from bifrost_mcp.system_tools import SYSTEM_SOURCE, system_workflows
from bifrost_mcp.workspace.described import describe, described_registry
from bifrost_mcp.workspace.loader import load_workspace
from bifrost_mcp.workspace.registry import DescribedSignature, Registry
from tests.support.workspace import workspace_modules_dropped, write_files

FILES = {
    "tickets.py": '''
        from enum import Enum
        from typing import Annotated

        from pydantic import BaseModel, Field

        from bifrost import Agent, ExecutionContext, data_provider, workflow


        class Priority(str, Enum):
            LOW = "low"
            HIGH = "high"


        class Ticket(BaseModel):
            id: str
            priority: Priority


        @workflow(is_tool=True, tags=["desk"], roles=["Technician"], timeout_seconds=2.5, requires_approval=True)
        async def open_ticket(ctx: ExecutionContext, title: Annotated[str, Field(max_length=80)],
                              priority: Priority = Priority.LOW) -> Ticket:
            """Open a ticket.

            Args:
                title: What is wrong.
            """
            return Ticket(id="T-1", priority=priority)


        @workflow(name="Lookup Customer", is_tool=True, schedule="0 * * * *")
        def lookup(name: str = "acme") -> int:  # a scheduled run passes no arguments
            return 1


        @data_provider(name="queues", cache_ttl_seconds=30)
        async def queues() -> list[dict]:
            return []


        desk = Agent("desk", instructions="Serve {org_name}.", tools=[open_ticket, "lookup_customer"],
                     knowledge=["runbooks"], roles=["Technician"], max_steps=4)
    ''',
    "broken.py": "import nowhere_to_be_found\n",
}


@pytest.fixture
def loaded(tmp_path: Path) -> Registry:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(root, FILES)
        return load_workspace(root, 3, system=system_workflows(), system_source=SYSTEM_SOURCE)


def test_the_described_registry_serves_what_the_imported_one_does(loaded: Registry) -> None:
    description = decode(encode(["ready", {"registry": describe(loaded)}])[4:])[1]["registry"]  # over the wire
    built = described_registry(description, 3, loaded.root)

    assert (built.version, built.root) == (3, loaded.root)
    assert list(built.workflows) == list(loaded.workflows)
    assert list(built.tools) == list(loaded.tools) and "lookup_customer" in built.tools
    assert list(built.data_providers) == ["queues"]
    for name, original in [*loaded.workflows.items(), *loaded.data_providers.items()]:
        copy = built.workflows.get(name) or built.data_providers[name]
        assert isinstance(copy.signature, DescribedSignature)
        assert copy.signature.input_schema == original.signature.input_schema
        assert copy.signature.output_schema == original.signature.output_schema
        assert copy.signature.wraps_output == original.signature.wraps_output
        assert copy.signature.context_params == original.signature.context_params
        assert (copy.source, copy.line, copy.tool_name, copy.id) == (
            original.source, original.line, original.tool_name, original.id,
        )  # fmt: skip
        assert copy.metadata() == original.metadata()
        assert {k: v for k, v in vars_of(copy.spec).items() if k != "fn"} == {
            k: v for k, v in vars_of(original.spec).items() if k != "fn"
        }
        assert (copy.spec.fn.__module__, copy.spec.fn.__qualname__) == (
            original.spec.fn.__module__, original.spec.fn.__qualname__,
        )  # fmt: skip

    desk, original_desk = built.agents["desk"], loaded.agents["desk"]
    assert (desk.tools, desk.source, desk.line) == (original_desk.tools, original_desk.source, original_desk.line)
    assert (desk.agent.instructions, desk.agent.knowledge, desk.roles, desk.agent.max_steps) == (
        "Serve {org_name}.", ("runbooks",), ("Technician",), 4,
    )  # fmt: skip
    assert built.errors == loaded.errors and built.errors[0].path == "broken.py"
    assert built.notes == loaded.notes


def test_a_described_function_never_runs_in_the_host(loaded: Registry) -> None:
    built = described_registry(describe(loaded), 1, loaded.root)
    entry = built.workflows["open_ticket"]
    with pytest.raises(RuntimeError, match="'open_ticket' was imported by a worker process only"):
        entry.spec.fn(title="x")
    with pytest.raises(RuntimeError, match="'open_ticket' was imported by a worker process only"):
        entry.imported_signature()
    assert loaded.workflows["open_ticket"].imported_signature() is loaded.workflows["open_ticket"].signature


def vars_of(spec: object) -> dict[str, object]:
    return {name: getattr(spec, name) for name in spec.__dataclass_fields__}  # type: ignore[attr-defined]
