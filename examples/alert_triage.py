"""Alert triage with an LLM: a pydantic response_format, and a streamed reply draft.

Configure a provider once (keys are stored encrypted; see the README's AI section), for example:
    bifrost-mcp config set anthropic_api_key sk-ant-... --secret --global
    bifrost-mcp config set ai_default_model anthropic:claude-sonnet-5-5 --global
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bifrost import ai, workflow

SYSTEM = (
    "You are the first-line triage engineer of a managed service provider. Classify monitoring alerts "
    "precisely; page the on-call engineer only for customer-impacting or security events."
)


class AlertTriage(BaseModel):
    severity: Literal["info", "warning", "critical"]
    category: Literal["network", "server", "security", "backup", "other"]
    summary: str = Field(description="One sentence for the on-call engineer")
    page_on_call: bool


@workflow(is_tool=True, category="Monitoring", tags=["ai", "alerts"], time_saved=5)
async def triage_alert(alert: str, source: str = "rmm", model: str | None = None) -> AlertTriage:
    """Classify a monitoring alert: severity, category, a one-line summary, and whether to page on-call.

    Args:
        alert: The alert text as the monitoring system sent it.
        source: Which system raised it (rmm, backup, firewall, ...).
        model: A "provider:model" id; the configured default when omitted.
    """
    return await ai.complete(
        f"Alert from {source}:\n{alert}", system=SYSTEM, response_format=AlertTriage, model=model, max_tokens=400
    )


@workflow(is_tool=True, category="Service Desk", tags=["ai"])
async def draft_reply(ticket: str, tone: Literal["friendly", "formal"] = "friendly") -> str:
    """Draft a reply to a customer's ticket (streamed from the model and assembled).

    Args:
        ticket: The customer's message.
        tone: How the reply should sound.
    """
    parts = []
    async for chunk in ai.stream(
        messages=[{"role": "user", "content": ticket}],
        system=f"Write a short, {tone} reply from the service desk. Do not promise dates.",
        max_tokens=300,
    ):
        parts.append(chunk.content)
    return "".join(parts)
