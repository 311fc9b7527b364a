"""Runs that ask mid-call on 2026-07-28, where a server cannot send the client requests: held across rounds.

The run goes on in a task of its own. When it asks (a form, or the client's model), the call answers an
`InputRequiredResult` carrying the question and a `requestState`, and the run waits; the client retries the
same call with the answer, which the run receives, and the retry waits in turn for the run's next question or
its result. The state is sealed by the server's `RequestStateBoundary` (see `confirmations`): bound to the
method, tool and arguments, expiring, readable only by us; inside it we bind the caller, the held run and a
nonce per round, so an answer reaches only the run and the round it was asked for, once. A run nobody answers
within the state's lifetime is cancelled, its record saying so.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import mcp_types as types
from mcp.server import ServerRequestContext
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, ValidationError

from bifrost.errors import ClientUnavailableError
from bifrost_mcp.caller import Caller
from bifrost_mcp.runner.runner import RunOutcome
from bifrost_mcp.server.client import McpPeer

ASK_KEY = "ask"
INVALID_STATE = "Invalid or expired requestState"
UNANSWERED = "Nobody answered: the person did not answer within {:.0f} s"


class HeldState(BaseModel):
    v: Literal["held-1"] = "held-1"
    caller: str
    run: str
    nonce: str


@dataclass
class _Question:
    request: types.ElicitRequest | types.CreateMessageRequest
    answer: asyncio.Future[types.ElicitResult | types.CreateMessageResult]


@dataclass
class _Held:
    caller: str
    peer: HeldPeer
    task: asyncio.Task[RunOutcome]
    nonce: str = ""
    question: _Question | None = None
    expiry: asyncio.TimerHandle | None = field(default=None, repr=False)


class HeldPeer(McpPeer):
    """The MCP peer of a held run: its questions become input-required rounds; each round rebinds it."""

    def __init__(self, ctx: ServerRequestContext[Any, Any]) -> None:
        super().__init__(ctx)
        self.questions: asyncio.Queue[_Question] = asyncio.Queue()

    def rebind(self, ctx: ServerRequestContext[Any, Any]) -> None:
        """Progress and log lines from now on go with the retry `ctx` (the earlier round has been answered)."""
        self._bind(ctx)

    def _cannot(self, capability: str, declared: bool) -> str | None:
        return None if declared else self._undeclared(capability)

    async def _ask(self, request: types.ElicitRequest | types.CreateMessageRequest) -> Any:
        await self.flush()
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self.questions.put(_Question(request, answer))
        return await answer

    async def elicit(self, message: str, schema: dict[str, Any]) -> dict[str, Any]:
        request = types.ElicitRequest(params=types.ElicitRequestFormParams(message=message, requested_schema=schema))
        answer = await self._ask(request)
        return {"action": answer.action, "content": answer.content}

    async def sample(self, request: dict[str, Any]) -> dict[str, Any]:
        result = await self._ask(types.CreateMessageRequest(params=self.sampling_params(request)))
        return self.sampled(result)


def _caller_key(caller: Caller) -> str:
    return hashlib.sha256(json.dumps([caller.user_id, caller.credential_id, caller.scope]).encode()).hexdigest()


class HeldRuns:
    """One per MCP server: the runs waiting on an answer, by id."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._runs: dict[str, _Held] = {}

    @staticmethod
    def wanted(ctx: ServerRequestContext[Any, Any]) -> bool:
        """Whether a call may need holding: a 2026-07-28 client that can answer a question or sample."""
        peer_capabilities = ctx.session.client_capabilities
        return peer_capabilities is not None and (
            peer_capabilities.elicitation is not None or peer_capabilities.sampling is not None
        )

    @staticmethod
    def state_of(params: types.CallToolRequestParams) -> HeldState | None:
        """Our held-run state in a retry, or None (none, or another kind, such as an approval's)."""
        if params.request_state is None:
            return None
        try:
            return HeldState.model_validate_json(params.request_state)
        except ValidationError:
            return None

    async def start(
        self,
        ctx: ServerRequestContext[Any, Any],
        caller: Caller,
        run: Callable[[HeldPeer], Awaitable[RunOutcome]],
    ) -> RunOutcome | types.InputRequiredResult:
        peer = HeldPeer(ctx)
        task = asyncio.ensure_future(run(peer))
        held = _Held(_caller_key(caller), peer, task)
        return await self._next(secrets.token_urlsafe(12), held)

    async def resume(
        self, ctx: ServerRequestContext[Any, Any], caller: Caller, state: HeldState, params: types.CallToolRequestParams
    ) -> RunOutcome | types.InputRequiredResult:
        held = self._runs.get(state.run)
        if held is None or held.caller != _caller_key(caller) or state.caller != held.caller:
            raise MCPError(types.INVALID_PARAMS, INVALID_STATE)
        if state.nonce != held.nonce or held.question is None:
            raise MCPError(types.INVALID_PARAMS, "This answer was already given: call the tool again to be asked")
        answer = (params.input_responses or {}).get(ASK_KEY)
        asked_a_person = isinstance(held.question.request, types.ElicitRequest)
        wanted = types.ElicitResult if asked_a_person else types.CreateMessageResult
        if not isinstance(answer, wanted):
            return self._input_required(state.run, held)  # not answered: the same question again
        assert isinstance(answer, types.ElicitResult | types.CreateMessageResult)
        del self._runs[state.run]
        if held.expiry is not None:
            held.expiry.cancel()
        question, held.question, held.nonce = held.question, None, ""
        held.peer.rebind(ctx)
        question.answer.set_result(answer)
        return await self._next(state.run, held)

    async def _next(self, run_id: str, held: _Held) -> RunOutcome | types.InputRequiredResult:
        """Wait for the run's result or its next question; a cancelled call cancels the run it waits on."""
        asked = asyncio.ensure_future(held.peer.questions.get())
        try:
            await asyncio.wait({held.task, asked}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            asked.cancel()
            held.task.cancel()
            raise
        if held.task.done():
            asked.cancel()
            return held.task.result()
        held.question = asked.result()
        self._runs[run_id] = held
        held.expiry = asyncio.get_running_loop().call_later(self.ttl_seconds, self._expire, run_id)
        return self._input_required(run_id, held)

    def _input_required(self, run_id: str, held: _Held) -> types.InputRequiredResult:
        assert held.question is not None
        held.nonce = secrets.token_urlsafe(16)
        state = HeldState(caller=held.caller, run=run_id, nonce=held.nonce)
        return types.InputRequiredResult(
            input_requests={ASK_KEY: held.question.request}, request_state=state.model_dump_json()
        )

    def _expire(self, run_id: str) -> None:
        held = self._runs.pop(run_id, None)
        if held is not None and held.question is not None and not held.question.answer.done():
            # the run fails, saying so (a workflow may catch it and go on without the answer)
            held.question.answer.set_exception(ClientUnavailableError(UNANSWERED.format(self.ttl_seconds)))


__all__ = ["HeldPeer", "HeldRuns", "HeldState"]
