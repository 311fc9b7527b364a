"""Tool and resource definitions built once per registry version, and tool results from run outcomes.

The texts come from runner.rendering, shared with the agent loop's tool messages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import mcp_types as types

from bifrost.content import from_json
from bifrost.decorators import WorkflowSpec
from bifrost_mcp.runner.rendering import (
    failure_text,
    has_content,
    render_text,
    soft_failure,
    soft_failure_text,
)
from bifrost_mcp.runner.runner import RunOutcome
from bifrost_mcp.server.content import content_block
from bifrost_mcp.workspace import RegisteredWorkflow, Registry

DATA_PROVIDER_PREFIX = "bifrost://data-providers/"
EXECUTION_META_KEY = "bifrost/executionId"
REQUIRES_APPROVAL_META_KEY = "bifrost/requiresApproval"
# Above this many characters of JSON a structured result is sent once, not also as text: the protocol asks for
# the text copy for older clients, which is not worth sending a large result twice.
TEXT_COPY_LIMIT = 64 * 1024
BACKGROUND_META_KEY = "bifrost/runsInBackground"
# Our schemas are JSON Schema 2020-12 (pydantic's dialect, MCP's default since 2025-11-25); saying so lets a
# client validate with the right dialect rather than guess (SEP-1613).
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
BACKGROUND_SENTENCE = (
    "Runs in the background: the call answers at once with an execution_id (status Pending); read its status, "
    "result and logs with the get_execution tool once it has had time to finish."
)
APPROVAL_SENTENCE = (
    "Requires the user's approval: the user is asked to confirm the exact arguments before it runs, and a client "
    "that cannot ask (no elicitation support) is refused."
)

# parameter -> the resource of the data provider its options(...) names: MCP cannot complete a tool argument,
# so a client reads the values there
OPTIONS_META_KEY = "bifrost/options"


def runs_in_background(spec: WorkflowSpec, hold_seconds: float) -> bool:
    """Whether a tools/call of `spec` is answered before its run ends: async, or allowed to run past the hold."""
    return spec.execution_mode == "async" or spec.timeout_seconds > hold_seconds


def tool_definition(entry: RegisteredWorkflow, *, in_background: bool = False) -> types.Tool:
    """`entry` as an MCP tool; `in_background`: its calls answer with an execution id rather than its output."""
    spec = entry.spec
    assert entry.tool_name is not None
    description = spec.description or f"Runs the workflow {spec.name!r}."
    meta: dict[str, Any] = {"bifrost/category": spec.category, "bifrost/tags": list(spec.tags)} if spec.tags else {}
    if spec.requires_approval:
        # Said to the model in words and to the client as data. No annotation: destructiveHint describes what a
        # tool does to the world, while this is the author's rule that a person confirms each call.
        description = f"{description} {APPROVAL_SENTENCE}"
        meta[REQUIRES_APPROVAL_META_KEY] = True
    if entry.signature.options:
        meta[OPTIONS_META_KEY] = options_resources(entry)
    if in_background:
        # Its answer is the handoff, not the output: an output schema would make clients reject it.
        description = f"{description} {BACKGROUND_SENTENCE}"
        meta[BACKGROUND_META_KEY] = True
    return types.Tool(
        name=entry.tool_name,
        title=spec.name if spec.name != entry.tool_name else None,
        description=description,
        input_schema={"$schema": JSON_SCHEMA_DIALECT, **entry.signature.input_schema},
        output_schema=None if in_background else entry.signature.output_schema,
        # Only facts a client cannot derive: the display title when it differs from the tool name.
        annotations=types.ToolAnnotations(title=spec.name) if spec.name != entry.tool_name else None,
        meta=meta or None,
    )


def tool_definitions(registry: Registry, hold_seconds: float) -> dict[str, types.Tool]:
    """Every tool of the registry, built once per registry version (cached on the registry)."""
    key = f"tool_definitions:{hold_seconds!r}"
    cached = registry.cache.get(key)
    if cached is None:
        cached = {
            name: tool_definition(entry, in_background=runs_in_background(entry.spec, hold_seconds))
            for name, entry in registry.tools.items()
        }
        registry.cache[key] = cached
    return cached


def provider_parameters(entry: RegisteredWorkflow) -> list[str]:
    return list(entry.signature.input_schema.get("properties", {}))


def provider_uri(entry: RegisteredWorkflow) -> str:
    return DATA_PROVIDER_PREFIX + quote(entry.name, safe="")


def options_resources(entry: RegisteredWorkflow) -> dict[str, str]:
    """Each parameter with `options(...)` and the resource URI of the data provider it names."""
    return {name: DATA_PROVIDER_PREFIX + quote(provider, safe="") for name, provider in entry.signature.options.items()}


def resource_definition(entry: RegisteredWorkflow) -> types.Resource:
    return types.Resource(
        uri=provider_uri(entry),
        name=entry.name,
        description=entry.spec.description,
        mime_type="application/json",
    )


def template_definition(entry: RegisteredWorkflow) -> types.ResourceTemplate:
    params = ",".join(provider_parameters(entry))
    return types.ResourceTemplate(
        uri_template=f"{provider_uri(entry)}{{?{params}}}",
        name=entry.name,
        description=entry.spec.description,
        mime_type="application/json",
    )


def content_blocks(value: Any) -> list[types.ContentBlock]:
    """A content result as MCP content blocks: each item its own block; str as text, plain data as its JSON."""
    blocks: list[types.ContentBlock] = []
    for item in value if isinstance(value, list) else [value]:
        content = from_json(item)
        blocks.append(content_block(content) if content is not None else types.TextContent(text=render_text(item)))
    return blocks


def tool_result(entry: RegisteredWorkflow, outcome: RunOutcome) -> types.CallToolResult:
    """Success: structuredContent plus text (one of them for a large result). Failure: isError a model can act on."""
    meta = {EXECUTION_META_KEY: outcome.execution_id}
    if outcome.message is not None:
        text = failure_text(outcome)
        return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True, _meta=meta)
    value = outcome.value
    if has_content(value):  # images, audio, files: their own content blocks, in order, with no structured copy
        return types.CallToolResult(content=content_blocks(value), _meta=meta)
    # MCP structured content is an object: primitive and list returns travel as {"result": value}.
    structured = {"result": value} if entry.signature.wraps_output else value if isinstance(value, dict) else None
    text = render_text(value)
    if structured is not None and len(text) > TEXT_COPY_LIMIT:
        if entry.signature.output_schema is not None:  # the protocol requires the structured copy
            size = len(text.encode("utf-8", "surrogatepass"))
            text = f"The result is {size:,} bytes of JSON, sent once, as structuredContent"
            text += f" (execution {outcome.execution_id})"
        else:
            structured = None
    content: list[types.ContentBlock] = [types.TextContent(text=text)]
    error = soft_failure(value)
    if error is not None:
        content.insert(0, types.TextContent(text=soft_failure_text(error, outcome)))
        return types.CallToolResult(content=content, structured_content=structured, is_error=True, _meta=meta)
    return types.CallToolResult(content=content, structured_content=structured, _meta=meta)
