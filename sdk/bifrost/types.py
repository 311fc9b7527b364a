"""Data types of the SDK contract (../shared/spec/sdk-module-reference.md), as pydantic models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Organization(_Model):
    id: str
    name: str
    is_active: bool = True
    domain: str | None = None


class Role(_Model):
    id: str
    name: str
    description: str = ""
    organization_id: str
    is_active: bool = True


class UserPublic(_Model):
    id: str
    email: str
    name: str
    organization_id: str | None = None
    is_active: bool = True
    is_superuser: bool = False


class FormPublic(_Model):
    id: str
    name: str
    description: str | None = None
    workflow_id: str | None = None
    form_schema: dict[str, Any] | None = None
    access_level: str = "authenticated"
    organization_id: str | None = None
    is_active: bool = True


class WorkflowMetadata(_Model):
    id: str
    name: str
    description: str | None = None
    category: str = "General"
    tags: list[str] = Field(default_factory=list)
    execution_mode: str = "sync"
    timeout_seconds: int | float = 1800  # not `float`: pydantic would turn 1800 into 1800.0
    schedule: str | None = None
    endpoint_enabled: bool = False
    is_tool: bool = False
    time_saved: int = 0


class ExecutionLog(_Model):
    id: str
    execution_id: str
    level: str
    message: str
    metadata: dict[str, Any] | None = None
    timestamp: str


class WorkflowExecution(_Model):
    execution_id: str
    workflow_name: str
    org_id: str | None = None
    form_id: str | None = None
    executed_by: str
    executed_by_name: str = ""
    status: str
    input_data: dict[str, Any] = Field(default_factory=dict)
    result: Any = None
    result_type: str | None = None
    error_message: str | None = None
    duration_ms: int | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    logs: list[dict[str, Any]] | None = None
    variables: dict[str, Any] | None = None
    session_id: str | None = None
    trigger: str | None = None  # what started the run: mcp, cli, agent, schedule, endpoint (None: not recorded)
    peak_memory_bytes: int | None = None
    cpu_total_seconds: float | None = None


class OAuthCredentials(_Model):
    access_token: str
    refresh_token: str | None = None
    expires_at: str | None = None
    token_type: str = "Bearer"
    scopes: list[str] = Field(default_factory=list)


class IntegrationData(_Model):
    integration_id: str
    entity_id: str | None = None
    entity_name: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    oauth: OAuthCredentials | None = None


class ConfigData(_Model):
    key: str
    value: Any
    type: str
    scope: str
    is_secret: bool = False


class ElicitationResult(_Model):
    """The person's answer to `context.elicit` / `forms.ask`: what they did and, on accept, what they entered.

    `content` is a dict of the form's values, or an instance of the model `forms.ask` was given; None unless
    `action` is "accept".
    """

    action: Literal["accept", "decline", "cancel"]
    content: Any = None

    @property
    def accepted(self) -> bool:
        return self.action == "accept"


class AIResponse(_Model):
    content: str
    input_tokens: int = 0
    output_tokens: int = 0
    model: str = ""


class AIStreamChunk(_Model):
    content: str = ""
    done: bool = False
    input_tokens: int | None = None
    output_tokens: int | None = None
    model: str | None = None


class KnowledgeDocument(_Model):
    id: str
    key: str | None = None
    namespace: str
    content: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    score: float | None = None
    organization_id: str | None = None
    created_at: datetime | None = None


class NamespaceInfo(_Model):
    name: str
    org_document_count: int = 0
    global_document_count: int = 0
    embedder: str | None = None


class TableInfo(_Model):
    id: str
    name: str
    description: str | None = None
    table_schema: dict[str, Any] | None = None
    organization_id: str | None = None
    application_id: str | None = None
    created_at: datetime | None = None


class DocumentData(_Model):
    id: str
    table_id: str
    data: dict[str, Any]
    created_at: datetime | None = None
    updated_at: datetime | None = None


class DocumentList(_Model):
    documents: list[DocumentData]
    total: int
    limit: int
    offset: int


__all__ = [
    "AIResponse",
    "AIStreamChunk",
    "ConfigData",
    "DocumentData",
    "DocumentList",
    "ElicitationResult",
    "ExecutionLog",
    "FormPublic",
    "IntegrationData",
    "KnowledgeDocument",
    "NamespaceInfo",
    "OAuthCredentials",
    "Organization",
    "Role",
    "TableInfo",
    "UserPublic",
    "WorkflowExecution",
    "WorkflowMetadata",
]
