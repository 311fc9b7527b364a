"""Ticket triage with Literal priorities; returns {"success": False} for tickets it cannot route."""

from __future__ import annotations

from typing import Literal

from bifrost import workflow

Priority = Literal["low", "medium", "high", "critical"]

_QUEUES = {
    "password": "service-desk",
    "vpn": "network",
    "printer": "service-desk",
    "outage": "noc",
    "invoice": "billing",
}


# Also an HTTP endpoint (POST /api/workflows/triage_ticket), answering with its result: a ticketing system's
# webhook can call it with a function key.
@workflow(is_tool=True, category="Service Desk", tags=["tickets"], endpoint_enabled=True, execution_mode="sync")
async def triage_ticket(subject: str, body: str, priority: Priority = "medium", customer: str | None = None) -> dict:
    """Route a support ticket to a queue and set its SLA.

    Args:
        subject: The ticket's subject line.
        body: The ticket's text.
        priority: How urgent the requester says it is.
        customer: The customer organization, if known.
    """
    text = f"{subject} {body}".lower()
    queue = next((q for word, q in _QUEUES.items() if word in text), None)
    if queue is None:
        return {"success": False, "error": "no queue matches this ticket; route it by hand", "subject": subject}
    if "outage" in text or "down" in text:
        priority = "critical"
    sla_hours = {"low": 72, "medium": 24, "high": 8, "critical": 1}[priority]
    return {"success": True, "queue": queue, "priority": priority, "sla_hours": sla_hours, "customer": customer}
