"""A minimal writer of ONNX model files (protobuf wire format), so building a graph needs no `onnx` package.

Only the messages and fields the MiniLM graph uses are covered. Field numbers are those of onnx.proto
(https://github.com/onnx/onnx/blob/main/onnx/onnx.proto), which are frozen by protobuf compatibility.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

_VARINT, _LEN, _FIXED32 = 0, 2, 5
_DTYPES = {np.dtype(np.float32): 1, np.dtype(np.int32): 6, np.dtype(np.int64): 7}
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS = 1, 2, 7


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _int(number: int, value: int) -> bytes:
    return _key(number, _VARINT) + _varint(value)


def _bytes(number: int, value: bytes) -> bytes:
    return _key(number, _LEN) + _varint(len(value)) + value


def _str(number: int, value: str) -> bytes:
    return _bytes(number, value.encode())


def _messages(number: int, values: Iterable[bytes]) -> bytes:
    return b"".join(_bytes(number, v) for v in values)


def tensor(name: str, array: np.ndarray) -> bytes:
    """TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian)."""
    array = np.ascontiguousarray(array)
    dims = b"".join(_int(1, d) for d in array.shape)
    return (
        dims
        + _int(2, _DTYPES[array.dtype])
        + _str(8, name)
        + _bytes(9, array.astype(array.dtype.newbyteorder("<")).tobytes())
    )


def value_info(name: str, elem_type: int, dims: Sequence[int | str]) -> bytes:
    """ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1}}}}."""
    shape = _messages(1, (_int(1, d) if isinstance(d, int) else _str(2, d) for d in dims))
    tensor_type = _int(1, elem_type) + _bytes(2, shape)
    return _str(1, name) + _bytes(2, _bytes(1, tensor_type))


def _attribute(name: str, value: float | int | Sequence[int]) -> bytes:
    """AttributeProto: name=1, f=2, i=3, ints=8, type=20."""
    if isinstance(value, float):
        return _str(1, name) + _key(2, _FIXED32) + struct.pack("<f", value) + _int(20, _ATTR_FLOAT)
    if isinstance(value, int):
        return _str(1, name) + _int(3, value) + _int(20, _ATTR_INT)
    return _str(1, name) + b"".join(_int(8, v) for v in value) + _int(20, _ATTR_INTS)


@dataclass
class Graph:
    """Collects nodes and initializers, then serializes a ModelProto."""

    name: str
    nodes: list[bytes] = field(default_factory=list)
    initializers: list[bytes] = field(default_factory=list)
    inputs: list[bytes] = field(default_factory=list)
    outputs: list[bytes] = field(default_factory=list)
    _counter: int = 0

    def constant(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(tensor(name, array))
        return name

    def node(
        self,
        op_type: str,
        inputs: Sequence[str],
        *,
        domain: str = "",
        n_outputs: int = 1,
        output: str | None = None,
        **attributes: float | int | Sequence[int],
    ) -> str:
        """Add a node; returns its first output's name (`output` or generated; the others are `<name>:<i>`)."""
        self._counter += 1
        name = output or f"{op_type.lower()}_{self._counter}"
        outputs = [name] + [f"{name}:{i}" for i in range(1, n_outputs)]
        body = b"".join(_str(1, i) for i in inputs) + b"".join(_str(2, o) for o in outputs)
        body += _str(3, name) + _str(4, op_type)
        body += b"".join(_bytes(5, _attribute(k, v)) for k, v in attributes.items())
        if domain:
            body += _str(7, domain)
        self.nodes.append(body)
        return name

    def serialize(self, opsets: dict[str, int], ir_version: int = 8) -> bytes:
        graph = _messages(1, self.nodes) + _str(2, self.name) + _messages(5, self.initializers)
        graph += _messages(11, self.inputs) + _messages(12, self.outputs)
        opset_import = _messages(8, (_str(1, domain) + _int(2, version) for domain, version in opsets.items()))
        return _int(1, ir_version) + _str(2, "bifrost-mcp") + _bytes(7, graph) + opset_import
