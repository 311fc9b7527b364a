"""The refusal of a GLOBAL write, stated once for the host's gate and the in-memory testing platform.

GLOBAL is read by every organization; both refuse the same callers with the same words (bifrost_mcp/access.py,
bifrost.testing.memory).
"""

from __future__ import annotations

from bifrost.errors import AccessDenied


def global_write_refused(*, is_function_key: bool, name: str, email: str) -> AccessDenied:
    """The refusal of a GLOBAL write to a caller who is not a platform admin (nor a key granted it)."""
    if is_function_key:
        return AccessDenied(
            f"function key {name!r} may not write GLOBAL scope, which every organization reads: platform "
            "admins may, and keys created with `bifrost-mcp keys create --global --global-write`"
        )
    return AccessDenied(
        f"user {email} belongs to no organization, so has no scope to write in (GLOBAL scope is written by "
        "platform admins only): ask a platform admin to add you to an organization"
    )
