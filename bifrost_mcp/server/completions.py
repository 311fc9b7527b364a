"""completion/complete: a prompt argument's or resource-template parameter's values, from its `options(...)` provider.

The data provider runs as the caller through `App.read_data_provider` (in a worker under process isolation,
recorded, cached per caller for its cache_ttl_seconds). Its parameters are filled from the request's
`context.arguments` where they share a name. The values matching the typed prefix (case-insensitively, on the
option's value or its label) are answered, at most 100, with the total. An argument without options, and a
provider the caller may not use, answer an empty completion. The protocol has no tool reference
(ref/prompt and ref/resource only), so a workflow's tool arguments cannot be completed over MCP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import mcp_types as types
from mcp.shared.exceptions import MCPError

from bifrost_mcp import access
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.prompts import find_agent_prompt, unknown_prompt
from bifrost_mcp.server.tools import DATA_PROVIDER_PREFIX, provider_parameters
from bifrost_mcp.workspace.registry import RegisteredWorkflow
from bifrost_mcp.workspace.resources import is_template, resource_uri

MAX_VALUES = 100  # the protocol's limit per answer

# ref/resource lookups by URI template: the caller's entry whose parameters the template names, or None.
TemplateFinder = Callable[[App, Caller, str], RegisteredWorkflow | None]


def _data_provider_template(app: App, caller: Caller, uri: str) -> RegisteredWorkflow | None:
    if not uri.startswith(DATA_PROVIDER_PREFIX):
        return None
    name = unquote(uri[len(DATA_PROVIDER_PREFIX) :].split("{", 1)[0].split("?", 1)[0])
    return app.find_data_provider(caller, name)


def _author_template(app: App, caller: Caller, uri: str) -> RegisteredWorkflow | None:
    """The caller's `@resource` whose URI template is exactly `uri`."""
    entries = app.registry.resources.values()
    usable = access.usable(caller, [entry for entry in entries if is_template(entry) and resource_uri(entry) == uri])
    return usable[0] if usable else None


TEMPLATE_FINDERS: tuple[TemplateFinder, ...] = (_data_provider_template, _author_template)


def _entry_of(app: App, caller: Caller, ref: types.PromptReference | types.ResourceTemplateReference) -> Any:
    if isinstance(ref, types.PromptReference):
        entry = app.find_prompt(caller, ref.name)
        if entry is None and find_agent_prompt(app, caller, ref.name) is None:
            raise unknown_prompt(ref.name)
        return entry  # an agent's prompt has no arguments, so nothing to complete
    for finder in TEMPLATE_FINDERS:
        found = finder(app, caller, ref.uri)
        if found is not None:
            return found
    raise MCPError(types.INVALID_PARAMS, f"Unknown resource template: {ref.uri}")


async def complete(app: App, caller: Caller, params: types.CompleteRequestParams) -> types.CompleteResult:
    """The completion of `params.argument` for `caller`.

    Raises:
        MCPError: INVALID_PARAMS for an unknown (or hidden) prompt or template, or context arguments the provider
            refuses; INTERNAL_ERROR, with the execution id, when the provider fails.
    """
    entry: RegisteredWorkflow | None = _entry_of(app, caller, params.ref)
    provider_name = entry.signature.options.get(params.argument.name) if entry is not None else None
    provider = app.find_data_provider(caller, provider_name) if provider_name is not None else None
    if provider is None:
        return types.CompleteResult(completion=types.Completion(values=[], total=0, has_more=False))
    given = params.context.arguments if params.context and params.context.arguments else {}
    wanted = set(provider_parameters(provider))
    outcome = await app.read_data_provider(provider, {k: v for k, v in given.items() if k in wanted}, caller)
    if outcome.invalid is not None:
        raise MCPError(types.INVALID_PARAMS, outcome.message or f"Invalid arguments for {provider.name!r}")
    if outcome.message is not None:
        raise MCPError(types.INTERNAL_ERROR, f"{outcome.message} (execution {outcome.execution_id})")
    values = matching(outcome.value, params.argument.value)
    shown = values[:MAX_VALUES]
    return types.CompleteResult(
        completion=types.Completion(values=shown, total=len(values), has_more=len(values) > len(shown))
    )


def matching(options: list[dict[str, Any]], typed: str) -> list[str]:
    """The values of `options` whose value or label starts with `typed` (ignoring case), each once, in order."""
    prefix = typed.casefold()
    found: dict[str, None] = {}
    for option in options:
        value = option["value"]
        text = value if isinstance(value, str) else json.dumps(value)
        if text.casefold().startswith(prefix) or str(option["label"]).casefold().startswith(prefix):
            found[text] = None
    return list(found)


__all__ = ["MAX_VALUES", "complete", "matching"]
