"""`options("provider")`: a parameter's choices come from a data provider (what `completion/complete` offers).

    from typing import Annotated
    from bifrost import options, workflow

    @workflow
    async def onboard(department: Annotated[str, options("departments")]) -> str: ...

The marker changes neither validation nor the JSON Schema a client sees (any value of the type is accepted, as
a provider's options may change between listing and calling); a client asking to complete the argument gets the
provider's values that match what was typed. The provider must exist in the workspace: naming an unknown one is
a load error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin


@dataclass(frozen=True, slots=True)
class Options:
    """The marker `options(...)` returns; read by the host, ignored by pydantic."""

    provider: str


def options(provider: str) -> Options:
    """Name the data provider whose values complete a parameter (see the module docstring).

    Raises:
        TypeError: `provider` is not a non-empty string.
    """
    if not isinstance(provider, str) or not provider.strip():
        raise TypeError(
            f"options(...) takes the name of a data provider, such as options('departments'); got {provider!r}"
        )
    return Options(provider)


def provider_of(annotation: Any) -> str | None:
    """The data provider an annotation names with `options(...)`, if any (the last one wins)."""
    if get_origin(annotation) is not Annotated:
        return None
    found = [m.provider for m in get_args(annotation)[1:] if isinstance(m, Options)]
    return found[-1] if found else None


__all__ = ["Options", "options", "provider_of"]
