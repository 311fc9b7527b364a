"""Host settings, from CLI options and BIFROST_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bifrost.errors import ConfigurationError

DEFAULT_DATA_DIR = ".bifrost"
# What one run may leave behind (see executions.limits), and the variables that change it.
DEFAULT_LOG_BYTES = 4 * 1024 * 1024
DEFAULT_RESULT_BYTES = 8 * 1024 * 1024
LOG_BYTES_VARIABLE = "BIFROST_MAX_LOG_BYTES"
RESULT_BYTES_VARIABLE = "BIFROST_MAX_RESULT_BYTES"


@dataclass(frozen=True, slots=True)
class HostSettings:
    """Where things live and how the host behaves; one per process."""

    data_dir: Path
    workspace: Path | None = None
    chroma_url: str | None = None
    embedder: str | None = None  # "minilm" (default, offline), "openai:<model>", "sentence-transformers:<model>"
    temp_max_age_seconds: int = 24 * 3600
    progress_interval_seconds: float = 5.0
    max_log_bytes: int = DEFAULT_LOG_BYTES  # log bytes one run's record keeps
    max_result_bytes: int = DEFAULT_RESULT_BYTES  # the largest result a run may return, as JSON

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
            max_log_bytes=_byte_limit(LOG_BYTES_VARIABLE, DEFAULT_LOG_BYTES),
            max_result_bytes=_byte_limit(RESULT_BYTES_VARIABLE, DEFAULT_RESULT_BYTES),
        )


def _byte_limit(variable: str, default: int) -> int:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigurationError(f"{variable} must be a whole number of bytes of at least 1, got {text!r} "
                                 f"(unset it for {default:,})")  # fmt: skip
    return value
