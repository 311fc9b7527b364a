"""Run SDK calls in a test as a workflow of `caller`, answered by the real per-caller views given."""

from collections.abc import Iterator
from contextlib import contextmanager

from bifrost.testing import MockPlatform
from bifrost.testing import bound as bound_platform
from bifrost_mcp.caller import Caller


@contextmanager
def bound(caller: Caller, **views: object) -> Iterator[None]:
    """`views` by module name (tables=TablesView(...), files=FilesView(...)); other modules are not available."""
    platform = MockPlatform({name: view for name, view in views.items() if view is not None})
    with bound_platform(platform, caller.execution_context("exec-test")):
        yield
