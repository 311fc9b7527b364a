"""The calling MCP client as a run's peer (`bifrost_mcp.peer.ClientPeer`) over one tools/call request.

Progress rides the request's progress token (a no-op without one). Log lines go out as notifications/message
on the request's own stream: on the 2025 era at or above the level the session set with logging/setLevel (none
before it did); on 2026-07-28, where logging is deprecated and per request, at or above the level the request's
`_meta` asked for. Questions (elicitation/create) and sampling (sampling/createMessage) are requests to the
client while the call waits on the 2025 era; on 2026-07-28 they are input-required rounds (`held`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.server.connection import Connection, allowed_log_levels
from mcp.shared.exceptions import MCPError
from mcp.shared.message import ServerMessageMetadata
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from bifrost.errors import ClientUnavailableError
from bifrost_mcp.peer import LOG_LEVELS, WHERE_TO_ASK

logger = logging.getLogger(__name__)

LEVEL_KEY = "bifrost/logLevel"  # in the connection's state: what logging/setLevel asked for
DEFAULT_MAX_TOKENS = 1024  # sampling/createMessage requires maxTokens; ai.complete's is optional
# Log lines waiting for a client that reads slower than the run logs: past this many, later lines are dropped (the
# record keeps them, up to its own limits) and the client is told how many, so a runaway loop cannot grow memory.
MAX_PENDING_LINES = 1000
MAX_LINE_CHARS = 16 * 1024


def _connection(ctx: ServerRequestContext[Any, Any]) -> Connection | None:
    # The SDK exposes no public accessor for a request's connection (see list_changed); the level lives on it.
    connection = getattr(ctx.session, "_connection", None)
    return connection if isinstance(connection, Connection) else None


async def set_logging_level(
    ctx: ServerRequestContext[Any, Any], params: types.SetLevelRequestParams
) -> types.EmptyResult:
    """logging/setLevel (2025 era): this session's workflows' log lines at `level` and above reach it."""
    connection = _connection(ctx)
    if connection is not None:
        connection.state[LEVEL_KEY] = params.level
    return types.EmptyResult()


def log_levels(ctx: ServerRequestContext[Any, Any]) -> frozenset[str]:
    """The levels of notifications/message this request may carry."""
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        return frozenset(allowed_log_levels(ctx.protocol_version, ctx.meta))
    connection = _connection(ctx)
    level = connection.state.get(LEVEL_KEY) if connection is not None else None
    return frozenset(LOG_LEVELS[LOG_LEVELS.index(level) :]) if level in LOG_LEVELS else frozenset()


def wants_progress(ctx: ServerRequestContext[Any, Any]) -> bool:
    # `_meta` is parsed: the token sits under its Python name. A 2026-era in-process client passes a progress
    # callback and no token at all; report_progress is a no-op when the caller asked for no progress.
    meta: dict[str, Any] = dict(ctx.meta or {})
    return ctx.protocol_version in MODERN_PROTOCOL_VERSIONS or (
        meta.get("progress_token", meta.get("progressToken")) is not None
    )


class McpPeer:
    """One tools/call's client. Log lines are sent in order by one task, so a thread may queue them too."""

    def __init__(self, ctx: ServerRequestContext[Any, Any]) -> None:
        self._bind(ctx)
        self._last_progress: float | None = None
        self._workflow_reports = False
        self._pending: deque[tuple[str, str, str | None]] = deque()
        self._dropped = 0  # lines not sent since the last one that was
        self._loop = asyncio.get_running_loop()
        self._drainer: asyncio.Task[None] | None = None

    def _bind(self, ctx: ServerRequestContext[Any, Any]) -> None:
        """Report to, and ask on, the request `ctx`."""
        self._ctx = ctx
        self._progress = wants_progress(ctx)
        self._levels = log_levels(ctx)

    # progress
    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        self._workflow_reports = True
        await self._send_progress(progress, total, message)

    async def keepalive(self, progress: float, total: float | None, message: str | None) -> None:
        """The runner's keep-alive: silent once the workflow reports progress of its own."""
        if not self._workflow_reports:
            await self._send_progress(progress, total, message)

    async def _send_progress(self, progress: float, total: float | None, message: str | None) -> None:
        # The protocol wants each notification's progress above the last: one that is not (a workflow starting
        # at 0 after a keep-alive went out) is dropped rather than sent backwards.
        if not self._progress or (self._last_progress is not None and progress <= self._last_progress):
            return
        self._last_progress = progress
        await self._ctx.session.report_progress(progress, total, message)

    # logging
    def log(self, level: str, message: str, logger_name: str | None) -> None:
        if level not in self._levels:
            return
        if self._dropped or len(self._pending) >= MAX_PENDING_LINES:  # until the backlog is sent: no gaps inside it
            self._dropped += 1
            return
        if len(message) > MAX_LINE_CHARS:
            message = f"{message[:MAX_LINE_CHARS]}... [{len(message) - MAX_LINE_CHARS:,} more characters]"
        self._pending.append((level, message, logger_name))
        try:
            self._loop.call_soon_threadsafe(self._wake)
        except RuntimeError:  # the loop is gone: so is the client
            self._pending.clear()

    def _wake(self) -> None:
        if self._drainer is None or self._drainer.done():
            self._drainer = self._loop.create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending:
            level, message, name = self._pending.popleft()
            if self._dropped and not self._pending:  # the backlog is out: say what was left out, then carry on
                self._pending.append(("warning", self._dropped_note(), name))
                self._dropped = 0
            notification = types.LoggingMessageNotification(
                params=types.LoggingMessageNotificationParams(level=level, data=message, logger=name)
            )
            try:
                await self._ctx.session.send_notification(notification, related_request_id=self._ctx.request_id)
            except Exception:  # a client that went away must not fail the run
                logger.debug("log notification failed", exc_info=True)
                self._pending.clear()

    def _dropped_note(self) -> str:
        return (
            f"{self._dropped:,} log lines were not sent here: the run logged faster than this client read "
            "(the execution record keeps them, up to its limits)"
        )

    async def flush(self) -> None:
        # A line is in `_pending` before its wake-up is scheduled: an empty queue and no drainer is all sent.
        while self._pending or (self._drainer is not None and not self._drainer.done()):
            if self._drainer is not None and not self._drainer.done():
                await self._drainer
            else:
                await self._drain()

    # requests to the client
    def _cannot(self, capability: str, declared: bool) -> str | None:
        where = WHERE_TO_ASK.format(feature=capability)
        if not declared:
            return self._undeclared(capability)
        if self._ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:  # asked by input-required rounds (`held`)
            return (
                f"this client speaks MCP {self._ctx.protocol_version}, where a server cannot send it requests in the "
                f"middle of a tool call, and this call was not held for input-required rounds. {where}"
            )
        if not self._ctx.session.can_send_request:
            return f"this connection cannot carry requests from the server to the client. {where}"
        return None

    @staticmethod
    def _undeclared(capability: str) -> str:
        return f"this MCP client does not support {capability}. {WHERE_TO_ASK.format(feature=capability)}"

    def cannot_elicit(self) -> str | None:
        capabilities = self._ctx.session.client_capabilities
        elicitation = capabilities.elicitation if capabilities is not None else None
        # a bare `elicitation: {}` predates modes and means form mode
        form = elicitation is not None and not (elicitation.form is None and elicitation.url is not None)
        return self._cannot("elicitation", form)

    def cannot_sample(self) -> str | None:
        capabilities = self._ctx.session.client_capabilities
        return self._cannot("sampling", capabilities is not None and capabilities.sampling is not None)

    async def elicit(self, message: str, schema: dict[str, Any]) -> dict[str, Any]:
        await self.flush()  # what the run logged before asking arrives before the question
        try:
            answer = await self._ctx.session.elicit_form(message, schema, related_request_id=self._ctx.request_id)
        except (MCPError, ValidationError) as exc:
            raise ClientUnavailableError(f"The client could not ask for input: {exc}") from None
        return {"action": answer.action, "content": answer.content}

    @staticmethod
    def sampling_params(request: dict[str, Any]) -> types.CreateMessageRequestParams:
        messages = [
            types.SamplingMessage(role=m["role"], content=types.TextContent(text=m["content"]))
            for m in request["messages"]
        ]
        model = request.get("model")
        return types.CreateMessageRequestParams(
            messages=messages,
            system_prompt=request.get("system"),
            max_tokens=request.get("max_tokens") or DEFAULT_MAX_TOKENS,
            temperature=request.get("temperature"),
            model_preferences=types.ModelPreferences(hints=[types.ModelHint(name=model)]) if model else None,
        )

    @staticmethod
    def sampled(result: types.CreateMessageResult) -> dict[str, Any]:
        text = result.content.text if isinstance(result.content, types.TextContent) else ""
        return {"text": text, "model": result.model, "stop_reason": result.stop_reason}

    async def sample(self, request: dict[str, Any]) -> dict[str, Any]:
        params = self.sampling_params(request)
        await self.flush()
        try:
            result = await self._ctx.session.send_request(
                types.CreateMessageRequest(params=params),
                types.CreateMessageResult,
                metadata=ServerMessageMetadata(related_request_id=self._ctx.request_id),
            )
        except (MCPError, ValidationError) as exc:
            raise ClientUnavailableError(f"The client's model could not answer: {exc}") from None
        return self.sampled(result)


__all__ = ["McpPeer", "log_levels", "set_logging_level", "wants_progress"]
