"""The ai capability: providers behind the `ChatModel` interface, model resolution, and the `ai` service."""

from bifrost_mcp.ai.clients import ProviderClients
from bifrost_mcp.ai.knowledge import KnowledgeSearch, Passage
from bifrost_mcp.ai.models import ModelResolver, ResolvedModel, Settings, parse_model_id
from bifrost_mcp.ai.service import LLMService, RecordUsage

__all__ = [
    "KnowledgeSearch",
    "LLMService",
    "ModelResolver",
    "Passage",
    "ProviderClients",
    "RecordUsage",
    "ResolvedModel",
    "Settings",
    "parse_model_id",
]
