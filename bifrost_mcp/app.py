"""The assembled application every entry point shares: the host, the workspace registry (hot-reloaded), runs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
from watchfiles import awatch

from bifrost.errors import AccessDenied
from bifrost_mcp import access
from bifrost_mcp.caller import Caller
from bifrost_mcp.clock import Clock
from bifrost_mcp.data.files.cleanup import clean_temp
from bifrost_mcp.executions.records import ExecutionRecord, Trigger
from bifrost_mcp.host import Host
from bifrost_mcp.isolation.pool import WorkerPool
from bifrost_mcp.peer import ClientPeer
from bifrost_mcp.runner.errors import InvalidArguments
from bifrost_mcp.runner.runner import ProgressFn, Runner, RunOutcome, check_arguments, new_record
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.system_agents import add_system_agents
from bifrost_mcp.system_tools import SYSTEM_SOURCE, system_workflows
from bifrost_mcp.workspace import RegisteredAgent, RegisteredWorkflow, Registry, load_workspace
from bifrost_mcp.workspace.layout import WorkspaceChanges

logger = logging.getLogger(__name__)

_MAX_CACHED_OPTIONS = 1024
RegistryListener = Callable[[Registry], Awaitable[None]]


@dataclass(slots=True)
class _Cached:
    expires: float
    outcome: RunOutcome


def load_registry(settings: HostSettings, version: int, *, interruptible: bool = True) -> Registry:
    """The host's system tools and agents and the workspace's workflows and agents, as registry `version`."""
    if settings.workspace is None:
        registry = Registry(version=version, root=None)
    else:
        registry = load_workspace(
            settings.workspace,
            version,
            system=system_workflows(),
            system_source=SYSTEM_SOURCE,
            exclude=(settings.data_dir,),  # users write files there: never code, wherever it lies
            interruptible=interruptible,
        )
    add_system_agents(registry)
    return registry


class App:
    def __init__(self, host: Host, registry: Registry, pool: WorkerPool | None = None) -> None:
        self.host = host
        self.registry = registry
        self.pool = pool  # worker processes running the workflows; None: they run inline
        self.runner = Runner(host, keepalive_seconds=host.settings.progress_interval_seconds, pool=pool)
        self._listeners: list[RegistryListener] = []
        self._provider_cache: dict[tuple[Any, ...], _Cached] = {}

    # the registry and hot reload
    def on_registry_change(self, listener: RegistryListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def reload(self) -> Registry:
        root = self.host.settings.workspace
        if root is None:
            return self.registry
        version = self.registry.version + 1
        if self.pool is not None:  # the workers import it, never this process (see isolation.pool)
            described = await self.pool.reload_workspace(root, version)
            if described is None:
                return self.registry  # no worker could import it: keep serving the version they run
            add_system_agents(described)
            registry = described
        else:
            # Importing runs the workspace's module code, which may block (a file that sleeps at import): off the
            # event loop, so every caller is served meanwhile with the current registry.
            load = partial(load_registry, self.host.settings, version, interruptible=False)
            try:
                registry = await anyio.to_thread.run_sync(load, abandon_on_cancel=True)
            except (Exception, KeyboardInterrupt, SystemExit) as exc:  # raised by module code at import
                logger.error("workspace reload failed, still serving version %d: %r", self.registry.version, exc)
                return self.registry
        self.registry = registry
        self._provider_cache.clear()
        logger.info(
            "workspace reloaded: %d workflow(s), %d tool(s), %d data provider(s), %d agent(s), %d error(s)",
            len(self.registry.workflows),
            len(self.registry.tools),
            len(self.registry.data_providers),
            len(self.registry.agents),
            len(self.registry.errors),
        )
        for listener in list(self._listeners):
            try:
                await listener(self.registry)
            except Exception:  # one broken listener (a closed session) must not stop the others
                logger.exception("registry listener failed")
        return self.registry

    async def watch(self, *, debounce_ms: int = 300) -> None:
        """Reload the workspace whenever a .py file it would import is added, changed or removed.

        Changes under the data dir (users' files) or a folder the loader skips never reload it.
        """
        root = self.host.settings.workspace
        if root is None:
            return
        # awatch waits for changes in a worker thread that a cancellation cannot interrupt (it would linger up
        # to watchfiles' 5 s poll timeout, delaying shutdown); the stop event ends that wait at once instead.
        stop = anyio.Event()

        async def stop_when_cancelled() -> None:
            try:
                await anyio.sleep_forever()
            finally:
                stop.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(stop_when_cancelled)
            only_code = WorkspaceChanges(root, ignore=(self.host.settings.data_dir,))
            changes = awatch(root, watch_filter=only_code, debounce=debounce_ms, recursive=True, stop_event=stop)
            async for changed in changes:
                logger.debug("workspace files changed: %s", sorted(path for _, path in changed))
                await self.reload()
            tg.cancel_scope.cancel()

    async def maintain(self, *, every_seconds: float = 3600.0) -> None:
        """Periodic housekeeping while serving: temp files older than the configured age are removed."""
        settings = self.host.settings
        while True:
            try:
                removed = await clean_temp(settings, settings.temp_max_age_seconds, clock=self.host.clock)
                if removed:
                    logger.info("removed %d temp file(s) older than %d s", removed, settings.temp_max_age_seconds)
            except Exception:  # housekeeping must never take the server down
                logger.exception("temp cleanup failed")
            await anyio.sleep(every_seconds)

    # the gate's views
    def visible_tools(self, caller: Caller) -> list[RegisteredWorkflow]:
        return access.usable(caller, self.registry.tools.values())

    def find_tool(self, caller: Caller, tool_name: str) -> RegisteredWorkflow | None:
        """The tool, or None when it does not exist or the caller may not see it (the two look the same)."""
        entry = self.registry.tools.get(tool_name)
        return entry if entry is not None and access.can_use(caller, entry.spec) else None

    def find_workflow(self, caller: Caller, name: str) -> RegisteredWorkflow | None:
        entry = self.registry.workflows.get(name) or self.registry.tools.get(name)
        return entry if entry is not None and access.can_use(caller, entry.spec) else None

    def visible_endpoints(self, caller: Caller) -> list[RegisteredWorkflow]:
        """The workflows `caller` may call at /api/workflows/<name>, by name."""
        return [e for _, e in sorted(self.registry.workflows.items()) if access.can_call_endpoint(caller, e.spec)]

    def find_endpoint(self, caller: Caller, name: str) -> RegisteredWorkflow | None:
        """The endpoint, or None when there is none or the caller may not call it (the two look the same)."""
        entry = self.registry.workflows.get(name)
        return entry if entry is not None and access.can_call_endpoint(caller, entry.spec) else None

    def visible_data_providers(self, caller: Caller) -> list[RegisteredWorkflow]:
        return access.usable(caller, [e for _, e in sorted(self.registry.data_providers.items())])

    def find_data_provider(self, caller: Caller, name: str) -> RegisteredWorkflow | None:
        entry = self.registry.data_providers.get(name)
        return entry if entry is not None and access.can_use(caller, entry.spec) else None

    def visible_agents(self, caller: Caller) -> list[RegisteredAgent]:
        return [entry for entry in self.registry.agents.values() if access.can_chat(caller, entry)]

    def find_agent(self, caller: Caller, name: str) -> RegisteredAgent | None:
        """The agent, or None when it does not exist or the caller may not chat with it (the two look the same)."""
        entry = self.registry.agents.get(name)
        return entry if entry is not None and access.can_chat(caller, entry) else None

    def visible_prompts(self, caller: Caller) -> list[RegisteredWorkflow]:
        """The @prompt functions `caller` may see, by name (agents are prompts too: see server.prompts)."""
        return access.usable(caller, [e for _, e in sorted(self.registry.prompts.items())])

    def find_prompt(self, caller: Caller, name: str) -> RegisteredWorkflow | None:
        """The prompt, or None when it does not exist or the caller may not see it (the two look the same)."""
        entry = self.registry.prompts.get(name)
        return entry if entry is not None and access.can_use(caller, entry.spec) else None

    def agent_tools(self, caller: Caller, agent: RegisteredAgent) -> list[RegisteredWorkflow]:
        """The tools `agent` may call for `caller`: its own, narrowed to those the caller may run directly."""
        return access.agent_tools(caller, agent, self.registry.workflows)

    # running
    async def run(
        self,
        entry: RegisteredWorkflow,
        arguments: Mapping[str, Any] | None,
        caller: Caller,
        *,
        progress: ProgressFn | None = None,
        session_id: str | None = None,
        trigger: Trigger = "mcp",
        execution_id: str | None = None,
        peer: ClientPeer | None = None,
    ) -> RunOutcome:
        """Run `entry` for `caller` now.

        `execution_id`: the queued run this completes (see `submit`); `peer`: the MCP client that called.
        """
        if not access.can_use(caller, entry.spec):  # defence in depth: entry points look tools up through the gate
            raise AccessDenied(f"{entry.name!r} is not available to this caller")
        return await self.runner.run(
            entry,
            arguments,
            caller,
            self.registry,
            progress=progress,
            session_id=session_id,
            trigger=trigger,
            execution_id=execution_id,
            peer=peer,
        )

    async def submit(
        self,
        entry: RegisteredWorkflow,
        arguments: Mapping[str, Any] | None,
        caller: Caller,
        *,
        trigger: Trigger = "mcp",
    ) -> ExecutionRecord:
        """Queue a run of `entry` for `caller` (an async run); its Pending record is committed when this returns.

        A serving process's dispatcher (`bifrost_mcp.triggers`) runs it later, as this caller, through `run`.

        Raises:
            AccessDenied: the caller may not use `entry`.
            InvalidArguments: the arguments are not valid for `entry` (the message a sync call fails with, and
                each problem); nothing is queued.
        """
        if not access.can_use(caller, entry.spec):
            raise AccessDenied(f"{entry.name!r} is not available to this caller")
        values = dict(arguments or {})
        problems = check_arguments(entry, values)
        if problems is None and self.pool is not None:  # the workers alone hold its types: one of them checks
            problems = await self.pool.check(entry, values)
        if problems:
            raise InvalidArguments(entry.name, problems)
        record = new_record(entry, values, caller, trigger=trigger)
        await self.host.queue.submit(record, values, caller.credential_id)
        return record

    async def decline(
        self, entry: RegisteredWorkflow, arguments: Mapping[str, Any] | None, caller: Caller, message: str,
        *, trigger: Trigger = "mcp",
    ) -> RunOutcome:  # fmt: skip
        """Record a call the person did not approve (see `Runner.decline`); through the gate, as `run` is."""
        if not access.can_use(caller, entry.spec):
            raise AccessDenied(f"{entry.name!r} is not available to this caller")
        return await self.runner.decline(entry, arguments, caller, message, trigger=trigger)

    async def read_data_provider(
        self, entry: RegisteredWorkflow, arguments: Mapping[str, Any], caller: Caller
    ) -> RunOutcome:
        """Run a data provider, caching its options per caller for cache_ttl_seconds."""
        key = (entry.name, self.registry.version, caller.scope, caller.user_id, tuple(sorted(arguments.items())))
        now = self.host.clock.monotonic()
        cached = self._provider_cache.get(key)
        if cached is not None and cached.expires > now:
            return cached.outcome
        outcome = await self.run(entry, arguments, caller)
        if outcome.ok and entry.spec.cache_ttl_seconds > 0:
            if len(self._provider_cache) >= _MAX_CACHED_OPTIONS:  # expired entries go before the cache grows
                self._provider_cache = {k: v for k, v in self._provider_cache.items() if v.expires > now}
            self._provider_cache[key] = _Cached(now + entry.spec.cache_ttl_seconds, outcome)
        return outcome

    @classmethod
    @asynccontextmanager
    async def opened(
        cls, settings: HostSettings, registry: Registry | None = None, *, clock: Clock | None = None
    ) -> AsyncIterator[App]:
        async with Host.opened(settings, clock) as host:
            if settings.isolation == "inline":
                yield cls(host, registry or load_registry(settings, 1))
                return
            pool = WorkerPool(
                settings.workers, memory_limit_mb=settings.worker_memory_mb, exclude=(settings.data_dir,),
                system=system_workflows(), system_source=SYSTEM_SOURCE,
            )  # fmt: skip
            try:
                if registry is None and settings.workspace is not None:
                    # Workspace code runs in the workers only, its import included: they describe the registry.
                    registry = await pool.open_workspace(settings.workspace, 1)
                    add_system_agents(registry)
                else:
                    registry = registry or load_registry(settings, 1)
                    await pool.start(registry)
                yield cls(host, registry, pool)
            finally:
                await pool.aclose()


__all__ = ["App"]
