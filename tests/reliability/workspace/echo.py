"""The well-behaved tool other tenants call while a hostile one runs."""

from bifrost import workflow


@workflow(is_tool=True)
async def echo(text: str) -> str:
    """Echo the text back."""
    return text
