"""The registry: every workflow, data provider and agent of one workspace version, with tool names and schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bifrost._context import ExecutionContext
from bifrost.agents import Agent
from bifrost.decorators import WorkflowSpec
from bifrost.signatures import Signature
from bifrost.types import WorkflowMetadata


@dataclass(frozen=True, slots=True)
class LoadError:
    """A workspace problem, reported at load: which file, which line, what to fix."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class DescribedSignature:
    """What the host keeps of a signature a worker built (see `described`): the schemas a client sees, no model."""

    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    wraps_output: bool
    context_params: tuple[str, ...]
    options: dict[str, str] = field(default_factory=dict)  # parameter -> the data provider of its choices


@dataclass(frozen=True, slots=True)
class RegisteredWorkflow:
    spec: WorkflowSpec
    signature: Signature | DescribedSignature  # described: the workspace was imported by worker processes only
    source: str  # path relative to the workspace (or a module name for in-code registration)
    line: int | None
    tool_name: str | None = None

    def imported_signature(self) -> Signature:
        """The signature of a function this process imported; a described one has no types to validate with."""
        if isinstance(self.signature, DescribedSignature):
            raise RuntimeError(
                f"{self.name!r} was imported by a worker process only: it runs there (isolation 'process')"
            )
        return self.signature

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def id(self) -> str:
        return f"{self.source}::{self.spec.fn.__qualname__}"

    def metadata(self) -> WorkflowMetadata:
        spec = self.spec
        return WorkflowMetadata(
            id=self.id,
            name=spec.name,
            description=spec.description,
            category=spec.category,
            tags=list(spec.tags),
            execution_mode=spec.execution_mode,
            timeout_seconds=spec.timeout_seconds,
            schedule=spec.schedule,
            endpoint_enabled=spec.endpoint_enabled,
            is_tool=spec.is_tool,
            time_saved=spec.time_saved,
        )


@dataclass(frozen=True, slots=True)
class RegisteredAgent:
    """An agent of this registry, its tools resolved to the names of workflows the registry holds."""

    agent: Agent
    tools: tuple[str, ...]  # workflow names (keys of Registry.workflows), in the declared order
    source: str
    line: int | None

    @property
    def name(self) -> str:
        return self.agent.name

    @property
    def roles(self) -> tuple[str, ...]:
        return self.agent.roles

    @property
    def admin_only(self) -> bool:
        return self.agent.admin_only

    def render_instructions(self, ctx: ExecutionContext) -> str:
        return self.agent.render_instructions(ctx)


def tool_name_for(name: str) -> str:
    """Lower-case; spaces and hyphens to `_`; other characters dropped; repeated `_` collapsed."""
    lowered = name.lower().replace(" ", "_").replace("-", "_")
    kept = re.sub(r"[^a-z0-9_]", "", lowered)
    return re.sub(r"_+", "_", kept).strip("_") or "workflow"


@dataclass(slots=True)
class Registry:
    version: int
    root: Path | None
    workflows: dict[str, RegisteredWorkflow] = field(default_factory=dict)
    data_providers: dict[str, RegisteredWorkflow] = field(default_factory=dict)
    tools: dict[str, RegisteredWorkflow] = field(default_factory=dict)
    agents: dict[str, RegisteredAgent] = field(default_factory=dict)
    resources: dict[str, RegisteredWorkflow] = field(default_factory=dict)  # @resource functions, by name
    prompts: dict[str, RegisteredWorkflow] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)  # per-version derived data (tool definitions, ...)

    def add(self, entry: RegisteredWorkflow) -> None:
        """Register `entry`; a second workflow of the same name is a load error naming both files."""
        if entry.spec.kind == "resource":
            self._add_resource(entry)
            return
        target = self._entries_of(entry.spec.kind)
        existing = target.get(entry.name)
        if existing is not None:
            kind = entry.spec.kind.replace("_", " ")
            self.errors.append(
                LoadError(
                    entry.source,
                    entry.line,
                    f"duplicate {kind} name {entry.name!r}: already defined in {existing.source}"
                    f"{':' + str(existing.line) if existing.line else ''}; rename one of them "
                    f"(@{entry.spec.kind}(name=...))",
                )
            )
            return
        target[entry.name] = entry

    def _add_resource(self, entry: RegisteredWorkflow) -> None:
        """A resource, unless its name or its URI is another's: then a load error naming both files."""
        uri = entry.spec.extra["uri"]
        for existing in self.resources.values():
            clash = "name" if existing.name == entry.name else "URI" if existing.spec.extra["uri"] == uri else None
            if clash is not None:
                where = f"{existing.source}{':' + str(existing.line) if existing.line else ''}"
                self.errors.append(
                    LoadError(
                        entry.source,
                        entry.line,
                        f"duplicate resource {clash} {entry.name if clash == 'name' else uri!r}: already defined in "
                        f"{where}; give each resource its own name (@resource(..., name=...)) and URI",
                    )
                )
                return
        self.resources[entry.name] = entry

    def _entries_of(self, kind: str) -> dict[str, RegisteredWorkflow]:
        return {"workflow": self.workflows, "prompt": self.prompts}.get(kind, self.data_providers)

    def assign_tool_names(self) -> None:
        """Tool names for is_tool workflows, deterministic: collisions get _2, _3 ... in (source, name) order."""
        taken: dict[str, RegisteredWorkflow] = {}
        for entry in sorted(self.workflows.values(), key=lambda e: (e.source, e.line or 0, e.name)):
            if not entry.spec.is_tool:
                continue
            base = tool_name_for(entry.name)
            candidate, n = base, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}_{n}"
            if candidate != base:
                self.notes.append(
                    f"tool name {base!r} of workflow {entry.name!r} ({entry.source}) collides with workflow "
                    f"{taken[base].name!r} ({taken[base].source}); published as {candidate!r}"
                )
            taken[candidate] = entry
            self.workflows[entry.name] = _with_tool_name(entry, candidate)
        self.tools = {e.tool_name: e for e in self.workflows.values() if e.tool_name}
        self.tools = dict(sorted(self.tools.items()))


def _with_tool_name(entry: RegisteredWorkflow, tool_name: str) -> RegisteredWorkflow:
    return RegisteredWorkflow(entry.spec, entry.signature, entry.source, entry.line, tool_name)
