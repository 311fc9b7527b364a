"""The model an agent talks to for a caller, resolved exactly as `ai.complete` resolves it inside a run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bifrost import llm
from bifrost_mcp.ai.settings import caller_settings
from bifrost_mcp.caller import Caller
from bifrost_mcp.host import Host

if TYPE_CHECKING:
    from bifrost_mcp.ai.models import ResolvedModel


async def agent_model(host: Host, caller: Caller, model_id: str | None) -> ResolvedModel:
    """`model_id` ("provider:model"; None: config 'ai_default_model' or the default provider's) for `caller`.

    Keys and base URLs come from the caller's organization config, then GLOBAL, under the access gate's rules;
    a model set with `bifrost.testing.override_model` answers instead, so agents are testable offline.
    Raises ConfigurationError when no provider is configured.
    """
    # imports the vendor SDKs (about 2 s): on the first turn, not when the CLI or the server starts
    from bifrost_mcp.ai.models import ResolvedModel, resolve_reusing

    override = llm.model_override.get()
    if override is not None:
        return ResolvedModel("override", model_id or "", override)
    # No RunState: a chat turn is not a run; the provider key never enters a message, so nothing to redact.
    return await resolve_reusing(caller_settings(host.config, caller.scope, None), host.ai_clients, model_id)
