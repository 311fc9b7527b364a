"""Structured output: the schema sent for a pydantic class, validation of the reply, and the failure it ends in."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import pydantic

from bifrost.errors import StructuredOutputError

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)

_FENCED = re.compile(r"^\s*```[A-Za-z0-9_-]*\s*\n(?P<body>.*?)\n?```\s*$", re.DOTALL)


def response_schema(response_format: type[pydantic.BaseModel]) -> dict[str, Any]:
    """What the host sends the model for `response_format`: its name and JSON schema."""
    return {"name": response_format.__name__, "schema": response_format.model_json_schema()}


def parse(response_format: type[ModelT], text: str) -> ModelT:
    """The reply as an instance of `response_format`; a ```json fence around it is tolerated."""
    fenced = _FENCED.match(text)
    return response_format.model_validate_json(fenced.group("body") if fenced else text)


def failure(
    response_format: type[pydantic.BaseModel], reply: str, error: pydantic.ValidationError
) -> StructuredOutputError:
    excerpt = reply if len(reply) <= 300 else reply[:300] + "…"
    return StructuredOutputError(
        f"The model's reply did not match {response_format.__name__}, even after one repair: {describe(error)}. "
        f"Its reply was: {excerpt!r}. Describe the expected fields in the prompt, or use a more capable model.",
        errors=_errors(error),
    )


def describe(error: pydantic.ValidationError, *, limit: int = 5) -> str:
    problems = [f"{_location(item['loc'])}: {item['msg']}" for item in error.errors(include_url=False)[:limit]]
    more = error.error_count() - len(problems)
    return "; ".join(problems) + (f"; and {more} more" if more > 0 else "")


def _errors(error: pydantic.ValidationError) -> list[dict[str, Any]]:
    return [dict(item) for item in error.errors(include_url=False, include_input=False, include_context=False)]


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(the whole reply)"
