"""Server logging: stderr only (stdout is the stdio protocol wire), without workflow output."""

from __future__ import annotations

import logging
import os
import sys

from bifrost_mcp.executions.seen import SEEN
from bifrost_mcp.runner.capture import OutsideExecutionFilter


class _HostOrWarnings(logging.Filter):
    """bifrost-mcp's own INFO lines; other libraries only from WARNING up."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.startswith(("bifrost_mcp", "uvicorn.error"))


class _Redacting(logging.Formatter):
    """Every secret a run of this process read is redacted, also from lines a workflow's own thread logs."""

    def format(self, record: logging.LogRecord) -> str:
        return SEEN.redact(super().format(record))


def configure(level: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(OutsideExecutionFilter())
    handler.addFilter(_HostOrWarnings())
    handler.setLevel(getattr(logging, (level or os.environ.get("BIFROST_LOG_LEVEL") or "INFO").upper()))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
