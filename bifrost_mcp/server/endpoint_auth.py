"""Who calls an HTTP endpoint: a bearer token, a function key in X-Bifrost-Key (the original platform's), or nobody.

Both credentials resolve through `Callers`, as /mcp's bearer gate does: revocation, expiry and deactivation
apply on the very next call, and X-Bifrost-Org is honoured for platform admins only. A request sending both,
or repeating one of the headers, is refused (400): servers disagree on which copy wins.
"""

from __future__ import annotations

from bifrost_mcp.caller import Caller
from bifrost_mcp.errors import AuthenticationError
from bifrost_mcp.identity.callers import Callers
from bifrost_mcp.identity.credentials import KEY_PREFIX
from bifrost_mcp.server.auth import ORG_HEADER, repeated_header

KEY_HEADER = b"x-bifrost-key"
HOW_TO_AUTHENTICATE = "send 'Authorization: Bearer <token>' or 'X-Bifrost-Key: <function key>'"


async def endpoint_caller(callers: Callers, raw_headers: list[tuple[bytes, bytes]]) -> Caller | None:
    """The caller the request's credential stands for, acting in X-Bifrost-Org if given; None if it sent none.

    Raises:
        AuthenticationError: a refused credential (401/403), or a request that is ambiguous about it (400).
    """
    repeated = repeated_header(
        raw_headers, (b"authorization", "Authorization"), (KEY_HEADER, "X-Bifrost-Key"), (ORG_HEADER, "X-Bifrost-Org")
    )
    if repeated is not None:
        raise AuthenticationError(400, repeated)
    headers = dict(raw_headers)
    authorization = headers.get(b"authorization", b"").decode("latin-1").strip()
    key = headers.get(KEY_HEADER, b"").decode("latin-1").strip()
    org_ref = headers.get(ORG_HEADER, b"").decode("latin-1").strip()
    if authorization and key:
        raise AuthenticationError(400, f"send one credential, not both: {HOW_TO_AUTHENTICATE}")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(401, f"malformed Authorization header: {HOW_TO_AUTHENTICATE}")
        token = token.strip()
    elif key:
        if not key.startswith(KEY_PREFIX):
            raise AuthenticationError(
                401, f"X-Bifrost-Key takes a function key ({KEY_PREFIX}...); send a personal token as "
                "'Authorization: Bearer <token>'"
            )  # fmt: skip
        token = key
    elif org_ref:
        raise AuthenticationError(401, f"X-Bifrost-Org needs credentials: {HOW_TO_AUTHENTICATE}")
    else:
        return None
    caller = await callers.for_token(token)
    return await callers.acting_in(caller, org_ref or None)
