"""Import every .py file of a workspace and collect its decorated functions and agents into a Registry.

A file that fails to import is reported (path, line, error) and skipped; the others load. Workspace modules
are imported by their dotted path relative to the root, so packages and imports between files work; on reload
every module previously loaded from the root is dropped from sys.modules first.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from bifrost.decorators import get_spec
from bifrost.resources import template_variables
from bifrost.signatures import Signature, build_signature
from bifrost_mcp.schedules.cron import CronError, parse
from bifrost_mcp.workspace.agents import FoundAgent, agents_in, register_agents
from bifrost_mcp.workspace.choices import check_options, prompt_problem
from bifrost_mcp.workspace.layout import skipped_folder
from bifrost_mcp.workspace.registry import LoadError, RegisteredWorkflow, Registry

logger = logging.getLogger(__name__)


def workspace_files(root: Path, exclude: Sequence[Path] = ()) -> list[Path]:
    """The .py files of the workspace, sorted, skipping hidden and tool folders and `exclude` (never walked into)."""
    excluded = {path.resolve() for path in exclude}
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not skipped_folder(d) and (Path(folder) / d).resolve() not in excluded]
        files += [Path(folder) / name for name in names if name.endswith(".py")]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _module_name(root: Path, path: Path) -> str | None:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if parts and all(p.isidentifier() for p in parts):
        return ".".join(parts)
    return None


def _purge(root: Path) -> None:
    # This looks at every module of the process on each load, thousands in a server: a string prefix rather
    # than Path.is_relative_to (the workspace's modules come from the resolved `root` on sys.path), and the
    # module's own __dict__ rather than getattr, which would run a lazy module's __getattr__ (imports, errors).
    inside = str(root) + os.sep
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__dict__", {}).get("__file__")
        if isinstance(file, str) and file.startswith(inside):
            del sys.modules[name]


def _drop_bytecode(files: Iterable[Path]) -> None:
    """Delete the workspace's cached bytecode so that every load compiles the current source.

    A .pyc is trusted when the source's mtime (whole seconds) and size match, so an edit saved within the
    same second at the same size (changing one digit) would otherwise reload the old code.
    """
    for path in files:
        with contextlib.suppress(OSError, ValueError, NotImplementedError):
            Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)


def _error_line(exc: BaseException, path: Path) -> int | None:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return frames[-1].lineno if frames else None


def _import(root: Path, path: Path) -> ModuleType:
    name = _module_name(root, path)
    if name is None:
        # Not importable by name (e.g. "my-workflows.py"): load it standalone under a private name.
        private = "_bifrost_ws_" + "".join(c if c.isalnum() else "_" for c in path.relative_to(root).as_posix())
        spec = importlib.util.spec_from_file_location(private, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[private] = module
        spec.loader.exec_module(module)
        return module
    module = importlib.import_module(name)
    file = getattr(module, "__file__", None)
    if file is None or Path(file).resolve() != path.resolve():
        raise ImportError(
            f"module name {name!r} is taken by an installed package ({file or 'built-in'}); rename the file"
        )
    return module


def _collect(registry: Registry, module: ModuleType, source: str) -> None:
    for value in list(vars(module).values()):
        spec = get_spec(value)
        if spec is None or getattr(spec.fn, "__module__", None) != module.__name__:
            continue  # not decorated, or imported from another workspace file (registered there)
        add_function(registry, spec.fn, source)


def add_function(registry: Registry, fn: Callable[..., Any], source: str) -> None:
    """Register one decorated function, turning a bad signature or schedule into a LoadError."""
    spec = get_spec(fn)
    if spec is None:
        raise TypeError(f"{fn!r} is not decorated with @workflow, @data_provider or @prompt")
    try:
        line: int | None = inspect.getsourcelines(fn)[1]
    except (OSError, TypeError):
        line = None
    try:
        signature = build_signature(fn, f"{spec.name}_arguments")
    except Exception as exc:  # a signature pydantic cannot describe is the author's to fix
        registry.errors.append(LoadError(source, line, f"{spec.kind} {spec.name!r}: {exc}"))
        return
    if spec.kind == "resource" and (problem := _resource_problem(spec.extra["uri"], signature)) is not None:
        registry.errors.append(LoadError(source, line, f"resource {spec.name!r} ({fn.__qualname__}): {problem}"))
        return
    if spec.schedule is not None and (problem := _schedule_problem(spec.schedule, signature)) is not None:
        registry.errors.append(LoadError(source, line, f"workflow {spec.name!r}: {problem}"))
        return
    if spec.kind == "prompt" and (problem := prompt_problem(signature)) is not None:
        registry.errors.append(LoadError(source, line, f"prompt {spec.name!r}: {problem}"))
        return
    registry.add(RegisteredWorkflow(spec, signature, source, line))


def _resource_problem(uri: str, signature: Signature) -> str | None:
    """Why a resource function cannot serve `uri`: its parameters are not exactly the template's variables."""
    variables = template_variables(uri)
    parameters = list(signature.arguments_model.model_fields)
    if sorted(parameters) == sorted(variables):
        return None
    wanted = ", ".join(variables) or "none"
    return (
        f"its parameters ({', '.join(parameters) or 'none'}) must be exactly the variables of {uri!r} ({wanted}); "
        "rename or remove parameters (an ExecutionContext parameter may be added)"
    )


def _schedule_problem(schedule: object, signature: Signature) -> str | None:
    """Why a workflow cannot run on `schedule`: not a cron expression, or parameters a scheduled run cannot fill."""
    try:
        parse(schedule)
    except CronError as exc:
        return str(exc)
    required = [name for name, info in signature.arguments_model.model_fields.items() if info.is_required()]
    if required:
        return (
            f"a scheduled run passes no arguments, but {', '.join(map(repr, required))} "
            f"{'has' if len(required) == 1 else 'have'} no default: give every parameter a default"
        )
    return None


def load_workspace(
    root: Path,
    version: int = 1,
    *,
    system: Iterable[Callable[..., Any]] = (),
    system_source: str = "system",
    exclude: Sequence[Path] = (),
    interruptible: bool = True,
    skip: Mapping[str, str] | None = None,
    on_import: Callable[[str], None] | None = None,
) -> Registry:
    """Import the workspace at `root` afresh and build registry `version`.

    `system` functions (the host's own tools) are registered first, so their names win over a workspace's.
    `exclude` folders (the data dir) are never walked into, wherever they lie.
    `interruptible=False` where no ^C can arrive (a thread, a worker process): a KeyboardInterrupt is then the
    module's own doing, reported like any other import error.
    `skip` files (relative paths) are not imported but reported with the given reason; `on_import` is told each
    file's path before it is imported (a worker tells the host, which learns so which file ended it).
    """
    root = root.resolve()
    registry = Registry(version=version, root=root)
    for fn in system:
        add_function(registry, fn, system_source)
    if not root.is_dir():
        registry.errors.append(LoadError(str(root), None, "workspace folder does not exist"))
        return registry
    _purge(root)
    importlib.invalidate_caches()
    if str(root) not in sys.path:
        # Appended, not prepended: a workspace file must never shadow the stdlib or the host's packages.
        sys.path.append(str(root))
    files = workspace_files(root, exclude)
    _drop_bytecode(files)
    found_agents: list[FoundAgent] = []
    for path in files:
        source = path.relative_to(root).as_posix()
        if skip and source in skip:
            registry.errors.append(LoadError(source, None, skip[source]))
            continue
        if on_import is not None:
            on_import(source)
        try:
            module = _import(root, path)
        except BaseException as exc:  # user code at import time: report, skip, keep loading the rest
            if isinstance(exc, KeyboardInterrupt) and interruptible:
                raise
            message = f"{type(exc).__name__}: {exc}"
            registry.errors.append(LoadError(source, _error_line(exc, path), message))
            continue
        _collect(registry, module, source)
        found_agents += agents_in(module, source)
    check_options(registry)
    registry.assign_tool_names()
    register_agents(registry, found_agents)  # after every file: an agent may name a workflow of any of them
    report_problems(registry)
    return registry


def report_problems(registry: Registry) -> None:
    """Log the registry's load errors and notes (to stderr: never stdout, the MCP wire over stdio)."""
    for error in registry.errors:
        logger.error("workspace: %s", error)
    for note in registry.notes:
        logger.warning("workspace: %s", note)
    warn_public_endpoints(registry)  # from the described registry of process isolation too


def warn_public_endpoints(registry: Registry) -> None:
    """Say loudly, at every load, which workflows anyone may run over HTTP without credentials."""
    for entry in registry.workflows.values():
        if entry.spec.endpoint_enabled and entry.spec.public_endpoint:
            logger.warning(
                "workspace: workflow %r (%s) is a PUBLIC endpoint: anyone who reaches this server may call %s "
                "/api/workflows/%s without credentials (as the anonymous caller, in GLOBAL scope, rate limited per "
                "source)",
                entry.name,
                entry.source,
                "/".join(entry.spec.allowed_methods),
                entry.name,
            )


def registry_from_functions(functions: Iterable[Callable[..., Any]], version: int = 1) -> Registry:
    """A registry of functions defined in code (tests, benchmarks, embedding bifrost-mcp in a program)."""
    registry = Registry(version=version, root=None)
    for fn in functions:
        add_function(registry, fn, getattr(fn, "__module__", "<code>"))
    check_options(registry)
    registry.assign_tool_names()
    warn_public_endpoints(registry)
    return registry
