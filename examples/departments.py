"""A data provider of departments (published as an MCP resource)."""

from __future__ import annotations

from bifrost import context, data_provider


@data_provider(name="departments", description="Departments a new hire can join", cache_ttl_seconds=600)
async def departments() -> list[dict[str, object]]:
    org = context.org_name or "all organizations"
    return [
        {"label": "Engineering", "value": "eng", "metadata": {"org": org}},
        {"label": "Sales", "value": "sales", "metadata": {"org": org}},
        {"label": "Support", "value": "support", "metadata": {"org": org}},
        {"label": "Finance", "value": "finance", "metadata": {"org": org}},
    ]


@data_provider(name="mailbox_sizes", description="Mailbox size tiers for a licence", cache_ttl_seconds=60)
async def mailbox_sizes(licence: str = "business-premium") -> list[dict[str, object]]:
    sizes = {"business-basic": [50], "business-premium": [50, 100], "e5": [100]}.get(licence, [])
    return [{"label": f"{gb} GB", "value": gb} for gb in sizes]
