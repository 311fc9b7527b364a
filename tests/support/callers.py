"""Callers for tests of per-caller services: members of two organizations, a platform admin, or anyone."""

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


def caller_in(org: Organization | None, *, admin: bool = False, user_id: str = "user-1") -> Caller:
    return Caller(
        user_id=user_id,
        email=f"{user_id}@example.com",
        name=user_id,
        organization=org,
        is_platform_admin=admin,
    )
