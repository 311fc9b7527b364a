from __future__ import annotations

import httpx2
import pytest
from starlette.responses import Response

from bifrost.errors import IntegrationError
from bifrost_mcp.data.integrations.oauth import request_token
from tests.support.loopback.token_endpoint import TokenEndpoint, oauth_error, token_response
from tests.support.server import free_port

FORM = {"grant_type": "refresh_token", "refresh_token": "rt-secret-9", "client_secret": "cs-secret-9"}
WHAT = "integration 'Graph' (organization org-1): token refresh (refresh_token grant)"


async def _request(url: str) -> object:
    async with httpx2.AsyncClient(timeout=10) as http:
        return await request_token(http, url, FORM, what=WHAT, scrub=["rt-secret-9", "cs-secret-9"])


async def test_an_unreachable_token_endpoint_is_an_integration_error_that_names_it() -> None:
    url = f"http://127.0.0.1:{free_port()}/token"  # nothing listens there

    with pytest.raises(IntegrationError) as caught:
        await _request(url)

    assert str(caught.value).startswith(f"{WHAT} failed: the token endpoint {url} is unreachable (ConnectError")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            oauth_error(400, "invalid_grant", "Token expired"),
            "was rejected by {url}: HTTP 400 invalid_grant: Token expired",
        ),
        (oauth_error(401, "invalid_client"), "was rejected by {url}: HTTP 401 invalid_client"),
        (Response("upstream down", status_code=503), "was rejected by {url}: HTTP 503 upstream down"),
        (Response("", status_code=500), "was rejected by {url}: HTTP 500 (empty body)"),
        (
            Response('{"error": "bad", "error_description": "echo rt-secret-9 and cs-secret-9"}', status_code=400),
            "HTTP 400 bad: echo [REDACTED] and [REDACTED]",
        ),
    ],
)
async def test_a_non_2xx_answer_is_an_integration_error_with_the_oauth_error(response: Response, expected: str) -> None:
    with TokenEndpoint(lambda form: response) as endpoint, pytest.raises(IntegrationError) as caught:
        await _request(endpoint.url)

    message = str(caught.value)
    assert message.startswith(WHAT)
    assert expected.format(url=endpoint.url) in message
    assert "rt-secret-9" not in message and "cs-secret-9" not in message


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (Response('{"access_token": "x', media_type="application/json"), "answered HTTP 200 without a JSON object"),
        (Response("[1, 2]", media_type="application/json"), "answered HTTP 200 without a JSON object"),
        (Response('{"token_type": "Bearer"}', media_type="application/json"), "has no access_token"),
        (token_response("at-1", expires_in="soon"), "has an invalid expires_in 'soon'"),
        (token_response("at-1", expires_in=-5), "has an invalid expires_in '-5'"),
    ],
)
async def test_a_malformed_success_answer_is_an_integration_error(response: Response, expected: str) -> None:
    with TokenEndpoint(lambda form: response) as endpoint, pytest.raises(IntegrationError) as caught:
        await _request(endpoint.url)

    assert str(caught.value).startswith(f"{WHAT} failed")
    assert expected in str(caught.value)


async def test_a_successful_answer_becomes_a_token_grant_and_the_form_is_sent_as_is() -> None:
    with TokenEndpoint(lambda form: token_response("at-2", "rt-2", "120", scope="a b")) as endpoint:
        grant = await _request(endpoint.url)

    assert endpoint.requests == [FORM]
    assert getattr(grant, "access_token", None) == "at-2"
    assert getattr(grant, "refresh_token", None) == "rt-2"
    assert getattr(grant, "scopes", None) == ("a", "b")
    assert getattr(grant, "expires_at", None) is not None
