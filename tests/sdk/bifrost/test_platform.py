"""bifrost.platform: the one seam, its binding, and answers turned into SDK types."""

from __future__ import annotations

import pytest

from bifrost.errors import NoExecutionContextError
from bifrost.platform import call, current, returned, returned_list, returned_or_none
from bifrost.testing import MockPlatform, bound
from bifrost.types import Role


async def test_outside_a_run_an_operation_says_no_workflow_is_running() -> None:
    with pytest.raises(NoExecutionContextError, match="No workflow is running"):
        await call("config.get", key="k", default=None)


async def test_bound_platforms_nest_and_unwind() -> None:
    outer, inner = MockPlatform({}), MockPlatform({})
    with bound(outer):
        with bound(inner):
            assert current() is inner
        assert current() is outer
    with pytest.raises(NoExecutionContextError):
        current()


def test_an_instance_passes_through_and_plain_data_is_validated() -> None:
    role = Role(id="r1", name="Technician", organization_id="org-1")
    assert returned(Role, role) is role
    assert returned(Role, {"id": "r1", "name": "Technician", "organization_id": "org-1"}) == role
    assert returned_or_none(Role, None) is None
    second = {"id": "r2", "name": "Admin", "organization_id": "org-1"}
    assert returned_list(Role, [role, second]) == [role, Role.model_validate(second)]


def test_plain_data_that_does_not_fit_the_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="name"):
        returned(Role, {"id": "r1", "organization_id": "org-1"})
