"""Files in the platform store (mode="cloud") or the local workspace (mode="local"), sandboxed per location."""

from __future__ import annotations

import builtins
from typing import Literal

from bifrost.errors import ValidationError
from bifrost.platform import call

Location = Literal["workspace", "temp", "uploads"]
Mode = Literal["cloud", "local"]
_LOCATIONS = ("workspace", "temp", "uploads")
_MODES = ("cloud", "local")


def _check(path: str, location: str, mode: str) -> None:
    if not isinstance(path, str):
        raise ValidationError(f"path must be a string, got {type(path).__name__}")
    if location not in _LOCATIONS:
        raise ValidationError(f"location must be one of {', '.join(_LOCATIONS)}; got {location!r}")
    if mode not in _MODES:
        raise ValidationError(f"mode must be 'cloud' or 'local'; got {mode!r}")


async def read(path: str, location: Location = "workspace", mode: Mode = "cloud") -> str:
    """Read a UTF-8 text file."""
    data = await read_bytes(path, location, mode)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path!r} is not UTF-8 text ({exc.reason}); use files.read_bytes") from exc


async def read_bytes(path: str, location: Location = "workspace", mode: Mode = "cloud") -> bytes:
    """Read a file's bytes."""
    _check(path, location, mode)
    return bytes(await call("files.read_bytes", path=path, location=location, mode=mode))


async def write(path: str, content: str, location: Location = "workspace", mode: Mode = "cloud") -> None:
    """Write a UTF-8 text file (parents are created)."""
    if not isinstance(content, str):
        raise ValidationError(f"content must be str, got {type(content).__name__}; use files.write_bytes")
    await write_bytes(path, content.encode("utf-8"), location, mode)


async def write_bytes(path: str, content: bytes, location: Location = "workspace", mode: Mode = "cloud") -> None:
    """Write a binary file (parents are created)."""
    _check(path, location, mode)
    if not isinstance(content, bytes | bytearray):
        raise ValidationError(f"content must be bytes, got {type(content).__name__}")
    await call("files.write_bytes", path=path, content=bytes(content), location=location, mode=mode)


async def list(directory: str = "", location: Location = "workspace", mode: Mode = "cloud") -> builtins.list[str]:
    """Entries of `directory` (directories end with "/")."""
    _check(directory, location, mode)
    return builtins.list(await call("files.list", directory=directory, location=location, mode=mode))


async def delete(path: str, location: Location = "workspace", mode: Mode = "cloud") -> None:
    """Delete a file."""
    _check(path, location, mode)
    await call("files.delete", path=path, location=location, mode=mode)


async def exists(path: str, location: Location = "workspace", mode: Mode = "cloud") -> bool:
    """Whether `path` exists."""
    _check(path, location, mode)
    return bool(await call("files.exists", path=path, location=location, mode=mode))


__all__ = ["delete", "exists", "list", "read", "read_bytes", "write", "write_bytes"]
