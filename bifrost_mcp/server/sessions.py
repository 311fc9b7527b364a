"""Open MCP sessions over streamable HTTP: a cap per credential, and idle sessions closed.

The SDK's session manager has one cap for a whole endpoint (`max_sessions`). One function key sending
10,000 initialize requests filled it (about 40 KB each), and from then on every new session, anyone's, was
answered 503. So each credential (a personal token or a function key) also has a cap of its own, shared by
/mcp and /mcp/agents/<name>; the credential over it is answered 429 saying what to do, and the others still
connect. Sessions with no request in flight for the idle timeout are closed by the SDK's manager.

A session holds a slot of its credential from its opening request (the gate reserves it, so concurrent
opening requests cannot slip past the cap together) until its connection closes, however it ends (DELETE,
idle timeout, a crash, shutdown): the MCP server's middleware sees the session's `initialize` and hands the
slot to the connection's exit stack. An opening request that opens no session gives its slot back when it
ends. Requests of the 2026-07-28 protocol open no session and are not counted.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from mcp.server import Server, ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.context import CallNext, HandlerResult
from mcp.server.streamable_http import MCP_SESSION_ID_HEADER
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp_types import INVALID_REQUEST, ErrorData, JSONRPCError
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bifrost_mcp.caller import Caller
from bifrost_mcp.server.auth import CALLER_SCOPE_KEY
from bifrost_mcp.server.event_store import EventLog, ResumableSessionManager
from bifrost_mcp.settings import HostSettings

logger = logging.getLogger(__name__)

PER_CREDENTIAL_SETTING = "BIFROST_MAX_SESSIONS_PER_CREDENTIAL"
_SLOT_SCOPE_KEY = "bifrost.session_slot"
_SESSION_HEADER = MCP_SESSION_ID_HEADER.encode("ascii")
_VERSION_HEADER = MCP_PROTOCOL_VERSION_HEADER.encode("ascii")


class _Slot:
    """One opening request's reservation; `opened` once a session took it over."""

    def __init__(self, credential: str) -> None:
        self.credential = credential
        self.opened = False


class SessionLimits:
    """Counts open sessions per credential for the MCP endpoints of one HTTP app."""

    def __init__(self, settings: HostSettings) -> None:
        self.per_credential = settings.max_sessions_per_credential
        self.idle_timeout = settings.session_idle_timeout_seconds
        self.max_sessions = settings.max_sessions
        self._held: Counter[str] = Counter()  # credential -> sessions open or being opened
        self.events = EventLog()  # recent SSE events of every session, for streams resumed with Last-Event-ID

    def held(self, caller: Caller) -> int:
        """The sessions `caller`'s credential has open or is opening."""
        return self._held[credential_of(caller)]

    def manager(self, server: Server[Any], security: TransportSecuritySettings | None) -> StreamableHTTPSessionManager:
        """The session manager for `server`, with this host's limits, its sessions counted here and resumable."""
        server.middleware.append(self._track)
        return ResumableSessionManager(
            server,
            self.events,
            security_settings=security,
            session_idle_timeout=self.idle_timeout,
            max_sessions=self.max_sessions,
        )

    def gate(self, inner: ASGIApp) -> ASGIApp:
        """`inner` (behind BearerGate) refusing a request that would open a session over its credential's cap."""

        async def gated(scope: Scope, receive: Receive, send: Send) -> None:
            caller = scope.get(CALLER_SCOPE_KEY)
            if scope["type"] != "http" or not isinstance(caller, Caller) or not _opens_a_session(scope):
                await inner(scope, receive, send)
                return
            credential = credential_of(caller)
            held = self._held[credential]
            if held >= self.per_credential:
                logger.warning("refused a new MCP session to credential %s: %d held", credential, held)
                await self._refusal(held)(scope, receive, send)
                return
            slot = _Slot(credential)
            self._held[credential] += 1
            scope[_SLOT_SCOPE_KEY] = slot
            try:
                await inner(scope, receive, send)
            finally:
                if not slot.opened:
                    self._release(credential)

        return gated

    async def _track(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        request = ctx.request
        slot = request.scope.get(_SLOT_SCOPE_KEY) if isinstance(request, Request) else None
        if isinstance(slot, _Slot) and not slot.opened:
            # The SDK hands middleware no public accessor for the connection (protocol.py reads it alike).
            # Without one the slot goes back when the opening request ends: uncounted, never locked out.
            connection = getattr(ctx.session, "_connection", None)
            if isinstance(connection, Connection) and connection.session_id is not None:
                slot.opened = True  # the session's `initialize`: from here its connection holds the slot
                connection.exit_stack.callback(self._release, slot.credential)
        return await call_next(ctx)

    def _release(self, credential: str) -> None:
        self._held[credential] -= 1
        if self._held[credential] <= 0:
            del self._held[credential]

    def _refusal(self, held: int) -> Response:
        message = (
            f"This credential has {held} open MCP sessions, the most allowed ({PER_CREDENTIAL_SETTING}="
            f"{self.per_credential}). End sessions you no longer use (HTTP DELETE with their Mcp-Session-Id "
            f"header) or wait: a session with no request for {self.idle_timeout:g} seconds is closed."
        )
        body = JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=INVALID_REQUEST, message=message))
        return Response(
            body.model_dump_json(by_alias=True, exclude_unset=True), status_code=429, media_type="application/json"
        )


def credential_of(caller: Caller) -> str:
    """What a session cap is counted by: the token or function key, else the user (stdio's owner)."""
    return caller.credential_id or caller.user_id


def _opens_a_session(scope: Scope) -> bool:
    """Whether the SDK's manager would open a session for this request: no session id, a handshake-era request."""
    headers = dict(scope.get("headers") or [])
    if _SESSION_HEADER in headers:
        return False
    version = headers.get(_VERSION_HEADER)
    return version is None or version.decode("latin-1") in HANDSHAKE_PROTOCOL_VERSIONS
