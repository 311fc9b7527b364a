"""Host settings, from CLI options and BIFROST_* environment variables."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from limits import RateLimitItem, parse_many

from bifrost.errors import ConfigurationError

DEFAULT_DATA_DIR = ".bifrost"
ISOLATION_MODES = ("inline", "process")
DEFAULT_WORKERS = 4
DEFAULT_WORKER_MEMORY_MB = 1024
# What one tenant may hold of what every tenant shares; each is raised with the env var in its name.
MAX_TABLES_PER_SCOPE = 1000
MAX_INDEXES_PER_SCOPE = 100
MAX_SESSIONS = 10_000  # open MCP sessions over HTTP, per endpoint (/mcp, /mcp/agents/<name>)
MAX_SESSIONS_PER_CREDENTIAL = 100
SESSION_IDLE_TIMEOUT_SECONDS = 600.0
DEFAULT_ASYNC_CONCURRENCY = 4  # queued (async) runs one serving process runs at once
QUEUE_POLL_SECONDS = 1.0  # how soon a run queued by another process (or a cancel request) is seen
# A tools/call of a workflow allowed to run longer than this is answered at once with its execution id, like an
# async one: the default (the default timeout_seconds) hands off only workflows that declare a longer timeout.
MCP_HOLD_SECONDS = 1800.0
# What one run may leave behind (see executions.limits), and the variables that change it.
DEFAULT_LOG_BYTES = 4 * 1024 * 1024
DEFAULT_RESULT_BYTES = 8 * 1024 * 1024
LOG_BYTES_VARIABLE = "BIFROST_MAX_LOG_BYTES"
RESULT_BYTES_VARIABLE = "BIFROST_MAX_RESULT_BYTES"
DEFAULT_CONTENT_INLINE_BYTES = 64 * 1024
# Calls of public endpoints (no credentials) per source address; `limits` notation, several joined by ";".
DEFAULT_ENDPOINT_RATE_LIMIT = "60/minute"
ENDPOINT_RATE_LIMIT_VARIABLE = "BIFROST_ENDPOINT_RATE_LIMIT"
# A process's runs are taken for a killed process's once it has not refreshed its lease for this long (seconds).
RUNNER_LEASE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class HostSettings:
    """Where things live and how the host behaves; one per process."""

    data_dir: Path
    workspace: Path | None = None
    chroma_url: str | None = None
    embedder: str | None = None  # "minilm" (default, offline), "openai:<model>", "sentence-transformers:<model>"
    temp_max_age_seconds: int = 24 * 3600
    progress_interval_seconds: float = 5.0
    # Where workflow code runs: "process" (a pool of worker processes: `serve` uses it) or "inline" (in this
    # process: development, tests, one-off commands).
    isolation: str = "inline"
    workers: int = DEFAULT_WORKERS  # warm worker processes, one run at a time each
    worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB  # a run whose worker passes this fails (0: no limit)

    def __post_init__(self) -> None:
        if self.isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATION_MODES)}, got {self.isolation!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        parse_rate_limits(self.endpoint_rate_limit)
        if self.async_concurrency < 1:
            raise ValueError(f"async_concurrency must be at least 1, got {self.async_concurrency}")

    max_tables_per_scope: int = MAX_TABLES_PER_SCOPE
    max_indexes_per_scope: int = MAX_INDEXES_PER_SCOPE
    max_sessions: int = MAX_SESSIONS
    max_sessions_per_credential: int = MAX_SESSIONS_PER_CREDENTIAL
    session_idle_timeout_seconds: float = SESSION_IDLE_TIMEOUT_SECONDS

    max_log_bytes: int = DEFAULT_LOG_BYTES  # log bytes one run's record keeps
    max_result_bytes: int = DEFAULT_RESULT_BYTES  # the largest result a run may return, as JSON
    endpoint_rate_limit: str = DEFAULT_ENDPOINT_RATE_LIMIT  # see rate_limits(); checked when built
    # content (image, audio, file) larger than this is kept beside an execution record, not inside it
    content_inline_bytes: int = DEFAULT_CONTENT_INLINE_BYTES

    def rate_limits(self) -> list[RateLimitItem]:
        """`endpoint_rate_limit` as `limits` items: "60/minute", "5/second;100/hour" (each must hold)."""
        return parse_rate_limits(self.endpoint_rate_limit)

    runner_lease_seconds: float = RUNNER_LEASE_SECONDS  # see executions.runners

    async_concurrency: int = DEFAULT_ASYNC_CONCURRENCY
    queue_poll_seconds: float = QUEUE_POLL_SECONDS
    mcp_hold_seconds: float = MCP_HOLD_SECONDS

    @classmethod
    def from_env(
        cls,
        data_dir: str | Path | None = None,
        workspace: str | Path | None = None,
        chroma_url: str | None = None,
    ) -> HostSettings:
        data = data_dir or os.environ.get("BIFROST_DATA_DIR") or DEFAULT_DATA_DIR
        ws = workspace or os.environ.get("BIFROST_WORKSPACE")
        return cls(
            data_dir=Path(data).expanduser().resolve(),
            workspace=Path(ws).expanduser().resolve() if ws else None,
            chroma_url=chroma_url or os.environ.get("BIFROST_CHROMA_URL") or None,
            embedder=os.environ.get("BIFROST_EMBEDDER") or None,
            isolation=os.environ.get("BIFROST_ISOLATION") or "inline",
            workers=_env_int("BIFROST_WORKERS", DEFAULT_WORKERS),
            worker_memory_mb=int(os.environ.get("BIFROST_WORKER_MEMORY_MB") or DEFAULT_WORKER_MEMORY_MB),
            max_tables_per_scope=_env_int("BIFROST_MAX_TABLES_PER_SCOPE", MAX_TABLES_PER_SCOPE),
            max_indexes_per_scope=_env_int("BIFROST_MAX_INDEXES_PER_SCOPE", MAX_INDEXES_PER_SCOPE),
            max_sessions=_env_int("BIFROST_MAX_SESSIONS", MAX_SESSIONS),
            max_sessions_per_credential=_env_int("BIFROST_MAX_SESSIONS_PER_CREDENTIAL", MAX_SESSIONS_PER_CREDENTIAL),
            session_idle_timeout_seconds=_env_seconds(
                "BIFROST_SESSION_IDLE_TIMEOUT_SECONDS", SESSION_IDLE_TIMEOUT_SECONDS
            ),
            max_log_bytes=_byte_limit(LOG_BYTES_VARIABLE, DEFAULT_LOG_BYTES),
            max_result_bytes=_byte_limit(RESULT_BYTES_VARIABLE, DEFAULT_RESULT_BYTES),
            content_inline_bytes=_byte_limit("BIFROST_CONTENT_INLINE_BYTES", DEFAULT_CONTENT_INLINE_BYTES),
            endpoint_rate_limit=os.environ.get(ENDPOINT_RATE_LIMIT_VARIABLE, "").strip() or DEFAULT_ENDPOINT_RATE_LIMIT,
            runner_lease_seconds=_env_seconds("BIFROST_RUNNER_LEASE_SECONDS", RUNNER_LEASE_SECONDS),
            async_concurrency=_env_int("BIFROST_ASYNC_CONCURRENCY", DEFAULT_ASYNC_CONCURRENCY),
            mcp_hold_seconds=_env_seconds("BIFROST_MCP_HOLD_SECONDS", MCP_HOLD_SECONDS),
        )


def parse_rate_limits(text: str) -> list[RateLimitItem]:
    """Rate limits such as "60/minute" or "5/second;100/hour"; ConfigurationError says what is accepted."""
    try:
        items = parse_many(text)
    except ValueError:
        items = []
    if not items or any(item.amount < 1 for item in items):
        raise ConfigurationError(
            f"the endpoint rate limit ({ENDPOINT_RATE_LIMIT_VARIABLE}, --endpoint-rate-limit) must be calls per "
            f"period such as '60/minute' or '5/second;100/hour', each at least 1 call, got {text!r} "
            f"(unset it for {DEFAULT_ENDPOINT_RATE_LIMIT})"
        )
    return items


def _env_int(name: str, default: int, *, unit: str = "", shown_default: str | None = None) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        shown = shown_default or str(default)
        raise ConfigurationError(
            f"{name} must be a whole number{unit} of at least 1, got {text!r} (unset it for {shown})"
        )
    return value


def _env_seconds(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(
            f"{name} must be a positive number of seconds, got {text!r} (unset it for {default:g})"
        )
    return value


def _byte_limit(variable: str, default: int) -> int:
    return _env_int(variable, default, unit=" of bytes", shown_default=f"{default:,}")
