"""The harness's tools-call-* and json-schema-2020-12 fixtures: text, errors, and a schema with $defs."""

from pydantic import BaseModel

from bifrost import UserError, workflow


@workflow(is_tool=True)
async def test_simple_text() -> str:
    """Returns simple text content."""
    return "This is a simple text response for testing."


@workflow(is_tool=True)
async def test_error_handling() -> str:
    """Always fails, with a message for the caller."""
    raise UserError("This tool intentionally returns an error for testing")


class address(BaseModel):  # lower case: the harness looks for $defs["address"]
    street: str | None = None
    city: str | None = None


@workflow(is_tool=True)
async def json_schema_2020_12_tool(name: str | None = None, address: address | None = None) -> str:
    """Tool with JSON Schema 2020-12 features."""
    return f"name={name!r} address={address!r}"


@workflow(is_tool=True)
async def test_reconnection() -> str:
    """Answers on the POST stream it was called on (SEP-1699 polling fixture)."""
    return "Reconnection test completed"
