"""Onboarding a new employee: a pydantic input model, nested data, a structured result."""

from __future__ import annotations

import logging
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from bifrost import context, workflow

logger = logging.getLogger(__name__)


class NewHire(BaseModel):
    """Who is joining."""

    first_name: str = Field(min_length=1, description="Given name")
    last_name: str = Field(min_length=1, description="Family name")
    personal_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="Where to send the welcome pack")
    department: Literal["eng", "sales", "support", "finance"]
    start_date: date
    manager_email: str | None = None


class OnboardingResult(BaseModel):
    username: str
    work_email: str
    groups: list[str]
    checklist: list[str]


_GROUPS = {
    "eng": ["all-staff", "engineering", "vpn-users"],
    "sales": ["all-staff", "sales", "crm-users"],
    "support": ["all-staff", "support", "helpdesk-agents"],
    "finance": ["all-staff", "finance", "erp-users"],
}


@workflow(is_tool=True, category="User Management", tags=["onboarding", "m365"], time_saved=30)
async def onboard_user(hire: NewHire, send_welcome: bool = True) -> OnboardingResult:
    """Onboard a new employee: choose a username, groups and the first-day checklist.

    Args:
        hire: The new employee's details.
        send_welcome: Whether to email the welcome pack to the personal address.
    """
    username = f"{hire.first_name[0]}{hire.last_name}".lower().replace(" ", "")
    domain = (context.organization.domain if context.organization else None) or "example.com"
    logger.info("onboarding %s into %s", username, hire.department, extra={"org_id": context.org_id})
    checklist = [f"Create account {username}@{domain}", "Assign Microsoft 365 Business Premium licence"]
    checklist += [f"Add to group {g}" for g in _GROUPS[hire.department]]
    if hire.manager_email:
        checklist.append(f"Notify manager {hire.manager_email}")
    if send_welcome:
        checklist.append(f"Send welcome pack to {hire.personal_email} before {hire.start_date.isoformat()}")
    return OnboardingResult(
        username=username, work_email=f"{username}@{domain}", groups=_GROUPS[hire.department], checklist=checklist
    )
