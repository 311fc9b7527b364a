"""Host settings, from CLI options and BIFROST_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = ".bifrost"


@dataclass(frozen=True, slots=True)
class HostSettings:
    """Where things live and how the host behaves; one per process."""

    data_dir: Path
    workspace: Path | None = None
    chroma_url: str | None = None
    embedder: str | None = None  # "minilm" (default, offline), "openai:<model>", "sentence-transformers:<model>"
    temp_max_age_seconds: int = 24 * 3600
    progress_interval_seconds: float = 5.0

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
        )
