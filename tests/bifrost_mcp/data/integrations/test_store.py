from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bifrost.errors import ValidationError
from bifrost.platform import GLOBAL_SCOPE
from bifrost.types import IntegrationData, OAuthCredentials, Organization
from bifrost_mcp.host import Host


async def test_create_stores_the_integration_and_shows_the_client_secret_masked(host: Host) -> None:
    info = await host.integrations.create(
        "Microsoft_Graph",
        token_url="https://login.example.com/{entity_id}/oauth2/token",
        client_id="graph-client",
        client_secret="graph-secret-1",
        scopes=["https://graph.microsoft.com/.default"],
        config={"base_url": "https://graph.microsoft.com/v1.0"},
    )

    assert (info.name, info.client_id, info.client_secret) == ("Microsoft_Graph", "graph-client", "[SECRET]")
    assert info.scopes == ["https://graph.microsoft.com/.default"]
    assert info.config == {"base_url": "https://graph.microsoft.com/v1.0"}
    assert await host.integrations.list() == [info]
    assert await host.integrations.get("microsoft_graph") == info  # names are case-insensitive


async def test_update_changes_only_the_given_fields_and_merges_config(host: Host) -> None:
    await host.integrations.create("Halo", token_url="https://halo.example.com/token", config={"a": "1", "b": "2"})

    info = await host.integrations.update("Halo", client_id="halo-client", client_secret="s-1234", config={"b": "3"})

    assert info.token_url == "https://halo.example.com/token"
    assert (info.client_id, info.client_secret) == ("halo-client", "[SECRET]")
    assert info.config == {"a": "1", "b": "3"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "integration name must be a non-empty string"),
        ({"name": " padded"}, "is invalid"),
        ({"name": "Halo", "token_url": "ftp://example.com/token"}, "is not an http(s) URL"),
        ({"name": "Halo", "token_url": "not a url"}, "is not an http(s) URL"),
        ({"name": "Halo", "scopes": ["two words"]}, "without spaces"),
        ({"name": "Halo", "config": {"when": object()}}, "not JSON-serializable"),
    ],
)
async def test_create_rejects_bad_input_with_what_to_fix(host: Host, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        await host.integrations.create(**kwargs)  # type: ignore[arg-type]

    assert message in str(caught.value)
    assert await host.integrations.list() == []


async def test_creating_an_existing_integration_says_to_update_it(host: Host) -> None:
    await host.integrations.create("Halo")

    with pytest.raises(ValidationError, match="integrations update"):
        await host.integrations.create("HALO")


async def test_unknown_integrations_are_lookup_errors_for_admins(host: Host, org_a: Organization) -> None:
    with pytest.raises(LookupError, match="integrations list"):
        await host.integrations.map("Nope", org_a.id)


async def test_map_upserts_and_merges_config_per_organization(host: Host, org_a: Organization) -> None:
    await host.integrations.create("Halo", config={"base_url": "https://default.example.com", "page_size": "50"})
    await host.integrations.map("Halo", org_a.id, entity_id="t-1", entity_name="Tenant One", config={"region": "eu"})

    mapping = await host.integrations.map("Halo", org_a.id, config={"base_url": "https://acme.halo.example.com"})

    assert (mapping.entity_id, mapping.entity_name) == ("t-1", "Tenant One")
    assert mapping.config == {"region": "eu", "base_url": "https://acme.halo.example.com"}
    assert (mapping.access_token, mapping.refresh_token) == (None, None)
    assert await host.integrations.mappings("Halo") == [mapping]


async def test_mapping_to_an_unknown_organization_is_rejected(host: Host) -> None:
    await host.integrations.create("Halo")

    with pytest.raises(ValidationError, match="no organization with id 'missing-org'"):
        await host.integrations.map("Halo", "missing-org")


async def test_set_oauth_needs_a_mapping_first(host: Host, org_a: Organization) -> None:
    await host.integrations.create("Halo")

    with pytest.raises(LookupError, match="integrations map"):
        await host.integrations.set_oauth("Halo", org_a.id, access_token="at-1234")


async def test_set_oauth_rejects_an_expiry_without_time_zone(host: Host, org_a: Organization) -> None:
    await host.integrations.create("Halo")
    await host.integrations.map("Halo", org_a.id)

    with pytest.raises(ValidationError, match="time zone"):
        await host.integrations.set_oauth("Halo", org_a.id, access_token="at-1234", expires_at=datetime(2030, 1, 1))


async def test_resolve_merges_default_and_organization_config_and_decrypts_tokens(
    host: Host, org_a: Organization
) -> None:
    info = await host.integrations.create("HaloPSA", config={"base_url": "https://default", "timeout": "30"})
    await host.integrations.map(
        "HaloPSA", org_a.id, entity_id="acme-1", entity_name="Acme", config={"base_url": "https://acme.halo"}
    )
    expires = datetime(2099, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    await host.integrations.set_oauth(
        "HaloPSA", org_a.id, access_token="at-acme", refresh_token="rt-acme", expires_at=expires, scopes=["all"]
    )

    data = await host.integrations.resolve("halopsa", org_a.id)

    assert data == IntegrationData(
        integration_id=info.id,
        entity_id="acme-1",
        entity_name="Acme",
        config={"base_url": "https://acme.halo", "timeout": "30"},
        oauth=OAuthCredentials(
            access_token="at-acme", refresh_token="rt-acme", expires_at="2099-01-01T12:00:00+00:00", scopes=["all"]
        ),
    )


async def test_resolve_is_none_for_an_unknown_integration_or_an_unmapped_organization(
    host: Host, org_a: Organization, org_b: Organization
) -> None:
    await host.integrations.create("Halo")
    await host.integrations.map("Halo", org_a.id)

    assert await host.integrations.resolve("Nope", org_a.id) is None
    assert await host.integrations.resolve("Halo", org_b.id) is None


async def test_resolve_in_global_scope_gives_the_defaults_without_entity_or_oauth(
    host: Host, org_a: Organization
) -> None:
    info = await host.integrations.create("Halo", config={"base_url": "https://default"})
    await host.integrations.map("Halo", org_a.id, entity_id="e-1")
    await host.integrations.set_oauth("Halo", org_a.id, access_token="org-token-1")

    data = await host.integrations.resolve("Halo", GLOBAL_SCOPE)

    assert data == IntegrationData(integration_id=info.id, config={"base_url": "https://default"})


async def test_a_mapping_without_tokens_has_no_oauth(host: Host, org_a: Organization) -> None:
    await host.integrations.create("Halo")
    await host.integrations.map("Halo", org_a.id)

    data = await host.integrations.resolve("Halo", org_a.id)

    assert data is not None and data.oauth is None


async def test_unmap_and_delete_remove_mappings_and_tokens(host: Host, org_a: Organization) -> None:
    await host.integrations.create("Halo")
    await host.integrations.map("Halo", org_a.id)
    await host.integrations.set_oauth("Halo", org_a.id, access_token="at-1234", expires_at=datetime.now(UTC))

    assert await host.integrations.unmap("Halo", org_a.id) is True
    assert await host.integrations.unmap("Halo", org_a.id) is False
    await host.integrations.map("Halo", org_a.id)
    assert await host.integrations.delete("Halo") is True
    assert await host.integrations.delete("Halo") is False

    assert await host.db.fetchall("SELECT * FROM integration_mappings") == []
