"""What a workflow returned or raised, as its record and its caller see it: the same inline and in a worker."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic_core import to_jsonable_python

from bifrost.errors import AccessDenied, NotFoundError, UserError
from bifrost.prompts import messages_of
from bifrost_mcp.isolation.errors import RunFailed
from bifrost_mcp.workspace.registry import RegisteredWorkflow
from bifrost_mcp.workspace.resources import resource_result

# The spec documents these failures by the builtin errors they extend (executions-module.md: "Raises ValueError
# if not found, PermissionError if access is denied"); a caller reads that name.
_SPEC_NAMES: dict[type[BaseException], str] = {AccessDenied: "PermissionError", NotFoundError: "ValueError"}


def describe_exception(exc: BaseException) -> str:
    """A UserError's message verbatim; anything else its type and message, never a traceback."""
    if isinstance(exc, UserError):
        return str(exc)
    text = str(exc).strip()
    name = _SPEC_NAMES.get(type(exc), type(exc).__name__)
    return f"{name}: {text}" if text else name


def is_user_error(exc: BaseException) -> bool:
    """Whether a run failed on a UserError the workflow raised: its message is meant for the caller."""
    return exc.user_error if isinstance(exc, RunFailed) else isinstance(exc, UserError)


def describe_validation_error(exc: pydantic.ValidationError) -> list[str]:
    """One line per problem, naming the field: `priority: Input should be 'low', 'medium' or 'high'`."""
    problems = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"]) or "(arguments)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unexpected argument; remove it (see the tool's inputSchema for the accepted arguments)"
        elif error["type"] == "missing":
            message = "required argument is missing"
        problems.append(f"{location}: {message}")
    return problems


def invalid_arguments(name: str, problems: list[str]) -> str:
    """Why a call's arguments were refused, whichever process validated them."""
    return f"Invalid arguments for {name!r}: " + "; ".join(problems)


def _is_options(value: Any) -> bool:
    """A data provider's result shape: a list of {"label", "value", "metadata"?}."""
    return isinstance(value, list) and all(isinstance(o, dict) and "label" in o and "value" in o for o in value)


def _prompt_messages(entry: RegisteredWorkflow, result: Any) -> list[dict[str, Any]]:
    """A prompt's result checked against its return annotation, as its messages (kept as the objects returned)."""
    adapter = entry.imported_signature().output_adapter
    if adapter is not None:
        try:
            result = adapter.validate_python(result)
        except pydantic.ValidationError as exc:
            problems = "; ".join(describe_validation_error(exc))
            raise TypeError(f"the prompt returned a value not matching its return annotation: {problems}") from None
    return messages_of(result, entry.name)


def shape_result(entry: RegisteredWorkflow, result: Any) -> Any:
    """`result` as JSON-ready data, checked against the return annotation (and a data provider's shape)."""
    if entry.spec.kind == "resource":
        return resource_result(entry, result)
    if entry.spec.kind == "prompt":
        return _prompt_messages(entry, result)
    adapter = entry.imported_signature().output_adapter
    if adapter is not None:
        try:
            value = adapter.dump_python(adapter.validate_python(result), mode="json")
        except pydantic.ValidationError as exc:
            problems = "; ".join(describe_validation_error(exc))
            raise TypeError(
                f"the workflow returned a value that does not match its return annotation: {problems}"
            ) from None
    else:
        value = to_jsonable_python(result, fallback=repr)
    if entry.spec.kind == "data_provider" and not _is_options(value):
        raise TypeError(
            f"data provider {entry.name!r} must return a list of {{'label', 'value', 'metadata'?}} options, "
            f"got {type(value).__name__}"
        )
    return value
