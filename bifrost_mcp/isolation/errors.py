"""Exceptions across the wire: an SDK call that fails in the host raises the same error in the worker.

The host sends the error's class name, the nearest class both sides know (an SDK error or a builtin
exception), its args and plain attributes (`retry_after`); the worker raises an instance of that class, under
the original name when it differs, so a workflow's `except` clauses and failure messages match inline runs.
"""

from __future__ import annotations

import builtins
from typing import Any

import bifrost.errors
from bifrost.errors import UserError


def _known() -> dict[str, type[Exception]]:
    known: dict[str, type[Exception]] = {}
    for name in dir(builtins):
        value = getattr(builtins, name)
        if isinstance(value, type) and issubclass(value, Exception):
            known[name] = value
    for name in bifrost.errors.__all__:
        known[name] = getattr(bifrost.errors, name)
    return known


KNOWN = _known()


class RunFailed(UserError):
    """A run that failed in its worker or with it; the message is the whole description, shown as is.

    `user_error`: the workflow itself raised a UserError (the caller's request was refused), not the host.
    `invalid`: the worker refused the arguments, one problem per field.
    """

    def __init__(self, message: str, *, user_error: bool = False, invalid: list[str] | None = None) -> None:
        super().__init__(message)
        self.user_error = user_error
        self.invalid = invalid


def _plain(value: Any) -> bool:
    if isinstance(value, str | int | float | bool) or value is None:
        return True
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def error_payload(exc: BaseException) -> list[Any]:
    """[name, known base name, args, attributes] of `exc`."""
    cls = type(exc)
    base = next(c for c in cls.__mro__ if KNOWN.get(c.__name__) is c or c is BaseException)
    args = list(exc.args) if _plain(list(exc.args)) else [str(exc)]
    if isinstance(exc, OSError) and exc.filename is not None:  # OSError keeps the file name out of its args
        args = [exc.errno, exc.strerror, exc.filename]
    attributes = {k: v for k, v in vars(exc).items() if not k.startswith("_") and _plain(v)}
    return [cls.__name__, base.__name__ if base is not BaseException else "Exception", args, attributes]


_NAMED: dict[tuple[str, type[Exception]], type[Exception]] = {}


def _named(name: str, base: type[Exception]) -> type[Exception]:
    """A subclass of `base` called `name`, made once: messages and tracebacks keep the host's class name."""
    key = (name, base)
    if key not in _NAMED:
        _NAMED[key] = type(name, (base,), {"__module__": "bifrost.remote"})
    return _NAMED[key]


def rebuild_error(payload: list[Any]) -> Exception:
    """The exception `error_payload` described, raised inside the worker's run."""
    name, base_name, args, attributes = payload
    base = KNOWN.get(base_name, Exception)
    cls = base if name == base_name else _named(str(name), base)
    try:
        exc = cls.__new__(cls, *args)
        Exception.__init__(exc, *args)
    except Exception:  # a class whose constructor wants other arguments (UnicodeDecodeError): keep the text
        exc = _named(str(name), Exception)(*[str(a) for a in args])
    if isinstance(attributes, dict):
        for key, value in attributes.items():
            setattr(exc, key, value)
    return exc
