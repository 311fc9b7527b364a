"""Author resources (`@resource`): which one answers a URI, what its function's return becomes, change signals.

A resource is read by running its function as the reader (`App.run`, a worker under process isolation): its
result leaves the function here (`resource_result`, where the function ran) as the JSON form of a
`bifrost.File`, whose body the MCP server answers at the URI that was read. `ResourceChanges` carries
`resources.changed(uri)` from a run (the `resources` platform view) to whoever tells subscribed clients.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from bifrost.content import Audio, File, Image
from bifrost.errors import NotFoundError
from bifrost.resources import match_uri, template_variables
from bifrost_mcp import access
from bifrost_mcp.caller import Caller
from bifrost_mcp.workspace.registry import RegisteredWorkflow, Registry

ChangeListener = Callable[[str, str], Awaitable[None]]


def resource_uri(entry: RegisteredWorkflow) -> str:
    """The URI (or URI template) `entry` serves."""
    return str(entry.spec.extra["uri"])


def is_template(entry: RegisteredWorkflow) -> bool:
    return bool(template_variables(resource_uri(entry)))


@dataclass(frozen=True, slots=True)
class Match:
    entry: RegisteredWorkflow
    arguments: dict[str, str]  # the template's variables, as the URI read gives them


def _specificity(entry: RegisteredWorkflow) -> tuple[int, str]:
    # the template with the most literal characters wins: "f://a/{x}" answers "f://a/b" before "f://{+p}"
    uri = resource_uri(entry)
    literal = len(uri) - sum(len(name) + 2 for name in template_variables(uri))
    return -literal, entry.name


def resource_at(entries: Iterable[RegisteredWorkflow], uri: str) -> Match | None:
    """The resource among `entries` that serves `uri`: a direct one at exactly that URI, else the closest template."""
    candidates = list(entries)
    for entry in candidates:
        if not is_template(entry) and resource_uri(entry) == uri:
            return Match(entry, {})
    for entry in sorted((e for e in candidates if is_template(e)), key=_specificity):
        arguments = match_uri(resource_uri(entry), uri)
        if arguments is not None:
            return Match(entry, arguments)
    return None


def visible_resource_at(registry: Registry, caller: Caller, uri: str) -> Match | None:
    """The resource serving `uri` that `caller` may read; None when there is none or it is hidden (alike)."""
    return resource_at(access.usable(caller, registry.resources.values()), uri)


def resource_result(entry: RegisteredWorkflow, result: Any) -> dict[str, Any]:
    """What a resource function returned, as the JSON form of a `File` (its body and MIME type).

    str: text; bytes: a blob; Image/Audio/File: their own body and type; anything else: its JSON text.
    """
    uri, declared = resource_uri(entry), entry.spec.extra.get("mime_type")
    if isinstance(result, File):
        item = result
    elif isinstance(result, Image | Audio):
        item = File(uri=uri, data=result.data, mime_type=result.mime_type)
    elif isinstance(result, str):
        item = File(uri=uri, text=result, mime_type=declared or "text/plain")
    elif isinstance(result, bytes | bytearray | memoryview):
        item = File(uri=uri, data=bytes(result), mime_type=declared or "application/octet-stream")
    else:
        text = json.dumps(to_jsonable_python(result, fallback=repr), ensure_ascii=False, separators=(",", ":"))
        item = File(uri=uri, text=text, mime_type=declared or "application/json")
    return item.model_dump(mode="json")


class ResourceChanges:
    """Where `resources.changed(uri)` goes: the listeners (an MCP server) told (uri, scope of the run)."""

    def __init__(self) -> None:
        self._listeners: list[ChangeListener] = []

    def listen(self, listener: ChangeListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def publish(self, uri: str, scope: str) -> None:
        for listener in list(self._listeners):
            await listener(uri, scope)


class ResourcesView:
    """`bifrost.resources` for one caller: signal a change of a resource the caller may read."""

    def __init__(self, changes: ResourceChanges, registry: Registry, caller: Caller) -> None:
        self._changes = changes
        self._registry = registry
        self._caller = caller

    async def changed(self, uri: str) -> None:
        if visible_resource_at(self._registry, self._caller, uri) is None:
            raise NotFoundError(f"no resource at {uri!r}: name the URI of a resource (@resource) you may read")
        await self._changes.publish(uri, self._caller.scope)
