"""The one execution path: every MCP tool call, `bifrost-mcp run` and data provider read runs here.

Validate arguments, bind a fresh ExecutionContext and platform, enforce the timeout, capture logs, record the
execution. Later entry points (schedules, endpoints, chat) come through `Runner.run` too. The workflow itself
runs in a worker process of the pool (`bifrost_mcp.isolation`), its SDK calls answered here by the platform
bound to the run's caller, or inline in this process when there is no pool (development and tests).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import pydantic
import uuid_utils

from bifrost.enums import ExecutionStatus
from bifrost.errors import BifrostError
from bifrost.platform import ExecutionContext, bind
from bifrost_mcp.caller import Caller
from bifrost_mcp.executions.content import keep_content
from bifrost_mcp.executions.records import ExecutionRecord, Trigger, utc_now
from bifrost_mcp.executions.seen import SEEN
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.host import Host
from bifrost_mcp.isolation.calls import RunUsage
from bifrost_mcp.isolation.errors import RunFailed
from bifrost_mcp.isolation.pool import WorkerPool
from bifrost_mcp.isolation.results import shape_result
from bifrost_mcp.peer import ClientPeer, NoClient, mcp_level
from bifrost_mcp.platform import RunPlatform
from bifrost_mcp.runner import capture
from bifrost_mcp.runner.errors import (
    describe_exception,
    describe_validation_error,
    invalid_arguments,
    is_soft_failure,
    is_user_error,
)
from bifrost_mcp.workspace.registry import DescribedSignature, RegisteredWorkflow, Registry

logger = logging.getLogger(__name__)

ProgressFn = Callable[[float, float | None, str | None], Awaitable[None]]
# What started a run no client waits on, as a refused question names it.
STARTED_BY: dict[str, str] = {
    "mcp": "an MCP call that runs in the background (its client does not wait on it)",
    "cli": "`bifrost-mcp run`",
    "agent": "an agent in a chat",
    "schedule": "a schedule",
    "endpoint": "an HTTP endpoint",
}


# Per-thread CPU where the platform has it (Linux); elsewhere the process's, as before.
PER_THREAD_CPU = sys.platform == "linux"
_RUSAGE_WHO = resource.RUSAGE_THREAD if sys.platform == "linux" else resource.RUSAGE_SELF


def new_execution_id() -> str:
    """A UUID of version 7: time-ordered, so each record lands at the end of the executions id index.

    A random (version 4) id lands on a random page of that index: about a fifth more SQLite work per commit.
    """
    return str(uuid_utils.uuid7())


def _thread_usage() -> tuple[float, int]:
    """(CPU seconds of the calling thread, the process's peak RSS in KiB) from one getrusage call.

    Not process_time or RUSAGE_SELF: those sum every thread of the process, which under load made them the most
    expensive lines of a tools/call. RUSAGE_THREAD's ru_maxrss is the same process-wide high-water mark.
    """
    usage = resource.getrusage(_RUSAGE_WHO)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


@dataclass(slots=True)
class RunOutcome:
    """What a run produced. `value` is JSON-ready and redacted; `message` explains a failure to the caller."""

    record: ExecutionRecord
    value: Any = None
    message: str | None = None
    user_error: bool = False  # it failed on a UserError the workflow raised: the request, not the code, is at fault
    invalid: list[str] | None = None  # the arguments did not validate: one problem per field, whoever validated

    @property
    def execution_id(self) -> str:
        return self.record.id

    @property
    def ok(self) -> bool:
        return self.record.status in (ExecutionStatus.COMPLETED, ExecutionStatus.COMPLETED_WITH_ERRORS)


class RunTimeoutError(BifrostError):
    """The run outlived its workflow's timeout_seconds (caught inside the runner; never reaches a caller)."""


def _seconds(value: float) -> str:
    """A timeout as its author wrote it: 2 as "2", 0.2 as "0.2" (and 2.0 as "2")."""
    return str(value) if isinstance(value, int) else f"{value:.15g}"


def new_record(
    entry: RegisteredWorkflow, arguments: dict[str, Any], caller: Caller, *, trigger: Trigger,
    session_id: str | None = None,
) -> ExecutionRecord:  # fmt: skip
    """The Pending record of a run of `entry` by `caller`, about to start or to be queued."""
    return ExecutionRecord(
        id=new_execution_id(),
        workflow_name=entry.name,
        scope=caller.scope,
        org_id=caller.org_id,
        executed_by=caller.user_id,
        executed_by_name=caller.name,
        executed_by_email=caller.email,
        status=ExecutionStatus.PENDING,
        input_data=arguments,
        started_at=utc_now(),
        session_id=session_id,
        trigger=trigger,
    )


def check_arguments(entry: RegisteredWorkflow, arguments: Mapping[str, Any]) -> list[str] | None:
    """What is wrong with `arguments` for `entry`, one problem per field ([] when nothing is).

    None when this process cannot tell: a workflow only worker processes imported (isolation "process") has no
    types here, and `WorkerPool.check` asks a worker instead.
    """
    if isinstance(entry.signature, DescribedSignature):
        return None
    try:
        entry.signature.arguments_model.model_validate(arguments)
    except pydantic.ValidationError as exc:
        return describe_validation_error(exc)
    return []


def _forwarding(peer: ClientPeer | None, logger_name: str) -> capture.Forward | None:
    """Each captured log line also to the calling client (which drops what it did not ask for)."""
    if peer is None:
        return None
    return lambda level, message: peer.log(mcp_level(level), message, logger_name)


class Runner:
    def __init__(self, host: Host, *, keepalive_seconds: float = 5.0, pool: WorkerPool | None = None):
        self.host = host
        self.store = host.executions
        self.keepalive_seconds = keepalive_seconds
        self.pool = pool  # None: workflows run inline, in this process
        self._keepalives: set[asyncio.Task[None]] = set()  # strong references while a keep-alive runs
        self._cancel_reasons: dict[str, str] = {}  # execution id -> why whoever cancels it does
        capture.install()

    def cancel_reason(self, execution_id: str, reason: str) -> None:
        """Say why the run `execution_id` is about to be cancelled (default: "cancelled by the caller")."""
        self._cancel_reasons[execution_id] = reason

    async def run(
        self,
        entry: RegisteredWorkflow,
        arguments: Mapping[str, Any] | None,
        caller: Caller,
        registry: Registry,
        *,
        progress: ProgressFn | None = None,
        session_id: str | None = None,
        trigger: Trigger = "mcp",
        execution_id: str | None = None,
        peer: ClientPeer | None = None,
    ) -> RunOutcome:
        """Run `entry` for `caller`, its SDK calls answered by the host for `registry`.

        `session_id` ties the record to the conversation whose agent ran it (None outside a chat); `trigger` says
        what started the run; `execution_id` is the id of a queued run's record, which this run completes;
        `peer` is the MCP client that called (None: nobody to report to or ask, see `bifrost_mcp.peer`).
        Never raises for workflow failures; cancellation propagates after recording.
        """
        arguments = dict(arguments or {})
        record = new_record(entry, arguments, caller, trigger=trigger, session_id=session_id)
        if execution_id is not None:
            record.id = execution_id
        signature = entry.signature
        kwargs: dict[str, Any] = {}
        if isinstance(signature, DescribedSignature):  # imported by the workers only: they validate the arguments
            if self.pool is None:
                return await self.fail(record, f"{entry.name!r} can run in a worker process only")
        else:
            try:
                validated = signature.arguments_model.model_validate(arguments)
            except pydantic.ValidationError as exc:
                problems = describe_validation_error(exc)
                return await self.fail(record, invalid_arguments(entry.name, problems), problems)
            kwargs = signature.to_kwargs(validated)
        state = RunState(record.id)
        ctx = caller.execution_context(record.id)
        for name in signature.context_params:
            kwargs[name] = ctx
        record.status = ExecutionStatus.RUNNING
        self.store.begin(record)
        started = time.perf_counter()
        cpu_started = _thread_usage()[0]
        outcome = RunOutcome(record)
        platform = RunPlatform(self.host, registry, caller, state, peer or NoClient(STARTED_BY[trigger]))
        forward = _forwarding(peer, entry.name)
        pool, usage = self.pool, RunUsage()
        try:
            if pool is None:
                with capture.capturing(record, state, forward), bind(ctx, platform):
                    result = await self._call(entry, partial(self._invoke_inline, entry, kwargs, state), progress)
                value = shape_result(entry, result)
            else:
                # The worker is handed the arguments as sent (it validates them again into its own types) and
                # only the context's values; every SDK call it makes is answered by `platform`.
                log = capture.sink(record, state, forward)
                isolated = partial(self._invoke_isolated, pool, entry, arguments, ctx, platform, log, usage)
                value = await self._call(entry, isolated, progress)
            outcome.value = state.redact(value)
            record.status = (
                ExecutionStatus.COMPLETED_WITH_ERRORS if is_soft_failure(outcome.value) else ExecutionStatus.COMPLETED
            )
        except RunTimeoutError:
            record.status = ExecutionStatus.TIMEOUT
            outcome.message = f"{entry.name!r} timed out after {_seconds(entry.spec.timeout_seconds)} s"
        except anyio.get_cancelled_exc_class():
            record.status = ExecutionStatus.CANCELLED
            outcome.message = self._cancel_reasons.get(record.id, "cancelled by the caller")
            # synchronous: completes despite the cancel
            self._finish(record, state, outcome, started, cpu_started, usage)
            raise
        except BaseException as exc:  # run boundary: whatever a workflow raises (SystemExit too) fails its run only
            record.status = ExecutionStatus.FAILED
            outcome.message = describe_exception(exc)
            outcome.user_error = is_user_error(exc)
            outcome.invalid = exc.invalid if isinstance(exc, RunFailed) else None
            logger.info("execution %s of %r failed: %s", record.id, entry.name, type(exc).__name__)
        if peer is not None:
            await peer.flush()  # the client hears the run's last log lines before its result
        # large content goes beside the record, written before it commits; the caller still gets it whole
        try:
            kept = await keep_content(self.host.settings, record.id, record.scope, outcome.value)
        except Exception:  # a full disk must not lose the run: its record then keeps the content inline
            logger.exception("execution %s: content could not be stored beside the record", record.id)
            kept = None
        await self._finish(record, state, outcome, started, cpu_started, usage, kept)  # durable before the caller hears
        return outcome

    async def _call(
        self, entry: RegisteredWorkflow, invoke: Callable[[], Awaitable[Any]], progress: ProgressFn | None
    ) -> Any:
        if progress is None:
            return await self._invoke(entry, invoke)
        # Keep-alive progress only for runs that outlive the first interval. Arming a timer costs far less than a
        # task group and a task per call, and most calls finish long before it fires.
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        keepalive: asyncio.Task[None] | None = None

        def start_keepalive() -> None:
            nonlocal keepalive
            keepalive = loop.create_task(self._keepalive(progress, entry.spec.timeout_seconds, started))
            self._keepalives.add(keepalive)
            keepalive.add_done_callback(self._keepalives.discard)

        timer = loop.call_later(self.keepalive_seconds, start_keepalive)
        try:
            return await self._invoke(entry, invoke)
        finally:
            timer.cancel()
            if keepalive is not None:
                keepalive.cancel()

    async def _invoke(self, entry: RegisteredWorkflow, invoke: Callable[[], Awaitable[Any]]) -> Any:
        # asyncio's own timeout: a third of the CPU of an anyio cancel scope, on a path every call takes
        deadline = asyncio.timeout(entry.spec.timeout_seconds)
        try:
            async with deadline:
                return await invoke()
        except TimeoutError:
            # Only our own deadline is a Timeout; a TimeoutError the workflow raises itself is a failure like any other.
            if deadline.expired():
                raise RunTimeoutError from None
            raise

    @staticmethod
    async def _invoke_isolated(
        pool: WorkerPool, entry: RegisteredWorkflow, arguments: dict[str, Any], ctx: ExecutionContext,
        platform: RunPlatform, log: capture.LogSink, usage: RunUsage,
    ) -> Any:  # fmt: skip
        # A timeout or a cancellation cancels this wait, and the pool kills the worker: blocking code stops too.
        finished = await pool.run(entry, arguments, ctx, platform, log, usage)
        if finished.invalid is not None:
            raise RunFailed(invalid_arguments(entry.name, finished.invalid), invalid=finished.invalid)
        if not finished.ok:
            raise RunFailed(finished.message or "the workflow failed", user_error=finished.user_error)
        return finished.value

    async def _invoke_inline(self, entry: RegisteredWorkflow, kwargs: dict[str, Any], state: RunState) -> Any:
        fn = entry.spec.fn
        if inspect.iscoroutinefunction(fn):
            return await fn(**kwargs)

        def in_worker() -> Any:
            cpu_started = time.thread_time()
            try:
                return fn(**kwargs)
            finally:
                state.worker_cpu_seconds += time.thread_time() - cpu_started

        # Sync workflows run in a worker thread; on timeout or cancel the wait is abandoned.
        result = await anyio.to_thread.run_sync(in_worker, abandon_on_cancel=True)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def _keepalive(self, progress: ProgressFn, timeout: float, started: float) -> None:
        """Progress notifications while a long run works, so clients do not time out waiting."""
        while True:
            elapsed = time.monotonic() - started
            try:
                await progress(round(elapsed, 1), float(timeout), f"running for {elapsed:.0f} s")
            except Exception:  # a client that cannot take progress must not fail the run
                logger.debug("progress notification failed", exc_info=True)
                return
            await anyio.sleep(self.keepalive_seconds)

    async def fail(self, record: ExecutionRecord, message: str, invalid: list[str] | None = None) -> RunOutcome:
        """Record a run that failed before its workflow started (bad arguments; a queued run that may not start)."""
        return await self._unrun(record, ExecutionStatus.FAILED, message, invalid)

    async def decline(
        self, entry: RegisteredWorkflow, arguments: Mapping[str, Any] | None, caller: Caller, message: str,
        *, trigger: Trigger = "mcp",
    ) -> RunOutcome:  # fmt: skip
        """Record a call that was not run because the person did not approve it: Cancelled, saying `message`.

        It read no secret of its own; its input is redacted against every secret this process's runs have read,
        as anything that belongs to no run is. Returns once the record is durable.
        """
        values = RunState("", secrets=set(SEEN.values())).redact(dict(arguments or {}))
        record = new_record(entry, values, caller, trigger=trigger)
        return await self._unrun(record, ExecutionStatus.CANCELLED, message)

    async def _unrun(
        self, record: ExecutionRecord, status: ExecutionStatus, message: str, invalid: list[str] | None = None
    ) -> RunOutcome:
        """End a record whose workflow never started, as `status` saying `message`; returns once it is durable."""
        record.status, record.error_message = status, message
        record.completed_at, record.duration_ms = record.started_at, 0
        await self.store.finish(record)
        return RunOutcome(record, message=message, invalid=invalid)

    def _finish(
        self, record: ExecutionRecord, state: RunState, outcome: RunOutcome, started: float, cpu_started: float,
        usage: RunUsage, kept: Any = None,
    ) -> Awaitable[None]:  # fmt: skip
        """Complete and submit the record; the result is its commit (a cancelled run does not wait for it).

        `kept`: the result as the record keeps it (see `keep_content`), when it differs from the caller's.
        """
        self._cancel_reasons.pop(record.id, None)
        record.completed_at = utc_now()
        record.duration_ms = int((time.perf_counter() - started) * 1000)
        if self.pool is not None:  # the worker's own usage during this run
            record.cpu_total_seconds, record.peak_memory_bytes = usage.cpu_seconds, usage.peak_bytes
        else:
            cpu, peak_rss_kib = _thread_usage()
            # The event loop's thread while the run was in flight, plus a sync workflow's worker thread.
            worker_cpu = state.worker_cpu_seconds if PER_THREAD_CPU else 0.0  # RUSAGE_SELF already counts it
            record.cpu_total_seconds = round(cpu - cpu_started + worker_cpu, 6)
            record.peak_memory_bytes = peak_rss_kib * 1024
        record.input_tokens, record.output_tokens = state.input_tokens, state.output_tokens
        too_large = record.keep_result(outcome.value if kept is None else kept)
        if too_large is not None:  # a result over the host's cap fails the run; it is neither stored nor sent
            record.status, outcome.value, outcome.message = ExecutionStatus.FAILED, None, too_large
        if outcome.message is not None:
            outcome.message = state.redact(outcome.message)
            record.error_message = outcome.message
        elif record.status is ExecutionStatus.COMPLETED_WITH_ERRORS and isinstance(outcome.value, dict):
            record.error_message = str(outcome.value.get("error") or "workflow reported success: false")
        record.input_data = state.redact(record.input_data)
        record.seal_logs(state.redact)  # lines logged before the run read a secret in them, too
        return self.store.finish(record)
