"""`Agent`: a chat agent declared in a workspace file, beside the workflows it may call.

The declaration is checked when it is built, so a mistake is reported at workspace load with its file and
line, like a broken @workflow; the host resolves the tool names against the workspace and decides who may
chat with the agent (`bifrost_mcp.access.can_chat`).
"""

from __future__ import annotations

import difflib
import re
import string
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bifrost._context import ExecutionContext
from bifrost.decorators import get_spec

AGENT_OPTIONS = (
    "name",
    "description",
    "instructions",
    "tools",
    "knowledge",
    "model",
    "roles",
    "admin_only",
    "max_steps",
)
INSTRUCTION_FIELDS = ("org_name", "org_id", "user_name", "user_email")
# Names end up in URLs (/mcp/agents/<name>) and chat commands, so they stay path- and shell-safe.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

ToolRef = str | Callable[..., Any]


@dataclass(frozen=True, slots=True, init=False)
class Agent:
    """A chat agent: its instructions, the workflows it may call, the knowledge it searches, who may use it.

    `tools` holds workflow names; a decorated workflow function given instead is stored as its name.
    `instructions` may use the placeholders {org_name}, {org_id}, {user_name} and {user_email}, filled per
    conversation by `render_instructions`. `model` is "provider:model"; None means the organization's
    ai_default_model. Who may chat: platform admins always; `admin_only` agents nobody else; with `roles`,
    holders of one of them; otherwise everyone. The agent's tools are further limited to the workflows the
    chatting caller may run directly, so an agent never widens anyone's access.
    """

    name: str
    description: str | None
    instructions: str
    tools: tuple[str, ...]
    knowledge: tuple[str, ...]
    model: str | None
    roles: tuple[str, ...]
    admin_only: bool
    max_steps: int
    # where the declaration was built (file, line): the loader reports problems there
    # init=False keeps it out of dataclasses.replace, whose copy then records where it was made
    origin: tuple[str, int] | None = field(default=None, init=False, compare=False, repr=False)

    def __init__(
        self,
        name: str,
        *,
        description: str | None = None,
        instructions: str = "",
        tools: Sequence[ToolRef] = (),
        knowledge: Sequence[str] = (),
        model: str | None = None,
        roles: Sequence[str] = (),
        admin_only: bool = False,
        max_steps: int = 12,
        **unknown: Any,
    ) -> None:
        _reject_unknown(unknown)
        values = {
            "name": _name(name),
            "description": _optional_text("description", description),
            "instructions": _instructions(instructions),
            "tools": _tools(tools),
            "knowledge": _strings("knowledge", knowledge, "a list of namespace names, e.g. ['runbooks']"),
            "model": _model(model),
            "roles": _strings("roles", roles, "a list of role names, e.g. ['Technician']"),
            "admin_only": _flag("admin_only", admin_only),
            "max_steps": _max_steps(max_steps),
            "origin": _caller_origin(),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)  # frozen: the dataclass's own __setattr__ refuses

    def render_instructions(self, ctx: ExecutionContext) -> str:
        """The instructions with their placeholders filled for the caller of `ctx`.

        Without an organization (GLOBAL scope) {org_name} and {org_id} read "GLOBAL", the scope's name.
        """
        values = {
            "org_name": ctx.org_name or ctx.scope,
            "org_id": ctx.org_id or ctx.scope,
            "user_name": ctx.name,
            "user_email": ctx.email,
        }
        return self.instructions.format_map(values)


def _fail(option: str, problem: str, fix: str) -> TypeError:
    return TypeError(f"Agent({option}=...) {problem}; {fix}")


def _reject_unknown(unknown: dict[str, Any]) -> None:
    if not unknown:
        return
    hints = []
    for option in sorted(unknown):
        close = difflib.get_close_matches(option, AGENT_OPTIONS, n=1)
        hints.append(f"{option!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise TypeError(f"Agent got unknown option(s) {', '.join(hints)}; valid options are: {', '.join(AGENT_OPTIONS)}")


def _name(value: object) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise _fail(
            "name",
            f"must be a non-empty name of letters, digits, '_', '-' or '.' (at most 64), got {value!r}",
            "name it like 'helpdesk'",
        )
    return value


def _optional_text(option: str, value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _fail(option, f"must be a string, got {value!r}", "write it as text")
    return value


def _instructions(value: object) -> str:
    if not isinstance(value, str):
        raise _fail("instructions", f"must be a string, got {value!r}", "write the agent's instructions as text")
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise _fail(
            "instructions", f"is not a valid template ({exc})", "write '{{' and '}}' for literal braces"
        ) from None
    unknown = [name or "{}" for name in fields if name not in INSTRUCTION_FIELDS]
    if unknown:
        raise _fail(
            "instructions",
            f"uses unknown placeholder(s) {', '.join(map(repr, unknown))}",
            f"use only {', '.join('{' + f + '}' for f in INSTRUCTION_FIELDS)}, or write '{{{{' and '}}}}' for "
            "literal braces",
        )
    return value


def _tools(value: object) -> tuple[str, ...]:
    fix = "list workflow names or @workflow functions, e.g. tools=['triage_ticket', lookup_customer]"
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _fail("tools", f"must be a list, got {value!r}", fix)
    names: list[str] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            names.append(item)
            continue
        spec = get_spec(item)
        if spec is None or spec.kind != "workflow":
            what = "a data provider" if spec is not None else repr(item)
            raise _fail("tools", f"holds {what}, which is neither a workflow name nor an @workflow function", fix)
        names.append(spec.name)
    return tuple(dict.fromkeys(names))  # a tool listed twice is one tool


def _strings(option: str, value: object, fix: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _fail(option, f"must be a list of strings, got {value!r}", f"write {fix}")
    bad = [item for item in value if not isinstance(item, str) or not item.strip()]
    if bad:
        raise _fail(option, f"must hold only non-empty strings, got {bad[0]!r}", f"write {fix}")
    return tuple(value)


def _model(value: object) -> str | None:
    if value is None:
        return None
    provider, _, model = value.partition(":") if isinstance(value, str) else ("", "", "")
    if not provider.strip() or not model.strip():
        raise _fail(
            "model",
            f"must be 'provider:model' or None, got {value!r}",
            "write e.g. 'anthropic:claude-sonnet-5-5', or leave it None for the organization's ai_default_model",
        )
    return str(value)


def _flag(option: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _fail(option, f"must be True or False, got {value!r}", f"write {option}=True or {option}=False")
    return value


def _max_steps(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail("max_steps", f"must be an integer of at least 1, got {value!r}", "write e.g. max_steps=12")
    return value


def _caller_origin() -> tuple[str, int]:
    # two frames up: past Agent.__init__ to the statement that built the agent (the workspace file)
    frame = sys._getframe(2)
    return frame.f_code.co_filename, frame.f_lineno
