"""A chat agent for the service desk, over the example workflows.

Agents are declared beside workflows and reload with them. Tools are workflow names or the decorated
functions themselves; whoever chats gets only the tools they could run directly.
"""

from __future__ import annotations

from triage import triage_ticket

from bifrost import Agent

helpdesk = Agent(
    name="helpdesk",
    description="Answers service-desk questions, triages tickets and drafts replies",
    instructions=(
        "You are the service desk of {org_name}, helping {user_name}. Triage every new ticket before you "
        "answer it, look procedures up in the runbooks, and draft replies to customers in a friendly tone."
    ),
    tools=[triage_ticket, "draft_reply"],
    knowledge=["runbooks"],
    roles=["Technician"],
    max_steps=8,
)
