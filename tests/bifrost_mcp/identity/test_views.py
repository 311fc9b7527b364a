"""organizations, users, roles and forms from inside workflows: admin checks live in the platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bifrost import forms, organizations, roles, users, workflow
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import registry_from_functions


@workflow(name="admin_ops")
async def admin_ops(action: str) -> Any:
    if action == "orgs":
        created = await organizations.create("Created In Workflow", domain="ciw.test")
        return [o.name for o in await organizations.list()] + [created.id]
    if action == "users":
        created = await users.create("new@ciw.test", "New User")
        return {"id": created.id, "emails": [u.email for u in await users.list()]}
    if action == "roles":
        role = await roles.create("Dispatcher", description="routes tickets")
        return {"role": role.name, "org": role.organization_id, "all": [r.name for r in await roles.list()]}
    if action == "forms":
        return [f.name for f in await forms.list()]
    raise ValueError(action)


@pytest.fixture
async def app(tmp_path: Path) -> Any:
    registry = registry_from_functions([admin_ops])
    async with App.opened(HostSettings(data_dir=tmp_path), registry=registry) as application:
        yield application


async def _caller(app: App, email: str, *, org: str | None, admin: bool = False) -> Caller:
    org_id = (await app.host.identity.resolve_org(org)).id if org else None
    user = await app.host.identity.create_user(email, email.split("@")[0], org_id=org_id, is_superuser=admin)
    return await app.host.callers.for_user(user.id)


async def _run(app: App, caller: Caller, action: str) -> Any:
    entry = app.find_workflow(caller, "admin_ops")
    assert entry is not None
    return await app.run(entry, {"action": action}, caller)


@pytest.mark.parametrize("action", ["orgs", "users", "roles"])
async def test_admin_operations_raise_permission_error_for_a_plain_user(app: App, action: str) -> None:
    await app.host.identity.create_org("Acme")
    plain = await _caller(app, "plain@acme.test", org="Acme")
    outcome = await _run(app, plain, action)
    assert outcome.record.status.value == "Failed"
    assert outcome.message is not None
    assert outcome.message.startswith("PermissionError: ")
    assert "requires a platform admin" in outcome.message
    assert await app.host.identity.list_orgs() == [await app.host.identity.resolve_org("Acme")]


async def test_a_platform_admin_manages_organizations_and_users(app: App) -> None:
    admin = await _caller(app, "root@msp.test", org=None, admin=True)
    orgs_outcome = await _run(app, admin, "orgs")
    assert orgs_outcome.ok, orgs_outcome.message
    assert "Created In Workflow" in orgs_outcome.value
    users_outcome = await _run(app, admin, "users")
    assert users_outcome.ok, users_outcome.message
    assert "new@ciw.test" in users_outcome.value["emails"]


async def test_roles_are_created_in_the_organization_the_admin_acts_in(app: App) -> None:
    acme = await app.host.identity.create_org("Acme")
    admin = await _caller(app, "root@msp.test", org=None, admin=True)
    in_global = await _run(app, admin, "roles")
    assert not in_global.ok
    assert in_global.message is not None and "needs an organization" in in_global.message
    acting = await app.host.callers.acting_in(admin, "Acme")
    outcome = await _run(app, acting, "roles")
    assert outcome.ok, outcome.message
    assert outcome.value == {"role": "Dispatcher", "org": acme.id, "all": ["Dispatcher"]}


async def test_forms_are_visible_per_organization_and_role(app: App) -> None:
    store = app.host.identity
    acme, globex = await store.create_org("Acme"), await store.create_org("Globex")
    await store.create_form("Acme intake", org_id=acme.id)
    await store.create_form("Globex intake", org_id=globex.id)
    await store.create_form("Everyone", org_id=None)
    restricted = await store.create_form("Acme leavers", org_id=acme.id, access_level="role_based")
    hr = await store.create_role(acme.id, "HR")
    await store.assign_forms(hr.id, [restricted.id])
    plain = await _caller(app, "plain@acme.test", org="Acme")
    hr_user = await _caller(app, "hr@acme.test", org="Acme")
    await store.assign_users(hr.id, [hr_user.user_id])
    hr_user = await app.host.callers.for_user(hr_user.user_id)
    assert (await _run(app, plain, "forms")).value == ["Acme intake", "Everyone"]
    assert (await _run(app, hr_user, "forms")).value == ["Acme intake", "Acme leavers", "Everyone"]


async def test_a_deleted_role_no_longer_grants_its_role_based_forms(app: App) -> None:
    store = app.host.identity
    acme = await store.create_org("Acme")
    restricted = await store.create_form("Acme leavers", org_id=acme.id, access_level="role_based")
    hr = await store.create_role(acme.id, "HR")
    await store.assign_forms(hr.id, [restricted.id])
    hr_user = await _caller(app, "hr@acme.test", org="Acme")
    await store.assign_users(hr.id, [hr_user.user_id])
    assert "Acme leavers" in (await _run(app, hr_user, "forms")).value

    await store.delete_role(hr.id)

    assert "Acme leavers" not in (await _run(app, hr_user, "forms")).value
