"""The process-wide parts of bifrost-mcp: settings, database, stores. Opened once per process."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from bifrost_mcp.ai.clients import ProviderClients
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.conversations.store import ConversationsStore
from bifrost_mcp.data import config, integrations
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.data.integrations import IntegrationsStore
from bifrost_mcp.data.secrets import KEY_FILENAME, EncryptedColumn, RotationReport, SecretBox
from bifrost_mcp.executions.limits import RecordLimits
from bifrost_mcp.executions.queue import ExecutionQueue
from bifrost_mcp.executions.store import ExecutionsStore
from bifrost_mcp.identity.callers import Callers
from bifrost_mcp.identity.credentials import Credentials
from bifrost_mcp.identity.store import IdentityStore
from bifrost_mcp.schedules.store import SchedulesStore
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.storage import Database, Migration
from bifrost_mcp.storage.private import PRIVATE_DIR, PRIVATE_FILE, make_private_dirs, narrow, narrow_tree
from bifrost_mcp.workspace.layout import check_layout
from bifrost_mcp.workspace.resources import ResourceChanges

if TYPE_CHECKING:
    from bifrost_mcp.knowledge.store import KnowledgeStore

logger = logging.getLogger(__name__)


def all_migrations() -> list[Migration]:
    """Every domain's migrations; each domain owns a version range (100s core, 200s identity, ...)."""
    from bifrost_mcp.conversations.schema import MIGRATIONS as conversations
    from bifrost_mcp.data.tables.schema import MIGRATIONS as tables
    from bifrost_mcp.executions.store import MIGRATIONS as executions
    from bifrost_mcp.identity.schema import MIGRATIONS as identity
    from bifrost_mcp.schedules.schema import MIGRATIONS as schedules

    # config owns 400-449, integrations 450-499, conversations 600-649, schedules 1000-1049
    return [*executions, *identity, *tables, *config.MIGRATIONS, *integrations.MIGRATIONS, *conversations, *schedules]


def all_encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted column of every data module: what a key rotation re-encrypts."""
    return [*config.ENCRYPTED_COLUMNS, *integrations.ENCRYPTED_COLUMNS]


class Host:
    def __init__(self, settings: HostSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SYSTEM_CLOCK  # what every expiry and age check reads; tests pass a ManualClock
        self.db = Database(settings.data_dir)
        self.identity = IdentityStore(self.db)
        self.credentials = Credentials(self.identity, clock=self.clock)
        self.callers = Callers(self.identity, self.credentials)
        limits = RecordLimits(log_bytes=settings.max_log_bytes, result_bytes=settings.max_result_bytes)
        self.executions = ExecutionsStore(
            self.db, limits=limits, clock=self.clock, lease_seconds=settings.runner_lease_seconds
        )
        self.queue = ExecutionQueue(self.db, self.executions.owner)  # async runs, until a dispatcher runs them
        self.conversations = ConversationsStore(self.db, clock=self.clock)
        self.schedules = SchedulesStore(self.db)
        # secrets (Fernet key from BIFROST_SECRET_KEY or <data_dir>/secret.key) and integrations (OAuth refresh)
        self.secrets = SecretBox.from_env(settings.data_dir)
        self.config = ConfigStore(self.db, self.secrets)
        self.integrations = IntegrationsStore(self.db, self.secrets, clock=self.clock)
        self.resource_changes = ResourceChanges()  # resources.changed(uri) from runs, to subscribed clients
        self.ai_clients = ProviderClients()  # vendor SDK clients, cached per provider/key/base URL
        self._knowledge: KnowledgeStore | None = None
        self._stack = AsyncExitStack()

    async def open(self) -> None:
        data_dir = self.settings.data_dir
        check_layout(self.settings.workspace, data_dir)  # before anything is created
        make_private_dirs(data_dir)
        if narrow(data_dir, PRIVATE_DIR):  # left open by an earlier release: so may be everything in it
            logger.info("made %d file(s) and folder(s) under %s private to this user", narrow_tree(data_dir), data_dir)
        narrow(data_dir / KEY_FILENAME, PRIVATE_FILE)  # the key to every tenant's secrets, even in a closed dir
        await self.db.open(all_migrations())
        self._stack.push_async_callback(self.db.close)
        self._stack.push_async_callback(self.integrations.aclose)  # integrations: its HTTP client
        self._stack.push_async_callback(self.ai_clients.aclose)
        await self.identity.ensure_owner()
        await self.executions.start()
        self._stack.push_async_callback(self.executions.stop)

    async def close(self) -> None:
        await self._stack.aclose()

    async def rotate_secret_key(self) -> RotationReport:
        """Re-encrypt every stored secret under a new key (see `SecretBox.rotate_key`)."""
        return await self.secrets.rotate_key(self.db, all_encrypted_columns())

    @property
    def knowledge(self) -> KnowledgeStore:
        """The knowledge store, opened on first use: Chroma and the embedder cost seconds to load."""
        if self._knowledge is None:
            from bifrost_mcp.knowledge.embedders import resolve_embedder
            from bifrost_mcp.knowledge.store import KnowledgeStore

            embedder = resolve_embedder(
                self.settings.embedder,
                base_url=os.environ.get("BIFROST_EMBEDDER_BASE_URL") or None,
                api_key=os.environ.get("BIFROST_EMBEDDER_API_KEY") or None,
            )
            store = KnowledgeStore.open(
                self.settings.data_dir, embedder, chroma_url=self.settings.chroma_url, clock=self.clock
            )
            self._stack.push_async_callback(store.aclose)
            self._knowledge = store
        return self._knowledge

    @classmethod
    @asynccontextmanager
    async def opened(cls, settings: HostSettings, clock: Clock | None = None) -> AsyncIterator[Host]:
        host = cls(settings, clock)
        await host.open()
        try:
            yield host
        finally:
            await host.close()
