"""Callers for tests of per-caller services: members of two organizations and a platform admin."""

from __future__ import annotations

from bifrost.types import Organization
from bifrost_mcp.caller import Caller

ORG_A = Organization(id="org-a", name="Org A")
ORG_B = Organization(id="org-b", name="Org B")


def member(org: Organization) -> Caller:
    return Caller(
        user_id=f"user-{org.id}", email=f"u@{org.id}.test", name="U", organization=org, is_platform_admin=False
    )


def platform_admin() -> Caller:
    return Caller(user_id="admin", email="admin@test", name="Admin", organization=None, is_platform_admin=True)
