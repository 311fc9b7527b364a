"""Inside a worker: the workspace imported once, and each workflow the host names found by module and name.

The host names a workflow by its function's module and qualified name. Workspace files are imported by the
same loader the host uses (so their module names match); anything else (the host's own tools, functions a
program or a test registered in code) is imported by module name, with the host's sys.path.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from bifrost.decorators import get_spec
from bifrost.platform import ExecutionContext
from bifrost.types import Organization
from bifrost_mcp.isolation.errors import RunFailed
from bifrost_mcp.workspace.described import describe
from bifrost_mcp.workspace.loader import add_function, load_workspace
from bifrost_mcp.workspace.registry import RegisteredWorkflow, Registry

MAIN_ALIAS = "__bifrost_host_main__"


def ref_of(entry: RegisteredWorkflow) -> list[str]:
    """How the host names `entry` to a worker: where its function is, and the workflow name it must carry."""
    fn = entry.spec.fn
    return [fn.__module__, fn.__qualname__, entry.name]


_organizations: dict[tuple[Any, ...], Organization] = {}


def context_from(fields: dict[str, Any]) -> ExecutionContext:
    """The run's context from the values the host sent (its organization read-only model built once per org)."""
    organization = fields.get("organization")
    if not organization:
        return ExecutionContext(**{**fields, "organization": None})
    key = tuple(sorted(organization.items()))
    org = _organizations.get(key)
    if org is not None:  # already the context's read-only copy: used as is
        return ExecutionContext(**{**fields, "organization": org})
    ctx = ExecutionContext(**{**fields, "organization": Organization(**organization)})
    if len(_organizations) >= 1024:
        _organizations.clear()
    assert ctx.organization is not None
    _organizations[key] = ctx.organization
    return ctx


def context_fields(ctx: ExecutionContext) -> dict[str, Any]:
    return {
        "user_id": ctx.user_id,
        "email": ctx.email,
        "name": ctx.name,
        "scope": ctx.scope,
        "organization": ctx.organization.model_dump(mode="json") if ctx.organization else None,
        "is_platform_admin": ctx.is_platform_admin,
        "is_function_key": ctx.is_function_key,
        "execution_id": ctx.execution_id,
    }


class Resolver:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], RegisteredWorkflow] = {}
        self._main: str | None = None

    def load(self, hello: dict[str, Any], announce: Callable[[str], None] | None = None) -> dict[str, Any]:
        """Take the host's import path and import its workspace; returns what the ready frame reports.

        The host's system tools are registered first, as the host does, so that a described registry (`describe`
        in the hello: the host builds its own from it) is the one the host would have built. `announce` is told
        each file before it is imported; files the hello says to `skip` are not imported.
        """
        sys.path[:] = [str(p) for p in hello.get("sys_path") or sys.path]
        self._main = hello.get("main")
        root = hello.get("root")
        if root is None:
            return {"errors": 0}
        registry = load_workspace(
            Path(root),
            int(hello.get("version") or 1),
            system=[self._function(module, qualname) for module, qualname in hello.get("system") or ()],
            system_source=str(hello.get("system_source") or "system"),
            exclude=[Path(path) for path in hello.get("exclude") or ()],  # the data dir: users' files are never code
            interruptible=False,
            skip={str(source): str(reason) for source, reason in (hello.get("skip") or {}).items()},
            on_import=announce,
        )
        runnable = (registry.workflows, registry.data_providers, registry.resources, registry.prompts)
        for entry in (entry for entries in runnable for entry in entries.values()):
            module, qualname, _ = ref_of(entry)
            self._entries[(module, qualname)] = entry
        info: dict[str, Any] = {"errors": len(registry.errors)}
        if hello.get("describe"):
            info["registry"] = describe(registry)
        return info

    def _function(self, module_name: str, qualname: str) -> Any:
        value: Any = self._module(module_name)
        for part in qualname.split("."):
            value = getattr(value, part)
        return value

    def entry(self, ref: list[str]) -> RegisteredWorkflow:
        module_name, qualname, name = (str(part) for part in ref)
        found = self._entries.get((module_name, qualname))
        if found is None:
            found = self._entries[(module_name, qualname)] = self._import(module_name, qualname)
        if found.name != name:  # the module rebinds that name to another workflow: never run the wrong one
            raise RunFailed(
                f"{module_name}.{qualname} is the workflow {found.name!r} in a worker process, not {name!r}: give "
                "each workflow function a name of its own in its module"
            )
        return found

    def _import(self, module_name: str, qualname: str) -> RegisteredWorkflow:
        if "<locals>" in qualname:
            raise RunFailed(
                f"{qualname} cannot run in a worker process: it is defined inside a function; define it at module "
                "level (or run with --isolation inline)"
            )
        try:
            value = self._function(module_name, qualname)
        except AttributeError:
            value = None
        spec = get_spec(value)
        if spec is None:
            raise RunFailed(f"{module_name}.{qualname} is no longer a workflow in this worker's workspace")
        registry = Registry(version=0, root=None)
        add_function(registry, value, module_name)
        entries = {**registry.workflows, **registry.data_providers, **registry.resources, **registry.prompts}
        if spec.name not in entries:
            raise RunFailed("; ".join(str(error) for error in registry.errors) or f"{spec.name!r} did not load")
        return entries[spec.name]

    def _module(self, name: str) -> ModuleType:
        if name != "__main__":
            return sys.modules.get(name) or importlib.import_module(name)
        if MAIN_ALIAS not in sys.modules:  # the host's own script: import it under another name, as spawn does
            if not self._main:
                raise RunFailed("the host's __main__ has no file a worker could import")
            spec = importlib.util.spec_from_file_location(MAIN_ALIAS, self._main)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[MAIN_ALIAS] = module
            spec.loader.exec_module(module)
        return sys.modules[MAIN_ALIAS]
