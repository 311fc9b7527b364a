"""Row <-> model conversion and small helpers shared by the identity stores."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime

from bifrost.types import Organization, Role, UserPublic


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_id() -> str:
    return str(uuid.uuid4())


def org_from(row: sqlite3.Row) -> Organization:
    return Organization(id=row["id"], name=row["name"], domain=row["domain"], is_active=bool(row["is_active"]))


def user_from(row: sqlite3.Row) -> UserPublic:
    return UserPublic(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        organization_id=row["organization_id"],
        is_active=bool(row["is_active"]),
        is_superuser=bool(row["is_superuser"]),
    )


def role_from(row: sqlite3.Row) -> Role:
    return Role(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        organization_id=row["organization_id"],
        is_active=bool(row["is_active"]),
    )
