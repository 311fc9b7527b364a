"""The OAuth 2.0 token endpoint client (RFC 6749 section 6 refresh_token, section 4.4 client_credentials)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2

from bifrost.errors import IntegrationError
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.executions.state import REDACTED

MAX_ERROR_TEXT = 300


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A successful token response. `refresh_token` None: the endpoint issued none (keep the old one)."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    token_type: str
    scopes: tuple[str, ...] | None


async def request_token(
    http: httpx2.AsyncClient,
    url: str,
    form: dict[str, str],
    *,
    what: str,
    scrub: Iterable[str],
    clock: Clock = SYSTEM_CLOCK,
) -> TokenGrant:
    """POST `form` to the token endpoint `url`.

    Raises:
        IntegrationError: unreachable endpoint, non-2xx answer (with the OAuth `error` and `error_description`),
            or a malformed body. The message starts with `what` and never contains a value from `scrub`.
    """
    hidden = [s for s in scrub if s]
    try:
        response = await http.post(url, data=form, headers={"Accept": "application/json"})
    except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
        raise _error(
            f"{what} failed: the token endpoint {url} is unreachable ({type(exc).__name__}: {exc})", hidden
        ) from None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if not response.is_success:
        raise _error(
            f"{what} was rejected by {url}: HTTP {response.status_code} {_oauth_error(response, body)}", hidden
        )
    if not isinstance(body, dict):
        raise _error(f"{what} failed: {url} answered HTTP {response.status_code} without a JSON object", hidden)
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise _error(f"{what} failed: the response of {url} has no access_token", hidden)
    refresh_token = body.get("refresh_token")
    token_type = body.get("token_type")
    scope = body.get("scope")
    return TokenGrant(
        access_token=access_token,
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
        expires_at=_expires_at(body.get("expires_in"), clock.now(), what, url, hidden),
        token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
        scopes=tuple(scope.split()) if isinstance(scope, str) else None,
    )


def _expires_at(expires_in: Any, now: datetime, what: str, url: str, hidden: list[str]) -> datetime | None:
    if expires_in is None:
        return None
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError):
        seconds = math.nan
    if isinstance(expires_in, bool) or not math.isfinite(seconds) or seconds < 0:
        raise _error(f"{what} failed: the response of {url} has an invalid expires_in {str(expires_in)[:40]!r}", hidden)
    return now + timedelta(seconds=seconds)


def _oauth_error(response: httpx2.Response, body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        return f"{body['error']}: {description}" if isinstance(description, str) and description else body["error"]
    text = response.text.strip()
    return (text[:MAX_ERROR_TEXT] + "...") if len(text) > MAX_ERROR_TEXT else (text or "(empty body)")


def _error(message: str, hidden: list[str]) -> IntegrationError:
    for secret in sorted(hidden, key=len, reverse=True):
        message = message.replace(secret, REDACTED)
    return IntegrationError(message)
