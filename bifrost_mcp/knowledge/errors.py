"""Errors of the knowledge capability. Each subclasses a bifrost SDK error so workflows can catch them."""

from __future__ import annotations

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


__all__ = [
    "DocumentTooLargeError",
    "EmbedderMismatchError",
    "EmbedderUnavailableError",
    "EmbeddingRequestError",
    "UnknownNamespaceError",
]
