"""Loading a workspace folder of workflow files into a versioned registry, and reloading it on change."""

from bifrost_mcp.workspace.loader import load_workspace
from bifrost_mcp.workspace.registry import LoadError, RegisteredWorkflow, Registry

__all__ = ["LoadError", "RegisteredWorkflow", "Registry", "load_workspace"]
