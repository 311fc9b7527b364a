"""Loading a workspace folder of workflow and agent files into a versioned registry, and reloading it on change."""

from bifrost_mcp.workspace.loader import load_workspace
from bifrost_mcp.workspace.registry import LoadError, RegisteredAgent, RegisteredWorkflow, Registry

__all__ = ["LoadError", "RegisteredAgent", "RegisteredWorkflow", "Registry", "load_workspace"]
