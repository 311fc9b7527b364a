"""Prompts: conversation starters a person picks in their MCP client, their arguments completed as they type.

A prompt's arguments come from its signature, as a workflow's do. `options("departments")` names the data
provider (examples/departments.py) whose values complete `department`: a client asking `completion/complete`
for "fi" gets "finance". A prompt may hand the model a document (`File`) or an image (`Image`) along with text.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from bifrost import File, Image, Message, assistant, context, options, prompt, user

POLICIES = {
    "security": "# Security policy\n\nLock your screen. Use the password manager. Report phishing to the desk.",
    "leave": "# Leave policy\n\nAsk your manager two weeks ahead. Record every day off in the HR system.",
}
# A 1x1 pixel in the brand red, as a PNG.
BRAND_SWATCH = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


@prompt
def welcome_new_hire(
    name: str,
    department: Annotated[str, options("departments")],
    tone: Literal["warm", "formal"] = "warm",
) -> list[Message]:
    """Draft a welcome message for a new hire.

    Args:
        name: The new hire's full name.
        department: The department they join.
        tone: How the message should sound.
    """
    team = context.org_name or "the team"
    return [
        user(f"Write a {tone} welcome message from {team} to {name}, who joins {department}. Under 120 words."),
        assistant("Here is a draft:"),
    ]


@prompt
def review_policy(policy: Literal["security", "leave"] = "security") -> list[File | str]:
    """Ask for a review of one of our policies, the document itself attached.

    Args:
        policy: Which policy to review.
    """
    document = File(uri=f"policy://{policy}", mime_type="text/markdown", text=POLICIES[policy])
    return [document, "Review the policy above: what is unclear, what is missing, what should change?"]


@prompt(roles=["Designer"])
def brand_check() -> list[Image | str]:
    """Check a colour swatch against the brand (designers only)."""
    return [Image(data=BRAND_SWATCH, mime_type="image/png"), "Is this swatch our brand red (#FF0000)?"]
