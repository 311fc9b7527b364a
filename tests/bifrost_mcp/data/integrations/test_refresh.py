from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
from starlette.responses import Response

from bifrost.errors import IntegrationError
from bifrost.types import IntegrationData, Organization
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.data.integrations import IntegrationsView
from bifrost_mcp.data.secrets import ENV_VAR
from bifrost_mcp.host import Host
from bifrost_mcp.settings import HostSettings
from tests.support.callers import caller_in
from tests.support.data_dir import files_containing
from tests.support.loopback.token_endpoint import TokenEndpoint, oauth_error, token_response
from tests.support.poll import poll

HOUR = timedelta(hours=1)


def _past() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


async def _expired_integration(
    host: Host, org: Organization, url: str, *, refresh: str | None = "refresh-old-1"
) -> None:
    await host.integrations.create("Graph", token_url=url, client_id="client-1", client_secret="client-secret-1")
    await host.integrations.map("Graph", org.id, entity_id="tenant-1")
    await host.integrations.set_oauth(
        "Graph", org.id, access_token="access-old-1", refresh_token=refresh, expires_at=_past()
    )


async def test_an_expired_token_is_refreshed_with_the_refresh_token_grant_and_stored(
    host: Host, org_a: Organization
) -> None:
    with TokenEndpoint(
        lambda form: token_response("access-new-1", "refresh-new-1", 3600, scope="read write")
    ) as endpoint:
        await _expired_integration(host, org_a, endpoint.url)

        data = await IntegrationsView(host.integrations, caller_in(org_a), None).get("Graph", None)
        again = await IntegrationsView(host.integrations, caller_in(org_a), None).get("Graph", None)

    assert endpoint.requests == [
        {
            "grant_type": "refresh_token",
            "refresh_token": "refresh-old-1",
            "client_id": "client-1",
            "client_secret": "client-secret-1",
        }
    ]
    assert data is not None and data.oauth is not None
    assert (data.oauth.access_token, data.oauth.refresh_token) == ("access-new-1", "refresh-new-1")
    assert data.oauth.scopes == ["read", "write"]
    assert data.oauth.expires_at is not None
    assert datetime.fromisoformat(data.oauth.expires_at) > datetime.now(UTC) + timedelta(minutes=30)
    assert again == data  # stored: the second call needed no refresh
    mapping = await host.integrations.mapping("Graph", org_a.id)
    assert (mapping.access_token, mapping.refresh_token) == ("[SECRET]", "[SECRET]")


async def test_a_token_expiring_within_the_margin_is_refreshed(host: Host, org_a: Organization) -> None:
    with TokenEndpoint(lambda form: token_response("access-new-2", expires_in=3600)) as endpoint:
        await host.integrations.create("Graph", token_url=endpoint.url)
        await host.integrations.map("Graph", org_a.id)
        soon = datetime.now(UTC) + timedelta(seconds=20)
        await host.integrations.set_oauth(
            "Graph", org_a.id, access_token="access-old-2", refresh_token="refresh-2", expires_at=soon
        )

        data = await host.integrations.resolve("Graph", org_a.id)

    assert len(endpoint.requests) == 1
    assert data is not None and data.oauth is not None and data.oauth.access_token == "access-new-2"


async def test_a_valid_token_is_refreshed_once_the_clock_reaches_its_margin_and_expires_an_hour_after_that(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    clock = ManualClock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))
    with TokenEndpoint(lambda form: token_response("access-new-5", expires_in=3600)) as endpoint:
        async with Host.opened(HostSettings(data_dir=tmp_path), clock) as host:
            org = await host.identity.create_org("Org A")
            await host.integrations.create("Graph", token_url=endpoint.url)
            await host.integrations.map("Graph", org.id)
            await host.integrations.set_oauth(
                "Graph", org.id, access_token="access-old-5", refresh_token="refresh-5", expires_at=clock.now() + HOUR
            )
            clock.advance(HOUR.total_seconds() - host.integrations.refresh_margin.total_seconds() - 1)
            before = await host.integrations.resolve("Graph", org.id)
            clock.advance(1)
            after = await host.integrations.resolve("Graph", org.id)

    assert len(endpoint.requests) == 1
    assert before is not None and before.oauth is not None and before.oauth.access_token == "access-old-5"
    assert after is not None and after.oauth is not None and after.oauth.access_token == "access-new-5"
    assert after.oauth.expires_at == "2030-01-01T13:59:00+00:00"  # the clock's 12:59 plus expires_in


async def test_a_valid_token_is_not_refreshed(host: Host, org_a: Organization) -> None:
    with TokenEndpoint(lambda form: token_response("never-used")) as endpoint:
        await host.integrations.create("Graph", token_url=endpoint.url)
        await host.integrations.map("Graph", org_a.id)
        later = datetime.now(UTC) + timedelta(hours=1)
        await host.integrations.set_oauth(
            "Graph", org_a.id, access_token="still-valid", refresh_token="r-1234", expires_at=later
        )

        data = await host.integrations.resolve("Graph", org_a.id)

    assert endpoint.requests == []
    assert data is not None and data.oauth is not None and data.oauth.access_token == "still-valid"


async def test_the_old_refresh_token_is_kept_when_the_response_has_none(host: Host, org_a: Organization) -> None:
    with TokenEndpoint(lambda form: token_response("access-new-3", expires_in=None)) as endpoint:
        await _expired_integration(host, org_a, endpoint.url, refresh="refresh-kept-3")

        data = await host.integrations.resolve("Graph", org_a.id)

    assert data is not None and data.oauth is not None
    assert (data.oauth.access_token, data.oauth.refresh_token, data.oauth.expires_at) == (
        "access-new-3",
        "refresh-kept-3",
        None,
    )


async def test_twenty_concurrent_callers_cause_exactly_one_refresh_request(host: Host, org_a: Organization) -> None:
    gate = threading.Event()
    results: list[IntegrationData | None] = []
    with TokenEndpoint(lambda form: token_response("access-shared", "refresh-shared"), gate=gate) as endpoint:
        await _expired_integration(host, org_a, endpoint.url)

        async def call() -> None:
            results.append(await IntegrationsView(host.integrations, caller_in(org_a), None).get("Graph", None))

        async with anyio.create_task_group() as tasks:
            for _ in range(20):
                tasks.start_soon(call)
            # Hold the one refresh in flight until the 19 other callers are all queued behind it.
            await poll(
                lambda: len(endpoint.requests) == 1 and host.integrations.callers_awaiting_refresh == 19,
                timeout=20,
                what="one refresh request in flight with 19 callers waiting for it",
            )
            gate.set()

    assert len(endpoint.requests) == 1
    assert len(results) == 20
    assert {r.oauth.access_token for r in results if r is not None and r.oauth is not None} == {"access-shared"}


async def test_the_client_credentials_grant_gets_a_token_when_there_is_no_refresh_token(
    host: Host, org_a: Organization
) -> None:
    with TokenEndpoint(lambda form: token_response("access-cc-1", expires_in=1800)) as endpoint:
        await host.integrations.create(
            "Halo",
            token_url=endpoint.url.replace("/token", "/{entity_id}/token"),
            client_id="halo-client",
            client_secret="halo-secret-1",
            scopes=["all", "read:tickets"],
        )
        await host.integrations.map("Halo", org_a.id, entity_id="tenant-77")

        data = await host.integrations.resolve("Halo", org_a.id)

    assert endpoint.requests == [
        {
            "grant_type": "client_credentials",
            "scope": "all read:tickets",
            "client_id": "halo-client",
            "client_secret": "halo-secret-1",
        }
    ]
    assert endpoint.paths == ["/tenant-77/token"]
    assert data is not None and data.oauth is not None
    assert (data.oauth.access_token, data.oauth.refresh_token) == ("access-cc-1", None)


async def test_a_failed_refresh_is_an_integration_error_with_the_oauth_description_and_no_secret(
    host: Host, org_a: Organization
) -> None:
    def reject(form: dict[str, str]) -> Response:
        return oauth_error(400, "invalid_grant", f"Refresh token {form['refresh_token']} has been revoked")

    with TokenEndpoint(reject) as endpoint:
        await _expired_integration(host, org_a, endpoint.url)

        with pytest.raises(IntegrationError) as caught:
            await IntegrationsView(host.integrations, caller_in(org_a), None).get("Graph", None)

    message = str(caught.value)
    assert "integration 'Graph'" in message and org_a.id in message
    assert "refresh_token grant" in message
    assert "HTTP 400 invalid_grant: Refresh token [REDACTED] has been revoked" in message
    assert "refresh-old-1" not in message and "client-secret-1" not in message
    mapping = await host.integrations.mapping("Graph", org_a.id)
    assert mapping.access_token == "[SECRET]"  # the stored tokens are untouched


async def test_an_expired_token_with_nothing_to_refresh_it_is_an_integration_error(
    host: Host, org_a: Organization
) -> None:
    await host.integrations.create("Graph", token_url="https://login.example.com/token")
    await host.integrations.map("Graph", org_a.id)
    await host.integrations.set_oauth("Graph", org_a.id, access_token="dead-token", expires_at=_past())

    with pytest.raises(IntegrationError, match=r"expired .* no refresh token and no client credentials.*set-oauth"):
        await host.integrations.resolve("Graph", org_a.id)


async def test_a_token_url_needing_an_entity_id_without_one_says_how_to_map_it(host: Host, org_a: Organization) -> None:
    await host.integrations.create(
        "Graph", token_url="https://login.example.com/{entity_id}/token", client_id="c", client_secret="s-1234"
    )
    await host.integrations.map("Graph", org_a.id)

    with pytest.raises(IntegrationError, match="--entity-id"):
        await host.integrations.resolve("Graph", org_a.id)


async def test_refreshed_tokens_are_encrypted_at_rest(host: Host, org_a: Organization, tmp_path: Path) -> None:
    with TokenEndpoint(lambda form: token_response("access-disk-5150", "refresh-disk-5151")) as endpoint:
        await _expired_integration(host, org_a, endpoint.url)
        await host.integrations.resolve("Graph", org_a.id)

    for needle in ("access-disk-5150", "refresh-disk-5151", "client-secret-1", "refresh-old-1"):
        assert files_containing(tmp_path, needle) == []
