"""HostSettings from BIFROST_* environment variables: the per-tenant limits, where workflows run, and clear
errors for bad values."""

from pathlib import Path

import pytest

from bifrost.errors import ConfigurationError
from bifrost_mcp.settings import HostSettings

LIMITS = {
    "BIFROST_MAX_TABLES_PER_SCOPE": "20",
    "BIFROST_MAX_INDEXES_PER_SCOPE": "40",
    "BIFROST_MAX_SESSIONS": "500",
    "BIFROST_MAX_SESSIONS_PER_CREDENTIAL": "8",
    "BIFROST_SESSION_IDLE_TIMEOUT_SECONDS": "2.5",
}


def test_the_limits_have_defaults_and_each_is_set_by_its_env_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in LIMITS:
        monkeypatch.delenv(name, raising=False)
    defaults = HostSettings.from_env(data_dir=tmp_path)
    assert (
        defaults.max_tables_per_scope,
        defaults.max_indexes_per_scope,
        defaults.max_sessions,
        defaults.max_sessions_per_credential,
        defaults.session_idle_timeout_seconds,
    ) == (1000, 100, 10_000, 100, 600.0)
    for name, value in LIMITS.items():
        monkeypatch.setenv(name, value)
    settings = HostSettings.from_env(data_dir=tmp_path)
    assert (
        settings.max_tables_per_scope,
        settings.max_indexes_per_scope,
        settings.max_sessions,
        settings.max_sessions_per_credential,
        settings.session_idle_timeout_seconds,
    ) == (20, 40, 500, 8, 2.5)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BIFROST_MAX_TABLES_PER_SCOPE", "0", "must be a whole number of at least 1, got '0' (unset it for 1000)"),
        ("BIFROST_MAX_INDEXES_PER_SCOPE", "1.5", "must be a whole number of at least 1, got '1.5' (unset it for 100)"),
        ("BIFROST_MAX_SESSIONS", "-3", "must be a whole number of at least 1, got '-3' (unset it for 10000)"),
        *(
            (
                "BIFROST_SESSION_IDLE_TIMEOUT_SECONDS",
                bad,
                f"must be a positive number of seconds, got {bad!r} (unset it for 600)",
            )
            for bad in ("0", "inf", "soon")
        ),
    ],
)
def test_a_malformed_limit_is_refused_naming_the_variable_and_what_it_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        HostSettings.from_env(data_dir=tmp_path)
    assert str(refused.value) == f"{name} {message}"


def test_workflows_run_inline_with_default_pool_settings_unless_the_environment_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BIFROST_ISOLATION", "BIFROST_WORKERS", "BIFROST_WORKER_MEMORY_MB"):
        monkeypatch.delenv(name, raising=False)
    settings = HostSettings.from_env(data_dir=tmp_path)
    assert (settings.isolation, settings.workers, settings.worker_memory_mb) == ("inline", 4, 1024)

    monkeypatch.setenv("BIFROST_ISOLATION", "process")
    monkeypatch.setenv("BIFROST_WORKERS", "3")
    monkeypatch.setenv("BIFROST_WORKER_MEMORY_MB", "0")
    settings = HostSettings.from_env(data_dir=tmp_path)
    assert (settings.isolation, settings.workers, settings.worker_memory_mb) == ("process", 3, 0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"isolation": "thread"}, "isolation must be one of inline, process, got 'thread'"),
        ({"workers": 0}, "workers must be at least 1, got 0"),
    ],
)
def test_settings_it_cannot_use_are_refused_saying_which(tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        HostSettings(data_dir=tmp_path, **options)


def test_the_endpoint_rate_limit_defaults_to_60_a_minute_and_takes_several_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BIFROST_ENDPOINT_RATE_LIMIT", raising=False)
    assert [str(item) for item in HostSettings.from_env(data_dir=tmp_path).rate_limits()] == ["60 per 1 minute"]
    monkeypatch.setenv("BIFROST_ENDPOINT_RATE_LIMIT", "5/second;100/hour")
    limits = HostSettings.from_env(data_dir=tmp_path).rate_limits()
    assert [(item.amount, item.get_expiry()) for item in limits] == [(5, 1), (100, 3600)]


@pytest.mark.parametrize("text", ["", "lots", "0/minute", "60/minute;soon"])
def test_an_endpoint_rate_limit_it_cannot_use_is_refused_saying_what_it_takes(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigurationError, match="must be calls per period such as '60/minute' or '5/second;100/hour'"):
        HostSettings(data_dir=tmp_path, endpoint_rate_limit=text)


def test_the_runner_lease_is_a_minute_unless_its_variable_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BIFROST_RUNNER_LEASE_SECONDS", raising=False)
    assert HostSettings.from_env(data_dir=tmp_path).runner_lease_seconds == 60.0
    monkeypatch.setenv("BIFROST_RUNNER_LEASE_SECONDS", "2.5")
    assert HostSettings.from_env(data_dir=tmp_path).runner_lease_seconds == 2.5
    monkeypatch.setenv("BIFROST_RUNNER_LEASE_SECONDS", "0")
    with pytest.raises(ConfigurationError, match="BIFROST_RUNNER_LEASE_SECONDS must be a positive number of seconds"):
        HostSettings.from_env(data_dir=tmp_path)
