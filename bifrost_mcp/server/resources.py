"""Author resources on MCP: listed, read as the caller, and subscribed to, in both protocol eras.

`@resource` functions are listed (direct ones in resources/list, templates in resources/templates/list) per
caller through the gate, and read by running the function as the reader (`App.run`: a worker under process
isolation, an execution record like any run). A hidden resource answers exactly like an unknown one.

Subscriptions: a 2025-era session subscribes with resources/subscribe (kept per connection); a 2026-07-28
client lists URIs in `subscriptions/listen`. Either is told `notifications/resources/updated` when a run calls
`resources.changed(uri)` and when a hot reload changes or removes the resource that answers the URI, but only
when its caller may read that resource, and, for a change a run signalled, when the caller acts in the run's
organization (a GLOBAL run tells every organization). Subscribing to a URI nothing answers is accepted and
never fires, so it reveals nothing about hidden resources.

Content that an execution record keeps beside it (see executions.content) is read back here too, at
`bifrost://executions/<id>/content/<n>`, by whoever may see the execution.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import anyio
import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.context import CallNext, HandlerResult
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import ResourceUpdated, ServerEvent
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from bifrost.content import from_json
from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp import access
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.executions.content import EXECUTION_URI_PREFIX, read_content
from bifrost_mcp.executions.view import ExecutionsView
from bifrost_mcp.server.content import resource_contents
from bifrost_mcp.workspace import RegisteredWorkflow, Registry
from bifrost_mcp.workspace.resources import is_template, resource_uri, visible_resource_at

logger = logging.getLogger(__name__)

RESOURCE_NOT_FOUND = -32002
_listening: ContextVar[Caller | None] = ContextVar("bifrost_listening_caller", default=None)


@dataclass(frozen=True)
class CallerUpdate(ResourceUpdated):
    """A resource update with who may hear it: the run's scope and the registries in which it must be visible."""

    scope: str = GLOBAL_SCOPE
    registries: tuple[Registry, ...] = field(default=(), compare=False, hash=False)


def admits(caller: Caller, uri: str, scope: str, registries: tuple[Registry, ...]) -> bool:
    if scope != GLOBAL_SCOPE and caller.scope != scope:
        return False
    return any(visible_resource_at(registry, caller, uri) is not None for registry in registries)


class CallerBus(InMemorySubscriptionBus):
    """The `subscriptions/listen` bus, each stream's listener filtering updates by the caller who opened it."""

    def subscribe(self, listener: Callable[[ServerEvent], None]) -> Callable[[], None]:
        caller = _listening.get()  # set by AuthorResources for the listen request being served

        def deliver(event: ServerEvent) -> None:
            if isinstance(event, CallerUpdate) and (
                caller is None or not admits(caller, event.uri, event.scope, event.registries)
            ):
                return
            listener(event)

        return super().subscribe(deliver)


def _fingerprint(registry: Registry, entry: RegisteredWorkflow) -> tuple[Any, ...]:
    """What says a resource may answer differently after a reload: its options and its file's content."""
    digest = None
    if registry.root is not None:
        try:
            digest = hashlib.sha256((registry.root / entry.source).read_bytes()).hexdigest()
        except OSError:
            digest = None
    spec = entry.spec
    return (resource_uri(entry), spec.extra.get("mime_type"), spec.roles, spec.admin_only, entry.source, digest)


def fingerprints(registry: Registry) -> dict[str, tuple[Any, ...]]:
    return {name: _fingerprint(registry, entry) for name, entry in registry.resources.items()}


@dataclass(slots=True)
class _Subscriber:
    caller: Caller
    uris: set[str]


def _described(entry: RegisteredWorkflow) -> dict[str, Any]:
    """What a listing says of a resource or template besides its URI."""
    return {"name": entry.name, "description": entry.spec.description, "mime_type": entry.spec.extra.get("mime_type")}


class AuthorResources:
    """The author resources of one MCP server, and its sessions' resource subscriptions."""

    def __init__(self, app: App, resolve_caller: Callable[[ServerRequestContext[Any, Any]], Any]) -> None:
        self.app = app
        self.resolve_caller = resolve_caller
        self.bus = CallerBus()
        self._legacy: weakref.WeakKeyDictionary[Connection, _Subscriber] = weakref.WeakKeyDictionary()
        self._streams: dict[int, _Subscriber] = {}  # open subscriptions/listen streams naming resources
        self._registry = app.registry
        self._fingerprints = fingerprints(app.registry)
        app.host.resource_changes.listen(self._signalled)
        app.on_registry_change(self._reloaded)

    def install(self, server: Any) -> None:
        server.add_request_handler("resources/subscribe", types.SubscribeRequestParams, self._subscribe)
        server.add_request_handler("resources/unsubscribe", types.UnsubscribeRequestParams, self._unsubscribe)
        server.middleware.append(self._track_listen)

    # listing and reading
    def listed(self, caller: Caller) -> list[types.Resource]:
        entries = self._visible(caller)
        return [types.Resource(uri=resource_uri(e), **_described(e)) for e in entries if not is_template(e)]

    def templates(self, caller: Caller) -> list[types.ResourceTemplate]:
        return [
            types.ResourceTemplate(uri_template=resource_uri(e), **_described(e))
            for e in self._visible(caller)
            if is_template(e)
        ]

    def _visible(self, caller: Caller) -> list[RegisteredWorkflow]:
        return access.usable(caller, [entry for _, entry in sorted(self.app.registry.resources.items())])

    async def read(self, caller: Caller, uri: str) -> types.ReadResourceResult | None:
        """The contents at `uri` if an author resource or a kept execution content answers it; None otherwise."""
        if uri.startswith(EXECUTION_URI_PREFIX) and "/content/" in uri:
            return await self._read_execution_content(caller, uri)
        match = visible_resource_at(self.app.registry, caller, uri)
        if match is None:
            return None
        outcome = await self.app.run(match.entry, match.arguments, caller)
        if outcome.invalid is not None:
            raise MCPError(types.INVALID_PARAMS, f"{outcome.message} (execution {outcome.execution_id})")
        if outcome.message is not None:
            raise MCPError(types.INTERNAL_ERROR, f"{outcome.message} (execution {outcome.execution_id})")
        item = from_json(outcome.value)
        if item is None or item.bifrost_content != "file":  # resource_result always makes a File
            raise MCPError(types.INTERNAL_ERROR, f"resource {match.entry.name!r} answered no content")
        return types.ReadResourceResult(contents=[resource_contents(item, uri)])

    async def _read_execution_content(self, caller: Caller, uri: str) -> types.ReadResourceResult:
        execution_id = uri[len(EXECUTION_URI_PREFIX) :].split("/", 1)[0]
        record = await ExecutionsView(self.app.host.executions, caller).find(execution_id)
        found = await read_content(self.app.host.settings, record.scope, record.result, uri) if record else None
        if found is None:
            raise MCPError(RESOURCE_NOT_FOUND, f"Resource not found: {uri}")
        reference, body = found
        mime = str(reference.get("mime_type") or "application/octet-stream")
        blob = base64.b64encode(body).decode("ascii")
        return types.ReadResourceResult(contents=[types.BlobResourceContents(uri=uri, mime_type=mime, blob=blob)])

    # subscriptions
    async def _subscribe(self, ctx: ServerRequestContext[Any, Any], params: types.SubscribeRequestParams) -> Any:
        connection = getattr(ctx.session, "_connection", None)  # as list_changed: the SDK has no public accessor
        if isinstance(connection, Connection):
            subscriber = self._legacy.get(connection)
            if subscriber is None:
                subscriber = self._legacy[connection] = _Subscriber(await self.resolve_caller(ctx), set())
            subscriber.uris.add(str(params.uri))
        return types.EmptyResult()

    async def _unsubscribe(self, ctx: ServerRequestContext[Any, Any], params: types.UnsubscribeRequestParams) -> Any:
        connection = getattr(ctx.session, "_connection", None)
        subscriber = self._legacy.get(connection) if isinstance(connection, Connection) else None
        if subscriber is not None:
            subscriber.uris.discard(str(params.uri))
        return types.EmptyResult()

    async def _track_listen(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "subscriptions/listen" or ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            return await call_next(ctx)
        caller = await self.resolve_caller(ctx)
        notifications = (ctx.params or {}).get("notifications") or {}
        uris = {str(uri) for uri in notifications.get("resourceSubscriptions") or () if isinstance(uri, str)}
        key = object()
        self._streams[id(key)] = _Subscriber(caller, uris)
        token = _listening.set(caller)
        try:
            return await call_next(ctx)
        finally:
            _listening.reset(token)
            del self._streams[id(key)]

    def _subscribers(self) -> Iterator[tuple[Connection | None, _Subscriber]]:
        yield from list(self._legacy.items())
        yield from ((None, subscriber) for subscriber in list(self._streams.values()))

    async def _signalled(self, uri: str, scope: str) -> None:
        await self._tell({uri}, scope, (self.app.registry,))

    async def _reloaded(self, registry: Registry) -> None:
        old, old_prints = self._registry, self._fingerprints
        new_prints = await anyio.to_thread.run_sync(fingerprints, registry)
        self._registry, self._fingerprints = registry, new_prints
        changed = {
            name for name in old_prints.keys() | new_prints.keys() if old_prints.get(name) != new_prints.get(name)
        }
        if not changed:
            return
        affected = set()
        for _, subscriber in self._subscribers():
            for uri in subscriber.uris:
                answers = (visible_resource_at(r, subscriber.caller, uri) for r in (old, registry))
                if any(match is not None and match.entry.name in changed for match in answers):
                    affected.add(uri)
        await self._tell(affected, GLOBAL_SCOPE, (old, registry))

    async def _tell(self, uris: set[str], scope: str, registries: tuple[Registry, ...]) -> None:
        for uri in uris:
            await self.bus.publish(CallerUpdate(uri=uri, scope=scope, registries=registries))
        for connection, subscriber in self._subscribers():
            if connection is None or not connection.has_standalone_channel:
                continue
            for uri in sorted(uris & subscriber.uris):
                if not admits(subscriber.caller, uri, scope, registries):
                    continue
                try:
                    await connection.send_resource_updated(uri)
                except Exception:  # a client that went away must not stop the others being told
                    logger.debug("could not tell a session that %s changed", uri, exc_info=True)
                    self._legacy.pop(connection, None)
                    break


__all__ = ["RESOURCE_NOT_FOUND", "AuthorResources", "CallerBus", "CallerUpdate"]
