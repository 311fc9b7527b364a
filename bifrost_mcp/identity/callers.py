"""Who is calling: a token, a user id or the local owner resolved to a Caller, and the organization override.

Every entry point (HTTP, stdio, CLI, tests) resolves its caller here; refusals are one AuthenticationError
carrying the HTTP status an entry point answers with.
"""

from __future__ import annotations

from bifrost_mcp import access
from bifrost_mcp.caller import Caller
from bifrost_mcp.errors import AuthenticationError, NotFoundError
from bifrost_mcp.identity.credentials import Credentials
from bifrost_mcp.identity.store import IdentityStore


class Callers:
    def __init__(self, identity: IdentityStore, credentials: Credentials) -> None:
        self.identity = identity
        self.credentials = credentials

    async def owner(self) -> Caller:
        """The local owner (stdio and CLI default), created on first use."""
        owner = await self.identity.ensure_owner()
        return await self.for_user(owner.id)

    async def for_user(self, user_id: str) -> Caller:
        return await self.credentials.caller_for_user(user_id)

    async def for_token(self, token: str) -> Caller:
        return await self.credentials.authenticate(token)

    async def resolve(self, token: str | None, org_ref: str | None = None) -> Caller:
        """The caller of a CLI command or stdio session: the token's, else the local owner; then `org_ref`."""
        caller = await self.for_token(token) if token else await self.owner()
        return await self.acting_in(caller, org_ref)

    async def recheck(self, caller: Caller, token: str | None, org_id: str | None) -> Caller:
        """A long-lived session's `caller` as of now, for a session that outlives one request (stdio).

        Its token (the local owner: its user) is read again, then its organization override `org_id` applied
        again: one indexed read, two with an override; a revoked or expired token, a deactivated user or organization
        is refused on the very next call with the reason HTTP gives for it.
        """
        fresh = await self.for_token(token) if token else await self.for_user(caller.user_id)
        return await self.acting_in(fresh, org_id)

    async def as_submitted(self, user_id: str, credential_id: str | None, org_id: str | None) -> Caller:
        """The caller who submitted a queued run, as of now: its credential (or, without one, its user) read again.

        `org_id` is the organization the run was submitted in; an override there is applied again, so it still
        needs a platform admin. A caller who is no longer who it was (another organization) is refused.
        """
        fresh = await self.credentials.caller_for_credential(credential_id) if credential_id else None
        if fresh is None:
            fresh = await self.for_user(user_id)
        if fresh.user_id != user_id:
            raise AuthenticationError(401, "the credential now stands for someone else")
        if fresh.org_id == org_id:
            return fresh
        if org_id is None:
            raise AuthenticationError(403, "the caller has joined an organization since the run was submitted")
        return await self.acting_in(fresh, org_id)

    async def acting_in(self, caller: Caller, org_ref: str | None) -> Caller:
        """Honour an organization override (X-Bifrost-Org, --org) where the gate allows it."""
        if not org_ref:
            return caller
        if not access.may_act_in_other_org(caller):
            raise AuthenticationError(
                403, "only platform admins may act in another organization's scope (X-Bifrost-Org/--org)"
            )
        try:
            org = await self.identity.resolve_org(org_ref)
        except NotFoundError as exc:
            raise AuthenticationError(400, str(exc)) from exc
        if not org.is_active:
            # its own users are refused (403); an admin acting there would run workflows in a closed tenant
            raise AuthenticationError(
                403,
                f"organization {org.name!r} ({org.id}) is deactivated: nobody acts in it, platform admins included;"
                " reactivate it first",
            )
        return caller.acting_in(org)
