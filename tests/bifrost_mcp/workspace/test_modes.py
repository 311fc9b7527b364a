from dataclasses import replace

import pytest

from bifrost import workflow
from bifrost.decorators import WorkflowSpec, get_spec
from bifrost_mcp.workspace.modes import run_mode


def spec(**options: object) -> WorkflowSpec:
    async def hook() -> None: ...

    found = get_spec(workflow(**options)(hook))  # type: ignore[call-overload]
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("options", "mode"),
    [
        ({}, "sync"),
        ({"endpoint_enabled": True}, "async"),  # the SDK's default for an endpoint
        ({"endpoint_enabled": True, "execution_mode": "sync"}, "sync"),
        ({"execution_mode": "async"}, "async"),
        ({"execution_mode": "auto"}, "sync"),
        ({"endpoint_enabled": True, "execution_mode": "auto"}, "async"),
    ],
)
def test_the_mode_a_call_runs_in(options: dict[str, object], mode: str) -> None:
    assert run_mode(spec(**options)) == mode


def test_an_unknown_mode_is_an_error_naming_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="execution_mode 'later': use 'sync', 'async' or 'auto'"):
        run_mode(replace(spec(), execution_mode="later"))
