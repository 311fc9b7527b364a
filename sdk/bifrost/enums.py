"""Enums of the SDK contract."""

from __future__ import annotations

from enum import StrEnum


class ExecutionStatus(StrEnum):
    """Lifecycle of one execution."""

    PENDING = "Pending"
    RUNNING = "Running"
    COMPLETED = "Completed"
    COMPLETED_WITH_ERRORS = "CompletedWithErrors"
    FAILED = "Failed"
    TIMEOUT = "Timeout"
    CANCELLED = "Cancelled"

    @property
    def is_final(self) -> bool:
        """True once the execution can no longer change."""
        return self not in (ExecutionStatus.PENDING, ExecutionStatus.RUNNING)


class ConfigType(StrEnum):
    """The stored type of a config value; values keep their type on read."""

    STRING = "string"
    SECRET = "secret"
    JSON = "json"
    BOOL = "bool"
    INT = "int"


class FormFieldType(StrEnum):
    """Field types of a form definition."""

    TEXT = "text"
    NUMBER = "number"
    SELECT = "select"
    CHECKBOX = "checkbox"
    DATE = "date"


__all__ = ["ConfigType", "ExecutionStatus", "FormFieldType"]
