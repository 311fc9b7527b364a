"""Errors of the knowledge capability. Each subclasses a bifrost SDK error so workflows can catch them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bifrost.errors import BifrostError, ConfigurationError, ValidationError


class EmbedderMismatchError(ConfigurationError):
    """A namespace was built with another embedder than the one configured now."""


class EmbedderUnavailableError(ConfigurationError):
    """The configured embedder cannot run: its package or model is missing."""


class EmbeddingRequestError(BifrostError):
    """A remote embeddings endpoint failed or answered something unusable."""


class DocumentTooLargeError(ValidationError):
    """A document is longer than the configured maximum."""


class UnknownNamespaceError(ValidationError):
    """A search or read named a namespace that holds no documents for this caller."""


@contextmanager
def lone_error() -> Iterator[None]:
    """Around a task group: its one error is raised as itself, so callers catch e.g. EmbedderMismatchError.

    anyio wraps whatever a task group's tasks raise in an ExceptionGroup. When one task fails the others
    are cancelled, so there is nearly always one error; a group of several is raised unchanged.
    """
    try:
        yield
    except BaseExceptionGroup as group:
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise


__all__ = [
    "DocumentTooLargeError",
    "EmbedderMismatchError",
    "EmbedderUnavailableError",
    "EmbeddingRequestError",
    "UnknownNamespaceError",
]
