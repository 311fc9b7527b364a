"""Testing workflows offline: models that answer without a network, and platforms without a host.

- `TestModel`, `FunctionModel`, `override_model`: language models for `ai` (see `bifrost.testing.models`).
- `MockPlatform`, `bound`, `test_context`: answer SDK operations with functions the test gives.
- `InMemoryPlatform`: answer them from state kept in memory, with the host's tenancy and rules
  (see `bifrost.testing.memory`).
"""

from bifrost.testing.memory import InMemoryPlatform
from bifrost.testing.mock import MockPlatform, bound, test_context
from bifrost.testing.models import FunctionModel, TestModel, override_model, sample

__all__ = [
    "FunctionModel",
    "InMemoryPlatform",
    "MockPlatform",
    "TestModel",
    "bound",
    "override_model",
    "sample",
    "test_context",
]
