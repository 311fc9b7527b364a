"""The bifrost SDK: decorators, the `context` proxy, async modules, types, enums and errors.

Workflows import it as `from bifrost import workflow, context, config, tables, ...`; bifrost-mcp runs them.
"""

from bifrost import (
    ai,
    config,
    executions,
    files,
    forms,
    integrations,
    knowledge,
    organizations,
    resources,
    roles,
    tables,
    users,
    workflows,
)
from bifrost._context import ExecutionContext, context
from bifrost.agents import Agent
from bifrost.choices import options
from bifrost.content import Audio, File, Image
from bifrost.decorators import data_provider, workflow
from bifrost.enums import ConfigType, ExecutionStatus, FormFieldType
from bifrost.errors import ConfigurationError, IntegrationError, UserError, ValidationError, WorkflowError
from bifrost.forms import FormField
from bifrost.prompts import Message, assistant, prompt, user
from bifrost.resources import resource
from bifrost.types import (
    AIResponse,
    AIStreamChunk,
    ConfigData,
    DocumentData,
    DocumentList,
    ElicitationResult,
    ExecutionLog,
    FormPublic,
    IntegrationData,
    KnowledgeDocument,
    NamespaceInfo,
    OAuthCredentials,
    Organization,
    Role,
    TableInfo,
    UserPublic,
    WorkflowExecution,
    WorkflowMetadata,
)

__all__ = [
    "AIResponse",
    "AIStreamChunk",
    "Agent",
    "Audio",
    "ConfigData",
    "ConfigType",
    "ConfigurationError",
    "DocumentData",
    "DocumentList",
    "ElicitationResult",
    "ExecutionContext",
    "ExecutionLog",
    "ExecutionStatus",
    "File",
    "FormField",
    "FormFieldType",
    "FormPublic",
    "Image",
    "IntegrationData",
    "IntegrationError",
    "KnowledgeDocument",
    "Message",
    "NamespaceInfo",
    "OAuthCredentials",
    "Organization",
    "Role",
    "TableInfo",
    "UserError",
    "UserPublic",
    "ValidationError",
    "WorkflowError",
    "WorkflowExecution",
    "WorkflowMetadata",
    "ai",
    "assistant",
    "config",
    "context",
    "data_provider",
    "executions",
    "files",
    "forms",
    "integrations",
    "knowledge",
    "options",
    "organizations",
    "prompt",
    "resource",
    "resources",
    "roles",
    "tables",
    "user",
    "users",
    "workflow",
    "workflows",
]
