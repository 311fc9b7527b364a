"""Vendor failures mapped to the ai error leaves, with messages that say the fix and never carry a key."""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bifrost.errors import (
    AIAuthenticationError,
    AIContextLengthError,
    AIError,
    AIProviderError,
    AIRateLimitError,
    AITimeoutError,
)

_CONTEXT_MESSAGE = re.compile(
    r"prompt is too long|maximum context length|context length|context window|too many tokens", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Vendor:
    """How to name a provider and its settings in error messages."""

    label: str
    api: str
    key_setting: str
    base_url_setting: str
    key_env: str | None = None

    def key_hint(self) -> str:
        env = f" (or the {self.key_env} environment variable)" if self.key_env else ""
        return f"config '{self.key_setting}'{env}"


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced by ***."""
    return text.replace(secret, "***") if secret else text


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date), when the server sent one."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        return float(lowered["retry-after-ms"]) / 1000
    except (KeyError, ValueError):
        pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return max(0.0, email.utils.mktime_tz(parsed) - time.time()) if parsed else None


def is_context_error(message: str, code: str | None) -> bool:
    return code == "context_length_exceeded" or bool(_CONTEXT_MESSAGE.search(message))


def status_error(
    vendor: Vendor,
    status: int,
    message: str,
    *,
    code: str | None,
    headers: Mapping[str, str],
    model: str,
    secret: str | None,
    retries: int,
) -> AIError:
    """The ai error for an HTTP error status from `vendor`; `message` is the vendor's, redacted before use."""
    detail = redact(message, secret).strip() or "no detail given"
    if status == 401:
        # the vendor's own 401 text may echo the key, so it is left out entirely
        return AIAuthenticationError(
            f"{vendor.label} rejected the API key (401 authentication failed): set a valid key in {vendor.key_hint()}."
        )
    if status == 403:
        return AIAuthenticationError(
            f"{vendor.label} refused the request (403 permission denied: {detail}): check that the key in "
            f"{vendor.key_hint()} may use model '{model}'."
        )
    if status == 404:
        return AIError(
            f"{vendor.label} does not know model '{model}' (404: {detail}): check the model name, "
            f"or {vendor.base_url_setting} if you set one."
        )
    if status == 429:
        wait = retry_after_seconds(headers)
        when = f"retry after {wait:g} s" if wait is not None else "wait, then retry"
        return AIRateLimitError(
            f"{vendor.label} rate limit reached (429: {detail}): {when}, or lower the request rate.", retry_after=wait
        )
    if status in (400, 413) and is_context_error(detail, code):
        return AIContextLengthError(
            f"The prompt is too long for model '{model}' ({vendor.label}: {detail}): shorten the messages, "
            "ask for fewer knowledge passages, or use a model with a larger context window."
        )
    if status >= 500:
        tries = f" and still failed after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
        return AIProviderError(
            f"{vendor.label} had a server error ({status}: {detail}){tries}: try again later, or raise config "
            "'ai_max_retries'."
        )
    return AIError(f"{vendor.label} rejected the request ({status}: {detail}).")


def timeout_error(vendor: Vendor, model: str, timeout: float | None) -> AITimeoutError:
    limit = f"within {timeout:g} s" if timeout is not None else "in time"
    return AITimeoutError(
        f"{vendor.label} did not answer {limit} (model '{model}'): pass a larger timeout=, shorten the prompt, "
        "or lower max_tokens."
    )


def connection_error(vendor: Vendor, base_url: str) -> AIProviderError:
    return AIProviderError(
        f"Could not reach {vendor.label} at {base_url}: check config '{vendor.base_url_setting}' and that the "
        "server is running and reachable."
    )


def stream_error(vendor: Vendor, detail: str) -> AIProviderError:
    return AIProviderError(f"{vendor.label} reported an error inside the stream ({detail}): try again later.")


def malformed_error(vendor: Vendor, what: str) -> AIProviderError:
    return AIProviderError(
        f"{vendor.label} sent a malformed response ({what}): try again; if it persists, check that "
        f"config '{vendor.base_url_setting}' points at a server speaking the {vendor.api}."
    )
