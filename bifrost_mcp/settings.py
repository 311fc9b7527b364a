"""Host settings, from CLI options and BIFROST_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = ".bifrost"
ISOLATION_MODES = ("inline", "process")
DEFAULT_WORKERS = 4
DEFAULT_WORKER_MEMORY_MB = 1024


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
            workers=int(os.environ.get("BIFROST_WORKERS") or DEFAULT_WORKERS),
            worker_memory_mb=int(os.environ.get("BIFROST_WORKER_MEMORY_MB") or DEFAULT_WORKER_MEMORY_MB),
        )
