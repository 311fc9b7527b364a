"""Personal access tokens and function keys: CSPRNG, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bifrost.types import Organization
from bifrost_mcp.caller import Caller
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.errors import AuthenticationError, NotFoundError, ValidationError
from bifrost_mcp.identity._rows import new_id, now_iso
from bifrost_mcp.identity.store import IdentityStore

TOKEN_PREFIX = "bft_"
KEY_PREFIX = "bfk_"
# last_used_at is advisory; writing it at most this often keeps every request from becoming a write.
LAST_USED_WRITE_INTERVAL = 60.0

# The user, organization and role columns one Caller is built from (see `_user_caller`).
_USER_COLUMNS = """
       u.id AS u_id, u.email AS u_email, u.name AS u_name, u.organization_id AS u_org_id,
       u.is_active AS u_active, u.is_superuser AS u_superuser, u.deleted_at AS u_deleted,
       o.id AS o_id, o.name AS o_name, o.domain AS o_domain, o.is_active AS o_active, o.deleted_at AS o_deleted,
       CASE WHEN u.organization_id IS NULL THEN NULL ELSE (
           SELECT json_group_array(r.name) FROM roles r JOIN role_users ru ON ru.role_id = r.id
           WHERE ru.user_id = u.id AND r.organization_id = u.organization_id
             AND r.deleted_at IS NULL AND r.is_active = 1
       ) END AS role_names"""
# A credential with everything a request needs to become a Caller, in one statement: the key's organization
# (function keys) or the user's (tokens), and the user's active role names in it.
_CREDENTIAL_LOOKUP = f"""
SELECT c.id, c.kind, c.name, c.user_id, c.organization_id, c.revoked_at, c.expires_at, c.global_write,
       {_USER_COLUMNS}
FROM credentials c
LEFT JOIN users u ON u.id = c.user_id
LEFT JOIN organizations o
       ON o.id = (CASE WHEN c.kind = 'function_key' THEN c.organization_id ELSE u.organization_id END)
"""
_AUTH_LOOKUP = _CREDENTIAL_LOOKUP + "WHERE c.token_hash = ?"
_ID_LOOKUP = _CREDENTIAL_LOOKUP + "WHERE c.id = ?"
_USER_LOOKUP = f"""
SELECT {_USER_COLUMNS}
FROM users u LEFT JOIN organizations o ON o.id = u.organization_id
WHERE u.id = ?
"""


def function_key_user_id(credential_id: str) -> str:
    """The identity a function key acts as: its own, never shared with another key of the same name."""
    return f"function-key:{credential_id}"


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is a sound at-rest form (no KDF needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    id: str
    token: str  # shown once, never stored


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    id: str
    kind: Literal["token", "function_key"]
    name: str
    user_email: str | None
    organization_id: str | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None
    global_write: bool = False


class Credentials:
    def __init__(self, identity: IdentityStore, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.identity = identity
        self.clock = clock  # expiry and the last_used_at throttle; created_at and revoked_at are records
        self.db = identity.db
        self._last_written: dict[str, float] = {}

    async def _issue(
        self, kind: str, prefix: str, *, user_id: str | None, org_id: str | None, name: str, expires_at: str | None,
        global_write: bool = False,
    ) -> IssuedCredential:  # fmt: skip
        token = prefix + secrets.token_urlsafe(32)
        cred_id = new_id()
        await self.db.execute(
            "INSERT INTO credentials (id, kind, token_hash, name, user_id, organization_id, created_at, expires_at,"
            " global_write) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cred_id, kind, hash_token(token), name, user_id, org_id, now_iso(), expires_at, int(global_write)),
        )
        return IssuedCredential(id=cred_id, token=token)

    async def create_token(self, user_id: str, *, expires_days: int | None = None, name: str = "") -> IssuedCredential:
        await self.identity.get_user(user_id)
        if expires_days is not None and expires_days < 1:
            raise ValidationError("--expires-days must be at least 1")
        expires = (self.clock.now() + timedelta(days=expires_days)).isoformat() if expires_days else None
        return await self._issue("token", TOKEN_PREFIX, user_id=user_id, org_id=None, name=name, expires_at=expires)

    async def create_function_key(
        self, org_id: str | None, name: str, *, global_write: bool = False
    ) -> IssuedCredential:
        """A key acting for `org_id`, or GLOBAL when None; only a GLOBAL key may be granted writing GLOBAL."""
        if org_id is not None:
            await self.identity.get_org(org_id)
            if global_write:
                raise ValidationError(
                    "--global-write is for GLOBAL keys (--global): an organization's key writes only its organization"
                )
        if not name.strip():
            raise ValidationError("a function key needs a --name saying what uses it")
        return await self._issue(
            "function_key", KEY_PREFIX, user_id=None, org_id=org_id, name=name, expires_at=None,
            global_write=global_write,
        )  # fmt: skip

    async def reset_owner_token(self) -> IssuedCredential:
        """Revoke the owner's tokens and issue a new one."""
        owner = await self.identity.ensure_owner()
        await self.db.execute(
            "UPDATE credentials SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", (now_iso(), owner.id)
        )
        return await self.create_token(owner.id, name="owner")

    async def has_active_token(self, user_id: str) -> bool:
        """Whether `user_id` holds a token that is neither revoked nor expired."""
        row = await self.db.fetchone(
            "SELECT 1 FROM credentials WHERE user_id = ? AND revoked_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > ?)",
            (user_id, self.clock.now().isoformat()),
        )
        return row is not None

    async def revoke(self, cred_id: str, kind: Literal["token", "function_key"]) -> None:
        changed = await self.db.execute(
            "UPDATE credentials SET revoked_at = ? WHERE id = ? AND kind = ? AND revoked_at IS NULL",
            (now_iso(), cred_id, kind),
        )
        if not changed:
            raise NotFoundError(f"no active {kind.replace('_', ' ')} with id {cred_id!r}")

    async def list(self, kind: Literal["token", "function_key"]) -> list[CredentialInfo]:
        rows = await self.db.fetchall(
            "SELECT c.*, u.email AS user_email FROM credentials c LEFT JOIN users u ON u.id = c.user_id "
            "WHERE c.kind = ? ORDER BY c.created_at",
            (kind,),
        )
        return [
            CredentialInfo(
                id=r["id"],
                kind=r["kind"],
                name=r["name"],
                user_email=r["user_email"],
                organization_id=r["organization_id"],
                created_at=r["created_at"],
                expires_at=r["expires_at"],
                revoked_at=r["revoked_at"],
                last_used_at=r["last_used_at"],
                global_write=bool(r["global_write"]),
            )
            for r in rows
        ]

    async def authenticate(self, token: str) -> Caller:
        """The Caller a bearer token stands for; AuthenticationError says why one is refused.

        One indexed lookup (token_hash) reads the credential, its user or organization and the user's role
        names, so verifying a request costs one statement: revocation, expiry and deactivation take effect
        on the very next request.
        """
        if not token or not token.startswith((TOKEN_PREFIX, KEY_PREFIX)):
            raise AuthenticationError(
                401, "malformed token: expected a bifrost-mcp token (bft_...) or function key (bfk_...)"
            )
        rows = await self.db.lookup(_AUTH_LOOKUP, (hash_token(token),))
        if not rows:
            raise AuthenticationError(401, "unknown token")
        caller = self._valid_caller(rows[0])
        await self._touch(rows[0]["id"])
        return caller

    async def caller_for_credential(self, credential_id: str) -> Caller:
        """The Caller a credential stands for now, by its id (a run queued with it); refused as `authenticate` would.

        The token itself is never stored: a queued run keeps only the id of the credential that submitted it.
        """
        rows = await self.db.lookup(_ID_LOOKUP, (credential_id,))
        if not rows:
            raise AuthenticationError(401, "unknown token")
        return self._valid_caller(rows[0])

    def _valid_caller(self, row: sqlite3.Row) -> Caller:
        if row["revoked_at"] is not None:
            raise AuthenticationError(401, "token revoked")
        if row["expires_at"] is not None and row["expires_at"] <= self.clock.now().isoformat():
            raise AuthenticationError(401, "token expired")
        return _caller_from_lookup(row)

    async def caller_for_user(self, user_id: str) -> Caller:
        """The Caller of a user (with their organization and role names); AuthenticationError if they may not act."""
        rows = await self.db.lookup(_USER_LOOKUP, (user_id,))
        if not rows:
            raise AuthenticationError(401, "the token's user was deleted")
        return _user_caller(rows[0], credential_id=None)

    async def _touch(self, cred_id: str) -> None:
        now = self.clock.monotonic()
        if now - self._last_written.get(cred_id, -LAST_USED_WRITE_INTERVAL) < LAST_USED_WRITE_INTERVAL:
            return
        self._last_written[cred_id] = now
        await self.db.execute("UPDATE credentials SET last_used_at = ? WHERE id = ?", (now_iso(), cred_id))


def _caller_from_lookup(row: sqlite3.Row) -> Caller:
    """The Caller of an `_AUTH_LOOKUP` row, or why it may not act (the rules of `caller_for_user` for tokens)."""
    organization: Organization | None = None
    if row["kind"] == "function_key":
        if row["organization_id"] is not None:
            if row["o_id"] is None or row["o_deleted"] is not None:
                raise AuthenticationError(403, "the key's organization was deleted")
            if not row["o_active"]:
                raise AuthenticationError(403, f"organization {row['o_name']!r} is deactivated")
            organization = _org(row)
        return Caller(
            user_id=function_key_user_id(row["id"]),
            email="",
            name=row["name"],
            organization=organization,
            is_platform_admin=False,
            is_function_key=True,
            credential_id=row["id"],
            global_write=bool(row["global_write"]),
        )
    return _user_caller(row, credential_id=row["id"])


def _user_caller(row: sqlite3.Row, *, credential_id: str | None) -> Caller:
    """The one place the rules for users live: deleted (401), deactivated user or organization (403)."""
    organization: Organization | None = None
    if row["u_id"] is None or row["u_deleted"] is not None:
        raise AuthenticationError(401, "the token's user was deleted")
    if not row["u_active"]:
        raise AuthenticationError(403, f"user {row['u_email']} is deactivated")
    if row["u_org_id"] is not None:
        if row["o_id"] is None or row["o_deleted"] is not None or not row["o_active"]:
            label = row["o_name"] if row["o_id"] is not None else row["u_org_id"]
            raise AuthenticationError(403, f"organization {label!r} of user {row['u_email']} is deactivated")
        organization = _org(row)
    return Caller(
        user_id=row["u_id"],
        email=row["u_email"],
        name=row["u_name"],
        organization=organization,
        is_platform_admin=bool(row["u_superuser"]),
        roles=frozenset(json.loads(row["role_names"])) if row["role_names"] else frozenset(),
        credential_id=credential_id,
    )


def _org(row: sqlite3.Row) -> Organization:
    return Organization(id=row["o_id"], name=row["o_name"], domain=row["o_domain"], is_active=bool(row["o_active"]))
