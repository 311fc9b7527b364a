"""A minimal writer of ONNX model files (protobuf wire format), so building a graph needs no `onnx` package.

Only the messages and fields the MiniLM graph uses are covered. Field numbers are those of onnx.proto
(https://github.com/onnx/onnx/blob/main/onnx/onnx.proto), which protobuf compatibility freezes.
A message is kept as a list of buffers, never concatenated, so ~90 MB of weights are copied once:
when written out.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

Parts = list[bytes | memoryview]

_VARINT, _LEN, _FIXED32 = 0, 2, 5
_DTYPES = {np.dtype(np.float32): 1, np.dtype(np.int32): 6, np.dtype(np.int64): 7}
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS = 1, 2, 7


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if not value:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _int(number: int, value: int) -> Parts:
    return [_key(number, _VARINT) + _varint(value)]


def _nested(number: int, parts: Parts) -> Parts:
    return [_key(number, _LEN) + _varint(sum(len(p) for p in parts)), *parts]


def _str(number: int, value: str) -> Parts:
    return _nested(number, [value.encode()])


def _repeated(number: int, messages: Iterable[Parts]) -> Parts:
    return [part for message in messages for part in _nested(number, message)]


def tensor(name: str, array: np.ndarray) -> Parts:
    """TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian)."""
    array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    dims = [part for d in array.shape for part in _int(1, d)]
    raw = array.data.cast("B")
    return [*dims, *_int(2, _DTYPES[array.dtype.newbyteorder("=")]), *_str(8, name), *_nested(9, [raw])]


def value_info(name: str, elem_type: int, dims: Sequence[int | str]) -> Parts:
    """ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1}}}}."""
    shape = _repeated(1, (_int(1, d) if isinstance(d, int) else _str(2, d) for d in dims))
    tensor_type = [*_int(1, elem_type), *_nested(2, shape)]
    return [*_str(1, name), *_nested(2, _nested(1, tensor_type))]


def _attribute(name: str, value: float | int | Sequence[int]) -> Parts:
    """AttributeProto: name=1, f=2, i=3, ints=8, type=20."""
    if isinstance(value, float):
        return [*_str(1, name), _key(2, _FIXED32) + struct.pack("<f", value), *_int(20, _ATTR_FLOAT)]
    if isinstance(value, int):
        return [*_str(1, name), *_int(3, value), *_int(20, _ATTR_INT)]
    return [*_str(1, name), *(p for v in value for p in _int(8, v)), *_int(20, _ATTR_INTS)]


@dataclass
class Graph:
    """Collects nodes and initializers, then serializes a ModelProto."""

    name: str
    nodes: list[Parts] = field(default_factory=list)
    initializers: list[Parts] = field(default_factory=list)
    inputs: list[Parts] = field(default_factory=list)
    outputs: list[Parts] = field(default_factory=list)
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
        body = [p for i in inputs for p in _str(1, i)] + [p for o in outputs for p in _str(2, o)]
        body += [*_str(3, name), *_str(4, op_type), *_repeated(5, (_attribute(k, v) for k, v in attributes.items()))]
        if domain:
            body += _str(7, domain)
        self.nodes.append(body)
        return name

    def serialize(self, opsets: dict[str, int], ir_version: int = 8) -> Parts:
        graph = [*_repeated(1, self.nodes), *_str(2, self.name), *_repeated(5, self.initializers)]
        graph += [*_repeated(11, self.inputs), *_repeated(12, self.outputs)]
        opset_import = _repeated(8, ([*_str(1, domain), *_int(2, version)] for domain, version in opsets.items()))
        return [*_int(1, ir_version), *_str(2, "bifrost-mcp"), *_nested(7, graph), *opset_import]


def write_model(parts: Parts, file: BinaryIO) -> None:
    for part in parts:
        file.write(part)
