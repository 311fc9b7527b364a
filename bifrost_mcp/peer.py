"""The client that started a run, as the run may reach it mid-call: progress, log lines, questions, sampling.

An MCP tools/call has a client behind it that can take progress notifications, log messages, and (where it
declared the capability and the protocol lets the server ask mid-call) elicitation and sampling requests. Runs
started any other way (a schedule, an HTTP endpoint, `bifrost-mcp run`, an agent in a chat) have no such
client: `NO_CLIENT` answers for them, dropping progress and log lines and refusing to ask, saying why.

This module imports nothing of ours: the server implements `ClientPeer` over its request, the runner and the
platform only pass it on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

import jsonschema

from bifrost.errors import ClientUnavailableError, ValidationError

# MCP log levels (RFC 5424 severities) and the Python level names a run's log lines carry.
LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
PYTHON_LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "ERROR": "error", "CRITICAL": "critical"}

WHERE_TO_ASK = (
    "Call it from an MCP client that supports {feature} (for example Claude Desktop, VS Code or the MCP "
    "Inspector), or have the workflow take the value as an argument instead."
)


class ClientPeer(Protocol):
    """The calling client of one run. Every method is safe to call when the client wants none of it."""

    def cannot_elicit(self) -> str | None:
        """Why this client cannot be asked for input (None: it can)."""
        ...

    def cannot_sample(self) -> str | None:
        """Why this client's model cannot be asked for a completion (None: it can)."""
        ...

    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        """Report the run's own progress; a no-op when the client asked for none."""
        ...

    def log(self, level: str, message: str, logger_name: str | None) -> None:
        """Queue one log line (level in LOG_LEVELS) for the client, in order; never blocks, never raises."""
        ...

    async def flush(self) -> None:
        """Deliver the queued log lines (before the run's result is sent)."""
        ...

    async def elicit(self, message: str, schema: dict[str, Any]) -> dict[str, Any]:
        """Ask the person; {"action": "accept"|"decline"|"cancel", "content": {...} | None}."""
        ...

    async def sample(self, request: dict[str, Any]) -> dict[str, Any]:
        """sampling/createMessage: {messages, system, max_tokens, temperature} -> {text, model, stop_reason}."""
        ...


class NoClient:
    """The peer of a run no MCP client started: nothing to report to, nobody to ask."""

    def __init__(self, started_by: str = "no MCP client") -> None:
        self.started_by = started_by

    def _why(self, feature: str) -> str:
        return f"this run was started by {self.started_by}, so there is no client to ask. " + WHERE_TO_ASK.format(
            feature=feature
        )

    def cannot_elicit(self) -> str | None:
        return self._why("elicitation")

    def cannot_sample(self) -> str | None:
        return self._why("sampling")

    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        return None

    def log(self, level: str, message: str, logger_name: str | None) -> None:
        return None

    async def flush(self) -> None:
        return None

    async def elicit(self, message: str, schema: dict[str, Any]) -> dict[str, Any]:
        raise ClientUnavailableError(f"Cannot ask for input: {self.cannot_elicit()}")

    async def sample(self, request: dict[str, Any]) -> dict[str, Any]:
        raise ClientUnavailableError(f"Cannot ask the client's model: {self.cannot_sample()}")


NO_CLIENT = NoClient()


class ClientView:
    """`bifrost.platform.call("client.<operation>")` for one run: its own progress, and questions to the person.

    Everything sent is redacted with the run's secrets first; an accepted answer is checked against the schema
    that was asked, so a workflow gets the types it asked for or a clear failure.
    """

    def __init__(self, peer: ClientPeer, redact: Callable[[Any], Any]) -> None:
        self._peer = peer
        self._redact = redact

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        if not _finite(progress) or (total is not None and not _finite(total)):
            raise ValidationError("report_progress needs finite numbers: progress (and total, when given)")
        await self._peer.progress(float(progress), None if total is None else float(total), self._redact(message))

    async def elicit(self, message: str, schema: dict[str, Any]) -> dict[str, Any]:
        problem = schema_problem(schema)
        if problem is not None:
            raise ValidationError(f"Cannot ask for input with this schema: {problem}")
        why = self._peer.cannot_elicit()
        if why is not None:
            raise ClientUnavailableError(f"Cannot ask for input: {why}")
        answer = await self._peer.elicit(self._redact(message), self._redact(schema))
        content = answer.get("content")
        if answer.get("action") == "accept":
            problems = sorted(
                (f"{'.'.join(map(str, e.absolute_path)) or 'answer'}: {e.message}" for e in _validator(schema)
                 .iter_errors(content or {})),
            )  # fmt: skip
            if problems:
                raise ValidationError("The answer did not match the form: " + "; ".join(problems))
        return {"action": answer.get("action"), "content": content}


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    # legacy `enumNames` is a display hint, not a keyword: the draft's validator ignores it
    return jsonschema.Draft202012Validator(schema)


_PRIMITIVES = {"string", "number", "integer", "boolean", "array"}


def schema_problem(schema: Any) -> str | None:
    """What makes `schema` something an MCP client cannot show as a form (None: nothing).

    Elicitation forms are flat: an object whose properties are strings, numbers, integers, booleans, or arrays
    of enum strings (multi-select), each with optional title, description, default and enum or oneOf.
    """
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return 'it must be a JSON schema of "type": "object"'
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        return "it needs at least one property under 'properties'"
    for name, prop in properties.items():
        kind = prop.get("type") if isinstance(prop, dict) else None
        if kind not in _PRIMITIVES:
            kinds = ", ".join(sorted(_PRIMITIVES))
            return f"property {name!r} must have a type of {kinds} (nested forms cannot be shown)"
    required = schema.get("required", [])
    unknown = [n for n in required if n not in properties] if isinstance(required, list) else ["required"]
    if unknown:
        return f"'required' names {unknown!r}, which are not properties"
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"it is not a valid JSON schema ({exc.message})"
    return None


def mcp_level(python_level: str) -> str:
    """The MCP log level of a run's log line ("WARNING" -> "warning"); unknown names read as info."""
    lowered = python_level.lower()
    return PYTHON_LEVELS.get(python_level.upper(), lowered if lowered in LOG_LEVELS else "info")


__all__ = ["LOG_LEVELS", "NO_CLIENT", "ClientPeer", "ClientView", "NoClient", "mcp_level", "schema_problem"]
