"""The fixtures that talk to the calling client mid-run: progress, logging, elicitation and sampling."""

import asyncio
import json
import logging
from typing import Literal

from pydantic import BaseModel

from bifrost import FormField, FormFieldType, ai, context, forms, workflow

logger = logging.getLogger(__name__)


@workflow(is_tool=True)
async def test_tool_with_progress() -> str:
    """Reports progress 0, 50 and 100 of 100, about 50 ms apart."""
    for done in (0, 50, 100):
        await context.report_progress(done, 100)
        if done < 100:
            await asyncio.sleep(0.05)
    return "Progress test completed"


@workflow(is_tool=True)
async def test_tool_with_logging() -> str:
    """Logs three info messages about 50 ms apart (a client that set a log level receives them)."""
    logger.info("Tool execution started")
    await asyncio.sleep(0.05)
    logger.info("Tool processing data")
    await asyncio.sleep(0.05)
    logger.info("Tool execution completed")
    return "Logging test completed"


@workflow(is_tool=True)
async def test_sampling(prompt: str) -> str:
    """Asks the client's model (no AI provider is configured here, so ai.complete samples from the client).

    Args:
        prompt: The prompt to send to the LLM
    """
    answer = await ai.complete(prompt, max_tokens=100)
    return f"LLM response: {answer.content}"


@workflow(is_tool=True)
async def test_elicitation(message: str) -> str:
    """Asks the person for a username and an email address.

    Args:
        message: The message to show the user
    """
    schema = {
        "type": "object",
        "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "description": "User's email address"},
        },
        "required": ["username", "email"],
    }
    answer = await context.elicit(message, schema)
    return f"User response: action={answer.action}, content={json.dumps(answer.content)}"


class Defaults(BaseModel):
    name: str = "John Doe"
    age: int = 30
    score: float = 95.5
    status: Literal["active", "inactive", "pending"] = "active"
    verified: bool = True


@workflow(is_tool=True)
async def test_elicitation_sep1034_defaults() -> str:
    """Asks for one field of each primitive type, each with a default (SEP-1034), from a pydantic model."""
    answer = await forms.ask("Please review these defaults", Defaults)
    content = answer.content.model_dump() if answer.accepted else None
    return f"Elicitation completed: action={answer.action}, content={json.dumps(content)}"


def titled(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


@workflow(is_tool=True)
async def test_elicitation_sep1330_enums() -> str:
    """Asks with each of the five enum shapes of SEP-1330: select fields, single and multiple, titled or not."""
    select = FormFieldType.SELECT
    first, second, third = ("value1", "First"), ("value2", "Second"), ("value3", "Third")
    answer = await forms.ask(
        "Please choose",
        {
            "untitledSingle": FormField(type=select, options=["option1", "option2", "option3"]),
            "titledSingle": FormField(
                type=select, options=titled(*((v, f"{t} Option") for v, t in (first, second, third)))
            ),
            # the deprecated enumNames form has no FormField: a JSON schema property says it
            "legacyEnum": {
                "type": "string",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"],
            },
            "untitledMulti": FormField(type=select, multiple=True, options=["option1", "option2", "option3"]),
            "titledMulti": FormField(
                type=select, multiple=True, options=titled(*((v, f"{t} Choice") for v, t in (first, second, third)))
            ),
        },
    )
    return f"Elicitation completed: action={answer.action}, content={json.dumps(answer.content)}"
