"""Offboarding: a dangerous action that runs only after a person approves its exact arguments.

`requires_approval=True`: an agent holds the call until the person chatting approves it (web page buttons,
terminal y/N, or "approve" as the next message), and an MCP client is asked to confirm (elicitation). Nobody
approves, nothing runs.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel

from bifrost import context, workflow

logger = logging.getLogger(__name__)


class OffboardingResult(BaseModel):
    account: str
    checklist: list[str]


@workflow(is_tool=True, category="User Management", tags=["offboarding", "m365"], requires_approval=True)
async def offboard_user(email: str, reason: str, keep_mailbox_days: int = 30) -> OffboardingResult:
    """Offboard a leaver: disable the account, end their sessions, keep the mailbox for a while.

    Args:
        email: The leaver's work email.
        reason: Why, for the audit trail.
        keep_mailbox_days: How long the mailbox stays, as a shared mailbox, before it is deleted.
    """
    logger.info("offboarding %s for %s", email, context.org_name or "the platform")
    return OffboardingResult(
        account=email,
        checklist=[
            f"Disable sign-in for {email}",
            "Revoke all sessions and app passwords",
            f"Convert the mailbox to shared for {keep_mailbox_days} days",
            f"Record the reason: {reason}",
        ],
    )
