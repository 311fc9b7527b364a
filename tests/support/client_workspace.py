"""A workspace whose tools talk to their calling client: the harness's fixtures, written with the bifrost SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bifrost_mcp.app import App
from tests.support.mcp import opened_app
from tests.support.workspace import workspace_modules_dropped, write_files

SECRET = "tok-client-7f3a91"
FILES = {
    "client_tools.py": '''
        import json
        import logging
        from typing import Literal

        from pydantic import BaseModel

        from bifrost import FormField, FormFieldType, ai, config, context, forms, workflow

        logger = logging.getLogger("client_tools")
        logger.setLevel(logging.DEBUG)  # its debug lines are recorded too, and sent to a client that wants them


        @workflow(is_tool=True)
        async def test_tool_with_progress() -> str:
            """Reports 0, 50 and 100 of 100."""
            for done in (0, 50, 100):
                await context.report_progress(done, 100, f"{done} of 100")
            return "progress reported"


        @workflow(is_tool=True)
        async def test_tool_with_logging() -> str:
            """Logs three lines at info (the last one printed)."""
            logger.info("Tool execution started")
            logger.debug("a detail below info")
            logger.info("Tool processing data")
            print("Tool execution completed")
            return "logged"


        @workflow(is_tool=True)
        async def floods_the_log(lines: int) -> str:
            """Logs `lines` lines without yielding once: faster than any client reads."""
            for n in range(lines):
                logger.info("line %d", n)
            return "flooded"


        @workflow(is_tool=True)
        def sync_logging() -> str:
            """A sync workflow (a worker thread inline) logs too."""
            logger.warning("from a thread")
            return "logged"


        @workflow(is_tool=True)
        async def leaks_a_secret() -> str:
            """Logs and reports a secret it read: the client sees it redacted."""
            token = await config.get("api_token")
            logger.info("calling with token %s", token)
            await context.report_progress(1, 2, f"token {token}")
            return "done"


        @workflow(is_tool=True)
        async def test_elicitation(message: str) -> str:
            """Asks for a username and an email."""
            answer = await context.elicit(message, {
                "type": "object",
                "properties": {
                    "username": {"type": "string", "description": "User's response"},
                    "email": {"type": "string", "description": "User's email address"},
                },
                "required": ["username", "email"],
            })
            return f"User response: action={answer.action}, content={json.dumps(answer.content)}"


        class Defaults(BaseModel):
            name: str = "John Doe"
            age: int = 30
            score: float = 95.5
            status: Literal["active", "inactive", "pending"] = "active"
            verified: bool = True


        @workflow(is_tool=True)
        async def test_elicitation_sep1034_defaults() -> str:
            """Asks with a default for every primitive type."""
            answer = await forms.ask("Please review the defaults", Defaults)
            content = answer.content.model_dump() if answer.accepted else None
            return f"Elicitation completed: action={answer.action}, content={json.dumps(content)}"


        def titled(*pairs: tuple[str, str]) -> list[dict[str, str]]:
            return [{"value": value, "label": label} for value, label in pairs]


        @workflow(is_tool=True)
        async def test_elicitation_sep1330_enums() -> str:
            """Asks with the five enum shapes."""
            select = FormFieldType.SELECT
            answer = await forms.ask("Please pick options", {
                "untitledSingle": FormField(type=select, options=["option1", "option2", "option3"]),
                "titledSingle": FormField(
                    type=select, options=titled(("value1", "First Option"), ("value2", "Second Option"))
                ),
                "legacyEnum": {
                    "type": "string",
                    "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"],
                },
                "untitledMulti": FormField(type=select, multiple=True, options=["option1", "option2", "option3"]),
                "titledMulti": FormField(
                    type=select, multiple=True, options=titled(("value1", "First Choice"), ("value2", "Second Choice"))
                ),
            })
            return f"Elicitation completed: action={answer.action}, content={json.dumps(answer.content)}"


        @workflow(is_tool=True)
        async def pick_department(form_id: str) -> str:
            """Asks for a department with a stored form."""
            answer = await forms.ask("Which department?", await forms.get(form_id))
            return f"{answer.action}: {json.dumps(answer.content)}"


        NAME = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


        @workflow(is_tool=True)
        async def asks_twice(topic: str) -> str:
            """Asks two questions, reporting and logging between them."""
            first = await context.elicit(f"First, about {topic}?", NAME)
            logger.info("first answer: %s", first.content)
            await context.report_progress(1, 2, "one answered")
            second = await context.elicit("And second?", NAME)
            return f"{first.content['name']} then {second.content['name']}"


        @workflow(is_tool=True)
        async def test_sampling(prompt: str) -> str:
            """Asks the client's model (no provider is configured)."""
            reply = await ai.complete(prompt, max_tokens=100)
            return f"LLM response: {reply.content} ({reply.model})"


        @workflow(is_tool=True)
        async def samples_a_secret() -> str:
            """Puts a secret in its prompt: the client's model never sees it."""
            token = await config.get("api_token")
            reply = await ai.complete(f"Summarize {token}", system=f"key {token}")
            return reply.content
    ''',
}


@asynccontextmanager
async def client_app(tmp_path: Path, isolation: str = "inline") -> AsyncIterator[App]:
    """The workspace served, a secret config `api_token` = SECRET set for everyone."""
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, FILES)
        async with opened_app(tmp_path / "data", workspace=root, isolation=isolation, workers=1) as app:
            await app.host.config.set("GLOBAL", "api_token", SECRET, is_secret=True)
            yield app
