"""Checks at load for prompts and `options(...)`: what a client could never use is a load error, not a surprise."""

from __future__ import annotations

from bifrost.prompts import argument_problem
from bifrost.signatures import Signature
from bifrost_mcp.workspace.registry import LoadError, RegisteredWorkflow, Registry


def prompt_problem(signature: Signature) -> str | None:
    """Why a prompt's parameters cannot be filled from MCP's string arguments, naming the first that cannot."""
    for name, info in signature.arguments_model.model_fields.items():
        problem = argument_problem(info.annotation)
        if problem is not None:
            return f"parameter {name!r}: {problem}"
    return None


def check_options(registry: Registry) -> None:
    """Drop (with a load error naming it) every entry whose `options(...)` names a data provider the registry lacks.

    Run once every file is loaded: the provider may live in any of them.
    """
    for entries in (registry.workflows, registry.prompts, registry.data_providers):
        for name, entry in list(entries.items()):
            unknown = _unknown_provider(registry, entry)
            if unknown is None:
                continue
            parameter, provider = unknown
            del entries[name]
            registry.errors.append(
                LoadError(
                    entry.source,
                    entry.line,
                    f"{entry.spec.kind.replace('_', ' ')} {name!r}: parameter {parameter!r} takes its options from "
                    f"the data provider {provider!r}, which this workspace does not define; define it "
                    f"(@data_provider(name={provider!r})) or correct the name in options(...)",
                )
            )


def _unknown_provider(registry: Registry, entry: RegisteredWorkflow) -> tuple[str, str] | None:
    for parameter, provider in entry.signature.options.items():
        if provider not in registry.data_providers:
            return parameter, provider
    return None
