"""Form definitions (read-only)."""

from __future__ import annotations

import builtins

from bifrost.platform import call, returned, returned_list
from bifrost.types import FormPublic


async def list() -> builtins.list[FormPublic]:
    """Forms available to the caller."""
    return returned_list(FormPublic, await call("forms.list"))


async def get(form_id: str) -> FormPublic:
    """A form by id."""
    return returned(FormPublic, await call("forms.get", form_id=form_id))


__all__ = ["get", "list"]
