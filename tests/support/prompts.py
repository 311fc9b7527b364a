"""A workspace of prompts and completions: the conformance harness's prompt fixtures, and ones for access rules."""

from __future__ import annotations

import base64

from bifrost_mcp.caller import Caller
from tests.support.callers import ORG_A

# a 1x1 red pixel
PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
PNG = base64.b64decode(PNG_BASE64)

WORKSPACE = {
    "conformance.py": f'''
        """The harness's prompt fixtures, written with the SDK only."""
        import base64

        from bifrost import File, Image, prompt

        PNG = base64.b64decode("{PNG_BASE64}")


        @prompt
        def test_simple_prompt() -> str:
            """A simple prompt without arguments."""
            return "This is a simple prompt for testing."


        @prompt
        def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
            """A prompt with required arguments.

            Args:
                arg1: First test argument
                arg2: Second test argument
            """
            return f"Prompt with arguments: arg1='{{arg1}}', arg2='{{arg2}}'"


        @prompt
        def test_prompt_with_embedded_resource(resourceUri: str) -> list:
            """A prompt that embeds a resource.

            Args:
                resourceUri: URI of the resource to embed
            """
            return [
                File(uri=resourceUri, text="Embedded resource content for testing."),
                "Please process the embedded resource above.",
            ]


        @prompt
        async def test_prompt_with_image() -> list:
            """A prompt with an image."""
            return [Image(data=PNG, mime_type="image/png"), "Please analyze the image above."]
    ''',
    "travel.py": '''
        from enum import Enum
        from typing import Annotated, Literal

        from bifrost import Agent, UserError, assistant, context, data_provider, options, prompt, user


        @data_provider(cache_ttl_seconds=300)
        async def cities(country: str = "fr") -> list:
            """Cities of a country."""
            found = {
                "fr": [("Paris", "paris"), ("Lyon", "lyon"), ("Parthenay", "parthenay"), ("Marseille", "marseille")],
                "de": [("Berlin", "berlin"), ("Passau", "passau")],
            }
            return [{"label": label, "value": value} for label, value in found.get(country, [])]


        @data_provider(admin_only=True)
        async def secret_codes() -> list:
            return [{"label": "Alpha", "value": "alpha"}]


        @data_provider(cache_ttl_seconds=0)
        async def many() -> list:
            return [{"label": f"Item {n}", "value": n} for n in range(250)]


        class Pace(Enum):
            SLOW = "slow"
            FAST = "fast"


        @prompt(description="Plan a trip")
        def plan_trip(
            city: Annotated[str, options("cities")],
            country: str = "fr",
            nights: int = 2,
            flexible: bool = False,
            pace: Pace = Pace.SLOW,
            budget: Literal["low", "high"] | None = None,
        ) -> list:
            """Ignored: the description option wins.

            Args:
                city: Where to go
            """
            return [
                user(f"Plan {nights} night(s) in {city} ({country}), pace {pace.value}, budget {budget}, "
                     f"flexible={flexible}, for {context.name}."),
                assistant("Which dates?"),
            ]


        @prompt
        async def pick_item(
            item: Annotated[str, options("many")], code: Annotated[str, options("secret_codes")] = ""
        ) -> str:
            return f"item {item} {code}"


        @prompt(roles=["travel-desk"])
        def desk_only() -> str:
            return "for the travel desk"


        @prompt(admin_only=True)
        def admins_only() -> str:
            return "for admins"


        @prompt
        def broken() -> str:
            raise RuntimeError("the prompt broke")


        @prompt
        def refuses(reason: str) -> str:
            raise UserError(f"cannot do that: {reason}")


        @prompt
        def wrong_shape() -> int:
            return 42


        guide = Agent(
            "guide",
            description="A travel guide.",
            instructions="You guide {user_name} of {org_name}.",
            roles=["travel-desk"],
        )
    ''',
}

PROMPT_NAMES = [
    "agent_assistant",  # the built-in agent, a prompt like every agent
    "broken",
    "pick_item",
    "plan_trip",
    "refuses",
    "test_prompt_with_arguments",
    "test_prompt_with_embedded_resource",
    "test_prompt_with_image",
    "test_simple_prompt",
    "wrong_shape",
]


def caller(*, roles: tuple[str, ...] = (), admin: bool = False, user_id: str = "ada") -> Caller:
    return Caller(
        user_id=user_id,
        email=f"{user_id}@a.test",
        name=user_id.title(),
        organization=ORG_A,
        is_platform_admin=admin,
        roles=frozenset(roles),
    )
