"""Per-execution state the platform services report into: secrets read (for redaction) and AI usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bifrost_mcp.executions.seen import REDACTED as REDACTED
from bifrost_mcp.executions.seen import SEEN

# Very short secrets would redact ordinary words; they are still never logged by the host itself.
MIN_REDACT_LENGTH = 4


@dataclass(slots=True)
class RunState:
    """Mutable facts gathered while one execution runs."""

    execution_id: str
    secrets: set[str] = field(default_factory=set)
    input_tokens: int = 0
    output_tokens: int = 0
    worker_cpu_seconds: float = 0.0  # CPU a sync workflow spent in its worker thread

    def add_secret(self, value: object) -> None:
        """Remember a secret value read during this run; it is redacted from logs, result, error and record."""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = str(value)
            if len(text) >= MIN_REDACT_LENGTH:
                self.secrets.add(text)
                SEEN.add(text)

    def record_usage(self, input_tokens: int, output_tokens: int, model: str) -> None:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens

    def redact(self, value: Any) -> Any:
        """`value` with every known secret replaced by "[REDACTED]", through dicts, lists and strings."""
        if not self.secrets:
            return value
        return _redact(value, sorted(self.secrets, key=len, reverse=True))


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {_redact(k, secrets): _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool) and str(value) in secrets:
        return REDACTED
    return value
