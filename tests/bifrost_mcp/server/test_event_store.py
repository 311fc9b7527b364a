"""Resumable SSE streams (SEP-1699): the priming event, replay after Last-Event-ID, and the log's bounds."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import mcp_types as types
from mcp.server.streamable_http import EventMessage

from bifrost_mcp.app import App
from bifrost_mcp.server.event_store import RETRY_MILLISECONDS, EventLog
from bifrost_mcp.server.http import build_asgi
from bifrost_mcp.settings import HostSettings
from tests.support.server import LoopbackServer
from tests.support.workspace import EXAMPLES


def _message(request_id: int) -> types.JSONRPCResponse:
    return types.JSONRPCResponse(jsonrpc="2.0", id=request_id, result={"n": request_id})


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _replayed(store: object, last_event_id: str) -> tuple[list[object], object]:
    sent: list[object] = []

    async def send(event: EventMessage) -> None:
        sent.append(event.message)

    stream = await store.replay_events_after(last_event_id, send)  # type: ignore[attr-defined]
    return sent, stream


async def test_a_session_resumes_its_own_stream_after_the_last_event_it_saw() -> None:
    log = EventLog()
    store = log.session()
    priming = await store.store_event("1", None)
    await store.store_event("1", _message(1))
    await store.store_event("2", _message(2))  # another stream of the session: not replayed with "1"
    sent, stream = await _replayed(store, priming)
    assert sent == [_message(1)]
    assert stream == "1"


async def test_sessions_numbering_requests_alike_never_see_each_others_events() -> None:
    log = EventLog()
    alice, bob = log.session(), log.session()
    alice_priming = await alice.store_event("1", None)
    bob_priming = await bob.store_event("1", None)
    await alice.store_event("1", _message(10))
    await bob.store_event("1", _message(20))
    assert (await _replayed(alice, alice_priming))[0] == [_message(10)]
    assert (await _replayed(bob, bob_priming))[0] == [_message(20)]
    # an event id sent to another session resumes nothing here
    assert await _replayed(alice, bob_priming) == ([], None)


async def test_the_log_keeps_at_most_max_events_dropping_the_oldest() -> None:
    log = EventLog(max_events=3)
    store = log.session()
    ids = [await store.store_event("1", _message(n)) for n in range(5)]
    assert len(log) == 3
    assert await _replayed(store, ids[0]) == ([], None)  # evicted: the client must start over
    sent, _ = await _replayed(store, ids[2])
    assert sent == [_message(3), _message(4)]


async def test_events_older_than_max_age_are_forgotten() -> None:
    clock = _Clock()
    log = EventLog(max_age_seconds=60, clock=clock)
    store = log.session()
    old = await store.store_event("1", None)
    clock.now += 61
    fresh = await store.store_event("2", None)
    assert await _replayed(store, old) == ([], None)
    assert len(log) == 1
    assert (await _replayed(store, fresh))[1] == "2"


def _events(body: str) -> list[dict[str, str]]:
    events, current = [], {}
    for line in body.splitlines():
        if not line:
            if current:
                events.append(current)
            current = {}
            continue
        field, _, value = line.partition(":")
        current[field] = value.removeprefix(" ")
    if current:
        events.append(current)
    return events


async def test_a_post_stream_opens_with_a_priming_event_and_resumes_with_last_event_id(tmp_path: Path) -> None:
    settings = HostSettings(data_dir=tmp_path, workspace=EXAMPLES)
    async with App.opened(settings) as app:
        token = (await app.host.credentials.reset_owner_token()).token
        server = LoopbackServer()
        asgi = build_asgi(app, port=server.port, watch=False)
        async with server.serve(asgi) as base, httpx2.AsyncClient(timeout=30) as http:
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}
            opened = await http.post(
                base + "/mcp",
                headers=headers,
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "protocolVersion": "2025-11-25",
                        "capabilities": {},
                        "clientInfo": {"name": "test", "version": "0"},
                    },
                },
            )
            session = {"Mcp-Session-Id": opened.headers["mcp-session-id"], "Mcp-Protocol-Version": "2025-11-25"}
            await http.post(
                base + "/mcp", headers=headers | session, json={"jsonrpc": "2.0", "method": "notifications/initialized"}
            )
            listed = await http.post(
                base + "/mcp", headers=headers | session, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
            )
            events = _events(listed.text)
            priming, answer = events[0], events[-1]
            assert priming["data"] == ""
            assert priming["retry"] == str(RETRY_MILLISECONDS)
            assert priming["id"]
            assert json.loads(answer["data"])["id"] == 2

            # The stream "broke" after the priming event: resuming from it sends the answer again.
            resume = headers | session | {"Last-Event-ID": priming["id"], "Accept": "text/event-stream"}
            async with http.stream("GET", base + "/mcp", headers=resume) as replay:
                assert replay.status_code == 200
                replayed = None
                async for line in replay.aiter_lines():
                    if line.startswith("data:") and '"id":2' in line.replace(" ", ""):
                        replayed = json.loads(line.partition(":")[2])
                        break
            assert replayed is not None
            assert replayed["result"]["tools"] == json.loads(answer["data"])["result"]["tools"]
