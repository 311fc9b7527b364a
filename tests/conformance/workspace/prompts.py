"""The harness's prompts-* fixtures (and the completion-complete one, on test_prompt_with_arguments)."""

from media import PNG

from bifrost import File, Image, Message, prompt, user


@prompt
async def test_simple_prompt() -> str:
    """A simple prompt without arguments."""
    return "This is a simple prompt for testing."


@prompt
async def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
    """A prompt with two required arguments.

    Args:
        arg1: First test argument
        arg2: Second test argument
    """
    return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"


@prompt
async def test_prompt_with_embedded_resource(resourceUri: str) -> list[Message]:
    """A prompt holding an embedded resource.

    Args:
        resourceUri: URI of the resource to embed
    """
    return [
        user(File(uri=resourceUri, mime_type="text/plain", text="Embedded resource content for testing.")),
        user("Please process the embedded resource above."),
    ]


@prompt
async def test_prompt_with_image() -> list[Message]:
    """A prompt holding an image."""
    return [user(Image(data=PNG, mime_type="image/png")), user("Please analyze the image above.")]
