"""Facts a workflow states from whatever process runs it (the host, inline, or a worker process), as files.

The folder is $BIFROST_TEST_SIGNALS, set by the `signals` fixture before an App starts its workers (they
inherit it). A workflow calls `note`/`wait_until`; the test calls `Signals.started`, `.notes`, `.release`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest

from tests.support.poll import poll

ENV = "BIFROST_TEST_SIGNALS"


def _root() -> Path:
    return Path(os.environ[ENV])


def note(name: str, text: str = "") -> None:
    """Append `text` as a line to the note `name` (creating it: `Signals.started(name)` then holds)."""
    with (_root() / name).open("a", encoding="utf-8") as f:
        f.write(text + "\n")


def released(name: str) -> bool:
    return (_root() / f"{name}.release").exists()


async def wait_until_released(name: str) -> None:
    """For an async workflow: wait (yielding) until the test calls `Signals.release(name)`."""
    while not released(name):  # noqa: ASYNC110 - another process sets it: there is no event to share, only a file
        await anyio.sleep(0.01)


@dataclass
class Signals:
    root: Path

    async def started(self, name: str, *, timeout: float = 30) -> None:
        await poll(lambda: (self.root / name).exists(), timeout=timeout, what=f"note {name!r}")

    def notes(self, name: str) -> list[str]:
        path = self.root / name
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    def release(self, name: str) -> None:
        (self.root / f"{name}.release").touch()


@pytest.fixture
def signals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Signals]:
    root = tmp_path / "signals"
    root.mkdir()
    monkeypatch.setenv(ENV, str(root))
    yield Signals(root)
