"""A registry as plain data, so that the process serving it need not import the workspace's code.

With isolation "process" a worker imports the workspace and describes its registry (`describe`): names, options,
JSON Schemas, agents, load errors. The host builds its own registry from that description (`described_registry`)
without running a line of workspace code, which therefore cannot end, crash or stall the host at import. Its
entries hold a `DescribedSignature` (the schemas, no pydantic model: a worker validates arguments against the
real types) and a stand-in for the function that names it and refuses to run here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bifrost.agents import Agent
from bifrost.decorators import WorkflowSpec
from bifrost_mcp.workspace.registry import (
    DescribedSignature,
    LoadError,
    RegisteredAgent,
    RegisteredWorkflow,
    Registry,
)

_SPEC_FIELDS = [f.name for f in dataclasses.fields(WorkflowSpec) if f.name != "fn"]
_TUPLE_FIELDS = {f.name for f in dataclasses.fields(WorkflowSpec) if isinstance(f.default, tuple)}
_AGENT_FIELDS = ("description", "instructions", "knowledge", "model", "roles", "admin_only", "max_steps")


def _in_a_worker(module: str, qualname: str, name: str) -> Callable[..., Any]:
    """The function's stand-in in the host: its module and name (how workers find it), never its code."""

    def runs_in_a_worker(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"{name!r} was imported by a worker process only: it runs there (isolation 'process')")

    runs_in_a_worker.__module__ = module
    runs_in_a_worker.__qualname__ = qualname
    runs_in_a_worker.__name__ = qualname.rpartition(".")[2]
    return runs_in_a_worker


def _describe_workflow(entry: RegisteredWorkflow) -> dict[str, Any]:
    signature = entry.signature
    fn = entry.spec.fn
    return {
        "ref": [fn.__module__, fn.__qualname__],
        "source": entry.source,
        "line": entry.line,
        "tool_name": entry.tool_name,
        "spec": {name: getattr(entry.spec, name) for name in _SPEC_FIELDS},
        "input_schema": signature.input_schema,
        "output_schema": signature.output_schema,
        "wraps_output": signature.wraps_output,
        "context_params": list(signature.context_params),
        "options": dict(signature.options),
    }


def describe(registry: Registry) -> dict[str, Any]:
    """`registry` as plain values (what a worker sends the host; see `wire`)."""
    return {
        "workflows": [_describe_workflow(entry) for entry in registry.workflows.values()],
        "data_providers": [_describe_workflow(entry) for entry in registry.data_providers.values()],
        "resources": [_describe_workflow(entry) for entry in registry.resources.values()],
        "prompts": [_describe_workflow(entry) for entry in registry.prompts.values()],
        "agents": [
            {
                "name": item.agent.name,
                "tools": list(item.tools),
                "source": item.source,
                "line": item.line,
                **{name: getattr(item.agent, name) for name in _AGENT_FIELDS},
            }
            for item in registry.agents.values()
        ],
        "errors": [[error.path, error.line, error.message] for error in registry.errors],
        "notes": list(registry.notes),
    }


def _workflow(described: dict[str, Any]) -> RegisteredWorkflow:
    module, qualname = described["ref"]
    options: dict[str, Any] = {
        name: tuple(value) if name in _TUPLE_FIELDS else value for name, value in described["spec"].items()
    }
    spec = WorkflowSpec(fn=_in_a_worker(module, qualname, options["name"]), **options)
    signature = DescribedSignature(
        described["input_schema"],
        described["output_schema"],
        bool(described["wraps_output"]),
        tuple(described["context_params"]),
        dict(described.get("options") or {}),
    )
    return RegisteredWorkflow(spec, signature, described["source"], described["line"], described["tool_name"])


def described_registry(description: dict[str, Any], version: int, root: Path | None) -> Registry:
    """The registry a worker described, as registry `version` of the workspace at `root`."""
    registry = Registry(version=version, root=root)
    for described in description["workflows"]:
        entry = _workflow(described)
        registry.workflows[entry.name] = entry
    for described in description["data_providers"]:
        entry = _workflow(described)
        registry.data_providers[entry.name] = entry
    for described in description.get("resources", ()):
        entry = _workflow(described)
        registry.resources[entry.name] = entry
    for described in description.get("prompts") or ():
        entry = _workflow(described)
        registry.prompts[entry.name] = entry
    registry.tools = dict(sorted((e.tool_name, e) for e in registry.workflows.values() if e.tool_name))
    for described in description["agents"]:
        options = {name: described[name] for name in _AGENT_FIELDS}
        agent = Agent(described["name"], tools=described["tools"], **options)
        registry.agents[agent.name] = RegisteredAgent(agent, tuple(described["tools"]), described["source"],
                                                      described["line"])  # fmt: skip
    registry.errors = [LoadError(path, line, message) for path, line, message in description["errors"]]
    registry.notes = list(description["notes"])
    return registry
