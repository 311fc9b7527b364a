from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bifrost.types import Organization
from bifrost_mcp.data.integrations import IntegrationsView
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.host import Host
from tests.support.callers import caller_in


async def _two_tenants(host: Host, org_a: Organization, org_b: Organization) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    await host.integrations.create("Graph")
    for org, suffix in ((org_a, "a"), (org_b, "b")):
        await host.integrations.map("Graph", org.id, entity_id=f"tenant-{suffix}")
        await host.integrations.set_oauth(
            "Graph", org.id, access_token=f"access-{suffix}-1", refresh_token=f"refresh-{suffix}-1", expires_at=later
        )


async def test_a_caller_gets_its_own_organizations_tokens(host: Host, org_a: Organization, org_b: Organization) -> None:
    await _two_tenants(host, org_a, org_b)

    data_a = await IntegrationsView(host.integrations, caller_in(org_a), None).get("Graph", None)
    data_b = await IntegrationsView(host.integrations, caller_in(org_b), None).get("Graph", None)

    assert data_a is not None and data_a.oauth is not None and data_a.entity_id == "tenant-a"
    assert data_a.oauth.access_token == "access-a-1"
    assert data_b is not None and data_b.oauth is not None and data_b.oauth.access_token == "access-b-1"


async def test_a_caller_cannot_get_another_organizations_tokens(
    host: Host, org_a: Organization, org_b: Organization
) -> None:
    await _two_tenants(host, org_a, org_b)

    with pytest.raises(PermissionError, match="only platform admins"):
        await IntegrationsView(host.integrations, caller_in(org_a), None).get("Graph", org_b.id)


async def test_naming_its_own_organization_is_allowed_for_any_caller(
    host: Host, org_a: Organization, org_b: Organization
) -> None:
    await _two_tenants(host, org_a, org_b)

    data = await IntegrationsView(host.integrations, caller_in(org_a), None).get("Graph", org_a.id)

    assert data is not None and data.entity_id == "tenant-a"


async def test_a_platform_admin_can_get_any_organizations_tokens(
    host: Host, org_a: Organization, org_b: Organization
) -> None:
    await _two_tenants(host, org_a, org_b)
    admin_in_a = IntegrationsView(host.integrations, caller_in(org_a, admin=True), None)
    admin_global = IntegrationsView(host.integrations, caller_in(None, admin=True), None)

    from_a = await admin_in_a.get("Graph", org_b.id)
    from_global = await admin_global.get("Graph", org_b.id)

    for data in (from_a, from_global):
        assert data is not None and data.oauth is not None and data.oauth.access_token == "access-b-1"
    own = await admin_global.get("Graph", None)
    assert own is not None and own.oauth is None and own.entity_id is None  # GLOBAL: defaults only


async def test_tokens_handed_to_a_workflow_are_registered_with_the_run_for_redaction(
    host: Host, org_a: Organization, org_b: Organization
) -> None:
    await _two_tenants(host, org_a, org_b)
    state = RunState(execution_id="exec-1")

    await IntegrationsView(host.integrations, caller_in(org_a), state).get("Graph", None)

    assert state.secrets == {"access-a-1", "refresh-a-1"}
    assert state.redact({"header": "Bearer access-a-1"}) == {"header": "Bearer [REDACTED]"}


async def test_nothing_is_registered_when_nothing_is_handed_out(host: Host, org_a: Organization) -> None:
    await host.integrations.create("Graph")
    state = RunState(execution_id="exec-2")

    assert await IntegrationsView(host.integrations, caller_in(org_a), state).get("Graph", None) is None
    assert await IntegrationsView(host.integrations, caller_in(org_a), state).get("Other", None) is None

    assert state.secrets == set()
