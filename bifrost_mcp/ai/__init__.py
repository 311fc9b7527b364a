"""The ai capability: providers behind the `ChatModel` interface, model resolution, and the `ai` view.

Names are resolved lazily (PEP 562): importing a light submodule such as `bifrost_mcp.ai.knowledge` must not
import the vendor SDKs, which take seconds and are needed only on the first AI call.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bifrost_mcp.ai.clients import ProviderClients
    from bifrost_mcp.ai.knowledge import KnowledgeSearch, Passage
    from bifrost_mcp.ai.models import ModelResolver, ResolvedModel, Settings, parse_model_id
    from bifrost_mcp.ai.view import AIView, RecordUsage

_HOMES = {
    "ProviderClients": "clients",
    "KnowledgeSearch": "knowledge",
    "Passage": "knowledge",
    "ModelResolver": "models",
    "ResolvedModel": "models",
    "Settings": "models",
    "parse_model_id": "models",
    "AIView": "view",
    "RecordUsage": "view",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'bifrost_mcp.ai' has no attribute {name!r}")
    return getattr(importlib.import_module(f"bifrost_mcp.ai.{home}"), name)


__all__ = [
    "AIView",
    "KnowledgeSearch",
    "ModelResolver",
    "Passage",
    "ProviderClients",
    "RecordUsage",
    "ResolvedModel",
    "Settings",
    "parse_model_id",
]
