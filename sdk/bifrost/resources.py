"""`@resource("scheme://path/{param}")`: content at the workflow author's own URIs, and `changed` to say it changed.

A URI without variables is a direct resource; one with variables (RFC 6570 level 1 `{name}`, and `{+name}`
for a value that may hold "/") is a template. The function's parameters are exactly the template's variables
(an `ExecutionContext` parameter may be added); it returns the resource's content:

- `str`: text (MIME type `text/plain` unless `mime_type=` says otherwise);
- `bytes`: a blob (`application/octet-stream` unless `mime_type=` says otherwise);
- `Image`, `Audio` or `File` (bifrost.content): their bytes or text and their own MIME type;
- anything else JSON-able: its JSON text (`application/json`).

`bifrost://` URIs are the host's own (data providers, executions, knowledge); a resource may not use them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote

from bifrost.decorators import SPEC_ATTR, WorkflowSpec, _check_options, _describe, _flag, _str_tuple
from bifrost.platform import call

F = TypeVar("F", bound=Callable[..., Any])

RESOURCE_OPTIONS = ("name", "description", "mime_type", "roles", "admin_only")
RESERVED_SCHEME = "bifrost://"
_VARIABLE = re.compile(r"\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def template_variables(uri: str) -> list[str]:
    """The variables of the URI template `uri`, in order (empty for a direct resource's URI)."""
    return [match.group(2) for match in _VARIABLE.finditer(uri)]


def check_uri(uri: object) -> str:
    """`uri` if it is a URI (template) a resource may use; TypeError saying what to fix otherwise."""
    if not isinstance(uri, str) or not _SCHEME.match(uri):
        raise TypeError(f"@resource needs a URI with a scheme such as 'reports://monthly/{{month}}', got {uri!r}")
    if uri.lower().startswith(RESERVED_SCHEME):
        raise TypeError(f"@resource({uri!r}): bifrost:// URIs are reserved for the host; use a scheme of your own")
    leftover = _VARIABLE.sub("", uri)
    if "{" in leftover or "}" in leftover:
        raise TypeError(
            f"@resource({uri!r}): only {{name}} and {{+name}} variables are supported in a URI template "
            "(a name is letters, digits and _)"
        )
    names = template_variables(uri)
    if len(set(names)) != len(names):
        raise TypeError(f"@resource({uri!r}): a variable appears twice; name each one once")
    return uri


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in _VARIABLE.finditer(template):
        parts.append(re.escape(template[last : match.start()]))
        # {name} stops at "/", "?" and "#" (RFC 6570 simple expansion escapes them); {+name} may span them
        parts.append(f"(?P<{match.group(2)}>.+?)" if match.group(1) else f"(?P<{match.group(2)}>[^/?#]+)")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts) + r"\Z")


def match_uri(template: str, uri: str) -> dict[str, str] | None:
    """The variables that turn `template` into `uri` (percent-decoded), or None when it does not match."""
    if not template_variables(template):
        return {} if uri == template else None
    found = _pattern(template).match(uri)
    if found is None:
        return None
    return {name: unquote(value) for name, value in found.groupdict().items()}


def _make_resource(fn: F, uri: str, options: dict[str, Any]) -> F:
    if not callable(fn):
        raise TypeError(f"@resource decorates a function, got {fn!r}")
    mime_type = options.get("mime_type")
    if mime_type is not None and (not isinstance(mime_type, str) or "/" not in mime_type):
        raise TypeError(f"@resource(mime_type=...) must be a MIME type such as 'text/markdown', got {mime_type!r}")
    spec = WorkflowSpec(
        kind="resource",
        fn=fn,
        name=options.get("name") or fn.__name__,
        description=_describe(fn, options.get("description")),
        roles=_str_tuple("resource", "roles", options.get("roles")),
        admin_only=_flag("resource", "admin_only", options.get("admin_only", False)),
        timeout_seconds=60,
        extra={"uri": uri, "mime_type": mime_type},
    )
    setattr(fn, SPEC_ATTR, spec)
    return fn


def resource(uri: str, /, **options: Any) -> Callable[[F], F]:
    """Publish a function's return value as the resource at `uri` (a URI, or a URI template with `{variables}`).

    Options: name, description, mime_type (of a str, bytes or JSON result), roles, admin_only. The function's
    parameters must be exactly the template's variables; it runs as the caller who reads it, like a workflow.
    """
    check_uri(uri)
    _check_options("resource", options, RESOURCE_OPTIONS)

    def decorate(fn: F) -> F:
        return _make_resource(fn, uri, options)

    return decorate


async def changed(uri: str) -> None:
    """Tell the clients subscribed to the resource at `uri` that its content changed (they read it again).

    `uri` is a URI the caller may read (a direct resource's, or one a template matches); the sessions told are
    those of the caller's organization (every organization's, when the run acts in GLOBAL scope).
    """
    if not isinstance(uri, str) or not uri:
        raise ValueError("resources.changed needs the URI of the resource that changed")
    await call("resources.changed", uri=uri)


__all__ = ["changed", "check_uri", "match_uri", "resource", "template_variables"]
