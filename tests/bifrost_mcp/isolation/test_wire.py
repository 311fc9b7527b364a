"""The frames between host and worker: MessagePack values only, bounded, and garbage ends the connection."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import Any

import pytest

from bifrost.types import Organization
from bifrost_mcp.isolation.wire import HEADER, MAX_FRAME, Connection, ProtocolError, decode, encode


class Recorder:
    def __init__(self) -> None:
        self.messages: list[list[Any]] = []
        self.lost: list[BaseException | None] = []


class FakeTransport:
    """The one transport method the Connection's receive path uses when it ends the connection."""

    def __init__(self) -> None:
        self.aborted = False

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True


def connection() -> tuple[Connection, Recorder, FakeTransport]:
    recorder, transport = Recorder(), FakeTransport()
    conn = Connection(recorder.messages.append, recorder.lost.append)
    conn.transport = transport  # type: ignore[assignment]
    return conn, recorder, transport


def test_plain_values_bytes_and_models_cross_as_plain_data() -> None:
    moment = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    frame = encode(["ret", 7, {"blob": b"\x00\xff", "n": [1, 2.5, None, True], 3: "int key", "at": moment,
                              "org": Organization(id="o1", name="Acme")}])  # fmt: skip
    assert int.from_bytes(frame[:HEADER], "big") == len(frame) - HEADER
    assert decode(frame[HEADER:]) == [
        "ret",
        7,
        {
            "blob": b"\x00\xff",
            "n": [1, 2.5, None, True],
            3: "int key",
            "at": "2026-12-03T15:00:00Z",
            "org": {"id": "o1", "name": "Acme", "is_active": True, "domain": None},
        },
    ]


def test_frames_split_anywhere_arrive_whole_and_in_order() -> None:
    conn, recorder, _ = connection()
    stream = encode(["log", "INFO", "one", None]) + encode(["log", "INFO", "two", {"k": 1}])
    for i in range(len(stream)):
        conn.data_received(stream[i : i + 1])
    assert recorder.messages == [["log", "INFO", "one", None], ["log", "INFO", "two", {"k": 1}]]
    assert recorder.lost == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param((MAX_FRAME + 1).to_bytes(HEADER, "big"), "over the limit", id="oversized"),
        pytest.param(b"\x00\x00\x00\x01\xc1", "an undecodable frame", id="not-msgpack"),
        pytest.param(encode([1, 2])[:], "an undecodable frame: a frame is not a message", id="not-a-message"),
        pytest.param(
            len(p := pickle.dumps(["ret", 1, 2])).to_bytes(HEADER, "big") + p, "an undecodable frame", id="a-pickle"
        ),
    ],
)
def test_anything_but_a_message_ends_the_connection_and_nothing_is_unpickled(data: bytes, reason: str) -> None:
    conn, recorder, transport = connection()
    conn.data_received(data)
    assert recorder.messages == []
    assert transport.aborted
    assert len(recorder.lost) == 1 and isinstance(recorder.lost[0], ProtocolError)
    assert reason in str(recorder.lost[0])
