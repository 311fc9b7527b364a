"""bifrost_mcp.peer: what a form may be, what a run without a client answers, and the client view's checks."""

from __future__ import annotations

from typing import Any

import pytest

from bifrost.errors import ClientUnavailableError, ValidationError
from bifrost_mcp.peer import NO_CLIENT, ClientView, NoClient, mcp_level, schema_problem

FORM: dict[str, Any] = {
    "type": "object",
    "properties": {"age": {"type": "integer", "minimum": 0}, "tags": {"type": "array", "items": {"enum": ["a"]}}},
    "required": ["age"],
}


class Recorder:
    """A client that answers every question with `answer`, recording what it was sent."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.sent: list[Any] = []

    def cannot_elicit(self) -> str | None:
        return None

    def cannot_sample(self) -> str | None:
        return None

    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        self.sent.append((progress, total, message))

    def log(self, level: str, message: str, logger_name: str | None) -> None:
        self.sent.append((level, message))

    async def flush(self) -> None:
        return None

    async def elicit(self, message: str, schema: dict[str, Any]) -> dict[str, Any]:
        self.sent.append((message, schema))
        return self.answer

    async def sample(self, request: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("not asked here")


def redact(value: Any) -> Any:
    return value.replace("s3cret", "***") if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ([], 'a JSON schema of "type": "object"'),
        ({"type": "object", "properties": {}}, "at least one property"),
        ({"type": "object", "properties": {"a": {"type": "object"}}}, "property 'a' must have a type of"),
        ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}, "'required' names ['b']"),
        ({"type": "object", "properties": {"a": {"type": "string", "minLength": "x"}}}, "not a valid JSON schema"),
    ],
)
def test_a_form_a_client_cannot_show_is_named(schema: Any, problem: str) -> None:
    found = schema_problem(schema)
    assert found is not None and problem in found


def test_a_flat_form_passes() -> None:
    assert schema_problem(FORM) is None


def test_python_levels_map_to_mcp_levels() -> None:
    assert [mcp_level(n) for n in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "notice", "Custom")] == [
        "debug", "info", "warning", "error", "critical", "notice", "info",
    ]  # fmt: skip


async def test_a_run_without_a_client_drops_progress_and_refuses_to_ask_saying_why() -> None:
    view = ClientView(NoClient("a schedule"), redact)
    await view.progress(1, 2, "ok")
    with pytest.raises(ClientUnavailableError, match="started by a schedule, so there is no client to ask"):
        await view.elicit("?", FORM)
    with pytest.raises(ClientUnavailableError, match="no client to ask"):
        await NO_CLIENT.sample({})


async def test_the_view_redacts_what_it_sends_and_checks_the_answer() -> None:
    client = Recorder({"action": "accept", "content": {"age": 3}})
    view = ClientView(client, redact)
    await view.progress(1, None, "token s3cret")
    assert await view.elicit("key s3cret?", FORM) == {"action": "accept", "content": {"age": 3}}
    assert client.sent == [(1.0, None, "token ***"), ("key ***?", FORM)]
    client.answer = {"action": "accept", "content": {"age": -1, "tags": ["b"]}}
    with pytest.raises(ValidationError) as wrong:
        await view.elicit("?", FORM)
    assert str(wrong.value) == (
        "The answer did not match the form: age: -1 is less than the minimum of 0; tags.0: 'b' is not one of ['a']"
    )
    client.answer = {"action": "decline", "content": None}
    assert await view.elicit("?", FORM) == {"action": "decline", "content": None}  # nothing to check


@pytest.mark.parametrize("progress", [float("nan"), True, "1"])
async def test_progress_must_be_a_finite_number(progress: Any) -> None:
    with pytest.raises(ValidationError, match="finite numbers"):
        await ClientView(Recorder({}), redact).progress(progress)
