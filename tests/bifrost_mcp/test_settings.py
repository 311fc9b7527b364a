"""Host settings from the environment: where workflows run, how many workers, their memory limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from bifrost_mcp.settings import HostSettings


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
