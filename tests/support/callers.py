"""Callers for tests of per-caller services: members of two organizations, a platform admin, or anyone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bifrost.types import Organization
from bifrost_mcp.caller import Caller

if TYPE_CHECKING:
    from bifrost_mcp.app import App

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


async def user_token(app: App, org_id: str, email: str, *roles: str) -> tuple[str, str]:
    """A new user of `org_id` holding `roles` (each created in it): their personal token and their id."""
    identity = app.host.identity
    user = await identity.create_user(email, email.split("@")[0], org_id=org_id)
    for name in roles:
        role = await identity.create_role(org_id, name)
        await identity.assign_users(role.id, [user.id])
    return (await app.host.credentials.create_token(user.id)).token, user.id
