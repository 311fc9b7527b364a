"""The frames between the host and a worker process: a 4-byte length, then one MessagePack array.

MessagePack because it is compact, its C codec costs about a microsecond per small frame, and it carries bytes
natively (`files.read_bytes`), where JSON would need base64 and a tag. Only plain values travel (None, bool,
int, float, str, bytes, lists, maps): pydantic models, datetimes and enums become their JSON form on the way
out (what the SDK's `returned(...)` validates back), and nothing is ever unpickled or rebuilt as code.

Messages are arrays whose first item is the kind:

    host -> worker   hello {..}  run rid ref arguments ctx  ret cid value  err cid error
                     item cid value  end cid  stop
    worker -> host   ready {..}  call cid op arguments  stream cid op arguments  close cid
                     log level message metadata  done rid outcome
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import msgpack
from pydantic_core import to_jsonable_python

HEADER = 4
# A frame larger than this ends the connection: a worker cannot make the host buffer without bound.
MAX_FRAME = 256 * 1024 * 1024


class ProtocolError(Exception):
    """A peer sent something that is not a frame of this protocol."""


def _plain(value: Any) -> Any:
    return to_jsonable_python(value, fallback=repr)


def encode(message: list[Any]) -> bytes:
    body: bytes = msgpack.packb(message, default=_plain, use_bin_type=True)
    return len(body).to_bytes(HEADER, "big") + body


def decode(body: bytes) -> list[Any]:
    # strict_map_key=False: a workflow's dict may have int keys. No ext_hook: extension types stay inert.
    message = msgpack.unpackb(body, raw=False, strict_map_key=False, use_list=True)
    if not (isinstance(message, list) and message and isinstance(message[0], str)):
        raise ProtocolError("a frame is not a message")
    return message


class Connection(asyncio.Protocol):
    """One end of a framed stream socket: `on_message` for each frame received, `send` to write one."""

    def __init__(
        self, on_message: Callable[[list[Any]], None], on_lost: Callable[[BaseException | None], None]
    ) -> None:
        self._on_message = on_message
        self._on_lost = on_lost
        self._buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= HEADER:
            size = int.from_bytes(buffer[:HEADER], "big")
            if size > MAX_FRAME:
                self.abort(ProtocolError(f"a frame of {size} bytes is over the limit of {MAX_FRAME}"))
                return
            end = HEADER + size
            if len(buffer) < end:
                return
            body = bytes(buffer[HEADER:end])
            del buffer[:end]
            try:
                message = decode(body)
            except Exception as exc:  # garbage from the peer ends the connection, never the host
                self.abort(ProtocolError(f"an undecodable frame: {exc}"))
                return
            self._on_message(message)
            if self.transport is None or self.transport.is_closing():
                return

    def send(self, message: list[Any]) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        frame = encode(message)
        if len(frame) > MAX_FRAME + HEADER:
            raise ProtocolError(f"a frame of {len(frame)} bytes is over the limit of {MAX_FRAME}")
        transport.write(frame)

    def abort(self, reason: BaseException) -> None:
        transport, self.transport = self.transport, None
        if transport is not None:
            transport.abort()
        self._on_lost(reason)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.transport = None
            self._on_lost(exc)
