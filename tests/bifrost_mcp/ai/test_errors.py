from __future__ import annotations

import logging
import traceback

import pytest

from bifrost.errors import (
    AIAuthenticationError,
    AIContextLengthError,
    AIError,
    AIProviderError,
    AIRateLimitError,
    AITimeoutError,
)
from bifrost_mcp.ai import ProviderClients
from bifrost_mcp.ai.errors import retry_after_seconds
from tests.support.ai import Vendor, sdk_complete, sdk_stream
from tests.support.loopback import ContextTooLong, Failure, Hang, Malformed, Reply, StreamError
from tests.support.server import free_port

USER = [{"role": "user", "content": "hello"}]
OPTIONS = {"system": None, "knowledge": None, "model": None, "max_tokens": None, "temperature": None}


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def assert_key_hidden(error: BaseException, key: str, caplog: pytest.LogCaptureFixture) -> None:
    everything = "".join(traceback.format_exception(error)) + repr(error) + caplog.text
    assert key not in everything


async def fail_complete(
    vendor: Vendor, clients: ProviderClients, *, timeout: float | None = None, **service: object
) -> AIError:
    with pytest.raises(AIError) as raised:
        await sdk_complete(vendor.service(clients, **service), messages=USER, timeout=timeout, **OPTIONS)
    return raised.value


async def fail_stream(vendor: Vendor, clients: ProviderClients, *, timeout: float | None = None) -> AIError:
    with pytest.raises(AIError) as raised:
        await sdk_stream(vendor.service(clients), messages=USER, timeout=timeout, **OPTIONS)
    return raised.value


async def test_a_rejected_key_raises_authentication_failed_naming_the_setting(
    vendor: Vendor, clients: ProviderClients, caplog: pytest.LogCaptureFixture
) -> None:
    wrong_key = "sk-wrong-9d1c0ffee"
    vendor.settings[f"{vendor.name}_api_key"] = wrong_key

    error = await fail_complete(vendor, clients)

    assert isinstance(error, AIAuthenticationError)
    assert "401" in str(error)
    assert f"config '{vendor.name}_api_key'" in str(error)
    assert_key_hidden(error, wrong_key, caplog)


async def test_a_rejected_key_on_a_stream_raises_authentication_failed(
    vendor: Vendor, clients: ProviderClients, caplog: pytest.LogCaptureFixture
) -> None:
    wrong_key = "sk-wrong-5e5e5e5e"
    vendor.settings[f"{vendor.name}_api_key"] = wrong_key

    error = await fail_stream(vendor, clients)

    assert isinstance(error, AIAuthenticationError)
    assert_key_hidden(error, wrong_key, caplog)


async def test_rate_limiting_raises_rate_limited_with_the_retry_after(
    vendor: Vendor, clients: ProviderClients, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.server.push(Failure(429, retry_after="7"))

    error = await fail_complete(vendor, clients)

    assert isinstance(error, AIRateLimitError)
    assert error.retry_after == 7.0
    assert "retry after 7 s" in str(error)
    assert_key_hidden(error, vendor.key, caplog)


async def test_a_server_error_raises_after_the_sdk_retries(
    vendor: Vendor, clients: ProviderClients, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.server.push(Failure(500), Failure(500))

    error = await fail_complete(vendor, clients, max_retries=1)

    assert isinstance(error, AIProviderError)
    assert "server error (500" in str(error)
    assert "after 1 retry" in str(error)
    assert len(vendor.server.requests) == 2
    assert_key_hidden(error, vendor.key, caplog)


async def test_a_server_error_then_success_is_retried_by_the_sdk(vendor: Vendor, clients: ProviderClients) -> None:
    vendor.server.push(Failure(500), Reply("recovered"))

    response = await sdk_complete(vendor.service(clients, max_retries=1), messages=USER, timeout=None, **OPTIONS)

    assert getattr(response, "content", None) == "recovered"


async def test_a_prompt_beyond_the_context_window_raises_context_too_long(
    vendor: Vendor, clients: ProviderClients, caplog: pytest.LogCaptureFixture
) -> None:
    vendor.server.push(ContextTooLong())

    error = await fail_complete(vendor, clients)

    assert isinstance(error, AIContextLengthError)
    assert f"too long for model '{vendor.model}'" in str(error)
    assert "shorten the messages" in str(error)
    assert_key_hidden(error, vendor.key, caplog)


@pytest.mark.parametrize("how", ["bad_json", "truncated"])
async def test_a_malformed_stream_raises_a_provider_error(vendor: Vendor, clients: ProviderClients, how: str) -> None:
    vendor.server.push(Malformed(how))  # type: ignore[arg-type]

    error = await fail_stream(vendor, clients)

    assert isinstance(error, AIProviderError)
    assert "malformed response" in str(error)


async def test_an_error_inside_the_stream_raises_a_provider_error(vendor: Vendor, clients: ProviderClients) -> None:
    vendor.server.push(StreamError())

    error = await fail_stream(vendor, clients)

    assert isinstance(error, AIProviderError)
    assert "overloaded" in str(error).lower()


async def test_a_malformed_reply_body_raises_a_provider_error(vendor: Vendor, clients: ProviderClients) -> None:
    vendor.server.push(Malformed("bad_json"))

    error = await fail_complete(vendor, clients)

    assert isinstance(error, AIProviderError)
    assert "malformed response" in str(error)


async def test_no_answer_within_the_timeout_raises_timeout(vendor: Vendor, clients: ProviderClients) -> None:
    vendor.server.push(Hang())

    error = await fail_complete(vendor, clients, timeout=0.3)

    assert isinstance(error, AITimeoutError)
    assert isinstance(error, TimeoutError)
    assert "did not answer within 0.3 s" in str(error)


async def test_no_stream_within_the_timeout_raises_timeout(vendor: Vendor, clients: ProviderClients) -> None:
    vendor.server.push(Hang())

    error = await fail_stream(vendor, clients, timeout=0.3)

    assert isinstance(error, AITimeoutError)


async def test_an_unreachable_server_raises_a_provider_error_naming_the_base_url_setting(
    vendor: Vendor, clients: ProviderClients
) -> None:
    vendor.settings[f"{vendor.name}_base_url"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    error = await fail_complete(vendor, clients)

    assert isinstance(error, AIProviderError)
    assert f"config '{vendor.name}_base_url'" in str(error)


def test_retry_after_is_read_from_seconds_milliseconds_or_absent() -> None:
    assert retry_after_seconds({"Retry-After": "12"}) == 12.0
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({}) is None
