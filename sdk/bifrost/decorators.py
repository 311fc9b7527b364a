"""`@workflow` and `@data_provider`: attach metadata, return the function unchanged."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, overload

from bifrost.signatures import first_paragraph

F = TypeVar("F", bound=Callable[..., Any])

SPEC_ATTR = "__bifrost_spec__"

WORKFLOW_OPTIONS = (
    "name",
    "description",
    "category",
    "tags",
    "execution_mode",
    "timeout_seconds",
    "schedule",
    "endpoint_enabled",
    "allowed_methods",
    "public_endpoint",
    "is_tool",
    "time_saved",
    "roles",
    "admin_only",
    "requires_approval",
)
DATA_PROVIDER_OPTIONS = ("name", "description", "cache_ttl_seconds", "roles", "admin_only")
# "auto" (the default) resolves when decorating: async for an HTTP endpoint, sync otherwise.
EXECUTION_MODES = ("sync", "async", "auto")


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """What a decorator recorded about one function. The host builds schemas and tools from it."""

    kind: Literal["workflow", "data_provider", "resource", "prompt"]
    fn: Callable[..., Any]
    name: str
    description: str | None
    category: str = "General"
    tags: tuple[str, ...] = ()
    execution_mode: str = "sync"
    timeout_seconds: int | float = 1800
    schedule: str | None = None
    endpoint_enabled: bool = False
    allowed_methods: tuple[str, ...] = ("POST",)
    public_endpoint: bool = False
    is_tool: bool = False
    time_saved: int = 0
    roles: tuple[str, ...] = ()
    admin_only: bool = False
    requires_approval: bool = False
    cache_ttl_seconds: int = 300
    extra: dict[str, Any] = field(default_factory=dict)


def get_spec(obj: object) -> WorkflowSpec | None:
    """The WorkflowSpec a bifrost decorator attached to `obj`, if any."""
    if not callable(obj):
        return None
    spec = getattr(obj, SPEC_ATTR, None)
    return spec if isinstance(spec, WorkflowSpec) else None


def _check_options(decorator: str, options: dict[str, Any], valid: tuple[str, ...]) -> None:
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise TypeError(
            f"@{decorator} got unknown parameter(s) {', '.join(map(repr, unknown))}; "
            f"valid parameters are: {', '.join(valid)}"
        )


def _str_tuple(decorator: str, option: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"@{decorator}({option}=...) must be a list of strings, got {value!r}")
    return tuple(value)


def _positive_int(decorator: str, option: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"@{decorator}({option}=...) must be a non-negative integer, got {value!r}")
    return value


def _positive_seconds(decorator: str, option: str, value: Any) -> int | float:
    """A duration above zero; an int stays an int, so messages print "after 2 s" rather than "2.0 s"."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0 or not math.isfinite(value):
        # keeps the phrases of the integer-only messages this replaced, which callers may match on
        raise TypeError(
            f"@{decorator}({option}=...) must be a positive number of seconds: a non-negative integer of at "
            f"least 1, or a float above 0 such as 0.5; got {value!r}"
        )
    return value


def _flag(decorator: str, option: str, value: Any) -> bool:
    # strict: a truthy string such as "no" switching on a safety option would be worse than an error
    if not isinstance(value, bool):
        raise TypeError(f"@{decorator}({option}=...) must be True or False, got {value!r}")
    return value


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _methods(value: Any) -> tuple[str, ...]:
    """allowed_methods as upper-case HTTP methods, each once, in the given order."""
    methods = _str_tuple("workflow", "allowed_methods", value)
    unknown = [m for m in methods if m.upper() not in HTTP_METHODS]
    if not methods or unknown:
        raise TypeError(f"@workflow(allowed_methods=...) takes one or more of {', '.join(HTTP_METHODS)}, got {value!r}")
    return tuple(dict.fromkeys(m.upper() for m in methods))


def _check_endpoint(name: str, options: dict[str, Any], endpoint_enabled: bool, public: bool) -> None:
    """Endpoint options that could not be honoured are errors at load, not silently ignored."""
    if not endpoint_enabled:
        given = [o for o in ("allowed_methods", "public_endpoint") if o in options and options[o] is not False]
        if given:
            raise TypeError(
                f"@workflow {name!r}: {' and '.join(given)} apply to HTTP endpoints; add endpoint_enabled=True"
            )
        return
    if options.get("requires_approval"):
        raise TypeError(
            f"@workflow {name!r}: requires_approval=True cannot be an HTTP endpoint, which has nobody to ask for "
            "the approval of each call's arguments; drop endpoint_enabled, or requires_approval"
        )
    if public and (options.get("roles") or options.get("admin_only")):
        raise TypeError(
            f"@workflow {name!r}: public_endpoint=True runs for anyone without credentials, so roles/admin_only "
            "could never apply to its callers; drop them, or public_endpoint"
        )


def _execution_mode(options: dict[str, Any]) -> str:
    """The mode a workflow runs in, "sync" or "async", from its `execution_mode` and `endpoint_enabled` options."""
    mode = options.get("execution_mode", "auto")
    if mode not in EXECUTION_MODES:
        raise TypeError(
            f"@workflow(execution_mode=...) must be one of {', '.join(map(repr, EXECUTION_MODES))}, got {mode!r}"
        )
    if mode == "auto":
        return "async" if bool(options.get("endpoint_enabled", False)) else "sync"
    return str(mode)


def _describe(fn: Callable[..., Any], description: str | None) -> str | None:
    return description if description is not None else first_paragraph(inspect.getdoc(fn))


def _make_workflow(fn: F, options: dict[str, Any]) -> F:
    _check_options("workflow", options, WORKFLOW_OPTIONS)
    if not callable(fn):
        raise TypeError(f"@workflow decorates a function, got {fn!r}")
    endpoint_enabled = _flag("workflow", "endpoint_enabled", options.get("endpoint_enabled", False))
    public_endpoint = _flag("workflow", "public_endpoint", options.get("public_endpoint", False))
    _check_endpoint(options.get("name") or fn.__name__, options, endpoint_enabled, public_endpoint)
    timeout = _positive_seconds("workflow", "timeout_seconds", options.get("timeout_seconds", 1800))
    spec = WorkflowSpec(
        kind="workflow",
        fn=fn,
        name=options.get("name") or fn.__name__,
        description=_describe(fn, options.get("description")),
        category=options.get("category") or "General",
        tags=_str_tuple("workflow", "tags", options.get("tags")),
        execution_mode=_execution_mode(options),
        timeout_seconds=timeout,
        schedule=options.get("schedule"),
        endpoint_enabled=endpoint_enabled,
        allowed_methods=_methods(options.get("allowed_methods", ["POST"])),
        public_endpoint=public_endpoint,
        is_tool=bool(options.get("is_tool", False)),
        time_saved=_positive_int("workflow", "time_saved", options.get("time_saved", 0)),
        roles=_str_tuple("workflow", "roles", options.get("roles")),
        admin_only=bool(options.get("admin_only", False)),
        requires_approval=_flag("workflow", "requires_approval", options.get("requires_approval", False)),
    )
    setattr(fn, SPEC_ATTR, spec)
    return fn


@overload
def workflow(fn: F, /) -> F: ...
@overload
def workflow(fn: None = None, /, **options: Any) -> Callable[[F], F]: ...
def workflow(fn: F | None = None, /, **options: Any) -> F | Callable[[F], F]:
    """Register a function as a workflow; `@workflow` and `@workflow(...)` both work.

    Options: name, description, category, tags, execution_mode, timeout_seconds, schedule,
    endpoint_enabled, allowed_methods, public_endpoint, is_tool, time_saved, roles, admin_only,
    requires_approval (an agent runs it only after the chatting person approves the exact arguments; an MCP
    client is asked to confirm, and a client that cannot confirm is refused).

    endpoint_enabled publishes it at /api/workflows/<name> for `allowed_methods` (GET, POST, PUT, PATCH,
    DELETE); public_endpoint lets anyone call it without credentials. Neither may be combined with
    requires_approval (an endpoint cannot ask), nor public_endpoint with roles or admin_only.
    """
    if fn is not None:
        return _make_workflow(fn, options)
    _check_options("workflow", options, WORKFLOW_OPTIONS)
    _execution_mode(options)  # a wrong mode fails where it is written, before anything is decorated

    def decorate(inner: F) -> F:
        return _make_workflow(inner, options)

    return decorate


def _make_data_provider(fn: F, options: dict[str, Any]) -> F:
    _check_options("data_provider", options, DATA_PROVIDER_OPTIONS)
    spec = WorkflowSpec(
        kind="data_provider",
        fn=fn,
        name=options.get("name") or fn.__name__,
        description=_describe(fn, options.get("description")),
        cache_ttl_seconds=_positive_int("data_provider", "cache_ttl_seconds", options.get("cache_ttl_seconds", 300)),
        roles=_str_tuple("data_provider", "roles", options.get("roles")),
        admin_only=bool(options.get("admin_only", False)),
        timeout_seconds=60,
    )
    setattr(fn, SPEC_ATTR, spec)
    return fn


@overload
def data_provider(fn: F, /) -> F: ...
@overload
def data_provider(name: str | None = None, description: str | None = None, /, **options: Any) -> Callable[[F], F]: ...
def data_provider(fn: F | str | None = None, description: str | None = None, /, **options: Any) -> F | Callable[[F], F]:
    """Register a function that returns options (`[{"label", "value", "metadata"?}]`).

    `@data_provider`, `@data_provider("name", "description")` (the spec's positional form) and keywords all work.
    Options: name, description, cache_ttl_seconds, roles, admin_only.
    """
    if callable(fn):
        if description is not None:
            raise TypeError("@data_provider takes a name and a description, or decorates a function directly")
        return _make_data_provider(fn, options)
    for option, positional in (("name", fn), ("description", description)):
        if positional is None:
            continue
        if option in options:
            raise TypeError(f"@data_provider got {option} twice: positionally and as {option}=")
        if not isinstance(positional, str):
            raise TypeError(f"@data_provider({option}) must be a string, got {positional!r}")
        options[option] = positional
    _check_options("data_provider", options, DATA_PROVIDER_OPTIONS)

    def decorate(inner: F) -> F:
        return _make_data_provider(inner, options)

    return decorate
