"""Talking to the person who called, mid-run: progress over a loop, log lines, a question, the client's model.

Called from an MCP client, `sync_mailboxes` shows a progress bar and its log lines (when the client set a log
level), `place_new_hire` asks the person for a department with a form (defaults pre-filled), and
`summarize_ticket` uses the organization's AI provider, or the client's own model when none is configured.
"""

from __future__ import annotations

import logging
from typing import Any

from bifrost import FormField, FormFieldType, ai, context, forms, workflow

logger = logging.getLogger(__name__)

DEPARTMENTS = [
    {"value": "eng", "label": "Engineering"},
    {"value": "sales", "label": "Sales"},
    {"value": "support", "label": "Support"},
    {"value": "finance", "label": "Finance"},
]


@workflow(is_tool=True, category="Onboarding")
async def sync_mailboxes(count: int = 5) -> dict[str, int]:
    """Sync the new hires' mailboxes, reporting progress as it goes.

    Args:
        count: How many mailboxes to sync.
    """
    for done in range(1, count + 1):
        logger.info("synced mailbox %d of %d", done, count)
        await context.report_progress(done, count, f"mailbox {done} of {count}")
    return {"synced": count}


@workflow(is_tool=True, category="Onboarding")
async def place_new_hire(name: str) -> dict[str, Any]:
    """Ask the person calling where a new hire starts: department, start date, laptop.

    Args:
        name: The new hire's full name.
    """
    answer = await forms.ask(
        f"Where does {name} start?",
        {
            "department": FormField(
                type=FormFieldType.SELECT, label="Department", required=True, default="eng", options=DEPARTMENTS
            ),
            "start_date": FormField(type=FormFieldType.DATE, label="Start date", description="YYYY-MM-DD"),
            "laptop": FormField(type=FormFieldType.CHECKBOX, label="Needs a laptop", default=True),
        },
    )
    if not answer.accepted:
        logger.info("placement of %s left open: %s", name, answer.action)
        return {"placed": False, "name": name, "reason": answer.action}
    return {"placed": True, "name": name, **answer.content}


@workflow(is_tool=True, category="Helpdesk")
async def summarize_ticket(text: str) -> str:
    """Summarize a ticket in one sentence.

    Args:
        text: The ticket's text.
    """
    reply = await ai.complete(f"Summarize this ticket in one sentence:\n{text}", max_tokens=200)
    return reply.content
