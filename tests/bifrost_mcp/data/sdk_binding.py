"""Bind data services to the bifrost SDK for one test, the way the host's platform does.

The keyword parameters are typed with the SDK's port Protocols, so mypy checks that our services
satisfy them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from bifrost._ports import FilesService, Platform, TablesService
from bifrost._runtime import bind
from bifrost.errors import NotAvailableError
from bifrost_mcp.identity.caller import Caller


class DataPlatform:
    """A Platform exposing only the given services; everything else is NotAvailableError."""

    def __init__(self, **services: Any) -> None:
        self._services = {name: service for name, service in services.items() if service is not None}

    def __getattr__(self, name: str) -> Any:
        if name in self._services:
            return self._services[name]
        raise NotAvailableError(f"{name} is not bound in this test")


@contextmanager
def bound(caller: Caller, *, tables: TablesService | None = None, files: FilesService | None = None) -> Iterator[None]:
    with bind(caller.execution_context("exec-test"), cast(Platform, DataPlatform(tables=tables, files=files))):
        yield
