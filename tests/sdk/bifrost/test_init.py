"""The public API of `bifrost`: the spec's import block works, and the SDK stands alone."""

import ast
import importlib
from pathlib import Path

import pytest

import bifrost

# The import block of the SDK module reference, verbatim in substance.
SPEC_IMPORTS = {
    "decorators and context": ["workflow", "data_provider", "context"],
    "modules": [
        "ai",
        "knowledge",
        "config",
        "integrations",
        "files",
        "tables",
        "organizations",
        "users",
        "roles",
        "forms",
        "executions",
        "workflows",
    ],
    "types": [
        "ExecutionContext",
        "Organization",
        "Role",
        "UserPublic",
        "FormPublic",
        "WorkflowMetadata",
        "WorkflowExecution",
        "IntegrationData",
        "OAuthCredentials",
        "ConfigData",
        "AIResponse",
        "AIStreamChunk",
        "KnowledgeDocument",
        "NamespaceInfo",
        "TableInfo",
        "DocumentData",
        "DocumentList",
    ],
    "enums": ["ExecutionStatus", "ConfigType", "FormFieldType"],
    "errors": ["UserError", "WorkflowError", "ValidationError", "IntegrationError", "ConfigurationError"],
}
SPEC_NAMES = [name for names in SPEC_IMPORTS.values() for name in names]
SDK_ROOT = Path(bifrost.__file__).parent


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_every_name_of_the_spec_import_block_is_importable_and_exported(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from bifrost import {name}", namespace)
    assert namespace[name] is getattr(bifrost, name)
    assert name in bifrost.__all__


def test_the_spec_import_statements_run_as_written() -> None:
    source = """
from bifrost import workflow, data_provider, context
from bifrost import ai, knowledge, config, integrations, files, tables
from bifrost import organizations, users, roles, forms, executions, workflows
from bifrost import (
    ExecutionContext, Organization, Role, UserPublic, FormPublic,
    WorkflowMetadata, WorkflowExecution, IntegrationData, OAuthCredentials,
    ConfigData, AIResponse, AIStreamChunk, KnowledgeDocument, NamespaceInfo,
    TableInfo, DocumentData, DocumentList,
)
from bifrost import ExecutionStatus, ConfigType, FormFieldType
from bifrost import UserError, WorkflowError, ValidationError, IntegrationError, ConfigurationError
"""
    namespace: dict[str, object] = {}
    exec(source, namespace)
    assert set(SPEC_NAMES) <= set(namespace)


def test_all_lists_only_names_that_exist() -> None:
    missing = [name for name in bifrost.__all__ if not hasattr(bifrost, name)]
    assert missing == []
    assert len(set(bifrost.__all__)) == len(bifrost.__all__)


def test_the_modules_are_modules_of_the_sdk() -> None:
    for name in SPEC_IMPORTS["modules"]:
        module = getattr(bifrost, name)
        assert module is importlib.import_module(f"bifrost.{name}")


def test_the_errors_share_one_base_and_validation_error_is_a_value_error() -> None:
    from bifrost.errors import BifrostError

    for name in SPEC_IMPORTS["errors"]:
        assert issubclass(getattr(bifrost, name), BifrostError)
    assert issubclass(bifrost.ValidationError, ValueError)


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            found += [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return found


def test_the_sdk_never_imports_bifrost_mcp() -> None:
    sources = sorted(SDK_ROOT.rglob("*.py"))
    assert len(sources) > 10  # the scan really looked at the SDK
    offenders = [
        f"{path.relative_to(SDK_ROOT)} imports {module}"
        for path in sources
        for module in _imported_modules(path)
        if module == "bifrost_mcp" or module.startswith("bifrost_mcp.")
    ]
    assert offenders == []


def test_the_import_scan_would_see_a_bifrost_mcp_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os\nfrom bifrost_mcp.app import App\ndef f():\n    import bifrost_mcp\n"
        "    importlib.import_module('bifrost_mcp.host')\n"
    )
    assert _imported_modules(probe) == ["os", "bifrost_mcp.app", "bifrost_mcp", "bifrost_mcp.host"]
