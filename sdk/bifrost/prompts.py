"""`@prompt`: a function whose arguments a person fills in and whose result is the messages to start a chat with.

    from bifrost import Image, prompt, user, assistant

    @prompt
    async def review_ticket(ticket_id: str, tone: Literal["brief", "detailed"] = "brief") -> str:
        \"\"\"Review a ticket.

Args:
            ticket_id: The ticket to review.
        \"\"\"
        return f"Review ticket {ticket_id}, {tone}."

A prompt returns a str (one user message), a `Message` (or `user(...)` / `assistant(...)`), content (`Image`,
`Audio`, `File`: one user message holding it), or a list mixing these. Its arguments come from the signature, as
a workflow's do; MCP passes every prompt argument as a string, so each parameter must be a type a string
converts to: str, int, float, bool, a Literal of strings or a str Enum (optionally `| None`).
"""

from __future__ import annotations

import builtins
import enum
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin, overload

from pydantic import BaseModel, ConfigDict, Field

from bifrost.content import Audio, Content, File, Image, is_content
from bifrost.decorators import SPEC_ATTR, WorkflowSpec, _check_options, _describe, _flag, _str_tuple

F = TypeVar("F", bound=Callable[..., Any])

PROMPT_OPTIONS = ("name", "description", "roles", "admin_only")
PROMPT_TIMEOUT_SECONDS = 60  # a prompt renders text for a person waiting on it, like a data provider's options
Role = Literal["user", "assistant"]


class Message(BaseModel):
    """One message of a prompt: who says it, and what (text, or an image, audio or a file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role = "user"
    content: Annotated[str | Content, Field(union_mode="left_to_right")]


def user(content: str | Image | Audio | File) -> Message:
    """A message from the user."""
    return Message(role="user", content=content)


def assistant(content: str | Image | Audio | File) -> Message:
    """A message from the assistant (an answer the conversation should continue from)."""
    return Message(role="assistant", content=content)


def _message(item: Any, name: str) -> Message:
    if isinstance(item, Message):
        return item
    if isinstance(item, str | Image | Audio | File):
        return Message(content=item)
    if is_content(item) or (isinstance(item, dict) and "content" in item):
        return Message.model_validate(item)
    raise TypeError(
        f"prompt {name!r} returned {type(item).__name__}: a prompt returns a str, a Message (user(...), "
        "assistant(...)), an Image, Audio or File, or a list of these"
    )


def messages_of(result: Any, name: str) -> builtins.list[dict[str, Any]]:
    """What prompt `name` returned, as the JSON form of its messages (at least one).

    Raises:
        TypeError: the result is not text, messages or content.
    """
    items = result if isinstance(result, builtins.list | tuple) else [result]
    messages = [_message(item, name) for item in items]
    if not messages:
        raise TypeError(f"prompt {name!r} returned no messages: return at least one (a str is one user message)")
    return [message.model_dump(mode="json") for message in messages]


def _strings_only(values: tuple[Any, ...]) -> bool:
    return all(isinstance(value, str) for value in values)


def argument_problem(annotation: Any) -> str | None:
    """Why a prompt parameter of this type cannot be given as a string (MCP prompt arguments are), or None."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        problems = [argument_problem(arg) for arg in kept]
        return next((problem for problem in problems if problem), None)
    if annotation in (str, int, float, bool):
        return None
    if origin is Literal and _strings_only(get_args(annotation)):
        return None
    is_enum = isinstance(annotation, type) and issubclass(annotation, enum.Enum)
    if is_enum and _strings_only(tuple(member.value for member in annotation)):
        return None
    return (
        f"type {_type_name(annotation)} cannot be given as a string (MCP passes prompt "
        "arguments as strings); use str, int, float, bool, a Literal of strings or a str Enum"
    )


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type) and not get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _make_prompt(fn: F, options: dict[str, Any]) -> F:
    _check_options("prompt", options, PROMPT_OPTIONS)
    if not callable(fn):
        raise TypeError(f"@prompt decorates a function, got {fn!r}")
    spec = WorkflowSpec(
        kind="prompt",
        fn=fn,
        name=options.get("name") or fn.__name__,
        description=_describe(fn, options.get("description")),
        roles=_str_tuple("prompt", "roles", options.get("roles")),
        admin_only=_flag("prompt", "admin_only", options.get("admin_only", False)),
        timeout_seconds=PROMPT_TIMEOUT_SECONDS,
    )
    setattr(fn, SPEC_ATTR, spec)
    return fn


@overload
def prompt(fn: F, /) -> F: ...
@overload
def prompt(fn: None = None, /, **options: Any) -> Callable[[F], F]: ...
def prompt(fn: F | None = None, /, **options: Any) -> F | Callable[[F], F]:
    """Register a function as a prompt; `@prompt` and `@prompt(...)` both work.

    Options: name, description (default: the docstring's first paragraph), roles, admin_only (who sees it, as
    for workflows).
    """
    if fn is not None:
        return _make_prompt(fn, options)
    _check_options("prompt", options, PROMPT_OPTIONS)

    def decorate(inner: F) -> F:
        return _make_prompt(inner, options)

    return decorate


__all__ = ["Message", "Role", "argument_problem", "assistant", "messages_of", "prompt", "user"]
