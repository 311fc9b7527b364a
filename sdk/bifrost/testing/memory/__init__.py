"""A platform that keeps its state in memory: run workflows offline, with the host's tenancy and rules.

    from bifrost import config, tables
    from bifrost.testing import InMemoryPlatform, bound

    async def close_ticket(ticket_id: str) -> None:
        await tables.update("tickets", ticket_id, {"status": "closed", "by": await config.get("bot_name")})

    async def test_close_ticket():
        platform = InMemoryPlatform(config={"bot_name": "Ada"})
        with bound(platform):
            await tables.insert("tickets", {"status": "open"}, id="T-1")
            await close_ticket("T-1")
        assert platform.documents("tickets")[0].data == {"status": "closed", "by": "Ada"}

Each call acts as the caller of the bound ExecutionContext (`bound(platform, test_context(...))`): its scope
decides which state it sees, `is_platform_admin` what it may do (GLOBAL, which every organization reads, is
written by platform admins only), exactly as on the host. One platform can
serve several contexts, so tenancy is testable. What is implemented, with the host's semantics (each module
of this package documents its domain):

- config, tables (every `where` operator), files (per location; mode="local" for platform admins),
  integrations (those given), knowledge (search by term overlap, not by meaning), organizations, users,
  roles and forms (those given), ai (answered by the model of `override_model`).
- executions.* and workflows.list raise NotAvailableError: this platform runs no workflows, so it has no
  history or registry to answer from. Answer them with `handlers=`.

`handlers=` (the shape of MockPlatform's) answer or override any operation. `.calls` records every call as
(operation, arguments). The methods below seed state and read it back for assertions, in any scope,
without access checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

from bifrost._context import GLOBAL_SCOPE, ExecutionContext, current_context
from bifrost.errors import ClientUnavailableError, NotAvailableError
from bifrost.testing.memory._ai import AIView
from bifrost.testing.memory._common import Clock, resolve_scope
from bifrost.testing.memory._config import ConfigState, ConfigView, entry
from bifrost.testing.memory._files import FilesState, FilesView, Store, root
from bifrost.testing.memory._identity import IdentityState, OrganizationsView, UsersView
from bifrost.testing.memory._knowledge import KnowledgeState, KnowledgeView
from bifrost.testing.memory._roles import FormsView, RolesView
from bifrost.testing.memory._tables import TablesState, TablesView
from bifrost.testing.mock import MockPlatform, test_context
from bifrost.types import (
    ConfigData,
    DocumentData,
    FormPublic,
    IntegrationData,
    KnowledgeDocument,
    Organization,
    Role,
    UserPublic,
)
from bifrost.values import check_key, split_path

_NOT_KEPT = {
    "executions": "InMemoryPlatform runs no workflows, so it keeps no execution history",
    "workflows": "InMemoryPlatform has no workflow registry",
}


class InMemoryPlatform:
    """Answers SDK operations from state kept in memory, for the caller of the bound context (see the module)."""

    def __init__(
        self,
        *,
        config: Mapping[str, Any] | None = None,
        integrations: Mapping[str, IntegrationData] | None = None,
        forms: Iterable[FormPublic] = (),
        handlers: Mapping[str, Any] | None = None,
    ) -> None:
        """`config`: GLOBAL values; `integrations`: by name, for every scope; `forms`: what forms.* answer from."""
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._handlers = MockPlatform(handlers or {})
        self._clock = Clock()
        self._config: ConfigState = {}
        self._tables: TablesState = {}
        self._files: FilesState = {}
        self._knowledge: KnowledgeState = {}
        self._identity = IdentityState(forms={form.id: form.model_copy(deep=True) for form in forms})
        self._integrations: dict[tuple[str | None, str], IntegrationData] = {}
        for key, value in (config or {}).items():
            self.set_config(key, value)
        for name, data in (integrations or {}).items():
            self.add_integration(name, data)

    async def call(self, operation: str, arguments: dict[str, Any]) -> Any:
        self.calls.append((operation, dict(arguments)))
        if self._handlers.handles(operation):
            return await self._handlers.call(operation, arguments)
        return await self._operation(operation)(**arguments)

    def stream(self, operation: str, arguments: dict[str, Any]) -> AsyncIterator[Any]:
        self.calls.append((operation, dict(arguments)))
        if self._handlers.handles(operation):
            return self._handlers.stream(operation, arguments)
        items: AsyncIterator[Any] = self._operation(operation)(**arguments)
        return items

    def _operation(self, operation: str) -> Callable[..., Any]:
        domain, _, name = operation.partition(".")
        hint = f"pass InMemoryPlatform(handlers={{{operation!r}: function}}) to answer it"
        if domain in _NOT_KEPT:
            raise NotAvailableError(f"{_NOT_KEPT[domain]} for {operation!r}: {hint}")
        build = _VIEWS.get(domain)
        view = None if build is None else build(self, current_context())
        if view is None or name.startswith("_") or not callable(getattr(type(view), name, None)):
            raise NotAvailableError(f"InMemoryPlatform has no operation {operation!r}: {hint}")
        method: Callable[..., Any] = getattr(view, name)
        return method

    # Seeding and inspecting state (no access checks: this is the test speaking, not a workflow)

    def set_config(self, key: str, value: Any, *, scope: str = GLOBAL_SCOPE, is_secret: bool = False) -> None:
        """Set a config value in `scope`, as `config.set` run there would."""
        self._config.setdefault(scope, {})[check_key(key)] = entry(value, is_secret)

    def config_values(self, scope: str = GLOBAL_SCOPE) -> dict[str, Any]:
        """The values set in `scope` itself (no GLOBAL fallback), secrets in plain text."""
        return {key: found.value for key, found in sorted(self._config.get(scope, {}).items())}

    def config_entries(self, scope: str = GLOBAL_SCOPE) -> dict[str, ConfigData]:
        """The entries set in `scope` itself, with their type and `is_secret`; secrets in plain text."""
        return {key: found.data(key, scope) for key, found in sorted(self._config.get(scope, {}).items())}

    def table_names(self, scope: str = GLOBAL_SCOPE, app: str | None = None) -> list[str]:
        """Names of the tables of `scope` (and `app`), sorted."""
        return sorted(self._tables.get((scope, app or ""), {}))

    def put_document(
        self,
        table: str,
        data: dict[str, Any],
        *,
        id: str | None = None,
        scope: str = GLOBAL_SCOPE,
        app: str | None = None,
    ) -> DocumentData:
        """Insert a document in `scope` (and `app`), as `tables.insert` run there would."""
        admin = test_context(scope=scope, is_platform_admin=True)
        return TablesView(self._tables, self._clock, admin).put(table, data, id, None, app)

    def documents(self, table: str, *, scope: str = GLOBAL_SCOPE, app: str | None = None) -> list[DocumentData]:
        """Copies of the documents of `table` in `scope` (and `app`), oldest first; [] if there is no such table."""
        found = self._tables.get((scope, app or ""), {}).get(table)
        return [doc.model_copy(deep=True) for doc in found.documents.values()] if found else []

    def put_file(
        self,
        path: str,
        content: bytes | str,
        *,
        location: str = "workspace",
        scope: str = GLOBAL_SCOPE,
        mode: str = "cloud",
    ) -> None:
        """Write a file (text as UTF-8), uploads included: `mode="local"` files are shared by every scope."""
        admin = test_context(scope=scope, is_platform_admin=True)
        store = self._files.setdefault(root(admin, location, mode), Store())
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        store.write(split_path(path, location), data, location)

    def files(self, location: str = "workspace", *, scope: str = GLOBAL_SCOPE, mode: str = "cloud") -> dict[str, bytes]:
        """Every file of `location` in `scope` (or of the shared `mode="local"` one), by path."""
        store = self._files.get((scope if mode == "cloud" else None, location), Store())
        return {"/".join(parts): content for parts, content in sorted(store.files.items())}

    def knowledge_documents(self, namespace: str = "default", *, scope: str = GLOBAL_SCOPE) -> list[KnowledgeDocument]:
        """Copies of the documents of `namespace` in `scope`, in the order first stored."""
        return [doc.model_copy(deep=True) for doc in self._knowledge.get((scope, namespace), {}).values()]

    def add_integration(self, name: str, data: IntegrationData, *, scope: str | None = None) -> None:
        """Make `integrations.get(name)` answer `data` in `scope`, or in every scope (None) without its own."""
        self._integrations[(scope, name)] = data.model_copy(deep=True)

    def organizations(self) -> list[Organization]:
        """Every organization not deleted, the callers' own included once they made a call."""
        return [org.model_copy() for org in self._identity.organizations.values()]

    def users(self) -> list[UserPublic]:
        """Every user not deleted."""
        return [user.model_copy() for user in self._identity.users.values()]

    def roles(self) -> list[Role]:
        """Every role not deleted."""
        return [role.model_copy() for role in self._identity.roles.values()]


class _IntegrationsView:
    def __init__(self, platform: InMemoryPlatform, caller: ExecutionContext) -> None:
        self._integrations = platform._integrations
        self._caller = caller

    async def get(self, name: str, org_id: str | None) -> IntegrationData | None:
        """The integration given for the caller's scope (or `org_id`, platform admins only), else for every scope."""
        scope = resolve_scope(self._caller, org_id)
        found = self._integrations.get((scope, name)) or self._integrations.get((None, name))
        return None if found is None else found.model_copy(deep=True)


class _ClientView:
    """No MCP client in a unit test: progress goes nowhere (it is in `calls`); a question needs a handler."""

    async def progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        return None

    async def elicit(self, message: str, schema: dict[str, Any]) -> dict[str, Any]:
        raise ClientUnavailableError(
            "InMemoryPlatform has no person to ask: pass InMemoryPlatform(handlers={'client.elicit': "
            "lambda message, schema: {'action': 'accept', 'content': {...}}}) to answer"
        )


_VIEWS: dict[str, Callable[[InMemoryPlatform, ExecutionContext], object]] = {
    "config": lambda p, caller: ConfigView(p._config, caller),
    "tables": lambda p, caller: TablesView(p._tables, p._clock, caller),
    "files": lambda p, caller: FilesView(p._files, caller),
    "integrations": _IntegrationsView,
    "knowledge": lambda p, caller: KnowledgeView(p._knowledge, p._clock, caller),
    "organizations": lambda p, caller: OrganizationsView(p._identity, caller),
    "users": lambda p, caller: UsersView(p._identity, caller),
    "roles": lambda p, caller: RolesView(p._identity, caller),
    "forms": lambda p, caller: FormsView(p._identity, caller),
    "ai": lambda p, caller: AIView(),
    "client": lambda p, caller: _ClientView(),
}

__all__ = ["InMemoryPlatform"]
