"""knowledge ingest | search | namespaces | reindex: the knowledge base from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp.cli._common import (
    DataDirOpt,
    GlobalOpt,
    JsonOpt,
    OrgOpt,
    emit,
    open_host,
    org_id_of,
    run,
    table,
    write_target,
)
from bifrost_mcp.host import Host

if TYPE_CHECKING:
    from bifrost_mcp.knowledge.view import KnowledgeView

NamespaceOpt = Annotated[str, typer.Option("--namespace", "-n", help="Knowledge namespace.")]


async def _scope(host: Host, org: str | None) -> str:
    return await org_id_of(host, org) or GLOBAL_SCOPE


knowledge = typer.Typer(
    name="knowledge", help="The knowledge base: ingest files, search by meaning, reindex.", no_args_is_help=True
)


@knowledge.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help=".md, .txt, .html, .pdf files or folders.")],
    namespace: NamespaceOpt,
    org: OrgOpt = None,
    global_: GlobalOpt = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store files in a namespace of GLOBAL (--global) or of an organization (--org); unchanged files are skipped.

    A document's key is its path relative to the folder given.
    """
    write_target(org, global_, "knowledge ingest stores into one scope")
    from bifrost_mcp.knowledge.ingest import ingest as ingest_paths

    async def body() -> int:
        async with open_host(data_dir) as host:
            service = await _view(host, org)
            summary = await ingest_paths(paths, namespace, service, progress=not as_json and sys.stderr.isatty())
            emit(summary, as_json, str(summary))
            return 1 if summary.failed else 0

    code = run(body)
    if code:
        raise typer.Exit(code)


@knowledge.command("search")
def search(
    query: str,
    namespace: Annotated[str | None, typer.Option("--namespace", "-n", help="Default: every namespace.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 5,
    org: OrgOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search by meaning, as a member of ORG (organization documents first, then GLOBAL)."""
    from bifrost_mcp.knowledge.passages import search_passages

    async def body() -> None:
        async with open_host(data_dir) as host:
            service = await _view(host, org)
            passages = await search_passages(service, query, namespace, limit)
            emit(
                passages,
                as_json,
                lambda: (
                    "\n\n".join(f"[{p['score']:.3f}] {p['namespace']}/{p['key']}\n{p['content']}" for p in passages)
                    or "(no results)"
                ),
            )

    run(body)


@knowledge.command("namespaces")
def namespaces(org: OrgOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """Namespaces visible in ORG's scope (or GLOBAL), with organization and GLOBAL document counts."""

    async def body() -> None:
        async with open_host(data_dir) as host:
            infos = await (await _view(host, org)).list_namespaces()
            rows = [[i.name, str(i.org_document_count), str(i.global_document_count), i.embedder or ""] for i in infos]
            emit(infos, as_json, lambda: table(rows, ["NAMESPACE", "ORG DOCS", "GLOBAL DOCS", "EMBEDDER"]))

    run(body)


@knowledge.command("reindex")
def reindex(
    namespace: Annotated[str | None, typer.Option("--namespace", "-n", help="Default: every namespace.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Rebuild even when the embedder is unchanged (and rewrite records of the older layout)."
        ),
    ] = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-embed namespaces with the configured embedder (after changing BIFROST_EMBEDDER)."""
    from bifrost_mcp.knowledge.reindex import reindex as reindex_namespaces

    async def body() -> None:
        async with open_host(data_dir) as host:
            results = await reindex_namespaces(host.knowledge, namespace, force=force, progress=sys.stderr.isatty())
            rows = [
                [r.namespace, r.scope, r.previous_embedder, str(r.chunks), "rebuilt" if r.rebuilt else "current"]
                for r in results
            ]
            emit(results, as_json, lambda: table(rows, ["NAMESPACE", "SCOPE", "WAS", "CHUNKS", "STATUS"]))

    run(body)


async def _view(host: Host, org: str | None) -> KnowledgeView:
    from bifrost_mcp.knowledge.view import KnowledgeView  # Chroma and the embedder load only for these commands

    return KnowledgeView(host.knowledge, await _scope(host, org))
