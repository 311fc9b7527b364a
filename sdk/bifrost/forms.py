"""Form definitions (read-only)."""

from __future__ import annotations

import builtins

from bifrost._runtime import platform
from bifrost.types import FormPublic


async def list() -> builtins.list[FormPublic]:
    """Forms available to the caller."""
    return await platform().forms.list()


async def get(form_id: str) -> FormPublic:
    """A form by id."""
    return await platform().forms.get(form_id)


__all__ = ["get", "list"]
